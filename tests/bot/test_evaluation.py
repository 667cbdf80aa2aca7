from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.evaluation import EvaluationError, Outcome, Report, read_tsv


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
