"""Residents' wordings: the file shipped with Loket, and the municipality's own in the database,
proposed by one member of staff and approved by another."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot.cli import main
from bot.settings import Settings
from knowledge_base import live, store, wordings
from knowledge_base.entries import Status
from knowledge_base.errors import FourEyes, InvalidContent, UnknownEntry, WrongState
from knowledge_base.wordings import WordingsError, WordingStatus, read_wordings
from tests.knowledge_base.conftest import make_entry


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "wordings.tsv"
    path.write_text(text, encoding="utf-8")
    return path


def test_wordings_are_read_per_entry_in_file_order(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "# from the development sets\n"
        "entry\twording\n"
        "paspoort\tmn pas is gejat wat nu\n"
        "grofvuil\twnnr halen jullie de bank op\n"
        "\n"
        "paspoort\tlost my passport on holiday\n"
        "paspoort\tmn pas is gejat wat nu\n",
    )
    assert read_wordings(path) == {
        "paspoort": ("mn pas is gejat wat nu", "lost my passport on holiday"),
        "grofvuil": ("wnnr halen jullie de bank op",),
    }


def test_no_wordings_file_means_no_wordings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert read_wordings(None) == {}
    monkeypatch.setenv("LOKET_KB_WORDINGS", "")
    assert Settings(_env_file=None).kb_wordings is None  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("id\tquery\npaspoort\tpas kwijt\n", "the first line must be entry<TAB>wording"),
        ("", "the first line must be entry<TAB>wording"),
        ("entry\twording\npaspoort\tpas kwijt\ngrofvuil\n", "line 3 needs an entry id"),
        ("entry\twording\npaspoort\t \n", "line 2 needs an entry id"),
        ("entry\twording\npaspoort\tpas\tkwijt\n", "line 2 needs an entry id"),
    ],
)
def test_a_broken_wordings_file_is_refused_with_where(tmp_path: Path, text: str, says: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(WordingsError, match=says) as refused:
        read_wordings(path)
    assert str(path) in str(refused.value)


def test_a_missing_wordings_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WordingsError, match="No such file"):
        read_wordings(tmp_path / "missing.tsv")


def test_loket_does_not_start_on_a_broken_wordings_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "entry\twording\npaspoort\n")
    monkeypatch.setenv("LOKET_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LOKET_KB_WORDINGS", str(path))
    assert main(["kb", "export"]) == 2
    assert capsys.readouterr().err == f"loket: {path}: line 2 needs an entry id and a wording\n"


def test_sources_are_merged_per_entry_in_order_each_wording_once() -> None:
    shipped = {"paspoort": ("pas kwijt", "paspoort weg"), "afval": ("bak vol",)}
    own = {"paspoort": ["paspoort weg", "pas gejat"], "parkeren": ["bon gekregen"]}
    assert wordings.merged(shipped, own) == {
        "paspoort": ("pas kwijt", "paspoort weg", "pas gejat"),
        "afval": ("bak vol",),
        "parkeren": ("bon gekregen",),
    }


@pytest.fixture
def entry_id(engine: Engine) -> str:
    entry = make_entry("paspoort-kwijt", "passport_id", ["Ik ben mijn paspoort kwijt"], "Meld het.")
    with Session(engine) as session, session.begin():
        store.import_entries(session, [entry], Status.PUBLISHED)
    return entry.id


def revision(engine: Engine) -> int:
    with Session(engine) as session:
        return live.revisions(session)[live.KNOWLEDGE_BASE]


def test_a_wording_is_used_once_someone_else_approves_it(engine: Engine, entry_id: str) -> None:
    with Session(engine) as session, session.begin():
        proposed = wordings.propose(
            session, entry_id, "  mn pas is\tweg op vakantie  ", "staff:carl", "c-1"
        )
    assert (proposed.text, proposed.status, proposed.conversation_id) == (
        "mn pas is weg op vakantie",
        WordingStatus.PROPOSED,
        "c-1",
    )
    before = revision(engine)
    with Session(engine) as session:
        assert wordings.approved(session) == {}
        assert [w.id for w in wordings.proposed(session)] == [proposed.id]
        with pytest.raises(FourEyes):
            wordings.approve(session, proposed.id, "staff:carl")
    assert revision(engine) == before  # nothing changed for residents

    with Session(engine) as session, session.begin():
        approved = wordings.approve(session, proposed.id, "staff:bob")
    assert (approved.status, approved.decided_by) == (WordingStatus.APPROVED, "staff:bob")
    assert revision(engine) == before + 1
    with Session(engine) as session:
        assert wordings.approved(session) == {entry_id: ("mn pas is weg op vakantie",)}
        assert wordings.proposed(session) == []

    with Session(engine) as session, session.begin():
        removed = wordings.remove(
            session, proposed.id, "staff:bob", "  leidde naar het verkeerde antwoord "
        )
    assert (removed.status, removed.note) == (
        WordingStatus.REMOVED,
        "leidde naar het verkeerde antwoord",
    )
    assert revision(engine) == before + 2
    with Session(engine) as session:
        assert wordings.approved(session) == {}
        assert [w.status for w in wordings.of_entry(session, entry_id)] == [WordingStatus.REMOVED]


def test_each_step_fits_only_where_the_wording_is(engine: Engine, entry_id: str) -> None:
    with Session(engine) as session, session.begin():
        first = wordings.propose(session, entry_id, "pas kwijt", "staff:carl")
        with pytest.raises(WrongState, match="waiting for approval"):
            wordings.propose(session, entry_id, "PAS KWIJT", "staff:dana")
        with pytest.raises(WrongState):
            wordings.remove(session, first.id, "staff:bob")
        rejected = wordings.reject(session, first.id, "staff:bob", "Te algemeen.")
        assert (rejected.status, rejected.note) == (WordingStatus.REJECTED, "Te algemeen.")
        with pytest.raises(WrongState):
            wordings.approve(session, first.id, "staff:bob")
        # Proposed again (better argued), it is the same wording, waiting once more.
        again = wordings.propose(session, entry_id, "pas kwijt", "staff:dana")
        assert (again.id, again.status, again.proposed_by, again.note) == (
            first.id,
            WordingStatus.PROPOSED,
            "staff:dana",
            None,
        )
        wordings.approve(session, again.id, "staff:bob")
        with pytest.raises(WrongState, match="in use already"):
            wordings.propose(session, entry_id, "Pas  kwijt", "staff:carl")
        with pytest.raises(UnknownEntry):
            wordings.propose(session, "geen-entry", "pas kwijt", "staff:carl")
        with pytest.raises(UnknownEntry):
            wordings.approve(session, 999, "staff:bob")
        for text in ("  ", "ja", "x" * (wordings.MAX_WORDING_CHARS + 1)):
            with pytest.raises(InvalidContent):
                wordings.propose(session, entry_id, text, "staff:carl")


def test_an_import_brings_wordings_but_never_undoes_a_decision(
    engine: Engine, entry_id: str
) -> None:
    with Session(engine) as session, session.begin():
        waiting = wordings.propose(session, entry_id, "pas weg", "staff:carl")
        turned_down = wordings.propose(session, entry_id, "ik wil weg", "staff:carl")
        wordings.reject(session, turned_down.id, "staff:bob", "Gaat niet over de pas.")
    imported = {entry_id: ["pas weg", "ik wil weg", "paspoort gestolen"]}
    with Session(engine) as session, session.begin():
        assert wordings.import_wordings(session, imported, "cli:ops", approved=False) == 1
        assert wordings.approved(session) == {}
    with Session(engine) as session, session.begin():
        assert wordings.import_wordings(session, imported, "cli:ops", approved=True) == 2
    with Session(engine) as session:
        assert wordings.approved(session) == {entry_id: ("pas weg", "paspoort gestolen")}
        assert wordings.wording(session, waiting.id).decided_by == "cli:ops"
        assert wordings.wording(session, turned_down.id).status == WordingStatus.REJECTED
