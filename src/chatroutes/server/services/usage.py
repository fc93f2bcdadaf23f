"""Token usage and cost, computed from the stored per-message usage (never from counters).

Views: the account over a timeframe (totals, per model, per day), a dashboard summary of
this month, a conversation (optionally one branch of it), a branch, a message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..domain.errors import InvalidRequest, NotFound
from ..domain.plans import month_period
from ..store.messages import MessageRepository
from ..store.usage import UsageRepository, UsageRow, UsageScope
from ..store.usage_ledger import is_billed
from .branches import branch_in
from .conversations import owned_conversation
from .server_context import ServerContext, utcnow

TIMEFRAMES = ("today", "week", "month", "all")


def timeframe_start(timeframe: str, now: datetime) -> datetime | None:
    """today: since 00:00 UTC; week: the last 7 days with today; month: the calendar month."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if timeframe == "today":
        return midnight
    if timeframe == "week":
        return midnight - timedelta(days=6)
    if timeframe == "month":
        return month_period(now)[0]
    if timeframe == "all":
        return None
    raise InvalidRequest(
        f"timeframe must be one of {', '.join(TIMEFRAMES)}, not {timeframe!r}", field="timeframe"
    )


@dataclass
class UsageReport:
    totals: UsageRow
    by_model: list[UsageRow]
    by_day: list[UsageRow] | None = None
    by_kind: list[UsageRow] | None = None  # key: message, autobranch, checkpoint
    since: datetime | None = None
    until: datetime | None = None
    by_conversation: list[UsageRow] | None = None  # key: conversation id
    by_branch: list[UsageRow] | None = None  # key: branch id
    titles: dict[str, str] = field(default_factory=dict)  # conversation/branch id to title
    branch_conversations: dict[str, str] = field(default_factory=dict)  # branch to conversation


@dataclass
class MessageUsage:
    message_id: str
    conversation_id: str
    branch_id: str
    role: str
    model: str | None
    prompt_tokens: int
    completion_tokens: int
    cost: float | None
    created_at: datetime
    deleted: bool


class UsageService:
    def __init__(self, ctx: ServerContext, user_id: str) -> None:
        self.ctx = ctx
        self.user_id = user_id

    async def account(self, timeframe: str = "month") -> UsageReport:
        now = utcnow()
        scope = UsageScope(self.user_id, since=timeframe_start(timeframe, now))
        async with self.ctx.db.read() as session:
            usage = UsageRepository(session)
            report = UsageReport(
                totals=await usage.totals(scope),
                by_model=await usage.by_model(scope),
                by_day=await usage.by_day(scope),
                by_kind=await usage.by_kind(scope),
                since=scope.since,
                until=now,
                by_conversation=await usage.by_conversation(scope),
                by_branch=await usage.by_branch(scope),
            )
            conversation_ids = [row.key for row in report.by_conversation or [] if row.key]
            branch_ids = [row.key for row in report.by_branch or [] if row.key]
            report.titles = await usage.conversation_titles(self.user_id, conversation_ids)
            for branch_id, (title, conversation_id) in (
                await usage.branch_titles(self.user_id, branch_ids)
            ).items():
                report.titles[branch_id] = title
                report.branch_conversations[branch_id] = conversation_id
            return report

    async def this_month(self) -> UsageReport:
        now = utcnow()
        start, end = month_period(now)
        scope = UsageScope(self.user_id, since=start)
        async with self.ctx.db.read() as session:
            usage = UsageRepository(session)
            return UsageReport(
                totals=await usage.totals(scope),
                by_model=await usage.by_model(scope),
                by_kind=await usage.by_kind(scope),
                since=start,
                until=end,
            )

    async def conversation(self, conversation_id: str, branch_id: str | None) -> UsageReport:
        async with self.ctx.db.read() as session:
            await owned_conversation(session, conversation_id, self.user_id)
            if branch_id is not None:
                await branch_in(session, conversation_id, branch_id)
            scope = UsageScope(self.user_id, conversation_id=conversation_id, branch_id=branch_id)
            usage = UsageRepository(session)
            return UsageReport(
                totals=await usage.totals(scope), by_model=await usage.by_model(scope)
            )

    async def branch(self, branch_id: str) -> tuple[str, UsageReport]:
        """The branch's conversation id and the usage of the messages written on it."""
        async with self.ctx.db.read() as session:
            usage = UsageRepository(session)
            branch = await usage.owned_branch(branch_id, self.user_id)
            if branch is None:
                raise NotFound("branch", branch_id)
            scope = UsageScope(self.user_id, branch_id=branch_id)
            report = UsageReport(
                totals=await usage.totals(scope), by_model=await usage.by_model(scope)
            )
        return branch.conversation_id, report

    async def message(self, message_id: str) -> MessageUsage:
        """One message's usage; a deleted one still answers (it was paid for)."""
        async with self.ctx.db.read() as session:
            message = await MessageRepository(session).get_owned(message_id, self.user_id)
        if message is None:
            raise NotFound("message", message_id)
        meta = message.meta or {}
        billed = is_billed(message)
        return MessageUsage(
            message_id=message.id,
            conversation_id=message.conversation_id,
            branch_id=message.branch_id,
            role=message.role,
            model=message.model,
            prompt_tokens=int(meta.get("prompt_tokens") or 0) if billed else 0,
            completion_tokens=int(meta.get("completionTokens") or 0) if billed else 0,
            cost=meta.get("cost") if billed else 0.0,
            created_at=message.created_at,
            deleted=message.deleted_at is not None,
        )
