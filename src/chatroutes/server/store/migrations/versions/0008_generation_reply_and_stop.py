"""generation reply id and stop request: any process can follow or stop a generation

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 06:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("branches") as batch:
        batch.add_column(sa.Column("generation_reply_id", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("generation_stop_requested_at", sa.DateTime(), nullable=True))
        batch.create_index("ix_branches_generation_reply_id", ["generation_reply_id"])


def downgrade() -> None:
    with op.batch_alter_table("branches") as batch:
        batch.drop_index("ix_branches_generation_reply_id")
        batch.drop_column("generation_stop_requested_at")
        batch.drop_column("generation_reply_id")
