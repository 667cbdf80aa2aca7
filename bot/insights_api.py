"""The editors' dashboard as an HTTP API: the insights of a period as JSON, and each table of it
as CSV for a spreadsheet."""

from __future__ import annotations

import asyncio
import csv
import io
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as day_time
from typing import TYPE_CHECKING, Annotated, Any, Final, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from bot import insights
from bot.errors import InvalidInput
from bot.insights import Period
from bot.staff_api import in_session, services_of, staff_member
from channels import webchat

if TYPE_CHECKING:
    from bot.app import Services

router = APIRouter(prefix="/api/editor", tags=["insights"])

READERS: Final = ("editor", "approver")
DEFAULT_DAYS: Final = 7
MAX_DAYS: Final = 366

Table = Literal["conversations", "outcomes", "topics", "unanswered", "handoffs"]


@dataclass(frozen=True)
class KeptReport:
    """The dashboard's latest report, reused for `insights_cache_seconds`: grouping the
    unanswered questions embeds every one of them."""

    start: datetime
    end: datetime
    made: float
    """time.monotonic() when it was made."""
    report: dict[str, Any]


def period_of(services: Services, start: date | None, end: date | None) -> Period:
    """From the first day's midnight to the end of the last day, in the municipality's time;
    by default the last seven days."""
    zone = ZoneInfo(services.settings.time_zone)
    today = datetime.now(zone).date()
    last = end or today
    first = start or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise InvalidInput("'from' must not be after 'to'")
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput(f"A period is at most {MAX_DAYS} days")
    return Period(
        datetime.combine(first, day_time(), zone),
        datetime.combine(last + timedelta(days=1), day_time(), zone),
        zone,
    )


async def _report(services: Services, period: Period) -> dict[str, Any]:
    kept = services.insights_report
    if (
        kept
        and (kept.start, kept.end) == (period.start, period.end)
        and time.monotonic() - kept.made < services.settings.insights_cache_seconds
    ):
        return kept.report

    def read(session: Session) -> tuple[dict[str, Any], list[tuple[str, datetime]]]:
        replies = insights.answers(session, period)
        report = {
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "resolution": "hour" if period.hourly else "day",
            "conversations": insights.conversations_over_time(session, period),
            "outcomes": insights.outcomes(replies),
            "topics": insights.top_topics(session, replies),
            "handoffs": insights.handoffs(session, period),
        }
        return report, insights.unanswered_questions(session, replies)

    report, questions = await in_session(services, read)
    knowledge_base = services.knowledge_base
    groups = await asyncio.to_thread(insights.group_questions, questions, knowledge_base.encoder)
    await asyncio.to_thread(insights.add_similar_entries, groups, knowledge_base)
    report["unanswered"] = groups
    services.insights_report = KeptReport(period.start, period.end, time.monotonic(), report)
    return report


FirstDay = Annotated[
    date | None, Query(alias="from", description="The first day (default: six days ago)")
]
LastDay = Annotated[date | None, Query(alias="to", description="The last day (default: today)")]


@router.get("/insights")
async def get_insights(
    request: Request,
    start: FirstDay = None,
    end: LastDay = None,
    authorization: str | None = Header(default=None),
) -> dict[str, Any]:
    """Conversations per hour (a period of up to three days) or day and channel, the bot's
    replies by outcome, the topics answered most, unanswered questions grouped by meaning (the
    biggest groups with the entries most like them, `similar`), and handoffs with their
    reasons."""
    services = services_of(request)
    await staff_member(services, webchat.bearer_token(authorization), *READERS)
    return await _report(services, period_of(services, start, end))


def _rows(report: dict[str, Any], table: Table) -> list[list[Any]]:
    if table == "conversations":
        return [["period", "channel", "conversations"]] + [
            [r["period"], r["channel"], r["conversations"]] for r in report["conversations"]
        ]
    if table == "outcomes":
        return [["outcome", "replies"]] + [[k, v] for k, v in report["outcomes"].items()]
    if table == "topics":
        return [["topic", "answers"]] + [[t["topic"], t["answers"]] for t in report["topics"]]
    if table == "unanswered":
        return [["count", "question", "examples", "last_asked"]] + [
            [g["count"], g["question"], " | ".join(g["examples"]), g["last_asked"]]
            for g in report["unanswered"]
        ]
    handoffs = report["handoffs"]
    return (
        [["reason", "conversations"]]
        + [[r["reason"], r["count"]] for r in handoffs["reasons"]]
        + [
            ["(handed off)", handoffs["handed_off"]],
            ["(all conversations)", handoffs["conversations"]],
        ]
    )


@router.get("/insights.csv")
async def insights_csv(
    request: Request,
    table: Annotated[Table, Query(description="Which table of the dashboard")],
    start: FirstDay = None,
    end: LastDay = None,
    authorization: str | None = Header(default=None),
) -> Response:
    services = services_of(request)
    await staff_member(services, webchat.bearer_token(authorization), *READERS)
    period = period_of(services, start, end)
    report = await _report(services, period)
    out = io.StringIO()
    csv.writer(out).writerows(_rows(report, table))
    name = f"loket-{table}-{period.start.date()}-{(period.end - timedelta(days=1)).date()}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
