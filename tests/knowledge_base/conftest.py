from __future__ import annotations

import pytest

from knowledge_base.entries import Entry


def make_entry(entry_id: str, topic: str, nl: list[str], answer: str, **extra: object) -> Entry:
    return Entry(
        id=entry_id,
        version=1,
        topic=topic,
        questions={"nl": nl},
        answers={"nl": answer, "en": f"EN: {answer}"},
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture
def small_entries() -> list[Entry]:
    return [
        make_entry(
            "paspoort-aanvragen",
            "passport_id",
            ["Hoe vraag ik een paspoort aan?", "nieuw paspoort aanvragen"],
            "Maak een afspraak en neem een pasfoto mee.",
        ),
        make_entry(
            "grofvuil-ophalen",
            "waste",
            ["Wanneer wordt het grofvuil opgehaald?", "grofvuil laten ophalen"],
            "Maak online een afspraak voor het ophalen van grofvuil.",
        ),
        make_entry(
            "verhuizing-doorgeven",
            "moving",
            ["Hoe geef ik mijn verhuizing door?", "ik ga verhuizen, nieuw adres doorgeven"],
            "Geef uw nieuwe adres binnen 5 dagen door.",
        ),
        make_entry(
            "rijbewijs-verlengen",
            "driving_licence",
            ["Hoe verleng ik mijn rijbewijs?", "rijbewijs verlopen"],
            "Vraag een nieuw rijbewijs aan bij de gemeente.",
        ),
    ]
