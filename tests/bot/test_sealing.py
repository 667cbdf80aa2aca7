"""Sealed archive records: pseudonyms, personal data per policy, hash chain, append-only."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Literal

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import Session

from bot import archive, sealing
from bot.cli import main
from bot.database import _alembic_config, make_engine, migrate
from bot.settings import Settings
from bot.tables import Base, ConversationRow, MessageRow
from knowledge_base.tables import Base as KnowledgeBase

TEXT_WITH_BSN = "Mijn BSN is 111222333 en mijn IBAN NL91ABNA0417164300"


def changed(settings: Settings, **values: object) -> Settings:
    return Settings.model_validate(settings.model_dump() | values)


def policy_engine(
    engine: Engine, settings: Settings, policy: Literal["keep", "mask", "encrypt"]
) -> sealing.ArchivePolicy:
    configured = sealing.ArchivePolicy.from_settings(
        changed(settings, archive_personal_data=policy)
    )
    sealing.configure(engine, configured)
    return configured


def conversation_with(engine: Engine, *texts: tuple[str, str]) -> str:
    """A Telegram conversation of chat 4242 with (sender, text) messages, one commit each."""
    with Session(engine) as session, session.begin():
        conversation_id = archive.new_conversation(session, "telegram", "4242").id
    for sender, body in texts:
        with Session(engine) as session, session.begin():
            session.add(
                MessageRow(
                    conversation_id=conversation_id,
                    channel="telegram",
                    direction="in" if sender == "resident" else "out",
                    sender=sender,
                    text=body,
                    confidence=0.8731 if sender == "bot" else None,
                )
            )
    return conversation_id


def all_messages(engine: Engine) -> list[MessageRow]:
    with Session(engine) as session:
        return list(session.scalars(select(MessageRow).order_by(MessageRow.id)))


def test_tables_match_the_migrations(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, [Base.metadata, KnowledgeBase.metadata])
    assert differences == []


def test_subject_keys_are_keyed_hashes_of_channel_and_user_id(
    engine: Engine, settings: Settings
) -> None:
    secret = "a-municipal-secret"
    configured = sealing.ArchivePolicy.from_settings(
        changed(settings, archive_subject_secret=secret)
    )
    sealing.configure(engine, configured)
    conversation_id = conversation_with(engine, ("resident", "hoi"), ("bot", "Hallo!"))
    expected = hmac.new(secret.encode(), b"telegram:4242", hashlib.sha256).hexdigest()
    with Session(engine) as session:
        conversation = session.get(ConversationRow, conversation_id)
        assert conversation is not None
        assert conversation.subject_key == expected
    assert [m.subject_key for m in all_messages(engine)] == [expected, expected]
    other = sealing.ArchivePolicy.from_settings(settings)
    assert other.subject_key("telegram", "4242") != expected


def test_messages_form_a_hash_chain(engine: Engine) -> None:
    conversation_with(engine, ("resident", "hoi"), ("bot", "Hallo!"), ("resident", "dank"))
    rows = all_messages(engine)
    assert rows[0].prev_hash is None
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
    for row in rows:
        fields = {name: getattr(row, name) for name in sealing.HASHED_FIELDS}
        fields["created_at"] = row.created_at.isoformat()
        canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert row.hash == hashlib.sha256(canonical.encode()).hexdigest()
    with Session(engine) as session:
        report = sealing.verify(session)
    assert (report.conversations, report.messages, report.broken) == (1, 3, [])


def test_several_messages_in_one_flush_are_chained_in_order(engine: Engine) -> None:
    conversation_id = conversation_with(engine)
    with Session(engine) as session, session.begin():
        for n in range(5):
            session.add(
                MessageRow(
                    conversation_id=conversation_id,
                    channel="telegram",
                    direction="out",
                    sender="bot",
                    text=f"deel {n}",
                )
            )
    rows = all_messages(engine)
    assert [r.text for r in rows] == [f"deel {n}" for n in range(5)]
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]


def test_archived_messages_cannot_be_changed_or_deleted(engine: Engine) -> None:
    conversation_with(engine, ("resident", "hoi"))
    with Session(engine) as session:
        row = session.scalars(select(MessageRow)).one()
        row.text = "iets anders"
        with pytest.raises(sealing.AppendOnlyError):
            session.commit()
    with Session(engine) as session:
        session.delete(session.scalars(select(MessageRow)).one())
        with pytest.raises(sealing.AppendOnlyError):
            session.commit()
    with Session(engine) as session, pytest.raises(sealing.AppendOnlyError):
        session.execute(update(MessageRow).values(text="weg"))
    assert [m.text for m in all_messages(engine)] == ["hoi"]


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        ("UPDATE message SET text = 'iets anders' WHERE id = 2", "changed"),
        ("UPDATE message SET created_at = '2020-01-01 00:00:00' WHERE id = 1", "changed"),
        ("DELETE FROM message WHERE id = 2", "chain is broken"),
    ],
)
def test_verify_finds_tampering(engine: Engine, tamper: str, problem: str) -> None:
    broken_id = conversation_with(engine, ("resident", "a"), ("bot", "b"), ("resident", "c"))
    intact_id = conversation_with(engine, ("resident", "d"))
    with engine.begin() as connection:
        connection.execute(text(tamper))
    with Session(engine) as session:
        report = sealing.verify(session)
    assert report.conversations == 2
    assert [b.conversation_id for b in report.broken] == [broken_id]
    assert problem in report.broken[0].problem
    assert intact_id != broken_id


def test_loket_archive_verify(
    engine: Engine,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("LOKET_DATA_DIR", str(settings.data_dir))
    conversation_with(engine, ("resident", "a"), ("bot", "b"))
    assert main(["archive", "verify", "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["broken"] == []
    with engine.begin() as connection:
        connection.execute(text("UPDATE message SET text = 'x' WHERE id = 1"))
    assert main(["archive", "verify", "--json"]) == 1
    output = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert output["broken"][0]["message_id"] == 1


def test_keep_stores_personal_data_as_written(engine: Engine, settings: Settings) -> None:
    policy_engine(engine, settings, "keep")
    conversation_with(engine, ("resident", TEXT_WITH_BSN))
    (row,) = all_messages(engine)
    assert (row.text, row.text_encrypted) == (TEXT_WITH_BSN, None)


def test_mask_keeps_only_the_masked_text(engine: Engine, settings: Settings) -> None:
    policy_engine(engine, settings, "mask")
    conversation_with(engine, ("resident", TEXT_WITH_BSN), ("agent", "Uw BSN 111222333 klopt"))
    resident, agent = all_messages(engine)
    assert resident.text == "Mijn BSN is [BSN] en mijn IBAN [IBAN]"
    assert agent.text == "Uw BSN [BSN] klopt"
    assert resident.text_encrypted is None


def test_encrypt_keeps_the_original_for_whoever_holds_the_key(
    engine: Engine, settings: Settings
) -> None:
    key = Fernet.generate_key().decode()
    policy = sealing.ArchivePolicy.from_settings(
        changed(settings, archive_personal_data="encrypt", archive_key=key)
    )
    sealing.configure(engine, policy)
    conversation_with(
        engine,
        ("resident", TEXT_WITH_BSN),
        ("bot", "Bel 14 0123 of 020-1234567"),
        ("resident", "ok"),
    )
    resident, bot, plain = all_messages(engine)
    assert resident.text == "Mijn BSN is [BSN] en mijn IBAN [IBAN]"
    assert resident.text_encrypted is not None
    assert "111222333" not in resident.text_encrypted
    assert policy.original_text(resident) == TEXT_WITH_BSN
    assert (bot.text, bot.text_encrypted) == ("Bel 14 0123 of 020-1234567", None)
    assert (plain.text, plain.text_encrypted) == ("ok", None)
    other_key = sealing.ArchivePolicy.from_settings(settings)
    with pytest.raises(InvalidToken):
        other_key.original_text(resident)


def test_production_needs_the_archive_secrets(settings: Settings) -> None:
    with pytest.raises(ValueError, match="LOKET_ARCHIVE_SUBJECT_SECRET"):
        Settings.model_validate(settings.model_dump() | {"mode": "production"})
    with pytest.raises(ValueError, match="LOKET_ARCHIVE_KEY"):
        Settings.model_validate(
            settings.model_dump() | {"mode": "production", "archive_subject_secret": "s"}
        )


def test_conversations_from_before_sealing_get_a_subject_key_and_verify(
    tmp_path: Path, settings: Settings
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = _alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
        connection.execute(
            text(
                "INSERT INTO conversation (id, channel, channel_key, state, language, urgency,"
                " created_at) VALUES ('c1', 'telegram', '4242', 'bot', 'nl', 0,"
                " '2026-11-21 10:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO message (conversation_id, channel, direction, sender, text,"
                " created_at)"
                " VALUES ('c1', 'telegram', 'in', 'resident', 'hoi', '2026-11-21 10:00:00')"
            )
        )
    migrate(engine)
    policy = sealing.ArchivePolicy.from_settings(settings)
    with Session(engine) as session, session.begin():
        assert sealing.pseudonymise_earlier_conversations(session, policy) == 1
        assert sealing.pseudonymise_earlier_conversations(session, policy) == 0
        session.add(
            MessageRow(
                conversation_id="c1", channel="telegram", direction="out", sender="bot", text="ha"
            )
        )
    with Session(engine) as session:
        conversation = session.get(ConversationRow, "c1")
        assert conversation is not None
        assert conversation.subject_key == policy.subject_key("telegram", "4242")
        report = sealing.verify(session)
    assert (report.messages, report.unsealed, report.broken) == (2, 1, [])
    engine.dispose()


def test_new_key_prints_a_usable_archive_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["archive", "new-key"]) == 0
    key = capsys.readouterr().out.strip()
    assert Fernet(key).decrypt(Fernet(key).encrypt(b"x")) == b"x"
