"""Token reservations: what a model call may spend is taken before it and settled after.

Before every upstream call (a send, a stream, each parallel candidate, a Chat API turn,
an AutoBranch review, a checkpoint summary), ``Meter.reserve`` takes the prompt's
estimate plus the output allowance from every token limit that applies to the account:
the month's tokens, a guest session's tokens. Each take is one atomic conditional step
of the shared counters (``count + amount <= limit``, in the database or in Redis), so
concurrent calls, on any number of replicas, never pass a limit together. When less is
left than a call asks for, its output allowance is clamped to what remains, and the
upstream's max output tokens with it; when not even ``MIN_OUTPUT_TOKENS`` would remain,
the call is refused with 429 ``QUOTA_EXCEEDED`` (details: quota, limit, remaining).
A call charged to a conversation holds its branch's and its conversation's budgets too
(``services/budgets.py``, the reservation's ``budget``): clamped the same way to what
they leave, refused with 402 ``BUDGET_EXCEEDED``, settled with the reservation.

After the call, on every outcome, the reservation is settled to what the call spent
(``settle``, or ``settle_within`` in the transaction that stores the reply): the
provider's reported usage; for a reply cut short (a stop, a shutdown, a failure
mid-stream) the prompt estimate and the text it wrote; nothing when the call failed
before the upstream answered. A call that stores no reply (AutoBranch, summaries, a
reply whose conversation was deleted while it was written) is charged to the usage
ledger with its kind (``charge_unstored``), so the account's usage shows it.

A send whose counters can join a transaction (in the database) reserves in the one that
stores its question (``reserve_within``; with an API key, the one that admits it too), so
a send the limits refuse stores nothing; with counters in Redis it reserves once that
transaction has committed. Reserving and settling are each written once: the reservation
as a ``CounterRule`` that the counters run (``apply``), in their own transaction or in
the caller's; a settlement as the changes ``Reservation.settlement`` lists.

A generation's first heartbeat keeps its reservation with its lease (a parallel
candidate's is kept with its row from the start): if its process dies, the recovery
that stores the reply as interrupted settles it. Until then, and for a reply that died
before that heartbeat, the counters run ahead of the truth, never behind it: the account
is charged at most what was reserved.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from ..domain.context_assembly import prompt_estimate
from ..domain.errors import QuotaExceeded
from ..domain.plans import month_period, seconds_until
from ..domain.tokens import estimate_tokens
from ..domain.webhooks import QUOTA_WARNING, crossed_thresholds
from ..providers.base import Completion, CompletionRequest, Provider
from ..providers.retries import call_with_retries
from ..store.counters import CounterRule, Read, Take
from ..store.execution import insert_instance
from ..store.usage_ledger import metered_call_entry
from .budgets import BudgetHold, CostOf
from .budgets import reserve_within as reserve_budgets_within
from .budgets import settle_within as settle_budgets_within
from .limits import (
    MIN_OUTPUT_TOKENS,
    MONTH_COUNTER_GRACE,
    SESSION_COUNTER_GRACE,
    Account,
    LimitService,
    tokens_window,
    user_subject,
)
from .server_context import ServerContext, utcnow
from .webhooks import Outbox

logger = logging.getLogger("chatroutes.server")

# Providers count a prompt with their own tokenizer: the estimate is reserved with a
# margin, so a reply that fills its allowance still keeps within the limit.
PROMPT_MARGIN = 1.1
_RESERVE_ATTEMPTS = 8  # a lost race re-reads what is left and tries the smaller amount


def reserved_prompt(prompt_tokens: int) -> int:
    """What is reserved for a prompt estimated at ``prompt_tokens``."""
    return int(prompt_tokens * PROMPT_MARGIN) + 1


@dataclass
class Reservation:
    """Tokens taken ahead of one model call, and where its spend is counted."""

    user_id: str
    windows: dict[str, datetime]  # every token counter the call counts in, with its expiry
    taken: dict[str, int] = field(default_factory=dict)  # what was reserved in each
    max_output: int = 0  # the call's output allowance, clamped to what the limits left
    prompt_tokens: int = 0  # the prompt's estimate (before the margin)
    settled: bool = False
    limits: dict[str, int] = field(default_factory=dict)  # window -> limit, where limited
    budget: BudgetHold | None = None  # the branch's and conversation's budgets (budgets.py)
    counters_pending: bool = False  # only the budgets held: the counters reserve after

    @property
    def subject(self) -> str:
        return user_subject(self.user_id)

    def record(self) -> dict[str, Any]:
        """What recovery needs to settle it once its process is gone (kept with a lease)."""
        return {
            "userId": self.user_id,
            "windows": {window: expires.isoformat() for window, expires in self.windows.items()},
            "taken": self.taken,
            "promptTokens": self.prompt_tokens,
            "budget": self.budget.record() if self.budget else None,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Reservation:
        windows = {w: datetime.fromisoformat(e) for w, e in record["windows"].items()}
        budget = record.get("budget")
        return cls(
            record["userId"],
            windows,
            taken=dict(record["taken"]),
            prompt_tokens=int(record["promptTokens"]),
            budget=BudgetHold.from_record(record["userId"], budget) if budget else None,
        )

    def settlement(self, spent: int) -> list[Take]:
        """What settling at ``spent`` tokens adds to each counter (negative: gives back)."""
        changes = []
        for window, expires_at in self.windows.items():
            delta = spent - self.taken.get(window, 0)
            if delta:
                changes.append(Take(window, delta, None, expires_at))
        return changes


@dataclass
class _Asked:
    """One call's request for tokens: the account's limits that hold it back, the prompt
    as reserved, and the reservation being built."""

    account: Account
    now: datetime
    reservation: Reservation
    limited: dict[str, int]  # window -> limit, for the windows that have one
    prompt: int  # the prompt's estimate with the margin

    @classmethod
    def of(cls, account: Account, prompt_tokens: int, wanted_output: int) -> _Asked:
        now = utcnow()
        limits = _token_limits(account, now)
        output = wanted_output
        if account.plan.max_output_tokens is not None:
            output = min(output, account.plan.max_output_tokens)
        reservation = Reservation(
            account.user.id,
            {window: expires for window, (_, expires) in limits.items()},
            max_output=output,
            prompt_tokens=prompt_tokens,
        )
        limited = {window: limit for window, (limit, _) in limits.items() if limit is not None}
        return cls(account, now, reservation, limited, reserved_prompt(prompt_tokens))

    @property
    def subject(self) -> str:
        return self.reservation.subject

    def takes(self, output: int) -> list[Take]:
        """The conditional takes of the prompt plus ``output`` from every limited window."""
        amount = self.prompt + output
        windows = self.reservation.windows
        return [Take(w, amount, limit, windows[w]) for w, limit in self.limited.items()]

    def taken(self, output: int) -> Reservation:
        self.reservation.taken = dict.fromkeys(self.limited, self.prompt + output)
        self.reservation.max_output = output
        self.reservation.limits = dict(self.limited)
        return self.reservation

    def tightest(self, used: dict[str, int]) -> tuple[str, int]:
        """The limit with the fewest tokens left, and how many."""
        window = min(self.limited, key=lambda w: self.limited[w] - used[w])
        return window, max(self.limited[window] - used[window], 0)

    def exhausted(self, used: dict[str, int]) -> QuotaExceeded:
        window, remaining = self.tightest(used)
        return _exhausted(self.account, window, self.limited[window], remaining, self.now)


def _reservation_steps(asked: _Asked) -> CounterRule[Reservation]:
    """How a reservation is taken, written once for the counters of both kinds: yields
    the reads and takes to make, is sent their results, returns the reservation or raises
    QUOTA_EXCEEDED. The full allowance is tried first (one step when the limits have room);
    a take refused is undone, what is left read, and the allowance clamped to it."""
    output = asked.reservation.max_output
    if not asked.limited:  # nothing to hold back: the spend is only counted, after the call
        return asked.reservation
    for _ in range(_RESERVE_ATTEMPTS):
        if output < MIN_OUTPUT_TOKENS:
            break
        takes = asked.takes(output)
        results = yield takes
        if None not in results:
            return asked.taken(output)
        yield _given_back(takes, results)
        used = yield Read(list(asked.limited))
        output = min(output, asked.tightest(used)[1] - asked.prompt)
    raise asked.exhausted((yield Read(list(asked.limited))))


def _given_back(takes: list[Take], results: list[int | None]) -> list[Take]:
    """What undoes the takes that went through before one was refused."""
    return [
        Take(take.window, -take.amount, None, take.expires_at)
        for take, result in zip(takes, results, strict=False)
        if result is not None
    ]


class Meter:
    def __init__(self, ctx: ServerContext, limits: LimitService | None = None) -> None:
        self.ctx = ctx
        self.limits = limits or LimitService(ctx)
        self.counters = self.limits.counters

    async def reserve(
        self,
        account: Account,
        prompt_tokens: int,
        wanted_output: int,
        *,
        budget: BudgetHold | None = None,
        cost_of: CostOf | None = None,
    ) -> Reservation:
        """Take ``prompt_tokens`` (with the margin) plus up to ``wanted_output`` from every
        token limit of the account, or refuse; the reservation's ``max_output`` is what the
        call may write. With the counters in the database: one light transaction.

        ``budget``: the call is charged to a conversation (and branch), whose budgets are
        held too (priced by ``cost_of``), in a transaction of their own; refused there,
        the counters are given back."""
        asked = _Asked.of(account, prompt_tokens, wanted_output)
        reservation = await self.counters.apply(asked.subject, _reservation_steps(asked))
        if budget is None:
            return reservation
        try:
            await self.ctx.db.run(
                lambda connection: self._hold_budgets(
                    connection, reservation, budget, cost_of, asked.prompt
                ),
                write=True,
                durable=False,
            )
        except BaseException:
            await self.settle(reservation, 0)
            raise
        return reservation

    def reserve_within(
        self,
        connection: Connection,
        account: Account,
        prompt_tokens: int,
        wanted_output: int,
        *,
        budget: BudgetHold | None = None,
        cost_of: CostOf | None = None,
    ) -> Reservation | None:
        """``reserve`` in the caller's write transaction (a send's question): reserved if,
        and only if, it commits. None: the counters cannot join it (Redis), and ``reserve``
        runs once it has committed; with a ``budget``, its budgets are held here all the
        same (a reservation ``counters_pending``)."""
        joined = self.counters.joining(connection)
        asked = _Asked.of(account, prompt_tokens, wanted_output)
        if joined is not None:
            reservation = joined.apply(asked.subject, _reservation_steps(asked))
        elif budget is None:
            return None
        else:
            reservation = replace(asked.reservation, windows={}, counters_pending=True)
        if budget is not None:
            self._hold_budgets(connection, reservation, budget, cost_of, asked.prompt)
        return reservation

    def _hold_budgets(
        self,
        connection: Connection,
        reservation: Reservation,
        budget: BudgetHold,
        cost_of: CostOf | None,
        prompt: int,
    ) -> None:
        """The budgets' hold of a reservation's call, its output clamped to fit them."""
        reservation.max_output = reserve_budgets_within(
            connection,
            budget,
            prompt,
            reservation.max_output,
            cost_of or (lambda _p, _o: None),
            MIN_OUTPUT_TOKENS,
        )
        reservation.budget = budget

    async def remaining(self, account: Account) -> int | None:
        """The fewest tokens any of the account's token limits has left; None: no limit."""
        asked = _Asked.of(account, 0, 0)
        if not asked.limited:
            return None
        return asked.tightest(await self.counters.get(asked.subject, list(asked.limited)))[1]

    def settle_within(
        self,
        connection: Connection,
        reservation: Reservation,
        spent: int,
        cost: float | None = None,
    ) -> bool:
        """Settle in the caller's write transaction (the one storing the reply): counted if,
        and only if, it commits. False: the counters are elsewhere (Redis) and ``settle``
        must run once the transaction has committed. The budgets (``cost``: the call's,
        None: at the rate held) are settled here either way."""
        hold = reservation.budget
        if hold is not None and not hold.settled:
            settle_budgets_within(connection, hold, spent, cost)
        joined = self.counters.joining(connection)
        if joined is None:
            return False
        for change in reservation.settlement(spent):
            joined.add(reservation.subject, change.window, change.amount, change.expires_at)
        return True

    async def committed(self, reservation: Reservation, spent: int, counted: bool) -> None:
        """After the transaction in which ``settle_within`` answered ``counted``: settled
        there, or now (its budgets were settled there)."""
        if reservation.budget is not None:
            reservation.budget.settled = True
        if counted:
            reservation.settled = True
        else:
            await self.settle(reservation, spent)

    async def settle(self, reservation: Reservation, spent: int, cost: float | None = None) -> None:
        """Bring the counters from what was reserved to ``spent``, and the budgets (in a
        transaction of their own) to ``spent`` and ``cost``; once per reservation.

        The call is over by now: a counter failure is logged, never raised to a client
        that would then call again.
        """
        if reservation.settled:
            return
        reservation.settled = True
        hold = reservation.budget
        if hold is not None and not hold.settled:
            hold.settled = True
            try:
                await self.ctx.db.run(
                    lambda connection: settle_budgets_within(connection, hold, spent, cost),
                    write=True,
                )
            except Exception:
                logger.exception("could not settle the budgets of user %s", reservation.user_id)
        changes = reservation.settlement(spent)
        if not changes:
            return
        try:
            await self.counters.take_each(reservation.subject, changes)
        except Exception:
            logger.exception("could not settle %d tokens for user %s", spent, reservation.user_id)

    def quota_warnings_within(
        self, connection: Connection, outbox: Outbox, reservation: Reservation
    ) -> None:
        """After ``settle_within``: announce (``usage.quota_warning``) the month's tokens
        reaching a warning threshold of the plan's quota. The counter is read only when
        the owner has an endpoint listening."""
        monthly = _monthly_tokens_limit(reservation)
        joined = self.counters.joining(connection)
        if monthly is None or joined is None or not outbox.listening(QUOTA_WARNING):
            return
        window, limit = monthly
        used = joined.get(reservation.subject, [window])[window]
        outbox.quota_reached("tokens", window.removeprefix("tokens:"), used, limit)

    async def quota_warnings(self, reservation: Reservation) -> None:
        """``quota_warnings_within`` for counters that cannot join a transaction (Redis):
        once settled, in a transaction of its own when a threshold is reached."""
        monthly = _monthly_tokens_limit(reservation)
        if monthly is None:
            return
        window, limit = monthly
        used = (await self.counters.get(reservation.subject, [window]))[window]
        if not crossed_thresholds(used, limit):
            return
        period = window.removeprefix("tokens:")

        def warn(connection: Connection) -> None:
            Outbox(connection, reservation.user_id).quota_reached("tokens", period, used, limit)

        try:
            await self.ctx.db.run(warn, write=True)
        except Exception:
            logger.exception("could not record a quota warning for user %s", reservation.user_id)

    async def charge_unstored(
        self,
        reservation: Reservation,
        kind: str,
        model: str | None,
        prompt_tokens: int,
        completion_tokens: int,
        cost: float | None,
        *,
        durable: bool = True,
    ) -> None:
        """A call that stored no reply: its usage goes to the ledger under ``kind``, and
        the reservation is settled to it, in one transaction when the counters allow.
        ``durable=False``: the commit does not wait for the disk (the next durable one
        takes it along), for calls whose only record this is."""
        spent = prompt_tokens + completion_tokens
        entry = metered_call_entry(
            reservation.user_id,
            kind,
            model,
            prompt_tokens,
            completion_tokens,
            cost or 0.0,
            utcnow(),
        )
        counted = False

        def write(connection: Connection) -> None:
            nonlocal counted
            insert_instance(connection, entry)
            counted = self.settle_within(connection, reservation, spent, cost)

        try:
            await self.ctx.db.run(write, write=True, durable=durable)
        except Exception:
            counted = False  # rolled back: the counters are settled on their own
            logger.exception("could not record a %s call of user %s", kind, reservation.user_id)
        await self.committed(reservation, spent, counted)


async def metered_complete(
    ctx: ServerContext,
    user_id: str,
    kind: str,
    model: str,
    provider: Provider,
    request: CompletionRequest,
    cost: Callable[[int, int], float | None] | None = None,
    budget: BudgetHold | None = None,
) -> Completion:
    """One model call that stores no reply (``kind``: ``autobranch``, ``checkpoint``):
    reserved against the user's token limits (refused with QUOTA_EXCEEDED, clamped to
    what they leave) and, charged to a conversation (``budget``), its budgets; retried as
    sends are, and charged to the usage ledger."""
    meter = Meter(ctx)
    account = await meter.limits.account(user_id)
    estimate = prompt_estimate(request.messages)
    reservation = await meter.reserve(
        account, estimate, request.max_tokens, budget=budget, cost_of=cost
    )
    request = replace(request, max_tokens=reservation.max_output)
    try:
        completion = await call_with_retries(
            lambda _attempt: provider.complete(request), ctx.retry_policy
        )
    except BaseException:
        await meter.settle(reservation, 0)  # the upstream answered nothing: nothing spent
        raise
    prompt_tokens = completion.prompt_tokens or estimate
    completion_tokens = completion.completion_tokens or estimate_tokens(completion.content)
    await meter.charge_unstored(
        reservation,
        kind,
        model,
        prompt_tokens,
        completion_tokens,
        cost(prompt_tokens, completion_tokens) if cost else None,
    )
    return completion


def _exhausted(
    account: Account, window: str, limit: int, remaining: int, now: datetime
) -> QuotaExceeded:
    if window == "guest:tokens":
        end = account.session_end(now)
        return QuotaExceeded(
            f"Guest sessions are limited to {limit} tokens and {remaining} are left, too "
            "few for another reply; create an account to continue",
            details={"quota": "guest_tokens", "limit": limit, "remaining": remaining},
            retry_after=seconds_until(end, now) if end > now else None,
        )
    _, end = month_period(now)
    return QuotaExceeded(
        f"Monthly quota of {limit} tokens on the {account.plan.name} plan has {remaining} "
        f"left, too few for another reply; it renews {end:%Y-%m-%d}, or upgrade your plan",
        details={"quota": "tokens", "limit": limit, "remaining": remaining},
        retry_after=seconds_until(end, now),
    )


def _token_limits(account: Account, now: datetime) -> dict[str, tuple[int | None, datetime]]:
    """Every token counter a call of the account counts in: its limit (None: none) and
    expiry."""
    _, month_end = month_period(now)
    plan = account.plan
    limits = {tokens_window(now): (plan.tokens_per_month, month_end + MONTH_COUNTER_GRACE)}
    if account.is_guest:
        session_end = account.session_end(now)
        limits["guest:tokens"] = (plan.session_tokens, session_end + SESSION_COUNTER_GRACE)
    return limits


def _monthly_tokens_limit(reservation: Reservation) -> tuple[str, int] | None:
    """The month's token window of a reservation and its limit, if it has one."""
    for window, limit in reservation.limits.items():
        if window.startswith("tokens:"):
            return window, limit
    return None


def spent_by(prompt_tokens: int | None, completion_tokens: int | None) -> int:
    """A call's spend from its (possibly unknown) token counts."""
    return (prompt_tokens or 0) + (completion_tokens or 0)
