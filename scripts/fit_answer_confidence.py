"""Fit knowledge_base/confidence.py's weights from `loket eval --details` files.

Each set is a corpus and the details file of an eval over it (which holds each query, the entry
expected, if any, and Rasa's intent): the best candidate is a positive example when it is the
expected entry, a negative one otherwise (every out-of-scope message is one). Prints the weights
to paste into knowledge_base/confidence.py, and what the fitted model and the one in use do at a
few thresholds, also on `--check` sets it was not fitted on.

Fit on development sets only, never held-out, and only on questions retrieval meets as it meets
a resident's new one: scripts/refit_answer_confidence.py says which, runs the evaluations and
then this script, e.g.

    .venv/bin/python scripts/fit_answer_confidence.py \
        --set knowledge_base/seed/starter.yml=starter.jsonl \
        --set knowledge_base/seed/starter.yml=oos.jsonl \
        --set bzk.csv,omgevingswet.csv=rijks.jsonl ...

Each set's index holds the configured residents' wordings (knowledge_base/wordings.py) except
those its own details file asks: a paraphrase set is also wordings, and a question scored
against itself would teach the model to trust a match a resident's new question rarely has.
A set that asks no wording (the calibration and out-of-scope sets, the checks) is scored three
times: with every entry's wordings, and with those of half the entries only, each half in turn,
as in a knowledge base whose newer entries have none yet (an entry published during a crisis):
the model learns both. (A paraphrase set would need three indexes of its own.)
"""

from __future__ import annotations

import argparse
import json
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from bot.settings import Settings
from knowledge_base.confidence import (
    BIAS,
    CONTEXT,
    FEATURES,
    OUT_OF_SCOPE_INTENT,
    WEIGHTS,
    features,
)
from knowledge_base.embeddings import load_encoder, with_glossary
from knowledge_base.files import read_entries
from knowledge_base.glossary import load_glossary
from knowledge_base.retrieval import HybridIndex
from knowledge_base.wordings import read_wordings

Outcome = dict[str, str | None]


def outcomes(details: Path) -> list[Outcome]:
    return [json.loads(line) for line in details.read_text(encoding="utf-8").splitlines()]


def wordings_unasked(
    wordings: Mapping[str, Sequence[str]], asked: Iterable[Outcome]
) -> dict[str, tuple[str, ...]]:
    """The wordings but those the outcomes ask: a set is never scored against itself."""
    questions = {outcome["query"] for outcome in asked}
    return {
        entry: tuple(wording for wording in worded if wording not in questions)
        for entry, worded in wordings.items()
    }


HALVES = (0, 1)


def half(wordings: Mapping[str, Sequence[str]], which: int) -> dict[str, Sequence[str]]:
    """The wordings of half the entries (a stable split by entry id): `which` 0 or 1."""
    return {
        entry: worded
        for entry, worded in wordings.items()
        if zlib.crc32(entry.encode()) % len(HALVES) == which
    }


def regimes(
    wordings: Mapping[str, Sequence[str]], name: str
) -> list[tuple[Mapping[str, Sequence[str]], Callable[[Outcome], str]]]:
    """The wordings a set is scored with, and how its examples are named in the report: with
    every entry's, then with half of them, a question named by whether its entry has any."""

    def with_half(worded: Mapping[str, Sequence[str]]) -> Callable[[Outcome], str]:
        def label(outcome: Outcome) -> str:
            expected = outcome["expected"]
            if expected is None:
                return f"{name} half-worded"
            return f"{name} {'worded' if worded.get(expected) else 'new'}"

        return label

    every: list[tuple[Mapping[str, Sequence[str]], Callable[[Outcome], str]]] = [
        (wordings, lambda _: name)
    ]
    halves = [half(wordings, which) for which in HALVES]
    return every + [(worded, with_half(worded)) for worded in halves]


Examples = tuple[list[list[float]], list[int], list[str], list[bool]]


def examples(
    index: HybridIndex, asked: Iterable[Outcome], label: Callable[[Outcome], str]
) -> Examples:
    """Per message: the features, whether the best candidate is right, the set as `label`
    names it, and whether the message is a question (not out of scope)."""
    rows, labels, sets, questions = [], [], [], []
    for outcome in asked:
        intent = outcome["intent"]
        candidates = index.search(outcome["query"], topic=intent, limit=CONTEXT)
        if not candidates:
            continue
        values = features(outcome["query"], candidates, intent, intent == OUT_OF_SCOPE_INTENT)
        rows.append([values[name] for name in FEATURES])
        labels.append(int(candidates[0].entry.id == outcome["expected"]))
        sets.append(label(outcome))
        questions.append(outcome["expected"] is not None)
    return rows, labels, sets, questions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    spec_help = "CORPUS[,CORPUS]=DETAILS"
    parser.add_argument("--set", action="append", required=True, help=f"fit on: {spec_help}")
    parser.add_argument("--check", action="append", default=[], help=f"only report on: {spec_help}")
    parser.add_argument("--regularisation", type=float, default=0.3, help="sklearn's C")
    parser.add_argument(
        "--out-of-scope-weight",
        type=float,
        default=10.0,
        help="how many questions an out-of-scope message counts for",
    )
    parser.add_argument("--save", type=Path, help="also write the examples here (.npz)")
    parser.add_argument(
        "--new-entries-only",
        action="store_true",
        help="fit only the `worded` weight and the bias: entries with wordings stay as judged",
    )
    args = parser.parse_args()
    settings = Settings()
    glossary = load_glossary(settings.glossary)
    wordings = read_wordings(settings.kb_wordings)
    encoder = with_glossary(
        load_encoder(
            settings.embedding_model, settings.embedding_precision, settings.embedding_runtime
        ),
        glossary,
    )

    def build(corpus: str, wordings: Mapping[str, Sequence[str]]) -> HybridIndex:
        entries = {e.id: e for p in corpus.split(",") for e in read_entries(Path(p))}
        return HybridIndex(encoder, list(entries.values()), glossary=glossary, wordings=wordings)

    shared: dict[tuple[str, int], HybridIndex] = {}
    rows, labels, sets, fitted, questions = [], [], [], [], []
    for spec, fit in [(s, True) for s in args.set] + [(s, False) for s in args.check]:
        parts = spec.split("=")
        if len(parts) != 2:
            parser.error(f"{spec}: expected {spec_help}")
        corpus, details = parts
        asked = outcomes(Path(details))
        unasked = wordings_unasked(wordings, asked)
        scored = regimes(unasked, Path(details).name)
        if unasked != wordings:  # an index of its own, in the first regime only
            indexes = [(build(corpus, scored[0][0]), scored[0][1])]
        else:  # a set that asks no wording: one index per corpus and regime serves them all
            for regime, (worded, _) in enumerate(scored):
                if (corpus, regime) not in shared:
                    shared[corpus, regime] = build(corpus, worded)
            indexes = [(shared[corpus, regime], label) for regime, (_, label) in enumerate(scored)]
        for index, label in indexes:
            more = examples(index, asked, label)
            rows += more[0]
            labels += more[1]
            sets += more[2]
            questions += more[3]
            fitted += [fit] * len(more[1])
    x, y, mine = np.array(rows), np.array(labels), np.array(fitted)
    if args.save:
        np.savez(args.save, x=x, y=y, sets=np.array(sets), fitted=mine, features=np.array(FEATURES))
    # Out-of-scope messages are few in the development sets, yet many residents send one.
    weight = np.where(questions, 1.0, args.out_of_scope_weight)
    current = np.array([WEIGHTS[name] for name in FEATURES])
    if args.new_entries_only:
        weights, bias = new_entry_offset(x[mine], y[mine], weight[mine], current, BIAS)
    else:
        scaler = StandardScaler().fit(x[mine])
        model = LogisticRegression(C=args.regularisation, max_iter=5000)
        model.fit(scaler.transform(x[mine]), y[mine], sample_weight=weight[mine])
        # Undo the scaling, so the model reads the features as they are.
        weights = model.coef_[0] / scaler.scale_
        bias = float(model.intercept_[0] - np.sum(weights * scaler.mean_))
    print("WEIGHTS: Final = {")
    for name, weight in zip(FEATURES, weights, strict=True):
        print(f'    "{name}": {weight:.4f},')
    print("}")
    print(f"BIAS: Final = {bias:.4f}")
    for label, (w, b) in {"fitted": (weights, bias), "in use": (current, BIAS)}.items():
        print(f"What the {label} model does, right and wrong answers per set at a threshold:")
        report(x @ w + b, y, sets)


def new_entry_offset(
    x: np.ndarray, y: np.ndarray, weight: np.ndarray, weights: np.ndarray, bias: float
) -> tuple[np.ndarray, float]:
    """`weights` and `bias` with one logit offset for a best entry without residents' wordings,
    fitted on those examples alone: the judgement of an entry with wordings stays as it is."""
    worded = FEATURES.index("worded")
    new = x[:, worded] == 0
    if not new.any():
        raise SystemExit(
            "--new-entries-only: no example's best entry is without wordings "
            "(no wordings file, or no set scored with half the entries' wordings)"
        )
    logits = x[new] @ weights + bias

    def loss(offset: float) -> float:
        z = logits + offset
        return float(np.sum(weight[new] * (np.logaddexp(0, z) - y[new] * z)))

    offset = float(minimize_scalar(loss, bounds=(-5, 5), method="bounded").x)
    shifted = weights.copy()
    shifted[worded] = weights[worded] - offset
    return shifted, bias + offset


def report(logits: np.ndarray, y: np.ndarray, sets: list[str]) -> None:
    probabilities = 1 / (1 + np.exp(-logits))
    names = np.array(sets)
    for threshold in np.arange(0.6, 0.86, 0.02):
        answered = probabilities >= threshold
        figures = []
        for name in dict.fromkeys(sets):
            mine = names == name
            right = float(np.mean(answered[mine] & (y[mine] == 1)))
            wrong = float(np.mean(answered[mine] & (y[mine] == 0)))
            figures.append(f"{name} {right:.3f}/{wrong:.3f}")
        print(f"{threshold:.2f}: " + "; ".join(figures))


if __name__ == "__main__":
    main()
