"""Hybrid retrieval: sentence embeddings, BM25 and character n-grams, fused into one score.

Each part gives a score between 0 and 1 that means the same for every query, so one threshold can
separate "this is the answer" from "I don't know":
- semantic: the highest cosine similarity between the query and any question variant of an entry
  (or the opening of its answer, or a resident's wording of its question:
  knowledge_base/wordings.py);
- lexical: the BM25 score over word stems divided by what a document containing every query term
  once would score, so a query whose words the knowledge base has never seen scores low;
- characters: the cosine similarity of character n-grams (tf-idf), which survives typos and Dutch
  compound words ("grofvuil", "grof vuil") where stems do not;
- English: the lexical score again, over the texts read word by word in English through the
  glossary (knowledge_base/glossary.py), where Dutch words of one meaning meet ("legitimeren",
  "identificeren": identify) and an English question meets a Dutch entry. For an English
  question this score also stands in for the lexical one where it is higher: among the English
  questions about situations (tests/eval/rijksoverheid_situations.tsv, not tuned on) that put
  the right entry first for 0.632 instead of 0.592; Dutch questions are unchanged.

The best few candidates are then ranked again with their passage score: the highest cosine
similarity between the query and a passage of its answer (knowledge_base/passages.py), which the
answer decision also reads.

An index is a few segments that never change. Publishing adds a small segment with the new
entries (and new versions) and marks the ones they replace, and the withdrawn ones, as gone: the
work is proportional to the change, not to the knowledge base. What depends on all entries
(document frequencies, average length, tf-idf norms) is recomputed from the segments' counts with
a few array operations, so an index changed step by step scores like one built at once.
"""

from __future__ import annotations

import copy
import logging
import math
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import chain
from typing import Final

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

from knowledge_base.cores import CORES
from knowledge_base.embeddings import Encoder, Vectors, core_pool, is_bilingual
from knowledge_base.entries import Candidate, Entry
from knowledge_base.glossary import Glossary
from knowledge_base.passages import passages
from knowledge_base.quantised import QuantisedVectors
from knowledge_base.text import LANGUAGES, detect_language, stems, terms

logger = logging.getLogger(__name__)

BM25_K1: Final = 1.2
BM25_B: Final = 0.75
SEMANTIC_WEIGHT: Final = 0.41
LEXICAL_WEIGHT: Final = 0.27
CHARACTER_WEIGHT: Final = 0.23
ENGLISH_WEIGHT: Final = 0.09
"""0.45, 0.3 and 0.25 for the first three before the English part came, which ranked the right
entry first for 0.806 -> 0.833 of the rijksoverheid paraphrases and 0.919 -> 0.941 of the starter
ones (held-out 0.849 -> 0.860 and 0.956 -> 0.956; measured); scaled so the weights add up to 1."""
PASSAGE_SHARE: Final = 0.09
"""The best RERANKED entries are ranked again with this share of the score given to their best
answer passage: a resident who describes a situation ("mijn buurman bouwt een schuur tegen
mijn erfgrens") often matches a sentence deep in the answer rather than its question. With the
pipeline's top 20 ranked again offline, on queries each scored by a model not tuned on them,
the right entry came first for 16 more questions about situations (tests/eval/
rijksoverheid_situations.tsv) and 5 fewer, 5 more rijksoverheid paraphrases and 1 fewer, and 2
fewer starter paraphrases; a share of 0.17 won more situations but lost as many paraphrases as
it won."""
RERANKED: Final = 20
TOPIC_BOOST: Final = 0.06
"""Added when Rasa's intent names the entry's topic: a nudge, never a filter."""

MAX_SEGMENTS: Final = 4
"""With more, the segments after the first are merged: each costs about 0.3 ms on every query."""
COMPACT_SHARE: Final = 0.1
COMPACT_MIN: Final = 100
"""An index whose gone entries and entries outside its first segment number more than this share
(and this minimum) should be compacted into one segment."""

_QUERY_ENCODING: Final = core_pool("loket-query-embedding")
"""Queries are embedded here while the searching thread scores their words, and the rough pass
over many vectors is shared out here once the query's vector is known."""
_SHARED_ROWS: Final = 16_384
"""Rough passes over more vectors than this are split between the cores (ONNX Runtime lets go of
the GIL meanwhile); shorter ones, under 1 ms, stay on the searching thread."""

_QUESTION_REPEAT: Final = 2
"""Question variants count double against answer text in the lexical document."""
_ANSWER_LEAD_SENTENCES: Final = 2
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")

Floats = npt.NDArray[np.float32]
Indices = npt.NDArray[np.intp]


def answer_lead(answer: str) -> str:
    """The first sentences of an answer: what it is about, as an extra question variant."""
    return " ".join(_SENTENCE_END.split(answer.replace("\n", " "))[:_ANSWER_LEAD_SENTENCES])


def _character_text(text: str) -> str:
    return " ".join(terms(text))


_ngrams: Callable[[str], list[str]] = CountVectorizer(
    analyzer="char_wb", ngram_range=(3, 5), preprocessor=_character_text
).build_analyzer()


def variants(entry: Entry) -> list[str]:
    """The texts a query is compared with: the questions, then each answer's opening."""
    leads = [answer_lead(answer) for answer in entry.answers.values()]
    return [question for _, question in entry.all_questions()] + leads


def _passages(entry: Entry) -> list[str]:
    found = [passage for answer in entry.answers.values() for passage in passages(answer)]
    return found or [question for _, question in entry.all_questions()][:1]


def _document(entry: Entry) -> list[str]:
    document: list[str] = []
    for language, question in entry.all_questions():
        document += stems(question, language) * _QUESTION_REPEAT
    for language, answer in entry.answers.items():
        document += stems(answer, language)
    return document


def _english_document(entry: Entry, english: Callable[[str], str]) -> list[str]:
    document: list[str] = []
    for _, question in entry.all_questions():
        document += stems(english(question), "en") * _QUESTION_REPEAT
    for answer in entry.answers.values():
        document += stems(english(answer), "en")
    return document


def _unchanged(text: str) -> str:
    return text


def _bm25_idf(documents: int, document_frequency: int) -> float:
    n = documents
    return math.log(1 + (n - document_frequency + 0.5) / (document_frequency + 0.5))


class _Vocabulary:
    """Term -> row number in the segments' matrices. Shared by an index and the indexes made
    from it; it only grows, so a row number keeps its meaning, and each index and segment knows
    how many rows it has."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._ids)

    def get(self, term: str) -> int | None:
        return self._ids.get(term)

    def matrix(self, documents: Iterable[Sequence[str]]) -> sparse.csr_matrix:
        """Term x document occurrence counts, adding the terms not seen before."""
        ids = self._ids
        indptr, indices, counts = [0], array("i"), array("i")
        for document in documents:
            counted = Counter(document)
            for term in counted:
                if term not in ids:
                    ids[term] = len(ids)
            indices.extend(map(ids.__getitem__, counted))
            counts.extend(counted.values())
            indptr.append(len(indices))
        by_document = sparse.csr_matrix(
            (np.asarray(counts, dtype=np.float32), np.asarray(indices), np.asarray(indptr)),
            shape=(len(indptr) - 1, len(ids)),
        )
        return by_document.T.tocsr()


class _Segment:
    """Entries indexed together; never changed."""

    def __init__(
        self,
        entries: list[Entry],
        texts: list[str],
        variant_counts: Indices,
        own_counts: Indices,
        vectors: Vectors,
        stems: sparse.csr_matrix,
        lengths: Floats,
        ngrams: sparse.csr_matrix,
        passage_texts: list[str],
        passage_counts: Indices,
        passage_vectors: Vectors,
        english: sparse.csr_matrix,
        english_lengths: Floats,
    ) -> None:
        self.entries = entries
        self.texts = texts
        """Each entry's variants (questions and answer leads, then residents' wordings), entry
        after entry."""
        self.variant_counts = variant_counts
        self.first_variant: Indices = np.cumsum(variant_counts) - variant_counts
        self.own_counts = own_counts
        """Per entry, its own variants (no wordings): the ones characters are compared with."""
        self.first_own: Indices = np.cumsum(self.own_counts) - self.own_counts
        self.vectors = vectors
        """Per variant."""
        self.rough = QuantisedVectors(vectors, CORES if len(vectors) > _SHARED_ROWS else 1)
        """The vectors as bytes, for a first, approximate pass."""
        self.stems = stems
        """Stem x entry: occurrences in the entry's lexical document."""
        self.lengths = lengths
        self.ngrams = ngrams
        """Character n-gram x variant but the wordings: 1 + log(occurrences)."""
        self.topics = _topics(entries)
        self.passage_texts = passage_texts
        """Each entry's answer passages, entry after entry."""
        self.passage_counts = passage_counts
        self.first_passage: Indices = np.cumsum(passage_counts) - passage_counts
        self.passage_vectors = passage_vectors
        self.english = english
        """English stem x entry: occurrences in the entry's lexical document read in English."""
        self.english_lengths = english_lengths

    @classmethod
    def build(
        cls,
        entries: Sequence[Entry],
        entry_wordings: Sequence[Sequence[str]],
        vectors: Vectors,
        passage_vectors: Vectors,
        stem_ids: _Vocabulary,
        ngram_ids: _Vocabulary,
        english_ids: _Vocabulary,
        english: Callable[[str], str],
    ) -> _Segment:
        entry_variants = [variants(entry) for entry in entries]
        english_documents = [_english_document(entry, english) for entry in entries]
        entry_passages = [_passages(entry) for entry in entries]
        documents = [_document(entry) for entry in entries]
        pairs = list(zip(entry_variants, entry_wordings, strict=True))
        ngrams = ngram_ids.matrix(_ngrams(text) for text in chain.from_iterable(entry_variants))
        ngrams.data = (1 + np.log(ngrams.data, dtype=np.float64)).astype(np.float32)
        return cls(
            list(entries),
            [text for own, worded in pairs for text in (*own, *worded)],
            np.array([len(own) + len(worded) for own, worded in pairs], dtype=np.intp),
            np.array([len(own) for own in entry_variants], dtype=np.intp),
            vectors,
            stem_ids.matrix(documents),
            np.array([len(d) for d in documents], dtype=np.float32),
            ngrams,
            list(chain.from_iterable(entry_passages)),
            np.array([len(p) for p in entry_passages], dtype=np.intp),
            passage_vectors,
            english_ids.matrix(english_documents),
            np.array([len(d) for d in english_documents], dtype=np.float32),
        )

    @classmethod
    def merge(
        cls,
        segments: Sequence[_Segment],
        alive: Sequence[npt.NDArray[np.bool_]],
        stem_ids: _Vocabulary,
        ngram_ids: _Vocabulary,
        english_ids: _Vocabulary,
    ) -> _Segment:
        """The `alive` entries of `segments` in one segment, without analysing any text again."""
        entries: list[Entry] = []
        texts: list[str] = []
        passage_texts: list[str] = []
        counts, own_counts, vectors, lengths, kept = [], [], [], [], []
        passage_counts, passage_vectors, english_lengths = [], [], []
        for segment, keep in zip(segments, alive, strict=True):
            keep_variants = np.repeat(keep, segment.variant_counts)
            keep_passages = np.repeat(keep, segment.passage_counts)
            passage_texts += [
                text for text, k in zip(segment.passage_texts, keep_passages, strict=True) if k
            ]
            passage_counts.append(segment.passage_counts[keep])
            passage_vectors.append(segment.passage_vectors[keep_passages])
            entries += [entry for entry, k in zip(segment.entries, keep, strict=True) if k]
            texts += [text for text, k in zip(segment.texts, keep_variants, strict=True) if k]
            counts.append(segment.variant_counts[keep])
            own_counts.append(segment.own_counts[keep])
            vectors.append(segment.vectors[keep_variants])
            lengths.append(segment.lengths[keep])
            english_lengths.append(segment.english_lengths[keep])
            kept.append(np.repeat(keep, segment.own_counts))
        return cls(
            entries,
            texts,
            np.concatenate(counts),
            np.concatenate(own_counts),
            np.concatenate(vectors),
            _stack_columns([s.stems for s in segments], alive, len(stem_ids)),
            np.concatenate(lengths),
            _stack_columns([s.ngrams for s in segments], kept, len(ngram_ids)),
            passage_texts,
            np.concatenate(passage_counts),
            np.concatenate(passage_vectors),
            _stack_columns([s.english for s in segments], alive, len(english_ids)),
            np.concatenate(english_lengths),
        )


def _topics(entries: Sequence[Entry]) -> dict[str, Indices]:
    positions: dict[str, list[int]] = {}
    for position, entry in enumerate(entries):
        positions.setdefault(entry.topic, []).append(position)
    return {topic: np.array(p, dtype=np.intp) for topic, p in positions.items()}


def _stack_columns(
    matrices: Sequence[sparse.csr_matrix], keep: Sequence[npt.NDArray[np.bool_]], rows: int
) -> sparse.csr_matrix:
    """The kept columns of term-major matrices side by side, with `rows` rows."""
    blocks = []
    for matrix, columns in zip(matrices, keep, strict=True):
        by_column = matrix.T.tocsr()[columns]
        blocks.append(
            sparse.csr_matrix(
                (by_column.data, by_column.indices, by_column.indptr),
                shape=(by_column.shape[0], rows),
            )
        )
    return sparse.vstack(blocks, format="csr").T.tocsr()


def _live_counts(matrix: sparse.csr_matrix, alive_columns: npt.NDArray[np.bool_]) -> Indices:
    """Per row of a matrix, how many of its columns that hold a value are alive."""
    counts: Indices = np.diff(matrix.indptr)
    if not alive_columns.all():
        dead_values = np.flatnonzero(~alive_columns[matrix.indices])
        dead_rows = np.searchsorted(matrix.indptr, dead_values, side="right") - 1
        counts -= np.bincount(dead_rows, minlength=len(counts))
    return counts


def _document_frequencies(
    matrices: Iterable[sparse.csr_matrix], alive: Iterable[npt.NDArray[np.bool_]], rows: int
) -> Indices:
    frequencies = np.zeros(rows, dtype=np.intp)
    for matrix, columns in zip(matrices, alive, strict=True):
        frequencies[: matrix.shape[0]] += _live_counts(matrix, columns)
    return frequencies


class HybridIndex:
    """An immutable index over one set of entries; `with_changes` makes the next one."""

    def __init__(
        self,
        encoder: Encoder,
        entries: Sequence[Entry],
        document_encoder: Encoder | None = None,
        glossary: Glossary | None = None,
        wordings: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """`document_encoder` encodes the entries' texts (a caching one), `encoder` queries;
        without a `glossary`, the English part reads the texts as they are; `wordings`: per
        entry id, residents' wordings of its question (knowledge_base/wordings.py)."""
        self.encoder = encoder
        self._wordings = wordings or {}
        self._document_encoder = document_encoder or encoder
        self._english: Callable[[str], str] = glossary.english if glossary else _unchanged
        self._reads_english = is_bilingual(encoder) and is_bilingual(self._document_encoder)
        self._stem_ids = _Vocabulary()
        self._ngram_ids = _Vocabulary()
        self._english_ids = _Vocabulary()
        segments = [self._segment(entries)] if entries else []
        self._assemble(segments, [np.ones(len(entries), dtype=np.bool_)] if entries else [])

    def _segment(self, entries: Sequence[Entry]) -> _Segment:
        entry_wordings = [list(self._wordings.get(entry.id, ())) for entry in entries]
        texts = [
            text
            for entry, worded in zip(entries, entry_wordings, strict=True)
            for text in variants(entry) + worded
        ]
        passage_texts = [text for entry in entries for text in _passages(entry)]
        vectors = self._document_encoder.encode(texts)
        passage_vectors = self._document_encoder.encode(passage_texts)
        return _Segment.build(
            entries,
            entry_wordings,
            vectors,
            passage_vectors,
            self._stem_ids,
            self._ngram_ids,
            self._english_ids,
            self._english,
        )

    def _assemble(
        self, segments: Sequence[_Segment], alive: Sequence[npt.NDArray[np.bool_]]
    ) -> None:
        """Take these segments and compute what depends on all of their live entries."""
        pairs = [(s, a) for s, a in zip(segments, alive, strict=True) if a.any()]
        self._segments = [s for s, _ in pairs]
        self._alive = [a for _, a in pairs]
        self._entries = [e for s in self._segments for e in s.entries]
        self._dead = ~np.concatenate(self._alive) if pairs else np.zeros(0, dtype=np.bool_)
        offsets = np.cumsum([0] + [len(s.entries) for s in self._segments])
        self._offsets = offsets.tolist()
        self._slots = {
            self._entries[offset + p].id: offset + p
            for offset, a in zip(offsets, self._alive, strict=False)
            for p in np.flatnonzero(a).tolist()
        }
        self._topics: dict[str, list[Indices]] = {}
        for offset, segment in zip(offsets, self._segments, strict=False):
            for topic, positions in segment.topics.items():
                self._topics.setdefault(topic, []).append(offset + positions)

        self._stem_frequencies = _document_frequencies(
            (s.stems for s in self._segments), self._alive, len(self._stem_ids)
        )
        self._length_norms = _length_norms([s.lengths for s in self._segments], self._alive)
        self._english_frequencies = _document_frequencies(
            (s.english for s in self._segments), self._alive, len(self._english_ids)
        )
        self._english_length_norms = _length_norms(
            [s.english_lengths for s in self._segments], self._alive
        )

        own_alive = [np.repeat(a, s.own_counts) for s, a in pairs]
        live_variants = sum(int(v.sum()) for v in own_alive)
        self._ngram_frequencies = _document_frequencies(
            (s.ngrams for s in self._segments), own_alive, len(self._ngram_ids)
        )
        # Smoothed idf, as scikit-learn's TfidfVectorizer has it.
        idf = np.log((1 + live_variants) / (1 + self._ngram_frequencies)) + 1
        self._ngram_idf = idf.astype(np.float32)
        idf_squares = self._ngram_idf**2
        self._ngram_norms: list[Floats] = []
        for segment in self._segments:
            squares = sparse.csr_matrix(
                (segment.ngrams.data**2, segment.ngrams.indices, segment.ngrams.indptr),
                shape=segment.ngrams.shape,
            )
            norms = np.sqrt(squares.T @ idf_squares[: squares.shape[0]])
            inverse = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
            self._ngram_norms.append(inverse)

    def _successor(
        self, segments: Sequence[_Segment], alive: Sequence[npt.NDArray[np.bool_]]
    ) -> HybridIndex:
        index = copy.copy(self)  # the encoders and the vocabularies
        index._assemble(segments, alive)
        return index

    def with_changes(
        self,
        added: Sequence[Entry],
        removed: Iterable[str],
        wordings: Mapping[str, Sequence[str]] | None = None,
    ) -> HybridIndex:
        """A new index with the `added` entries (new ones, new versions of indexed ones, or
        indexed ones with other `wordings`) and without the entries whose ids are `removed`;
        this one stays as it is. `wordings` replace the residents' wordings from now on."""
        index = copy.copy(self)  # the encoders and the vocabularies
        if wordings is not None:
            index._wordings = wordings
        gone = [self._slots[i] for i in chain(removed, (e.id for e in added)) if i in self._slots]
        dead = self._dead.copy()
        dead[gone] = True
        offsets = np.cumsum([len(s.entries) for s in self._segments])[:-1]
        alive = [~d for d in np.split(dead, offsets)] if self._segments else []
        segments = list(self._segments)
        if added:
            segments.append(index._segment(added))
            alive.append(np.ones(len(added), dtype=np.bool_))
        if len(segments) > MAX_SEGMENTS:
            merged = _Segment.merge(
                segments[1:], alive[1:], self._stem_ids, self._ngram_ids, self._english_ids
            )
            segments[1:] = [merged]
            alive[1:] = [np.ones(len(merged.entries), dtype=np.bool_)]
        index._assemble(segments, alive)
        return index

    def compacted(self) -> HybridIndex:
        """The same entries in one segment, without the gone ones."""
        if len(self._segments) < 2 and not self._dead.any():
            return self
        merged = _Segment.merge(
            self._segments, self._alive, self._stem_ids, self._ngram_ids, self._english_ids
        )
        return self._successor([merged], [np.ones(len(merged.entries), dtype=np.bool_)])

    @property
    def needs_compaction(self) -> bool:
        if not self._segments:
            return False
        untidy = int(self._dead.sum()) + len(self._dead) - len(self._segments[0].entries)
        return untidy > max(COMPACT_MIN, COMPACT_SHARE * len(self._dead))

    @property
    def wordings(self) -> Mapping[str, Sequence[str]]:
        """Per entry id, the residents' wordings the index reads (of entries not in it too)."""
        return self._wordings

    @property
    def entries(self) -> list[Entry]:
        return [self._entries[slot] for slot in self._slots.values()]

    def entry(self, entry_id: str) -> Entry | None:
        """The indexed version of an entry, if it is in the index."""
        slot = self._slots.get(entry_id)
        return None if slot is None else self._entries[slot]

    @property
    def texts(self) -> list[str]:
        """The texts of the entries' variants and passages."""
        return [
            text
            for segment, alive in zip(self._segments, self._alive, strict=True)
            for texts, counts in (
                (segment.texts, segment.variant_counts),
                (segment.passage_texts, segment.passage_counts),
            )
            for text, keep in zip(texts, np.repeat(alive, counts), strict=True)
            if keep
        ]

    def __len__(self) -> int:
        return len(self._slots)

    def search(self, query: str, topic: str | None = None, limit: int = 3) -> list[Candidate]:
        """The best `limit` entries for a query, best first."""
        if not self._slots or not query.strip():
            return []
        # Embedding the query waits on the model; the other core meanwhile scores the words.
        encoding = _QUERY_ENCODING.submit(self.encoder.encode, [query])
        # The language of a short message is easily guessed wrong: stem it both ways, keep the best.
        term_sets = [
            self._query_terms(stems(query, language), self._stem_ids, self._stem_frequencies)
            for language in LANGUAGES
        ]
        english_terms = self._query_terms(
            stems(self._english(query), "en"), self._english_ids, self._english_frequencies
        )
        ngram_rows, ngram_weights = self._query_ngrams(query)
        lexical, characters, english = [], [], []
        for segment, length_norms, english_norms, ngram_norms in zip(
            self._segments,
            self._length_norms,
            self._english_length_norms,
            self._ngram_norms,
            strict=True,
        ):
            lexical.append(
                np.max([_bm25(segment.stems, length_norms, *terms) for terms in term_sets], axis=0)
            )
            english.append(_bm25(segment.english, english_norms, *english_terms))
            in_segment = ngram_rows < segment.ngrams.shape[0]
            rows = segment.ngrams[ngram_rows[in_segment]]
            per_variant = (rows.T @ ngram_weights[in_segment]) * ngram_norms
            characters.append(np.maximum.reduceat(per_variant, segment.first_own))
        vector = encoding.result()[0]
        in_english = detect_language(query) == "en"
        if self._reads_english and in_english:
            vector = english_reading(vector)
        semantic, errors = [], [0.0]
        for segment in self._segments:
            similarities, error = segment.rough.similarities(vector, _QUERY_ENCODING.submit)
            semantic.append(np.maximum.reduceat(similarities, segment.first_variant))
            errors.append(error)
        semantic_scores = np.clip(np.concatenate(semantic), 0.0, 1.0)
        lexical_scores = np.concatenate(lexical).astype(np.float32)
        character_scores = np.concatenate(characters).astype(np.float32)
        english_scores = np.concatenate(english).astype(np.float32)
        if in_english and self._english is not _unchanged:
            # A Dutch entry shares few stems with an English question: its English reading
            # stands in for it where that matches better.
            lexical_scores = np.maximum(lexical_scores, english_scores)
        boosts = np.zeros(len(self._entries), dtype=np.float32)
        if topic:
            for positions in self._topics.get(topic, []):
                boosts[positions] = TOPIC_BOOST
        boosts[self._dead] = -np.inf
        fused = _fuse(semantic_scores, lexical_scores, character_scores, english_scores) + boosts

        # The semantic scores are rough so far: score the entries that can be among the best
        # exactly, add their passages, and only then choose.
        shortlist = self._shortlist(fused, max(limit, RERANKED), max(errors))
        exact, exact_own = self._exact_semantic(vector, shortlist)
        semantic_scores[shortlist] = exact
        lifts = dict(zip(shortlist.tolist(), (exact - exact_own).tolist(), strict=True))

        def exact_fused(slots: Indices) -> Floats:
            return _fuse(
                semantic_scores[slots],
                lexical_scores[slots],
                character_scores[slots],
                english_scores[slots],
            )

        # Exact now: the best RERANKED are ranked again with their passages.
        fused[shortlist] = exact_fused(shortlist) + boosts[shortlist]
        best = self._shortlist(fused, max(limit, RERANKED), 0.0, among=shortlist)
        worded = dict(zip(best.tolist(), self._worded(best), strict=True))
        passage_scores = self._passage_scores(vector, best)
        fused[best] = (
            (1 - PASSAGE_SHARE) * exact_fused(best) + PASSAGE_SHARE * passage_scores + boosts[best]
        )
        ranked = sorted(
            zip(best.tolist(), passage_scores.tolist(), strict=True),
            key=lambda found: (-fused[found[0]], self._entries[found[0]].id),
        )
        return [
            Candidate(
                entry=self._entries[i],
                score=round(float(fused[i]), 4),
                semantic=round(float(semantic_scores[i]), 4),
                lexical=round(float(lexical_scores[i]), 4),
                characters=round(float(character_scores[i]), 4),
                passage=round(passage, 4),
                wording_lift=round(lifts[i], 4),
                worded=worded[i],
            )
            for i, passage in ranked[:limit]
        ]

    def _passage_scores(self, vector: Vectors, slots: Indices) -> Floats:
        """Per entry (slots in any order), the best similarity of one of its answer passages."""
        scores = np.zeros(len(slots), dtype=np.float32)
        segment_numbers = np.searchsorted(self._offsets, slots, side="right") - 1
        for place, (slot, number) in enumerate(zip(slots, segment_numbers, strict=True)):
            segment = self._segments[number]
            position = slot - self._offsets[number]
            start = segment.first_passage[position]
            rows = segment.passage_vectors[start : start + segment.passage_counts[position]]
            scores[place] = float((rows @ vector).max())
        clipped: Floats = np.clip(scores, 0.0, 1.0)
        return clipped

    def _shortlist(
        self, scores: Floats, limit: int, error: float, among: Indices | None = None
    ) -> Indices:
        """The entries (of all, or of the ascending slots `among`) that can be among the best
        `limit` once their semantic score, at most `error` from the exact one, is exact."""
        slots = np.arange(len(scores)) if among is None else among
        count = min(limit, len(slots))
        lowest = np.partition(scores[slots], -count)[-count]
        shortlisted: Indices = slots[scores[slots] >= lowest - 2 * SEMANTIC_WEIGHT * error]
        return shortlisted

    def _exact_semantic(self, vector: Vectors, slots: Indices) -> tuple[Floats, Floats]:
        """The semantic scores of these entries (ascending slots), from the float32 vectors, and
        the same from the entries' own texts alone (without the residents' wordings)."""
        scores: list[Floats] = []
        own_scores: list[Floats] = []
        segment_numbers = np.searchsorted(self._offsets, slots, side="right") - 1
        for number, segment in enumerate(self._segments):
            positions = slots[segment_numbers == number] - self._offsets[number]
            if len(positions):
                counts = segment.variant_counts[positions]
                starts = np.cumsum(counts) - counts
                within = np.arange(counts.sum()) - np.repeat(starts, counts)
                rows = np.repeat(segment.first_variant[positions], counts) + within
                similarities = segment.vectors[rows] @ vector
                scores.append(np.maximum.reduceat(similarities, starts))
                own = within < np.repeat(segment.own_counts[positions], counts)
                own_similarities = np.where(own, similarities, -1.0).astype(np.float32)
                own_scores.append(np.maximum.reduceat(own_similarities, starts))
        exact: Floats = np.clip(np.concatenate(scores), 0.0, 1.0)
        exact_own: Floats = np.clip(np.concatenate(own_scores), 0.0, 1.0)
        return exact, exact_own

    def _worded(self, slots: Indices) -> list[bool]:
        """Per entry (slots in any order), whether it has residents' wordings."""
        segment_numbers = np.searchsorted(self._offsets, slots, side="right") - 1
        return [
            bool(segment.variant_counts[position] > segment.own_counts[position])
            for segment, position in (
                (self._segments[number], slot - self._offsets[number])
                for slot, number in zip(slots, segment_numbers, strict=True)
            )
        ]

    def _query_terms(
        self, terms: Iterable[str], vocabulary: _Vocabulary, frequencies: Indices
    ) -> tuple[Indices, Floats, float]:
        """The rows of the query's stems that the index holds, their idf, and the score of a
        document that holds each stem once (for scaling to 0..1)."""
        documents = len(self._slots)
        rows, idfs, best = [], [], 0.0
        for term in set(terms):
            row = vocabulary.get(term)
            frequency = 0
            if row is not None and row < len(frequencies):
                frequency = int(frequencies[row])
            idf = _bm25_idf(documents, frequency or 1)
            best += idf * (BM25_K1 + 1)
            if frequency:
                rows.append(row)
                idfs.append(idf)
        return np.array(rows, dtype=np.intp), np.array(idfs, dtype=np.float32), best

    def _query_ngrams(self, query: str) -> tuple[Indices, Floats]:
        """The rows of the query's n-grams that the index holds, and their tf-idf weight times
        their idf: the dot product with a variant's counts, divided by the variant's norm, is
        the cosine similarity."""
        rows, tfs = [], []
        for gram, count in Counter(_ngrams(query)).items():
            row = self._ngram_ids.get(gram)
            known = row is not None and row < len(self._ngram_frequencies)
            if known and self._ngram_frequencies[row]:
                rows.append(row)
                tfs.append(1 + math.log(count))
        found = np.array(rows, dtype=np.intp)
        weights = np.array(tfs, dtype=np.float64) * self._ngram_idf[found]
        norm = float(np.linalg.norm(weights))
        if norm:
            weights /= norm
        return found, (weights * self._ngram_idf[found]).astype(np.float32)


def english_reading(vector: Vectors) -> Vectors:
    """An English question's vector for comparing it with the entries' English readings alone.

    A bilingual vector (knowledge_base/embeddings.py: BilingualEncoder) is a text's own reading
    and its glossary English side by side, each half divided by sqrt(2); its dot product with an
    entry's is the mean of the two cosines. For an English question the first, its own reading
    against a Dutch entry's, says little: this vector puts the question's own reading where
    the entries' English is and doubles it, so the product is that one cosine (the glossary
    leaves English words as they are, or mistakes some for Dutch). On the rijksoverheid corpus
    it put the right entry first for 0.59 of the English situation questions instead of 0.54
    (tests/eval/rijksoverheid_situations.tsv; held-out 0.71 -> 0.80)."""
    half = len(vector) // 2
    return np.concatenate([np.zeros(half, dtype=vector.dtype), 2 * vector[:half]])


def _fuse(semantic: Floats, lexical: Floats, characters: Floats, english: Floats) -> Floats:
    fused: Floats = (
        SEMANTIC_WEIGHT * semantic
        + LEXICAL_WEIGHT * lexical
        + CHARACTER_WEIGHT * characters
        + ENGLISH_WEIGHT * english
    )
    return fused


def _length_norms(
    lengths: Sequence[Floats], alive: Sequence[npt.NDArray[np.bool_]]
) -> list[Floats]:
    """BM25's length normalisation of each segment's documents, against the live average."""
    documents = sum(int(a.sum()) for a in alive)
    length = sum(float(ls[a].sum()) for ls, a in zip(lengths, alive, strict=True))
    average = length / documents if documents else 1.0
    return [BM25_K1 * (1 - BM25_B + BM25_B * ls / max(average, 1.0)) for ls in lengths]


def _bm25(
    matrix: sparse.csr_matrix, length_norms: Floats, rows: Indices, idfs: Floats, best: float
) -> Floats:
    """Per entry of a segment (the columns of its term x entry `matrix`), the BM25 score over
    the best-possible score (0..1)."""
    entries = matrix.shape[1]
    if not best:
        return np.zeros(entries, dtype=np.float32)
    in_segment = rows < matrix.shape[0]
    postings = matrix[rows[in_segment]]
    tf = postings.data
    idf = np.repeat(idfs[in_segment], np.diff(postings.indptr))
    weights = idf * tf * (BM25_K1 + 1) / (tf + length_norms[postings.indices])
    total = np.bincount(postings.indices, weights=weights, minlength=entries)
    return np.minimum(total / best, 1.0).astype(np.float32)
