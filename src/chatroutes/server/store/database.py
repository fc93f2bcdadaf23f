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

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


class Database:
    def __init__(self, url: str, *, sqlite_busy_timeout_ms: int = 30_000) -> None:
        self.url = url
        self.backend = make_url(url).get_backend_name()
        if self.backend == "sqlite":
            _ensure_sqlite_dir(url)
            self._read_engine = _sqlite_engine(url, "BEGIN", sqlite_busy_timeout_ms)
            self._write_engine = _sqlite_engine(url, "BEGIN IMMEDIATE", sqlite_busy_timeout_ms)
            self._write_lock: asyncio.Lock | None = asyncio.Lock()
        else:
            engine = create_async_engine(url, pool_size=20, max_overflow=40, pool_recycle=1800)
            self._read_engine = self._write_engine = engine
            self._write_lock = None
        self._read_sessions = async_sessionmaker(self._read_engine, expire_on_commit=False)
        self._write_sessions = async_sessionmaker(self._write_engine, expire_on_commit=False)

    @property
    def engine(self) -> AsyncEngine:
        return self._write_engine

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A read-only unit of work; closing it rolls back."""
        async with self._read_sessions() as session:
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A write unit of work: commits on success, rolls back on any exception."""
        async with (
            self._write_lock or nullcontext(),
            self._write_sessions() as session,
            session.begin(),
        ):
            yield session

    async def dispose(self) -> None:
        await self._read_engine.dispose()
        if self._write_engine is not self._read_engine:
            await self._write_engine.dispose()


def _ensure_sqlite_dir(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_engine(url: str, begin: str, busy_timeout_ms: int) -> AsyncEngine:
    engine = create_async_engine(url, pool_size=8, max_overflow=8)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event, not pysqlite, decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine
