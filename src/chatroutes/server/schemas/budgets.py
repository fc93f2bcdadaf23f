"""Budgets on the wire: the ``budget`` a conversation or branch update (and a fork)
takes, and the ``budget`` and ``spent`` every conversation and branch shows."""

from __future__ import annotations

from typing import Annotated, Protocol

from pydantic import Field
from typing_extensions import TypedDict

from .common import WireModel

# Far past any real spend, and within a 64-bit counter.
MAX_BUDGET_TOKENS = 10**15
MAX_BUDGET_COST = 1e12


class BudgetSet(WireModel):
    """A budget's limits: a field left out keeps its value, a limit given as null is
    removed; ``warnAt`` (a fraction in (0, 1], default 0.8) when the warning comes."""

    max_tokens: Annotated[int, Field(gt=0, le=MAX_BUDGET_TOKENS)] | None = None
    max_cost: Annotated[float, Field(gt=0, le=MAX_BUDGET_COST, allow_inf_nan=False)] | None = None
    warn_at: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] | None = None

    def changes(self) -> dict[str, int | float | None]:
        """The fields given, by their wire names."""
        return self.model_dump(by_alias=True, exclude_unset=True)


class StoredBudget(Protocol):
    """A conversation's or branch's budget columns."""

    @property
    def budget_max_tokens(self) -> int | None: ...
    @property
    def budget_max_cost(self) -> float | None: ...
    @property
    def budget_warn_at(self) -> float | None: ...
    @property
    def budget_spent_tokens(self) -> int: ...
    @property
    def budget_spent_cost(self) -> float: ...


class BudgetOut(TypedDict):
    maxTokens: int | None
    maxCost: float | None
    warnAt: float


class SpentOut(TypedDict):
    """Prompt + completion tokens of every metered call charged, and their cost (USD)."""

    tokens: int
    cost: float


def budget_out(row: StoredBudget) -> BudgetOut | None:
    if row.budget_warn_at is None:
        return None
    return {
        "maxTokens": row.budget_max_tokens,
        "maxCost": row.budget_max_cost,
        "warnAt": row.budget_warn_at,
    }


def spent_out(row: StoredBudget) -> SpentOut:
    return {
        "tokens": int(row.budget_spent_tokens or 0),
        "cost": round(float(row.budget_spent_cost or 0.0), 10),
    }
