from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.settings import PROJECT_DIR
from knowledge_base import store
from knowledge_base.entries import Entry, Status
from knowledge_base.files import read_entries
from knowledge_base.rijksoverheid import RijksoverheidError, html_to_text
from knowledge_base.seed import SeedError, dump_seed, parse_seed, parse_seed_wordings
from knowledge_base.tables import EntryVersionRow

DATASETS = PROJECT_DIR.parent / "shared" / "datasets" / "rijksoverheid-vac"
BZK = DATASETS / "rijksoverheid_vacs_bzk.csv"


def test_html_becomes_clean_text() -> None:
    html = "<p>Vraag&nbsp;het aan &amp; betaal.<br/>Daarna:</p>\n<ul>\n <li>stap <b>een</b>;</li>\n <li>stap twee.</li>\n</ul><h3>Kosten</h3><p>Zie de site.</p>"  # noqa: E501
    assert html_to_text(html) == (
        "Vraag het aan & betaal.\nDaarna:\n\n- stap een;\n- stap twee.\n\nKosten\n\nZie de site."
    )


@pytest.mark.skipif(not BZK.exists(), reason="the shared datasets are not next to this checkout")
def test_imports_the_real_rijksoverheid_export() -> None:
    entries = read_entries(BZK)
    assert len(entries) == 175
    first = entries[0]
    assert first.external_id == "79122ced-6f10-4974-8205-2c43a40fdf7b"
    assert first.id == "rijksoverheid-" + first.external_id
    assert first.topic == "paspoort-en-identiteitskaart"
    assert first.questions == {"nl": ["Bevat mijn paspoortnummer het cijfer ‘0’ of de letter ’O’?"]}
    assert first.source_url.startswith("https://www.rijksoverheid.nl/onderwerpen/")
    assert "- een visumaanvraag;" in first.answers["nl"]
    assert all("<" not in e.answers["nl"] for e in entries)
    assert len({e.id for e in entries}) == 175


def test_a_csv_that_is_not_an_export_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(RijksoverheidError, match="not a rijksoverheid export"):
        read_entries(path)
    with pytest.raises(SeedError, match="unknown format"):
        read_entries(tmp_path / "entries.json")


def test_reimport_adds_a_version_only_when_content_changed(
    engine: Engine, small_entries: list[Entry]
) -> None:
    with Session(engine) as session, session.begin():
        assert store.import_entries(session, small_entries, Status.PUBLISHED)["added"] == 4
    with Session(engine) as session, session.begin():
        counts = store.import_entries(session, small_entries, Status.PUBLISHED)
    assert counts == {"added": 0, "updated": 0, "unchanged": 4}

    changed = Entry(**{**small_entries[0].__dict__, "answers": {"nl": "Nieuw."}})
    with Session(engine) as session, session.begin():
        counts = store.import_entries(session, [changed], Status.PUBLISHED)
    assert counts["updated"] == 1
    with Session(engine) as session:
        versions = session.execute(
            select(EntryVersionRow.version, EntryVersionRow.status)
            .where(EntryVersionRow.entry_id == changed.id)
            .order_by(EntryVersionRow.version)
        ).all()
        answerable = {e.id: e for e in store.answerable_entries(session)}
    assert versions == [(1, "retired"), (2, "published")]
    assert answerable[changed.id].version == 2
    assert answerable[changed.id].answers == {"nl": "Nieuw."}


def test_a_draft_import_does_not_change_what_is_answered(
    engine: Engine, small_entries: list[Entry]
) -> None:
    with Session(engine) as session, session.begin():
        store.import_entries(session, small_entries[:1], Status.PUBLISHED)
        changed = Entry(**{**small_entries[0].__dict__, "answers": {"nl": "Concept."}})
        store.import_entries(session, [changed], Status.DRAFT)
    with Session(engine) as session:
        (entry,) = store.answerable_entries(session)
        ((latest, status),) = store.latest_versions(session)
    assert (entry.version, entry.answers) == (1, small_entries[0].answers)
    assert (latest.version, status) == (2, Status.DRAFT)


def test_export_reads_back_as_the_same_entries() -> None:
    entries = read_entries(PROJECT_DIR / "knowledge_base" / "seed" / "starter.yml")
    exported = dump_seed([(entry, "published") for entry in entries])
    assert parse_seed(yaml.safe_load(exported)) == entries


def test_residents_wordings_are_exported_with_their_entry_and_read_back() -> None:
    entries = read_entries(PROJECT_DIR / "knowledge_base" / "seed" / "starter.yml")[:3]
    in_use = {entries[0].id: ("mn pas is weg", "paspoort kwijt wat nu"), "elders": ("niet hier",)}
    document = yaml.safe_load(dump_seed([(entry, "published") for entry in entries], in_use))
    assert parse_seed(document) == entries
    assert parse_seed_wordings(document) == {entries[0].id: in_use[entries[0].id]}
    document["entries"][1]["wordings"] = "paspoort"
    with pytest.raises(SeedError, match="entry 2: 'wordings' is a list of texts"):
        parse_seed_wordings(document)
