"""Plans and billing on the wire: the plans on offer and the account's standing."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal, Protocol

from typing_extensions import TypedDict

from ..domain.plans import Plan
from .common import Timestamp, timestamp_out
from .usage import Period, period_out


class PlanLimits(TypedDict):
    callsPerMonth: int | None
    tokensPerMonth: int | None
    requestsPerMinute: int | None


class PlanOut(TypedDict):
    id: str
    name: str
    price: float | None
    currency: Literal["USD"]
    interval: Literal["month"]
    limits: PlanLimits
    features: list[str]


def plan_out(plan: Plan) -> PlanOut:
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


class PlanList(TypedDict):
    plans: list[PlanOut]
    currency: Literal["USD"]


def plan_list(plans: Iterable[Plan]) -> PlanList:
    return {"plans": [plan_out(plan) for plan in plans], "currency": "USD"}


class Allowance(TypedDict):
    used: int
    limit: int | None
    left: int | None


class AllowanceRead(Protocol):
    """How much of a monthly allowance is used; ``limit`` None: unlimited."""

    @property
    def used(self) -> int: ...
    @property
    def limit(self) -> int | None: ...
    @property
    def left(self) -> int | None: ...


def allowance_out(allowance: AllowanceRead) -> Allowance:
    return {"used": allowance.used, "limit": allowance.limit, "left": allowance.left}


class Standing(Protocol):
    """An account's plan and where it stands in the current billing period."""

    @property
    def plan(self) -> Plan: ...
    @property
    def period_start(self) -> datetime: ...
    @property
    def period_end(self) -> datetime: ...
    @property
    def calls(self) -> AllowanceRead: ...
    @property
    def tokens(self) -> AllowanceRead: ...
    @property
    def cost_so_far(self) -> float: ...
    @property
    def billing_customer_id(self) -> str | None: ...
    @property
    def plan_changed_at(self) -> datetime | None: ...


class BillingOut(TypedDict):
    plan: str
    planDetails: PlanOut
    planChangedAt: Timestamp | None
    period: Period
    calls: Allowance
    tokens: Allowance
    costSoFar: float
    currency: Literal["USD"]
    billingCustomerId: str | None


def billing_out(billing: Standing) -> BillingOut:
    return {
        "plan": billing.plan.name,
        "planDetails": plan_out(billing.plan),
        "planChangedAt": timestamp_out(billing.plan_changed_at),
        "period": period_out(billing.period_start, billing.period_end),
        "calls": allowance_out(billing.calls),
        "tokens": allowance_out(billing.tokens),
        "costSoFar": billing.cost_so_far,
        "currency": "USD",
        "billingCustomerId": billing.billing_customer_id,
    }
