"""Fit knowledge_base/confidence.py's weights from `loket eval --details` files.

Each set is a corpus and the details file of an eval over it (which holds each query, the entry
expected, if any, and Rasa's intent): the best candidate is a positive example when it is the
expected entry, a negative one otherwise (every out-of-scope message is one). Prints the weights
to paste into knowledge_base/confidence.py, and what the fitted model and the one in use do at a
few thresholds, also on `--check` sets it was not fitted on.

Fit on development sets only (tests/eval/*_paraphrases.tsv, out_of_scope.tsv), never held-out:

    .venv/bin/python scripts/fit_answer_confidence.py \
        --set knowledge_base/seed/starter.yml=starter.jsonl \
        --set knowledge_base/seed/starter.yml=oos.jsonl \
        --set bzk.csv,omgevingswet.csv=rijks.jsonl ...

The embedding model is tuned on the development paraphrases (scripts/make_tuning_pairs.py), so
it scores them better than a resident's new wording: fit on scores it did not learn. Tune one
model on half of each entry's paraphrases and another on the other half, evaluate each half with
the model that did not see it, and name that model after the details file
(`--set CORPUS=DETAILS=MODEL`); without a model, the configured one searches.
scripts/cross_fit_answer_confidence.py does all of that.
"""

from __future__ import annotations

import argparse
import json
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
from knowledge_base.embeddings import Encoder, load_encoder, with_glossary
from knowledge_base.files import read_entries
from knowledge_base.glossary import load_glossary
from knowledge_base.retrieval import HybridIndex


def examples(index: HybridIndex, details: Path) -> tuple[list[list[float]], list[int], list[str]]:
    rows, labels, sets = [], [], []
    for line in details.read_text(encoding="utf-8").splitlines():
        outcome = json.loads(line)
        intent = outcome["intent"]
        candidates = index.search(outcome["query"], topic=intent, limit=CONTEXT)
        if not candidates:
            continue
        values = features(outcome["query"], candidates, intent, intent == OUT_OF_SCOPE_INTENT)
        rows.append([values[name] for name in FEATURES])
        labels.append(int(candidates[0].entry.id == outcome["expected"]))
        sets.append(details.name)
    return rows, labels, sets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    spec_help = "CORPUS[,CORPUS]=DETAILS[=MODEL]"
    parser.add_argument("--set", action="append", required=True, help=f"fit on: {spec_help}")
    parser.add_argument("--check", action="append", default=[], help=f"only report on: {spec_help}")
    parser.add_argument("--regularisation", type=float, default=0.3, help="sklearn's C")
    parser.add_argument("--save", type=Path, help="also write the examples here (.npz)")
    args = parser.parse_args()
    settings = Settings()
    glossary = load_glossary(settings.glossary)
    encoders: dict[str, Encoder] = {}
    indexes: dict[tuple[str, str], HybridIndex] = {}
    rows, labels, sets, fitted = [], [], [], []
    for spec, fit in [(s, True) for s in args.set] + [(s, False) for s in args.check]:
        parts = spec.split("=")
        if len(parts) not in (2, 3):
            parser.error(f"{spec}: expected {spec_help}")
        corpus, details = parts[:2]
        model = parts[2] if len(parts) == 3 else settings.embedding_model
        if model not in encoders:
            encoders[model] = with_glossary(
                load_encoder(model, settings.embedding_precision, settings.embedding_runtime),
                glossary,
            )
        if (corpus, model) not in indexes:
            entries = {e.id: e for p in corpus.split(",") for e in read_entries(Path(p))}
            indexes[corpus, model] = HybridIndex(
                encoders[model], list(entries.values()), glossary=glossary
            )
        more = examples(indexes[corpus, model], Path(details))
        rows += more[0]
        labels += more[1]
        sets += more[2]
        fitted += [fit] * len(more[1])
    x, y, mine = np.array(rows), np.array(labels), np.array(fitted)
    if args.save:
        np.savez(args.save, x=x, y=y, sets=np.array(sets), fitted=mine, features=np.array(FEATURES))
    scaler = StandardScaler().fit(x[mine])
    model = LogisticRegression(C=args.regularisation, max_iter=5000)
    model.fit(scaler.transform(x[mine]), y[mine])
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
