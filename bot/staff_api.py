"""What every staff API (console, residents' rights, editor) shares: the services, a database
session off the event loop, who is logged in and what they may do."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from fastapi import Request
from sqlalchemy.orm import Session

from bot import staff
from bot.staff import StaffUser

if TYPE_CHECKING:
    from bot.app import Services

T = TypeVar("T")


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def in_session(services: Services, work: Callable[[Session], T]) -> T:
    """`work` in one transaction, in a thread: committed when it returns, rolled back when it
    raises."""

    def run() -> T:
        with Session(services.engine, expire_on_commit=False) as session, session.begin():
            return work(session)

    return await asyncio.to_thread(run)


def actor(user: StaffUser) -> str:
    """How a staff member appears in the audit log and as an author or approver."""
    return f"staff:{user.username}"


async def staff_member(services: Services, token: str | None, *roles: str) -> StaffUser:
    """The logged-in staff member (401 without a valid login), with one of `roles` (403 without;
    admins may do everything)."""
    user = await in_session(services, lambda s: staff.user_for_token(s, token))
    user.require(*roles)
    return user
