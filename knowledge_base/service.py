"""The knowledge base as the rest of Loket sees it: load what is answerable, decide on questions."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import torch
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from threadpoolctl import threadpool_limits

from knowledge_base import live, notices, store, wordings
from knowledge_base.confidence import CONTEXT, answer_confidence
from knowledge_base.embeddings import (
    BatchCachingEncoder,
    CachingEncoder,
    Encoder,
    model_identity,
)
from knowledge_base.entries import Candidate, Decision, Entry, Status
from knowledge_base.glossary import Glossary
from knowledge_base.retrieval import HybridIndex
from knowledge_base.seed import read_seed
from knowledge_base.thresholds import Thresholds
from knowledge_base.vectors import StoredVectors
from knowledge_base.wording_effect import Effect, effect

logger = logging.getLogger(__name__)

SHOWN: Final = 3
"""Candidates a decision names: the answer's runners-up, or the choices offered."""


class KnowledgeBase:
    """Answers questions from the published entries in the database.

    `reload()` applies what changed in the database to a new index and swaps it in whole, so a
    search never sees half of one. When changes have piled up, a thread merges the index into
    one segment again (`compact()`). `refresh()`, called often, reloads only when the
    knowledge base's or the notices' revision moved, or a version's validity began or ended.
    """

    def __init__(
        self,
        engine: Engine,
        encoder: Encoder,
        thresholds: Thresholds | None = None,
        glossary: Glossary | None = None,
        file_wordings: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """`glossary`: the one `encoder` reads texts in English with, if any; retrieval reads
        the words in English through it too. `file_wordings`: residents' wordings per entry
        id from the file shipped with Loket; those approved in the database come with them."""
        # BLAS threads that spin after a small matrix product steal both cores from the
        # embedding model's threads: one BLAS thread made a query three times faster (measured).
        threadpool_limits(limits=1, user_api="blas")
        # Likewise torch's, which read the vectors while ONNX Runtime embeds the next question:
        # with two, the p95 at 20,000 entries was 19.1 ms instead of 16.7 ms (measured).
        torch.set_num_threads(1)
        self.engine = engine
        self.encoder = encoder
        # Only the entries' texts are stored, never a resident's message (queries go to
        # `encoder` directly); an encoder that does not name its model stores nothing.
        model = model_identity(encoder)
        self._document_encoder = CachingEncoder(
            encoder, StoredVectors(engine, model) if model else None
        )
        self.thresholds = thresholds or Thresholds()
        self._file_wordings = wordings.merged(file_wordings or {})
        self._index = HybridIndex(
            encoder, [], self._document_encoder, glossary, self._file_wordings
        )
        self._reload_lock = threading.Lock()
        self._compaction: threading.Thread | None = None
        self.notices = notices.NoticeBoard()
        self._revisions: dict[str, int] = {}
        self._next_change: datetime | None = None

    def import_seed_if_empty(self, seed_file: Path) -> int:
        """Import the starter entries, published, into an empty knowledge base."""
        with Session(self.engine) as session, session.begin():
            if store.count_entries(session):
                return 0
            added = store.import_entries(
                session, read_seed(seed_file), Status.PUBLISHED, author="seed"
            )["added"]
        logger.info("Imported %d starter entries from %s", added, seed_file.name)
        return added

    def reload(self) -> int:
        """Index what became answerable and drop what no longer is (published, retired,
        expired), and the entries whose residents' wordings were approved or removed; only the
        entries that changed are read and indexed."""
        with self._reload_lock:
            index = self._index
            indexed = {entry.id: entry.version for entry in index.entries}
            now = datetime.now(UTC)
            with Session(self.engine) as session:
                # The revision first: a change committed after this is seen by the next refresh.
                revision = live.revisions(session).get(live.KNOWLEDGE_BASE)
                answerable = store.answerable_versions(session, now)
                changed = {i: v for i, v in answerable.items() if indexed.get(i) != v}
                added = store.entry_versions(session, changed)
                in_use = wordings.merged(self._file_wordings, wordings.approved(session))
                self._next_change = store.next_change(session, now)
            if revision is not None:
                self._revisions[live.KNOWLEDGE_BASE] = revision
            removed = [entry_id for entry_id in indexed if entry_id not in answerable]
            reworded = _reworded(index, in_use, exclude=changed.keys() | set(removed))
            if added or removed or reworded or in_use != index.wordings:
                self._index = index.with_changes(added + reworded, removed, in_use)
                logger.info(
                    "Knowledge base: %d entries added or changed, %d reworded, %d removed; "
                    "%d answerable",
                    len(added),
                    len(reworded),
                    len(removed),
                    len(self._index),
                )
            if self._index.needs_compaction and not (
                self._compaction and self._compaction.is_alive()
            ):
                self._compaction = threading.Thread(
                    target=self.compact, name="knowledge-base-compaction", daemon=True
                )
                self._compaction.start()
        return len(self._index)

    def reload_notices(self) -> int:
        """Read the current notices into `notices`; how many there are."""
        with Session(self.engine) as session:
            revision = live.revisions(session).get(live.NOTICES)
            current = notices.current(session, datetime.now(UTC))
        self.notices.replace(current)
        if revision is not None:
            self._revisions[live.NOTICES] = revision
        return len(current)

    def refresh(self) -> set[str]:
        """Reload what changed since the last look: one small query when nothing did. The
        names (`knowledge_base.live`) of what was reloaded."""
        with Session(self.engine) as session:
            revisions = live.revisions(session)
        reloaded = set()
        moment = self._next_change
        if revisions.get(live.KNOWLEDGE_BASE) != self._revisions.get(live.KNOWLEDGE_BASE) or (
            moment is not None and datetime.now(UTC) >= moment
        ):
            self.reload()
            reloaded.add(live.KNOWLEDGE_BASE)
        if revisions.get(live.NOTICES) != self._revisions.get(live.NOTICES):
            self.reload_notices()
            reloaded.add(live.NOTICES)
        return reloaded

    def compact(self) -> None:
        """Merge the index into one segment, then apply what changed meanwhile."""
        snapshot = self._index
        compacted = snapshot.compacted()
        with self._reload_lock:
            current = self._index
            if current is not snapshot:
                versions = {entry.id: entry.version for entry in compacted.entries}
                added = [e for e in current.entries if versions.get(e.id) != e.version]
                present = {entry.id for entry in current.entries}
                gone = [entry_id for entry_id in versions if entry_id not in present]
                exclude = {entry.id for entry in added}.union(gone)
                added += _reworded(compacted, current.wordings, exclude)
                compacted = compacted.with_changes(added, gone, current.wordings)
            self._index = compacted
            self._document_encoder.keep_only(compacted.texts)
        logger.info("Knowledge base index compacted: %d answerable entries", len(compacted))

    @property
    def text_encoder(self) -> Encoder:
        """For a model trained on the entries' questions (and other fixed texts), then asked
        about residents' messages: the batches use the stored vectors, a message never does."""
        return BatchCachingEncoder(self.encoder, self._document_encoder)

    def questions(self) -> list[str]:
        """Every question variant of the answerable entries."""
        return [q for entry in self._index.entries for _, q in entry.all_questions()]

    def __len__(self) -> int:
        return len(self._index)

    def wording_effect(self, entry_id: str, text: str) -> Effect:
        """What approving `text` as a residents' wording of the entry would take from the
        answers it comes close to (knowledge_base/wording_effect.py)."""
        return effect(self._index, entry_id, text)

    def suggest(self, texts: Sequence[str], limit: int = SHOWN) -> list[Candidate]:
        """The entries most like any of `texts` (a resident's latest messages, or an agent's
        search), best first: for a person to judge, so without a threshold, and also for a
        message the assistant did not answer."""
        index = self._index  # one version of the knowledge base for all the texts
        best: dict[str, Candidate] = {}
        for text in texts:
            for candidate in index.search(text, limit=limit):
                known = best.get(candidate.entry.id)
                if known is None or candidate.score > known.score:
                    best[candidate.entry.id] = candidate
        return sorted(best.values(), key=lambda c: (-c.score, c.entry.id))[:limit]

    def decide(
        self,
        question: str,
        topic: str | None = None,
        doubted: bool = False,
        overruling: bool = False,
    ) -> Decision:
        """The entry to answer with, or none when no entry is a likely enough answer. `topic`:
        the NLU's intent; `doubted`: the NLU finds the question out of scope; `overruling`: a
        model judged that a person should take over, which only a strong match sets aside."""
        found = self._index.search(question, topic=topic, limit=CONTEXT)
        candidates = found[:SHOWN]
        confidence = answer_confidence(question, found, topic, doubted)
        if overruling:
            answered = self.thresholds.overrules(candidates)
        else:
            answered = bool(candidates) and self.thresholds.answers(confidence)
        if answered:
            return Decision(answer=candidates[0], candidates=candidates, confidence=confidence)
        alternatives = self.thresholds.alternatives(candidates, doubted)
        return Decision(
            answer=None, candidates=candidates, alternatives=alternatives, confidence=confidence
        )


def _reworded(
    index: HybridIndex, in_use: Mapping[str, Sequence[str]], exclude: AbstractSet[str]
) -> list[Entry]:
    """The entries in `index` (but those in `exclude`) whose wordings are not `in_use`."""
    before = index.wordings
    ids = {
        entry_id
        for entry_id in before.keys() | in_use.keys()
        if tuple(before.get(entry_id, ())) != tuple(in_use.get(entry_id, ()))
    } - exclude
    return [entry for entry in index.entries if entry.id in ids] if ids else []
