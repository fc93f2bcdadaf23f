"""budgets on conversations and branches: limits, spent and reserved

Revision ID: 0018_budgets
Revises: 0017_message_context_flags
Create Date: 2026-12-07 13:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_budgets"
down_revision: str | None = "0017_message_context_flags"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("conversations", "branches")


def _columns() -> list[sa.Column]:
    return [
        sa.Column("budget_max_tokens", sa.BigInteger(), nullable=True),
        sa.Column("budget_max_cost", sa.Float(), nullable=True),
        sa.Column("budget_warn_at", sa.Float(), nullable=True),
        sa.Column("budget_spent_tokens", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("budget_spent_cost", sa.Float(), nullable=False, server_default="0"),
        sa.Column("budget_reserved_tokens", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("budget_reserved_cost", sa.Float(), nullable=False, server_default="0"),
        sa.Column("budget_warned", sa.Boolean(), nullable=False, server_default=sa.false()),
    ]


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            for column in _columns():
                batch.add_column(column)


def downgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            for column in reversed(_columns()):
                batch.drop_column(column.name)
