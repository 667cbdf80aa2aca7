"""When a person should take over, and why.

No Dutch sentiment model can be installed, so the decision is built from what Loket has, each
part one a colleague can explain afterwards:
- Rasa's intent, for what residents say in so many words (a person, suicidal thoughts, violence,
  an emergency, an insult, a complaint, money or housing distress, a legal deadline, "that is
  not what I asked");
- a classifier over sentence embeddings and a few signals, trained at start-up on our own
  labelled examples, for what Rasa has no intent for (several issues at once, a complicated
  situation) and as a second opinion on the above;
- the conversation so far: the same message again, or the bot not understanding twice in a row.
Every handoff carries its reason and the evidence for it.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt
import yaml
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from knowledge_base.embeddings import Encoder
from knowledge_base.entries import Entry
from knowledge_base.text import words

logger = logging.getLogger(__name__)

SAFETY_REASONS: Final = ("safety_suicide", "safety_violence", "emergency")
URGENCY: Final = {
    **dict.fromkeys(SAFETY_REASONS, 3),
    "distress": 2,
    "legal_deadline": 2,
}
"""Queue order: higher first. Everything not named here is 1."""
ESCALATION_INTENTS: Final = frozenset(
    {
        "request_human",
        *SAFETY_REASONS,
        "insult",
        "complaint",
        "distress",
        "legal_deadline",
        "not_helpful",
    }
)
REQUEST_CONFIDENCE: Final = 0.6
"""A resident who asks for a person gets one: Rasa's intent decides alone from here."""
INTENT_CONFIDENCE: Final = 0.7
SUPPORT: Final = 0.5
"""Other escalation intents decide from INTENT_CONFIDENCE when the classifier gives at least
SUPPORT: Rasa alone, trained on few examples per intent, was wrong too often (measured)."""
CLASSIFIER_THRESHOLD: Final = 0.6
JudgedBy = Literal["rule", "intent", "classifier"]
ANSWERABLE_REASONS: Final = frozenset({*SAFETY_REASONS, "legal_deadline", "distress", "complex"})
"""Reasons a model may see in a question the knowledge base answers well ("hoe maak ik
bezwaar", "iemand heeft een lening op mijn naam afgesloten"). A complaint, anger and a request
for a person are never answered away: a complaint about the counter is not a question about
the counter's opening hours."""
ANSWERED_ALONGSIDE: Final = frozenset({"legal_deadline", "distress", "complex", "complaint"})
"""Reasons a person takes over for while the resident already gets the knowledge base's
answer, when it has one: a resident with a deadline reads how an objection works while a
colleague is on the way, instead of only waiting."""
ABOUT_COMPLAINING: Final = re.compile(r"\b(klacht|kla(ag|gen)\b|complain|ombudsman)", re.IGNORECASE)
"""What an entry's questions say when it is about complaining: the only answer a complaint gets
alongside the person (see ANSWERABLE_REASONS)."""
SAFETY_CERTAIN: Final = 0.9
"""A model's safety judgement at least this sure is acted on even when the knowledge base has
an answer: "ik zie geen uitweg meer met mijn schulden" needs 113 before a debt page."""

SWEAR_WORDS: Final = frozenset(
    {
        "kut", "klote", "kolere", "godverdomme", "godver", "verdomme", "tering", "tyfus",
        "kanker", "klootzak", "klootzakken", "lul", "eikel", "eikels", "idioot", "idioten",
        "debiel", "debielen", "sukkel", "sukkels", "oplichters", "tuig", "fuck", "fucking",
        "shit", "bullshit", "crap", "idiot", "idiots", "stupid", "useless", "wtf", "damn",
    }
)  # fmt: skip
_COMPOUND_SWEARING = re.compile(r"^(kut|klote|kanker|tering|tyfus|fucking)\w{3,}$")


SAFETY_PHRASES: Final = {
    "safety_suicide": re.compile(
        r"zelfmoord|suicid|zelfdoding|niet meer (verder )?(willen |wil )?(verder )?leven"
        r"|wil (dood|sterven)"
        r"|(een )?eind(e)? aan (mijn leven|(te )?maken|maak)|maak (ik )?er een eind(e)? aan"
        r"|van kant maken|mezelf iets aan"
        r"|ik ben er (binnenkort |straks )?(toch )?niet meer"
        r"|zie het (echt |allemaal )?niet meer zitten|wil er niet meer zijn|geen uitweg meer"
        r"|kill myself|end (it all|my life)|(think|thinking|thought) (about|of) ending it\b"
        r"|want to die|won'?t be around"
        r"|don'?t want to (go on |keep )?(live|living|be alive)",
        re.IGNORECASE,
    ),
    "emergency": re.compile(
        r"\b(staat|staan|vliegt|vloog) in (de )?brand\b|\bvlammen\b|\bflames\b|\bon fire\b"
        r"|\bruik (ik )?gas\b|\bgaslucht\b|\bgas ?lek\b|\bsmell(s)? (of )?gas\b|\bgas leak\b"
        r"|door het ijs ge(zakt|gaan|vallen)|zakt door het ijs|fell through the ice"
        r"|\ber verdrinkt\b|\b(is|zijn) aan het verdrinken"
        r"|\b(is|are) drowning\b(?! in (debt|bills))"
        r"|\b(rijdt|reed|rolt|rolde) .{0,30}\bhet water in\b|\bte water (geraakt|gegaan)\b"
        r"|\b(drove|drives|driving|rolled) into the (water|canal|river)\b"
        r"|\b(ligt|is|raakt|raakte) (nu |daar |hier )?(bewusteloos|buiten bewustzijn)\b"
        r"|\bademt niet( meer\b| en\b|\s*([.,!?]|$))|\b(isn'?t|not) breathing\b"
        r"|\b(is|lies|lying) (there )?unconscious\b",
        re.IGNORECASE,
    ),
    "safety_violence": re.compile(
        r"huiselijk geweld|mishandel|(slaat|sloeg|schopt) (me|mij)\b|bedreigt (me|mij|ons)\b"
        r"|domestic (violence|abuse)|\b(hits|beats|hit|threatens) me\b",
        re.IGNORECASE,
    ),
}
"""Words a colleague would act on at once, wherever they stand in a message: Rasa and the
classifier judge the message as a whole, which a question with a remark at the end can hide."""


REQUEST_PHRASE: Final = re.compile(
    r"\b(medewerker|mens|persoon|iemand|collega)\b[^.?!]{0,20}?"
    r"\b(spreken|bellen|aan de lijn|aan de telefoon)\b"
    r"|\b(speak|talk|chat) (to|with) (a |an )?(real |actual )?"
    r"(human|person|agent|employee|someone|somebody|staff member)\b",
    re.IGNORECASE,
)
"""A resident asking for a person in so many words gets one, whatever else the message asks:
"ik wil een medewerker spreken over de bouwvergunning" is no question for the knowledge base."""


def safety_phrase(text: str) -> str | None:
    return next((reason for reason, p in SAFETY_PHRASES.items() if p.search(text)), None)


def swear_words(text: str) -> int:
    tokens = words(text)
    return sum(t in SWEAR_WORDS or bool(_COMPOUND_SWEARING.match(t)) for t in tokens)


@dataclass(frozen=True)
class Signals:
    """What a colleague reading the message would notice first."""

    capitals: float
    """Share of the letters in capitals, for messages with at least 12 letters."""
    exclamations: int
    swearing: int
    questions: int
    length: int

    @classmethod
    def of(cls, text: str) -> Signals:
        letters = [c for c in text if c.isalpha()]
        capitals = sum(c.isupper() for c in letters) / len(letters) if len(letters) >= 12 else 0.0
        return cls(
            capitals=round(capitals, 2),
            exclamations=text.count("!"),
            swearing=swear_words(text),
            questions=text.count("?"),
            length=len(words(text)),
        )

    def features(self) -> list[float]:
        return [
            self.capitals,
            min(self.exclamations, 5) / 5,
            min(self.swearing, 3) / 3,
            min(self.questions, 4) / 4,
            min(self.length, 120) / 120,
        ]

    def shouting(self) -> bool:
        return self.swearing > 0 or (self.capitals > 0.7 and self.exclamations >= 2)


@dataclass(frozen=True)
class Example:
    label: int
    reason: str
    text: str


def read_examples(tsv: Path, nlu_files: Iterable[Path] = ()) -> list[Example]:
    """Labelled examples: the TSV (`label`, `reason`, `text`), plus Rasa's NLU examples, where
    an escalation intent is a positive with that reason and every other intent a negative."""
    examples = []
    with tsv.open(encoding="utf-8", newline="") as file:
        lines = [line for line in file if line.strip() and not line.startswith("#")]
    for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
        examples.append(Example(int(row["label"]), row["reason"].strip(), row["text"].strip()))
    for path in nlu_files:
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            intent = block.get("intent")
            if not intent:
                continue
            label = int(intent in ESCALATION_INTENTS)
            for line in str(block.get("examples", "")).splitlines():
                text = line.strip().removeprefix("- ").strip()
                if text:
                    examples.append(Example(label, intent if label else "none", text))
    return examples


@dataclass(frozen=True)
class Escalation:
    reason: str
    urgency: int
    evidence: dict[str, Any] = field(default_factory=dict)
    judged_by: JudgedBy = "rule"
    """"rule": what the resident said or did (a safety phrase, asking for a person, shouting,
    repeating); "intent": Rasa's escalation intent, supported by the classifier; "classifier":
    the classifier alone, its reason only the nearest example's. A model may read a question
    like "hoe maak ik bezwaar" as trouble that a confident knowledge-base answer serves best."""

    @property
    def safety(self) -> bool:
        return self.reason in SAFETY_REASONS

    @property
    def yields_to_answer(self) -> bool:
        """A confident knowledge-base answer goes first, unless the model was near-certain of
        danger."""
        if self.judged_by == "rule":
            return False
        if self.judged_by == "intent" and self.reason not in ANSWERABLE_REASONS:
            return False
        return not self.safety or self.evidence.get("classifier", 1.0) < SAFETY_CERTAIN

    @property
    def answered_alongside(self) -> bool:
        """Whether a knowledge-base answer may come with the person: not for what the resident
        said or did in so many words (a rule), nor for danger."""
        return self.judged_by != "rule" and self.reason in ANSWERED_ALONGSIDE

    def served_by(self, entry: Entry) -> bool:
        """Whether `entry`'s answer helps this resident while a person takes over."""
        if not self.answered_alongside:
            return False
        if self.reason == "complaint":
            return any(ABOUT_COMPLAINING.search(q) for _, q in entry.all_questions())
        return True

    def as_json(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "urgency": self.urgency,
            "judged_by": self.judged_by,
            "evidence": self.evidence,
        }


def escalation(reason: str, judged_by: JudgedBy = "rule", **evidence: Any) -> Escalation:
    return Escalation(reason, URGENCY.get(reason, 1), evidence, judged_by)


@dataclass(frozen=True)
class History:
    """The conversation before this message."""

    resident_texts: Sequence[str] = ()
    misunderstood: int = 0
    """How many of the bot's last replies in a row were "I don't know" or "do you mean"."""


class EscalationClassifier:
    """Logistic regression over a message's character n-grams, words and word pairs, sentence
    embedding and signals. The n-grams carry the Dutch (the bundled embedding model is English);
    the embedding carries meaning across wordings. The reason of a positive is that of the most
    similar positive example."""

    def __init__(
        self, encoder: Encoder, examples: Sequence[Example], threshold: float = CLASSIFIER_THRESHOLD
    ) -> None:
        if not any(e.label for e in examples) or all(e.label for e in examples):
            raise ValueError("escalation examples need both labels")
        self._encoder = encoder
        self.threshold = threshold
        texts = [e.text for e in examples]
        self._characters = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2
        ).fit(texts)
        self._words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(texts)
        vectors = encoder.encode(texts)
        self._model = LogisticRegression(C=4.0, class_weight="balanced", max_iter=5000)
        self._model.fit(self._features(texts, vectors), [e.label for e in examples])
        positive = [i for i, e in enumerate(examples) if e.label]
        self._positive_vectors = vectors[positive]
        self._positive_reasons = [examples[i].reason for i in positive]
        logger.info("Escalation classifier trained on %d examples", len(examples))

    def _features(self, texts: Sequence[str], vectors: npt.NDArray[np.float32]) -> Any:
        return hstack(
            [
                self._characters.transform(texts),
                self._words.transform(texts),
                csr_matrix(vectors),
                csr_matrix([Signals.of(t).features() for t in texts]),
            ]
        ).tocsr()

    def assess(self, text: str) -> tuple[float, str]:
        """The probability that a person should take over, and the likeliest reason."""
        vector = self._encoder.encode([text])[0]
        probability = float(
            self._model.predict_proba(self._features([text], vector[np.newaxis, :]))[0, 1]
        )
        nearest = int(np.argmax(self._positive_vectors @ vector))
        return probability, self._positive_reasons[nearest]


def _same(a: str, b: str) -> bool:
    return " ".join(words(a)) == " ".join(words(b)) and bool(words(a))


def decide(
    text: str,
    intent: str | None,
    confidence: float | None,
    classifier: EscalationClassifier | None,
    history: History = History(),
) -> Escalation | None:
    """Whether a person should take over from this message on, and why; None: the bot goes on."""
    confidence = confidence or 0.0
    probability, likely = classifier.assess(text) if classifier else (0.0, "complex")
    evidence: dict[str, Any] = {"intent": intent, "confidence": round(confidence, 3)}
    if classifier:
        evidence["classifier"] = round(probability, 3)
    if (phrase := safety_phrase(text)) is not None:
        return escalation(phrase, **evidence, phrase=True)
    if intent == "request_human" and confidence >= REQUEST_CONFIDENCE:
        return escalation(intent, **evidence)
    if REQUEST_PHRASE.search(text):
        return escalation("request_human", **evidence, phrase=True)
    if (
        intent in ESCALATION_INTENTS
        and confidence >= INTENT_CONFIDENCE
        and (classifier is None or probability >= SUPPORT)
    ):
        return escalation(str(intent), "intent", **evidence)
    signals = Signals.of(text)
    if signals.shouting():
        return escalation(
            "insult", **evidence, swearing=signals.swearing, capitals=signals.capitals
        )
    if any(_same(text, earlier) for earlier in history.resident_texts[-2:]):
        return escalation("repeated", **evidence)
    if classifier is not None and probability >= classifier.threshold:
        # Rasa's intent names the reason when it is one; else the nearest example does.
        if intent in ESCALATION_INTENTS:
            return escalation(str(intent), "intent", **evidence)
        return escalation(likely, "classifier", **evidence)
    return None
