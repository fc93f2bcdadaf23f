"""Usage that no stored message carries, kept so account figures never shrink.

Usage is read from the stored messages (``store/usage.py``). Two kinds of usage have
no message to read it from, and are written here instead:

- a deleted conversation's: its messages go, so first their usage is written here, one
  row per model and UTC day, billed replies apart from the rest;
- a metered model call that stored no reply (``kind``): an AutoBranch review
  (``autobranch``), a checkpoint summary (``checkpoint``), or a reply whose conversation
  was deleted while it was generated (``message``), one row per call.

Account totals, the per-model, per-day and per-kind breakdowns and monthly spending read
these rows back beside the messages.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ColumnElement,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    and_,
    case,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from ..domain.ids import new_id
from .tables import Base, Message

# What a metered call was: a reply (every stored message's usage is of this kind), an
# AutoBranch review, a checkpoint summary, an OpenAI-compatible chat completion.
MESSAGE_KIND = "message"
AUTOBRANCH_KIND = "autobranch"
CHECKPOINT_KIND = "checkpoint"
CHAT_COMPLETION_KIND = "chat_completion"  # a /v1/chat/completions call not kept
MERGED_FROM = "mergedFrom"  # the metadata key naming a merged copy's original


class UsageLedgerEntry(Base):
    __tablename__ = "usage_ledger"
    __table_args__ = (Index("ix_usage_ledger_user_day", "user_id", "day"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    model: Mapped[str | None] = mapped_column(String(200))
    day: Mapped[datetime] = mapped_column(DateTime)  # 00:00 UTC of the messages' day
    billed: Mapped[bool] = mapped_column(Boolean)  # replies that were provider calls
    prompt_tokens: Mapped[int] = mapped_column(BigInteger)
    completion_tokens: Mapped[int] = mapped_column(BigInteger)
    cost: Mapped[float] = mapped_column(Float)
    messages: Mapped[int] = mapped_column(Integer)  # messages it stands for (stored once)
    created_at: Mapped[datetime] = mapped_column(DateTime)  # when the row was written
    kind: Mapped[str] = mapped_column(String(20), default=MESSAGE_KIND)  # what the calls were
    calls: Mapped[int] = mapped_column(Integer, default=0)  # metered provider calls


def metered_call_entry(
    user_id: str,
    kind: str,
    model: str | None,
    prompt_tokens: int,
    completion_tokens: int,
    cost: float,
    now: datetime,
) -> UsageLedgerEntry:
    """The row of one metered call that stored no reply."""
    return UsageLedgerEntry(
        id=new_id("use"),
        user_id=user_id,
        model=model,
        day=now.replace(hour=0, minute=0, second=0, microsecond=0),
        billed=True,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        cost=cost,
        messages=0,
        created_at=now,
        kind=kind,
        calls=1,
    )


def billed() -> ColumnElement[bool]:
    """The messages that were this server's provider calls, their usage billed: replies,
    but not a copy (an edit's, ``edited_from``; a merge's, ``mergedFrom``: each repeats
    its original's usage) nor an imported one (its usage records a call made elsewhere,
    or nowhere: ``schemas/transfer.py``)."""
    return and_(
        Message.role == "assistant",
        Message.edited_from.is_(None),
        Message.imported_at.is_(None),
        Message.meta[MERGED_FROM].as_string().is_(None),
    )


def is_billed(message: Message) -> bool:
    """``billed()`` of one loaded message."""
    return (
        message.role == "assistant"
        and message.edited_from is None
        and message.imported_at is None
        and (message.meta or {}).get(MERGED_FROM) is None
    )


async def keep_conversation_usage(
    session: AsyncSession, conversation_id: str, user_id: str, now: datetime
) -> None:
    """Write the usage of every message of the conversation, deleted ones included."""
    await keep_usage(session, user_id, Message.conversation_id == conversation_id, now)


async def keep_usage(
    session: AsyncSession, user_id: str, messages: ColumnElement[bool], now: datetime
) -> None:
    """Write the usage of the user's ``messages`` (a condition) before they are removed."""
    is_call = billed()
    rows = await session.execute(
        select(
            Message.model,
            Message.created_at,
            is_call,
            case((is_call, Message.meta["prompt_tokens"].as_integer()), else_=0),
            case((is_call, Message.meta["completionTokens"].as_integer()), else_=0),
            case((is_call, Message.meta["cost"].as_float()), else_=0.0),
        ).where(messages)
    )
    buckets: dict[tuple[str | None, datetime, bool], list[float]] = defaultdict(
        lambda: [0, 0, 0.0, 0]
    )
    for model, created_at, is_billed, prompt, completion, cost in rows:
        day = created_at.replace(hour=0, minute=0, second=0, microsecond=0)
        bucket = buckets[(model, day, bool(is_billed))]
        bucket[0] += int(prompt or 0)
        bucket[1] += int(completion or 0)
        bucket[2] += float(cost or 0)
        bucket[3] += 1
    session.add_all(
        UsageLedgerEntry(
            id=new_id("use"),
            user_id=user_id,
            model=model,
            day=day,
            billed=is_billed,
            prompt_tokens=int(prompt),
            completion_tokens=int(completion),
            cost=cost,
            messages=int(count),
            created_at=now,
            kind=MESSAGE_KIND,
            calls=int(count) if is_billed else 0,
        )
        for (model, day, is_billed), (prompt, completion, cost, count) in buckets.items()
    )
    await session.flush()


async def kept_usage(
    session: AsyncSession, user_id: str, since: datetime | None, *, billed_only: bool = False
) -> list[UsageLedgerEntry]:
    """The user's kept rows from ``since`` (a UTC midnight, as timeframes start) on."""
    statement = select(UsageLedgerEntry).where(UsageLedgerEntry.user_id == user_id)
    if since is not None:
        statement = statement.where(UsageLedgerEntry.day >= since)
    if billed_only:
        statement = statement.where(UsageLedgerEntry.billed)
    return list((await session.scalars(statement)).all())


def kept_sums(entries: Iterable[UsageLedgerEntry]) -> tuple[int, int, float, int, int]:
    """(prompt tokens, completion tokens, cost, calls, messages) of ``entries``."""
    prompt = completion = calls = messages = 0
    cost = 0.0
    for entry in entries:
        prompt += entry.prompt_tokens
        completion += entry.completion_tokens
        cost += entry.cost
        calls += entry.calls
        messages += entry.messages
    return prompt, completion, cost, calls, messages
