"""Usage read back from the stored messages, by SQL aggregates.

Each assistant message (a reply: one provider call) carries its usage in ``metadata``:
``prompt_tokens``, ``completionTokens``, ``cost``. Deleted messages still count (they were
paid for); an edited copy of a reply (``edited_from`` set) repeats its original's usage
and is not counted again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Branch, Conversation, Message


@dataclass(frozen=True)
class UsageScope:
    """Which messages: always one user's; optionally a conversation, branch, message, time."""

    user_id: str
    since: datetime | None = None
    conversation_id: str | None = None
    branch_id: str | None = None  # messages written on this branch
    message_id: str | None = None


@dataclass(frozen=True)
class UsageRow:
    prompt_tokens: int
    completion_tokens: int
    cost: float
    calls: int
    messages: int
    key: str | None = None  # the model or the day of a breakdown


def _billed() -> ColumnElement[bool]:
    return and_(Message.role == "assistant", Message.edited_from.is_(None))


def _columns() -> list[Any]:
    billed = _billed()
    return [
        func.coalesce(
            func.sum(case((billed, Message.meta["prompt_tokens"].as_integer()), else_=0)), 0
        ),
        func.coalesce(
            func.sum(case((billed, Message.meta["completionTokens"].as_integer()), else_=0)), 0
        ),
        func.coalesce(func.sum(case((billed, Message.meta["cost"].as_float()), else_=0.0)), 0.0),
        func.count(case((billed, 1))),
        func.count(Message.id),
    ]


def _row(values: Any, key: object = None) -> UsageRow:
    prompt, completion, cost, calls, messages = values
    return UsageRow(
        prompt_tokens=int(prompt or 0),
        completion_tokens=int(completion or 0),
        cost=round(float(cost or 0), 8),
        calls=int(calls or 0),
        messages=int(messages or 0),
        key=None if key is None else str(key)[:10] if isinstance(key, datetime) else str(key),
    )


class UsageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _select(self, scope: UsageScope, *extra: Any) -> Any:
        statement = (
            select(*extra, *_columns())
            .select_from(Message)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Conversation.user_id == scope.user_id)
        )
        if scope.since is not None:
            statement = statement.where(Message.created_at >= scope.since)
        if scope.conversation_id is not None:
            statement = statement.where(Message.conversation_id == scope.conversation_id)
        if scope.branch_id is not None:
            statement = statement.where(Message.branch_id == scope.branch_id)
        if scope.message_id is not None:
            statement = statement.where(Message.id == scope.message_id)
        return statement

    async def owned_branch(self, branch_id: str, user_id: str) -> Branch | None:
        return await self.session.scalar(
            select(Branch)
            .join(Conversation, Conversation.id == Branch.conversation_id)
            .where(Branch.id == branch_id, Conversation.user_id == user_id)
        )

    async def totals(self, scope: UsageScope) -> UsageRow:
        return _row((await self.session.execute(self._select(scope))).one())

    async def by_model(self, scope: UsageScope) -> list[UsageRow]:
        """Per model of the replies (user messages have no usage and are left out)."""
        model = Message.model
        statement = self._select(scope, model).where(_billed()).group_by(model).order_by(model)
        return [_row(values[1:], values[0] or "unknown") for values in await self._rows(statement)]

    async def by_day(self, scope: UsageScope) -> list[UsageRow]:
        """Per UTC day (stored timestamps are UTC), oldest first."""
        day = func.date(Message.created_at)
        statement = self._select(scope, day).group_by(day).order_by(day)
        return [_row(values[1:], values[0]) for values in await self._rows(statement)]

    async def _rows(self, statement: Any) -> list[Any]:
        return list((await self.session.execute(statement)).all())
