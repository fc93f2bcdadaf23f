"""Messages: immutable rows linked by ``parent_id``; paths by one recursive walk.

The reads a send and the conversation pages make are prebuilt Core statements run on a
connection (``execution.execute``); the repository runs the same functions in an async
unit of work (``database.run_in``). Either way a message comes back as a plain (transient)
instance, not one the session tracks: a stored message never changes but by a statement
(``soft_delete``), so there is nothing to track, and tracking a long path costs more than
reading it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    CTE,
    ColumnElement,
    Connection,
    FromClause,
    Label,
    Row,
    bindparam,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from .conversations import for_conversations, of_conversations
from .database import run_in
from .execution import execute, instance, selected
from .tables import Branch, Conversation, Message

_messages = Message.__table__
_branches = Branch.__table__


def walk_up(
    *start: ColumnElement[bool],
    source: FromClause = _messages,
    columns: Sequence[str] = (),
    carry: Sequence[Label[Any]] = (),
    stop_at: str | None = None,
    ordered: bool = True,
    once: bool = False,
) -> CTE:
    """The walk up ``parent_id`` from each message ``start`` picks to its root: a row per
    message with its ``id``, ``parent_id`` and ``columns``.

    ``source``: what ``start`` reads (``messages``, or a join holding it); ``carry``: its
    values each row of a message's walk repeats (the branch it is for); ``stop_at``: a
    carried message id that ends the walk before it (a fork point); ``ordered``: each row's
    ``depth``, 0 at the start; ``once``: each message walked once, however many starts
    reach it.
    """
    m = _messages.c
    first = select(m.id, m.parent_id, *(m[c] for c in columns), *carry).select_from(source)
    first = first.where(*start)
    if ordered:
        first = first.add_columns(literal(0).label("depth"))
    walk = first.cte("walk", recursive=True)
    parent = _messages.alias("parent")
    step = select(
        parent.c.id,
        parent.c.parent_id,
        *(parent.c[c] for c in columns),
        *(walk.c[value.name] for value in carry),
    ).where(parent.c.id == walk.c.parent_id)
    if ordered:
        step = step.add_columns(walk.c.depth + 1)
    if stop_at is not None:
        step = step.where(parent.c.id.is_distinct_from(walk.c[stop_at]))
    return walk.union(step) if once else walk.union_all(step)


def _along_path(*columns: Any, visible: bool = False) -> Any:
    """``columns`` of the messages from the root to the bound ``head`` (``visible``: the
    ones not deleted)."""
    walk = walk_up(_messages.c.id == bindparam("head"))
    statement = select(*columns).join(walk, _messages.c.id == walk.c.id)
    if visible:
        statement = statement.where(_messages.c.deleted_at.is_(None))
    return statement.order_by(walk.c.depth.desc())


def _own_counts_statement(*, many: bool) -> Any:
    """Per branch: the visible messages after its fork point, by one walk from its head."""
    b = _branches.c
    walk = walk_up(
        of_conversations(b.conversation_id, many=many),
        b.head_message_id.is_distinct_from(b.fork_point_message_id),
        source=_branches.join(_messages, _messages.c.id == b.head_message_id),
        columns=("deleted_at",),
        carry=(b.id.label("branch_id"), b.fork_point_message_id.label("stop_at")),
        stop_at="stop_at",
        ordered=False,
    )
    return (
        select(walk.c.branch_id, func.count().label("messages"))
        .where(walk.c.deleted_at.is_(None))
        .group_by(walk.c.branch_id)
    )


def _visible_counts_statement(*, many: bool) -> Any:
    m = _messages.c
    return (
        select(m.conversation_id, func.count().label("messages"))
        .where(of_conversations(m.conversation_id, many=many), m.deleted_at.is_(None))
        .group_by(m.conversation_id)
    )


_m = _messages.c
_PATH = _along_path(
    _m.id, _m.parent_id, _m.role, _m.content, _m.token_count, _m.deleted_at, _m.pinned, _m.excluded
)
_VISIBLE_PATH = _along_path(*selected(Message), visible=True)
_WHOLE_PATH = _along_path(*selected(Message))
_REACHABLE = select(
    walk_up(_m.id.in_(bindparam("heads", expanding=True)), ordered=False, once=True).c.id
)
_MESSAGE_IN = select(*selected(Message)).where(
    _m.id == bindparam("id"), _m.conversation_id == bindparam("conversation_id")
)
_HAS_CHILDREN = select(_m.id).where(_m.parent_id == bindparam("id")).limit(1)
_MESSAGES_OF = (
    select(*selected(Message))
    .where(_m.conversation_id == bindparam("conversation_id"))
    .order_by(_m.created_at, _m.id)
)
_OWN_COUNTS = _own_counts_statement(many=False), _own_counts_statement(many=True)
_VISIBLE_COUNTS = _visible_counts_statement(many=False), _visible_counts_statement(many=True)


class PathRow(NamedTuple):
    """A message as ``path`` reads it, for a message just stored."""

    id: str
    parent_id: str | None
    role: str
    content: str
    token_count: int | None
    deleted_at: datetime | None
    pinned: bool = False
    excluded: bool = False

    @classmethod
    def of(cls, message: Message) -> PathRow:
        return cls(
            message.id,
            message.parent_id,
            message.role,
            message.content,
            message.token_count,
            message.deleted_at,
            bool(message.pinned),
            bool(message.excluded),
        )


def message_in(connection: Connection, message_id: str, conversation_id: str) -> Message | None:
    params = {"id": message_id, "conversation_id": conversation_id}
    found = execute(connection, _MESSAGE_IN, params).first()
    return instance(Message, found) if found is not None else None


def path(connection: Connection, head_message_id: str | None) -> list[Row[Any]]:
    """Root-to-head chain ending at ``head_message_id``: id, parent_id, role, content,
    token_count, deleted_at, pinned and excluded of each message, by index, O(depth)."""
    if head_message_id is None:
        return []
    return list(execute(connection, _PATH, {"head": head_message_id}))


def visible_path(connection: Connection, head_message_id: str | None) -> Sequence[Row[Any]]:
    """The visible messages of the root-to-head chain ending at ``head_message_id``, each
    with the ``Message`` attribute names."""
    if head_message_id is None:
        return []
    return execute(connection, _VISIBLE_PATH, {"head": head_message_id}).all()


def whole_path(connection: Connection, head_message_id: str | None) -> list[Message]:
    """Every message of the root-to-head chain ending at ``head_message_id``, soft-deleted
    ones included."""
    if head_message_id is None:
        return []
    found = execute(connection, _WHOLE_PATH, {"head": head_message_id})
    return [instance(Message, row) for row in found]


def has_children(connection: Connection, message_id: str) -> bool:
    return execute(connection, _HAS_CHILDREN, {"id": message_id}).first() is not None


def messages_of(connection: Connection, conversation_id: str) -> Sequence[Row[Any]]:
    """Every message of the conversation, soft-deleted ones included, oldest first, each
    with the ``Message`` attribute names."""
    return execute(connection, _MESSAGES_OF, {"conversation_id": conversation_id}).all()


def own_counts(connection: Connection, conversation_ids: Sequence[str]) -> dict[str, int]:
    """Visible messages each branch of these conversations holds after its fork point
    (branches holding none are left out)."""
    found = for_conversations(connection, _OWN_COUNTS, conversation_ids)
    return {row.branch_id: row.messages for row in found}


def visible_counts(connection: Connection, conversation_ids: Sequence[str]) -> dict[str, int]:
    """Non-deleted messages per conversation, written on any branch (none: left out)."""
    found = for_conversations(connection, _VISIBLE_COUNTS, conversation_ids)
    return {row.conversation_id: row.messages for row in found}


async def _count_deletions(session: AsyncSession, messages: ColumnElement[bool]) -> None:
    """Bump ``message_deletions`` of the conversations of the messages that ``messages``
    selects, before they are deleted or their pin or exclusion changes: their remembered
    paths are stale (``paths.py``)."""
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
        """``message_in`` in this unit of work."""
        return await run_in(
            self.session, lambda connection: message_in(connection, message_id, conversation_id)
        )

    async def path(self, head_message_id: str | None) -> list[Message]:
        """``whole_path`` in this unit of work."""
        return await run_in(
            self.session, lambda connection: whole_path(connection, head_message_id)
        )

    async def get_many(self, message_ids: Sequence[str]) -> dict[str, Message]:
        if not message_ids:
            return {}
        rows = await self.session.scalars(select(Message).where(Message.id.in_(message_ids)))
        return {message.id: message for message in rows}

    async def list_for_conversation(self, conversation_id: str) -> list[Message]:
        """``messages_of`` in this unit of work, as model instances."""
        return await run_in(
            self.session,
            lambda connection: [
                instance(Message, row) for row in messages_of(connection, conversation_id)
            ],
        )

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

    async def set_context(
        self, message: Message, *, pinned: bool | None, excluded: bool | None
    ) -> Message:
        """``message`` (read in this unit of work) pinned and excluded as given (None: as
        it is); its conversation's remembered paths made stale when either changes."""
        values = {
            name: value
            for name, value in (("pinned", pinned), ("excluded", excluded))
            if value is not None and value != getattr(message, name)
        }
        if values:
            await _count_deletions(self.session, Message.id == message.id)
            for name, value in values.items():
                setattr(message, name, value)
            await self.session.flush()
        return message

    async def reachable_ids(self, head_ids: Sequence[str]) -> set[str]:
        """Every message on the path of any of ``head_ids`` (each walked once)."""
        if not head_ids:
            return set()
        return set(await self.session.scalars(_REACHABLE, {"heads": list(head_ids)}))

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
        """``own_counts`` of one conversation, in this unit of work (flushed first)."""
        return await run_in(
            self.session, lambda connection: own_counts(connection, [conversation_id])
        )
