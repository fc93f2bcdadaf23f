"""checkpoints, and the checkpoint a recreated branch starts from

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 21:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "checkpoints",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("conversation_id", sa.String(length=40), nullable=False),
        sa.Column("branch_id", sa.String(length=40), nullable=False),
        sa.Column("anchor_message_id", sa.String(length=40), nullable=False),
        sa.Column("checkpoint_type", sa.String(length=10), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("token_count", sa.Integer(), nullable=False),
        sa.Column("source_message_count", sa.Integer(), nullable=False),
        sa.Column("source_token_count", sa.Integer(), nullable=False),
        sa.Column("summarizer", sa.String(length=200), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("checkpoints", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_checkpoints_anchor_message_id"), ["anchor_message_id"], unique=False
        )
        batch_op.create_index(
            "ix_checkpoints_conversation_created", ["conversation_id", "created_at"], unique=False
        )
    with op.batch_alter_table("branches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checkpoint_id", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("branches", schema=None) as batch_op:
        batch_op.drop_column("checkpoint_id")
    with op.batch_alter_table("checkpoints", schema=None) as batch_op:
        batch_op.drop_index("ix_checkpoints_conversation_created")
        batch_op.drop_index(batch_op.f("ix_checkpoints_anchor_message_id"))
    op.drop_table("checkpoints")
