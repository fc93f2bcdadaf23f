"""Conversations, always looked up within their owner's account.

The reads and writes a send and the conversation pages make are prebuilt Core statements
run on a connection (``execution.execute``); in an async unit of work, through
``database.run_in`` and ``load_in`` (``services.conversations.owned_conversation``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    bindparam,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from .database import run_in
from .execution import execute, instance, selected
from .tables import Branch, Conversation, Message

_conversations = Conversation.__table__
_messages = Message.__table__

_OWNED_CONVERSATION = select(*selected(Conversation)).where(
    _conversations.c.id == bindparam("id"), _conversations.c.user_id == bindparam("user_id")
)
_TOUCH_CONVERSATION = (
    update(_conversations)
    .where(_conversations.c.id == bindparam("conversation_id"))
    .values(updated_at=bindparam("when"))
)


def owned_conversation(
    connection: Connection, conversation_id: str, user_id: str
) -> Conversation | None:
    row = execute(connection, _OWNED_CONVERSATION, {"id": conversation_id, "user_id": user_id})
    found = row.first()
    return instance(Conversation, found) if found is not None else None


def touch_conversation(connection: Connection, conversation_id: str, when: datetime) -> None:
    execute(connection, _TOUCH_CONVERSATION, {"conversation_id": conversation_id, "when": when})


# Statements that read by conversation come in a pair: for one (``= :conversation_id``) and
# for several (an expanding ``IN``, rendered anew on every call).


def of_conversations(column: Any, *, many: bool) -> Any:
    """``column`` names the bound conversation (``many``: one of the bound ones)."""
    if many:
        return column.in_(bindparam("conversation_ids", expanding=True))
    return column == bindparam("conversation_id")


def for_conversations(
    connection: Connection, statements: tuple[Any, Any], conversation_ids: Sequence[str]
) -> Sequence[Row[Any]]:
    """Run the statement of the pair (one, many) that fits ``conversation_ids``."""
    if not conversation_ids:
        return []
    one, many = statements
    if len(conversation_ids) == 1:
        return execute(connection, one, {"conversation_id": conversation_ids[0]}).all()
    return execute(connection, many, {"conversation_ids": list(conversation_ids)}).all()


def _page_statements(*, search: Literal["title", "messages"] | None) -> tuple[Any, Any]:
    """A user's conversations: how many, and a page of them, newest first; ``search``:
    those whose title (and, with ``"messages"``, a message kept) holds ``pattern``."""
    c = _conversations.c
    where = [c.user_id == bindparam("user_id")]
    if search:
        found: ColumnElement[bool] = func.lower(c.title).like(bindparam("pattern"), escape="\\")
        if search == "messages":
            m = _messages.c
            said = (
                select(m.id)
                .where(
                    m.conversation_id == c.id,
                    m.deleted_at.is_(None),
                    func.lower(m.content).like(bindparam("pattern"), escape="\\"),
                )
                .exists()
            )
            found = or_(found, said)
        where.append(found)
    count = select(func.count()).select_from(_conversations).where(*where)
    page = (
        select(*selected(Conversation))
        .where(*where)
        .order_by(c.updated_at.desc(), c.id.desc())
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )
    return count, page


_PAGE = _page_statements(search=None)
_PAGE_SEARCHED = _page_statements(search="title")
_PAGE_SEARCHED_WITH_MESSAGES = _page_statements(search="messages")


def conversations_page(
    connection: Connection,
    user_id: str,
    *,
    offset: int,
    limit: int,
    search: str | None,
    in_messages: bool = False,
) -> tuple[list[Conversation], int]:
    """A page of the user's conversations, newest first, and how many there are;
    ``search``: text in the title (``in_messages``: or in a message kept), any case."""
    params: dict[str, Any] = {"user_id": user_id, "offset": offset, "limit": limit}
    count, page = _PAGE
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params["pattern"] = f"%{escaped.lower()}%"
        count, page = _PAGE_SEARCHED_WITH_MESSAGES if in_messages else _PAGE_SEARCHED
    total = execute(connection, count, params).scalar_one()
    return [instance(Conversation, row) for row in execute(connection, page, params)], total


class ConversationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

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

    async def touch(self, conversation_id: str, when: datetime) -> None:
        """``touch_conversation`` in this unit of work."""
        await run_in(
            self.session, lambda connection: touch_conversation(connection, conversation_id, when)
        )

    async def delete(self, conversation_id: str) -> None:
        """Remove the conversation with every branch and message in it."""
        await self.session.execute(
            delete(Message).where(Message.conversation_id == conversation_id)
        )
        await self.session.execute(delete(Branch).where(Branch.conversation_id == conversation_id))
        await self.session.execute(delete(Conversation).where(Conversation.id == conversation_id))
