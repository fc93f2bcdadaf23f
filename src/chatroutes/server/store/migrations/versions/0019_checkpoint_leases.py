"""a lease on each branch for the checkpoint summary in flight, seen by every replica

Revision ID: 0019_checkpoint_leases
Revises: 0016
Create Date: 2026-12-07 13:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_checkpoint_leases"
down_revision: str | None = "0018_budgets"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("branches") as batch:
        batch.add_column(sa.Column("checkpoint_lease", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("checkpoint_lease_until", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("branches") as batch:
        batch.drop_column("checkpoint_lease_until")
        batch.drop_column("checkpoint_lease")
