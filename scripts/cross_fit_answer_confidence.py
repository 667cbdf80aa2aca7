"""Refit knowledge_base/confidence.py on paraphrases the embedding model was not tuned on.

The model `make setup` tunes has learned every development paraphrase, so it scores them better
than a resident's new wording; an answer model fitted on those scores would trust too much.
This script
1. splits each entry's development paraphrases (tests/eval/*_paraphrases.tsv) into two halves,
   alternately;
2. tunes a model on each half (scripts/make_tuning_pairs.py, scripts/tune_embeddings.py);
3. sends each half through the pipeline with the model tuned on the other half, and the
   out-of-scope development set and the situation questions with the configured model
   (`loket eval --details`);
4. fits the answer model on the halves and the out-of-scope messages to the starter knowledge
   base (scripts/fit_answer_confidence.py), which prints the weights and what they and the
   model in use do at a few thresholds, also on the situation questions and the out-of-scope
   messages to the rijksoverheid corpus.

About 30 minutes on two cores. Its files go to --workdir (under var/, not in git); models tuned
there before are reused: delete it after changing the paraphrases or the tuning.

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
HALVES = ("a", "b")
BIN = Path(sys.executable).parent


def run(*command: str | Path, model: Path | None = None) -> None:
    """Run one of the project's own commands (no shell), with another embedding model."""
    print("+", " ".join(map(str, command)), flush=True)
    env = {**os.environ, "LOKET_EMBEDDING_MODEL": str(model)} if model else None
    subprocess.run([str(part) for part in command], check=True, env=env)  # noqa: S603


def split(queries: Path, workdir: Path, name: str) -> dict[str, Path]:
    """Each entry's paraphrases, the first, third, … in half a and the others in half b."""
    seen: Counter[str] = Counter()
    rows: dict[str, list[str]] = {half: [] for half in HALVES}
    for row in read_tsv(queries, ("id", "query")):
        rows[HALVES[seen[row["id"]] % 2]].append(f"{row['id']}\t{row['query']}")
        seen[row["id"]] += 1
    files = {}
    for half, lines in rows.items():
        files[half] = workdir / f"{name}_{half}.tsv"
        files[half].write_text("id\tquery\n" + "\n".join(lines) + "\n", encoding="utf-8")
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
    args = parser.parse_args()
    workdir: Path = args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    halves = {name: split(queries, workdir, name) for name, (_, queries) in SETS.items()}
    for half in HALVES:
        if (workdir / half / "config.json").exists():
            continue  # tuned before
        pair_sets = [f"{joined(corpus)}={halves[name][half]}" for name, (corpus, _) in SETS.items()]
        pairs = workdir / f"pairs_{half}.tsv"
        make_pairs = ["scripts/make_tuning_pairs.py", *repeated("--set", pair_sets)]
        run(BIN / "python", *make_pairs, "--out", pairs)
        run(BIN / "python", "scripts/tune_embeddings.py", "--pairs", pairs, "--out", workdir / half)
    fit_sets: list[str] = []
    for name, (corpus, _) in SETS.items():
        for half, other in zip(HALVES, reversed(HALVES), strict=True):
            details = workdir / f"{name}_{half}.jsonl"
            evaluate(corpus, halves[name][half], details, model=workdir / other)
            fit_sets.append(f"{joined(corpus)}={details}={workdir / other}")
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
