"""The agents' console API in-process, with a real database and Rasa deliberately unreachable:
a resident's message that reached Rasa would fail with 503, so a 200 shows it went to the agent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot import staff
from bot.tables import ConversationRow, MessageRow
from tests.bot.conftest import PASSWORD, add_user, login, resident


def test_an_agent_takes_over_and_answers_on_the_residents_channel(
    client: TestClient, engine: Engine
) -> None:
    add_user(engine, "anna", {"agent"})
    agent = login(client, "anna")
    resident_auth, conversation_id = resident(client)

    taken = client.post(f"/api/console/conversations/{conversation_id}/take", headers=agent)
    assert taken.json() == {"conversation_id": conversation_id, "state": "agent"}

    said = client.post("/api/webchat/messages", headers=resident_auth, json={"text": "Hallo?"})
    assert said.status_code == 200  # not 503: the message went to the agent, not to Rasa
    assert said.json()["replies"] == []

    answer = client.post(
        f"/api/console/conversations/{conversation_id}/messages",
        headers=agent,
        json={"text": "Goedemiddag, u spreekt met Anna."},
    )
    assert answer.status_code == 201
    seen = client.get("/api/webchat/messages", headers=resident_auth).json()["messages"]
    assert [(m["sender"], m["text"]) for m in seen] == [
        ("resident", "Hallo?"),
        ("agent", "Goedemiddag, u spreekt met Anna."),
    ]
    with Session(engine) as session:
        row = session.scalars(select(MessageRow).where(MessageRow.sender == "agent")).one()
        assert row.agent_id is not None

    transcript = client.get(f"/api/console/conversations/{conversation_id}", headers=agent)
    assert transcript.json()["state"] == "agent"
    assert [m["text"] for m in transcript.json()["messages"]][-1].startswith("Goedemiddag")


def test_a_conversation_held_by_one_agent_is_not_taken_or_answered_by_another(
    client: TestClient, engine: Engine
) -> None:
    add_user(engine, "anna", {"agent"})
    add_user(engine, "bram", {"agent"})
    _, conversation_id = resident(client)
    client.post(f"/api/console/conversations/{conversation_id}/take", headers=login(client, "anna"))
    bram = login(client, "bram")
    url = f"/api/console/conversations/{conversation_id}"
    assert client.post(f"{url}/take", headers=bram).status_code == 409
    assert client.post(f"{url}/messages", headers=bram, json={"text": "Hoi"}).status_code == 409


def test_handing_back_lets_the_bot_answer_again(client: TestClient, engine: Engine) -> None:
    add_user(engine, "anna", {"agent"})
    agent = login(client, "anna")
    resident_auth, conversation_id = resident(client)
    url = f"/api/console/conversations/{conversation_id}"
    client.post(f"{url}/take", headers=agent)
    assert client.post(f"{url}/hand-back", headers=agent).json()["state"] == "bot"
    said = client.post("/api/webchat/messages", headers=resident_auth, json={"text": "nog iets"})
    assert said.status_code == 503  # Rasa is asked again (and is down here)


def test_the_queue_puts_the_most_urgent_first_then_the_longest_waiting(
    client: TestClient, engine: Engine
) -> None:
    add_user(engine, "anna", {"agent"})
    now = datetime.now(UTC)
    with Session(engine) as session, session.begin():
        for key, urgency, waited in (("a", 1, 5), ("b", 1, 30), ("c", 3, 1), ("d", 0, 60)):
            session.add(
                ConversationRow(
                    id=key,
                    channel="telegram",
                    channel_key=key,
                    state="queued" if key != "d" else "bot",
                    urgency=urgency,
                    queued_at=now - timedelta(minutes=waited),
                    handoff_reason="request_human",
                )
            )
    queue = client.get("/api/console/queue", headers=login(client, "anna")).json()
    assert [c["conversation_id"] for c in queue["conversations"]] == ["c", "b", "a"]
    assert queue["conversations"][1]["waiting_seconds"] >= 30 * 60


def test_the_console_needs_a_login_and_the_agent_role(client: TestClient, engine: Engine) -> None:
    add_user(engine, "eva", {"editor"})
    assert client.get("/api/console/queue").status_code == 401
    forged = {"Authorization": "Bearer not-a-token"}
    assert client.get("/api/console/queue", headers=forged).status_code == 401
    refused = client.get("/api/console/queue", headers=login(client, "eva"))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"


def test_a_wrong_password_or_unknown_user_gets_the_same_refusal(
    client: TestClient, engine: Engine
) -> None:
    add_user(engine, "anna", {"agent"})
    wrong = client.post("/api/console/login", json={"username": "anna", "password": "x" * 12})
    unknown = client.post("/api/console/login", json={"username": "zoe", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_an_account_with_totp_needs_the_current_code(client: TestClient, engine: Engine) -> None:
    secret = staff.new_totp_secret()
    add_user(engine, "anna", {"agent"}, totp=secret)
    body = {"username": "anna", "password": PASSWORD}
    assert client.post("/api/console/login", json=body).status_code == 401
    stale = staff.totp_code(secret, datetime.now(UTC).timestamp() - 600)
    assert client.post("/api/console/login", json={**body, "totp": stale}).status_code == 401
    current = staff.totp_code(secret)
    assert client.post("/api/console/login", json={**body, "totp": current}).status_code == 200


def test_totp_codes_match_rfc_6238() -> None:
    # RFC 6238 appendix B, SHA-1, secret "12345678901234567890", 8 digits there; 6 here.
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert staff.totp_code(secret, 59) == "287082"
    assert staff.totp_code(secret, 1111111109) == "081804"


def test_passwords_are_stored_as_argon2id_hashes(engine: Engine) -> None:
    add_user(engine, "anna", {"agent"})
    with Session(engine) as session:
        stored = session.scalars(select(staff.StaffUserRow.password_hash)).one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_weak_passwords_and_unknown_roles_are_refused(engine: Engine) -> None:
    with Session(engine) as session, pytest.raises(staff.InvalidInput):
        staff.create_user(session, "anna", "kort", {"agent"})
    with Session(engine) as session, pytest.raises(staff.InvalidInput):
        staff.create_user(session, "anna", PASSWORD, {"baas"})


def test_an_internal_note_is_kept_but_never_reaches_the_resident(
    client: TestClient, engine: Engine
) -> None:
    add_user(engine, "anna", {"agent"})
    agent = login(client, "anna")
    resident_auth, conversation_id = resident(client)
    url = f"/api/console/conversations/{conversation_id}"
    added = client.post(f"{url}/notes", headers=agent, json={"text": "Belt morgen terug."})
    assert added.status_code == 201
    assert added.json()["note"]["agent"] == "Anna"
    assert [n["text"] for n in client.get(url, headers=agent).json()["notes"]] == [
        "Belt morgen terug."
    ]
    seen = client.get("/api/webchat/messages", headers=resident_auth).json()["messages"]
    assert seen == []


def test_canned_responses_come_in_the_residents_language(
    client: TestClient, engine: Engine
) -> None:
    add_user(engine, "anna", {"agent"})
    agent = login(client, "anna")
    dutch = client.get("/api/console/canned-responses", headers=agent).json()["responses"]
    english = client.get(
        "/api/console/canned-responses", params={"language": "en"}, headers=agent
    ).json()["responses"]
    assert dutch[0]["title"] == english[0]["title"] == "Begroeting"
    assert dutch[0]["text"].startswith("Goedendag")
    assert english[0]["text"].startswith("Hello")


def queue_conversation(engine: Engine, conversation_id: str) -> None:
    with Session(engine) as session, session.begin():
        conversation = session.get(ConversationRow, conversation_id)
        assert conversation is not None
        conversation.state = "queued"
        conversation.urgency = 1
        conversation.queued_at = datetime.now(UTC)


def test_while_waiting_for_an_agent_the_resident_leaves_messages_for_the_team(
    client: TestClient, engine: Engine
) -> None:
    resident_auth, conversation_id = resident(client)
    queue_conversation(engine, conversation_id)
    said = client.post(
        "/api/webchat/messages", headers=resident_auth, json={"text": "Het gaat om mijn huur."}
    )
    assert said.status_code == 200  # kept for the agent; Rasa (down here) was not asked
    assert said.json()["replies"] == []


def test_danger_while_waiting_is_answered_at_once_and_moves_up_the_queue(
    client: TestClient, engine: Engine
) -> None:
    resident_auth, conversation_id = resident(client)
    queue_conversation(engine, conversation_id)
    said = client.post(
        "/api/webchat/messages",
        headers=resident_auth,
        json={"text": "eigenlijk wil ik niet meer leven"},
    )
    assert said.status_code == 200
    (reply,) = said.json()["replies"]
    assert "0800-0113" in reply["text"]
    with Session(engine) as session:
        conversation = session.get(ConversationRow, conversation_id)
        assert conversation is not None
        assert conversation.urgency == 3
        assert conversation.state == "queued"


@pytest.mark.parametrize("kind", ["messages", "notes"])
def test_an_empty_reply_or_note_is_refused_and_nothing_is_kept(
    client: TestClient, engine: Engine, kind: str
) -> None:
    add_user(engine, "anna", {"agent"})
    agent = login(client, "anna")
    _, conversation_id = resident(client)
    url = f"/api/console/conversations/{conversation_id}"
    client.post(f"{url}/take", headers=agent)
    refused = client.post(f"{url}/{kind}", headers=agent, json={"text": " \u200b "})
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "invalid_request"
    kept = client.get(url, headers=agent).json()[kind]
    assert [k for k in kept if not k.get("event")] == []  # only the record of the take


def taken_by_anna(client: TestClient, engine: Engine) -> tuple[dict[str, str], dict[str, str], str]:
    """A resident's new web chat, taken over by the agent Anna: her and the resident's
    credentials, and the conversation's console URL."""
    add_user(engine, "anna", {"agent"})
    agent = login(client, "anna")
    resident_auth, conversation_id = resident(client)
    url = f"/api/console/conversations/{conversation_id}"
    client.post(f"{url}/take", headers=agent)
    return agent, resident_auth, url


def test_an_agent_gets_the_knowledge_bases_answers_to_what_the_resident_asked(
    client: TestClient, engine: Engine
) -> None:
    agent, resident_auth, url = taken_by_anna(client, engine)
    for text in ("Hallo?", "mn paspoort is gestolen op vakantie wat moet ik doen"):
        client.post("/api/webchat/messages", headers=resident_auth, json={"text": text})

    suggested = client.get(f"{url}/suggestions", headers=agent)
    assert suggested.status_code == 200
    first, *others = suggested.json()["suggestions"]
    assert first["id"] == "paspoort-id-kwijt-gestolen"
    assert len(others) == 2
    # The answer as the assistant would give it: placeholders filled, where to read more.
    assert "{" not in first["answer"]
    assert "https://www.dijkstad.example" in first["answer"]

    searched = client.get(f"{url}/suggestions", params={"q": "grofvuil"}, headers=agent)
    assert searched.json()["suggestions"][0]["id"] == "grofvuil-ophalen"
    blank = client.get(f"{url}/suggestions", params={"q": " "}, headers=agent)
    assert blank.json() == suggested.json()  # a blank search: the resident's messages again


def test_suggestions_come_in_the_residents_language(client: TestClient, engine: Engine) -> None:
    add_user(engine, "anna", {"agent"})
    agent = login(client, "anna")
    session = client.post("/api/webchat/sessions", json={"language": "en"}).json()
    url = f"/api/console/conversations/{session['conversation_id']}/suggestions"
    (first, *_) = client.get(url, params={"q": "rubbish collection day"}, headers=agent).json()[
        "suggestions"
    ]
    assert first["id"] == "afvalkalender-ophaaldagen"
    assert first["question"] == "When is my rubbish collected?"
    assert first["answer"].startswith("The waste calendar shows")


def test_suggestions_need_an_agent_and_a_known_conversation(
    client: TestClient, engine: Engine
) -> None:
    add_user(engine, "anna", {"agent"})
    _, conversation_id = resident(client)
    url = f"/api/console/conversations/{conversation_id}/suggestions"
    assert client.get(url).status_code == 401
    unknown = client.get(
        "/api/console/conversations/nope/suggestions", headers=login(client, "anna")
    )
    assert unknown.status_code == 404


def test_a_reply_based_on_an_entry_is_archived_with_its_version(
    client: TestClient, engine: Engine
) -> None:
    agent, resident_auth, url = taken_by_anna(client, engine)

    forged = {"text": "Zie de website.", "kb_entry": {"id": "grofvuil-ophalen", "version": 99}}
    refused = client.post(f"{url}/messages", headers=agent, json=forged)
    assert refused.status_code == 422
    assert client.get("/api/webchat/messages", headers=resident_auth).json()["messages"] == []

    based = {
        "text": "Grofvuil haalt de gemeente op afspraak op.",
        "kb_entry": {"id": "grofvuil-ophalen", "version": 1},
    }
    assert client.post(f"{url}/messages", headers=agent, json=based).status_code == 201
    with Session(engine) as session:
        row = session.scalars(select(MessageRow).where(MessageRow.sender == "agent")).one()
        assert (row.kb_entry_id, row.kb_entry_version) == ("grofvuil-ophalen", 1)
    shown = client.get(url, headers=agent).json()["messages"][-1]
    assert shown["kb_entry"] == {"id": "grofvuil-ophalen", "version": 1, "score": None}
