"""Usage read back from the stored messages, by SQL aggregates.

Each assistant message (a reply: one provider call) carries its usage in ``metadata``:
``prompt_tokens``, ``completionTokens``, ``cost``. Deleted messages still count (they were
paid for); an edited copy of a reply (``edited_from`` set) repeats its original's usage
and is not counted again; an imported reply (``imported_at`` set) records a call made
elsewhere and is never counted (``usage_ledger.billed``). The usage of deleted
conversations is kept in the ledger (``usage_ledger.py``) and added to every
account-wide figure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import Branch, Conversation, Message
from .usage_ledger import MESSAGE_KIND, UsageLedgerEntry, billed, kept_sums, kept_usage


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


def _columns() -> list[Any]:
    is_call = billed()
    return [
        func.coalesce(
            func.sum(case((is_call, Message.meta["prompt_tokens"].as_integer()), else_=0)), 0
        ),
        func.coalesce(
            func.sum(case((is_call, Message.meta["completionTokens"].as_integer()), else_=0)), 0
        ),
        func.coalesce(func.sum(case((is_call, Message.meta["cost"].as_float()), else_=0.0)), 0.0),
        func.count(case((is_call, 1))),
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
        row = _row((await self.session.execute(self._select(scope))).one())
        return _plus(row, await self._kept(scope))

    async def by_model(self, scope: UsageScope) -> list[UsageRow]:
        """Per model of the replies (user messages have no usage and are left out)."""
        model = Message.model
        statement = self._select(scope, model).where(billed()).group_by(model).order_by(model)
        rows = [_row(values[1:], values[0] or "unknown") for values in await self._rows(statement)]
        kept = await self._kept(scope, billed_only=True)
        return _merged(rows, kept, lambda entry: entry.model or "unknown")

    async def by_kind(self, scope: UsageScope) -> list[UsageRow]:
        """Per kind of metered call: replies (``message``) and the calls that stored none
        (``autobranch``, ``checkpoint``); ``key`` is the kind."""
        statement = self._select(scope).where(billed())
        replies = _row((await self.session.execute(statement)).one(), MESSAGE_KIND)
        kept = await self._kept(scope, billed_only=True)
        return _merged([replies] if replies.calls else [], kept, lambda entry: entry.kind)

    async def by_day(self, scope: UsageScope) -> list[UsageRow]:
        """Per UTC day (stored timestamps are UTC), oldest first."""
        day = func.date(Message.created_at)
        statement = self._select(scope, day).group_by(day).order_by(day)
        rows = [_row(values[1:], values[0]) for values in await self._rows(statement)]
        return _merged(rows, await self._kept(scope), lambda entry: entry.day.date().isoformat())

    async def _kept(
        self, scope: UsageScope, *, billed_only: bool = False
    ) -> list[UsageLedgerEntry]:
        """Deleted conversations' usage: part of account-wide figures, not of narrower ones."""
        if scope.conversation_id or scope.branch_id or scope.message_id:
            return []
        return await kept_usage(self.session, scope.user_id, scope.since, billed_only=billed_only)

    async def by_conversation(self, scope: UsageScope) -> list[UsageRow]:
        """Per conversation of the replies, most tokens first; ``key`` is the conversation id."""
        conversation = Message.conversation_id
        return await self._ranked(scope, conversation)

    async def by_branch(self, scope: UsageScope) -> list[UsageRow]:
        """Per branch the replies were written on, most tokens first; ``key`` is its id."""
        return await self._ranked(scope, Message.branch_id)

    async def conversation_titles(self, user_id: str, ids: list[str]) -> dict[str, str]:
        rows = await self._rows(
            select(Conversation.id, Conversation.title).where(
                Conversation.user_id == user_id, Conversation.id.in_(ids)
            )
        )
        return {row[0]: row[1] for row in rows}

    async def branch_titles(self, user_id: str, ids: list[str]) -> dict[str, tuple[str, str]]:
        """Branch id to (title, conversation id), for the user's branches among ``ids``."""
        rows = await self._rows(
            select(Branch.id, Branch.title, Branch.conversation_id)
            .join(Conversation, Conversation.id == Branch.conversation_id)
            .where(Conversation.user_id == user_id, Branch.id.in_(ids))
        )
        return {row[0]: (row[1], row[2]) for row in rows}

    async def _ranked(self, scope: UsageScope, column: Any, limit: int = 50) -> list[UsageRow]:
        tokens = _columns()[0] + _columns()[1]
        statement = (
            self._select(scope, column)
            .where(billed())
            .group_by(column)
            .order_by(tokens.desc(), column)
            .limit(limit)
        )
        return [_row(values[1:], values[0]) for values in await self._rows(statement)]

    async def _rows(self, statement: Any) -> list[Any]:
        return list((await self.session.execute(statement)).all())


def _plus(row: UsageRow, entries: list[UsageLedgerEntry]) -> UsageRow:
    if not entries:
        return row
    prompt, completion, cost, calls, messages = kept_sums(entries)
    return _row(
        (
            row.prompt_tokens + prompt,
            row.completion_tokens + completion,
            row.cost + cost,
            row.calls + calls,
            row.messages + messages,
        ),
        row.key,
    )


def _merged(
    rows: list[UsageRow], entries: list[UsageLedgerEntry], key: Callable[[UsageLedgerEntry], str]
) -> list[UsageRow]:
    """``rows`` with the kept entries added under their key, in key order."""
    if not entries:
        return rows
    groups: dict[str, list[UsageLedgerEntry]] = defaultdict(list)
    for entry in entries:
        groups[key(entry)].append(entry)
    by_key = {row.key or "": row for row in rows}
    for name, group in groups.items():
        by_key[name] = _plus(by_key.get(name) or UsageRow(0, 0, 0.0, 0, 0, name), group)
    return [by_key[name] for name in sorted(by_key)]
