"""Budgets per branch and per conversation: held before every metered model call charged
to them, settled after it, announced when their warning fraction is crossed.

A call charged to a conversation (a send, a stream, a parallel candidate, a Chat API
turn, a checkpoint summary) is charged to its branch too when it has one. Before the
call, ``reserve_within`` holds its prompt (with the metering margin) and output allowance
in every budget that has a limit, in the transaction that stores its question, with one
conditional statement per budget (``store/budgets.py``): concurrent calls never pass a
limit together. The allowance is clamped to what the tightest budget leaves; a call that
could not write ``MIN_OUTPUT_TOKENS`` is refused with 402 ``BUDGET_EXCEEDED``, and its
transaction, question included, rolls back. After the call, on every outcome,
``settle_within`` gives the hold back and counts what the call spent (tokens and cost) on
the branch and the conversation, budget or not, so their ``spent`` is always shown; the
first settlement that brings a budget to its ``warnAt`` fraction marks it warned and
announces ``budget.warning`` (reply metadata, stream status event, webhook). Setting a
budget again starts a new crossing.

The hold is part of the call's ``Reservation`` (``services/metering.py``), so every path
that settles a reservation (a reply stored, a lease released, recovery after a crash,
a metered call that stores no reply) settles its budgets with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from ..domain.budgets import (
    BRANCH,
    CONVERSATION,
    DEFAULT_WARN_AT,
    BudgetState,
    output_that_fits,
)
from ..domain.errors import BudgetExceeded
from ..domain.webhooks import BUDGET_WARNING
from ..store import budgets as budget_store
from .webhooks import Outbox

_RESERVE_ATTEMPTS = 8  # a lost race re-reads what is left and tries again
CostOf = Callable[[int, int], float | None]


@dataclass
class BudgetHold:
    """What one call holds of the budgets it is charged to, and where its spend counts."""

    user_id: str
    conversation_id: str
    branch_id: str | None
    tokens: int = 0  # held in each budget of ``held``
    cost: float = 0.0
    held: list[str] = field(default_factory=list)  # the scopes (branch, conversation) held
    limited: bool = True  # False: its rows, as the call read them, set no limit to hold
    settled: bool = False
    warnings: list[dict[str, Any]] = field(default_factory=list)  # from the settlement

    def targets(self) -> list[tuple[str, str]]:
        """(scope, id) of every row the call is charged to, the branch first."""
        rows = [(CONVERSATION, self.conversation_id)]
        if self.branch_id is not None:
            rows.insert(0, (BRANCH, self.branch_id))
        return rows

    def estimated_cost(self, tokens: int) -> float:
        """A spend's cost when the caller does not know it (recovery): at the rate held."""
        return self.cost * tokens / self.tokens if self.tokens else 0.0

    def record(self) -> dict[str, Any]:
        return {
            "conversationId": self.conversation_id,
            "branchId": self.branch_id,
            "tokens": self.tokens,
            "cost": self.cost,
            "held": self.held,
        }

    @classmethod
    def from_record(cls, user_id: str, record: dict[str, Any]) -> BudgetHold:
        return cls(
            user_id,
            record["conversationId"],
            record.get("branchId"),
            tokens=int(record["tokens"]),
            cost=float(record["cost"]),
            held=list(record["held"]),
        )


def exceeded(state: BudgetState) -> BudgetExceeded:
    left = []
    if state.max_tokens is not None:
        left.append(f"{max(state.max_tokens - state.spent_tokens, 0)} of {state.max_tokens} tokens")
    if state.max_cost is not None:
        left.append(f"${max(state.max_cost - state.spent_cost, 0):.4f} of ${state.max_cost}")
    return BudgetExceeded(
        f"The {state.scope} budget of {state.id} has {' and '.join(left)} left, too few for "
        "another reply; raise or remove its budget to continue",
        details={
            "budget": state.scope,
            "id": state.id,
            "limit": state.limit(),
            "spent": state.spent(),
        },
    )


def reserve_within(
    connection: Connection,
    hold: BudgetHold,
    prompt: int,
    wanted_output: int,
    cost_of: CostOf,
    min_output: int,
) -> int:
    """Hold ``prompt`` plus up to ``wanted_output`` tokens (and their cost) in every
    limited budget of ``hold``'s rows, in the caller's transaction; the output allowance
    that fits them all, or BUDGET_EXCEEDED."""

    def cost(p: int, o: int) -> float:
        return cost_of(p, o) or 0.0

    if not hold.limited:
        return wanted_output
    refused: BudgetState | None = None
    for _ in range(_RESERVE_ATTEMPTS):
        states = [budget_store.state(connection, scope, row)[0] for scope, row in hold.targets()]
        limited = [s for s in states if s and (s.max_tokens is not None or s.max_cost is not None)]
        if not limited:
            return wanted_output
        output = wanted_output
        for state in limited:
            fits = output_that_fits(state, prompt, output, cost)
            if fits < min_output:
                raise exceeded(state)
            output = fits
        tokens, amount = prompt + output, cost(prompt, output)
        taken: list[BudgetState] = []
        for state in limited:
            if not budget_store.reserve(connection, state.scope, state.id, tokens, amount):
                refused = state
                break
            taken.append(state)
        else:
            hold.tokens, hold.cost, hold.held = tokens, amount, [s.scope for s in taken]
            return output
        for state in taken:  # a concurrent call took what was left: give back, try again
            budget_store.settle(
                connection,
                state.scope,
                state.id,
                held_tokens=tokens,
                held_cost=amount,
                tokens=0,
                cost=0.0,
            )
    assert refused is not None
    raise exceeded(budget_store.state(connection, refused.scope, refused.id)[0] or refused)


def settle_within(
    connection: Connection, hold: BudgetHold, tokens: int, cost: float | None
) -> list[dict[str, Any]]:
    """Give back what ``hold`` held, count ``tokens`` and ``cost`` (None: at the rate held)
    on each of its rows, and announce each budget this brings to its warning fraction for
    the first time; the warnings (also kept on ``hold``)."""
    spent_cost = hold.estimated_cost(tokens) if cost is None else cost
    warnings = []
    for scope, row in hold.targets():
        held = scope in hold.held
        state, warned = budget_store.settle(
            connection,
            scope,
            row,
            held_tokens=hold.tokens if held else 0,
            held_cost=hold.cost if held else 0.0,
            tokens=tokens,
            cost=spent_cost,
        )
        crossed = state is not None and not warned and state.warned_at()
        if crossed and state is not None and budget_store.mark_warned(connection, scope, row):
            warning = state.warning()
            warnings.append(warning)
            Outbox(connection, hold.user_id).emit(BUDGET_WARNING, warning)
    hold.warnings = warnings
    return warnings


def has_limit(row: Any) -> bool:
    """Whether a conversation or branch row, as read, has a budget with a limit."""
    return row.budget_max_tokens is not None or row.budget_max_cost is not None


def budget_columns(row: Any, budget: dict[str, Any] | None) -> dict[str, Any]:
    """The budget columns of a conversation or branch (``row``, as stored or new) once a
    request's ``budget`` is applied (None: removed). A field left out keeps its value; a
    limit given as null is removed. The warning is owed again, unless what is spent is
    already past the new fraction."""
    if budget is None:
        return dict.fromkeys(_LIMIT_COLUMNS) | {"budget_warned": False}
    limits = {
        "maxTokens": row.budget_max_tokens,
        "maxCost": row.budget_max_cost,
        "warnAt": row.budget_warn_at,
    }
    limits.update(budget)
    state = BudgetState(
        BRANCH,
        row.id,
        limits["maxTokens"],
        limits["maxCost"],
        limits["warnAt"] or DEFAULT_WARN_AT,
        row.budget_spent_tokens or 0,
        row.budget_spent_cost or 0.0,
    )
    return {
        "budget_max_tokens": state.max_tokens,
        "budget_max_cost": state.max_cost,
        "budget_warn_at": state.warn_at,
        "budget_warned": state.warned_at(),
    }


@dataclass(frozen=True)
class _Unbudgeted:
    """A row not stored yet, with no budget and nothing spent."""

    id: str
    budget_max_tokens: None = None
    budget_max_cost: None = None
    budget_warn_at: None = None
    budget_spent_tokens: int = 0
    budget_spent_cost: float = 0.0


def new_budget_columns(row_id: str, budget: dict[str, Any] | None) -> dict[str, Any]:
    """The budget columns of a row stored with ``budget`` (an imported one; None: no
    budget): the limits as an update would set them on a row with none, nothing spent.
    The same columns either way, so that rows with and without one insert together."""
    return budget_columns(_Unbudgeted(row_id), budget)


_LIMIT_COLUMNS = ("budget_max_tokens", "budget_max_cost", "budget_warn_at")
