"""Refit knowledge_base/confidence.py on paraphrases the embedding model was not tuned on.

The model `make setup` tunes has learned every development paraphrase, so it scores them better
than a resident's new wording; an answer model fitted on those scores would trust too much.
This script
1. deals each entry's development paraphrases (tests/eval/*_paraphrases.tsv) into --folds folds,
   in turn;
2. tunes a model for each fold on the paraphrases of all the other folds
   (scripts/make_tuning_pairs.py, scripts/tune_embeddings.py);
3. sends each fold through the pipeline with the model that did not see it, and the
   out-of-scope development set and the situation questions with the configured model
   (`loket eval --details`);
4. fits the answer model on the folds and the out-of-scope messages to the starter knowledge
   base (scripts/fit_answer_confidence.py), which prints the weights and what they and the
   model in use do at a few thresholds, also on the situation questions and the out-of-scope
   messages to the rijksoverheid corpus.

The weights in use were fitted with two folds (halves). With four (each model learns three of
an entry's four paraphrases) the models put the right entry first for 0.86 of the rijksoverheid
paraphrases, yet the weights fitted on them drew the same curve as those in use on the same
examples (right 0.755 of the rijksoverheid paraphrases at 0.056 wrong, both), so they were not
taken: the answer decision is not what holds top1 back, retrieval is. Each fold costs one
tuning and two evals, 10 to 15 minutes on two cores (four folds: 70 minutes in all). Its files go
to --workdir (under var/, not in git); models tuned there before are reused: delete it after
changing the paraphrases or the tuning.

    .venv/bin/python scripts/cross_fit_answer_confidence.py
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from bot.evaluation import read_tsv

RIJKSOVERHEID = Path("../shared/datasets/rijksoverheid-vac")
RIJKSOVERHEID_CORPUS = [
    RIJKSOVERHEID / "rijksoverheid_vacs_bzk.csv",
    RIJKSOVERHEID / "rijksoverheid_vacs_omgevingswet.csv",
]
STARTER_CORPUS = [Path("knowledge_base/seed/starter.yml")]
SETS = {
    "rijksoverheid": (RIJKSOVERHEID_CORPUS, Path("tests/eval/rijksoverheid_paraphrases.tsv")),
    "starter": (STARTER_CORPUS, Path("tests/eval/starter_paraphrases.tsv")),
}
CHECKS = {
    "rijksoverheid_situations": (
        RIJKSOVERHEID_CORPUS,
        Path("tests/eval/rijksoverheid_situations.tsv"),
    ),
}
"""Development questions the embedding model was not tuned on, scored by the configured model:
the fit reports on them but is not fitted on them (fitted on them too, the model trades right
answers to paraphrases for fewer wrong ones here, along the same curve)."""
OUT_OF_SCOPE = Path("tests/eval/out_of_scope.tsv")
BIN = Path(sys.executable).parent


def run(*command: str | Path, model: Path | None = None) -> None:
    """Run one of the project's own commands (no shell), with another embedding model."""
    print("+", " ".join(map(str, command)), flush=True)
    env = {**os.environ, "LOKET_EMBEDDING_MODEL": str(model)} if model else None
    subprocess.run([str(part) for part in command], check=True, env=env)  # noqa: S603


def split(queries: Path, workdir: Path, name: str, folds: int) -> list[tuple[Path, Path]]:
    """Per fold, a file of the paraphrases in it and one of all the others: each entry's
    paraphrases dealt round the folds, each entry starting one fold on from the one before, so
    an entry whose paraphrases do not divide evenly leaves its extra one in another fold than
    the entry before did: the folds come out about the same size (711 rijksoverheid paraphrases
    into 174 to 180 with four folds, 353 and 358 with two)."""
    seen: Counter[str] = Counter()
    start: dict[str, int] = {}
    rows: list[list[str]] = [[] for _ in range(folds)]
    for row in read_tsv(queries, ("id", "query")):
        first = start.setdefault(row["id"], len(start))
        rows[(first + seen[row["id"]]) % folds].append(f"{row['id']}\t{row['query']}")
        seen[row["id"]] += 1
    files = []
    for fold in range(folds):
        held = workdir / f"{name}_{fold + 1}.tsv"
        learnt = workdir / f"{name}_not_{fold + 1}.tsv"
        others = [line for other in range(folds) if other != fold for line in rows[other]]
        for path, lines in ((held, rows[fold]), (learnt, others)):
            path.write_text("id\tquery\n" + "\n".join(lines) + "\n", encoding="utf-8")
        files.append((held, learnt))
    return files


def repeated(option: str, values: list[str] | list[Path]) -> list[str | Path]:
    """`--option value` for each value."""
    return [part for value in values for part in (option, value)]


def joined(corpus: list[Path]) -> str:
    """A corpus as the scripts' `--set` names it: its files, comma-separated."""
    return ",".join(map(str, corpus))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("var/cross-fit"))
    parser.add_argument("--folds", type=int, default=2)
    parser.add_argument("--save", type=Path, help="also write the fit's examples here (.npz)")
    args = parser.parse_args()
    if args.folds < 2:
        parser.error("--folds: at least 2")
    workdir: Path = args.workdir / f"folds{args.folds}"
    workdir.mkdir(parents=True, exist_ok=True)
    folds = {name: split(queries, workdir, name, args.folds) for name, (_, queries) in SETS.items()}
    models = [workdir / f"model_{fold + 1}" for fold in range(args.folds)]
    for fold, model in enumerate(models):
        if (model / "config.json").exists():
            continue  # tuned before
        pair_sets = [
            f"{joined(corpus)}={folds[name][fold][1]}" for name, (corpus, _) in SETS.items()
        ]
        pairs = workdir / f"pairs_{fold + 1}.tsv"
        make_pairs = ["scripts/make_tuning_pairs.py", *repeated("--set", pair_sets)]
        run(BIN / "python", *make_pairs, "--out", pairs)
        run(BIN / "python", "scripts/tune_embeddings.py", "--pairs", pairs, "--out", model)
    fit_sets: list[str] = []
    for name, (corpus, _) in SETS.items():
        for (held, _), model in zip(folds[name], models, strict=True):
            details = held.with_suffix(".jsonl")
            evaluate(corpus, held, details, model=model)
            fit_sets.append(f"{joined(corpus)}={details}={model}")
    check_sets: list[str] = []
    for name, (corpus, queries) in CHECKS.items():
        details = workdir / f"{name}.jsonl"
        evaluate(corpus, queries, details)
        check_sets.append(f"{joined(corpus)}={details}")
    for name, (corpus, _) in SETS.items():
        details = workdir / f"out_of_scope_{name}.jsonl"
        evaluate(corpus, OUT_OF_SCOPE, details, kind="oos")
        (fit_sets if corpus == STARTER_CORPUS else check_sets).append(f"{joined(corpus)}={details}")
    run(
        BIN / "python",
        "scripts/fit_answer_confidence.py",
        *repeated("--set", fit_sets),
        *repeated("--check", check_sets),
        *(["--save", args.save] if args.save else []),
    )


def evaluate(
    corpus: list[Path],
    queries: Path,
    details: Path,
    model: Path | None = None,
    kind: str = "retrieval",
) -> None:
    """`loket eval` over a corpus, each query's outcome written to `details`."""
    command = [BIN / "loket", "eval", kind, *repeated("--corpus", corpus), "--queries", queries]
    run(*command, "--details", details, model=model)


if __name__ == "__main__":
    main()
