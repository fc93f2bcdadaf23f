"""token reservations kept with a generation's lease and a parallel candidate, for recovery

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 00:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("branches") as batch:
        batch.add_column(sa.Column("generation_reservation", sa.JSON(), nullable=True))
    with op.batch_alter_table("response_candidates") as batch:
        batch.add_column(sa.Column("reservation", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("response_candidates") as batch:
        batch.drop_column("reservation")
    with op.batch_alter_table("branches") as batch:
        batch.drop_column("generation_reservation")
