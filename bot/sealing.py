"""Sealing archived records: pseudonyms, personal data per policy, a hash chain, append-only.

Whatever code writes a message, the session's flush seals it on the way in: the conversation and
message get the resident's subject key (HMAC-SHA256 of "channel:user id"), the text of residents
and agents is stored per the personal-data policy, and every message carries the SHA-256 of its
own fields and of the previous message of its conversation. Messages, destruction reports and
the audit log are append-only: the ORM refuses to update or delete them. Only the retention
module destroys messages, through the table itself.

The chain assumes one writer per conversation at a time, as the router's per-conversation lock
gives.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import weakref
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal

from cryptography.fernet import Fernet, MultiFernet
from sqlalchemy import Engine, event, inspect, select
from sqlalchemy.orm import Mapper, ORMExecuteState, Session

from bot import personal_data
from bot.database import make_engine, migrate
from bot.settings import Settings
from bot.tables import AuditRow, ConversationRow, DestructionRow, MessageRow, NoteRow
from knowledge_base.tables import utcnow

APPEND_ONLY: Final = (MessageRow, NoteRow, DestructionRow, AuditRow)

_DEVELOPMENT_SECRET: Final = b"loket-development-only"
"""Used only outside production (where the settings demand real secrets)."""

PROTECTED_SENDERS: Final = frozenset({"resident", "agent"})
"""Whose text the personal-data policy applies to; the bot's answers come from the knowledge
base and name the municipality's own phone number and address, which stay."""

HASHED_FIELDS: Final = (
    "conversation_id",
    "channel",
    "direction",
    "sender",
    "subject_key",
    "text",
    "text_encrypted",
    "language",
    "external_id",
    "intent",
    "confidence",
    "kb_entry_id",
    "kb_entry_version",
    "kb_score",
    "handoff_reason",
    "agent_id",
    "payload",
    "created_at",
    "prev_hash",
)


class AppendOnlyError(RuntimeError):
    """An archived record was about to be changed or deleted in place."""


@dataclass(frozen=True)
class ArchivePolicy:
    personal_data: Literal["keep", "mask", "encrypt"]
    subject_secret: bytes = field(repr=False)
    fernet: MultiFernet = field(repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> ArchivePolicy:
        secret = settings.archive_subject_secret.get_secret_value().encode()
        keys = [k.strip() for k in settings.archive_key.get_secret_value().split(",") if k.strip()]
        return cls(
            settings.archive_personal_data,
            secret or _DEVELOPMENT_SECRET,
            MultiFernet([Fernet(key) for key in keys or [_development_key()]]),
        )

    def subject_key(self, channel: str, user_id: str) -> str:
        message = f"{channel}:{user_id}".encode()
        return hmac.new(self.subject_secret, message, hashlib.sha256).hexdigest()

    def original_text(self, row: MessageRow) -> str:
        """The text as it was written: decrypted where the archive keeps it encrypted."""
        if row.text_encrypted is None:
            return row.text
        return self.fernet.decrypt(row.text_encrypted.encode()).decode()

    def store_text(self, row: MessageRow) -> None:
        if row.sender not in PROTECTED_SENDERS or self.personal_data == "keep":
            return
        masked = personal_data.mask(row.text)
        if masked == row.text:
            return
        if self.personal_data == "encrypt":
            row.text_encrypted = self.fernet.encrypt(row.text.encode()).decode()
        row.text = masked


def _development_key() -> str:
    digest = hashlib.sha256(_DEVELOPMENT_SECRET + b"/fernet").digest()
    return base64.urlsafe_b64encode(digest).decode()


_POLICIES: weakref.WeakKeyDictionary[Engine, ArchivePolicy] = weakref.WeakKeyDictionary()


def configure(engine: Engine, policy: ArchivePolicy) -> None:
    """The policy for every session on this engine (done once at start-up)."""
    _POLICIES[engine] = policy


def policy_for(session: Session) -> ArchivePolicy:
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    policy = _POLICIES.get(engine)
    if policy is None:  # an engine made outside build_services, as in tests
        policy = ArchivePolicy.from_settings(Settings(_env_file=None))
        _POLICIES[engine] = policy
    return policy


def pseudonymise_earlier_conversations(session: Session, policy: ArchivePolicy) -> int:
    """Give conversations from before migration 0004 their subject key, so a resident's
    access or erasure request finds them too; how many there were."""
    earlier = session.scalars(
        select(ConversationRow).where(ConversationRow.subject_key.is_(None))
    ).all()
    for conversation in earlier:
        conversation.subject_key = policy.subject_key(
            conversation.channel, conversation.channel_key
        )
    return len(earlier)


def open_database(settings: Settings) -> Engine:
    """The database, migrated, with the archive policy sealing every write: what the web app
    and the archive commands both start from."""
    engine = make_engine(settings.sqlalchemy_url)
    migrate(engine)
    policy = ArchivePolicy.from_settings(settings)
    configure(engine, policy)
    with Session(engine) as session, session.begin():
        pseudonymise_earlier_conversations(session, policy)
    return engine


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def record_hash(row: MessageRow) -> str:
    """SHA-256 of the record's fields and its predecessor's hash, as canonical JSON."""
    record = {name: _json_value(getattr(row, name)) for name in HASHED_FIELDS}
    canonical = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _chain_head(session: Session, conversation_id: str) -> str | None:
    return session.scalar(
        select(MessageRow.hash)
        .where(MessageRow.conversation_id == conversation_id)
        .order_by(MessageRow.id.desc())
        .limit(1)
    )


@event.listens_for(Session, "before_flush")
def _seal(session: Session, _context: object, _instances: object) -> None:
    conversations = [o for o in session.new if isinstance(o, ConversationRow)]
    messages = sorted(
        (o for o in session.new if isinstance(o, MessageRow)),
        key=lambda row: inspect(row).insert_order or 0,
    )
    if not conversations and not messages:
        return
    policy = policy_for(session)
    for new in conversations:
        if new.subject_key is None:
            new.subject_key = policy.subject_key(new.channel, new.channel_key)
    heads: dict[str, str | None] = {}
    with session.no_autoflush:
        for message in messages:
            conversation = session.get(ConversationRow, message.conversation_id)
            message.subject_key = conversation.subject_key if conversation else None
            message.created_at = message.created_at or utcnow()
            policy.store_text(message)
            if message.conversation_id not in heads:
                heads[message.conversation_id] = _chain_head(session, message.conversation_id)
            message.prev_hash = heads[message.conversation_id]
            message.hash = record_hash(message)
            heads[message.conversation_id] = message.hash


def _refuse_change(_mapper: Mapper[Any], _connection: object, target: object) -> None:
    raise AppendOnlyError(f"{type(target).__name__} is append-only: add a new record instead")


for _table in APPEND_ONLY:
    event.listen(_table, "before_update", _refuse_change)
    event.listen(_table, "before_delete", _refuse_change)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_change(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and any(
        mapper.class_ in APPEND_ONLY for mapper in state.all_mappers
    ):
        raise AppendOnlyError("archived records are append-only")


@dataclass(frozen=True)
class Broken:
    conversation_id: str
    message_id: int
    problem: str


@dataclass(frozen=True)
class ChainReport:
    conversations: int
    messages: int
    unsealed: int
    """Messages written before sealing began (migration 0004): not chained, not broken."""
    broken: list[Broken]

    def as_json(self) -> dict[str, Any]:
        return {
            "conversations": self.conversations,
            "messages": self.messages,
            "unsealed": self.unsealed,
            "broken": [vars(b) for b in self.broken],
        }


def verify(session: Session) -> ChainReport:
    """Recompute every conversation's hash chain; the first problem of each broken one."""
    conversations = messages = unsealed = 0
    broken: list[Broken] = []
    current: str | None = None
    previous: str | None = None
    failed = False
    rows = session.scalars(select(MessageRow).order_by(MessageRow.conversation_id, MessageRow.id))
    for row in rows:
        if row.conversation_id != current:
            conversations += 1
            current, previous, failed = row.conversation_id, None, False
        messages += 1
        if failed:
            continue
        problem = None
        if row.hash is None:
            if previous is None:
                unsealed += 1
                continue
            problem = "an unsealed message after sealed ones"
        elif row.prev_hash != previous:
            problem = "the chain is broken: a message before this one was removed or added"
        elif record_hash(row) != row.hash:
            problem = "the message was changed after it was archived"
        if problem is not None:
            broken.append(Broken(row.conversation_id, row.id, problem))
            failed = True
        previous = row.hash
    return ChainReport(conversations, messages, unsealed, broken)
