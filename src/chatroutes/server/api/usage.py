"""Usage tracking: tokens, calls and cost from the stored per-message usage; prices."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from ..schemas.common import NUL_FREE_PATTERN
from ..schemas.envelope import Envelope
from ..schemas.model_catalog import Pricing, pricing_out
from ..schemas.usage import (
    AccountUsage,
    BranchUsage,
    ConversationUsage,
    MessageUsageOut,
    UsageSummary,
    account_usage_out,
    branch_usage_out,
    conversation_usage_out,
    message_usage_out,
    usage_summary_out,
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
    return ok(account_usage_out(timeframe, await UsageService(ctx, user_id).account(timeframe)))


@router.get("/usage/summary", response_model=Envelope[UsageSummary])
async def usage_summary(ctx: Context, user_id: UserId) -> JSONResponse:
    """This calendar month at a glance (the JS SDK's ``usage.summary()``)."""
    return ok(usage_summary_out(await UsageService(ctx, user_id).this_month()))


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
    return ok(conversation_usage_out(conversation_id, branch_id, report))


@router.get("/usage/branches/{branch_id}", response_model=Envelope[BranchUsage])
async def branch_usage(branch_id: BranchID, ctx: Context, user_id: UserId) -> JSONResponse:
    conversation_id, report = await UsageService(ctx, user_id).branch(branch_id)
    return ok(branch_usage_out(branch_id, conversation_id, report))


@router.get("/usage/messages/{message_id}", response_model=Envelope[MessageUsageOut])
async def message_usage(message_id: MessageID, ctx: Context, user_id: UserId) -> JSONResponse:
    return ok(message_usage_out(await UsageService(ctx, user_id).message(message_id)))


@router.get("/usage/pricing", response_model=Envelope[Pricing])
async def pricing(ctx: Context, _user: UserId) -> JSONResponse:
    """Per-model prices for client-side cost estimates."""
    return ok(pricing_out(await available_models(ctx)))
