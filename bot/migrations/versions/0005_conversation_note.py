"""agents' internal notes

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from knowledge_base.tables import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_note",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=36), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["staff_user.id"], name=op.f("fk_conversation_note_agent_id_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_conversation_note_conversation_id_conversation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_note")),
    )
    op.create_index(
        op.f("ix_conversation_note_conversation_id"), "conversation_note", ["conversation_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_conversation_note_conversation_id"), table_name="conversation_note")
    op.drop_table("conversation_note")
