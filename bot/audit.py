"""The audit log: who did what to which record, append-only (see `bot.sealing`).

Staff logins are recorded, failed ones too (AVG art. 32: detecting attacks on accounts). A
failed attempt that names an existing account records that account's username, which the
organisation knows anyway; one that names no account records only a keyed hash of the name:
what people type there is often a password in the wrong field or someone else's address, and
the log is kept for good. Repeated guesses with the same name still show as the same hash. No
password and no IP address is written.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
from datetime import timedelta
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import sealing
from bot.tables import AuditRow
from knowledge_base.tables import utcnow

VIEW_WINDOW: Final = timedelta(minutes=10)
"""One look at a record within this long is one view in the audit log."""


def record_audit(
    session: Session, actor: str, action: str, target: str, details: dict[str, Any] | None = None
) -> AuditRow:
    """Add one entry; it is written with the session's transaction, so with what it records."""
    row = AuditRow(actor=actor, action=action, target=target, details=details)
    session.add(row)
    return row


def record_view(session: Session, actor: str, action: str, target: str) -> None:
    """A view of a record, once per actor and record within `VIEW_WINDOW`: an open transcript
    that reloads with every new message is one view, not one per message."""
    seen = session.scalar(
        select(AuditRow.id)
        .where(
            AuditRow.created_at >= utcnow() - VIEW_WINDOW,
            AuditRow.actor == actor,
            AuditRow.action == action,
            AuditRow.target == target,
        )
        .limit(1)
    )
    if seen is None:
        record_audit(session, actor, action, target)


def command_line_actor() -> str:
    """Who runs a command on the server: the operating-system account."""
    return f"cli:{getpass.getuser()}"


def unknown_username(session: Session, attempted: str) -> str:
    """How an attempted username that is no account appears in the audit log."""
    secret = sealing.policy_for(session).subject_secret
    name = attempted.strip().lower().encode()
    return "unknown:" + hmac.new(secret, b"console-login:" + name, hashlib.sha256).hexdigest()[:32]


def failed_login(session: Session, attempted: str, account: str | None, reason: str) -> AuditRow:
    target = account or unknown_username(session, attempted)
    return record_audit(session, "anonymous", "console.login.failed", target, {"reason": reason})
