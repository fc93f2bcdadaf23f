"""Messages: immutable rows linked by ``parent_id``; paths by one recursive query."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Select, bindparam, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, aliased

from . import rows
from .tables import Conversation, Message


def _path_statement() -> Select[tuple[Message]]:
    """Walk ``parent_id`` up from the bound ``head``; built once, reused per call."""
    walk = (
        select(Message.id, Message.parent_id, literal(0).label("depth"))
        .where(Message.id == bindparam("head"))
        .cte("walk", recursive=True)
    )
    parent = aliased(Message)
    walk = walk.union_all(
        select(parent.id, parent.parent_id, walk.c.depth + 1).where(parent.id == walk.c.parent_id)
    )
    return select(Message).join(walk, Message.id == walk.c.id).order_by(walk.c.depth.desc())


_PATH = _path_statement()


async def _count_deletions(session: AsyncSession, messages: ColumnElement[bool]) -> None:
    """Bump ``message_deletions`` of the conversations of the messages that ``messages``
    selects, before they are deleted: their remembered paths are stale (``paths.py``)."""
    await session.execute(
        update(Conversation)
        .where(Conversation.id.in_(select(Message.conversation_id).where(messages)))
        .values(message_deletions=Conversation.message_deletions + 1)
        .execution_options(synchronize_session=False)
    )


class MessageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_owned(self, message_id: str, user_id: str) -> Message | None:
        """The message, if its conversation belongs to ``user_id``."""
        return await self.session.scalar(
            select(Message)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Message.id == message_id, Conversation.user_id == user_id)
        )

    async def get_in_conversation(self, message_id: str, conversation_id: str) -> Message | None:
        return await self.session.scalar(
            select(Message).where(
                Message.id == message_id, Message.conversation_id == conversation_id
            )
        )

    async def path(self, head_message_id: str | None) -> list[Message]:
        """Root-to-head chain ending at ``head_message_id``: O(depth), by index."""
        if head_message_id is None:
            return []
        rows = await self.session.scalars(_PATH, {"head": head_message_id})
        return list(rows)

    async def get_many(self, message_ids: Sequence[str]) -> dict[str, Message]:
        if not message_ids:
            return {}
        rows = await self.session.scalars(select(Message).where(Message.id.in_(message_ids)))
        return {message.id: message for message in rows}

    async def list_for_conversation(self, conversation_id: str) -> list[Message]:
        rows = await self.session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation_id)
            .order_by(Message.created_at, Message.id)
        )
        return list(rows)

    async def add(self, message: Message) -> Message:
        self.session.add(message)
        await self.session.flush()
        return message

    async def soft_delete(self, message_id: str, when: datetime) -> None:
        await _count_deletions(self.session, Message.id == message_id)
        await self.session.execute(
            update(Message)
            .where(Message.id == message_id, Message.deleted_at.is_(None))
            .values(deleted_at=when)
        )

    async def reachable_ids(self, head_ids: Sequence[str]) -> set[str]:
        """Every message on the path of any of ``head_ids`` (each walked once)."""
        if not head_ids:
            return set()
        walk = select(Message.id, Message.parent_id).where(Message.id.in_(head_ids))
        walk = walk.cte("reach", recursive=True)
        parent = aliased(Message)
        walk = walk.union(select(parent.id, parent.parent_id).where(parent.id == walk.c.parent_id))
        return set(await self.session.scalars(select(walk.c.id)))

    async def soft_delete_many(self, message_ids: Sequence[str], when: datetime) -> None:
        if message_ids:
            await _count_deletions(self.session, Message.id.in_(message_ids))
            await self.session.execute(
                update(Message)
                .where(Message.id.in_(message_ids), Message.deleted_at.is_(None))
                .values(deleted_at=when)
                .execution_options(synchronize_session=False)
            )

    async def own_counts(self, conversation_id: str) -> dict[str, int]:
        """``rows.own_counts`` of one conversation, in this unit of work (flushed first)."""

        def count(session: Session) -> dict[str, int]:
            session.flush()
            return rows.own_counts(session.connection(), [conversation_id])

        return await self.session.run_sync(count)
