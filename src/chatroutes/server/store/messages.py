"""Messages: immutable rows linked by ``parent_id``; paths by one recursive query."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, bindparam, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from .models import Branch, Conversation, Message


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

    async def has_children(self, message_id: str) -> bool:
        found = await self.session.scalar(
            select(Message.id).where(Message.parent_id == message_id).limit(1)
        )
        return found is not None

    async def add(self, message: Message) -> Message:
        self.session.add(message)
        await self.session.flush()
        return message

    async def soft_delete(self, message_id: str, when: datetime) -> None:
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
            await self.session.execute(
                update(Message)
                .where(Message.id.in_(message_ids), Message.deleted_at.is_(None))
                .values(deleted_at=when)
                .execution_options(synchronize_session=False)
            )

    async def own_counts(
        self, conversation_ids: Sequence[str], branch_filter: Sequence[str] | None = None
    ) -> dict[str, int]:
        """Visible messages each branch holds after its fork point, in one recursive query.

        ``branch_filter`` limits the walk to those branch ids (e.g. main branches).
        """
        if not conversation_ids:
            return {}
        start = (
            select(
                Branch.id.label("branch_id"),
                Branch.fork_point_message_id.label("stop_at"),
                Message.id.label("id"),
                Message.parent_id.label("parent_id"),
                Message.deleted_at.label("deleted_at"),
            )
            .join(Message, Message.id == Branch.head_message_id)
            .where(
                Branch.conversation_id.in_(conversation_ids),
                Branch.head_message_id.is_distinct_from(Branch.fork_point_message_id),
            )
        )
        if branch_filter is not None:
            start = start.where(Branch.id.in_(branch_filter))
        walk = start.cte("own_walk", recursive=True)
        parent = aliased(Message)
        walk = walk.union_all(
            select(
                walk.c.branch_id, walk.c.stop_at, parent.id, parent.parent_id, parent.deleted_at
            ).where(parent.id == walk.c.parent_id, parent.id.is_distinct_from(walk.c.stop_at))
        )
        rows = await self.session.execute(
            select(walk.c.branch_id, func.count())
            .where(walk.c.deleted_at.is_(None))
            .group_by(walk.c.branch_id)
        )
        return {branch_id: count for branch_id, count in rows}
