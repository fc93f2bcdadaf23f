"""Wire shapes (camelCase) of usage, plans and billing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..domain.hashing import iso_timestamp
from ..domain.plans import Plan
from ..providers.registry import ModelInfo
from ..services.billing import Allowance, Billing
from ..services.usage import MessageUsage, UsageReport
from ..store.usage import UsageRow


def _ts(moment: datetime | None) -> str | None:
    return iso_timestamp(moment) if moment is not None else None


def price_out(info: ModelInfo) -> dict[str, object]:
    """A model's list price per million tokens, for client-side estimates."""
    price = info.list_price()
    return {
        "inputPerMillionTokens": price.input_per_million,
        "outputPerMillionTokens": price.output_per_million,
        "currency": "USD",
        "source": price.source,
    }


def totals_out(row: UsageRow) -> dict[str, Any]:
    return {
        "promptTokens": row.prompt_tokens,
        "completionTokens": row.completion_tokens,
        "totalTokens": row.prompt_tokens + row.completion_tokens,
        "cost": row.cost,
        "calls": row.calls,
        "messages": row.messages,
    }


def by_model_out(rows: list[UsageRow]) -> list[dict[str, Any]]:
    return [{"model": row.key, **totals_out(row)} for row in rows]


def by_kind_out(rows: list[UsageRow]) -> list[dict[str, Any]]:
    """Per kind of metered call: ``message`` (replies), ``autobranch``, ``checkpoint``."""
    return [{"kind": row.key, **totals_out(row)} for row in rows]


def report_out(report: UsageReport) -> dict[str, Any]:
    data: dict[str, Any] = {
        "totals": totals_out(report.totals),
        "byModel": by_model_out(report.by_model),
    }
    if report.by_kind is not None:
        data["byKind"] = by_kind_out(report.by_kind)
    if report.by_day is not None:
        data["byDay"] = [{"date": row.key, **totals_out(row)} for row in report.by_day]
    if report.by_conversation is not None:
        data["byConversation"] = [
            {
                "conversationId": row.key,
                "title": report.titles.get(row.key or ""),
                **totals_out(row),
            }
            for row in report.by_conversation
        ]
    if report.by_branch is not None:
        data["byBranch"] = [
            {
                "branchId": row.key,
                "conversationId": report.branch_conversations.get(row.key or ""),
                "title": report.titles.get(row.key or ""),
                **totals_out(row),
            }
            for row in report.by_branch
        ]
    return data


def message_usage_out(usage: MessageUsage) -> dict[str, Any]:
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
        "createdAt": _ts(usage.created_at),
        "deleted": usage.deleted,
    }


def plan_out(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.name,
        "name": plan.title,
        "price": plan.price,  # monthly USD; null: on request
        "currency": "USD",
        "interval": "month",
        "limits": {
            "callsPerMonth": plan.calls_per_month,  # null: unlimited
            "tokensPerMonth": plan.tokens_per_month,
            "requestsPerMinute": plan.requests_per_minute,
        },
        "features": list(plan.features),
    }


def _allowance(allowance: Allowance) -> dict[str, int | None]:
    return {"used": allowance.used, "limit": allowance.limit, "left": allowance.left}


def billing_out(billing: Billing) -> dict[str, Any]:
    return {
        "plan": billing.plan.name,
        "planDetails": plan_out(billing.plan),
        "planChangedAt": _ts(billing.plan_changed_at),
        "period": {"start": _ts(billing.period_start), "end": _ts(billing.period_end)},
        "calls": _allowance(billing.calls),
        "tokens": _allowance(billing.tokens),
        "costSoFar": billing.cost_so_far,
        "currency": "USD",
        "billingCustomerId": billing.billing_customer_id,
    }
