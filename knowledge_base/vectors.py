"""Text embeddings kept in the database, so a process reads them instead of encoding again."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from typing import Final

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from knowledge_base.embeddings import Vector
from knowledge_base.tables import EmbeddingRow

logger = logging.getLogger(__name__)

_KEYS_PER_QUERY: Final = 500
"""Below every database's limit on bound parameters."""


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class StoredVectors:
    """The vectors one model (`model`, its identity) gave texts, in the `kb_embedding` table.

    A cache: when the database cannot be read or written the texts are encoded as before, so a
    failure is logged and never stops the knowledge base."""

    def __init__(self, engine: Engine, model: str) -> None:
        self.engine = engine
        self.model = model

    def load(self, texts: Sequence[str]) -> dict[str, Vector]:
        keys: dict[str, str] = {text_key(text): text for text in texts}
        found: dict[str, Vector] = {}
        wanted = list(keys)
        try:
            with Session(self.engine) as session:
                for start in range(0, len(wanted), _KEYS_PER_QUERY):
                    rows = session.execute(
                        select(EmbeddingRow.text_sha256, EmbeddingRow.vector)
                        .where(EmbeddingRow.model == self.model)
                        .where(
                            EmbeddingRow.text_sha256.in_(wanted[start : start + _KEYS_PER_QUERY])
                        )
                    ).tuples()
                    for key, vector in rows:
                        found[keys[key]] = np.frombuffer(vector, dtype=np.float32)
        except SQLAlchemyError:
            logger.warning("Stored embeddings could not be read; encoding instead", exc_info=True)
            return {}
        return found

    def save(self, vectors: Mapping[str, Vector]) -> None:
        rows = [
            {
                "model": self.model,
                "text_sha256": text_key(text),
                "vector": np.ascontiguousarray(vector, dtype=np.float32).tobytes(),
            }
            for text, vector in vectors.items()
        ]
        if not rows:
            return
        # Another worker may be saving the same texts at the same moment: first one wins.
        insert = (postgresql if self.engine.dialect.name == "postgresql" else sqlite).insert
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(EmbeddingRow).on_conflict_do_nothing(), rows)
        except SQLAlchemyError:
            logger.warning("Embeddings could not be stored", exc_info=True)
