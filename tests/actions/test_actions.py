"""Loket's actions run through rasa_sdk's real executor on a payload recorded from Rasa."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.executor import ActionExecutor
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from actions.actions import build_actions
from actions.escalation import EscalationClassifier
from bot.settings import Settings
from knowledge_base import notices
from knowledge_base.embeddings import Encoder
from knowledge_base.notices import NoticeContent
from knowledge_base.service import KnowledgeBase

RECORDED = Path(__file__).parent.parent / "fixtures" / "rasa_action_call.json"


def actions_executor(
    engine: Engine,
    encoder: Encoder,
    settings: Settings,
    classifier: EscalationClassifier | None,
) -> ActionExecutor:
    kb = KnowledgeBase(engine, encoder)
    kb.import_seed_if_empty(settings.kb_seed_file)
    kb.refresh()
    executor = ActionExecutor()
    for action in build_actions(kb, settings.municipality, classifier):
        executor.register_action(action)
    return executor


@pytest.fixture
def executor(
    engine: Engine, encoder: Encoder, settings: Settings, classifier: EscalationClassifier
) -> ActionExecutor:
    return actions_executor(engine, encoder, settings, classifier)


def action_call(
    action: str, text: str, intent: str, language: str | None, confidence: float = 0.91
) -> dict[str, Any]:
    call: dict[str, Any] = copy.deepcopy(json.loads(RECORDED.read_text(encoding="utf-8")))
    call["next_action"] = action
    message = call["tracker"]["latest_message"]
    message["text"] = text
    message["intent"] = {"name": intent, "confidence": confidence}
    message["metadata"] = {"language": language} if language else {}
    return call


async def run(executor: ActionExecutor, call: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    result = await executor.run(call)
    assert result is not None
    (response,) = result.model_dump()["responses"]
    return response["text"], response["custom"]["loket"]


async def test_recorded_call_is_answered_from_the_knowledge_base(
    executor: ActionExecutor, settings: Settings
) -> None:
    result = await executor.run(json.loads(RECORDED.read_text(encoding="utf-8")))
    assert result is not None
    (response,) = result.model_dump()["responses"]
    meta = response["custom"]["loket"]
    assert meta["kb_entry"]["id"] == "paspoort-aanvragen"
    assert meta["kb_entry"]["version"] == 1
    assert meta["kb_confidence"] >= 0.74  # what the answer model made of it, for replaying
    assert meta["intent"]["name"] == "passport_id"
    assert meta["language"] == "nl"
    assert "pasfoto" in response["text"]
    assert settings.municipality_website in response["text"]  # placeholders filled


async def test_answers_in_english_when_asked_in_english(executor: ActionExecutor) -> None:
    call = action_call(
        "action_answer_question", "how do I apply for a passport", "passport_id", "en"
    )
    text, meta = await run(executor, call)
    assert meta["language"] == "en"
    assert meta["kb_entry"]["id"] == "paspoort-aanvragen"
    assert "photo" in text


async def test_unknown_question_gets_i_dont_know_with_next_steps(
    executor: ActionExecutor, settings: Settings
) -> None:
    call = action_call(
        "action_answer_question", "wie wint de champions league", "out_of_scope", "nl"
    )
    text, meta = await run(executor, call)
    assert meta["kb_entry"] is None
    assert meta["kb_confidence"] < 0.74
    assert "geen goed antwoord" in text
    assert settings.municipality_phone in text


async def test_language_is_guessed_without_loket_metadata(executor: ActionExecutor) -> None:
    call = action_call("action_greet", "hello there, good morning to you", "greet", None)
    text, meta = await run(executor, call)
    assert meta["language"] == "en"
    assert text.startswith("Hello!")


async def test_request_for_a_person_is_a_handoff(executor: ActionExecutor) -> None:
    call = action_call("action_request_human", "mens aub", "request_human", "nl")
    text, meta = await run(executor, call)
    assert meta["handoff"]["reason"] == "request_human"
    assert meta["handoff"]["urgency"] == 1
    assert "medewerker" in text


async def test_an_unsure_request_for_a_person_the_kb_answers_is_answered(
    intent_only_executor: ActionExecutor,
) -> None:
    call = action_call(
        "action_request_human",
        "hoe vraag ik een nieuw paspoort aan",
        "request_human",
        "nl",
        confidence=0.42,
    )
    _, meta = await run(intent_only_executor, call)
    assert meta["outcome"] == "answer"
    assert meta["kb_entry"]["id"] == "paspoort-aanvragen"
    assert meta["escalation_set_aside"]["reason"] == "request_human"
    assert "handoff" not in meta


async def test_an_unsure_request_for_a_person_the_kb_cannot_answer_is_a_handoff(
    intent_only_executor: ActionExecutor,
) -> None:
    call = action_call(
        "action_request_human",
        "kan iemand even met me meekijken",
        "request_human",
        "nl",
        confidence=0.42,
    )
    _, meta = await run(intent_only_executor, call)
    assert meta["handoff"]["reason"] == "request_human"
    assert meta["candidates"]
    assert "kb_entry" not in meta


async def test_a_sure_request_for_a_person_is_a_handoff_even_with_a_kb_answer(
    intent_only_executor: ActionExecutor,
) -> None:
    call = action_call(
        "action_request_human", "hoe vraag ik een nieuw paspoort aan", "request_human", "nl"
    )
    _, meta = await run(intent_only_executor, call)
    assert meta["handoff"]["reason"] == "request_human"
    assert "kb_entry" not in meta
    assert "candidates" not in meta  # asked in so many words: the knowledge base is not asked


async def test_a_question_rasa_unsurely_reads_as_small_talk_is_answered(
    executor: ActionExecutor,
) -> None:
    call = action_call(
        "action_bot_challenge",
        "hoe vraag ik een nieuw paspoort aan",
        "bot_challenge",
        "nl",
        confidence=0.45,
    )
    _, meta = await run(executor, call)
    assert meta["outcome"] == "answer"
    assert meta["kb_entry"]["id"] == "paspoort-aanvragen"


async def test_small_talk_gets_its_reply_when_rasa_is_sure_or_the_kb_has_no_answer(
    executor: ActionExecutor,
) -> None:
    sure = action_call(
        "action_bot_challenge", "hoe vraag ik een nieuw paspoort aan", "bot_challenge", "nl"
    )
    text, meta = await run(executor, sure)
    assert "kb_entry" not in meta
    unsure = action_call("action_greet", "goedemiddag allemaal", "greet", "nl", confidence=0.45)
    greeting, meta = await run(executor, unsure)
    assert "kb_entry" not in meta
    assert greeting != text


async def test_close_candidates_are_offered_as_choices(executor: ActionExecutor) -> None:
    call = action_call("action_answer_question", "vergunning", "ask_question", "nl")
    result = await executor.run(call)
    assert result is not None
    (response,) = result.model_dump()["responses"]
    assert response["custom"]["loket"]["kb_entry"] is None
    assert response["text"].startswith("Bedoelt u")
    titles = [button["title"] for button in response["buttons"]]
    assert len(titles) >= 2
    assert all(button["payload"] == button["title"] for button in response["buttons"])


async def test_no_choices_for_what_is_out_of_scope(executor: ActionExecutor) -> None:
    call = action_call("action_answer_question", "vergunning", "out_of_scope", "nl")
    text, meta = await run(executor, call)
    assert meta["kb_entry"] is None
    assert "geen goed antwoord" in text


async def test_what_is_out_of_scope_is_answered_only_on_a_strong_clear_match(
    executor: ActionExecutor,
) -> None:
    """A shop's opening hours resemble the municipality's own: a fair match for the entry on
    opening hours. When the NLU finds the message out of scope, the answer model believes the
    same match less, and it is not given."""
    question = "tot hoe laat is de kruidvat open"
    _, asked = await run(
        executor, action_call("action_answer_question", question, "ask_question", "nl")
    )
    _, doubted = await run(
        executor, action_call("action_answer_question", question, "out_of_scope", "nl")
    )
    best = {asked["candidates"][0]["id"], doubted["candidates"][0]["id"]}
    assert best == {"contact-openingstijden"}
    assert doubted["kb_confidence"] < asked["kb_confidence"] / 2
    assert doubted["kb_entry"] is None
    assert doubted["outcome"] == "dont_know"


async def test_suicidal_thoughts_get_113_at_once_whatever_the_intent(
    executor: ActionExecutor,
) -> None:
    call = action_call(
        "action_greet", "hoi. ik wil eigenlijk niet meer leven", "greet", "nl", confidence=0.4
    )
    text, meta = await run(executor, call)
    assert meta["handoff"]["reason"] == "safety_suicide"
    assert meta["handoff"]["urgency"] == 3
    assert "0800-0113" in text
    assert "112" in text


async def test_domestic_violence_gets_veilig_thuis(executor: ActionExecutor) -> None:
    call = action_call(
        "action_answer_question",
        "my husband hits me and I am scared to go home",
        "safety_violence",
        "en",
    )
    text, meta = await run(executor, call)
    assert meta["handoff"]["reason"] == "safety_violence"
    assert "0800-2000" in text


async def test_a_danger_only_the_classifier_sees_gets_every_number_presuming_none(
    executor: ActionExecutor,
) -> None:
    call = action_call(
        "action_answer_question",
        "elke avond hoop ik dat ik niet meer wakker word",
        "ask_question",
        "nl",
    )
    text, meta = await run(executor, call)
    assert (meta["handoff"]["judged_by"], meta["handoff"]["urgency"]) == ("classifier", 3)
    assert text.startswith("Voor de zekerheid: is er nu gevaar?")
    for number in ("112", "0800-0113", "0800-2000"):
        assert number in text
    assert "Wat goed dat u dit vertelt" not in text


async def test_swearing_is_handed_to_a_person(executor: ActionExecutor) -> None:
    call = action_call(
        "action_answer_question", "kut gemeente, nooit wordt mijn afval opgehaald", "waste", "nl"
    )
    _, meta = await run(executor, call)
    assert meta["handoff"]["reason"] == "insult"
    assert meta["handoff"]["evidence"]["swearing"] == 1
    assert "kb_entry" not in meta
    assert "candidates" not in meta


def with_earlier_turn(call: dict[str, Any], text: str, outcome: str) -> dict[str, Any]:
    events = call["tracker"]["events"]
    events.insert(
        -2,
        {"event": "user", "text": text, "parse_data": {"intent": {"name": "ask_question"}}},
    )
    events.insert(
        -2,
        {"event": "bot", "text": "...", "data": {"custom": {"loket": {"outcome": outcome}}}},
    )
    return call


async def test_not_understanding_twice_in_a_row_hands_off(executor: ActionExecutor) -> None:
    call = action_call(
        "action_answer_question", "wie wint de champions league", "out_of_scope", "nl"
    )
    text, meta = await run(executor, with_earlier_turn(call, "hoe laat is het", "dont_know"))
    assert meta["handoff"]["reason"] == "misunderstood"
    assert "begrijp" in text
    # What the knowledge base found is kept for whoever reviews it, as with a "don't know".
    assert len(meta["candidates"]) == 3
    assert "kb_entry" not in meta


async def test_one_earlier_answer_does_not_count_as_misunderstanding(
    executor: ActionExecutor,
) -> None:
    call = action_call(
        "action_answer_question", "wie wint de champions league", "out_of_scope", "nl"
    )
    _, meta = await run(executor, with_earlier_turn(call, "paspoort aanvragen", "answer"))
    assert meta.get("handoff") is None
    assert meta["outcome"] == "dont_know"


@pytest.fixture
def intent_only_executor(engine: Engine, encoder: Encoder, settings: Settings) -> ActionExecutor:
    """Without the classifier, so Rasa's intent alone is the model that judges."""
    return actions_executor(engine, encoder, settings, None)


async def test_a_question_a_model_reads_as_distress_is_answered_when_the_kb_is_sure(
    intent_only_executor: ActionExecutor,
) -> None:
    executor = intent_only_executor
    call = action_call(
        "action_answer_question", "hoe vraag ik een nieuw paspoort aan", "distress", "nl"
    )
    _, meta = await run(executor, call)
    assert meta["outcome"] == "answer"
    assert meta["kb_entry"]["id"] == "paspoort-aanvragen"
    assert meta["escalation_set_aside"]["reason"] == "distress"
    assert "handoff" not in meta


async def test_a_complaint_the_kb_cannot_answer_still_reaches_a_person(
    intent_only_executor: ActionExecutor,
) -> None:
    executor = intent_only_executor
    call = action_call(
        "action_answer_question",
        "ik wil een klacht indienen over de medewerker aan de balie van vanochtend",
        "complaint",
        "nl",
    )
    _, meta = await run(executor, call)
    assert meta["handoff"]["reason"] == "complaint"
    assert meta["handoff"]["judged_by"] == "intent"


async def test_a_question_about_complaining_gets_the_answer_while_a_person_takes_over(
    intent_only_executor: ActionExecutor,
) -> None:
    call = action_call(
        "action_answer_question", "hoe dien ik een klacht in over de gemeente", "complaint", "nl"
    )
    text, meta = await run(intent_only_executor, call)
    assert meta["outcome"] == "handoff"
    assert meta["handoff"]["reason"] == "complaint"
    assert meta["kb_entry"]["id"] == "contact-telefoon-email"
    assert meta["kb_entry"]["version"] == 1
    lead, answer, handoff = (
        text.index("We nemen uw klacht serieus"),
        text.index("Dien dan een klacht in"),
        text.index("Ik geef uw vraag door aan een medewerker"),
    )
    assert lead < text.index("Dit kunt u alvast lezen:") < answer < handoff


async def test_a_complaint_gets_no_answer_that_is_not_about_complaining(
    intent_only_executor: ActionExecutor, engine: Engine, encoder: Encoder
) -> None:
    complaint = "mijn grofvuil is al drie keer niet opgehaald en niemand reageert op mijn meldingen"
    kb = KnowledgeBase(engine, encoder)
    kb.refresh()
    confident = kb.decide(complaint, "complaint").answer
    assert confident is not None
    assert confident.entry.id == "grofvuil-ophalen"
    call = action_call("action_answer_question", complaint, "complaint", "nl")
    text, meta = await run(intent_only_executor, call)
    assert meta["handoff"]["reason"] == "complaint"
    assert "kb_entry" not in meta
    assert "Dit kunt u alvast lezen" not in text
    assert meta["candidates"][0]["id"] == "grofvuil-ophalen"  # found, kept, not given


async def test_an_answer_on_the_topic_of_a_live_notice_says_so(
    engine: Engine, encoder: Encoder, settings: Settings
) -> None:
    now = datetime.now(UTC)
    outage = NoticeContent(
        title={"nl": "Storing bij Burgerzaken", "en": "Outage at Civil Affairs"},
        body={"nl": "U kunt vandaag geen paspoort ophalen."},
        starts_at=now,
        ends_at=now + timedelta(hours=1),
        url="https://www.dijkstad.example/storing",
        topics=["passport_id"],
    )
    with Session(engine) as session, session.begin():
        notice = notices.save(session, None, outage, "staff:anna")
        notices.approve(session, notice.id, "staff:bob", urgent=True)
    executor = actions_executor(engine, encoder, settings, None)
    question = action_call(
        "action_answer_question", "hoe vraag ik een paspoort aan", "passport_id", "en"
    )
    text, meta = await run(executor, question)
    assert meta["kb_entry"]["id"] == "paspoort-aanvragen"
    assert meta["notices"] == [notice.id]
    assert text.endswith(
        "**Please note:** Outage at Civil Affairs\n"
        "For the latest news, see https://www.dijkstad.example/storing"
    )
    other = action_call(
        "action_answer_question", "wanneer wordt het grofvuil opgehaald", "waste", "nl"
    )
    text, meta = await run(executor, other)
    assert "notices" not in meta
    assert "Storing" not in text
