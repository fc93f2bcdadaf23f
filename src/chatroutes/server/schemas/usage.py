"""Usage on the wire: tokens, calls and cost, totalled and broken down; one message's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Annotated, NotRequired, Protocol

from pydantic import Field
from typing_extensions import TypedDict

from ..domain.hashing import iso_timestamp
from .common import Timestamp, timestamp_out


class UsageTotals(Protocol):
    """A sum of metered calls (a usage ledger row); ``key`` names its share of a breakdown."""

    @property
    def prompt_tokens(self) -> int: ...
    @property
    def completion_tokens(self) -> int: ...
    @property
    def cost(self) -> float: ...
    @property
    def calls(self) -> int: ...
    @property
    def messages(self) -> int: ...
    @property
    def key(self) -> str | None: ...


class UsageBreakdown(Protocol):
    """Totals and the breakdowns a report has (None: not part of it)."""

    @property
    def totals(self) -> UsageTotals: ...
    @property
    def by_model(self) -> Sequence[UsageTotals]: ...
    @property
    def by_day(self) -> Sequence[UsageTotals] | None: ...
    @property
    def by_kind(self) -> Sequence[UsageTotals] | None: ...
    @property
    def by_conversation(self) -> Sequence[UsageTotals] | None: ...
    @property
    def by_branch(self) -> Sequence[UsageTotals] | None: ...
    @property
    def since(self) -> datetime | None: ...
    @property
    def until(self) -> datetime | None: ...
    @property
    def titles(self) -> Mapping[str, str]: ...
    @property
    def branch_conversations(self) -> Mapping[str, str]: ...


class Totals(TypedDict):
    promptTokens: int
    completionTokens: int
    totalTokens: int
    cost: float
    calls: int
    messages: int


def totals_out(row: UsageTotals) -> Totals:
    return {
        "promptTokens": row.prompt_tokens,
        "completionTokens": row.completion_tokens,
        "totalTokens": row.prompt_tokens + row.completion_tokens,
        "cost": row.cost,
        "calls": row.calls,
        "messages": row.messages,
    }


class ModelTotals(Totals):
    model: str | None


class DayTotals(Totals):
    date: str | None


class KindTotals(Totals):
    kind: Annotated[str, Field(description="message, autobranch, checkpoint or chat_completion")]


class ConversationTotals(Totals):
    conversationId: str | None
    title: str | None


class BranchTotals(Totals):
    branchId: str | None
    conversationId: str | None
    title: str | None


def by_model_out(rows: Sequence[UsageTotals]) -> list[ModelTotals]:
    return [{"model": row.key, **totals_out(row)} for row in rows]


def by_kind_out(rows: Sequence[UsageTotals]) -> list[KindTotals]:
    """Per kind of metered call: ``message`` (replies), ``autobranch``, ``checkpoint``,
    ``chat_completion`` (``/v1/chat/completions`` calls not kept)."""
    return [{"kind": row.key, **totals_out(row)} for row in rows]  # type: ignore[typeddict-item]


class Report(TypedDict):
    totals: Totals
    byModel: list[ModelTotals]
    byKind: NotRequired[list[KindTotals] | None]
    byDay: NotRequired[list[DayTotals] | None]


def _report(report: UsageBreakdown) -> Report:
    """The totals, by model, and by kind and by day where the report has them."""
    data: Report = {"totals": totals_out(report.totals), "byModel": by_model_out(report.by_model)}
    if report.by_kind is not None:
        data["byKind"] = by_kind_out(report.by_kind)
    if report.by_day is not None:
        data["byDay"] = [{"date": row.key, **totals_out(row)} for row in report.by_day]
    return data


class Period(TypedDict):
    start: Timestamp | None
    end: Timestamp | None


def period_out(start: datetime | None, end: datetime | None) -> Period:
    return {"start": timestamp_out(start), "end": timestamp_out(end)}


class AccountUsage(Report):
    timeframe: str
    period: Period
    byConversation: list[ConversationTotals]
    byBranch: list[BranchTotals]


def account_usage_out(timeframe: str, report: UsageBreakdown) -> AccountUsage:
    """Every breakdown, with the title of each conversation and branch."""
    titles, branch_conversations = report.titles, report.branch_conversations
    return {
        "timeframe": timeframe,
        "period": period_out(report.since, report.until),
        **_report(report),
        "byConversation": [
            {"conversationId": row.key, "title": titles.get(row.key or ""), **totals_out(row)}
            for row in report.by_conversation or []
        ],
        "byBranch": [
            {
                "branchId": row.key,
                "conversationId": branch_conversations.get(row.key or ""),
                "title": titles.get(row.key or ""),
                **totals_out(row),
            }
            for row in report.by_branch or []
        ],
    }


class UsageSummary(TypedDict):
    tokensUsed: int
    promptTokens: int
    completionTokens: int
    costThisMonth: float
    calls: int
    byModel: list[ModelTotals]
    byKind: list[KindTotals]


def usage_summary_out(report: UsageBreakdown) -> UsageSummary:
    """This calendar month at a glance (the JS SDK's ``usage.summary()``)."""
    totals = totals_out(report.totals)
    return {
        "tokensUsed": totals["totalTokens"],
        "promptTokens": totals["promptTokens"],
        "completionTokens": totals["completionTokens"],
        "costThisMonth": totals["cost"],
        "calls": totals["calls"],
        "byModel": by_model_out(report.by_model),
        "byKind": by_kind_out(report.by_kind or []),
    }


class ConversationUsage(Report):
    conversationId: str
    branchId: str | None


def conversation_usage_out(
    conversation_id: str, branch_id: str | None, report: UsageBreakdown
) -> ConversationUsage:
    return {"conversationId": conversation_id, "branchId": branch_id, **_report(report)}


class BranchUsage(Report):
    branchId: str
    conversationId: str


def branch_usage_out(branch_id: str, conversation_id: str, report: UsageBreakdown) -> BranchUsage:
    return {"branchId": branch_id, "conversationId": conversation_id, **_report(report)}


class MessageUsageRead(Protocol):
    """One message's usage (zero for messages this server did not bill)."""

    @property
    def message_id(self) -> str: ...
    @property
    def conversation_id(self) -> str: ...
    @property
    def branch_id(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def model(self) -> str | None: ...
    @property
    def prompt_tokens(self) -> int: ...
    @property
    def completion_tokens(self) -> int: ...
    @property
    def cost(self) -> float | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def deleted(self) -> bool: ...


class MessageUsageOut(TypedDict):
    messageId: str
    conversationId: str
    branchId: str
    role: str
    model: str | None
    promptTokens: int
    completionTokens: int
    totalTokens: int
    cost: float | None
    createdAt: Timestamp
    deleted: bool


def message_usage_out(usage: MessageUsageRead) -> MessageUsageOut:
    return {
        "messageId": usage.message_id,
        "conversationId": usage.conversation_id,
        "branchId": usage.branch_id,
        "role": usage.role,
        "model": usage.model,
        "promptTokens": usage.prompt_tokens,
        "completionTokens": usage.completion_tokens,
        "totalTokens": usage.prompt_tokens + usage.completion_tokens,
        "cost": usage.cost,
        "createdAt": iso_timestamp(usage.created_at),
        "deleted": usage.deleted,
    }
