"""conversation channel key

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel_key", sa.String(length=200), nullable=True))
    # Conversations so far were web chats, whose key is their own id.
    op.execute("UPDATE conversation SET channel_key = id")
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.alter_column("channel_key", existing_type=sa.String(length=200), nullable=False)
        batch_op.create_index("ix_conversation_channel_key", ["channel", "channel_key"])


def downgrade() -> None:
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_index("ix_conversation_channel_key")
        batch_op.drop_column("channel_key")
