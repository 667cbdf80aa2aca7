"""Crisis notices as an HTTP JSON API: write one, offer it for review, approve someone else's,
publish one alone on the urgent path (an approver, recorded as urgent), and end one.

A published notice is shown on every channel from its start to its end, within a second in every
loket process, and attached to answers on the topics it names.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, Header, Request
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy.orm import Session

from bot import live_changes
from bot.audit import record_audit
from bot.staff import StaffUser
from bot.staff_api import actor, in_session, services_of, staff_member
from channels import webchat
from knowledge_base import live, notices
from knowledge_base.errors import FourEyes, InvalidContent
from knowledge_base.notices import Notice, NoticeContent

if TYPE_CHECKING:
    from bot.app import Services

router = APIRouter(prefix="/api/editor/notices", tags=["crisis notices"])

WRITERS = ("editor", "approver")
APPROVERS = ("approver",)


class NoticeIn(BaseModel):
    title: dict[Literal["nl", "en"], str] = Field(description="What happened; Dutch required")
    body: dict[Literal["nl", "en"], str] = Field(description="What to do; Dutch required")
    starts_at: AwareDatetime | None = Field(default=None, description="Default: now")
    ends_at: AwareDatetime
    url: str = Field(default="", description="Where residents find updates")
    topics: list[str] = Field(default_factory=list, description="Knowledge-base topics")
    push_hours: int | None = Field(
        default=None, description="Also send it once to residents who wrote in these hours"
    )
    replaces: int | None = Field(default=None, description="The published notice it corrects")

    def content(self) -> NoticeContent:
        return NoticeContent(
            title=self.title,
            body=self.body,
            starts_at=self.starts_at or datetime.now(UTC),
            ends_at=self.ends_at,
            url=self.url,
            topics=self.topics,
            push_hours=self.push_hours,
            replaces=self.replaces,
        )


class UrgentIn(BaseModel):
    confirm: bool = Field(
        default=False, description="True: publish without a second pair of eyes, on record"
    )


async def _staff(request: Request, authorization: str | None, *roles: str) -> StaffUser:
    return await staff_member(services_of(request), webchat.bearer_token(authorization), *roles)


async def _changed(services: Services) -> None:
    await asyncio.to_thread(services.knowledge_base.refresh)
    live_changes.announce(services.hub, live.NOTICES)


def _json(notice: Notice) -> dict[str, Any]:
    return notice.as_json(datetime.now(UTC))


@router.get("")
async def list_notices(
    request: Request, authorization: str | None = Header(default=None)
) -> dict[str, Any]:
    """The newest notices first, each with its state: draft, in_review, scheduled, live, ended."""
    services = services_of(request)
    await _staff(request, authorization, *WRITERS)
    found = await in_session(services, notices.recent)
    return {"notices": [_json(n) for n in found]}


@router.post("", status_code=201)
async def create_notice(
    request: Request, body: NoticeIn, authorization: str | None = Header(default=None)
) -> dict[str, Any]:
    services = services_of(request)
    user = await _staff(request, authorization, *WRITERS)

    def work(session: Session) -> dict[str, Any]:
        notice = notices.save(session, None, body.content(), actor(user))
        record_audit(session, actor(user), "notice.draft", str(notice.id))
        return _json(notice)

    return await in_session(services, work)


@router.put("/{notice_id}")
async def change_notice(
    request: Request,
    notice_id: int,
    body: NoticeIn,
    authorization: str | None = Header(default=None),
) -> dict[str, Any]:
    """Change a notice that is not published yet (back to draft if it was in review)."""
    services = services_of(request)
    user = await _staff(request, authorization, *WRITERS)

    def work(session: Session) -> dict[str, Any]:
        notice = notices.save(session, notice_id, body.content(), actor(user))
        record_audit(session, actor(user), "notice.draft", str(notice.id))
        return _json(notice)

    return await in_session(services, work)


@router.post("/{notice_id}/submit")
async def submit(
    request: Request, notice_id: int, authorization: str | None = Header(default=None)
) -> dict[str, Any]:
    services = services_of(request)
    user = await _staff(request, authorization, *WRITERS)

    def work(session: Session) -> dict[str, Any]:
        notice = notices.submit(session, notice_id)
        record_audit(session, actor(user), "notice.submit", str(notice.id))
        return _json(notice)

    return await in_session(services, work)


@router.post("/{notice_id}/approve")
async def approve(
    request: Request, notice_id: int, authorization: str | None = Header(default=None)
) -> dict[str, Any]:
    """Publish a notice in review, written by someone else (403 for its author)."""
    services = services_of(request)
    user = await _staff(request, authorization, *APPROVERS)

    def work(session: Session) -> dict[str, Any]:
        notice = notices.approve(session, notice_id, actor(user))
        details = {"author": notice.author, "urgent": False}
        record_audit(session, actor(user), "notice.publish", str(notice.id), details)
        return _json(notice)

    try:
        result = await in_session(services, work)
    except FourEyes:
        refused = {"reason": "four_eyes"}
        await in_session(
            services,
            lambda s: record_audit(
                s, actor(user), "notice.publish.refused", str(notice_id), refused
            ),
        )
        raise
    await _changed(services)
    return result


@router.post("/{notice_id}/urgent")
async def publish_urgent(
    request: Request,
    notice_id: int,
    body: UrgentIn,
    authorization: str | None = Header(default=None),
) -> dict[str, Any]:
    """Publish a notice at once, by one approver alone: for when there is no time for a second
    pair of eyes. The audit log and the notice record it as urgent."""
    services = services_of(request)
    user = await _staff(request, authorization, *APPROVERS)
    if not body.confirm:
        raise InvalidContent("Confirm that you publish this notice alone, as urgent")

    def work(session: Session) -> dict[str, Any]:
        notice = notices.approve(session, notice_id, actor(user), urgent=True)
        details = {"author": notice.author, "urgent": True}
        record_audit(session, actor(user), "notice.publish", str(notice.id), details)
        return _json(notice)

    result = await in_session(services, work)
    await _changed(services)
    return result


@router.post("/{notice_id}/end")
async def end(
    request: Request, notice_id: int, authorization: str | None = Header(default=None)
) -> dict[str, Any]:
    """End a live notice now, or cancel a scheduled one."""
    services = services_of(request)
    user = await _staff(request, authorization, *APPROVERS)

    def work(session: Session) -> dict[str, Any]:
        notice = notices.end(session, notice_id, actor(user))
        record_audit(session, actor(user), "notice.end", str(notice.id))
        return _json(notice)

    result = await in_session(services, work)
    await _changed(services)
    return result
