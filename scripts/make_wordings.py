"""Write data/retrieval/wordings.tsv: residents' wordings of the entries' questions
(knowledge_base/wordings.py), from the development paraphrases, never from held-out sets.

    .venv/bin/python scripts/make_wordings.py

A rijksoverheid record's questions become wordings of the entry its import makes
(`ENTRY_ID_PREFIX` and the record id); a starter entry's keep its id. Each set is taken whole:
measured on it afterwards, retrieval reads its own wordings back, so judge a change on the sets
not named here (the situations, rijksoverheid_unseen.tsv and the held-out sets).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.evaluation import read_tsv
from bot.settings import PROJECT_DIR
from knowledge_base.rijksoverheid import ENTRY_ID_PREFIX
from knowledge_base.wordings import HEADER

EVAL_DIR = PROJECT_DIR / "tests" / "eval"
SOURCES = {
    "rijksoverheid_paraphrases.tsv": ENTRY_ID_PREFIX,
    "rijksoverheid_paraphrases_2.tsv": ENTRY_ID_PREFIX,
    "rijksoverheid_paraphrases_3.tsv": ENTRY_ID_PREFIX,
    "rijksoverheid_paraphrases_4.tsv": ENTRY_ID_PREFIX,
    "rijksoverheid_paraphrases_5.tsv": ENTRY_ID_PREFIX,
    "rijksoverheid_paraphrases_6.tsv": ENTRY_ID_PREFIX,
    "starter_paraphrases.tsv": "",
    "starter_paraphrases_2.tsv": "",
    "starter_paraphrases_3.tsv": "",
    "starter_paraphrases_4.tsv": "",
    "starter_paraphrases_5.tsv": "",
}
"""Query file under tests/eval -> what goes before its ids to make entry ids."""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "data/retrieval/wordings.tsv")
    args = parser.parse_args(argv)
    lines = [
        "# Residents' wordings of the entries' questions (knowledge_base/wordings.py), written by"
        " scripts/make_wordings.py from:",
        *(f"#   tests/eval/{name}" for name in SOURCES),
        "\t".join(HEADER),
    ]
    for name, prefix in SOURCES.items():
        for row in read_tsv(EVAL_DIR / name, ("id", "query")):
            lines.append(f"{prefix}{row['id']}\t{row['query']}")
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines) - len(SOURCES) - 2} wordings in {args.out}")


if __name__ == "__main__":
    main()
