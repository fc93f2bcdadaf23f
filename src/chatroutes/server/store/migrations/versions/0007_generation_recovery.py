"""generation recovery: an in-flight reply's question and flushed text; purge index

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 00:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("branches") as batch:
        batch.add_column(sa.Column("generation_question_id", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("generation_partial", sa.Text(), nullable=True))
        batch.create_index("ix_branches_generation_lease_until", ["generation_lease_until"])
    with op.batch_alter_table("messages") as batch:
        batch.create_index("ix_messages_deleted_at", ["deleted_at"])


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_index("ix_messages_deleted_at")
    with op.batch_alter_table("branches") as batch:
        batch.drop_index("ix_branches_generation_lease_until")
        batch.drop_column("generation_partial")
        batch.drop_column("generation_question_id")
