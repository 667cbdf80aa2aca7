"""editorial workflow: versions with their topic, author and approver; crisis notices; revision
counters for live changes

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from knowledge_base.tables import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("kb_entry_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("topic", sa.String(length=60), nullable=True))
        batch_op.add_column(
            sa.Column("author", sa.String(length=120), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("based_on", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("approved_by", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("approved_at", UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("review_note", sa.Text(), nullable=True))
    op.execute(
        "UPDATE kb_entry_version SET topic = "
        "(SELECT kb_entry.topic FROM kb_entry WHERE kb_entry.id = kb_entry_version.entry_id)"
    )
    with op.batch_alter_table("kb_entry_version", schema=None) as batch_op:
        batch_op.alter_column("topic", existing_type=sa.String(length=60), nullable=False)
    op.create_table(
        "kb_notice",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("starts_at", UtcDateTime(), nullable=False),
        sa.Column("ends_at", UtcDateTime(), nullable=False),
        sa.Column("push_hours", sa.Integer(), nullable=True),
        sa.Column("pushed_at", UtcDateTime(), nullable=True),
        sa.Column("replaces", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(length=120), nullable=False),
        sa.Column("approved_by", sa.String(length=120), nullable=True),
        sa.Column("approved_at", UtcDateTime(), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("ended_by", sa.String(length=120), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_notice")),
    )
    revisions = op.create_table(
        "live_revision",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_live_revision")),
    )
    op.bulk_insert(
        revisions,
        [{"name": "knowledge_base", "revision": 0}, {"name": "notices", "revision": 0}],
    )


def downgrade() -> None:
    op.drop_table("live_revision")
    op.drop_table("kb_notice")
    with op.batch_alter_table("kb_entry_version", schema=None) as batch_op:
        for column in ("review_note", "approved_at", "approved_by", "based_on", "author", "topic"):
            batch_op.drop_column(column)
