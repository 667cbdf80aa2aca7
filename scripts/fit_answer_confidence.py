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
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
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


Examples = tuple[list[list[float]], list[int], list[str], list[bool]]


def examples(index: HybridIndex, details: Path, asked: Iterable[Outcome]) -> Examples:
    """Per message: the features, whether the best candidate is right, the set, and whether
    the message is a question (not out of scope)."""
    rows, labels, sets, questions = [], [], [], []
    for outcome in asked:
        intent = outcome["intent"]
        candidates = index.search(outcome["query"], topic=intent, limit=CONTEXT)
        if not candidates:
            continue
        values = features(outcome["query"], candidates, intent, intent == OUT_OF_SCOPE_INTENT)
        rows.append([values[name] for name in FEATURES])
        labels.append(int(candidates[0].entry.id == outcome["expected"]))
        sets.append(details.name)
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

    shared: dict[str, HybridIndex] = {}
    rows, labels, sets, fitted, questions = [], [], [], [], []
    for spec, fit in [(s, True) for s in args.set] + [(s, False) for s in args.check]:
        parts = spec.split("=")
        if len(parts) != 2:
            parser.error(f"{spec}: expected {spec_help}")
        corpus, details = parts
        asked = outcomes(Path(details))
        unasked = wordings_unasked(wordings, asked)
        if unasked != wordings:
            index = build(corpus, unasked)
        else:  # a set that asks no wording: one index per corpus serves them all
            if corpus not in shared:
                shared[corpus] = build(corpus, wordings)
            index = shared[corpus]
        more = examples(index, Path(details), asked)
        rows += more[0]
        labels += more[1]
        sets += more[2]
        questions += more[3]
        fitted += [fit] * len(more[1])
    x, y, mine = np.array(rows), np.array(labels), np.array(fitted)
    if args.save:
        np.savez(args.save, x=x, y=y, sets=np.array(sets), fitted=mine, features=np.array(FEATURES))
    scaler = StandardScaler().fit(x[mine])
    model = LogisticRegression(C=args.regularisation, max_iter=5000)
    # Out-of-scope messages are few in the development sets, yet many residents send one.
    weight = np.where(questions, 1.0, args.out_of_scope_weight)[mine]
    model.fit(scaler.transform(x[mine]), y[mine], sample_weight=weight)
    # Undo the scaling, so the model reads the features as they are.
    weights = model.coef_[0] / scaler.scale_
    bias = float(model.intercept_[0] - np.sum(weights * scaler.mean_))
    print("WEIGHTS: Final = {")
    for name, weight in zip(FEATURES, weights, strict=True):
        print(f'    "{name}": {weight:.4f},')
    print("}")
    print(f"BIAS: Final = {bias:.4f}")
    current = np.array([WEIGHTS[name] for name in FEATURES])
    for label, (w, b) in {"fitted": (weights, bias), "in use": (current, BIAS)}.items():
        print(f"What the {label} model does, right and wrong answers per set at a threshold:")
        report(x @ w + b, y, sets)


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
