"""Counters every replica shares: in the database, or in Redis when one is configured.

A counter is ``(subject, window)`` (``user:usr_…``, ``rate:2025-10-10T10:00``) with an
expiry. Both implementations answer the same calls, each atomic on its own:

- ``take(subject, window, amount, limit, expires_at)``: add ``amount`` only if the total
  stays within ``limit``; the new total, or None (nothing added) when it would not;
- ``add(subject, window, amount, expires_at)``: add unconditionally (negative: give back);
- ``get(subject, windows)``: the current totals (0 for a missing counter);
- ``take_each(subject, takes)``: several ``take``s (a limit of None: ``add``) in order,
  stopping at the first refused; in the database, in ONE transaction (one commit);
- ``apply(subject, rule)``: a rule over the counters (``CounterRule``: a generator
  yielding the reads and takes it needs), written once for both kinds; in the database,
  in ONE transaction, which the rule's first step decides is needed at all.

Only the database's counters can count inside a caller's own transaction, so that what
they count commits, or rolls back, with what the caller writes: ``joining(connection)``
gives them so bound (``JoinedCounters``: the same calls, synchronous), and is None for
Redis, whose callers count in a step of their own once their transaction has committed.
``joins_transactions`` tells which, before any transaction.

In the database each change is ONE statement, ``INSERT … ON CONFLICT DO UPDATE … RETURNING``
(the conditional form adds ``WHERE count + amount <= limit``; both built once), in its
own short write transaction that is not flushed to disk (a counter lost in a power failure
costs nothing): callers must not hold a write unit of work open (on SQLite the process's
writers queue on one lock), except through ``joining``, which joins the caller's
transaction. In Redis, ``take`` is one Lua script and ``add`` one MULTI pipeline (INCRBY +
EXPIREAT).
"""

from __future__ import annotations

import time
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, Protocol, TypeVar

from sqlalchemy import BigInteger, Connection, bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from .database import Database
from .execution import execute
from .tables import UsageCounter

_PURGE_EVERY_SECONDS = 300.0
T = TypeVar("T")


@dataclass(frozen=True)
class Take:
    window: str
    amount: int
    limit: int | None  # None: unconditional
    expires_at: datetime


@dataclass(frozen=True)
class Read:
    """A step of a ``CounterRule``: read these windows; the rule is sent their counts."""

    windows: list[str]


# A rule over one subject's counters, written once for the counters of every kind: it
# yields a ``Read`` (sent ``get``'s counts) or a list of takes (sent ``take_each``'s
# results) as often as it needs, and returns its answer or raises its refusal.
CounterRule = Generator[Read | list[Take], Any, T]


class Counters(Protocol):
    joins_transactions: bool  # whether ``joining`` gives counters bound to a transaction

    async def take(
        self, subject: str, window: str, amount: int, limit: int, expires_at: datetime
    ) -> int | None: ...

    async def add(self, subject: str, window: str, amount: int, expires_at: datetime) -> int: ...

    async def get(self, subject: str, windows: Sequence[str]) -> dict[str, int]: ...

    async def take_each(self, subject: str, takes: Sequence[Take]) -> list[int | None]: ...

    async def apply(self, subject: str, rule: CounterRule[T], *, write: bool = True) -> T:
        """``rule``'s answer, its steps taken on these counters. ``write=False``: a rule
        that only reads (in the database, a read transaction)."""
        ...

    def joining(self, connection: Connection) -> JoinedCounters | None:
        """These counters inside the caller's write transaction on ``connection``: what
        they count commits, or rolls back, with it. None: they cannot join it (Redis)."""
        ...

    async def close(self) -> None: ...


class DatabaseCounters:
    """Rows of ``usage_counters``; expired rows are purged now and then by any replica."""

    joins_transactions = True

    def __init__(self, db: Database) -> None:
        self.db = db
        self._upserts = _upserts(db.backend)
        self._next_purge = 0.0

    async def take(
        self, subject: str, window: str, amount: int, limit: int, expires_at: datetime
    ) -> int | None:
        if amount > limit:
            return None
        take = Take(window, amount, limit, expires_at)
        return (await self.take_each(subject, [take]))[0]

    async def add(self, subject: str, window: str, amount: int, expires_at: datetime) -> int:
        count = (await self.take_each(subject, [Take(window, amount, None, expires_at)]))[0]
        assert count is not None
        return count

    async def take_each(self, subject: str, takes: Sequence[Take]) -> list[int | None]:
        return await self.db.run(
            lambda connection: self.take_each_within(connection, subject, takes),
            write=True,
            durable=False,
        )

    def take_each_within(
        self, connection: Connection, subject: str, takes: Sequence[Take]
    ) -> list[int | None]:
        """``take_each`` inside the caller's write transaction."""
        results: list[int | None] = []
        for take in takes:
            if take.limit is not None and take.amount > take.limit:
                count = None
            else:
                count = self._upsert(connection, subject, take)
            results.append(count)
            if count is None:
                break
        self._maybe_purge(connection)
        return results

    async def get(self, subject: str, windows: Sequence[str]) -> dict[str, int]:
        return await self.db.run(lambda connection: self.get_within(connection, subject, windows))

    async def apply(self, subject: str, rule: CounterRule[T], *, write: bool = True) -> T:
        """``JoinedCounters.apply`` in a transaction of its own (a light one when it
        writes); none at all when the rule needs no counter."""
        try:
            first = next(rule)
        except StopIteration as done:
            return done.value
        return await self.db.run(
            lambda connection: JoinedCounters(self, connection).resume(subject, rule, first),
            write=write,
            durable=not write,
        )

    def joining(self, connection: Connection) -> JoinedCounters:
        return JoinedCounters(self, connection)

    def get_within(
        self, connection: Connection, subject: str, windows: Sequence[str]
    ) -> dict[str, int]:
        """``get`` inside the caller's transaction: a prebuilt statement a window (mostly
        one), where an ``IN`` list would be rendered anew on every call."""
        counts = {}
        for window in windows:
            found = execute(connection, _GET, {"subject": subject, "window": window})
            counts[window] = int(found.scalar_one_or_none() or 0)
        return counts

    async def close(self) -> None:
        return None

    def add_within(
        self, connection: Connection, subject: str, window: str, amount: int, expires_at: datetime
    ) -> None:
        """``add`` inside the caller's write transaction: counted if, and only if, it commits."""
        self._upsert(connection, subject, Take(window, amount, None, expires_at))

    def _upsert(self, connection: Connection, subject: str, take: Take) -> int | None:
        params = {
            "subject": subject,
            "window": take.window,
            "amount": take.amount,
            "expires_at": take.expires_at,
        }
        if take.limit is None:
            statement = self._upserts[0]
        else:
            statement, params["limit"] = self._upserts[1], take.limit
        count = execute(connection, statement, params).scalar_one_or_none()
        return None if count is None else int(count)

    def _maybe_purge(self, connection: Connection) -> None:
        if time.monotonic() >= self._next_purge:
            self._next_purge = time.monotonic() + _PURGE_EVERY_SECONDS
            now = datetime.now(UTC).replace(tzinfo=None)
            execute(connection, _PURGE, {"now": now})


class JoinedCounters:
    """Database counters inside one caller's write transaction (``Counters.joining``)."""

    __slots__ = ("_connection", "_counters")

    def __init__(self, counters: DatabaseCounters, connection: Connection) -> None:
        self._counters = counters
        self._connection = connection

    def take_each(self, subject: str, takes: Sequence[Take]) -> list[int | None]:
        return self._counters.take_each_within(self._connection, subject, takes)

    def get(self, subject: str, windows: Sequence[str]) -> dict[str, int]:
        return self._counters.get_within(self._connection, subject, windows)

    def add(self, subject: str, window: str, amount: int, expires_at: datetime) -> None:
        self._counters.add_within(self._connection, subject, window, amount, expires_at)

    def apply(self, subject: str, rule: CounterRule[T]) -> T:
        """``rule``'s answer, its steps taken in the caller's transaction."""
        try:
            first = next(rule)
        except StopIteration as done:
            return done.value
        return self.resume(subject, rule, first)

    def resume(self, subject: str, rule: CounterRule[T], step: Read | list[Take]) -> T:
        """``apply`` from ``step``, the rule's first."""
        try:
            while True:
                if isinstance(step, Read):
                    step = rule.send(self.get(subject, step.windows))
                else:
                    step = rule.send(self.take_each(subject, step))
        except StopIteration as done:
            return done.value


_counters = UsageCounter.__table__
_GET = select(_counters.c.count).where(
    _counters.c.subject == bindparam("subject"), _counters.c.window == bindparam("window")
)
_PURGE = delete(_counters).where(_counters.c.expires_at < bindparam("now"))


@cache
def _upserts(backend: str) -> tuple[Any, Any]:
    """``INSERT … ON CONFLICT DO UPDATE … RETURNING count``: unconditional, and within a
    bound ``limit``; built once per backend."""
    dialect_insert = postgresql.insert if backend == "postgresql" else sqlite.insert
    amount = bindparam("amount", type_=BigInteger)
    statement = dialect_insert(_counters).values(
        subject=bindparam("subject"),
        window=bindparam("window"),
        count=amount,
        expires_at=bindparam("expires_at"),
    )

    def upsert(where: Any) -> Any:
        return statement.on_conflict_do_update(
            index_elements=[_counters.c.subject, _counters.c.window],
            set_={"count": _counters.c.count + amount},
            where=where,
        ).returning(_counters.c.count)

    limit = bindparam("limit", type_=BigInteger)
    return upsert(None), upsert(_counters.c.count + amount <= limit)


# KEYS[1]: the counter; ARGV: amount, limit, expiry (unix seconds).
_TAKE_SCRIPT = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local amount = tonumber(ARGV[1])
if current + amount > tonumber(ARGV[2]) then return -1 end
local total = redis.call('INCRBY', KEYS[1], amount)
redis.call('EXPIREAT', KEYS[1], ARGV[3])
return total
"""


class RedisCounters:
    """String keys ``<prefix><subject>|<window>`` that expire with their window."""

    joins_transactions = False

    def __init__(self, url: str, *, prefix: str = "chatroutes:counter:") -> None:
        from redis.asyncio import Redis

        self.redis = Redis.from_url(url)
        self.prefix = prefix
        self._take = self.redis.register_script(_TAKE_SCRIPT)

    def _key(self, subject: str, window: str) -> str:
        return f"{self.prefix}{subject}|{window}"

    async def take(
        self, subject: str, window: str, amount: int, limit: int, expires_at: datetime
    ) -> int | None:
        total = int(
            await self._take(
                keys=[self._key(subject, window)], args=[amount, limit, _unix(expires_at)]
            )
        )
        return None if total < 0 else total

    async def add(self, subject: str, window: str, amount: int, expires_at: datetime) -> int:
        key = self._key(subject, window)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incrby(key, amount)
            pipe.expireat(key, _unix(expires_at))
            total, _ = await pipe.execute()
        return int(total)

    async def take_each(self, subject: str, takes: Sequence[Take]) -> list[int | None]:
        results: list[int | None] = []
        for take in takes:
            if take.limit is None:
                count: int | None = await self.add(
                    subject, take.window, take.amount, take.expires_at
                )
            else:
                count = await self.take(
                    subject, take.window, take.amount, take.limit, take.expires_at
                )
            results.append(count)
            if count is None:
                break
        return results

    async def get(self, subject: str, windows: Sequence[str]) -> dict[str, int]:
        values = await self.redis.mget([self._key(subject, w) for w in windows])
        return {w: int(v) if v is not None else 0 for w, v in zip(windows, values, strict=True)}

    async def apply(self, subject: str, rule: CounterRule[T], *, write: bool = True) -> T:
        """``rule``'s answer, each of its steps atomic on its own."""
        try:
            step = next(rule)
            while True:
                if isinstance(step, Read):
                    step = rule.send(await self.get(subject, step.windows))
                else:
                    step = rule.send(await self.take_each(subject, step))
        except StopIteration as done:
            return done.value

    def joining(self, connection: Connection) -> None:
        """Never: Redis cannot join a database transaction."""
        return None

    async def close(self) -> None:
        await self.redis.aclose()


def _unix(naive_utc: datetime) -> int:
    return int(naive_utc.replace(tzinfo=UTC).timestamp()) + 1
