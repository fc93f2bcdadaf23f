"""Budgets' counters on their conversation's or branch's row: each change is ONE
statement in the caller's transaction, the reservation a conditional ``UPDATE … WHERE
spent + reserved + amount <= limit``, so concurrent calls never pass a limit together
(PostgreSQL re-checks the condition on the row a concurrent commit left; SQLite runs one
writer at a time)."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import BindParameter, Connection, Table, bindparam, or_, select, update

from ..domain.budgets import BRANCH, CONVERSATION, BudgetState
from .execution import execute
from .tables import Branch, Conversation

_TABLES: dict[str, Table] = {
    BRANCH: Branch.__table__,
    CONVERSATION: Conversation.__table__,
}


@cache
def _statements(scope: str) -> dict[str, Any]:
    table = _TABLES[scope]
    c = table.c
    tokens: BindParameter[int] = bindparam("tokens")
    cost: BindParameter[float] = bindparam("cost")
    by_id = c.id == bindparam("row_id")
    columns = (
        c.budget_max_tokens,
        c.budget_max_cost,
        c.budget_warn_at,
        c.budget_spent_tokens,
        c.budget_spent_cost,
        c.budget_reserved_tokens,
        c.budget_reserved_cost,
        c.budget_warned,
    )
    return {
        "state": select(*columns).where(by_id),
        "reserve": update(table)
        .where(
            by_id,
            or_(
                c.budget_max_tokens.is_(None),
                c.budget_spent_tokens + c.budget_reserved_tokens + tokens <= c.budget_max_tokens,
            ),
            or_(
                c.budget_max_cost.is_(None),
                c.budget_spent_cost + c.budget_reserved_cost + cost <= c.budget_max_cost,
            ),
        )
        .values(
            budget_reserved_tokens=c.budget_reserved_tokens + tokens,
            budget_reserved_cost=c.budget_reserved_cost + cost,
        ),
        "settle": update(table)
        .where(by_id)
        .values(
            budget_reserved_tokens=c.budget_reserved_tokens - bindparam("held_tokens"),
            budget_reserved_cost=c.budget_reserved_cost - bindparam("held_cost"),
            budget_spent_tokens=c.budget_spent_tokens + tokens,
            budget_spent_cost=c.budget_spent_cost + cost,
        )
        .returning(*columns),
        "warn": update(table).where(by_id, c.budget_warned.is_(False)).values(budget_warned=True),
    }


def state(connection: Connection, scope: str, row_id: str) -> tuple[BudgetState | None, bool]:
    """The budget of a conversation or branch (None: none set), and whether its warning
    was sent."""
    found = execute(connection, _statements(scope)["state"], {"row_id": row_id}).first()
    return _state_of(scope, row_id, found)


def _state_of(scope: str, row_id: str, found: Any) -> tuple[BudgetState | None, bool]:
    if found is None or found.budget_warn_at is None:
        return None, False
    budget = BudgetState(
        scope,
        row_id,
        found.budget_max_tokens,
        found.budget_max_cost,
        found.budget_warn_at,
        int(found.budget_spent_tokens),
        float(found.budget_spent_cost),
        int(found.budget_reserved_tokens),
        float(found.budget_reserved_cost),
    )
    return budget, bool(found.budget_warned)


def spent(connection: Connection, scope: str, row_id: str) -> tuple[int, float]:
    """The tokens and cost spent on a conversation or branch."""
    found = execute(connection, _statements(scope)["state"], {"row_id": row_id}).first()
    if found is None:
        return 0, 0.0
    return int(found.budget_spent_tokens), float(found.budget_spent_cost)


def reserve(connection: Connection, scope: str, row_id: str, tokens: int, cost: float) -> bool:
    """Hold ``tokens`` and ``cost`` if both fit the budget's limits; whether they did."""
    params = {"row_id": row_id, "tokens": tokens, "cost": cost}
    return execute(connection, _statements(scope)["reserve"], params).rowcount == 1


def settle(
    connection: Connection,
    scope: str,
    row_id: str,
    *,
    held_tokens: int,
    held_cost: float,
    tokens: int,
    cost: float,
) -> tuple[BudgetState | None, bool]:
    """Give back what was held and count what was spent; the budget then (None: none
    set) and whether its warning was sent."""
    params = {
        "row_id": row_id,
        "held_tokens": held_tokens,
        "held_cost": held_cost,
        "tokens": tokens,
        "cost": cost,
    }
    found = execute(connection, _statements(scope)["settle"], params).first()
    return _state_of(scope, row_id, found)


def mark_warned(connection: Connection, scope: str, row_id: str) -> bool:
    """Record the warning as sent; False: another call sent it first."""
    return execute(connection, _statements(scope)["warn"], {"row_id": row_id}).rowcount == 1
