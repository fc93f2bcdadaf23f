"""Engines and units of work for SQLite (embedded default) and PostgreSQL.

Services open a unit of work with ``read()`` or ``write()``; repositories only
flush. On SQLite every write transaction starts with ``BEGIN IMMEDIATE`` so a
writer takes the lock up front instead of failing on upgrade, and the writers
of one process queue on an asyncio lock instead of polling SQLite's busy
handler; other processes wait on ``busy_timeout``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


class Database:
    def __init__(
        self,
        url: str,
        *,
        sqlite_busy_timeout_ms: int = 30_000,
        sqlite_synchronous: str = "FULL",
    ) -> None:
        self.url = url
        self.backend = make_url(url).get_backend_name()
        if self.backend == "sqlite":
            _ensure_sqlite_dir(url)
            timeout = sqlite_busy_timeout_ms
            self._read_engine = _sqlite_engine(url, "BEGIN", timeout, sqlite_synchronous)
            self._write_engine = _sqlite_engine(url, "BEGIN IMMEDIATE", timeout, sqlite_synchronous)
            self._light_engine = _sqlite_engine(url, "BEGIN IMMEDIATE", timeout, "NORMAL")
            self._write_lock: asyncio.Lock | None = asyncio.Lock()
        else:
            engine = create_async_engine(url, pool_size=20, max_overflow=40, pool_recycle=1800)
            self._read_engine = self._write_engine = self._light_engine = engine
            self._write_lock = None
        self._read_sessions = async_sessionmaker(self._read_engine, expire_on_commit=False)
        self._write_sessions = async_sessionmaker(self._write_engine, expire_on_commit=False)
        self._light_sessions = async_sessionmaker(self._light_engine, expire_on_commit=False)

    @property
    def engine(self) -> AsyncEngine:
        return self._write_engine

    @property
    def engines(self) -> dict[str, AsyncEngine]:
        """Each pool by role: ``main`` on PostgreSQL; ``read``, ``write``, ``light`` on SQLite."""
        if self._read_engine is self._write_engine:
            return {"main": self._write_engine}
        return {"read": self._read_engine, "write": self._write_engine, "light": self._light_engine}

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A read-only unit of work; closing it rolls back."""
        async with self._read_sessions() as session:
            yield session

    @asynccontextmanager
    async def write(self, *, durable: bool = True) -> AsyncIterator[AsyncSession]:
        """A write unit of work: commits on success, rolls back on any exception.

        ``durable=False``: the commit may return before it reaches the disk (see above).
        """
        sessions = self._write_sessions if durable else self._light_sessions
        async with self._write_lock or nullcontext(), sessions() as session, session.begin():
            if not durable and self.backend == "postgresql":
                await session.execute(text("SET LOCAL synchronous_commit = off"))
            yield session

    async def dispose(self) -> None:
        for engine in self.engines.values():
            await engine.dispose()


def _ensure_sqlite_dir(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_engine(url: str, begin: str, busy_timeout_ms: int, synchronous: str) -> AsyncEngine:
    if synchronous not in ("FULL", "NORMAL"):
        raise ValueError(f"SQLite synchronous must be FULL or NORMAL, not {synchronous!r}")
    engine = create_async_engine(url, pool_size=8, max_overflow=8)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event, not pysqlite, decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA synchronous = {synchronous}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine
