"""The knowledge-base editor as an HTTP JSON API: find and write entries, offer them for review,
approve someone else's (four eyes), compare versions, roll back, retire, preview an answer on
every channel, and try a question on the answers residents get now. Residents' wordings of an
entry's question are proposed here too (by agents as well, from a conversation) and approved or
removed by an approver.

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
from bot import answer_preview, live_changes, personal_data
from bot.audit import record_audit
from bot.staff import StaffUser
from bot.staff_api import actor, in_session, services_of, staff_member
from channels import webchat
from knowledge_base import diff, editorial, live, store, wordings
from knowledge_base.editorial import Content, Version
from knowledge_base.entries import Candidate, Entry
from knowledge_base.errors import FourEyes, InvalidContent
from knowledge_base.text import Language

if TYPE_CHECKING:
    from bot.app import Services
    from knowledge_base.service import KnowledgeBase

router = APIRouter(prefix="/api/editor", tags=["editor"])

WRITERS = ("editor", "approver")
APPROVERS = ("approver",)
PROPOSERS = ("agent", *WRITERS)
"""Who may propose a resident's wording: agents read residents' questions all day."""
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


class WordingIn(BaseModel):
    text: str = Field(
        max_length=4000,
        description="How residents ask the entry's question, without one resident's details",
    )
    conversation_id: str | None = Field(
        default=None, max_length=36, description="Where a resident asked it, for the reviewer"
    )


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


@router.get("/entries/{entry_id}/wordings")
async def entry_wordings(
    request: Request, entry_id: str, authorization: str | None = Header(default=None)
) -> dict[str, Any]:
    """Every wording proposed for the entry, newest first, with what became of it."""
    services = services_of(request)
    await _staff(request, authorization, *WRITERS)

    def work(session: Session) -> dict[str, Any]:
        editorial.newest(session, entry_id)
        return {"wordings": [w.as_json() for w in wordings.of_entry(session, entry_id)]}

    return await in_session(services, work)


@router.post("/entries/{entry_id}/wordings", status_code=201)
async def propose_wording(
    request: Request,
    entry_id: str,
    body: WordingIn,
    authorization: str | None = Header(default=None),
) -> dict[str, Any]:
    """Propose how residents ask the entry's question, such as a resident's message the
    assistant did not answer, rewritten without personal details (422 `personal_data` when it
    still has some). Used once someone else approves it."""
    services = services_of(request)
    user = await _staff(request, authorization, *PROPOSERS)
    text = personal_data.refuse_in(body.text)

    def work(session: Session) -> dict[str, Any]:
        wording = wordings.propose(session, entry_id, text, actor(user), body.conversation_id)
        details = {"wording": wording.id, "conversation_id": body.conversation_id}
        record_audit(session, actor(user), "kb.wording.propose", entry_id, details)
        return wording.as_json()

    return await in_session(services, work)


@router.post("/wordings/{wording_id}/approve")
async def approve_wording(
    request: Request, wording_id: int, authorization: str | None = Header(default=None)
) -> dict[str, Any]:
    """Use a proposed wording from now on, in every loket process within a second. Who
    proposed it cannot (403)."""
    services = services_of(request)
    user = await _staff(request, authorization, *APPROVERS)

    def work(session: Session) -> dict[str, Any]:
        wording = wordings.approve(session, wording_id, actor(user))
        details = {"wording": wording_id, "proposed_by": wording.proposed_by}
        record_audit(session, actor(user), "kb.wording.approve", wording.entry_id, details)
        return wording.as_json()

    try:
        result = await in_session(services, work)
    except FourEyes:
        details = {"wording": wording_id, **REFUSED}

        def refused(session: Session) -> None:
            entry_id = wordings.wording(session, wording_id).entry_id
            record_audit(session, actor(user), "kb.wording.approve.refused", entry_id, details)

        await in_session(services, refused)
        raise
    await _changed(services)
    return result


@router.post("/wordings/{wording_id}/reject")
async def reject_wording(
    request: Request,
    wording_id: int,
    body: NoteIn,
    authorization: str | None = Header(default=None),
) -> dict[str, Any]:
    """Turn a proposed wording down, with a note; who proposed it may withdraw it this way."""
    services = services_of(request)
    user = await _staff(request, authorization, *PROPOSERS)

    def work(session: Session) -> dict[str, Any]:
        if wordings.wording(session, wording_id).proposed_by != actor(user):
            user.require(*APPROVERS)
        wording = wordings.reject(session, wording_id, actor(user), body.note)
        details = {"wording": wording_id, "note": body.note}
        record_audit(session, actor(user), "kb.wording.reject", wording.entry_id, details)
        return wording.as_json()

    return await in_session(services, work)


@router.post("/wordings/{wording_id}/remove")
async def remove_wording(
    request: Request,
    wording_id: int,
    body: NoteIn,
    authorization: str | None = Header(default=None),
) -> dict[str, Any]:
    """Stop using an approved wording (it led residents to this answer wrongly), at once."""
    services = services_of(request)
    user = await _staff(request, authorization, *APPROVERS)

    def work(session: Session) -> dict[str, Any]:
        wording = wordings.remove(session, wording_id, actor(user), body.note)
        details = {"wording": wording_id, "note": body.note}
        record_audit(session, actor(user), "kb.wording.remove", wording.entry_id, details)
        return wording.as_json()

    result = await in_session(services, work)
    await _changed(services)
    return result


@router.get("/wordings/{wording_id}/effect")
async def wording_effect(
    request: Request, wording_id: int, authorization: str | None = Header(default=None)
) -> dict[str, Any]:
    """What approving the wording would take from the answers it comes close to: per answer,
    which of its residents' wordings would get this wording's answer instead (measured on
    request: a second or two)."""
    services = services_of(request)
    await _staff(request, authorization, *WRITERS)
    wording = await in_session(services, lambda session: wordings.wording(session, wording_id))
    found = await asyncio.to_thread(
        services.knowledge_base.wording_effect, wording.entry_id, wording.text
    )
    return found.as_json() | {"wording_id": wording_id}


@router.get("/review")
async def review_queue(
    request: Request, authorization: str | None = Header(default=None)
) -> dict[str, Any]:
    """Versions and residents' wordings waiting for approval, oldest first; `mine` marks those
    the caller wrote or proposed. A wording comes with its entry's `question` and what the
    assistant answers it `now` (as `/try`): already that entry, another, or nothing."""
    services = services_of(request)
    user = await _staff(request, authorization, *WRITERS)

    def work(session: Session) -> dict[str, Any]:
        now = datetime.now(UTC)
        answering = store.answerable_versions(session, now)
        return {
            "versions": [
                v.as_json(answering.get(v.entry_id), now) | {"mine": v.author == actor(user)}
                for v in editorial.in_review(session)
            ],
            "wordings": [
                w.as_json()
                | {
                    "mine": w.proposed_by == actor(user),
                    "question": editorial.newest(session, w.entry_id).content.questions["nl"][0],
                }
                for w in wordings.proposed(session)
            ],
        }

    queue = await in_session(services, work)
    for wording in queue["wordings"]:
        wording["now"] = await asyncio.to_thread(_tried, services.knowledge_base, wording["text"])
    return queue


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
    return await asyncio.to_thread(_tried, services.knowledge_base, body.question)


def _tried(knowledge_base: KnowledgeBase, question: str) -> dict[str, Any]:
    decision = knowledge_base.decide(question)

    def candidate(c: Candidate) -> dict[str, Any]:
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
