"""How an answer looks on each channel, for the editor's preview: split into the messages the
channel sends, each as pieces of plain, bold and link text (the page builds them as nodes)."""

from __future__ import annotations

from typing import Any

from channels import telegram, whatsapp
from channels.formatting import Span, spans, split_text


def _pieces(text: str) -> list[dict[str, Any]]:
    return [{"kind": s.kind, "text": s.text, "url": s.url} for s in spans(text)]


def _whatsapp_pieces(text: str) -> list[dict[str, Any]]:
    """WhatsApp shows bold and makes bare addresses clickable; a labelled link becomes
    "label: address" (see `channels.formatting.whatsapp_text`)."""
    pieces: list[Span] = []
    for span in spans(text):
        if span.kind == "link" and span.text != span.url:
            pieces += [Span("text", f"{span.text}: "), Span("link", span.url, span.url)]
        else:
            pieces.append(span)
    return [{"kind": s.kind, "text": s.text, "url": s.url} for s in pieces]


def preview(text: str) -> dict[str, list[list[dict[str, Any]]]]:
    return {
        "webchat": [_pieces(text)],
        "telegram": [_pieces(part) for part in split_text(text, telegram.MAX_TEXT)],
        "whatsapp": [_whatsapp_pieces(part) for part in split_text(text, whatsapp.MAX_TEXT)],
    }
