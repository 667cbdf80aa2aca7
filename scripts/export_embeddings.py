"""Export a sentence-transformers model for ONNX Runtime (knowledge_base/onnx_encoder.py).

.venv/bin/python scripts/export_embeddings.py models/embedding
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from knowledge_base.onnx_encoder import export


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path, help="the model's folder; the export goes inside it")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    export(args.model)


if __name__ == "__main__":
    main()
