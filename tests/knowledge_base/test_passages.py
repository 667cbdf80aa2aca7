from __future__ import annotations

from knowledge_base.passages import MAX_PASSAGES, PASSAGE_CHARACTERS, passages

OPENING = "De letter 'O' komt in het paspoortnummer niet voor. Het is altijd het cijfer '0'."
RIJKSOVERHEID_ANSWER = f"""{OPENING}

Paspoortnummer invullen

Let er goed op wanneer u uw paspoortnummer invult.
Bijvoorbeeld bij:
- een visumaanvraag;
- het boeken van een reis.

Meer weten"""


def test_each_paragraph_is_a_passage_with_the_heading_above_it() -> None:
    assert passages(RIJKSOVERHEID_ANSWER) == [
        OPENING,
        "Paspoortnummer invullen. Let er goed op wanneer u uw paspoortnummer invult. "
        "Bijvoorbeeld bij: - een visumaanvraag; - het boeken van een reis.",
        "Meer weten",
    ]


def test_a_one_paragraph_answer_is_one_passage_and_a_long_one_is_cut() -> None:
    assert passages("Zet de container voor 7.30 uur aan de straat.") == [
        "Zet de container voor 7.30 uur aan de straat."
    ]
    (long,) = passages("Woord " * 500 + "einde.")
    assert len(long) == PASSAGE_CHARACTERS
    assert passages("") == []


def test_a_very_long_answer_keeps_its_first_passages() -> None:
    answer = "\n\n".join(f"Alinea {number}." for number in range(MAX_PASSAGES + 5))
    assert passages(answer) == [f"Alinea {number}." for number in range(MAX_PASSAGES)]
