"""Residents' wordings: how residents asked an entry's question, in their own words.

An entry has one or a few questions as an editor writes them ("Wat moet ik doen als mijn
paspoort is gestolen?"); residents write "paspoort gejat op vakantie wat nu". Their wordings,
kept per entry id in a file beside the knowledge base, are compared with a question by meaning
only: the best match among an entry's questions, answer openings and wordings is its semantic
score. They are never shown, and their words stay out of the lexical and character scores, where
a resident's everyday words ("mag", "kan ik", "wat nu") would match every other resident's.

A wording for an entry that is not in the knowledge base is read and never used, so one file can
serve the starter entries and an imported rijksoverheid corpus alike. A wording is how residents
ask, never a message as a resident sent it: no names, addresses or numbers, for its vector is
stored with the entries' texts.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from typing import Final

HEADER: Final = ("entry", "wording")


class WordingsError(ValueError):
    """A wordings file that cannot be read; the message says where and why."""


def read_wordings(path: Path | None) -> Mapping[str, tuple[str, ...]]:
    """Per entry id, its wordings in file order; none without a path. A TSV with the header
    `entry<TAB>wording`; lines starting with `#` are comments."""
    if path is None:
        return {}
    try:
        with path.open(encoding="utf-8", newline="") as file:
            lines = [line for line in file if line.strip() and not line.startswith("#")]
    except OSError as error:
        raise WordingsError(f"{path}: {error.strerror}") from error
    rows = list(csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or tuple(rows[0]) != HEADER:
        raise WordingsError(f"{path}: the first line must be {'<TAB>'.join(HEADER)}")
    found: dict[str, list[str]] = {}
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(HEADER) or not all(field.strip() for field in row):
            raise WordingsError(f"{path}: line {number} needs an entry id and a wording")
        entry, wording = (field.strip() for field in row)
        if wording not in found.setdefault(entry, []):
            found[entry].append(wording)
    return {entry: tuple(wordings) for entry, wordings in found.items()}
