"""The knowledge-base editor as an HTTP JSON API: find and write entries, offer them for review,
approve someone else's (four eyes), compare versions, roll back, retire, preview an answer on
every channel, and try a question on the answers residents get now.

Editors write; approvers approve, send back, roll back and retire; admins may do everything.
Every step is in the audit log, and a publish, rollback or retirement is live in every loket
process within a second (`bot.live_changes`).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, Header, Query, Request
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy.orm import Session

from actions.actions import answer_text
from bot import answer_preview, live_changes
from bot.audit import record_audit
from bot.staff import StaffUser
from bot.staff_api import actor, in_session, services_of, staff_member
from channels import webchat
from knowledge_base import diff, editorial, live, store
from knowledge_base.editorial import Content, Version
from knowledge_base.entries import Entry
from knowledge_base.errors import FourEyes, InvalidContent
from knowledge_base.text import Language

if TYPE_CHECKING:
    from bot.app import Services

router = APIRouter(prefix="/api/editor", tags=["editor"])

WRITERS = ("editor", "approver")
APPROVERS = ("approver",)
MAX_LISTED = 500
REFUSED = {"reason": "four_eyes"}


class ContentIn(BaseModel):
    topic: str = Field(description="One word: afval, paspoort, parkeren, ...")
    questions: dict[Literal["nl", "en"], list[str]] = Field(
        description="Ways residents ask it, per language; at least one in Dutch"
    )
    answers: dict[Literal["nl", "en"], str] = Field(description="Per language; Dutch required")
    source_url: str = ""
    owner: str = ""
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None

    def content(self) -> Content:
        return Content(
            topic=self.topic,
            questions=self.questions,
            answers=self.answers,
            source_url=self.source_url,
            owner=self.owner,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
        )


class VersionIn(ContentIn):
    based_on: int | None = Field(
        default=None, description="The version the change starts from (refused if outdated)"
    )


class NoteIn(BaseModel):
    note: str = Field(default="", max_length=2000)


class RollbackIn(BaseModel):
    version: int = Field(description="The earlier version whose text is published again")


class PreviewIn(BaseModel):
    topic: str = ""
    answers: dict[Literal["nl", "en"], str]
    source_url: str = ""
    language: Literal["nl", "en"] = "nl"


class TryIn(BaseModel):
    question: str = Field(min_length=1, max_length=4000)


async def _staff(request: Request, authorization: str | None, *roles: str) -> StaffUser:
    return await staff_member(services_of(request), webchat.bearer_token(authorization), *roles)


async def _changed(services: Services) -> None:
    """This process answers from the change at once; the others within a second."""
    await asyncio.to_thread(services.knowledge_base.refresh)
    live_changes.announce(services.hub, live.KNOWLEDGE_BASE)


def _target(version: Version) -> str:
    return f"{version.entry_id}@{version.version}"


def _version_json(session: Session, version: Version) -> dict[str, Any]:
    now = datetime.now(UTC)
    answering = editorial.answering_version(session, version.entry_id, now)
    return version.as_json(answering, now)


@router.get("/entries")
async def list_entries(
    request: Request,
    q: str = Query(default="", max_length=200, description="Words in the id, topic or text"),
    state: str = Query(
        default="", description="Only entries whose newest version is in this state"
    ),
    authorization: str | None = Header(default=None),
) -> dict[str, Any]:
    """Every entry by its newest version; `answering` is the version residents get now."""
    services = services_of(request)
    await _staff(request, authorization, *WRITERS)
    words = q.casefold().split()

    def work(session: Session) -> dict[str, Any]:
        now = datetime.now(UTC)
        answering = store.answerable_versions(session, now)
        found = []
        for version in editorial.newest_versions(session):
            content = version.content
            text = " ".join(
                [version.entry_id, content.topic, *content.answers.values()]
                + [q for qs in content.questions.values() for q in qs]
            ).casefold()
            if not all(word in text for word in words):
                continue
            item = version.as_json(answering.get(version.entry_id), now)
            if state and item["state"] != state:
                continue
            found.append(
                {
                    "entry_id": version.entry_id,
                    "topic": content.topic,
                    "question": content.questions["nl"][0],
                    "version": version.version,
                    "state": item["state"],
                    "answering": answering.get(version.entry_id),
                    "author": version.author,
                    "created_at": item["created_at"],
                }
            )
        return {"entries": found[:MAX_LISTED], "total": len(found)}

    return await in_session(services, work)


@router.get("/topics")
async def topics(request: Request, authorization: str | None = Header(default=None)) -> Any:
    services = services_of(request)
    await _staff(request, authorization, *WRITERS)
    return {"topics": await in_session(services, editorial.topics)}


@router.post("/entries", status_code=201)
async def create_entry(
    request: Request, body: ContentIn, authorization: str | None = Header(default=None)
) -> dict[str, Any]:
    """A new entry, as a draft: it answers nothing until someone else approves it."""
    services = services_of(request)
    user = await _staff(request, authorization, *WRITERS)

    def work(session: Session) -> dict[str, Any]:
        version = editorial.save_draft(session, None, body.content(), actor(user))
        record_audit(session, actor(user), "kb.draft", _target(version))
        return _version_json(session, version)

    return await in_session(services, work)


@router.get("/entries/{entry_id}")
async def get_entry(
    request: Request, entry_id: str, authorization: str | None = Header(default=None)
) -> dict[str, Any]:
    """The entry's versions, newest first, each with where it is in the workflow."""
    services = services_of(request)
    await _staff(request, authorization, *WRITERS)

    def work(session: Session) -> dict[str, Any]:
        now = datetime.now(UTC)
        answering = editorial.answering_version(session, entry_id, now)
        versions = editorial.versions(session, entry_id)
        return {
            "entry_id": entry_id,
            "answering": answering,
            "versions": [v.as_json(answering, now) for v in versions],
        }

    return await in_session(services, work)


@router.post("/entries/{entry_id}/versions", status_code=201)
async def new_version(
    request: Request,
    entry_id: str,
    body: VersionIn,
    authorization: str | None = Header(default=None),
) -> dict[str, Any]:
    """A change, saved as a new draft version; what residents get changes only when it is
    approved."""
    services = services_of(request)
    user = await _staff(request, authorization, *WRITERS)

    def work(session: Session) -> dict[str, Any]:
        version = editorial.save_draft(
            session, entry_id, body.content(), actor(user), body.based_on
        )
        record_audit(session, actor(user), "kb.draft", _target(version))
        return _version_json(session, version)

    return await in_session(services, work)


@router.get("/entries/{entry_id}/versions/{number}/diff")
async def version_diff(
    request: Request,
    entry_id: str,
    number: int,
    against: int | None = Query(default=None, description="Default: the version it came from"),
    authorization: str | None = Header(default=None),
) -> dict[str, Any]:
    """What changed, field by field and word by word."""
    services = services_of(request)
    await _staff(request, authorization, *WRITERS)

    def work(session: Session) -> dict[str, Any]:
        version = editorial.version(session, entry_id, number)
        other = against if against is not None else version.based_on
        if other is None and number > 1:
            other = number - 1
        earlier = editorial.version(session, entry_id, other) if other else None
        return {
            "entry_id": entry_id,
            "version": number,
            "against": other,
            "changes": [
                c.as_json()
                for c in diff.changes(earlier.content if earlier else None, version.content)
            ],
        }

    return await in_session(services, work)


@router.post("/entries/{entry_id}/versions/{number}/submit")
async def submit(
    request: Request, entry_id: str, number: int, authorization: str | None = Header(default=None)
) -> dict[str, Any]:
    """Offer a draft for review by an approver."""
    services = services_of(request)
    user = await _staff(request, authorization, *WRITERS)

    def work(session: Session) -> dict[str, Any]:
        version = editorial.submit(session, entry_id, number)
        record_audit(session, actor(user), "kb.submit", _target(version))
        return _version_json(session, version)

    return await in_session(services, work)


@router.post("/entries/{entry_id}/versions/{number}/approve")
async def approve(
    request: Request, entry_id: str, number: int, authorization: str | None = Header(default=None)
) -> dict[str, Any]:
    """Publish a version in review. Its author cannot (403): a second pair of eyes is the
    point. When this returns, this process answers from it; every other within a second."""
    services = services_of(request)
    user = await _staff(request, authorization, *APPROVERS)

    def work(session: Session) -> dict[str, Any]:
        version = editorial.approve(session, entry_id, number, actor(user))
        details = {"author": version.author}
        record_audit(session, actor(user), "kb.approve", _target(version), details)
        return _version_json(session, version)

    try:
        result = await in_session(services, work)
    except FourEyes:
        target = f"{entry_id}@{number}"
        await in_session(
            services,
            lambda s: record_audit(s, actor(user), "kb.approve.refused", target, REFUSED),
        )
        raise
    await _changed(services)
    return result


@router.post("/entries/{entry_id}/versions/{number}/reject")
async def reject(
    request: Request,
    entry_id: str,
    number: int,
    body: NoteIn,
    authorization: str | None = Header(default=None),
) -> dict[str, Any]:
    """Send a version in review back to its author as a draft, with a note; its author may
    withdraw it this way too."""
    services = services_of(request)
    user = await _staff(request, authorization, *WRITERS)

    def work(session: Session) -> dict[str, Any]:
        current = editorial.version(session, entry_id, number)
        if current.author != actor(user):
            user.require(*APPROVERS)
        version = editorial.reject(session, entry_id, number, body.note)
        record_audit(session, actor(user), "kb.reject", _target(version), {"note": body.note})
        return _version_json(session, version)

    return await in_session(services, work)


@router.post("/entries/{entry_id}/rollback")
async def rollback(
    request: Request,
    entry_id: str,
    body: RollbackIn,
    authorization: str | None = Header(default=None),
) -> dict[str, Any]:
    """Publish an earlier approved text again, as a new version, at once."""
    services = services_of(request)
    user = await _staff(request, authorization, *APPROVERS)

    def work(session: Session) -> dict[str, Any]:
        version = editorial.rollback(session, entry_id, body.version, actor(user))
        details = {"restored": body.version}
        record_audit(session, actor(user), "kb.rollback", _target(version), details)
        return _version_json(session, version)

    result = await in_session(services, work)
    await _changed(services)
    return result


@router.post("/entries/{entry_id}/retire")
async def retire(
    request: Request, entry_id: str, authorization: str | None = Header(default=None)
) -> dict[str, Any]:
    """Stop the entry from answering."""
    services = services_of(request)
    user = await _staff(request, authorization, *APPROVERS)

    def work(session: Session) -> dict[str, Any]:
        retired = editorial.retire(session, entry_id)
        record_audit(session, actor(user), "kb.retire", entry_id, {"versions": retired})
        return {"entry_id": entry_id, "retired": retired}

    result = await in_session(services, work)
    await _changed(services)
    return result


@router.get("/review")
async def review_queue(
    request: Request, authorization: str | None = Header(default=None)
) -> dict[str, Any]:
    """Versions waiting for approval, oldest first; `mine` marks those the caller wrote."""
    services = services_of(request)
    user = await _staff(request, authorization, *WRITERS)

    def work(session: Session) -> dict[str, Any]:
        now = datetime.now(UTC)
        answering = store.answerable_versions(session, now)
        return {
            "versions": [
                v.as_json(answering.get(v.entry_id), now) | {"mine": v.author == actor(user)}
                for v in editorial.in_review(session)
            ]
        }

    return await in_session(services, work)


@router.post("/preview")
async def preview(
    request: Request, body: PreviewIn, authorization: str | None = Header(default=None)
) -> dict[str, Any]:
    """The answer as a resident gets it (placeholders filled, where to read more, live notices
    on its topic), split and shaped per channel."""
    services = services_of(request)
    await _staff(request, authorization, *WRITERS)
    if "nl" not in body.answers:
        raise InvalidContent("An answer in Dutch is needed for a preview")
    language: Language = body.language
    entry = Entry(
        id="preview",
        version=0,
        topic=body.topic,
        questions={"nl": ["preview"]},
        answers=body.answers,
        source_url=body.source_url,
    )
    notices = services.knowledge_base.notices.on_topic(body.topic)
    text = answer_text(entry, language, services.settings.municipality, notices)
    return {"text": text, "channels": answer_preview.preview(text)}


@router.post("/try")
async def try_question(
    request: Request, body: TryIn, authorization: str | None = Header(default=None)
) -> dict[str, Any]:
    """What the knowledge base answers a question now (without Rasa's intent): the answer, the
    best candidates with their scores, or the choice it would offer."""
    services = services_of(request)
    await _staff(request, authorization, *WRITERS)
    decision = await asyncio.to_thread(services.knowledge_base.decide, body.question)

    def candidate(c: Any) -> dict[str, Any]:
        return {
            "entry_id": c.entry.id,
            "version": c.entry.version,
            "question": c.entry.question_in("nl"),
            "score": round(c.score, 4),
        }

    outcome = "answer" if decision.answer else "choices" if decision.alternatives else "dont_know"
    return {
        "outcome": outcome,
        "answer": candidate(decision.answer) if decision.answer else None,
        "candidates": [candidate(c) for c in decision.candidates],
        "alternatives": [candidate(c) for c in decision.alternatives],
    }
