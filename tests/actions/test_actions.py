"""Loket's actions run through rasa_sdk's real executor on a payload recorded from Rasa."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.executor import ActionExecutor
from sqlalchemy import Engine

from actions.actions import build_actions
from bot.settings import Settings
from knowledge_base.embeddings import Encoder
from knowledge_base.service import KnowledgeBase

RECORDED = Path(__file__).parent.parent / "fixtures" / "rasa_action_call.json"


@pytest.fixture
def executor(engine: Engine, encoder: Encoder, settings: Settings) -> ActionExecutor:
    kb = KnowledgeBase(engine, encoder)
    kb.import_seed_if_empty(settings.kb_seed_file)
    kb.reload()
    executor = ActionExecutor()
    for action in build_actions(kb, settings.municipality):
        executor.register_action(action)
    return executor


def action_call(action: str, text: str, intent: str, language: str | None) -> dict[str, Any]:
    call: dict[str, Any] = copy.deepcopy(json.loads(RECORDED.read_text(encoding="utf-8")))
    call["next_action"] = action
    message = call["tracker"]["latest_message"]
    message["text"] = text
    message["intent"] = {"name": intent, "confidence": 0.91}
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
    assert meta["handoff"] == {"reason": "request_human"}
    assert "medewerker" in text


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
