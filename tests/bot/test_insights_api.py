"""The editors' dashboard from a real archive: conversations per channel, outcomes, topics, the
unanswered questions grouped by meaning (personal data masked), handoffs, and CSV downloads."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot import archive
from bot.app import create_app
from bot.settings import Settings
from bot.tables import ConversationRow, MessageRow
from knowledge_base.embeddings import Encoder
from tests.bot.conftest import add_user, login

Turn = tuple[str, dict[str, Any]]
"""A resident's message and what the bot's reply was (its archive fields)."""
DONT_KNOW = {"payload": {"outcome": "dont_know"}}


def conversation(engine: Engine, channel: str, *turns: Turn, at: datetime | None = None) -> None:
    start = at or datetime.now(UTC) - timedelta(hours=1)
    with Session(engine) as session, session.begin():
        row = ConversationRow(
            id=str(uuid.uuid4()), channel=channel, channel_key=str(uuid.uuid4()), created_at=start
        )
        session.add(row)
        session.flush()
        for n, (text, reply) in enumerate(turns):
            moment = start + timedelta(minutes=n)
            session.add(
                MessageRow(
                    conversation_id=row.id,
                    channel=channel,
                    direction="in",
                    sender="resident",
                    text=text,
                    created_at=moment,
                )
            )
            session.add(
                MessageRow(
                    conversation_id=row.id,
                    channel=channel,
                    direction="out",
                    sender="bot",
                    text="...",
                    created_at=moment,
                    **reply,
                )
            )
            if reply.get("handoff_reason"):
                row.handoff_reason = reply["handoff_reason"]
                row.state = "queued"
                session.flush()
                archive.handoff_event(session, row, "queued", "bot")


@pytest.fixture
def archived(engine: Engine) -> None:
    conversation(
        engine,
        "webchat",
        ("waar haal ik zandzakken", DONT_KNOW),
        ("Mijn BSN is 111222333, waar kan ik zandzakken ophalen", DONT_KNOW),
        ("hoe vraag ik een paspoort aan", {"kb_entry_id": "paspoort-aanvragen"}),
    )
    conversation(
        engine,
        "telegram",
        ("zandzakken ophalen waar?", DONT_KNOW),
        ("hoe laat gaat het zwembad open", {"payload": {"outcome": "choices"}}),
    )
    conversation(engine, "webchat", ("ik wil een medewerker", {"handoff_reason": "request_human"}))
    conversation(
        engine,
        "telegram",
        ("waar haal ik zandzakken", DONT_KNOW),
        at=datetime.now(UTC) - timedelta(days=30),  # outside the period
    )


def test_the_dashboard_tells_editors_what_to_write_next(
    client: TestClient, engine: Engine, archived: None
) -> None:
    add_user(engine, "anna", {"editor"})
    report = client.get("/api/editor/insights", headers=login(client, "anna")).json()

    by_channel: dict[str, int] = {}
    for row in report["conversations"]:
        by_channel[row["channel"]] = by_channel.get(row["channel"], 0) + row["conversations"]
    assert by_channel == {"webchat": 2, "telegram": 1}
    assert report["resolution"] == "day"
    assert report["outcomes"] == {"dont_know": 3, "answer": 1, "choices": 1, "handoff": 1}
    assert [(t["topic"], t["answers"]) for t in report["topics"]] == [("passport_id", 1)]

    sandbags, swimming = report["unanswered"]
    assert sandbags["count"] == 3
    assert "Mijn BSN is [BSN], waar kan ik zandzakken ophalen" in sandbags["examples"]
    assert (swimming["count"], swimming["question"]) == (1, "hoe laat gaat het zwembad open")
    # The entries most like each group, for an editor to judge whether it is theirs in other words.
    assert len(sandbags["similar"]) == 3
    assert {
        "entry_id": "contact-openingstijden",
        "question": "hoe laat is het gemeentehuis open",
    } in swimming["similar"]
    assert report["handoffs"] == {
        "conversations": 3,
        "handed_off": 1,
        "rate": 0.3333,
        "reasons": [{"reason": "request_human", "count": 1}],
    }


def test_a_report_is_reused_for_the_seconds_the_municipality_chose(
    client: TestClient, settings: Settings, encoder: Encoder, engine: Engine, archived: None
) -> None:
    """LOKET_INSIGHTS_CACHE_SECONDS: grouping the unanswered questions embeds every one of
    them, so a report is kept this long; with 0 each request counts what was asked since. Each
    app keeps its own: another loket's (or another database's) report is never shown."""
    add_user(engine, "anna", {"editor"})
    kept = client  # the default: 60 seconds
    offline = settings.model_copy(
        update={"rasa_url": "http://127.0.0.1:9", "insights_cache_seconds": 0}
    )

    def unanswered(client: TestClient, anna: dict[str, str]) -> int:
        report = client.get("/api/editor/insights", headers=anna).json()
        return sum(group["count"] for group in report["unanswered"])

    with TestClient(create_app(offline, encoder)) as fresh:
        kept_login, fresh_login = login(kept, "anna"), login(fresh, "anna")
        assert (unanswered(kept, kept_login), unanswered(fresh, fresh_login)) == (4, 4)
        conversation(engine, "webchat", ("waar haal ik zandzakken", DONT_KNOW))
        # The fresh report first: a report shared between the apps would then be the kept one.
        assert (unanswered(fresh, fresh_login), unanswered(kept, kept_login)) == (5, 4)


def test_each_table_downloads_as_csv_for_the_period_asked(
    client: TestClient, engine: Engine, archived: None, settings: Settings
) -> None:
    add_user(engine, "bob", {"approver"})
    bob = login(client, "bob")
    today = datetime.now(ZoneInfo(settings.time_zone)).date()  # the days of the municipality
    params = {"table": "unanswered", "from": str(today - timedelta(days=40)), "to": str(today)}
    response = client.get("/api/editor/insights.csv", headers=bob, params=params)
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["count", "question", "examples", "last_asked"]
    assert rows[1][0] == "4"  # the month-old question counts in this longer period
    handoffs = client.get(
        "/api/editor/insights.csv", headers=bob, params=params | {"table": "handoffs"}
    )
    assert list(csv.reader(io.StringIO(handoffs.text)))[1] == ["request_human", "1"]
    backwards = params | {"from": str(today), "to": str(today - timedelta(days=1))}
    assert client.get("/api/editor/insights.csv", headers=bob, params=backwards).status_code == 422


def test_agents_do_not_see_the_dashboard(client: TestClient, engine: Engine) -> None:
    add_user(engine, "carl", {"agent"})
    assert client.get("/api/editor/insights", headers=login(client, "carl")).status_code == 403
