"""Checkpoints, looked up within their owner's account."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import Branch, Checkpoint, Conversation


class CheckpointRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, checkpoint: Checkpoint) -> Checkpoint:
        self.session.add(checkpoint)
        await self.session.flush()
        return checkpoint

    async def get_owned(self, checkpoint_id: str, user_id: str) -> Checkpoint | None:
        return await self.session.scalar(
            select(Checkpoint)
            .join(Conversation, Conversation.id == Checkpoint.conversation_id)
            .where(Checkpoint.id == checkpoint_id, Conversation.user_id == user_id)
        )

    async def list_for_conversation(
        self, conversation_id: str, *, branch_id: str | None = None
    ) -> list[Checkpoint]:
        query = select(Checkpoint).where(Checkpoint.conversation_id == conversation_id)
        if branch_id is not None:
            query = query.where(Checkpoint.branch_id == branch_id)
        rows = await self.session.scalars(query.order_by(Checkpoint.created_at, Checkpoint.id))
        return list(rows)

    async def anchored_on(
        self, conversation_id: str, message_ids: Collection[str]
    ) -> list[Checkpoint]:
        """Checkpoints whose anchor is one of ``message_ids`` (e.g. a branch's path)."""
        if not message_ids:
            return []
        rows = await self.session.scalars(
            select(Checkpoint)
            .where(
                Checkpoint.conversation_id == conversation_id,
                Checkpoint.anchor_message_id.in_(list(message_ids)),
            )
            .order_by(Checkpoint.created_at, Checkpoint.id)
        )
        return list(rows)

    async def delete(self, checkpoint_ids: Collection[str]) -> None:
        """Delete checkpoints; a branch recreated from one keeps its place but not the link."""
        if not checkpoint_ids:
            return
        ids = list(checkpoint_ids)
        await self.session.execute(
            update(Branch)
            .where(Branch.checkpoint_id.in_(ids))
            .values(checkpoint_id=None)
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(delete(Checkpoint).where(Checkpoint.id.in_(ids)))

    async def delete_anchored_on(self, message_ids: Collection[str]) -> None:
        if message_ids:
            anchored = await self.session.scalars(
                select(Checkpoint.id).where(Checkpoint.anchor_message_id.in_(list(message_ids)))
            )
            await self.delete(list(anchored))

    async def rehome(self, from_branch_id: str, to_branch_id: str) -> None:
        await self.session.execute(
            update(Checkpoint)
            .where(Checkpoint.branch_id == from_branch_id)
            .values(branch_id=to_branch_id)
            .execution_options(synchronize_session=False)
        )
