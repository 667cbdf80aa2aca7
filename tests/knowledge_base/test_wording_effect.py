"""What approving a residents' wording takes from its neighbours, on the starter entries with the
shipped wordings (the API test shows one taken)."""

from __future__ import annotations

from bot.settings import Settings
from knowledge_base.embeddings import Encoder
from knowledge_base.retrieval import HybridIndex
from knowledge_base.seed import read_seed
from knowledge_base.wording_effect import effect
from knowledge_base.wordings import read_wordings

CALENDAR = "afvalkalender-ophaaldagen"
BULKY = "grofvuil-ophalen"
STRAY = "mijn oude bank en matras moeten weg, komen jullie die halen"
"""About bulky waste, yet filed with the collection calendar."""


def test_a_neighbours_wording_that_went_elsewhere_already_is_not_counted_as_taken(
    encoder: Encoder,
) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    shipped = read_wordings(settings.kb_wordings)
    calendar = (*shipped[CALENDAR], STRAY)
    index = HybridIndex(
        encoder, read_seed(settings.kb_seed_file), wordings={**shipped, CALENDAR: calendar}
    )
    proposed = "wanneer wordt het grofvuil opgehaald"
    calendar_entry, bulky_entry = index.entry(CALENDAR), index.entry(BULKY)
    assert calendar_entry is not None
    assert bulky_entry is not None
    held_out = {**shipped, CALENDAR: shipped[CALENDAR]}
    before = index.with_changes([calendar_entry], [], held_out)
    after = index.with_changes(
        [calendar_entry, bulky_entry], [], {**held_out, BULKY: (*shipped[BULKY], proposed)}
    )
    # Asked as a new question, it goes to bulky waste with the proposed wording, but did so
    # without it too: approving it takes nothing.
    assert [i.search(STRAY, limit=1)[0].entry.id for i in (before, after)] == [BULKY, BULKY]

    found = effect(index, BULKY, proposed)
    measured = {taken.entry.id: taken for taken in found.neighbours}
    assert measured[CALENDAR].measured == len(calendar)
    assert found.taken == 0


def test_nothing_is_measured_for_an_entry_residents_cannot_get(encoder: Encoder) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    index = HybridIndex(encoder, read_seed(settings.kb_seed_file))
    found = effect(index, "nog-niet-gepubliceerd", "wanneer wordt het grofvuil opgehaald")
    assert (found.answerable, found.measured, found.neighbours) == (False, 0, ())
