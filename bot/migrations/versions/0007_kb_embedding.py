"""stored embeddings of knowledge-base texts, by model identity and text digest

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_embedding",
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("model", "text_sha256", name=op.f("pk_kb_embedding")),
    )


def downgrade() -> None:
    op.drop_table("kb_embedding")
