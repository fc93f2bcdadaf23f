"""Conversations, always looked up within their owner's account."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from . import rows
from .tables import Branch, Conversation, Message


class ConversationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_owned(self, conversation_id: str, user_id: str) -> Conversation | None:
        return await self.session.scalar(
            select(Conversation).where(
                Conversation.id == conversation_id, Conversation.user_id == user_id
            )
        )

    async def get(self, conversation_id: str) -> Conversation | None:
        """Whoever owns it: only for telling "not yours" (403) from "no such" (404)."""
        return await self.session.get(Conversation, conversation_id)

    async def list_in_channel(
        self, user_id: str, channel: str | None, *, limit: int
    ) -> list[Conversation]:
        """The user's most recently active conversations, in ``channel`` when given."""
        query = select(Conversation).where(Conversation.user_id == user_id)
        if channel is not None:
            query = query.where(Conversation.channel == channel)
        rows = await self.session.scalars(
            query.order_by(Conversation.updated_at.desc(), Conversation.id.desc()).limit(limit)
        )
        return list(rows)

    async def add(self, conversation: Conversation) -> Conversation:
        self.session.add(conversation)
        await self.session.flush()
        return conversation

    async def touch(self, conversation_id: str, when: datetime) -> None:
        """``rows.touch_conversation`` in this unit of work."""
        await self.session.run_sync(
            lambda session: rows.touch_conversation(session.connection(), conversation_id, when)
        )

    async def delete(self, conversation_id: str) -> None:
        """Remove the conversation with every branch and message in it."""
        await self.session.execute(
            delete(Message).where(Message.conversation_id == conversation_id)
        )
        await self.session.execute(delete(Branch).where(Branch.conversation_id == conversation_id))
        await self.session.execute(delete(Conversation).where(Conversation.id == conversation_id))
