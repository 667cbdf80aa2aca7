"""What approving a residents' wording would take from the answers it comes close to.

A wording draws residents' questions to its entry, also some that belong to a neighbour: with
four wordings for each of half the rijksoverheid entries, the situation questions of the other
half went to a wrong entry 0.089 of the time instead of 0.069 (README: "What a few residents'
wordings do"). An approver sees here which of the neighbours' own residents' wordings would
rank the entry first once it is approved, and did not before.

Each neighbour's wording is asked as a resident's new question: of an index without it, since
its own entry would otherwise match it exactly and nothing could ever be taken. That costs a
small index change per wording (the entries' vectors are cached) and a search, about 40 ms on
two cores (2.2 to 2.9 s for the 63 wordings of three starter entries), so an effect is measured
on request, for one wording at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from knowledge_base.entries import Entry
from knowledge_base.retrieval import HybridIndex

NEIGHBOURS: Final = 3
"""The entries measured: the best this many for the wording besides its own entry."""
MEASURED_PER_ENTRY: Final = 30
"""At most this many wordings of each neighbour are asked again."""


@dataclass(frozen=True)
class Taken:
    """A neighbour, and those of its residents' wordings that would go to the worded entry."""

    entry: Entry
    measured: int
    wordings: tuple[str, ...]


@dataclass(frozen=True)
class Effect:
    entry_id: str
    neighbours: tuple[Taken, ...] = field(default_factory=tuple)
    answerable: bool = True
    """Whether residents can get the entry now: a wording of one they cannot takes nothing yet."""

    @property
    def measured(self) -> int:
        return sum(taken.measured for taken in self.neighbours)

    @property
    def taken(self) -> int:
        return sum(len(taken.wordings) for taken in self.neighbours)

    def as_json(self) -> dict[str, Any]:
        return {
            "entry_id": self.entry_id,
            "answerable": self.answerable,
            "measured": self.measured,
            "taken": self.taken,
            "neighbours": [
                {
                    "entry_id": taken.entry.id,
                    "question": taken.entry.question_in("nl"),
                    "measured": taken.measured,
                    "wordings": list(taken.wordings),
                }
                for taken in self.neighbours
            ],
        }


def effect(index: HybridIndex, entry_id: str, text: str) -> Effect:
    """What `text`, approved as a wording of `entry_id`, takes from the entries in `index` it
    comes closest to. Nothing is measured when the entry is not answerable (not in `index`)."""
    worded = index.entry(entry_id)
    if worded is None:
        return Effect(entry_id, answerable=False)
    neighbours = [
        candidate.entry
        for candidate in index.search(text, limit=NEIGHBOURS + 1)
        if candidate.entry.id != entry_id
    ][:NEIGHBOURS]
    return Effect(
        entry_id, tuple(_taken(index, worded, text, neighbour) for neighbour in neighbours)
    )


def _taken(index: HybridIndex, worded: Entry, text: str, neighbour: Entry) -> Taken:
    in_use = index.wordings
    with_text = (*in_use.get(worded.id, ()), text)
    its_wordings = in_use.get(neighbour.id, ())
    asked = list(dict.fromkeys(its_wordings))[:MEASURED_PER_ENTRY]
    taken = []
    for wording in asked:
        without = {**in_use, neighbour.id: tuple(w for w in its_wordings if w != wording)}
        after = index.with_changes([neighbour, worded], [], {**without, worded.id: with_text})
        if _first(after, wording) != worded.id:
            continue
        before = index.with_changes([neighbour], [], without)
        if _first(before, wording) != worded.id:
            taken.append(wording)
    return Taken(neighbour, len(asked), tuple(taken))


def _first(index: HybridIndex, question: str) -> str | None:
    found = index.search(question, limit=1)
    return found[0].entry.id if found else None
