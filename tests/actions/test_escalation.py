"""The escalation decision's explainable parts, and the classifier trained on our examples."""

from __future__ import annotations

from pathlib import Path

from actions.escalation import (
    EscalationClassifier,
    History,
    Signals,
    decide,
    read_examples,
    safety_phrase,
    swear_words,
)
from knowledge_base.entries import Entry


def test_signals_notice_capitals_exclamations_and_swearing() -> None:
    signals = Signals.of("WAAROM WORDT MIJN CONTAINER NOOIT GELEEGD!!! kutzooi")
    assert signals.capitals > 0.7
    assert signals.exclamations == 3
    assert signals.swearing == 1
    assert signals.shouting()


def test_short_capitals_are_not_shouting() -> None:
    assert not Signals.of("BSN kwijt, wat nu?").shouting()
    assert Signals.of("BSN kwijt, wat nu?").capitals < 0.5


def test_swear_words_are_found_also_in_compounds_but_not_inside_other_words() -> None:
    assert swear_words("wat een klotegemeente") == 1
    assert swear_words("wat een kutzooi") == 1
    assert swear_words("kunt u mij helpen met mijn paspoort") == 0


def test_a_confident_escalation_intent_decides_alone() -> None:
    found = decide("ik wil een klacht indienen over een ambtenaar", "complaint", 0.9, None)
    assert found is not None
    assert found.reason == "complaint"
    assert found.evidence["intent"] == "complaint"


def test_a_weak_escalation_intent_does_not_decide_alone() -> None:
    assert decide("bezwaar maken tegen de WOZ", "legal_deadline", 0.3, None) is None


def test_the_same_message_again_hands_off() -> None:
    history = History(resident_texts=["Waar is mijn uitkering??"])
    found = decide("waar is mijn uitkering", "social_assistance", 0.9, None, history)
    assert found is not None
    assert found.reason == "repeated"


def test_safety_comes_before_the_queue() -> None:
    found = decide("ik zie het niet meer zitten", "safety_suicide", 0.95, None)
    assert found is not None
    assert found.safety
    assert found.urgency == 3


def test_the_classifier_learns_from_labelled_examples(tmp_path: Path, encoder) -> None:  # type: ignore[no-untyped-def]
    examples = tmp_path / "examples.tsv"
    examples.write_text(
        "label\treason\ttext\n"
        "1\tdistress\tik word morgen uit mijn huis gezet en weet niet waar ik heen moet\n"
        "1\tdistress\tde deurwaarder staat voor de deur en ik kan de huur niet betalen\n"
        "1\tdistress\twe hebben geen geld meer voor eten deze week\n"
        "1\tdistress\tik heb schulden en de energie wordt afgesloten\n"
        "0\tnone\twanneer wordt het oud papier opgehaald\n"
        "0\tnone\thoe vraag ik een parkeervergunning aan\n"
        "0\tnone\twat kost een nieuw paspoort\n"
        "0\tnone\twelke dag moet de groene bak buiten\n",
        encoding="utf-8",
    )
    classifier = EscalationClassifier(encoder, read_examples(examples))
    probability, reason = classifier.assess("ze zetten ons volgende week uit ons huis, help")
    assert probability > 0.5
    assert reason == "distress"
    probability, _ = classifier.assess("wanneer komt de vuilniswagen")
    assert probability < 0.5


def test_a_suicidal_remark_after_a_question_is_still_safety() -> None:
    found = decide(
        "hoe vraag ik een nieuwe id kaart aan. trouwens ik wil eigenlijk niet meer leven",
        "passport_id",
        0.95,
        None,
    )
    assert found is not None
    assert found.reason == "safety_suicide"
    assert found.evidence["phrase"] is True


def test_not_wanting_to_go_on_living_is_safety_in_either_word_order() -> None:
    for text in (
        "wanneer komt de huurtoeslag? al wil ik eigenlijk niet meer verder leven",
        "ik wil niet meer verder leven",
        "ik kan niet meer, ik wil niet meer leven",
        "i don't want to go on living like this",
    ):
        assert safety_phrase(text) == "safety_suicide", text


def test_ending_it_is_safety_in_dutch_and_english() -> None:
    for text in (
        "ik denk erover om er een eind aan te maken",
        "als de uitkering niet komt dan maak ik er een eind aan",
        "wat kost een begrafenis, als ik er een eind aan maak",
        "i keep thinking about ending it",
    ):
        assert safety_phrase(text) == "safety_suicide", text
    assert safety_phrase("hoe maak ik een eind aan de overlast van de buren") is None
    assert (
        safety_phrase("when does the lease end, we are thinking about ending our contract") is None
    )


def test_someone_in_the_water_or_unconscious_is_an_emergency() -> None:
    for text in (
        "er rolt een auto de kade af, hij rijdt zo het water in",
        "een fietser is bij de sluis te water geraakt",
        "a car just drove into the canal near the bridge",
        "mijn opa ligt bewusteloos in de tuin",
        "er ligt daar iemand en hij ademt niet meer",
        "my neighbour is lying unconscious on the stairs",
    ):
        assert safety_phrase(text) == "emergency", text
    for text in (
        "ik lag bewusteloos en de ambulance gaf mijn gegevens door, mocht dat",
        "mag ik met mijn boot het water in bij de haven",
        "de aanvraag ademt niet echt de sfeer van de wet",
    ):
        assert safety_phrase(text) is None, text


def test_asking_for_a_person_in_so_many_words_gets_one_whatever_the_topic() -> None:
    for text in (
        "ik wil een medewerker spreken over de bouwvergunning",
        "kan ik iemand van burgerzaken aan de lijn krijgen over mijn paspoort",
        "can I talk to a real person about my parking permit",
    ):
        asked = decide(text, "ask_question", 0.95, None)
        assert asked is not None, text
        assert asked.reason == "request_human"
        assert not asked.yields_to_answer
    for text in (
        "ik heb gisteren een medewerker gesproken, wanneer is mijn paspoort klaar",
        "moet de persoon die het paspoort ophaalt zelf langskomen",
        "the person I spoke to said my permit was approved",
    ):
        assert decide(text, "ask_question", 0.95, None) is None, text


def test_safety_words_in_ordinary_questions_are_not_safety() -> None:
    assert decide("ik ga dood van de hitte, is het zwembad open", "ask_question", 0.8, None) is None
    assert decide("mijn vader is overleden, hoe doe ik aangifte", "ask_question", 0.8, None) is None


def test_only_a_models_judgement_may_give_way_to_an_answer() -> None:
    modelled = decide("hoe maak ik bezwaar tegen een besluit", "legal_deadline", 0.9, None)
    assert modelled is not None
    assert modelled.yields_to_answer
    asked = decide("ik wil een medewerker spreken", "request_human", 0.9, None)
    assert asked is not None
    assert not asked.yields_to_answer
    for reason in ("insult", "complaint"):  # not answered away
        found = decide("wat een waardeloze balie, ik wil een klacht indienen", reason, 0.9, None)
        assert found is not None
        assert not found.yields_to_answer
    phrased = decide(
        "ik wil niet meer leven, hoe regel ik mijn uitvaart", "ask_question", 0.9, None
    )
    assert phrased is not None
    assert phrased.safety
    assert not phrased.yields_to_answer


def entry(entry_id: str, *questions: str) -> Entry:
    return Entry(entry_id, 1, "contact", {"nl": list(questions)}, {"nl": "..."})


def test_only_a_complaint_about_complaining_is_answered_alongside_the_person() -> None:
    complaining = entry("klachten", "Waar kan ik een klacht indienen over een overheidsinstantie?")
    ombudsman = entry("ombudsman", "Kan ik naar de Nationale ombudsman?")
    passport = entry("paspoort", "Hoe vraag ik een paspoort aan?")
    complaint = decide("de balie van het paspoort was onbeschoft", "complaint", 0.9, None)
    assert complaint is not None
    assert complaint.answered_alongside
    assert complaint.served_by(complaining)
    assert complaint.served_by(ombudsman)
    assert not complaint.served_by(passport)
    deadline = decide("mijn bezwaartermijn loopt vrijdag af", "legal_deadline", 0.9, None)
    assert deadline is not None
    assert deadline.served_by(passport)
    for said in ("ik wil een medewerker spreken over mijn klacht", "ik zie geen uitweg meer"):
        by_rule = decide(said, "complaint", 0.9, None)
        assert by_rule is not None
        assert by_rule.judged_by == "rule"
        assert not by_rule.answered_alongside
        assert not by_rule.served_by(complaining)
    insult = decide("jullie zijn echt waardeloos", "insult", 0.9, None)
    assert insult is not None
    assert not insult.served_by(complaining)


def test_fire_and_gas_are_emergencies_wherever_they_stand() -> None:
    assert safety_phrase("the flat downstairs, flames everywhere") == "emergency"
    assert safety_phrase("ik ruik gas in het trappenhuis") == "emergency"
    assert safety_phrase("de lantaarnpaal brandt niet") is None
    assert safety_phrase("mag ik een vuurkorf op mijn balkon") is None


def test_drowning_is_an_emergency_but_drowning_in_debt_is_not() -> None:
    assert safety_phrase("er is een kind door het ijs gezakt bij de vijver") == "emergency"
    assert safety_phrase("help, er verdrinkt iemand in de gracht") == "emergency"
    assert safety_phrase("a man is drowning in the canal") == "emergency"
    assert safety_phrase("im drowning in debt and dont know where to start") is None
    assert safety_phrase("ik verdrink in het papierwerk van de bijstand") is None
    assert safety_phrase("mag mijn zoon op zwemles, ik ben bang dat hij verdrinkt") is None
    assert safety_phrase("is het ijs op de vijver al dik genoeg om te schaatsen") is None
