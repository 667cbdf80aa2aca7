"""Residents' rights in the console, for admins only: find a resident, download everything the
archive holds about them (access request), and erase it (erasure request).

The resident's id on their channel is sent once, in a request body (never in an address, which
proxies and access logs keep), and turned into their subject key; every later step, the audit
log and the answers use only that pseudonym. See `bot.subject_rights` for what erasure keeps.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from bot import sealing, staff, subject_rights
from bot.audit import record_audit
from bot.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from bot.staff import StaffUser
from bot.staff_api import actor, in_session, services_of
from channels import webchat

router = APIRouter(prefix="/api/console/subjects", tags=["console: residents' rights"])

SubjectKey = Annotated[str, Path(pattern="^[0-9a-f]{64}$", description="The resident's pseudonym")]


class LookupIn(BaseModel):
    channel: Literal["webchat", "telegram", "whatsapp"]
    user_id: str = Field(
        min_length=1,
        max_length=200,
        description="The Telegram chat id, the whatsapp: number, or the web chat's conversation id",
    )


class EraseIn(BaseModel):
    dry_run: bool = Field(default=False, description="Only say what would be erased and kept")
    confirm: bool = Field(default=False, description="Required to erase: it cannot be undone")


async def _admin(
    request: Request, authorization: str | None, action: str, target: str
) -> StaffUser:
    """The logged-in admin; a colleague without the role is refused, and that is audited too:
    an attempt to see a resident's data is worth knowing about."""
    services = services_of(request)
    token = webchat.bearer_token(authorization)
    user = await in_session(services, lambda s: staff.user_for_token(s, token))
    try:
        user.require("admin")
    except PermissionDenied:
        details = {"attempted": action}
        await in_session(
            services, lambda s: record_audit(s, actor(user), "subject.denied", target, details)
        )
        raise
    return user


def _summary(found: dict[str, Any]) -> dict[str, Any]:
    """The access export without the messages themselves: what the admin screen lists."""
    return found | {
        "conversations": [
            {k: v for k, v in c.items() if k != "messages"} | {"message_count": len(c["messages"])}
            for c in found["conversations"]
        ]
    }


@router.post("/lookup")
async def lookup(
    request: Request, body: LookupIn, authorization: str | None = Header(default=None)
) -> dict[str, Any]:
    """Find a resident by channel and id: their subject key, conversations (with why each is
    kept or may be erased) and what was destroyed. 404 when the archive never held anything of
    them."""
    services = services_of(request)
    admin = await _admin(request, authorization, "lookup", body.channel)

    def work(session: Session) -> dict[str, Any] | None:
        policy = sealing.policy_for(session)
        subject_key = policy.subject_key(body.channel, body.user_id)
        found = subject_rights.channel_of(session, subject_key) is not None
        record_audit(session, actor(admin), "subject.lookup", subject_key, {"found": found})
        if not found:
            return None
        access = subject_rights.access_by_key(
            session, services.settings, policy, subject_key, body.channel
        )
        return _summary(access)

    summary = await in_session(services, work)
    if summary is None:
        raise NotFound("The archive holds nothing of this resident")
    return summary


@router.get("/{subject_key}")
async def view(
    request: Request, subject_key: SubjectKey, authorization: str | None = Header(default=None)
) -> dict[str, Any]:
    """What `lookup` shows, for a resident already found: after an erasure, for instance."""
    services = services_of(request)
    admin = await _admin(request, authorization, "view", subject_key)

    def work(session: Session) -> dict[str, Any] | None:
        channel = subject_rights.channel_of(session, subject_key)
        if channel is None:
            return None
        record_audit(session, actor(admin), "subject.view", subject_key)
        policy = sealing.policy_for(session)
        found = subject_rights.access_by_key(
            session, services.settings, policy, subject_key, channel
        )
        return _summary(found)

    summary = await in_session(services, work)
    if summary is None:
        raise NotFound("The archive holds nothing of this resident")
    return summary


@router.get("/{subject_key}/access")
async def access(
    request: Request, subject_key: SubjectKey, authorization: str | None = Header(default=None)
) -> JSONResponse:
    """Everything the archive holds about the resident, as a JSON file for their access request:
    the messages as written (decrypted), what was destroyed, and why what remains is kept."""
    services = services_of(request)
    admin = await _admin(request, authorization, "access", subject_key)

    def work(session: Session) -> dict[str, Any] | None:
        channel = subject_rights.channel_of(session, subject_key)
        if channel is None:
            return None
        found = subject_rights.access_by_key(
            session, services.settings, sealing.policy_for(session), subject_key, channel
        )
        details = {"conversations": len(found["conversations"])}
        record_audit(session, actor(admin), "subject.access", subject_key, details)
        return found

    found = await in_session(services, work)
    if found is None:
        raise NotFound("The archive holds nothing of this resident")
    filename = f"inzageverzoek-{subject_key[:12]}.json"
    return JSONResponse(
        found, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@router.post("/{subject_key}/erase")
async def erase(
    request: Request,
    subject_key: SubjectKey,
    body: EraseIn,
    authorization: str | None = Header(default=None),
) -> dict[str, Any]:
    """Erase the resident's conversations, except those on legal hold or that the Archiefwet
    keeps until their retention ends. `dry_run` first shows what would happen; erasing needs
    `confirm`. 409 when nothing can be erased (all that remains is kept, or nothing remains)."""
    services = services_of(request)
    admin = await _admin(request, authorization, "erase", subject_key)
    if not body.dry_run and not body.confirm:
        raise InvalidInput("Erasure cannot be undone: send confirm=true")

    def work(session: Session) -> subject_rights.Erasure | None:
        if subject_rights.channel_of(session, subject_key) is None:
            return None
        result = subject_rights.erase_by_key(
            session, services.settings, subject_key, actor(admin), body.dry_run
        )
        details = result.as_json() | {"dry_run": body.dry_run}
        record_audit(session, actor(admin), "subject.erase", subject_key, details)
        return result

    result = await in_session(services, work)
    if result is None:
        raise NotFound("The archive holds nothing of this resident")
    if not body.dry_run and not result.erased:
        kept = sorted({reason for reasons in result.kept.values() for reason in reasons})
        raise Conflict(
            "Nothing could be erased: "
            + (f"what remains is kept ({'; '.join(kept)})" if kept else "nothing remains")
        )
    return result.as_json() | {"dry_run": body.dry_run}
