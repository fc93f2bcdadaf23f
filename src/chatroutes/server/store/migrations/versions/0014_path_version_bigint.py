"""conversations.message_deletions widened to 64 bits: an import starts it at its moment

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 02:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.alter_column("message_deletions", type_=sa.BigInteger(), existing_type=sa.Integer())


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.alter_column("message_deletions", type_=sa.Integer(), existing_type=sa.BigInteger())
