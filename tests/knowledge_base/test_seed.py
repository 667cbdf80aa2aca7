from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from bot.settings import Settings
from knowledge_base.entries import render
from knowledge_base.seed import SeedError, dump_seed, parse_seed, read_seed

TOPICS = {
    "waste", "passport_id", "moving", "parking", "driving_licence", "taxes", "brp_extract",
    "marriage", "wmo_care", "social_assistance", "permits", "contact", "report_problem",
}  # fmt: skip


def test_the_starter_knowledge_base(settings: Settings) -> None:
    entries = read_seed(settings.kb_seed_file)
    assert len(entries) >= 40
    assert {e.topic for e in entries} >= TOPICS
    for entry in entries:
        assert set(entry.answers) == {"nl", "en"}, entry.id
        assert entry.questions["nl"], entry.id
        assert entry.questions["en"], entry.id
        assert entry.source_url, entry.id
        assert entry.owner, entry.id
        for language in ("nl", "en"):
            text = render(entry.answers[language], settings.municipality(language))
            assert "{" not in text, entry.id
            assert "}" not in text, entry.id


def test_placeholders_come_from_the_settings(settings: Settings) -> None:
    text = render("Bel {phone} of kijk op {website}. {onbekend}", settings.municipality("nl"))
    phone, website = settings.municipality_phone, settings.municipality_website
    assert text == f"Bel {phone} of kijk op {website}. {{onbekend}}"


MINIMAL = {"id": "a", "topic": "t", "questions": {"nl": ["q"]}, "answer": {"nl": "x"}}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({}, "list of 'entries'"),
        ({"entries": [{"id": "a"}]}, "missing"),
        (
            {"entries": [{"id": "a", "topic": "t", "questions": {"en": ["q"]}, "answer": {}}]},
            "Dutch",
        ),
        (
            {
                "entries": [
                    {"id": "a", "topic": "t", "questions": {"nl": ["q"]}, "answer": {"nl": "x"}},
                    {"id": "a", "topic": "t", "questions": {"nl": ["q"]}, "answer": {"nl": "x"}},
                ]
            },
            "duplicate id",
        ),
        ({"entries": [{**MINIMAL, "valid_until": "2026-12-31"}]}, "time zone"),
        ({"entries": [{**MINIMAL, "valid_until": "morgen"}]}, "time zone"),
        (
            {
                "entries": [
                    {
                        **MINIMAL,
                        "valid_from": "2026-12-31T00:00:00+01:00",
                        "valid_until": "2026-12-30T00:00:00+01:00",
                    }
                ]
            },
            "must be after",
        ),
    ],
)
def test_bad_seed_files_say_what_is_wrong(document: object, message: str) -> None:
    with pytest.raises(SeedError, match=message):
        parse_seed(document)


def test_reads_yaml(tmp_path: Path) -> None:
    seed = tmp_path / "seed.yml"
    seed.write_text(
        "entries:\n  - id: a\n    topic: waste\n    questions: {nl: [vraag]}\n"
        "    answer: {nl: antwoord}\n",
        encoding="utf-8",
    )
    (entry,) = read_seed(seed)
    assert (entry.id, entry.version, entry.answers) == ("a", 1, {"nl": "antwoord"})


def test_a_validity_window_is_read_and_written_back(tmp_path: Path) -> None:
    seed = tmp_path / "seed.yml"
    seed.write_text(
        "entries:\n  - id: a\n    topic: waste\n    questions: {nl: [vraag]}\n"
        "    answer: {nl: antwoord}\n    valid_from: 2026-12-24T18:00:00+01:00\n"
        "    valid_until: '2027-01-02T00:00:00+01:00'\n",
        encoding="utf-8",
    )
    (entry,) = read_seed(seed)
    assert entry.valid_from == datetime(2026, 12, 24, 17, 0, tzinfo=UTC)
    assert entry.valid_until == datetime(2027, 1, 1, 23, 0, tzinfo=UTC)
    (again,) = parse_seed(yaml.safe_load(dump_seed([(entry, "published")])))
    assert again == entry
