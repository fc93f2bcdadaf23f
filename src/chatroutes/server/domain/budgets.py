"""Budgets as pure rules: how much of a call fits what a budget has left, and when its
warning fraction is crossed.

A budget caps the tokens (prompt + completion) and the cost (USD, as the usage API counts
it) that the model calls charged to a branch or a conversation may spend. A call takes
its prompt and output allowance from what is left (spent and reserved by calls in
flight); the allowance is clamped so the call fits, and a call that could not write
``min_output`` tokens is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_WARN_AT = 0.8
BRANCH = "branch"
CONVERSATION = "conversation"


@dataclass(frozen=True)
class BudgetState:
    """One budget as stored: its limits (None: no limit), its warning fraction, what was
    spent and what calls in flight hold."""

    scope: str  # BRANCH or CONVERSATION
    id: str
    max_tokens: int | None
    max_cost: float | None
    warn_at: float
    spent_tokens: int
    spent_cost: float
    reserved_tokens: int = 0
    reserved_cost: float = 0.0

    def fraction(self) -> float:
        """How much of its tightest limit is spent (0 with no limit)."""
        parts = [0.0]
        if self.max_tokens:
            parts.append(self.spent_tokens / self.max_tokens)
        if self.max_cost:
            parts.append(self.spent_cost / self.max_cost)
        return max(parts)

    def warned_at(self) -> bool:
        """Whether what is spent has reached the warning fraction."""
        return (self.max_tokens is not None or self.max_cost is not None) and (
            self.fraction() >= self.warn_at
        )

    def limit(self) -> dict[str, int | float | None]:
        return {"maxTokens": self.max_tokens, "maxCost": self.max_cost}

    def spent(self) -> dict[str, int | float]:
        return {"tokens": self.spent_tokens, "cost": round(self.spent_cost, 10)}

    def warning(self) -> dict[str, object]:
        """The ``budgetWarning`` a reply, a stream and a webhook carry."""
        return {
            "budget": self.scope,
            "id": self.id,
            "fraction": round(self.fraction(), 6),
            "limit": self.limit(),
            "spent": self.spent(),
        }


def output_that_fits(
    state: BudgetState,
    prompt: int,
    wanted_output: int,
    cost: Callable[[int, int], float],
) -> int:
    """The largest output allowance, at most ``wanted_output``, with which a call whose
    prompt is ``prompt`` tokens fits what the budget has left (may be negative: nothing
    fits). ``cost(prompt, output)`` grows with ``output``."""
    output = wanted_output
    if state.max_tokens is not None:
        left = state.max_tokens - state.spent_tokens - state.reserved_tokens
        output = min(output, left - prompt)
    if state.max_cost is not None and output > 0:
        left_cost = state.max_cost - state.spent_cost - state.reserved_cost
        if cost(prompt, output) > left_cost:
            low, high = -1, output  # cost(prompt, high) is over; find the last one within
            while high - low > 1:
                middle = (low + high) // 2
                if middle >= 0 and cost(prompt, middle) <= left_cost:
                    low = middle
                else:
                    high = middle
            output = low
    return output
