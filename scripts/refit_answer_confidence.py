"""Refit knowledge_base/confidence.py on development questions that retrieval meets as it meets
a resident's new question.

That is every development set but the first paraphrase sets, which the embedding model is tuned
on (scripts/make_tuning_pairs.py) and so scores as it scores what it learned:
- the calibration sets (tests/eval/*_calibration.tsv), written for this fit alone: neither
  tuned on nor residents' wordings;
- the later paraphrase sets (*_paraphrases_2.tsv and on): residents' wordings, so the fit scores
  each with an index that holds every wording but its own (scripts/fit_answer_confidence.py),
  as a new question meets the other residents' wordings;
- the out-of-scope development messages to the starter knowledge base, never to be answered.

This script sends each of them through the pipeline (`loket eval --details`: the fit needs
Rasa's intent per message), and the checks too: the situation and unseen questions and the
out-of-scope messages to the rijksoverheid corpus, which the fit reports on but is not fitted
on. Then it fits, and prints the weights and what they and the weights in use do at a few
thresholds. About 45 minutes on two cores: 30 for the evaluations, 15 for the fit. The
evaluations' files go to --workdir (under var/, not in git) and are reused: delete it after
changing the sets, Rasa's model or retrieval.

    .venv/bin/python scripts/refit_answer_confidence.py

Other options go to scripts/fit_answer_confidence.py: --save FILE.npz keeps the fit's examples,
and --new-entries-only fits only how a match to an entry without residents' wordings is judged
(the weights in use were made so: knowledge_base/confidence.py says why).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from bot.settings import PROJECT_DIR

RIJKSOVERHEID = PROJECT_DIR.parent / "shared" / "datasets" / "rijksoverheid-vac"
CORPORA = {
    "rijksoverheid": [
        RIJKSOVERHEID / "rijksoverheid_vacs_bzk.csv",
        RIJKSOVERHEID / "rijksoverheid_vacs_omgevingswet.csv",
    ],
    "starter": [PROJECT_DIR / "knowledge_base" / "seed" / "starter.yml"],
}
EVAL_DIR = PROJECT_DIR / "tests" / "eval"
TUNED_ON = "{corpus}_paraphrases.tsv"
"""The first paraphrase set of a corpus: the embedding model learned it."""
CHECKS = ("rijksoverheid_situations.tsv", "rijksoverheid_unseen.tsv")
OUT_OF_SCOPE = EVAL_DIR / "out_of_scope.tsv"
BIN = Path(sys.executable).parent


def fit_sets(corpus: str) -> list[Path]:
    """A corpus's development sets the fit may learn from."""
    found = [
        *EVAL_DIR.glob(f"{corpus}_calibration.tsv"),
        *EVAL_DIR.glob(f"{corpus}_paraphrases*.tsv"),
    ]
    return sorted(path for path in found if path.name != TUNED_ON.format(corpus=corpus))


def joined(corpus: list[Path]) -> str:
    """A corpus as scripts/fit_answer_confidence.py names it: its files, comma-separated."""
    return ",".join(map(str, corpus))


def evaluate(corpus: list[Path], queries: Path, workdir: Path, kind: str = "retrieval") -> str:
    """`loket eval --details` over a corpus (once: an existing details file is reused); the
    set as the fit names it."""
    details = workdir / f"{queries.stem}_{kind}_{corpus[0].stem}.jsonl"
    if not details.exists():
        command = [BIN / "loket", "eval", kind, "--queries", queries, "--details", details]
        command += [part for path in corpus for part in ("--corpus", path)]
        print("+", " ".join(map(str, command)), flush=True)
        subprocess.run([str(part) for part in command], check=True)  # noqa: S603
    return f"{joined(corpus)}={details}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("var/answer-confidence"))
    args, fit_options = parser.parse_known_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    fitted = [
        evaluate(corpus, queries, args.workdir)
        for name, corpus in CORPORA.items()
        for queries in fit_sets(name)
    ]
    fitted.append(evaluate(CORPORA["starter"], OUT_OF_SCOPE, args.workdir, kind="oos"))
    checked = [evaluate(CORPORA["rijksoverheid"], EVAL_DIR / name, args.workdir) for name in CHECKS]
    checked.append(evaluate(CORPORA["rijksoverheid"], OUT_OF_SCOPE, args.workdir, kind="oos"))
    command = [BIN / "python", PROJECT_DIR / "scripts" / "fit_answer_confidence.py"]
    command += [part for spec in fitted for part in ("--set", spec)]
    command += [part for spec in checked for part in ("--check", spec)]
    command += fit_options
    print("+", " ".join(map(str, command)), flush=True)
    subprocess.run([str(part) for part in command], check=True)  # noqa: S603


if __name__ == "__main__":
    main()
