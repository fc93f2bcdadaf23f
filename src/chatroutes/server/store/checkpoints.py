"""Checkpoints, looked up within their owner's account."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence

from sqlalchemy import Connection, Row, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .database import run_in
from .execution import execute
from .tables import Branch, Checkpoint, Conversation

_checkpoints = Checkpoint.__table__

_ANCHORED_ON = (
    select(
        _checkpoints.c.id,
        _checkpoints.c.anchor_message_id,
        _checkpoints.c.summary,
        _checkpoints.c.token_count,
    )
    .where(_checkpoints.c.conversation_id == bindparam("conversation_id"))
    .order_by(_checkpoints.c.created_at, _checkpoints.c.id)
)
# An ``IN`` list is rendered anew for every call; on SQLite the ids go as one JSON array
# instead, read by ``json_each``: a statement compiled once (``execute``'s fast path).
_ANCHORED_ON_LIST = _ANCHORED_ON.where(
    _checkpoints.c.anchor_message_id.in_(bindparam("anchors", expanding=True))
)
_ANCHORED_ON_JSON = _ANCHORED_ON.where(
    _checkpoints.c.anchor_message_id.in_(
        select(func.json_each(bindparam("anchors")).table_valued("value").c.value)
    )
)


# id, anchor_message_id, summary, token_count: a ``CheckpointSummary``'s fields, in order
AnchoredRow = Row[str, str, str, int]


def checkpoints_anchored_on(
    connection: Connection, conversation_id: str, message_ids: Sequence[str]
) -> list[AnchoredRow]:
    """id, anchor_message_id, summary and token_count of the checkpoints anchored on
    ``message_ids``, oldest first."""
    if not message_ids:
        return []
    if connection.dialect.name == "sqlite":
        anchors: object = json.dumps(list(message_ids))
        statement = _ANCHORED_ON_JSON
    else:
        anchors, statement = list(message_ids), _ANCHORED_ON_LIST
    params = {"conversation_id": conversation_id, "anchors": anchors}
    return list(execute(connection, statement, params))


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
        self, conversation_id: str, message_ids: Sequence[str]
    ) -> list[AnchoredRow]:
        """``checkpoints_anchored_on`` in this unit of work."""
        return await run_in(
            self.session,
            lambda connection: checkpoints_anchored_on(connection, conversation_id, message_ids),
        )

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
