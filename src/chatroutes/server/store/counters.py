"""Counters every replica shares: in the database, or in Redis when one is configured.

A counter is ``(subject, window)`` (``user:usr_…``, ``rate:2025-10-10T10:00``) with an
expiry. Both implementations answer the same three calls, each atomic on its own:

- ``take(subject, window, amount, limit, expires_at)``: add ``amount`` only if the total
  stays within ``limit``; the new total, or None (nothing added) when it would not;
- ``add(subject, window, amount, expires_at)``: add unconditionally (negative: give back);
- ``get(subject, windows)``: the current totals (0 for a missing counter);
- ``take_each(subject, takes)``: several ``take``s (a limit of None: ``add``) in order,
  stopping at the first refused; in the database, in ONE transaction (one commit).

In the database each change is ONE statement, ``INSERT … ON CONFLICT DO UPDATE … RETURNING``
(the conditional form adds ``WHERE count + amount <= limit``), in its own short write
transaction that is not flushed to disk (a counter lost in a power failure costs nothing):
callers must not hold a write unit of work open (on SQLite the process's writers queue on
one lock), except through ``add_within``, which joins the caller's transaction. In Redis,
``take`` is one Lua script and ``add`` one MULTI pipeline (INCRBY + EXPIREAT).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from .database import Database
from .models import UsageCounter

_PURGE_EVERY_SECONDS = 300.0


@dataclass(frozen=True)
class Take:
    window: str
    amount: int
    limit: int | None  # None: unconditional
    expires_at: datetime


class Counters(Protocol):
    async def take(
        self, subject: str, window: str, amount: int, limit: int, expires_at: datetime
    ) -> int | None: ...

    async def add(self, subject: str, window: str, amount: int, expires_at: datetime) -> int: ...

    async def get(self, subject: str, windows: Sequence[str]) -> dict[str, int]: ...

    async def take_each(self, subject: str, takes: Sequence[Take]) -> list[int | None]: ...

    async def close(self) -> None: ...


class DatabaseCounters:
    """Rows of ``usage_counters``; expired rows are purged now and then by any replica."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._insert = postgresql.insert if db.backend == "postgresql" else sqlite.insert
        self._next_purge = 0.0

    def _upsert(
        self, subject: str, window: str, amount: int, expires_at: datetime, limit: int | None
    ) -> Any:
        statement = self._insert(UsageCounter).values(
            subject=subject, window=window, count=amount, expires_at=expires_at
        )
        return statement.on_conflict_do_update(
            index_elements=[UsageCounter.subject, UsageCounter.window],
            set_={"count": UsageCounter.count + amount},
            where=(UsageCounter.count + amount <= limit) if limit is not None else None,
        ).returning(UsageCounter.count)

    async def take(
        self, subject: str, window: str, amount: int, limit: int, expires_at: datetime
    ) -> int | None:
        if amount > limit:
            return None
        return await self._execute(self._upsert(subject, window, amount, expires_at, limit))

    async def add(self, subject: str, window: str, amount: int, expires_at: datetime) -> int:
        count = await self._execute(self._upsert(subject, window, amount, expires_at, None))
        assert count is not None
        return count

    async def take_each(self, subject: str, takes: Sequence[Take]) -> list[int | None]:
        results: list[int | None] = []
        async with self.db.write(durable=False) as session:
            for take in takes:
                if take.limit is not None and take.amount > take.limit:
                    count = None
                else:
                    statement = self._upsert(
                        subject, take.window, take.amount, take.expires_at, take.limit
                    )
                    count = (await session.execute(statement)).scalar_one_or_none()
                results.append(None if count is None else int(count))
                if count is None:
                    break
            await self._maybe_purge(session)
        return results

    async def get(self, subject: str, windows: Sequence[str]) -> dict[str, int]:
        async with self.db.read() as session:
            rows = await session.execute(
                select(UsageCounter.window, UsageCounter.count).where(
                    UsageCounter.subject == subject, UsageCounter.window.in_(list(windows))
                )
            )
            found = {window: int(count) for window, count in rows}
        return {window: found.get(window, 0) for window in windows}

    async def close(self) -> None:
        return None

    async def add_within(
        self, session: Any, subject: str, window: str, amount: int, expires_at: datetime
    ) -> None:
        """``add`` inside the caller's write transaction: counted if, and only if, it commits."""
        await session.execute(self._upsert(subject, window, amount, expires_at, None))

    async def _execute(self, statement: Any) -> int | None:
        async with self.db.write(durable=False) as session:
            count = (await session.execute(statement)).scalar_one_or_none()
            await self._maybe_purge(session)
        return None if count is None else int(count)

    async def _maybe_purge(self, session: Any) -> None:
        if time.monotonic() >= self._next_purge:
            self._next_purge = time.monotonic() + _PURGE_EVERY_SECONDS
            now = datetime.now(UTC).replace(tzinfo=None)
            await session.execute(delete(UsageCounter).where(UsageCounter.expires_at < now))


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

    async def close(self) -> None:
        await self.redis.aclose()


def _unix(naive_utc: datetime) -> int:
    return int(naive_utc.replace(tzinfo=UTC).timestamp()) + 1
