"""Agents' ready-made replies, from a YAML file the webcare team keeps (see
`data/canned_responses.yml`): a title and a text per language, Dutch required."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class CannedResponse:
    title: str
    texts: dict[str, str]

    def text_in(self, language: str) -> str:
        return self.texts.get(language) or self.texts["nl"]


def read_canned_responses(path: Path) -> list[CannedResponse]:
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else []
    responses = []
    for number, item in enumerate(data or [], start=1):
        texts = item.get("text") if isinstance(item, dict) else None
        if not isinstance(texts, dict) or not texts.get("nl") or not item.get("title"):
            raise ValueError(f"{path}: response {number} needs a title and a text with nl")
        responses.append(CannedResponse(str(item["title"]), {k: str(v) for k, v in texts.items()}))
    return responses
