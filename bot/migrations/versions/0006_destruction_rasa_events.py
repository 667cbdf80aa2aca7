"""destruction reports count the events removed from Rasa's tracker store

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("destruction_report") as batch:
        batch.add_column(sa.Column("rasa_events", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("destruction_report") as batch:
        batch.drop_column("rasa_events")
