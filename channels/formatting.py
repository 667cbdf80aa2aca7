"""Text shaping shared by the channels: a small markup for answers, and splitting long messages.

Answers and agents' replies may use three things of Markdown, which every channel shows its own
way: `**bold**`, links as `[label](https://...)` or a bare `https://...` address, and list lines
starting with `- `. Everything else is plain text, and is escaped where the platform needs it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from typing import Final, Literal

_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+|\n+")
_MARKUP: Final = re.compile(
    r"\*\*(?P<bold>[^*\n]+?)\*\*"
    r"|\[(?P<label>[^\]\n]+)\]\((?P<url>https?://[^\s)]+)\)"
    r"|(?P<bare>https?://[^\s<>()]*[^\s<>().,;:!?'\"])"
)
_LIST_ITEM: Final = re.compile(r"^- ", re.MULTILINE)
BULLET: Final = "• "


@dataclass(frozen=True)
class Span:
    kind: Literal["text", "bold", "link"]
    text: str
    url: str = ""


def spans(text: str) -> list[Span]:
    """The text as plain, bold and link pieces; list markers become bullets."""
    text = _LIST_ITEM.sub(BULLET, text)
    result: list[Span] = []
    position = 0
    for match in _MARKUP.finditer(text):
        if match.start() > position:
            result.append(Span("text", text[position : match.start()]))
        if match["bold"]:
            result.append(Span("bold", match["bold"]))
        elif match["label"]:
            result.append(Span("link", match["label"], match["url"]))
        else:
            result.append(Span("link", match["bare"], match["bare"]))
        position = match.end()
    if position < len(text):
        result.append(Span("text", text[position:]))
    return result


def plain_text(text: str) -> str:
    """Without markup: a labelled link keeps its address in brackets."""
    return "".join(
        f"{s.text} ({s.url})" if s.kind == "link" and s.text != s.url else s.text
        for s in spans(text)
    )


def telegram_html(text: str) -> str:
    """Telegram's HTML parse mode: everything escaped except the tags made here."""
    parts = []
    for span in spans(text):
        if span.kind == "bold":
            parts.append(f"<b>{escape(span.text, quote=False)}</b>")
        elif span.kind == "link":
            parts.append(f'<a href="{escape(span.url)}">{escape(span.text, quote=False)}</a>')
        else:
            parts.append(escape(span.text, quote=False))
    return "".join(parts)


def whatsapp_text(text: str) -> str:
    """WhatsApp shows `*bold*` and makes addresses clickable itself; it has no link labels."""
    parts = []
    for span in spans(text):
        if span.kind == "bold":
            parts.append(f"*{span.text}*")
        elif span.kind == "link" and span.text != span.url:
            parts.append(f"{span.text}: {span.url}")
        else:
            parts.append(span.text)
    return "".join(parts)


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
