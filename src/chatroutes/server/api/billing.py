"""Plans on offer (no auth needed) and the account's billing standing."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ..schemas.responses import BillingOut, Envelope, PlanList
from ..schemas.usage import billing_out, plan_out
from ..services.billing import BillingService, public_plans
from .deps import Context, UserId
from .envelope import ok

router = APIRouter(tags=["billing"])


@router.get("/plans", response_model=Envelope[PlanList])
async def list_plans(ctx: Context) -> JSONResponse:
    """Public, like ``/health``: a pricing page needs no key."""
    return ok({"plans": [plan_out(plan) for plan in public_plans(ctx)], "currency": "USD"})


@router.get("/billing", response_model=Envelope[BillingOut])
async def billing(ctx: Context, user_id: UserId) -> JSONResponse:
    return ok(billing_out(await BillingService(ctx, user_id).billing()))
