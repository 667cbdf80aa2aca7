"""Tune the bundled embedding model on data/retrieval/pairs.tsv (knowledge_base/tuning.py).

.venv/bin/python scripts/tune_embeddings.py --out models/embedding
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from bot.settings import Settings
from knowledge_base.embeddings import bundled_model_path, offline
from knowledge_base.glossary import load_glossary
from knowledge_base.tuning import EPOCHS, read_pairs, tune


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=Path("data/retrieval/pairs.tsv"))
    parser.add_argument("--out", type=Path, default=Path("models/embedding"))
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    offline()
    glossary = load_glossary(Settings().glossary)
    forms = [str] if glossary is None else [str, glossary.english]
    tune(str(bundled_model_path()), read_pairs(args.pairs), args.out, forms, args.epochs)


if __name__ == "__main__":
    main()
