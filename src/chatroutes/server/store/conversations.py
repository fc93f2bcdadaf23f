"""Conversations, always looked up within their owner's account."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Branch, Conversation, Message


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

    async def list_for_user(
        self, user_id: str, *, offset: int, limit: int, search: str | None = None
    ) -> tuple[list[Conversation], int]:
        """A page of the user's conversations, newest first; ``search``: in the title, any case."""
        where = [Conversation.user_id == user_id]
        if search:
            escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            where.append(func.lower(Conversation.title).like(f"%{escaped.lower()}%", escape="\\"))
        total = await self.session.scalar(
            select(func.count()).select_from(Conversation).where(*where)
        )
        rows = await self.session.scalars(
            select(Conversation)
            .where(*where)
            .order_by(Conversation.updated_at.desc(), Conversation.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return list(rows), total or 0

    async def add(self, conversation: Conversation) -> Conversation:
        self.session.add(conversation)
        await self.session.flush()
        return conversation

    async def touch(self, conversation_id: str, when: datetime) -> None:
        await self.session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id)
            .values(updated_at=when)
            .execution_options(synchronize_session=False)
        )

    async def delete(self, conversation_id: str) -> None:
        """Remove the conversation with every branch and message in it."""
        await self.session.execute(
            delete(Message).where(Message.conversation_id == conversation_id)
        )
        await self.session.execute(delete(Branch).where(Branch.conversation_id == conversation_id))
        await self.session.execute(delete(Conversation).where(Conversation.id == conversation_id))
