"""Adapting the embedding model to residents' Dutch: a few passes of contrastive training on
pairs of texts that should meet (a resident's wording and the entry's question, a question and
the opening of its answer), each with, where known, a text it should not meet (an entry that
came close but was wrong).

The bundled model is English; Dutch residents' words ("mn id kwijt", "wnr") are far from the
entries' wording to it. Trained on tests/eval's development paraphrases and the entries' own
questions and answers (data/retrieval/pairs.tsv), the right entry came first for 0.905 of the
held-out paraphrases of the rijksoverheid corpus instead of 0.860, and among the first three for
0.986 instead of 0.964 (retrieval alone, measured). Texts are trained as written and as the
glossary's English, the two forms the bilingual encoder reads.
"""

from __future__ import annotations

import csv
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

logger = logging.getLogger(__name__)

BATCH: Final = 32
SCALE: Final = 20.0
"""Cosine similarities times this are the logits of the contrastive loss (as in
sentence-transformers' MultipleNegativesRankingLoss)."""
MAX_TOKENS: Final = 64
"""Residents' questions and answer openings fit; longer texts only cost time."""
EPOCHS: Final = 3
"""Passes over the pairs. Two under-fitted: the development paraphrases, which are trained on,
ranked no better than the held-out ones (r1 0.892 and 0.891); with a third, held-out r1 0.905
and r3 0.986. About five minutes a pass on two cores."""


class TuningError(ValueError):
    """A pairs file that cannot be read; the message says where and why."""


@dataclass(frozen=True)
class Pair:
    anchor: str
    positive: str
    negative: str = ""


def read_pairs(path: Path) -> list[Pair]:
    """TSV with the header anchor, positive, negative (the last may be empty)."""
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file, delimiter="\t", quoting=csv.QUOTE_NONE)
        if reader.fieldnames is None or not {"anchor", "positive"} <= set(reader.fieldnames):
            raise TuningError(f"{path}: the header must name anchor and positive")
        pairs = []
        for number, row in enumerate(reader, start=2):
            anchor, positive = (
                (row.get("anchor") or "").strip(),
                (row.get("positive") or "").strip(),
            )
            if not anchor or not positive:
                raise TuningError(f"{path}: line {number} needs an anchor and a positive")
            pairs.append(Pair(anchor, positive, (row.get("negative") or "").strip()))
    if not pairs:
        raise TuningError(f"{path}: no pairs to tune on")
    return pairs


def write_pairs(path: Path, pairs: Sequence[Pair]) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        file.write("anchor\tpositive\tnegative\n")
        for pair in pairs:
            fields = (pair.anchor, pair.positive, pair.negative)
            file.write("\t".join(" ".join(f.split()) for f in fields) + "\n")


def tune(
    base: str,
    pairs: Sequence[Pair],
    out: Path,
    forms: Sequence[Callable[[str], str]],
    epochs: int = EPOCHS,
    learning_rate: float = 3e-5,
    seed: int = 0,
) -> None:
    """Train the sentence-transformers model at `base` on `pairs`, each text in every one of
    `forms`, and save it to `out`."""
    import torch
    from sentence_transformers import SentenceTransformer

    random.seed(seed)
    torch.manual_seed(seed)
    model = SentenceTransformer(base, device="cpu")
    max_tokens = model.max_seq_length
    model.max_seq_length = MAX_TOKENS
    model.train()
    optimiser = torch.optim.AdamW(model.parameters(), lr=learning_rate)

    def embed(texts: list[str]) -> torch.Tensor:
        vectors = model(model.tokenize(texts))["sentence_embedding"]
        return torch.nn.functional.normalize(vectors, dim=-1)

    order = list(pairs)
    for epoch in range(epochs):
        random.shuffle(order)
        total = 0.0
        for start in range(0, len(order), BATCH):
            batch = order[start : start + BATCH]
            for form in forms:
                anchors = embed([form(p.anchor) for p in batch])
                # The other pairs' positives and every negative are the wrong candidates.
                others = [form(p.positive) for p in batch] + [
                    form(p.negative) for p in batch if p.negative
                ]
                logits = anchors @ embed(others).T * SCALE
                loss = torch.nn.functional.cross_entropy(logits, torch.arange(len(batch)))
                optimiser.zero_grad()
                loss.backward()  # type: ignore[no-untyped-call]
                optimiser.step()
                total += float(loss.item())
        logger.info("Tuning pass %d of %d: loss %.2f", epoch + 1, epochs, total)
    model.eval()
    model.max_seq_length = max_tokens
    out.mkdir(parents=True, exist_ok=True)
    model.save(str(out))
