"""Usage tracking: tokens, calls and cost from the stored per-message usage; prices."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from ..domain.hashing import iso_timestamp
from ..schemas.common import NUL_FREE_PATTERN
from ..schemas.responses import (
    AccountUsage,
    BranchUsage,
    ConversationUsage,
    Envelope,
    MessageUsageOut,
    Pricing,
    UsageSummary,
)
from ..schemas.usage import (
    by_kind_out,
    by_model_out,
    message_usage_out,
    price_out,
    report_out,
    totals_out,
)
from ..services.model_catalog import available_models
from ..services.usage import UsageService
from .deps import BranchID, Context, ConversationID, MessageID, UserId
from .envelope import ok

router = APIRouter(tags=["usage"])


@router.get("/usage", response_model=Envelope[AccountUsage])
async def account_usage(
    ctx: Context, user_id: UserId, timeframe: Literal["today", "week", "month", "all"] = "month"
) -> JSONResponse:
    """The account's usage over ``timeframe``: today, week (7 days), month (UTC), all."""
    report = await UsageService(ctx, user_id).account(timeframe)
    return ok(
        {
            "timeframe": timeframe,
            "period": {
                "start": iso_timestamp(report.since) if report.since else None,
                "end": iso_timestamp(report.until) if report.until else None,
            },
            **report_out(report),
        }
    )


@router.get("/usage/summary", response_model=Envelope[UsageSummary])
async def usage_summary(ctx: Context, user_id: UserId) -> JSONResponse:
    """This calendar month at a glance (the JS SDK's ``usage.summary()``)."""
    report = await UsageService(ctx, user_id).this_month()
    totals = totals_out(report.totals)
    return ok(
        {
            "tokensUsed": totals["totalTokens"],
            "promptTokens": totals["promptTokens"],
            "completionTokens": totals["completionTokens"],
            "costThisMonth": totals["cost"],
            "calls": totals["calls"],
            "byModel": by_model_out(report.by_model),
            "byKind": by_kind_out(report.by_kind or []),
        }
    )


@router.get("/usage/conversations/{conversation_id}", response_model=Envelope[ConversationUsage])
async def conversation_usage(
    conversation_id: ConversationID,
    ctx: Context,
    user_id: UserId,
    branch_id: Annotated[
        str | None, Query(alias="branchId", max_length=64, pattern=NUL_FREE_PATTERN)
    ] = None,
) -> JSONResponse:
    report = await UsageService(ctx, user_id).conversation(conversation_id, branch_id)
    return ok({"conversationId": conversation_id, "branchId": branch_id, **report_out(report)})


@router.get("/usage/branches/{branch_id}", response_model=Envelope[BranchUsage])
async def branch_usage(branch_id: BranchID, ctx: Context, user_id: UserId) -> JSONResponse:
    conversation_id, report = await UsageService(ctx, user_id).branch(branch_id)
    return ok({"branchId": branch_id, "conversationId": conversation_id, **report_out(report)})


@router.get("/usage/messages/{message_id}", response_model=Envelope[MessageUsageOut])
async def message_usage(message_id: MessageID, ctx: Context, user_id: UserId) -> JSONResponse:
    return ok(message_usage_out(await UsageService(ctx, user_id).message(message_id)))


@router.get("/usage/pricing", response_model=Envelope[Pricing])
async def pricing(ctx: Context, _user: UserId) -> JSONResponse:
    """Per-model prices for client-side cost estimates."""
    models = await available_models(ctx)
    return ok({"pricing": {info.name: price_out(info) for info in models}, "currency": "USD"})
