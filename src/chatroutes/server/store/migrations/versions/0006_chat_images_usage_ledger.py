"""chat images kept with their messages; the usage of deleted conversations

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 00:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chat_images",
        sa.Column("id", sa.String(length=40), primary_key=True),
        sa.Column(
            "conversation_id",
            sa.String(length=40),
            sa.ForeignKey("conversations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "message_id",
            sa.String(length=40),
            sa.ForeignKey("messages.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("mime_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_chat_images_conversation_id", "chat_images", ["conversation_id"])
    op.create_index("ix_chat_images_message_id", "chat_images", ["message_id"])
    op.create_table(
        "usage_ledger",
        sa.Column("id", sa.String(length=40), primary_key=True),
        sa.Column(
            "user_id",
            sa.String(length=40),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("model", sa.String(length=200), nullable=True),
        sa.Column("day", sa.DateTime(), nullable=False),
        sa.Column("billed", sa.Boolean(), nullable=False),
        sa.Column("prompt_tokens", sa.BigInteger(), nullable=False),
        sa.Column("completion_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cost", sa.Float(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_usage_ledger_user_day", "usage_ledger", ["user_id", "day"])


def downgrade() -> None:
    op.drop_index("ix_usage_ledger_user_day", table_name="usage_ledger")
    op.drop_table("usage_ledger")
    op.drop_index("ix_chat_images_message_id", table_name="chat_images")
    op.drop_index("ix_chat_images_conversation_id", table_name="chat_images")
    op.drop_table("chat_images")
