"""The knowledge-base editor's API in-process, on a real database and the real embedding model:
four eyes, live at once in this process, history, rollback, retirement, preview, roles."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.settings import Settings
from bot.tables import AuditRow
from knowledge_base.wordings import read_wordings
from tests.bot.conftest import add_user, login

QUESTION = "Waar kan ik zandzakken ophalen tegen het hoogwater?"
SANDBAGS = {
    "topic": "crisis",
    "questions": {"nl": [QUESTION, "zandzakken ophalen"], "en": ["Where can I get sandbags?"]},
    "answers": {"nl": "Zandzakken haalt u bij de **gemeentewerf**, Industrieweg 4."},
    "source_url": "https://www.dijkstad.example/hoogwater",
}


@pytest.fixture
def staff(client: TestClient, engine: Engine) -> dict[str, dict[str, str]]:
    add_user(engine, "anna", {"editor"})
    add_user(engine, "bob", {"approver"})
    add_user(engine, "carl", {"agent"})
    return {name: login(client, name) for name in ("anna", "bob", "carl")}


def audit(engine: Engine) -> list[tuple[str, str, str]]:
    with Session(engine) as session:
        rows = session.execute(select(AuditRow.actor, AuditRow.action, AuditRow.target)).all()
    return [(a, b, c) for a, b, c in rows if b.startswith(("kb.", "notice."))]


def tried(client: TestClient, who: dict[str, str], question: str = QUESTION) -> dict[str, Any]:
    response = client.post("/api/editor/try", headers=who, json={"question": question})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def write_and_submit(client: TestClient, who: dict[str, str]) -> str:
    created = client.post("/api/editor/entries", headers=who, json=SANDBAGS)
    assert created.status_code == 201, created.text
    entry = created.json()
    assert (entry["version"], entry["state"]) == (1, "draft")
    url = f"/api/editor/entries/{entry['entry_id']}/versions/1/submit"
    assert client.post(url, headers=who).json()["state"] == "in_review"
    return str(entry["entry_id"])


def test_an_answer_is_live_once_someone_else_approves_it(
    client: TestClient, engine: Engine, staff: dict[str, dict[str, str]]
) -> None:
    entry_id = write_and_submit(client, staff["anna"])
    assert tried(client, staff["anna"])["answer"] is None  # in review: not answered

    review = client.get("/api/editor/review", headers=staff["bob"]).json()["versions"]
    assert [(v["entry_id"], v["mine"]) for v in review] == [(entry_id, False)]
    approve = f"/api/editor/entries/{entry_id}/versions/1/approve"
    refused = client.post(approve, headers=staff["anna"])
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")

    approved = client.post(approve, headers=staff["bob"])
    assert approved.status_code == 200, approved.text
    assert (approved.json()["state"], approved.json()["approved_by"]) == ("live", "staff:bob")
    # Live in this process as soon as the approval returns.
    answer = tried(client, staff["anna"])["answer"]
    assert (answer["entry_id"], answer["version"]) == (entry_id, 1)
    assert audit(engine) == [
        ("staff:anna", "kb.draft", f"{entry_id}@1"),
        ("staff:anna", "kb.submit", f"{entry_id}@1"),
        ("staff:bob", "kb.approve", f"{entry_id}@1"),
    ]


def test_the_author_cannot_approve_their_own_version(
    client: TestClient, engine: Engine, staff: dict[str, dict[str, str]]
) -> None:
    add_user(engine, "dana", {"editor", "approver"})
    dana = login(client, "dana")
    entry_id = write_and_submit(client, dana)
    refused = client.post(f"/api/editor/entries/{entry_id}/versions/1/approve", headers=dana)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "four_eyes")
    assert tried(client, dana)["answer"] is None
    assert ("staff:dana", "kb.approve.refused", f"{entry_id}@1") in audit(engine)
    versions = client.get(f"/api/editor/entries/{entry_id}", headers=dana).json()["versions"]
    assert [v["state"] for v in versions] == ["in_review"]


def test_history_diff_rollback_and_retirement(
    client: TestClient, engine: Engine, staff: dict[str, dict[str, str]]
) -> None:
    anna, bob = staff["anna"], staff["bob"]
    entry_id = write_and_submit(client, anna)
    base = f"/api/editor/entries/{entry_id}"
    client.post(f"{base}/versions/1/approve", headers=bob)
    changed = SANDBAGS | {"answers": {"nl": "Zandzakken zijn op. Kom morgen terug."}}
    second = client.post(f"{base}/versions", headers=anna, json=changed | {"based_on": 1})
    assert second.status_code == 201, second.text
    stale = client.post(f"{base}/versions", headers=anna, json=changed | {"based_on": 1})
    assert stale.status_code == 409
    client.post(f"{base}/versions/2/submit", headers=anna)
    sent_back = client.post(f"{base}/versions/2/reject", headers=bob, json={"note": "Te kort."})
    assert (sent_back.json()["status"], sent_back.json()["review_note"]) == ("draft", "Te kort.")
    client.post(f"{base}/versions/2/submit", headers=anna)
    client.post(f"{base}/versions/2/approve", headers=bob)

    diff = client.get(f"{base}/versions/2/diff", headers=anna).json()
    assert diff["against"] == 1
    (change,) = diff["changes"]
    assert change["field"] == "answers.nl"
    assert change["pieces"] == [
        ["equal", "Zandzakken "],
        ["delete", "haalt u bij de **gemeentewerf**, Industrieweg 4"],
        ["insert", "zijn op. Kom morgen terug"],
        ["equal", "."],
    ]

    history = client.get(base, headers=anna).json()
    assert [(v["version"], v["state"]) for v in history["versions"]] == [
        (2, "live"),
        (1, "retired"),
    ]
    assert client.post(f"{base}/rollback", headers=anna, json={"version": 1}).status_code == 403
    restored = client.post(f"{base}/rollback", headers=bob, json={"version": 1}).json()
    assert (restored["version"], restored["based_on"], restored["state"]) == (3, 1, "live")
    assert tried(client, anna)["answer"]["version"] == 3

    assert client.post(f"{base}/retire", headers=bob).json()["retired"] == [3]
    assert tried(client, anna)["answer"] is None
    listed = client.get("/api/editor/entries", headers=anna, params={"q": "zandzakken"}).json()
    assert [(e["entry_id"], e["state"], e["answering"]) for e in listed["entries"]] == [
        (entry_id, "retired", None)
    ]
    actions = [action for _, action, _ in audit(engine)]
    assert actions[-3:] == ["kb.approve", "kb.rollback", "kb.retire"]


def test_the_preview_shows_the_answer_as_each_channel_sends_it(
    client: TestClient, staff: dict[str, dict[str, str]]
) -> None:
    body = {
        "topic": "crisis",
        "answers": {"nl": "Kom naar de **gemeentewerf**. Zie [de kaart](https://kaart.example/w)."},
        "source_url": "{website}/hoogwater",
        "language": "en",
    }
    preview = client.post("/api/editor/preview", headers=staff["anna"], json=body).json()
    assert preview["text"].startswith("(This answer is only available in Dutch.)")
    assert "More information: https://www.dijkstad.example/hoogwater" in preview["text"]
    (webchat,) = preview["channels"]["webchat"]
    assert {"kind": "bold", "text": "gemeentewerf", "url": ""} in webchat
    assert {"kind": "link", "text": "de kaart", "url": "https://kaart.example/w"} in webchat
    (whatsapp,) = preview["channels"]["whatsapp"]
    assert {"kind": "text", "text": "de kaart: ", "url": ""} in whatsapp


def test_only_editors_and_approvers_use_the_editor(
    client: TestClient, staff: dict[str, dict[str, str]]
) -> None:
    assert client.get("/api/editor/entries").status_code == 401
    assert client.get("/api/editor/entries", headers=staff["carl"]).status_code == 403
    assert (
        client.post("/api/editor/entries", headers=staff["carl"], json=SANDBAGS).status_code == 403
    )
    assert client.get("/api/editor/entries", headers=staff["bob"]).status_code == 200
    invalid = client.post(
        "/api/editor/entries", headers=staff["anna"], json=SANDBAGS | {"answers": {}}
    )
    assert (invalid.status_code, invalid.json()["error"]["message"]) == (
        422,
        "An answer in Dutch is required",
    )
    naive = SANDBAGS | {"valid_from": "2026-12-01T10:00:00"}
    assert client.post("/api/editor/entries", headers=staff["anna"], json=naive).status_code == 422


RESIDENT = "het water staat bijna tegen mijn voordeur, hoe hou ik het buiten"


def published_sandbags(client: TestClient, staff: dict[str, dict[str, str]]) -> str:
    entry_id = write_and_submit(client, staff["anna"])
    approve = f"/api/editor/entries/{entry_id}/versions/1/approve"
    assert client.post(approve, headers=staff["bob"]).status_code == 200
    return entry_id


def answered(client: TestClient, who: dict[str, str], question: str) -> str | None:
    answer = tried(client, who, question)["answer"]
    return None if answer is None else str(answer["entry_id"])


def test_an_agent_teaches_the_assistant_a_question_once_an_approver_agrees(
    client: TestClient, engine: Engine, staff: dict[str, dict[str, str]]
) -> None:
    anna, bob, carl = staff["anna"], staff["bob"], staff["carl"]
    entry_id = published_sandbags(client, staff)
    assert answered(client, anna, RESIDENT) != entry_id

    url = f"/api/editor/entries/{entry_id}/wordings"
    proposed = client.post(url, headers=carl, json={"text": RESIDENT, "conversation_id": "c-42"})
    assert proposed.status_code == 201, proposed.text
    wording = proposed.json()
    assert (wording["status"], wording["proposed_by"], wording["conversation_id"]) == (
        "proposed",
        "staff:carl",
        "c-42",
    )
    assert answered(client, anna, RESIDENT) != entry_id  # not before a second pair of eyes
    approve = f"/api/editor/wordings/{wording['id']}/approve"
    assert client.post(approve, headers=carl).status_code == 403  # an agent approves nothing
    review = client.get("/api/editor/review", headers=bob).json()["wordings"]
    assert [(w["text"], w["question"], w["mine"]) for w in review] == [(RESIDENT, QUESTION, False)]
    assert review[0]["now"] == tried(client, bob, RESIDENT)  # what approving it would change

    approved = client.post(approve, headers=bob)
    assert approved.status_code == 200, approved.text
    assert answered(client, anna, RESIDENT) == entry_id  # at once in this process
    listed = client.get(url, headers=anna).json()["wordings"]
    assert [(w["text"], w["status"], w["decided_by"]) for w in listed] == [
        (RESIDENT, "approved", "staff:bob")
    ]

    remove = f"/api/editor/wordings/{wording['id']}/remove"
    assert client.post(remove, headers=anna, json={}).status_code == 403
    removed = client.post(remove, headers=bob, json={"note": "Te ruim."})
    assert (removed.status_code, removed.json()["status"]) == (200, "removed")
    assert answered(client, anna, RESIDENT) != entry_id
    assert audit(engine)[-3:] == [
        ("staff:carl", "kb.wording.propose", entry_id),
        ("staff:bob", "kb.wording.approve", entry_id),
        ("staff:bob", "kb.wording.remove", entry_id),
    ]


def test_an_approver_sees_which_questions_of_other_answers_a_wording_would_take(
    client: TestClient, staff: dict[str, dict[str, str]]
) -> None:
    # How residents ask about the collection calendar, proposed for bulky waste by mistake.
    calendar = read_wordings(Settings(_env_file=None).kb_wordings)["afvalkalender-ophaaldagen"]  # type: ignore[call-arg]
    url = "/api/editor/entries/grofvuil-ophalen/wordings"
    wrong = client.post(url, headers=staff["carl"], json={"text": calendar[0]}).json()
    right = client.post(url, headers=staff["carl"], json={"text": "hoe kom ik van mn oude bank af"})

    def effect(wording_id: int, who: str = "bob") -> Any:
        return client.get(f"/api/editor/wordings/{wording_id}/effect", headers=staff[who])

    taking = effect(wrong["id"]).json()
    assert (taking["wording_id"], taking["entry_id"], taking["taken"]) == (
        wrong["id"],
        "grofvuil-ophalen",
        1,
    )
    # each of the calendar's wordings asked as a new question would be, without itself
    assert [
        (n["entry_id"], n["measured"], n["wordings"]) for n in taking["neighbours"] if n["wordings"]
    ] == [("afvalkalender-ophaaldagen", len(calendar), [calendar[0]])]
    keeping = effect(right.json()["id"], "anna").json()
    assert (keeping["taken"], keeping["measured"] > 0) == (0, True)
    waiting = write_and_submit(client, staff["anna"])  # residents cannot get it yet
    early = client.post(
        f"/api/editor/entries/{waiting}/wordings", headers=staff["carl"], json={"text": RESIDENT}
    )
    assert (effect(early.json()["id"]).json()["answerable"], taking["answerable"]) == (False, True)
    assert effect(wrong["id"], "carl").status_code == 403  # for the editorial team
    assert effect(987654).status_code == 404


@pytest.mark.parametrize(
    "text",
    [
        "ik ben jan, bel me op 06-12345678 over zandzakken",
        "zandzakken bezorgen op Dorpsstraat 1234 AB 12",
        "mail naar jan@voorbeeld.nl waar de zandzakken zijn",
        "bel me op [TELEFOON] over zandzakken",  # as the console shows a resident's number
    ],
)
def test_a_wording_with_personal_data_is_refused_and_leaves_no_trace(
    client: TestClient, engine: Engine, staff: dict[str, dict[str, str]], text: str
) -> None:
    entry_id = published_sandbags(client, staff)
    url = f"/api/editor/entries/{entry_id}/wordings"
    refused = client.post(url, headers=staff["carl"], json={"text": text})
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, "personal_data")
    assert client.get(url, headers=staff["anna"]).json()["wordings"] == []
    assert not [action for _, action, _ in audit(engine) if action.startswith("kb.wording")]


def test_who_proposed_a_wording_cannot_approve_it_but_may_withdraw_it(
    client: TestClient, engine: Engine, staff: dict[str, dict[str, str]]
) -> None:
    add_user(engine, "dana", {"editor", "approver"})
    dana, carl = login(client, "dana"), staff["carl"]
    entry_id = published_sandbags(client, staff)
    url = f"/api/editor/entries/{entry_id}/wordings"
    wording = client.post(url, headers=dana, json={"text": RESIDENT}).json()
    again = client.post(url, headers=carl, json={"text": RESIDENT.upper()})
    assert again.status_code == 409

    refused = client.post(f"/api/editor/wordings/{wording['id']}/approve", headers=dana)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "four_eyes")
    assert ("staff:dana", "kb.wording.approve.refused", entry_id) in audit(engine)
    reject = f"/api/editor/wordings/{wording['id']}/reject"
    assert client.post(reject, headers=carl, json={}).status_code == 403  # not carl's to turn down
    withdrawn = client.post(reject, headers=dana, json={"note": "Toch niet."})
    assert (withdrawn.json()["status"], withdrawn.json()["note"]) == ("rejected", "Toch niet.")
    assert client.get("/api/editor/review", headers=staff["bob"]).json()["wordings"] == []
    missing = client.post(
        "/api/editor/entries/geen-antwoord/wordings", headers=carl, json={"text": RESIDENT}
    )
    assert missing.status_code == 404
