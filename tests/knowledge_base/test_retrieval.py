from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import numpy as np
import pytest

from bot.evaluation import read_tsv
from bot.settings import PROJECT_DIR, Settings
from knowledge_base import retrieval
from knowledge_base.embeddings import CachingEncoder, Encoder, RecentEncoder
from knowledge_base.entries import Entry
from knowledge_base.glossary import Glossary, load_glossary
from knowledge_base.quantised import QuantisedVectors
from knowledge_base.retrieval import TOPIC_BOOST, HybridIndex, english_reading
from knowledge_base.seed import read_seed
from tests.knowledge_base.conftest import make_entry


def test_finds_the_entry_a_resident_means(encoder: Encoder, small_entries: list[Entry]) -> None:
    index = HybridIndex(encoder, small_entries)
    assert index.search("paspoort kwijt, nieuwe aanvragen")[0].entry.id == "paspoort-aanvragen"
    assert index.search("wnnr halen jullie grofvuil op")[0].entry.id == "grofvuil-ophalen"
    assert index.search("ik ga verhuizen")[0].entry.id == "verhuizing-doorgeven"


def test_scores_are_between_zero_and_one_and_sorted(
    encoder: Encoder, small_entries: list[Entry]
) -> None:
    results = HybridIndex(encoder, small_entries).search("rijbewijs verlengen", limit=4)
    assert len(results) == 4
    scores = [c.score for c in results]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= c.semantic <= 1 and 0 <= c.lexical <= 1 for c in results)
    assert results[0].entry.id == "rijbewijs-verlengen"
    assert results[0].lexical > 0.5 > max(c.lexical for c in results[1:])


def test_unrelated_question_scores_low(encoder: Encoder, small_entries: list[Entry]) -> None:
    related = HybridIndex(encoder, small_entries).search("hoe vraag ik een paspoort aan")[0]
    unrelated = HybridIndex(encoder, small_entries).search("wat voor weer wordt het morgen")[0]
    assert unrelated.score < related.score - 0.3


def test_topic_is_a_boost_not_a_filter(encoder: Encoder, small_entries: list[Entry]) -> None:
    index = HybridIndex(encoder, small_entries)
    plain = {c.entry.id: c.score for c in index.search("grofvuil", limit=4)}
    boosted = {c.entry.id: c.score for c in index.search("grofvuil", topic="moving", limit=4)}
    assert abs(boosted["verhuizing-doorgeven"] - plain["verhuizing-doorgeven"] - TOPIC_BOOST) < 1e-3
    # The boost does not hide the entry that really matches.
    assert index.search("grofvuil", topic="moving")[0].entry.id == "grofvuil-ophalen"


def test_an_answer_passage_that_holds_the_situation_lifts_its_entry(
    encoder: Encoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    entries = [
        make_entry(
            "bouwen-zonder-vergunning",
            "permits",
            ["Wat mag ik bouwen zonder vergunning?"],
            "Voor veel kleine bouwwerken heeft u geen vergunning nodig. Dat hangt af van de plek"
            " en de grootte.\n\nBouwt uw buurman een schuur of schutting vlak tegen uw"
            " erfgrens? Dan mag dat vaak zonder vergunning. Praat eerst met uw buren.",
        ),
        make_entry(
            "omgevingsvergunning-aanvragen",
            "permits",
            ["Hoe vraag ik een omgevingsvergunning aan?", "vergunning voor een schuur aanvragen"],
            "U vraagt de vergunning aan via het Omgevingsloket. De gemeente beslist in 8 weken.",
        ),
        make_entry(
            "burenruzie",
            "neighbours",
            ["Ik heb ruzie met mijn buren, wat kan ik doen?"],
            "Praat eerst met uw buren. Komt u er samen niet uit? Buurtbemiddeling helpt gratis.",
        ),
    ]
    index = HybridIndex(encoder, entries)
    question = "mijn buurman zet een schuur tegen mijn erfgrens, mag dat"
    found, share = index.search(question), retrieval.PASSAGE_SHARE
    monkeypatch.setattr(retrieval, "PASSAGE_SHARE", 0.0)
    without = {c.entry.id: c for c in index.search(question)}
    for candidate in found:
        plain = without[candidate.entry.id]
        mixed = (1 - share) * plain.score + share * plain.passage
        assert candidate.score == pytest.approx(mixed, abs=1e-3)
    first, second = found[0], found[1]
    assert first.entry.id == "bouwen-zonder-vergunning"
    lead_without = without[first.entry.id].score - without[second.entry.id].score
    assert first.score - second.score > lead_without


def test_a_residents_wording_counts_by_meaning_alone(
    encoder: Encoder, small_entries: list[Entry]
) -> None:
    wording = "mn pas is gejat op vakantie, wat nu"
    plain = HybridIndex(encoder, small_entries)
    worded = HybridIndex(
        encoder,
        small_entries,
        wordings={"paspoort-aanvragen": [wording], "not-in-the-index": ["wat nu"]},
    )
    before = {c.entry.id: c for c in plain.search(wording, limit=len(small_entries))}
    after = {c.entry.id: c for c in worded.search(wording, limit=len(small_entries))}
    assert after["paspoort-aanvragen"].semantic == pytest.approx(1.0, abs=1e-3)
    assert before["paspoort-aanvragen"].semantic < 0.9
    # Its words are the resident's, not the entry's: they match neither stems nor characters.
    for entry_id, candidate in after.items():
        assert candidate.lexical == before[entry_id].lexical
        assert candidate.characters == before[entry_id].characters
        if entry_id != "paspoort-aanvragen":
            assert candidate.semantic == before[entry_id].semantic
        # What the wording added beyond the entry's own texts, which the answer model reads.
        lift = candidate.semantic - before[entry_id].semantic
        assert candidate.wording_lift == pytest.approx(lift, abs=2e-4)
        assert before[entry_id].wording_lift == 0.0
        assert candidate.worded == (entry_id == "paspoort-aanvragen")
        assert not before[entry_id].worded
    assert after["paspoort-aanvragen"].wording_lift > 0.1
    assert wording in worded.texts


def test_empty_index_and_empty_query(encoder: Encoder, small_entries: list[Entry]) -> None:
    assert HybridIndex(encoder, []).search("paspoort") == []
    assert HybridIndex(encoder, small_entries).search("   ") == []


def test_typos_and_split_compounds_still_find_the_entry(
    encoder: Encoder, small_entries: list[Entry]
) -> None:
    index = HybridIndex(encoder, small_entries)
    best = index.search("grofvuul")[0]
    assert best.entry.id == "grofvuil-ophalen"
    assert best.characters > 0.2 > best.lexical  # the stems miss it, the characters do not
    assert index.search("grof vuil")[0].entry.id == "grofvuil-ophalen"
    assert index.search("rijbewjis verlengen")[0].entry.id == "rijbewijs-verlengen"


class CountingEncoder:
    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder
        self.texts: list[str] = []

    def encode(self, texts):  # type: ignore[no-untyped-def]
        self.texts += list(texts)
        return self.encoder.encode(texts)


def test_rebuilding_encodes_only_changed_texts(
    encoder: Encoder, small_entries: list[Entry]
) -> None:
    counting = CountingEncoder(encoder)
    cache = CachingEncoder(counting)
    first = HybridIndex(encoder, small_entries, cache)
    assert sorted(counting.texts) == sorted(set(first.texts))  # a short answer is its passage
    changed = replace(small_entries[0], questions={"nl": ["paspoort kwijt in het buitenland"]})
    counting.texts.clear()
    second = HybridIndex(encoder, [changed, *small_entries[1:]], cache)
    assert counting.texts == ["paspoort kwijt in het buitenland"]
    assert second.search("paspoort kwijt buitenland")[0].entry == changed


def test_a_message_embedded_twice_in_a_row_is_encoded_once(encoder: Encoder) -> None:
    counting = CountingEncoder(encoder)
    recent = RecentEncoder(counting, size=1)
    first = recent.encode(["mijn paspoort is kwijt"])
    again = recent.encode(["mijn paspoort is kwijt"])
    assert counting.texts == ["mijn paspoort is kwijt"]
    assert np.array_equal(first, again)
    assert first.shape == (1, encoder.encode(["x"]).shape[1])
    recent.encode(["iets anders"])  # pushes the first one out
    recent.encode(["mijn paspoort is kwijt"])
    recent.encode(["a", "b"])  # batches (documents) are not remembered
    assert counting.texts[-3:] == ["mijn paspoort is kwijt", "a", "b"]


def test_residents_words_find_the_entry_in_official_words(encoder: Encoder) -> None:
    entries = [
        make_entry(
            "beschadigd",
            "passport_id",
            ["Is mijn beschadigde paspoort of identiteitskaart geldig?"],
            "Zijn de echtheidskenmerken beschadigd? Dan is uw reisdocument ongeldig.",
        ),
        make_entry(
            "aanvragen",
            "passport_id",
            ["Hoe kan ik een paspoort of identiteitskaart aanvragen?"],
            "U vraagt een paspoort of identiteitskaart aan bij uw gemeente.",
        ),
        make_entry(
            "kwijt",
            "passport_id",
            ["Wat moet ik doen als ik mijn paspoort of identiteitskaart kwijt ben?"],
            "Doe aangifte van vermissing bij uw gemeente.",
        ),
    ]
    index = HybridIndex(encoder, entries)
    assert index.search("mn id kaart is gescheurd, is die nog geldig")[0].entry.id == ("beschadigd")
    assert index.search("I lost my ID card")[0].entry.id == "kwijt"


@pytest.mark.parametrize("width", [384, 768])
def test_rough_similarities_stay_within_the_bound_the_shortlist_relies_on(width: int) -> None:
    """The first pass ranks by similarities of vectors read as bytes; an entry can only be left
    off the exact pass if they stay within the bound they come with. Vectors of one sign are
    the worst case for a sum of products of bytes (two of them overflow 16 bits when a code
    is too large), sentence vectors share a common direction, and one large component makes a
    vector's other components coarse."""
    rng = np.random.default_rng(width)
    shared = rng.standard_normal(width)
    peaked = rng.standard_normal((4000, width)).astype(np.float32)
    peaked[:, 3] += 40
    pool = ThreadPoolExecutor(2)
    for vectors in (
        np.abs(rng.standard_normal((4000, width))).astype(np.float32),
        (rng.standard_normal((4000, width)) + shared).astype(np.float32),
        peaked,
    ):
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        quantised = QuantisedVectors(vectors, parts=3)
        for query in (vectors[7], english_reading(vectors[7]), np.abs(vectors[7])):
            rough, bound = quantised.similarities(query, pool.submit)
            assert np.abs(rough - vectors @ query).max() <= bound
            if vectors is not peaked:  # a bound that leaves little out would be no use
                assert bound < 0.1
            one_part = QuantisedVectors(vectors).similarities(query)
            assert np.array_equal(one_part[0], rough)


def test_sharing_the_rough_pass_between_cores_never_changes_an_answer(
    encoder: Encoder, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large indexes read their vectors on every core, in parts: every search must come out as
    when one core reads them all."""
    seed = read_seed(settings.kb_seed_file)
    paraphrases = PROJECT_DIR / "tests" / "eval" / "starter_paraphrases.tsv"
    queries = [row["query"] for row in read_tsv(paraphrases, ("id", "query"))][:60]
    whole = HybridIndex(encoder, seed)
    monkeypatch.setattr(retrieval, "CORES", 3)
    monkeypatch.setattr(retrieval, "_SHARED_ROWS", 0)
    shared = HybridIndex(encoder, seed)
    assert len(shared._segments[0].rough._parts) == 3
    assert [shared.search(query, limit=5) for query in queries] == [
        whole.search(query, limit=5) for query in queries
    ]


def test_candidates_carry_their_best_answer_passage_also_after_changes(encoder: Encoder) -> None:
    long_answer = make_entry(
        "paspoortnummer",
        "passport_id",
        ["Bevat mijn paspoortnummer het cijfer 0 of de letter O?"],
        "Het is altijd het cijfer 0.\n\nESTA aanvragen\n\nVul bij een ESTA-aanvraag voor de "
        "Verenigde Staten het cijfer 0 in.",
    )
    other = make_entry("afval", "waste", ["Wanneer wordt afval opgehaald?"], "Zie de kalender.")
    index = HybridIndex(encoder, [other])
    query = "welk cijfer vul ik in bij mijn ESTA voor de Verenigde Staten"
    for changed in (index.with_changes([long_answer], []), HybridIndex(encoder, [long_answer])):
        best = changed.search(query)[0]
        assert best.entry.id == "paspoortnummer"
        assert best.passage > best.semantic - 0.2
        assert 0 < best.passage <= 1
    compacted = index.with_changes([long_answer], []).compacted()
    assert (
        compacted.search(query)[0].passage
        == HybridIndex(encoder, [other, long_answer]).search(query)[0].passage
    )
    assert any("ESTA aanvragen" in text for text in compacted.texts)


def test_words_of_one_meaning_meet_in_the_glossarys_english(encoder: Encoder) -> None:
    """ "legitimeren" and "identificeren" share no stem, but both are "identify" in English."""
    glossary = Glossary({"legitimeren": "identify", "identificeren": "identify", "werk": "work"})
    entries = [
        make_entry("identificeren-werk", "id", ["Moet ik mij identificeren?"], "Ja, altijd."),
        make_entry("werk-zoeken", "work", ["Hoe vind ik werk?"], "Kijk op de vacaturesite."),
    ]
    query = "legitimeren verplicht"
    with_english = HybridIndex(encoder, entries, glossary=glossary).search(query)[0]
    without = HybridIndex(encoder, entries).search(query)[0]
    assert with_english.entry.id == "identificeren-werk"
    assert with_english.lexical == without.lexical == 0  # no Dutch stem in common
    assert with_english.score > without.score


def test_searches_at_the_same_time_find_what_each_finds_alone(
    encoder: Encoder, small_entries: list[Entry]
) -> None:
    """A search embeds its query on a worker thread while it scores the words itself, and
    residents' questions arrive at once on several threads: none may see another's query."""
    glossary = Glossary({"paspoort": "passport", "rijbewijs": "driving licence", "vuil": "waste"})
    index = HybridIndex(encoder, small_entries, glossary=glossary)
    questions = [
        "paspoort kwijt, nieuwe aanvragen",
        "wnnr halen jullie grofvuil op",
        "ik ga verhuizen",
        "rijbewijs verlopen wat nu",
    ]
    alone = [index.search(question) for question in questions]
    with ThreadPoolExecutor(max_workers=len(questions)) as pool:
        together = list(pool.map(index.search, questions * 10))
    assert together == alone * 10
    assert [found[0].entry.id for found in alone] == [
        "paspoort-aanvragen",
        "grofvuil-ophalen",
        "verhuizing-doorgeven",
        "rijbewijs-verlengen",
    ]


def test_an_english_question_is_compared_with_the_entries_english_readings(
    encoder: Encoder, small_entries: list[Entry]
) -> None:
    glossary = load_glossary(Settings(_env_file=None).glossary)  # type: ignore[call-arg]
    question = "my driving licence has expired, how do I renew it"
    best = HybridIndex(encoder, small_entries, glossary=glossary).search(question)[0]
    assert best.entry.id == "rijbewijs-verlengen"
    reading = english_reading(encoder.encode([question])[0])
    expected = max(encoder.encode(retrieval.variants(best.entry)) @ reading)
    assert best.semantic == pytest.approx(expected, abs=1e-3)


def test_an_english_questions_words_meet_a_dutch_entry_through_its_english_reading(
    encoder: Encoder,
) -> None:
    glossary = Glossary({"hondenbelasting": "dog tax", "betaal": "pay", "tarief": "rate"})
    entries = [
        make_entry(
            "hondenbelasting", "tax", ["Hoeveel hondenbelasting betaal ik?"], "Zie het tarief."
        ),
        make_entry("paspoort", "passport_id", ["Hoe vraag ik een paspoort aan?"], "Online."),
    ]
    question = "how much do I pay for keeping a dog"
    with_english = HybridIndex(encoder, entries, glossary=glossary).search(question)[0]
    without = HybridIndex(encoder, entries).search(question)[0]
    assert with_english.entry.id == without.entry.id == "hondenbelasting"
    assert without.lexical == 0  # no Dutch stem in common
    assert with_english.lexical > 0.3
    dutch = "hoeveel betaal ik voor mijn hond"
    assert (
        HybridIndex(encoder, entries, glossary=glossary).search(dutch)[0].lexical
        == HybridIndex(encoder, entries).search(dutch)[0].lexical
    )
