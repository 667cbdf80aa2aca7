"""archive: subject keys, hash chain, encrypted originals, legal hold, destruction report, audit log

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from knowledge_base.tables import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_key", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("legal_hold", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("legal_hold_reason", sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f("ix_conversation_subject_key"), ["subject_key"])
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("text_encrypted", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_message_subject_key"), ["subject_key"])
    op.create_table(
        "destruction_report",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("rule", sa.String(length=300), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("conversation_id", sa.String(length=36), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("message_count", sa.Integer(), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("last_message_at", UtcDateTime(), nullable=True),
        sa.Column("chain_head", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_destruction_report")),
    )
    op.create_index(
        op.f("ix_destruction_report_conversation_id"), "destruction_report", ["conversation_id"]
    )
    op.create_index(
        op.f("ix_destruction_report_subject_key"), "destruction_report", ["subject_key"]
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_created_at"), "audit_log", ["created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_log_created_at"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index(op.f("ix_destruction_report_subject_key"), table_name="destruction_report")
    op.drop_index(op.f("ix_destruction_report_conversation_id"), table_name="destruction_report")
    op.drop_table("destruction_report")
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_subject_key"))
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("text_encrypted")
        batch_op.drop_column("subject_key")
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_subject_key"))
        batch_op.drop_column("legal_hold_reason")
        batch_op.drop_column("legal_hold")
        batch_op.drop_column("subject_key")
