"""Revision counters that tell every loket process, cheaply, that content changed.

Every change to the knowledge base or the notices raises its counter in the change's own
transaction. A process compares the counters with those it loaded, a few rows read several times
a second, and reloads only what moved; a live event (Redis between processes) only makes it look
sooner.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from knowledge_base.tables import RevisionRow

KNOWLEDGE_BASE: Final = "knowledge_base"
NOTICES: Final = "notices"


def bump(session: Session, name: str) -> None:
    session.execute(
        update(RevisionRow)
        .where(RevisionRow.name == name)
        .values(revision=RevisionRow.revision + 1)
    )


def revisions(session: Session) -> dict[str, int]:
    return {
        name: revision
        for name, revision in session.execute(
            select(RevisionRow.name, RevisionRow.revision)
        ).tuples()
    }
