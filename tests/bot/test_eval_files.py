"""Every development and held-out file under tests/eval/ reads as `loket eval` reads it and
names only records its corpus has, so a broken line shows up here, not in someone's evaluation;
no file asks what the models learnt from, and no other file repeats a held-out message; the
residents' wordings retrieval reads come from the development paraphrases only; and the answer
model is fitted on none of the questions the embedding model was tuned on."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest

from actions.escalation import read_examples
from bot import personal_data
from bot.evaluation import escalation_queries, oos_queries, read_tsv
from bot.settings import PROJECT_DIR, Settings
from channels.base import normalise
from knowledge_base import wordings
from knowledge_base.confidence import FEATURES
from knowledge_base.errors import KnowledgeBaseError
from knowledge_base.files import read_entries
from knowledge_base.tuning import read_pairs
from knowledge_base.wordings import read_wordings
from scripts import fit_answer_confidence, make_wordings, refit_answer_confidence
from tests.knowledge_base.test_import_export import BZK, DATASETS

EVAL_DIR = PROJECT_DIR / "tests" / "eval"
RIJKSOVERHEID = (BZK, DATASETS / "rijksoverheid_vacs_omgevingswet.csv")
STARTER = (Settings(_env_file=None).kb_seed_file,)  # type: ignore[call-arg]


def files(prefix: str) -> list[Path]:
    found = sorted(EVAL_DIR.glob(f"{prefix}*.tsv"))
    assert found, f"no {prefix}*.tsv under {EVAL_DIR}"
    return found


@functools.cache
def known_ids(corpus: tuple[Path, ...]) -> set[str]:
    return {entry.external_id or entry.id for path in corpus for entry in read_entries(path)}


def assert_names_known_records(path: Path, ids: set[str]) -> None:
    rows = read_tsv(path, ("id", "query"))
    unknown = sorted({row["id"] for row in rows} - ids)
    assert rows
    assert not unknown, f"{path.name}: records not in the corpus: {unknown[:5]}"
    asked = [row["query"].casefold() for row in rows]
    assert len(set(asked)) == len(asked), f"{path.name} asks a question twice"


@pytest.mark.parametrize("path", files("starter_"), ids=lambda path: path.name)
def test_starter_sets_name_starter_entries(path: Path) -> None:
    assert_names_known_records(path, known_ids(STARTER))


@pytest.mark.skipif(
    not all(path.exists() for path in RIJKSOVERHEID),
    reason="the shared datasets are not next to this checkout",
)
@pytest.mark.parametrize("path", files("rijksoverheid_"), ids=lambda path: path.name)
def test_rijksoverheid_sets_name_records_of_the_export(path: Path) -> None:
    assert_names_known_records(path, known_ids(RIJKSOVERHEID))


@pytest.mark.parametrize("path", files("out_of_scope"), ids=lambda path: path.name)
def test_out_of_scope_sets_have_texts(path: Path) -> None:
    texts = [row["text"] for row in read_tsv(path, ("text",))]
    assert len(texts) >= 50, f"{path.name} has only {len(texts)} messages"


def test_escalation_set_is_labelled_both_ways() -> None:
    labels = [row["label"] for row in read_tsv(EVAL_DIR / "escalation.tsv", ("label", "text"))]
    assert set(labels) == {"0", "1"}


def asked(path: Path) -> list[str]:
    """The messages of any evaluation file, read as `loket eval` reads its kind."""
    if path.name.startswith("escalation"):
        return [query.text for query in escalation_queries(path)]
    if path.name.startswith("out_of_scope"):
        return [query.text for query in oos_queries(path)]
    return [row["query"] for row in read_tsv(path, ("id", "query"))]


@functools.cache
def learnt() -> frozenset[str]:
    """Every text Rasa's NLU, the escalation classifier or the starter entries' questions teach."""
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    nlu = sorted((PROJECT_DIR / "data" / "nlu").glob("*.yml"))
    texts = [example.text for example in read_examples(settings.escalation_examples, nlu)]
    texts += [q for entry in read_entries(settings.kb_seed_file) for _, q in entry.all_questions()]
    return frozenset(map(plain, texts))


def plain(text: str) -> str:
    """A message as the pipeline receives it, without case or a closing question mark."""
    return normalise(text).casefold().rstrip("?!. ")


@functools.cache
def plainly_asked(path: Path) -> frozenset[str]:
    return frozenset(map(plain, asked(path)))


@pytest.mark.parametrize("path", files("*heldout"), ids=lambda path: path.name)
def test_held_out_messages_are_in_no_other_evaluation_file(path: Path) -> None:
    """A held-out message that a development file also asks has been tuned on."""
    for other in files(""):
        if other != path:
            repeated = sorted(plainly_asked(path) & plainly_asked(other))
            assert not repeated, f"{other.name} repeats {path.name}: {repeated[:5]}"


@pytest.mark.parametrize("path", files(""), ids=lambda path: path.name)
def test_no_evaluation_message_is_one_the_models_learnt(path: Path) -> None:
    """A message the NLU was trained on measures memory, not understanding."""
    repeated = sorted(plainly_asked(path) & learnt())
    assert not repeated, f"{path.name} asks what the models learnt: {repeated[:5]}"


def test_the_wordings_file_is_what_make_wordings_writes_from_the_development_sets(
    tmp_path: Path,
) -> None:
    """A paraphrase added to or taken out of a development set reaches retrieval, and nothing
    else does."""
    written = tmp_path / "wordings.tsv"
    make_wordings.main(["--out", str(written)])
    shipped = Settings(_env_file=None).kb_wordings  # type: ignore[call-arg]
    assert shipped is not None
    assert read_wordings(shipped) == read_wordings(written)


@functools.cache
def worded() -> frozenset[str]:
    """Every wording retrieval reads (data/retrieval/wordings.tsv)."""
    wordings = read_wordings(Settings(_env_file=None).kb_wordings)  # type: ignore[call-arg]
    return frozenset(plain(wording) for texts in wordings.values() for wording in texts)


@pytest.mark.parametrize(
    "path",
    [path for path in files("") if path.name not in make_wordings.SOURCES],
    ids=lambda path: path.name,
)
def test_retrieval_is_given_no_wording_of_a_message_it_is_judged_on(path: Path) -> None:
    """The held-out sets, the situations and the unseen questions are measured, never read
    back: a wording from one of them would measure memory."""
    repeated = sorted(plainly_asked(path) & worded())
    assert not repeated, f"the wordings repeat {path.name}: {repeated[:5]}"


@pytest.mark.skipif(
    not all(path.exists() for path in RIJKSOVERHEID),
    reason="the shared datasets are not next to this checkout",
)
def test_every_wording_belongs_to_an_entry_of_the_starter_or_the_rijksoverheid_corpus() -> None:
    entries = {entry.id for path in STARTER + RIJKSOVERHEID for entry in read_entries(path)}
    wordings = read_wordings(Settings(_env_file=None).kb_wordings)  # type: ignore[call-arg]
    assert wordings
    assert not sorted(set(wordings) - entries)


def test_every_shipped_wording_would_pass_as_a_municipalitys_own() -> None:
    """The shipped wordings are held to the rules for those staff propose: one line of 3 to 300
    characters, no personal data."""
    shipped = read_wordings(Settings(_env_file=None).kb_wordings)  # type: ignore[call-arg]
    texts = [text for texts in shipped.values() for text in texts]
    assert texts
    refused = []
    for text in texts:
        try:
            personal_data.refuse_in(wordings.tidy(text))
        except KnowledgeBaseError:
            refused.append(text)
    assert refused == []


def test_the_answer_model_is_fitted_on_no_question_the_embedding_model_learned() -> None:
    """The embedding model scores what it was tuned on as it scores no resident's new question:
    an answer model fitted on those scores would trust too much."""
    learned = {plain(pair.anchor) for pair in read_pairs(PROJECT_DIR / "data/retrieval/pairs.tsv")}
    for corpus in refit_answer_confidence.CORPORA:
        fitted = refit_answer_confidence.fit_sets(corpus)
        assert EVAL_DIR / f"{corpus}_calibration.tsv" in fitted
        for path in fitted:
            repeated = sorted(plainly_asked(path) & learned)
            assert not repeated, f"the embedding model learned {path.name}: {repeated[:5]}"


def test_the_answer_model_scores_a_set_without_the_wordings_it_asks() -> None:
    wordings = {"a": ("paspoort kwijt", "pas weg"), "b": ("afval",)}
    asked = [{"query": "pas weg", "expected": "a"}, {"query": "elders", "expected": None}]
    unasked = fit_answer_confidence.wordings_unasked(wordings, asked)
    assert unasked == {"a": ("paspoort kwijt",), "b": ("afval",)}
    assert fit_answer_confidence.wordings_unasked(wordings, []) == wordings


def test_the_answer_model_also_learns_entries_without_wordings() -> None:
    """A new entry has no residents' wordings yet: each set is also scored with those of half
    the entries, each half in turn, so every entry is once without."""
    wordings = {f"entry-{number}": (f"vraag {number}",) for number in range(40)}
    regimes = fit_answer_confidence.regimes(wordings, "set.jsonl")
    assert regimes[0][0] == wordings
    halves = [worded for worded, _ in regimes[1:]]
    assert len(halves) == 2
    assert not set(halves[0]) & set(halves[1])
    assert set(halves[0]) | set(halves[1]) == set(wordings)
    assert all(10 <= len(worded) <= 30 for worded in halves)
    name = regimes[1][1]
    assert {name({"query": "q", "expected": entry}) for entry in wordings} == {
        "set.jsonl worded",
        "set.jsonl new",
    }
    assert name({"query": "q", "expected": None}) == "set.jsonl half-worded"


def test_fitting_for_new_entries_leaves_the_entries_with_wordings_as_judged() -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(400, len(FEATURES)))
    worded = FEATURES.index("worded")
    x[:, worded] = np.arange(400) % 2
    weights, bias = rng.normal(size=len(FEATURES)), -1.0
    # Without wordings, the same scores are right more often than the weights say.
    y = (x @ weights + bias + np.where(x[:, worded] == 0, 1.5, 0.0) > 0).astype(int)
    shifted, shifted_bias = fit_answer_confidence.new_entry_offset(
        x, y, np.ones(400), weights, bias
    )
    before, after = x @ weights + bias, x @ shifted + shifted_bias
    assert np.allclose(after[x[:, worded] == 1], before[x[:, worded] == 1])
    assert np.all(after[x[:, worded] == 0] > before[x[:, worded] == 0])
    with pytest.raises(SystemExit, match="no example's best entry is without wordings"):
        fit_answer_confidence.new_entry_offset(
            x[x[:, worded] == 1], y[x[:, worded] == 1], np.ones(200), weights, bias
        )
