"""Plans, rate limits and quotas, enforced with counters every replica shares.

Per user (subject ``user:<id>``):

- ``rate:<YYYY-MM-DDTHH:MM>``  requests in this fixed minute (every authenticated request);
- ``calls:<YYYY-MM>``          API calls this calendar month (UTC);
- ``tokens:<YYYY-MM>``         prompt + completion tokens of the replies stored this month;
- ``guest:messages|branches|tokens``  a guest session's caps; they expire with the session.

A request is let in by ``admit``: it takes a slot of the minute, then (made with an API
key) a call of the month, each with one atomic conditional increment, so two replicas can
never both take the last one. The monthly quota is of API calls: what the web UI does for
a signed-in user (JWT session) counts against the rate and the token quota only. A
request refused for the rate is not a call; one refused for the monthly quota has used
its slot of the minute (it was a request) but not a call.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache, partial
from importlib import resources
from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.errors import QuotaExceeded, RateLimited, Unauthenticated
from ..domain.plans import (
    Plan,
    RateWindow,
    minute_window,
    month_key,
    month_period,
    parse_plans,
    seconds_until,
)
from ..domain.webhooks import threshold_counts
from ..settings import Settings
from ..store.counters import (
    CounterRule,
    Counters,
    DatabaseCounters,
    Read,
    RedisCounters,
    Take,
)
from ..store.database import Database
from ..store.tables import User
from ..store.users import UserRepository
from .accounts import AccountService, Principal, key_holder
from .server_context import ServerContext
from .webhooks import Outbox

logger = logging.getLogger("chatroutes.server")

GUEST_PLAN = "guest"
MIN_OUTPUT_TOKENS = 16  # a call that could write less than this is refused (metering.py)
GUEST_BRANCHES = "guest:branches"  # counter of the branches a guest session created
FALLBACK_PLAN = "free"
# Counters are kept a little past their window, then purged.
MONTH_COUNTER_GRACE = timedelta(days=35)
SESSION_COUNTER_GRACE = timedelta(hours=1)


@lru_cache(maxsize=8)
def _load_plans(path: Path | None) -> dict[str, Plan]:
    if path is None:
        text = resources.files("chatroutes.server.domain").joinpath("plans.toml").read_text()
    else:
        text = path.read_text()
    return parse_plans(tomllib.loads(text))


def plan_table(settings: Settings) -> dict[str, Plan]:
    """The plans by name: the operator's ``plans_file`` or the built-in table."""
    return _load_plans(settings.plans_file)


def make_counters(settings: Settings, db: Database) -> Counters:
    if settings.redis_url:
        return RedisCounters(settings.redis_url)
    return DatabaseCounters(db)


def user_subject(user_id: str) -> str:
    return f"user:{user_id}"


def tokens_window(now: datetime) -> str:
    return f"tokens:{month_key(now)}"


def calls_window(now: datetime) -> str:
    return f"calls:{month_key(now)}"


@dataclass(frozen=True)
class Account:
    """A user and the limits that apply to them now."""

    user: User
    plan: Plan

    @property
    def is_guest(self) -> bool:
        return self.user.is_guest or self.plan.name == GUEST_PLAN

    def session_end(self, now: datetime) -> datetime:
        if self.user.guest_expires_at is not None:
            return self.user.guest_expires_at
        hours = self.plan.session_hours or 24
        return self.user.created_at + timedelta(hours=hours) if self.user.created_at else now


@dataclass
class Admission:
    """What admitting a request read and took of the counters (``admit_key_within``);
    ``LimitService.judge`` then lets it in or refuses it."""

    principal: Principal
    plan: Plan
    now: datetime
    # per count taken; None: refused (and the ones after untried). None for them all: not
    # counted yet (the counters could not join the transaction that read the principal)
    results: list[int | None] | None = None

    @property
    def counted(self) -> bool:
        return self.results is not None

    @property
    def refused(self) -> bool:
        return self.results is not None and None in self.results

    @property
    def account(self) -> Account:
        assert self.principal.user is not None  # read with the key
        return Account(self.principal.user, self.plan)

    def calls_reached(self, results: list[int | None]) -> tuple[str, int, int] | None:
        """The month (YYYY-MM), calls and limit when this request's call is the one that
        reached a warning threshold of the monthly calls quota (``usage.quota_warning``);
        calls count one by one, so exactly one request reaches each."""
        limit = self.plan.calls_per_month
        if self.principal.api_key_id is None or limit is None or not results:
            return None
        calls = results[-1]
        if calls is None or calls not in threshold_counts(limit):
            return None
        return month_key(self.now), calls, limit

    def takes(self) -> list[Take]:
        """What the request takes: a slot of the minute, and (with an API key) a call."""
        plan, now = self.plan, self.now
        takes = []
        if plan.requests_per_minute is not None:
            window, window_end = minute_window(now)
            takes.append(Take(window, 1, plan.requests_per_minute, window_end))
        if self.principal.api_key_id is not None:  # the web UI's own requests are not calls
            _, month_end = month_period(now)
            takes.append(
                Take(calls_window(now), 1, plan.calls_per_month, month_end + MONTH_COUNTER_GRACE)
            )
        return takes


@dataclass
class BranchAllowance:
    """The branches one operation may create for its user.

    Every branch made for a user is taken from it (``take_within``) in the transaction
    that inserts the branch; only a guest session's ``session_branches`` limit it
    (``cap`` None: no limit, nothing to count). With the counters in the database, the
    take joins that transaction: the count commits, or rolls back, with the branch.
    Counters elsewhere (Redis) cannot join it: ``LimitService.branch_allowance`` reserves
    beforehand what the operation may create, ``take_within`` draws on the reservation,
    and what the committed transaction did not draw is given back after.
    """

    cap: int | None = None
    counters: Counters | None = None
    subject: str = ""
    expires_at: datetime | None = None
    refusal: Callable[[], QuotaExceeded] | None = None
    reserved: int = 0  # counters outside the database: taken before the transaction
    # (transaction, branches drawn in it): a transaction rolled back and run again draws anew
    _drawn: tuple[object, int] = field(default=(None, 0), init=False, repr=False)

    def take_within(self, connection: Connection, count: int = 1) -> None:
        """Count ``count`` new branches in the caller's transaction, or refuse them (429)."""
        if self.cap is None:
            return
        assert self.counters is not None
        assert self.refusal is not None and self.expires_at is not None
        joined = self.counters.joining(connection)
        if joined is not None:
            take = Take(GUEST_BRANCHES, count, self.cap, self.expires_at)
            if joined.take_each(self.subject, [take])[0] is None:
                raise self.refusal()
            return
        transaction = connection.get_transaction()
        drawn = self._drawn[1] if self._drawn[0] is transaction else 0
        if drawn + count > self.reserved:
            raise self.refusal()
        self._drawn = (transaction, drawn + count)

    async def take(self, session: AsyncSession, count: int = 1) -> None:
        """``take_within`` in an async unit of work."""
        if self.cap is not None:
            await session.run_sync(lambda sync: self.take_within(sync.connection(), count))

    @property
    def capped(self) -> bool:
        return self.cap is not None

    @property
    def undrawn(self) -> int:
        """What was reserved and not drawn by the last transaction that drew (if that one
        was rolled back and the committed one drew nothing, its draw stays counted: the
        count errs towards fewer branches, never more)."""
        return self.reserved - self._drawn[1]


UNCAPPED = BranchAllowance()


def tokens_left(account: Account, now: datetime) -> CounterRule[None]:
    """Refuse a send before it stores anything once the month's tokens are (all but) used
    up; the send's reservation (``services/metering.py``) holds the limit exactly."""
    plan = account.plan
    if plan.tokens_per_month is None:
        return
    window = tokens_window(now)
    used = (yield Read([window]))[window]
    if used + MIN_OUTPUT_TOKENS > plan.tokens_per_month:
        _, end = month_period(now)
        raise QuotaExceeded(
            f"Monthly quota of {plan.tokens_per_month} tokens on the {plan.name} plan "
            f"is used up; it renews {end:%Y-%m-%d}, or upgrade your plan",
            details={
                "quota": "tokens",
                "limit": plan.tokens_per_month,
                "used": used,
                "remaining": max(plan.tokens_per_month - used, 0),
            },
            retry_after=seconds_until(end, now),
        )


def _judge(
    admission: Admission, results: list[int | None], on_rate: Callable[[RateWindow], None] | None
) -> None:
    """Refuse the request if a take of ``Admission.takes`` was refused (None in ``results``)."""
    plan, principal, now = admission.plan, admission.principal, admission.now
    results = list(results)
    if plan.requests_per_minute is not None:
        limit, taken = plan.requests_per_minute, results.pop(0)
        _, window_end = minute_window(now)
        reset = seconds_until(window_end, now)
        if on_rate:
            on_rate(RateWindow(limit, 0 if taken is None else limit - taken, reset))
        if taken is None:
            raise RateLimited(
                f"Rate limit of {limit} requests per minute exceeded; retry in {reset} seconds",
                details={"limit": limit, "window": "minute", "plan": plan.name},
                retry_after=reset,
            )
    if principal.api_key_id is not None and results[0] is None:
        _, month_end = month_period(now)
        raise QuotaExceeded(
            f"Monthly quota of {plan.calls_per_month} API calls on the {plan.name} plan "
            f"is used up; it renews {month_end:%Y-%m-%d}, or upgrade your plan",
            details={"limit": plan.calls_per_month, "quota": "calls", "plan": plan.name},
            retry_after=seconds_until(month_end, now),
        )


class LimitService:
    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx
        self.plans = plan_table(ctx.settings)
        self.counters: Counters = ctx.counters or DatabaseCounters(ctx.db)

    async def account(self, user_id: str) -> Account:
        async with self.ctx.db.read() as session:
            user = await UserRepository(session).get(user_id)
        if user is None:  # deleted between authentication and now
            raise Unauthenticated("The account no longer exists")
        return Account(user, self.plan_of(user))

    def plan_of(self, user: User) -> Plan:
        name = GUEST_PLAN if user.is_guest and GUEST_PLAN in self.plans else user.plan
        plan = self.plans.get(name)
        if plan is None:
            logger.warning("user %s has plan %r, not in the plan table; using free", user.id, name)
            plan = self.plans.get(FALLBACK_PLAN) or Plan(name=name, title=name)
        return plan.with_overrides(user.quota_overrides)

    async def admit(
        self, principal: Principal, on_rate: Callable[[RateWindow], None] | None = None
    ) -> None:
        """Count one request against the minute's rate and the month's calls, or refuse it.

        ``on_rate`` hears where the user stands in the rate window as soon as that is known,
        before any refusal, so a 429 carries the RateLimit headers too.
        """
        if principal.user is not None:
            account = Account(principal.user, self.plan_of(principal.user))
        else:
            account = await self.account(principal.user_id)
        await self.judge(Admission(principal, account.plan, self.ctx.clock()), on_rate)

    async def admit_key(
        self,
        raw_key: str,
        on_rate: Callable[[RateWindow], None] | None = None,
        on_principal: Callable[[Principal], None] | None = None,
    ) -> Principal:
        """``AccountService.authenticate`` and ``admit`` for an API key: with the counters in
        the database, both in one (light) transaction, the most common request's only one
        before its own work. ``on_principal`` hears who it is before any refusal."""
        key_hash = AccountService(self.ctx.db, self.ctx.secret).key_hash(raw_key)
        now = self.ctx.clock()
        admission = await self.ctx.db.run(
            lambda connection: self.admit_key_within(connection, key_hash, now),
            write=True,
            durable=False,
        )
        if on_principal:
            on_principal(admission.principal)
        await self.judge(admission, on_rate)
        return admission.principal

    def admit_key_within(self, connection: Connection, key_hash: str, now: datetime) -> Admission:
        """The key's holder, its use recorded, in the caller's write transaction; with what
        its request takes of the counters when they can join that transaction. ``judge``
        then lets the request in or refuses it."""
        principal = key_holder(connection, key_hash, now)
        assert principal.user is not None
        admission = Admission(principal, self.plan_of(principal.user), now)
        joined = self.counters.joining(connection)
        if joined is not None:
            admission.results = joined.take_each(user_subject(principal.user_id), admission.takes())
            reached = admission.calls_reached(admission.results)
            if reached is not None:
                Outbox(connection, principal.user_id).quota_reached("calls", *reached)
        return admission

    async def judge(
        self, admission: Admission, on_rate: Callable[[RateWindow], None] | None = None
    ) -> None:
        """Let the request in, or refuse it if a count it took was refused; counted here
        first if it was not counted yet. Both counts in one go (one transaction in the
        database), stopping at a refusal."""
        results = admission.results
        if results is None:
            subject = user_subject(admission.principal.user_id)
            results = await self.counters.take_each(subject, admission.takes())
            reached = admission.calls_reached(results)
            if reached is not None:
                await self._announce_calls(admission.principal.user_id, reached)
        _judge(admission, results, on_rate)

    async def _announce_calls(self, user_id: str, reached: tuple[str, int, int]) -> None:
        """``usage.quota_warning`` for the month's calls, in a transaction of its own (the
        counters are elsewhere): a failure is logged, never the request's."""
        try:
            await self.ctx.db.run(
                lambda c: Outbox(c, user_id).quota_reached("calls", *reached), write=True
            )
        except Exception:
            logger.exception("could not record a quota warning for user %s", user_id)

    @asynccontextmanager
    async def sending(self, user_id: str, user: User | None = None) -> AsyncIterator[Account]:
        """Before a send: refuse when the token quota is used up, take a guest's message.

        The body stores the question; if it fails, the guest's message is given back.
        It receives the account read for the check, for the send's reservation to reuse.
        ``user``: the caller as authentication just read it, so it is not read again.
        """
        account = Account(user, self.plan_of(user)) if user else await self.account(user_id)
        plan, subject, now = account.plan, user_subject(user_id), self.ctx.clock()
        await self.counters.apply(subject, tokens_left(account, now), write=False)
        if not account.is_guest:
            yield account
            return
        session_end = account.session_end(now)
        if plan.session_tokens is not None:
            used = (await self.counters.get(subject, ["guest:tokens"]))["guest:tokens"]
            if used + MIN_OUTPUT_TOKENS > plan.session_tokens:
                left = max(plan.session_tokens - used, 0)
                raise self._guest_cap("tokens", plan.session_tokens, session_end, now, left)
        took = False
        if plan.session_messages is not None:
            expires = session_end + SESSION_COUNTER_GRACE
            if (
                await self.counters.take(
                    subject, "guest:messages", 1, plan.session_messages, expires
                )
                is None
            ):
                raise self._guest_cap("messages", plan.session_messages, session_end, now)
            took = True
        try:
            yield account
        except BaseException:
            if took:
                await self.counters.add(
                    subject, "guest:messages", -1, session_end + SESSION_COUNTER_GRACE
                )
            raise

    @asynccontextmanager
    async def branch_allowance(
        self, user_id: str, user: User | None = None, *, reserve: int = 1
    ) -> AsyncIterator[BranchAllowance]:
        """What one operation may create of a guest session's ``session_branches`` (beyond
        the main branches); for anyone else, ``UNCAPPED``.

        ``reserve``: how many branches the operation may create, reserved before its
        transaction when the counters cannot join it (Redis); what it does not create is
        given back after, and all of it if the operation fails. A reservation refused
        is no refusal by itself: only a branch taken beyond the cap is.
        ``user``: the caller as authentication read it, so it is not read again.
        """
        account = Account(user, self.plan_of(user)) if user else await self.account(user_id)
        cap = account.plan.session_branches
        if not account.is_guest or cap is None:
            yield UNCAPPED
            return
        subject, now = user_subject(user_id), self.ctx.clock()
        session_end = account.session_end(now)
        expires_at = session_end + SESSION_COUNTER_GRACE
        allowance = BranchAllowance(
            cap=cap,
            counters=self.counters,
            subject=subject,
            expires_at=expires_at,
            refusal=partial(self._guest_cap, "branches", cap, session_end, now),
        )
        if reserve and not self.counters.joins_transactions:
            taken = await self.counters.take(subject, GUEST_BRANCHES, reserve, cap, expires_at)
            allowance.reserved = 0 if taken is None else reserve
        try:
            yield allowance
        except BaseException:
            await self._give_back_branches(allowance, allowance.reserved)
            raise
        await self._give_back_branches(allowance, allowance.undrawn)

    async def _give_back_branches(self, allowance: BranchAllowance, count: int) -> None:
        if count > 0:
            assert allowance.expires_at is not None
            await self.counters.add(allowance.subject, GUEST_BRANCHES, -count, allowance.expires_at)

    async def guest_used(self, user_id: str) -> dict[str, int]:
        """What this guest session has used of its caps: ``messages``, ``branches``, ``tokens``."""
        windows = ["guest:messages", "guest:branches", "guest:tokens"]
        counts = await self.counters.get(user_subject(user_id), windows)
        return {window.split(":", 1)[1]: counts[window] for window in windows}

    async def month_counts(self, user_id: str, now: datetime) -> dict[str, int]:
        """This month's ``calls`` and ``tokens``."""
        windows = [calls_window(now), tokens_window(now)]
        counts = await self.counters.get(user_subject(user_id), windows)
        return {"calls": counts[windows[0]], "tokens": counts[windows[1]]}

    @staticmethod
    def _guest_cap(
        what: str, cap: int, session_end: datetime, now: datetime, remaining: int = 0
    ) -> QuotaExceeded:
        return QuotaExceeded(
            f"Guest sessions are limited to {cap} {what}; create an account to continue",
            details={"quota": f"guest_{what}", "limit": cap, "remaining": remaining},
            retry_after=seconds_until(session_end, now) if session_end > now else None,
        )
