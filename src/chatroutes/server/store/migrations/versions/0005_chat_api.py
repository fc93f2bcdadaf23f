"""chat api: a conversation's channel label and a user's default chat provider

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 23:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("channel", sa.String(length=40), nullable=True))
        batch.create_index("ix_conversations_user_channel", ["user_id", "channel"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("default_provider", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("default_provider")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_index("ix_conversations_user_channel")
        batch.drop_column("channel")
