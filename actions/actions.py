"""The actions Rasa calls. Every action attaches what it decided (intent, language, the
knowledge-base entry and version, a handoff) as a custom payload, which loket archives."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any, Final

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.texts import TEXTS
from knowledge_base.entries import Candidate, render
from knowledge_base.service import KnowledgeBase
from knowledge_base.text import LANGUAGES, Language, detect_language

METADATA_KEY: Final = "loket"

Municipality = Callable[[Language], Mapping[str, str]]
"""The values for the placeholders in texts, per language (from loket's settings)."""


def message_language(tracker: Tracker) -> Language:
    """The language loket detected for this message, or a guess when Rasa is used on its own."""
    message = tracker.latest_message or {}
    language = (message.get("metadata") or {}).get("language")
    if language in LANGUAGES:
        return language  # type: ignore[no-any-return]
    return detect_language(message.get("text") or "")


def intent_of(tracker: Tracker) -> dict[str, Any]:
    intent = (tracker.latest_message or {}).get("intent") or {}
    return {"name": intent.get("name"), "confidence": intent.get("confidence")}


def kb_entry_payload(candidate: Candidate) -> dict[str, Any]:
    entry = candidate.entry
    return {
        "id": entry.id,
        "external_id": entry.external_id,
        "version": entry.version,
        "score": candidate.score,
    }


class LoketAction(Action):  # type: ignore[misc]
    """Sends texts in the resident's language, each with loket's metadata attached."""

    def __init__(self, action_name: str, municipality: Municipality) -> None:
        self._name = action_name
        self._municipality = municipality

    def name(self) -> str:
        return self._name

    def text(self, key: str, language: Language, **values: str) -> str:
        return render(TEXTS[key][language], {**self._municipality(language), **values})

    def reply(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        text: str,
        language: Language,
        buttons: list[dict[str, str]] | None = None,
        **meta: Any,
    ) -> None:
        payload = {"intent": intent_of(tracker), "language": language, **meta}
        dispatcher.utter_message(text=text, buttons=buttons, json_message={METADATA_KEY: payload})


class ActionRespond(LoketAction):
    """A fixed reply to a conversational intent (greet, thank, ...)."""

    def __init__(self, action_name: str, text_key: str, municipality: Municipality) -> None:
        super().__init__(action_name, municipality)
        self._text_key = text_key

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        language = message_language(tracker)
        self.reply(dispatcher, tracker, self.text(self._text_key, language), language)
        return []


class ActionHandoff(LoketAction):
    """The resident asked for a person: tell them, and mark the conversation for handoff."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        language = message_language(tracker)
        text = self.text("handoff", language)
        self.reply(dispatcher, tracker, text, language, handoff={"reason": "request_human"})
        return []


class ActionAnswerQuestion(LoketAction):
    """Answers from the knowledge base, or says honestly that it does not know."""

    def __init__(
        self, action_name: str, knowledge_base: KnowledgeBase, municipality: Municipality
    ) -> None:
        super().__init__(action_name, municipality)
        self._kb = knowledge_base

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        language = message_language(tracker)
        question = (tracker.latest_message or {}).get("text") or ""
        intent = intent_of(tracker)["name"]
        # Embedding a query takes tens of milliseconds of CPU: keep it off the event loop.
        decision = await asyncio.to_thread(self._kb.decide, question, intent)
        candidates = [kb_entry_payload(c) for c in decision.candidates]
        # Offering choices to a message Rasa finds out of scope ("what's the weather") would
        # only puzzle the resident.
        if decision.answer is None and decision.alternatives and intent != "out_of_scope":
            questions = [c.entry.question_in(language) for c in decision.alternatives]
            self.reply(
                dispatcher,
                tracker,
                self.text("did_you_mean", language),
                language,
                buttons=[{"title": q, "payload": q} for q in questions],
                kb_entry=None,
                candidates=candidates,
            )
            return []
        if decision.answer is None:
            text = self.text("dont_know", language)
            self.reply(dispatcher, tracker, text, language, kb_entry=None, candidates=candidates)
            return []
        entry = decision.answer.entry
        answer_language, answer = entry.answer_in(language)
        values = self._municipality(answer_language)
        parts = [render(answer, values)]
        if answer_language != language:
            parts.insert(0, self.text("only_in_dutch", language))
        if entry.source_url:
            parts.append(self.text("more_info", language, url=render(entry.source_url, values)))
        self.reply(
            dispatcher,
            tracker,
            "\n\n".join(parts),
            language,
            kb_entry=kb_entry_payload(decision.answer),
            candidates=candidates,
        )
        return []


CONVERSATION_ACTIONS: Final = {
    "action_greet": "greet",
    "action_goodbye": "goodbye",
    "action_thank": "thank",
    "action_affirm": "affirm",
    "action_deny": "deny",
    "action_bot_challenge": "bot_challenge",
}


def build_actions(knowledge_base: KnowledgeBase, municipality: Municipality) -> list[LoketAction]:
    """Every action the Rasa domain names, wired to this process's knowledge base."""
    actions: list[LoketAction] = [
        ActionRespond(name, key, municipality) for name, key in CONVERSATION_ACTIONS.items()
    ]
    actions.append(ActionHandoff("action_request_human", municipality))
    actions.append(ActionAnswerQuestion("action_answer_question", knowledge_base, municipality))
    return actions
