"""Plans on offer (no auth needed) and the account's billing standing."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ..schemas.billing import BillingOut, PlanList, billing_out, plan_list
from ..schemas.envelope import Envelope
from ..services.billing import BillingService, public_plans
from .deps import Context, UserId
from .envelope import ok

router = APIRouter(tags=["billing"])


@router.get("/plans", response_model=Envelope[PlanList])
async def list_plans(ctx: Context) -> JSONResponse:
    """Public, like ``/health``: a pricing page needs no key."""
    return ok(plan_list(public_plans(ctx)))


@router.get("/billing", response_model=Envelope[BillingOut])
async def billing(ctx: Context, user_id: UserId) -> JSONResponse:
    return ok(billing_out(await BillingService(ctx, user_id).billing()))
