"""The project's own YAML format for knowledge-base entries: the shipped seed, import, export."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from knowledge_base.entries import Entry
from knowledge_base.text import LANGUAGES, Language


class SeedError(ValueError):
    """A seed file that cannot be imported; the message says where and why."""


def _languages(raw: Any, where: str, what: str) -> dict[Language, Any]:
    if not isinstance(raw, dict) or "nl" not in raw:
        raise SeedError(f"{where}: '{what}' needs at least a Dutch ('nl') text")
    unknown = set(raw) - set(LANGUAGES)
    if unknown:
        raise SeedError(f"{where}: '{what}' has unknown languages {sorted(unknown)}")
    return {lang: raw[lang] for lang in LANGUAGES if lang in raw}


def _moment(raw: Any, where: str, what: str) -> datetime | None:
    """A validity bound: a date and time with its offset from UTC (`2026-12-31T00:00:00+01:00`)."""
    if raw is None:
        return None
    if isinstance(raw, str):
        try:
            raw = datetime.fromisoformat(raw)
        except ValueError:
            raw = None
    if not isinstance(raw, datetime) or raw.tzinfo is None:
        raise SeedError(
            f"{where}: '{what}' needs a date and time with its time zone, "
            "such as 2026-12-31T00:00:00+01:00"
        )
    return raw


def parse_seed(document: Any, source: str = "seed") -> list[Entry]:
    if not isinstance(document, dict) or not isinstance(document.get("entries"), list):
        raise SeedError(f"{source}: expected a mapping with a list of 'entries'")
    entries: list[Entry] = []
    seen: set[str] = set()
    for number, raw in enumerate(document["entries"], start=1):
        where = f"{source}: entry {number}"
        if not isinstance(raw, dict):
            raise SeedError(f"{where}: expected a mapping")
        missing = {"id", "topic", "questions", "answer"} - set(raw)
        if missing:
            raise SeedError(f"{where}: missing {sorted(missing)}")
        entry_id = str(raw["id"])
        if entry_id in seen:
            raise SeedError(f"{where}: duplicate id {entry_id!r}")
        seen.add(entry_id)
        questions = _languages(raw["questions"], where, "questions")
        answers = _languages(raw["answer"], where, "answer")
        valid_from = _moment(raw.get("valid_from"), where, "valid_from")
        valid_until = _moment(raw.get("valid_until"), where, "valid_until")
        if valid_from and valid_until and valid_until <= valid_from:
            raise SeedError(f"{where}: 'valid_until' must be after 'valid_from'")
        entries.append(
            Entry(
                id=entry_id,
                version=int(raw.get("version", 1)),
                topic=str(raw["topic"]),
                questions={lang: [str(q) for q in qs] for lang, qs in questions.items()},
                answers={lang: str(text).strip() for lang, text in answers.items()},
                source_url=str(raw.get("source_url", "")),
                owner=str(raw.get("owner", "")),
                external_id=raw.get("external_id"),
                valid_from=valid_from,
                valid_until=valid_until,
            )
        )
    return entries


def parse_seed_wordings(document: Any, source: str = "seed") -> dict[str, tuple[str, ...]]:
    """Per entry id, the residents' wordings of its question that the file lists under
    `wordings` (knowledge_base/wordings.py); entries without them are left out."""
    parse_seed(document, source)
    found: dict[str, tuple[str, ...]] = {}
    for number, raw in enumerate(document["entries"], start=1):
        listed = raw.get("wordings", [])
        if not isinstance(listed, list) or not all(isinstance(w, str) for w in listed):
            raise SeedError(f"{source}: entry {number}: 'wordings' is a list of texts")
        if listed:
            found[str(raw["id"])] = tuple(listed)
    return found


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as file:
        return yaml.safe_load(file)


def read_seed(path: Path) -> list[Entry]:
    return parse_seed(_load(path), source=str(path))


def read_seed_wordings(path: Path) -> dict[str, tuple[str, ...]]:
    return parse_seed_wordings(_load(path), source=str(path))


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else ">" if len(value) > 90 else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_seed(
    entries: list[tuple[Entry, str]], wordings: Mapping[str, Sequence[str]] | None = None
) -> str:
    """The seed format, with each entry's version and status and the residents' wordings in
    use, for review in git."""
    wordings = wordings or {}
    document = {
        "version": 1,
        "entries": [
            {
                "id": entry.id,
                **({"external_id": entry.external_id} if entry.external_id else {}),
                "topic": entry.topic,
                "version": entry.version,
                "status": status,
                "owner": entry.owner,
                "source_url": entry.source_url,
                "questions": {lang: list(qs) for lang, qs in entry.questions.items()},
                "answer": dict(entry.answers),
                **{
                    name: moment.isoformat()
                    for name, moment in (
                        ("valid_from", entry.valid_from),
                        ("valid_until", entry.valid_until),
                    )
                    if moment is not None
                },
                **({"wordings": list(wordings[entry.id])} if wordings.get(entry.id) else {}),
            }
            for entry, status in entries
        ],
    }
    dumped: str = yaml.dump(
        document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100
    )
    return dumped
