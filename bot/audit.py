"""The audit log: who did what to which record, append-only (see `bot.sealing`)."""

from __future__ import annotations

import getpass
from typing import Any

from sqlalchemy.orm import Session

from bot.tables import AuditRow


def record_audit(
    session: Session, actor: str, action: str, target: str, details: dict[str, Any] | None = None
) -> AuditRow:
    """Add one entry; it is written with the session's transaction, so with what it records."""
    row = AuditRow(actor=actor, action=action, target=target, details=details)
    session.add(row)
    return row


def command_line_actor() -> str:
    """Who runs a command on the server: the operating-system account."""
    return f"cli:{getpass.getuser()}"
