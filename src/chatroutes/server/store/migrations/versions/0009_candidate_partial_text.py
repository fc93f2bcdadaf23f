"""candidate partial text: a parallel candidate's reply so far survives its process

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 06:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("response_candidates") as batch:
        batch.add_column(sa.Column("partial_text", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("response_candidates") as batch:
        batch.drop_column("partial_text")
