"""An answer in passages: a resident's question is often about one part of a long answer.

A rijksoverheid answer runs to a page: an opening paragraph, then sections under headings
("Paspoortnummer invullen"). Each paragraph, with the heading above it, is a passage, embedded on
its own; how well the best passage matches a question tells whether the entry answers it.
"""

from __future__ import annotations

from typing import Final

PASSAGE_CHARACTERS: Final = 600
"""A passage is cut here: the embedding model reads about this much Dutch (256 word pieces)."""
MAX_PASSAGES: Final = 10
"""Passages after these are left out: embedding the longest rijksoverheid answers (up to 22
passages, in Dutch and in the glossary's English) took up to 0.7 s on publishing, ten 0.4 s;
the best-matching passage of the right answer was among the first ten for 353 of 360
development questions (measured)."""
_HEADING_CHARACTERS: Final = 100
_SENTENCE_ENDS: Final = (".", "?", "!", ":")


def _is_heading(block: str) -> bool:
    return (
        "\n" not in block
        and len(block) < _HEADING_CHARACTERS
        and not block.endswith(_SENTENCE_ENDS)
    )


def passages(answer: str) -> list[str]:
    """The first MAX_PASSAGES paragraphs of an answer (blank-line separated, list items kept
    with theirs), each preceded by the heading above it, on one line."""
    blocks = [block.strip() for block in answer.split("\n\n") if block.strip()]
    found: list[str] = []
    heading = ""
    for block in blocks:
        if _is_heading(block):
            heading = f"{heading} {block}".strip()
            continue
        text = f"{heading}. {block}" if heading else block
        heading = ""
        found.append(text.replace("\n", " ")[:PASSAGE_CHARACTERS])
    if heading:
        found.append(heading)
    return found[:MAX_PASSAGES]
