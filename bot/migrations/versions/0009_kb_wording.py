"""residents' wordings of entries' questions, proposed by staff and approved by another

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from knowledge_base.tables import UtcDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_wording",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entry_id", sa.String(length=120), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("proposed_by", sa.String(length=120), nullable=False),
        sa.Column("proposed_at", UtcDateTime(), nullable=False),
        sa.Column("conversation_id", sa.String(length=36), nullable=True),
        sa.Column("decided_by", sa.String(length=120), nullable=True),
        sa.Column("decided_at", UtcDateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["kb_entry.id"], name=op.f("fk_kb_wording_entry_id_kb_entry")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_wording")),
        sa.UniqueConstraint("entry_id", "text", name=op.f("uq_kb_wording_entry_id_text")),
    )
    op.create_index(op.f("ix_kb_wording_entry_id"), "kb_wording", ["entry_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_kb_wording_entry_id"), table_name="kb_wording")
    op.drop_table("kb_wording")
