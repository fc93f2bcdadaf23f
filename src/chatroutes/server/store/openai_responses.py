"""What the OpenAI-compatible surface keeps beside the tree: each response's record, and
each conversation's metadata.

A response is a node of the tree: its reply message (``reply_id``), reached through the
question (and any other input items) it stored. The record holds what the tree does not:
the response's status while it runs and after it failed or was cancelled, its request's
settings, its input items and the lengths of its streamed deltas, so that its event
stream replays with the same sequence numbers once it is over. Both tables go with
their conversation (``ON DELETE CASCADE``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    delete,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from .tables import Base

TERMINAL_STATUSES = frozenset({"completed", "incomplete", "failed", "cancelled"})


class OpenAIResponse(Base):
    __tablename__ = "openai_responses"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # resp_…
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    reply_id: Mapped[str] = mapped_column(String(40), index=True)  # the reply message's id
    input_ids: Mapped[list[str]] = mapped_column(JSON)  # the messages its input stored
    previous_response_id: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12))  # queued | in_progress | TERMINAL_STATUSES
    model: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str | None] = mapped_column(Text)
    temperature: Mapped[float | None] = mapped_column(Float)
    top_p: Mapped[float | None] = mapped_column(Float)
    max_output_tokens: Mapped[int | None] = mapped_column(Integer)
    meta: Mapped[dict[str, str]] = mapped_column("metadata", JSON)
    background: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # {code, message} once failed
    incomplete_reason: Mapped[str | None] = mapped_column(String(40))
    deltas: Mapped[list[int] | None] = mapped_column(JSON)  # each streamed delta's length
    input_tokens: Mapped[int | None] = mapped_column(Integer)
    output_tokens: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)


class ConversationMetadata(Base):
    """A conversation's OpenAI ``metadata``: up to 16 string pairs set by its owner."""

    __tablename__ = "conversation_metadata"

    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    meta: Mapped[dict[str, str]] = mapped_column("metadata", JSON)


class OpenAIResponseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_owned(self, response_id: str, user_id: str) -> OpenAIResponse | None:
        return await self.session.scalar(
            select(OpenAIResponse).where(
                OpenAIResponse.id == response_id, OpenAIResponse.user_id == user_id
            )
        )

    async def add(self, record: OpenAIResponse) -> OpenAIResponse:
        self.session.add(record)
        await self.session.flush()
        return record

    async def delete(self, response_id: str) -> None:
        await self.session.execute(delete(OpenAIResponse).where(OpenAIResponse.id == response_id))

    async def metadata_of(self, conversation_id: str) -> dict[str, str]:
        row = await self.session.get(ConversationMetadata, conversation_id)
        return dict(row.meta) if row is not None else {}

    async def set_metadata(self, conversation_id: str, metadata: dict[str, str]) -> None:
        row = await self.session.get(ConversationMetadata, conversation_id)
        if row is None:
            self.session.add(ConversationMetadata(conversation_id=conversation_id, meta=metadata))
        else:
            row.meta = metadata
        await self.session.flush()

    async def by_reply(self, reply_ids: Sequence[str]) -> dict[str, OpenAIResponse]:
        """The records of the responses whose replies these are."""
        if not reply_ids:
            return {}
        rows = await self.session.scalars(
            select(OpenAIResponse).where(OpenAIResponse.reply_id.in_(list(reply_ids)))
        )
        return {row.reply_id: row for row in rows}
