"""usage ledger kinds: metered calls that are not stored replies (AutoBranch, summaries)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 23:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("usage_ledger") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=20), nullable=False, server_default="message")
        )
        batch.add_column(sa.Column("calls", sa.Integer(), nullable=False, server_default="0"))
    # Until now a billed row's messages were its calls: one reply, one provider call.
    ledger = sa.table(
        "usage_ledger",
        sa.column("billed", sa.Boolean()),
        sa.column("messages", sa.Integer()),
        sa.column("calls", sa.Integer()),
    )
    op.execute(ledger.update().where(ledger.c.billed.is_(True)).values(calls=ledger.c.messages))


def downgrade() -> None:
    with op.batch_alter_table("usage_ledger") as batch:
        batch.drop_column("calls")
        batch.drop_column("kind")
