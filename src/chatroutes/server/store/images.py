"""Images sent with Chat API messages: kept with the user message they came with.

A row goes with its message and its conversation (``ON DELETE CASCADE`` on both), so
deleting a conversation deletes its images.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, undefer

from .tables import Base


class ChatImage(Base):
    __tablename__ = "chat_images"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[str] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str] = mapped_column(String(40))
    mime_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)  # bytes, decoded
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ImageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, image_id: str) -> ChatImage | None:
        """The image without its bytes."""
        return await self.session.scalar(select(ChatImage).where(ChatImage.id == image_id))

    async def any_in_conversation(self, conversation_id: str) -> bool:
        found = await self.session.scalar(
            select(ChatImage.id).where(ChatImage.conversation_id == conversation_id).limit(1)
        )
        return found is not None

    async def add(self, image: ChatImage) -> ChatImage:
        self.session.add(image)
        await self.session.flush()
        return image

    async def with_data(self, image_ids: Sequence[str]) -> list[ChatImage]:
        """These images with their bytes, oldest first."""
        if not image_ids:
            return []
        statement = (
            select(ChatImage)
            .where(ChatImage.id.in_(list(image_ids)))
            .order_by(ChatImage.created_at, ChatImage.id)
            .options(undefer(ChatImage.data))
        )
        return list((await self.session.scalars(statement)).all())

    async def for_messages(self, message_ids: Sequence[str]) -> list[ChatImage]:
        """The images of these messages (without their bytes), oldest first."""
        if not message_ids:
            return []
        statement = (
            select(ChatImage)
            .where(ChatImage.message_id.in_(list(message_ids)))
            .order_by(ChatImage.created_at, ChatImage.id)
        )
        return list((await self.session.scalars(statement)).all())
