"""staff accounts and handoff queue

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from knowledge_base.tables import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_user",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("totp_secret", sa.String(length=64), nullable=True),
        sa.Column("roles", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_user")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_user_username")),
    )
    op.create_table(
        "staff_session",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["staff_user.id"], name=op.f("fk_staff_session_user_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_staff_session")),
    )
    op.create_index(op.f("ix_staff_session_user_id"), "staff_session", ["user_id"])
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("urgency", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("queued_at", UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("agent_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_conversation_agent_id_staff_user"), "staff_user", ["agent_id"], ["id"]
        )
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agent_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_message_agent_id_staff_user"), "staff_user", ["agent_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_message_agent_id_staff_user"), type_="foreignkey")
        batch_op.drop_column("agent_id")
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_conversation_agent_id_staff_user"), type_="foreignkey")
        batch_op.drop_column("agent_id")
        batch_op.drop_column("queued_at")
        batch_op.drop_column("urgency")
    op.drop_index(op.f("ix_staff_session_user_id"), table_name="staff_session")
    op.drop_table("staff_session")
    op.drop_table("staff_user")
