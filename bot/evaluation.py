"""Evaluation of answer quality through the pipeline a resident's message takes.

Each query is the first message of a new conversation: Rasa classifies it, the knowledge-base
action ranks entries and applies the thresholds, and the reply's metadata says what was answered.
The knowledge base is a throwaway one, built from the corpus in a temporary directory.
"""

from __future__ import annotations

import csv
import json
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from bot.app import Services
from bot.database import make_engine, migrate
from bot.settings import Settings
from channels.base import Inbound, normalise
from knowledge_base import store
from knowledge_base.entries import Status
from knowledge_base.files import read_entries


class EvaluationError(ValueError):
    """A queries file that cannot be read; the message says where and why."""


def read_tsv(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows of a TSV file with a header; lines starting with `#` are comments."""
    with path.open(encoding="utf-8", newline="") as file:
        lines = [line for line in file if line.strip() and not line.startswith("#")]
    reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    if reader.fieldnames is None or not set(columns) <= set(reader.fieldnames):
        raise EvaluationError(f"{path}: the header must name {', '.join(columns)}")
    rows = []
    for number, row in enumerate(reader, start=2):
        if any(not (row.get(column) or "").strip() for column in columns):
            raise EvaluationError(f"{path}: line {number} has an empty field")
        rows.append({column: row[column].strip() for column in columns})
    return rows


@dataclass
class Outcome:
    query: str
    expected: str | None
    answered: str | None
    top3: list[str]
    intent: str | None
    score: float | None
    label: int | None = None
    handoff: str | None = None
    """The reason the conversation was handed to a person, if it was."""
    judged_by: str | None = None
    """What decided the handoff: a rule, Rasa's intent or the escalation classifier."""
    set_aside: str | None = None
    """The reason of a model's handoff that a confident answer went before, if one did."""
    escalation_probability: float | None = None
    """The escalation classifier's probability that a person should take over, for a handoff
    or one set aside."""
    confidence: float | None = None
    """Rasa's confidence in `intent`."""
    candidates: list[tuple[str, float]] = field(default_factory=list)
    """The knowledge base's best entries and their scores, best first."""
    outcome: str | None = None
    """What the reply was: answer, choices, dont_know, handoff, or none for small talk."""
    answer_confidence: float | None = None
    """How likely the knowledge base found its best entry the answer (its answer model)."""


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def write_details(self, path: Path) -> None:
        """One JSON object per query: what a person tuning thresholds replays offline."""
        with path.open("w", encoding="utf-8") as file:
            for outcome in self.outcomes:
                file.write(json.dumps(asdict(outcome), ensure_ascii=False) + "\n")

    def retrieval(self) -> dict[str, Any]:
        n = len(self.outcomes)
        if n == 0:
            return {"n": 0, "top1": 0.0, "top3": 0.0, "answered": 0.0, "wrong_answer": 0.0}
        answered = [o for o in self.outcomes if o.answered is not None]
        return {
            "n": n,
            "top1": round(sum(o.answered == o.expected for o in self.outcomes) / n, 4),
            "top3": round(sum(o.expected in o.top3 for o in self.outcomes) / n, 4),
            "answered": round(len(answered) / n, 4),
            "wrong_answer": round(sum(o.answered != o.expected for o in answered) / n, 4),
        }

    def out_of_scope(self) -> dict[str, Any]:
        n = len(self.outcomes)
        answered = sum(o.answered is not None for o in self.outcomes)
        return {"n": n, "answered": round(answered / n, 4) if n else 0.0}

    def escalation(self) -> dict[str, Any]:
        """Precision, recall and F1 of "a person should take over" (label 1)."""
        true_pos = sum(o.label == 1 and o.handoff is not None for o in self.outcomes)
        predicted = sum(o.handoff is not None for o in self.outcomes)
        actual = sum(o.label == 1 for o in self.outcomes)
        precision = true_pos / predicted if predicted else 0.0
        recall = true_pos / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {
            "n": len(self.outcomes),
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
        }

    def escalation_confusion(self, limit: int = 40) -> list[str]:
        missed = [o for o in self.outcomes if o.label == 1 and o.handoff is None]
        needless = [o for o in self.outcomes if o.label == 0 and o.handoff is not None]
        lines = [f"Not handed off but should be ({len(missed)}):"]
        lines += [f"  [{o.intent}] {o.query!r}" for o in missed[:limit]]
        lines.append(f"Handed off but need not be ({len(needless)}):")
        lines += [f"  [{o.intent} -> {o.handoff}] {o.query!r}" for o in needless[:limit]]
        reasons = Counter(o.handoff for o in self.outcomes if o.handoff)
        lines.append("Reasons: " + ", ".join(f"{k}={v}" for k, v in reasons.most_common()))
        return lines

    def confusion(self, limit: int = 15) -> list[str]:
        """What a person tuning retrieval wants to see: the mistakes, most frequent first."""
        lines = []
        wrong = [o for o in self.outcomes if o.answered is not None and o.answered != o.expected]
        missed = [o for o in self.outcomes if o.answered is None and o.expected is not None]
        if wrong:
            lines.append(f"Wrong answers ({len(wrong)}), expected -> given:")
            pairs = Counter((o.expected, o.answered) for o in wrong)
            for (expected, given), count in pairs.most_common(limit):
                example = next(o for o in wrong if (o.expected, o.answered) == (expected, given))
                lines.append(
                    f"  {count}x {expected} -> {given} (score {example.score}): {example.query!r}"
                )
        if missed:
            in_top3 = sum(o.expected in o.top3 for o in missed)
            lines.append(f"Not answered ({len(missed)}; expected entry in top 3 for {in_top3}):")
            lines.extend(f"  {o.expected}: {o.query!r}" for o in missed[:limit])
        handed = [o for o in self.outcomes if o.handoff]
        if handed:
            reasons = Counter(o.handoff for o in handed)
            lines.append(
                f"Handed to a person instead ({len(handed)}): "
                + ", ".join(f"{k}={v}" for k, v in reasons.most_common())
            )
            lines.extend(f"  [{o.intent} -> {o.handoff}] {o.query!r}" for o in handed[:limit])
        intents = Counter(o.intent for o in self.outcomes)
        lines.append("Rasa intents: " + ", ".join(f"{k}={v}" for k, v in intents.most_common(8)))
        return lines


@dataclass
class Evaluation:
    """A throwaway knowledge base made from a corpus, in its own temporary directory."""

    settings: Settings
    external_ids: dict[str, str]
    """Entry id per corpus record id."""


def prepare(settings: Settings, corpus: list[Path], workdir: Path) -> Evaluation:
    entries = [entry for path in corpus for entry in read_entries(path)]
    throwaway = settings.model_copy(update={"data_dir": workdir, "database_url": ""})
    engine = make_engine(throwaway.sqlalchemy_url)
    migrate(engine)
    with Session(engine) as session, session.begin():
        store.import_entries(session, entries, Status.PUBLISHED)
    engine.dispose()
    return Evaluation(throwaway, {e.external_id or e.id: e.id for e in entries})


@dataclass
class Query:
    text: str
    expected: str | None = None
    label: int | None = None


def outcome_of(query: Query, meta: dict[str, Any]) -> Outcome:
    """What the reply's metadata (actions/actions.py) says about one query."""
    entry = meta.get("kb_entry") or {}
    handoff = meta.get("handoff") or {}
    set_aside = meta.get("escalation_set_aside") or {}
    candidates = meta.get("candidates") or []
    intent = meta.get("intent") or {}
    return Outcome(
        query=query.text,
        expected=query.expected,
        answered=entry.get("id"),
        top3=[c["id"] for c in candidates[:3]],
        intent=intent.get("name"),
        score=entry.get("score") or (candidates[0]["score"] if candidates else None),
        label=query.label,
        handoff=handoff.get("reason"),
        judged_by=handoff.get("judged_by"),
        set_aside=set_aside.get("reason"),
        escalation_probability=(handoff or set_aside).get("evidence", {}).get("classifier"),
        confidence=intent.get("confidence"),
        candidates=[(c["id"], c["score"]) for c in candidates],
        outcome=meta.get("outcome"),
        answer_confidence=meta.get("kb_confidence"),
    )


async def run_queries(services: Services, queries: list[Query]) -> Report:
    report = Report()
    for query in queries:
        turn = await services.router.handle(
            Inbound("cli", str(uuid.uuid4()), normalise(query.text))
        )
        report.outcomes.append(outcome_of(query, turn.meta))
    return report


def retrieval_queries(path: Path, evaluation: Evaluation) -> list[Query]:
    queries = []
    for row in read_tsv(path, ("id", "query")):
        if row["id"] not in evaluation.external_ids:
            raise EvaluationError(f"{path}: record id {row['id']!r} is not in the corpus")
        queries.append(Query(row["query"], evaluation.external_ids[row["id"]]))
    return queries


def oos_queries(path: Path) -> list[Query]:
    return [Query(row["text"]) for row in read_tsv(path, ("text",))]


def escalation_queries(path: Path) -> list[Query]:
    queries = []
    for number, row in enumerate(read_tsv(path, ("label", "text")), start=2):
        if row["label"] not in ("0", "1"):
            raise EvaluationError(f"{path}: row {number}: the label must be 0 or 1")
        queries.append(Query(row["text"], label=int(row["label"])))
    return queries
