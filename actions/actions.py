"""The actions Rasa calls. Every action attaches what it decided (intent, language, the
knowledge-base entry and version, a handoff) as a custom payload, which loket archives."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.escalation import (
    REQUEST_CONFIDENCE,
    Escalation,
    EscalationClassifier,
    History,
    decide,
    escalation,
)
from actions.texts import TEXTS
from knowledge_base.entries import Candidate, Decision, Entry, render
from knowledge_base.notices import Notice
from knowledge_base.service import KnowledgeBase
from knowledge_base.text import LANGUAGES, Language, detect_language

METADATA_KEY: Final = "loket"
MISUNDERSTOOD: Final = ("dont_know", "choices")
"""Outcomes of a reply that mean the bot did not understand the resident."""
OUT_OF_SCOPE: Final = "out_of_scope"
"""The intent of a message about something else than the municipality ("is de Ikea open")."""
CONVERSATION_CONFIDENCE: Final = 0.8
"""Below this, a conversational intent (greet, bot_challenge, ...) gives way to a confident
knowledge-base answer."""
LEADS: Final = {"repeated": "misunderstood", "not_helpful": "misunderstood"}
"""Reasons that share the opening line of another reason's handoff text."""

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


def answer_text(
    entry: Entry,
    language: Language,
    municipality: Municipality,
    notices: Sequence[Notice] = (),
) -> str:
    """An entry's answer as the resident reads it: in their language when the entry has it
    (else in Dutch, saying so), where to read more, and a line for each live crisis notice on
    the entry's topic."""
    answer_language, answer = entry.answer_in(language)
    texts = municipality(language)

    def text(key: str, **values: str) -> str:
        return render(TEXTS[key][language], {**texts, **values})

    parts = [render(answer, municipality(answer_language))]
    if answer_language != language:
        parts.insert(0, text("only_in_dutch"))
    if entry.source_url:
        parts.append(text("more_info", url=render(entry.source_url, texts)))
    for notice in notices:
        line = text("notice_on_topic", title=notice.title_in(language))
        if notice.content.url:
            line += "\n" + text("notice_updates", url=notice.content.url)
        parts.append(line)
    return "\n\n".join(parts)


def history_of(tracker: Tracker) -> History:
    """The conversation before the latest message, from the events Rasa sends along."""
    events = tracker.events or []
    resident_texts = [e.get("text") or "" for e in events if e.get("event") == "user"][:-1]
    misunderstood = 0
    for event in reversed(events):
        if event.get("event") != "bot":
            continue
        meta = ((event.get("data") or {}).get("custom") or {}).get(METADATA_KEY) or {}
        if meta.get("outcome") not in MISUNDERSTOOD:
            break
        misunderstood += 1
    return History(resident_texts, misunderstood)


class LoketAction(Action):  # type: ignore[misc]
    """Sends texts in the resident's language, each with loket's metadata attached.

    Before any action answers, the escalation check runs: whatever intent Rasa saw, a resident
    in danger gets the safety information and a person at once.
    """

    def __init__(
        self,
        action_name: str,
        municipality: Municipality,
        classifier: EscalationClassifier | None = None,
        knowledge_base: KnowledgeBase | None = None,
    ) -> None:
        self._name = action_name
        self._municipality = municipality
        self._classifier = classifier
        self._kb = knowledge_base

    def name(self) -> str:
        return self._name

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        language = message_language(tracker)
        intent = intent_of(tracker)
        text = (tracker.latest_message or {}).get("text") or ""
        # Embedding the message takes tens of milliseconds of CPU: keep it off the event loop.
        found = await asyncio.to_thread(
            decide,
            text,
            intent["name"],
            intent["confidence"],
            self._classifier,
            history_of(tracker),
        )
        if found is None:
            await self.respond(dispatcher, tracker, language)
            return []
        consulted = None
        if found.yields_to_answer and self._kb is not None:
            consulted = await asyncio.to_thread(
                self._kb.decide, text, intent["name"], overruling=True
            )
            if consulted.answer is not None:
                self.answer(dispatcher, tracker, language, consulted, set_aside=found)
                return []
        if found.answered_alongside and self._kb is not None:
            consulted = await asyncio.to_thread(self._kb.decide, text, intent["name"])
        self.hand_off(dispatcher, tracker, language, found, consulted)
        return []

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, language: Language
    ) -> None:
        raise NotImplementedError

    def hand_off(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        language: Language,
        found: Escalation,
        consulted: Decision | None = None,
    ) -> None:
        """Tell the resident a colleague takes over (safety information first), and mark the
        conversation for the agents' queue. `consulted`: what the knowledge base found for the
        message, if it was asked: kept with the reply like a "don't know"'s candidates, and its
        answer given first when it helps the resident while they wait (`Escalation.served_by`)."""
        parts = []
        if found.safety and found.judged_by == "classifier":
            # Its reason is only the nearest example's, and it errs ("ik heb net een huis
            # gekocht, waar laat ik mijn auto" read as suicidal): every number, asked, rather
            # than one danger presumed.
            parts.append(self.text("safety_unsure", language))
        elif found.safety:
            parts.append(self.text(found.reason, language))
        elif f"handoff_{LEADS.get(found.reason, found.reason)}" in TEXTS:
            parts.append(self.text(f"handoff_{LEADS.get(found.reason, found.reason)}", language))
        searched: dict[str, Any] = {}
        if consulted is not None:
            searched = {
                "candidates": [kb_entry_payload(c) for c in consulted.candidates],
                "kb_confidence": round(consulted.confidence, 4),
            }
            if consulted.answer is not None and found.served_by(consulted.answer.entry):
                text, searched = self.answer_reply(language, consulted)
                parts += [self.text("handoff_meanwhile", language), text]
        parts.append(self.text("handoff", language))
        self.reply(
            dispatcher,
            tracker,
            "\n\n".join(parts),
            language,
            handoff=found.as_json(),
            outcome="handoff",
            **searched,
        )

    def answer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        language: Language,
        decision: Decision,
        set_aside: Escalation | None = None,
    ) -> None:
        """Reply with the knowledge base's answer; `set_aside` is the model's escalation that
        this confident answer went before, kept with the reply for whoever reviews it."""
        text, answered = self.answer_reply(language, decision)
        if set_aside:
            answered["escalation_set_aside"] = set_aside.as_json()
        self.reply(dispatcher, tracker, text, language, outcome="answer", **answered)

    def answer_reply(self, language: Language, decision: Decision) -> tuple[str, dict[str, Any]]:
        """The answer's text (with the crisis notices on its topic) and what is archived
        with it: the entry and version, the candidates, the answer model's confidence."""
        assert decision.answer is not None
        entry = decision.answer.entry
        notices = self._kb.notices.on_topic(entry.topic) if self._kb is not None else []
        meta: dict[str, Any] = {
            "kb_entry": kb_entry_payload(decision.answer),
            "candidates": [kb_entry_payload(c) for c in decision.candidates],
            "kb_confidence": round(decision.confidence, 4),
        }
        if notices:
            meta["notices"] = [notice.id for notice in notices]
        return answer_text(entry, language, self._municipality, notices), meta

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
    """A fixed reply to a conversational intent (greet, thank, ...).

    Rasa's rules send a message here whenever such an intent is its likeliest, however unsure.
    Below CONVERSATION_CONFIDENCE a message is as likely a question in unusual words ("ben je
    een echte gemeente of een nep site" read as bot_challenge): one the knowledge base answers
    confidently is answered, anything else gets the fixed reply."""

    def __init__(
        self,
        action_name: str,
        text_key: str,
        municipality: Municipality,
        classifier: EscalationClassifier | None = None,
        knowledge_base: KnowledgeBase | None = None,
    ) -> None:
        super().__init__(action_name, municipality, classifier, knowledge_base)
        self._text_key = text_key

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, language: Language
    ) -> None:
        intent = intent_of(tracker)
        if (intent["confidence"] or 0.0) < CONVERSATION_CONFIDENCE and self._kb is not None:
            text = (tracker.latest_message or {}).get("text") or ""
            decision = await asyncio.to_thread(self._kb.decide, text, intent["name"])
            if decision.answer is not None:
                self.answer(dispatcher, tracker, language, decision)
                return
        self.reply(dispatcher, tracker, self.text(self._text_key, language), language)


class ActionHandoff(LoketAction):
    """The resident asked for a person: tell them, and mark the conversation for handoff.

    Rasa's rule sends a message here whenever request_human is its likeliest intent, however
    unsure. Below REQUEST_CONFIDENCE, and with the escalation check finding nothing either, the
    message is as likely a question ("mag ik bij de gemeente Fries praten"): one the knowledge
    base answers confidently is answered, anything else still goes to a person."""

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, language: Language
    ) -> None:
        intent = intent_of(tracker)
        confidence = intent["confidence"] or 0.0
        decision = None
        if confidence < REQUEST_CONFIDENCE and self._kb is not None:
            text = (tracker.latest_message or {}).get("text") or ""
            decision = await asyncio.to_thread(self._kb.decide, text, intent["name"])
            if decision.answer is not None:
                unsure = escalation(
                    "request_human", "intent", intent=intent["name"], confidence=confidence
                )
                self.answer(dispatcher, tracker, language, decision, set_aside=unsure)
                return
        self.hand_off(dispatcher, tracker, language, escalation("request_human"), decision)


class ActionAnswerQuestion(LoketAction):
    """Answers from the knowledge base, or says honestly that it does not know."""

    def __init__(
        self,
        action_name: str,
        knowledge_base: KnowledgeBase,
        municipality: Municipality,
        classifier: EscalationClassifier | None = None,
    ) -> None:
        super().__init__(action_name, municipality, classifier, knowledge_base)
        self._knowledge_base = knowledge_base

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, language: Language
    ) -> None:
        question = (tracker.latest_message or {}).get("text") or ""
        intent = intent_of(tracker)["name"]
        # Embedding a query takes tens of milliseconds of CPU: keep it off the event loop.
        decision = await asyncio.to_thread(
            self._knowledge_base.decide, question, intent, intent == OUT_OF_SCOPE
        )
        candidates = [kb_entry_payload(c) for c in decision.candidates]
        if decision.answer is None and decision.alternatives:
            questions = [c.entry.question_in(language) for c in decision.alternatives]
            self.reply(
                dispatcher,
                tracker,
                self.text("did_you_mean", language),
                language,
                buttons=[{"title": q, "payload": q} for q in questions],
                kb_entry=None,
                candidates=candidates,
                kb_confidence=round(decision.confidence, 4),
                outcome="choices",
            )
            return
        if decision.answer is None:
            if history_of(tracker).misunderstood:  # the second time in a row
                self.hand_off(dispatcher, tracker, language, escalation("misunderstood"), decision)
                return
            text = self.text("dont_know", language)
            self.reply(
                dispatcher,
                tracker,
                text,
                language,
                kb_entry=None,
                candidates=candidates,
                kb_confidence=round(decision.confidence, 4),
                outcome="dont_know",
            )
            return
        self.answer(dispatcher, tracker, language, decision)


CONVERSATION_ACTIONS: Final = {
    "action_greet": "greet",
    "action_goodbye": "goodbye",
    "action_thank": "thank",
    "action_affirm": "affirm",
    "action_deny": "deny",
    "action_bot_challenge": "bot_challenge",
}


def build_actions(
    knowledge_base: KnowledgeBase,
    municipality: Municipality,
    classifier: EscalationClassifier | None = None,
) -> list[LoketAction]:
    """Every action the Rasa domain names, wired to this process's knowledge base and
    escalation classifier."""
    actions: list[LoketAction] = [
        ActionRespond(name, key, municipality, classifier, knowledge_base)
        for name, key in CONVERSATION_ACTIONS.items()
    ]
    actions.append(ActionHandoff("action_request_human", municipality, classifier, knowledge_base))
    actions.append(
        ActionAnswerQuestion("action_answer_question", knowledge_base, municipality, classifier)
    )
    return actions
