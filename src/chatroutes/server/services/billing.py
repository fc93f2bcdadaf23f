"""Plans on offer, an account's billing period and standing, and plan changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..domain.errors import InvalidRequest, NotFound
from ..domain.plans import Plan, month_period
from ..store.database import Database
from ..store.usage import UsageRepository, UsageScope
from ..store.users import UserRepository
from .limits import LimitService, plan_table
from .server_context import ServerContext, utcnow


@dataclass
class Allowance:
    used: int
    limit: int | None  # None: unlimited

    @property
    def left(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.used, 0)


@dataclass
class Billing:
    plan: Plan
    period_start: datetime
    period_end: datetime
    calls: Allowance
    tokens: Allowance
    cost_so_far: float
    billing_customer_id: str | None
    plan_changed_at: datetime | None


def public_plans(ctx: ServerContext) -> list[Plan]:
    """The plans a user may choose, in table order (hidden ones, like guest, left out)."""
    return [plan for plan in plan_table(ctx.settings).values() if not plan.hidden]


class BillingService:
    def __init__(self, ctx: ServerContext, user_id: str) -> None:
        self.ctx = ctx
        self.user_id = user_id

    async def billing(self) -> Billing:
        limits = LimitService(self.ctx)
        account = await limits.account(self.user_id)
        now = utcnow()
        start, end = month_period(now)
        counts = await limits.month_counts(self.user_id, now)
        async with self.ctx.db.read() as session:
            spent = await UsageRepository(session).totals(UsageScope(self.user_id, since=start))
        return Billing(
            plan=account.plan,
            period_start=start,
            period_end=end,
            calls=Allowance(counts["calls"], account.plan.calls_per_month),
            tokens=Allowance(counts["tokens"], account.plan.tokens_per_month),
            cost_so_far=spent.cost,
            billing_customer_id=account.user.billing_customer_id,
            plan_changed_at=account.user.plan_changed_at,
        )


async def set_plan(db: Database, plans: dict[str, Plan], email: str, plan: str) -> None:
    """Move a user to ``plan`` (the operator's command); an unknown plan is refused."""
    if plan not in plans:
        raise InvalidRequest(f"unknown plan {plan!r}: one of {', '.join(plans)}", field="plan")
    async with db.write() as session:
        user = await UserRepository(session).get_by_email(email.strip().lower())
        if user is None:
            raise NotFound("user", email)
        user.plan = plan
        user.plan_changed_at = utcnow()
        await session.flush()
