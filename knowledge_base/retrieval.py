"""Hybrid retrieval: sentence embeddings, BM25 and character n-grams, fused into one score.

Each part gives a score between 0 and 1 that means the same for every query, so one threshold can
separate "this is the answer" from "I don't know":
- semantic: the highest cosine similarity between the query and any question variant of an entry
  (or the opening of its answer);
- lexical: the BM25 score over word stems divided by what a document containing every query term
  once would score, so a query whose words the knowledge base has never seen scores low;
- characters: the cosine similarity of character n-grams, which survives typos and Dutch compound
  words ("grofvuil", "grof vuil") where stems do not.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
from sklearn.feature_extraction.text import TfidfVectorizer

from knowledge_base.embeddings import Encoder
from knowledge_base.entries import Candidate, Entry
from knowledge_base.text import LANGUAGES, stems, words

BM25_K1: Final = 1.2
BM25_B: Final = 0.75
SEMANTIC_WEIGHT: Final = 0.45
LEXICAL_WEIGHT: Final = 0.3
CHARACTER_WEIGHT: Final = 0.25
TOPIC_BOOST: Final = 0.06
"""Added when Rasa's intent names the entry's topic: a nudge, never a filter."""

_QUESTION_REPEAT: Final = 2
"""Question variants count double against answer text in the lexical document."""
_ANSWER_LEAD_SENTENCES: Final = 2
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


def answer_lead(answer: str) -> str:
    """The first sentences of an answer: what it is about, as an extra question variant."""
    return " ".join(_SENTENCE_END.split(answer.replace("\n", " "))[:_ANSWER_LEAD_SENTENCES])


def _character_text(text: str) -> str:
    return " ".join(words(text))


class _BM25:
    def __init__(self, documents: Sequence[Sequence[str]]) -> None:
        self.size = len(documents)
        lengths = np.array([len(d) for d in documents], dtype=np.float32)
        average = float(lengths.mean()) if self.size else 1.0
        norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths / max(average, 1.0))
        postings: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        for index, document in enumerate(documents):
            for term, tf in Counter(document).items():
                docs, weights = postings[term]
                docs.append(index)
                weights.append(tf * (BM25_K1 + 1) / (tf + norm[index]))
        self.unseen_idf = self._idf(1)
        self.postings: dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]] = {}
        self.idf: dict[str, float] = {}
        for term, (docs, weights) in postings.items():
            self.idf[term] = self._idf(len(docs))
            self.postings[term] = (
                np.array(docs, dtype=np.int64),
                np.array(weights, dtype=np.float32) * self.idf[term],
            )

    def _idf(self, document_frequency: int) -> float:
        n = self.size
        return math.log(1 + (n - document_frequency + 0.5) / (document_frequency + 0.5))

    def scores(self, terms: set[str]) -> npt.NDArray[np.float32]:
        """Per document, the BM25 score over the best-possible score for these terms (0..1)."""
        total = np.zeros(self.size, dtype=np.float32)
        best = 0.0
        for term in terms:
            best += self.idf.get(term, self.unseen_idf) * (BM25_K1 + 1)
            if term in self.postings:
                docs, weights = self.postings[term]
                total[docs] += weights
        return np.minimum(total / best, 1.0) if best else total


class HybridIndex:
    """An immutable index over one set of entries; build a new one when the entries change."""

    def __init__(
        self, encoder: Encoder, entries: Sequence[Entry], document_encoder: Encoder | None = None
    ) -> None:
        """`document_encoder` encodes the entries' texts (a caching one), `encoder` queries."""
        self.encoder = encoder
        self.entries = list(entries)
        owners: list[int] = []
        texts: list[str] = []
        documents: list[list[str]] = []
        for index, entry in enumerate(self.entries):
            document: list[str] = []
            leads = [answer_lead(answer) for answer in entry.answers.values()]
            for language, question in entry.all_questions():
                document += stems(question, language) * _QUESTION_REPEAT
            for language, answer in entry.answers.items():
                document += stems(answer, language)
            variants = [question for _, question in entry.all_questions()] + leads
            owners += [index] * len(variants)
            texts += variants
            documents.append(document)
        self._owners = np.array(owners, dtype=np.int64)
        self.texts = texts
        self._vectors = (
            (document_encoder or encoder).encode(texts)
            if texts
            else np.zeros((0, 1), dtype=np.float32)
        )
        self._bm25 = _BM25(documents)
        self._characters = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, preprocessor=_character_text
        )
        # One column per variant, like the embeddings: an entry with many variants is not diluted.
        # Stored as n-grams x variants, so a query only touches the rows of its own n-grams.
        self._character_matrix = self._characters.fit_transform(texts).T.tocsr() if texts else None

    def __len__(self) -> int:
        return len(self.entries)

    def search(self, query: str, topic: str | None = None, limit: int = 3) -> list[Candidate]:
        """The best `limit` entries for a query, best first."""
        if not self.entries or not query.strip():
            return []
        semantic = np.zeros(len(self.entries), dtype=np.float32)
        similarities = self._vectors @ self.encoder.encode([query])[0]
        np.maximum.at(semantic, self._owners, similarities)
        semantic = np.clip(semantic, 0.0, 1.0)

        # The language of a short message is easily guessed wrong: stem it both ways, keep the best.
        lexical = np.max([self._bm25.scores(set(stems(query, lang))) for lang in LANGUAGES], axis=0)

        characters = np.zeros(len(self.entries), dtype=np.float32)
        if self._character_matrix is not None:
            query_ngrams = self._characters.transform([query])
            rows = self._character_matrix[query_ngrams.indices]
            per_variant = np.asarray(rows.T @ query_ngrams.data, dtype=np.float32).ravel()
            np.maximum.at(characters, self._owners, per_variant)
        fused = (
            SEMANTIC_WEIGHT * semantic + LEXICAL_WEIGHT * lexical + CHARACTER_WEIGHT * characters
        )
        if topic:
            fused += TOPIC_BOOST * np.array([e.topic == topic for e in self.entries])
        best = np.argsort(-fused, kind="stable")[:limit]
        return [
            Candidate(
                entry=self.entries[i],
                score=round(float(fused[i]), 4),
                semantic=round(float(semantic[i]), 4),
                lexical=round(float(lexical[i]), 4),
                characters=round(float(characters[i]), 4),
            )
            for i in best
        ]
