"""initial schema

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import knowledge_base.tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("handoff_reason", sa.String(length=60), nullable=True),
        sa.Column("created_at", knowledge_base.tables.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation")),
    )
    op.create_table(
        "message",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=36), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("sender", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=True),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("intent", sa.String(length=80), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("kb_entry_id", sa.String(length=120), nullable=True),
        sa.Column("kb_entry_version", sa.Integer(), nullable=True),
        sa.Column("kb_score", sa.Float(), nullable=True),
        sa.Column("handoff_reason", sa.String(length=60), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("created_at", knowledge_base.tables.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_message_conversation_id_conversation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message")),
        sa.UniqueConstraint(
            "conversation_id", "external_id", name=op.f("uq_message_conversation_id_external_id")
        ),
    )
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_message_conversation_id"), ["conversation_id"], unique=False
        )

    op.create_table(
        "webchat_session",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", knowledge_base.tables.UtcDateTime(), nullable=False),
        sa.Column("expires_at", knowledge_base.tables.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_webchat_session_conversation_id_conversation"),
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_webchat_session")),
    )
    with op.batch_alter_table("webchat_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webchat_session_conversation_id"), ["conversation_id"], unique=False
        )

    op.create_table(
        "kb_entry",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("topic", sa.String(length=60), nullable=False),
        sa.Column("created_at", knowledge_base.tables.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_entry")),
        sa.UniqueConstraint("external_id", name=op.f("uq_kb_entry_external_id")),
    )
    op.create_table(
        "kb_entry_version",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entry_id", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("source_url", sa.String(length=500), nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=False),
        sa.Column("valid_from", knowledge_base.tables.UtcDateTime(), nullable=True),
        sa.Column("valid_until", knowledge_base.tables.UtcDateTime(), nullable=True),
        sa.Column("created_at", knowledge_base.tables.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["kb_entry.id"], name=op.f("fk_kb_entry_version_entry_id_kb_entry")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_entry_version")),
        sa.UniqueConstraint(
            "entry_id", "version", name=op.f("uq_kb_entry_version_entry_id_version")
        ),
    )
    with op.batch_alter_table("kb_entry_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kb_entry_version_entry_id"), ["entry_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("kb_entry_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kb_entry_version_entry_id"))

    op.drop_table("kb_entry_version")
    op.drop_table("kb_entry")
    with op.batch_alter_table("webchat_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webchat_session_conversation_id"))

    op.drop_table("webchat_session")
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_conversation_id"))

    op.drop_table("message")
    op.drop_table("conversation")
