from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings
from knowledge_base.wordings import WordingsError, read_wordings


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
