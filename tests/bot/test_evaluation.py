from __future__ import annotations

import json
from pathlib import Path

import pytest

from actions.actions import kb_entry_payload
from actions.escalation import escalation
from bot.evaluation import EvaluationError, Outcome, Query, Report, outcome_of, read_tsv
from knowledge_base.entries import Candidate, Entry


def test_reads_tsv_with_comments(tmp_path: Path) -> None:
    path = tmp_path / "q.tsv"
    path.write_text("# a comment\nid\tquery\n# another\nabc\tmn paspoort is kwijt\n\n", "utf-8")
    assert read_tsv(path, ("id", "query")) == [{"id": "abc", "query": "mn paspoort is kwijt"}]


@pytest.mark.parametrize(
    ("content", "message"),
    [("query\nx\n", "header must name id, query"), ("id\tquery\nabc\t \n", "line 2 has an empty")],
)
def test_bad_tsv_says_what_is_wrong(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "q.tsv"
    path.write_text(content, "utf-8")
    with pytest.raises(EvaluationError, match=message):
        read_tsv(path, ("id", "query"))


def outcome(expected: str | None, answered: str | None, top3: list[str]) -> Outcome:
    return Outcome("q", expected, answered, top3, intent="ask_question", score=0.5)


def test_retrieval_figures() -> None:
    report = Report(
        [
            outcome("a", "a", ["a", "b", "c"]),  # right
            outcome("a", "b", ["b", "a", "c"]),  # wrong, but in the top 3
            outcome("a", None, ["c", "d", "e"]),  # not answered, not in the top 3
            outcome("a", None, ["a", "d", "e"]),  # not answered, in the top 3
        ]
    )
    assert report.retrieval() == {
        "n": 4,
        "top1": 0.25,
        "top3": 0.75,
        "answered": 0.5,
        "wrong_answer": 0.25,
    }
    confusion = "\n".join(report.confusion())
    assert "1x a -> b" in confusion
    assert "Not answered (2; expected entry in top 3 for 1)" in confusion


def test_out_of_scope_figures() -> None:
    report = Report([outcome(None, None, []), outcome(None, "x", []), outcome(None, None, [])])
    assert report.out_of_scope() == {"n": 3, "answered": 0.3333}


def test_details_are_one_json_object_per_query(tmp_path: Path) -> None:
    report = Report(
        [
            Outcome(
                "mn paspoort kwijt",
                "a",
                "a",
                ["a", "b"],
                intent="ask_question",
                score=0.61,
                confidence=0.93,
                candidates=[("a", 0.61), ("b", 0.4)],
                outcome="answer",
                set_aside="legal_deadline",
                escalation_probability=0.64,
            ),
            outcome(None, None, []),
        ]
    )
    path = tmp_path / "details.jsonl"
    report.write_details(path)
    lines = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    assert len(lines) == 2
    assert lines[0]["query"] == "mn paspoort kwijt"
    assert lines[0]["confidence"] == 0.93
    assert lines[0]["candidates"] == [["a", 0.61], ["b", 0.4]]
    assert (lines[0]["set_aside"], lines[0]["escalation_probability"]) == ("legal_deadline", 0.64)
    assert lines[1]["judged_by"] is None
    assert lines[1]["answered"] is None


def test_an_outcome_says_what_judged_a_handoff_and_what_an_answer_set_aside() -> None:
    """Read from the metadata the actions attach to a reply, built by their own functions."""
    intent = {"name": "complaint", "confidence": 0.55}
    found = escalation("complaint", "classifier", intent="complaint", classifier=0.71)
    handed = outcome_of(
        Query("de baliemedewerker was grof", label=1),
        {"intent": intent, "handoff": found.as_json(), "outcome": "handoff"},
    )
    assert (handed.handoff, handed.judged_by, handed.set_aside) == ("complaint", "classifier", None)
    assert handed.escalation_probability == 0.71

    entry = Entry(
        id="bezwaar", version=2, topic="taxes", questions={"nl": ["q"]}, answers={"nl": "a"}
    )
    best = kb_entry_payload(Candidate(entry, 0.61, semantic=0.6, lexical=0.5, characters=0.5))
    deadline = escalation("legal_deadline", "intent", classifier=0.64)
    answered = outcome_of(
        Query("hoe maak ik bezwaar", expected="bezwaar"),
        {
            "intent": intent,
            "kb_entry": best,
            "candidates": [best],
            "kb_confidence": 0.83,
            "outcome": "answer",
            "escalation_set_aside": deadline.as_json(),
        },
    )
    assert (answered.answered, answered.handoff, answered.judged_by) == ("bezwaar", None, None)
    assert (answered.set_aside, answered.escalation_probability) == ("legal_deadline", 0.64)
    assert (answered.top3, answered.answer_confidence) == (["bezwaar"], 0.83)
