"""Write data/retrieval/pairs.tsv: what the embedding model is tuned on (knowledge_base/tuning.py).

From development sets only, never held-out ones: each paraphrase in tests/eval/*_paraphrases.tsv
meets its entry's first two texts (questions, then answer openings), with as the text it should
not meet the question of an entry ranked among the first five that is not the right one. And
every entry of the corpora meets the opening of its own answer.

    D=../shared/datasets/rijksoverheid-vac
    .venv/bin/python scripts/make_tuning_pairs.py \
        --set $D/rijksoverheid_vacs_bzk.csv,$D/rijksoverheid_vacs_omgevingswet.csv=\
tests/eval/rijksoverheid_paraphrases.tsv \
        --set knowledge_base/seed/starter.yml=tests/eval/starter_paraphrases.tsv
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from bot.evaluation import read_tsv
from bot.settings import Settings
from knowledge_base.embeddings import SentenceTransformerEncoder, with_glossary
from knowledge_base.files import read_entries
from knowledge_base.glossary import load_glossary
from knowledge_base.retrieval import HybridIndex, answer_lead, variants
from knowledge_base.tuning import Pair, write_pairs

HARD_NEGATIVES_FROM = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", required=True, help="CORPUS[,CORPUS]=QUERIES")
    parser.add_argument("--out", type=Path, default=Path("data/retrieval/pairs.tsv"))
    args = parser.parse_args()
    settings = Settings()
    glossary = load_glossary(settings.glossary)
    encoder = with_glossary(SentenceTransformerEncoder(precision="float32"), glossary)
    random.seed(0)
    pairs: list[Pair] = []
    for spec in args.set:
        corpora, queries = spec.split("=")
        entries = [e for path in corpora.split(",") for e in read_entries(Path(path))]
        by_record = {e.external_id or e.id: e for e in entries}
        index = HybridIndex(encoder, entries, glossary=glossary)
        for row in read_tsv(Path(queries), ("id", "query")):
            expected = by_record[row["id"]]
            found = index.search(row["query"], limit=HARD_NEGATIVES_FROM)
            wrong = [c.entry for c in found if c.entry.id != expected.id]
            for text in variants(expected)[:2]:
                negative = variants(random.choice(wrong))[0] if wrong else ""  # noqa: S311
                pairs.append(Pair(row["query"], text, negative))
        for entry in entries:
            first = entry.all_questions()[0][1]
            pairs += [Pair(first, answer_lead(answer)) for answer in entry.answers.values()]
    write_pairs(args.out, pairs)
    print(f"{len(pairs)} pairs in {args.out}")


if __name__ == "__main__":
    main()
