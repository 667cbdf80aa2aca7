"""Import of the national government's FAQ export ("vraag en antwoord", opendata.rijksoverheid.nl):
a CSV with id, question, reference_answer(_html), canonical, subjects, authorities, ..."""

from __future__ import annotations

import csv
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Final

from knowledge_base.entries import Entry

REQUIRED_COLUMNS: Final = frozenset({"id", "question", "reference_answer_html", "canonical"})
ENTRY_ID_PREFIX: Final = "rijksoverheid-"
"""A record's entry id is this and the record's id, which is also the entry's external id."""
_BLOCKS: Final = frozenset(
    {"p", "div", "br", "ul", "ol", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6"}
)


class RijksoverheidError(ValueError):
    """A file that is not a rijksoverheid FAQ export."""


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "li":
            self.parts.append("\n- ")
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if (tag in _BLOCKS or tag == "li") and tag != "br":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """Readable plain text: paragraphs on lines of their own, list items as "- item"."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    text = unescape("".join(extractor.parts)).replace("\xa0", " ")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    kept: list[str] = []
    for number, line in enumerate(lines):
        if not line:
            following = next((rest for rest in lines[number + 1 :] if rest), "")
            in_list = bool(kept) and kept[-1].startswith("- ") and following.startswith("- ")
            if not kept or not kept[-1] or in_list:
                continue  # one blank line between paragraphs, none between list items
        kept.append(line)
    return "\n".join(kept).strip()


def _topic(subjects: str) -> str:
    first = subjects.split("|")[0].strip().casefold()
    return re.sub(r"[^a-z0-9]+", "-", first).strip("-")[:60] or "general"


def read_rijksoverheid_csv(path: Path) -> list[Entry]:
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        missing = REQUIRED_COLUMNS - set(reader.fieldnames or ())
        if missing:
            raise RijksoverheidError(f"{path}: not a rijksoverheid export: no {sorted(missing)}")
        entries = []
        for row in reader:
            answer = html_to_text(row["reference_answer_html"]) or row.get("reference_answer", "")
            if not row["id"] or not row["question"].strip() or not answer.strip():
                raise RijksoverheidError(f"{path}: record {row['id']!r} has no question or answer")
            entries.append(
                Entry(
                    id=ENTRY_ID_PREFIX + row["id"],
                    external_id=row["id"],
                    version=1,
                    topic=_topic(row.get("subjects", "")),
                    questions={"nl": [row["question"].strip()]},
                    answers={"nl": answer.strip()},
                    source_url=row["canonical"],
                    owner=row.get("authorities", "").split("|")[0],
                )
            )
        return entries
