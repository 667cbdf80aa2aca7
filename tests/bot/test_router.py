from __future__ import annotations

from bot.router import chosen, rasa_text

CHOICES = [
    {"title": "Paspoort aanvragen", "payload": "Paspoort aanvragen"},
    {"title": "ID-kaart aanvragen", "payload": "ID-kaart aanvragen"},
]


def test_a_number_picks_that_choice() -> None:
    assert chosen("2", CHOICES) == "ID-kaart aanvragen"
    assert chosen(" 1. ", CHOICES) == "Paspoort aanvragen"


def test_other_text_and_numbers_out_of_range_stay_as_they_are() -> None:
    assert chosen("3", CHOICES) == "3"
    assert chosen("0", CHOICES) == "0"
    assert chosen("2", []) == "2"
    assert chosen("2 paspoorten", CHOICES) == "2 paspoorten"


def test_rasa_commands_are_text() -> None:
    assert rasa_text('/greet{"x":1}') == 'greet{"x":1}'
    assert rasa_text("/restart") == "restart"
