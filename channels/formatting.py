"""Text shaping shared by the channels: splitting a long message where a reader expects it."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+|\n+")


def split_text(text: str, limit: int) -> list[str]:
    """Parts of at most `limit` characters, split between sentences (or, for one overlong
    sentence, between words); joining the parts with whitespace gives the text back."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        while len(sentence) > limit:
            cut = sentence.rfind(" ", 0, limit + 1)
            cut = cut if cut > 0 else limit
            pieces.append(sentence[:cut])
            sentence = sentence[cut:].lstrip()
        if sentence:
            pieces.append(sentence)
    parts: list[str] = []
    for piece in pieces:
        if parts and len(parts[-1]) + 1 + len(piece) <= limit:
            parts[-1] = f"{parts[-1]} {piece}"
        else:
            parts.append(piece)
    return parts
