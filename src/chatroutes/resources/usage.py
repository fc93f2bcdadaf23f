"""``client.usage`` (tokens, calls, cost), ``plans``, ``billing`` and ``models``."""

from __future__ import annotations

import builtins
from typing import Literal, cast

from .._types import Billing, ModelInfo, Plan, Pricing, UsageReport, UsageSummary
from ._base import AsyncAPIResource, SyncAPIResource, data_of, items_of, seg

__all__ = [
    "AsyncBillingResource",
    "AsyncModels",
    "AsyncPlans",
    "AsyncUsage",
    "BillingResource",
    "Models",
    "Plans",
    "Usage",
]

Timeframe = Literal["today", "week", "month", "all"]


def _branch_params(branch_id: str | None) -> dict[str, str]:
    return {"branchId": branch_id} if branch_id else {}


class Usage(SyncAPIResource):
    def get(self, timeframe: Timeframe | str = "month") -> UsageReport:
        """The account's usage over ``timeframe``: totals, by model and by day."""
        return cast(UsageReport, data_of(self._http.get("/usage", {"timeframe": timeframe})))

    def summary(self) -> UsageSummary:
        """This calendar month at a glance: tokens, cost, calls, by model."""
        return cast(UsageSummary, data_of(self._http.get("/usage/summary")))

    def conversation(self, conversation_id: str, branch_id: str | None = None) -> UsageReport:
        """Usage of one conversation (or of one of its branches)."""
        response = self._http.get(
            f"/usage/conversations/{seg(conversation_id)}", _branch_params(branch_id)
        )
        return cast(UsageReport, data_of(response))

    def branch(self, branch_id: str) -> UsageReport:
        """Usage of the messages written on one branch."""
        return cast(UsageReport, data_of(self._http.get(f"/usage/branches/{seg(branch_id)}")))

    def message(self, message_id: str) -> UsageReport:
        """Tokens and cost of one message."""
        return cast(UsageReport, data_of(self._http.get(f"/usage/messages/{seg(message_id)}")))

    def pricing(self) -> Pricing:
        """Per-model prices per million tokens, for client-side estimates."""
        return cast(Pricing, data_of(self._http.get("/usage/pricing")))


class AsyncUsage(AsyncAPIResource):
    async def get(self, timeframe: Timeframe | str = "month") -> UsageReport:
        """The account's usage over ``timeframe``: totals, by model and by day."""
        response = await self._http.get("/usage", {"timeframe": timeframe})
        return cast(UsageReport, data_of(response))

    async def summary(self) -> UsageSummary:
        """This calendar month at a glance: tokens, cost, calls, by model."""
        return cast(UsageSummary, data_of(await self._http.get("/usage/summary")))

    async def conversation(self, conversation_id: str, branch_id: str | None = None) -> UsageReport:
        """Usage of one conversation (or of one of its branches)."""
        response = await self._http.get(
            f"/usage/conversations/{seg(conversation_id)}", _branch_params(branch_id)
        )
        return cast(UsageReport, data_of(response))

    async def branch(self, branch_id: str) -> UsageReport:
        """Usage of the messages written on one branch."""
        response = await self._http.get(f"/usage/branches/{seg(branch_id)}")
        return cast(UsageReport, data_of(response))

    async def message(self, message_id: str) -> UsageReport:
        """Tokens and cost of one message."""
        response = await self._http.get(f"/usage/messages/{seg(message_id)}")
        return cast(UsageReport, data_of(response))

    async def pricing(self) -> Pricing:
        """Per-model prices per million tokens, for client-side estimates."""
        return cast(Pricing, data_of(await self._http.get("/usage/pricing")))


class Plans(SyncAPIResource):
    def list(self) -> builtins.list[Plan]:
        """The plans on offer, with their limits and prices."""
        return cast(builtins.list[Plan], items_of(self._http.get("/plans"), "plans"))


class AsyncPlans(AsyncAPIResource):
    async def list(self) -> builtins.list[Plan]:
        """The plans on offer, with their limits and prices."""
        return cast(builtins.list[Plan], items_of(await self._http.get("/plans"), "plans"))


class BillingResource(SyncAPIResource):
    def get(self) -> Billing:
        """The account's plan, period, allowances used and left, and cost so far."""
        return cast(Billing, data_of(self._http.get("/billing")))


class AsyncBillingResource(AsyncAPIResource):
    async def get(self) -> Billing:
        """The account's plan, period, allowances used and left, and cost so far."""
        return cast(Billing, data_of(await self._http.get("/billing")))


class Models(SyncAPIResource):
    def list(self) -> builtins.list[ModelInfo]:
        """The models this server can route to, with context windows and prices."""
        return cast(builtins.list[ModelInfo], items_of(self._http.get("/models"), "models"))


class AsyncModels(AsyncAPIResource):
    async def list(self) -> builtins.list[ModelInfo]:
        """The models this server can route to, with context windows and prices."""
        response = await self._http.get("/models")
        return cast(builtins.list[ModelInfo], items_of(response, "models"))
