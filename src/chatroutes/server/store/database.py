"""Engines and units of work for SQLite (embedded default) and PostgreSQL.

Services open a unit of work with ``read()`` or ``write()``; repositories only
flush. On SQLite every write transaction starts with ``BEGIN IMMEDIATE`` so a
writer takes the lock up front instead of failing on upgrade, and the writers
of one process queue on an asyncio lock instead of polling SQLite's busy
handler; other processes wait on ``busy_timeout``.

The hot paths (a send, authentication, the counters, the conversation pages) use
``run()`` instead: a plain function over a synchronous Core connection, run as one
transaction. On SQLite the whole function runs in a database thread, one hop for the
whole transaction rather than one per statement; on PostgreSQL it runs on the async
driver through SQLAlchemy's ``run_sync``. Such a function is written once: ``run_in`` and
``load_in`` run it in a ``read()`` or ``write()`` unit of work as well.

A light write (``durable=False``: admission counters, a key's use, a send's question)
waits for no disk on SQLite, and its work is short; the hop to a thread and back cost
more than the work. So it runs right on the event loop, on a connection of its own that
never waits: if another process holds the write lock, it goes to the writer thread,
which waits for the lock as any writer does. That connection leaves checkpoints to the
threads' connections (SQLite runs them on the committing connection, and one would
stall the loop for milliseconds), and every ``_INLINE_CHECKPOINT_EVERY`` commits it
asks the writer thread for one, in case only light writes come for a while.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, CursorResult, Engine, Result, create_engine, event, exc, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session, make_transient_to_detached

from .files import private_directory, private_sqlite_files

T = TypeVar("T")
Loaded = TypeVar("Loaded")  # a model instance, None, or a list of model instances
logger = logging.getLogger(__name__)
_SQLITE_READ_THREADS = 4
_INLINE_CHECKPOINT_EVERY = 200  # light writes on the event loop between WAL checkpoints
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6  # primary result codes: another connection has the lock


@dataclass(frozen=True)
class PoolSize:
    """PostgreSQL's connection pool: connections kept, opened beyond them under load, and
    how long a session waits for one (then ``sqlalchemy.exc.TimeoutError``)."""

    size: int = 20
    overflow: int = 40
    timeout_seconds: float = 30.0


class Database:
    def __init__(
        self,
        url: str,
        *,
        sqlite_busy_timeout_ms: int = 30_000,
        sqlite_synchronous: str = "FULL",
        pool: PoolSize | None = None,
    ) -> None:
        self.url = url
        self.backend = make_url(url).get_backend_name()
        if self.backend == "sqlite":
            prepare_sqlite_file(url)
            timeout = sqlite_busy_timeout_ms
            self._read_engine = _sqlite_engine(url, "BEGIN", timeout, sqlite_synchronous)
            self._write_engine = _sqlite_engine(url, "BEGIN IMMEDIATE", timeout, sqlite_synchronous)
            self._light_engine = _sqlite_engine(url, "BEGIN IMMEDIATE", timeout, "NORMAL")
            self._write_lock: asyncio.Lock | None = asyncio.Lock()
            self._writes_queued = 0  # ``run`` writes waiting for the lock
            sync_url = make_url(url).set(drivername="sqlite+pysqlite")
            self._sync: _SqliteThreads | None = _SqliteThreads(
                sync_url, timeout, sqlite_synchronous
            )
        else:
            pool = pool or PoolSize()
            engine = create_async_engine(
                url,
                pool_size=pool.size,
                max_overflow=pool.overflow,
                pool_timeout=pool.timeout_seconds,
                pool_recycle=1800,
            )
            self._read_engine = self._write_engine = self._light_engine = engine
            self._write_lock = None
            self._sync = None
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

    @property
    def sync_engines(self) -> list[Engine]:
        """Every engine a statement runs on: the pools' and, on SQLite, the threads' own."""
        engines = [engine.sync_engine for engine in self.engines.values()]
        return engines + (self._sync.engines if self._sync is not None else [])

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

    async def run(
        self, work: Callable[[Connection], T], *, write: bool = False, durable: bool = True
    ) -> T:
        """``work(connection)`` in one transaction: committed on return, else rolled back.

        ``write``: a write unit of work, queued like ``write()``; ``durable`` as there.
        A cancelled caller never leaves half a transaction: on SQLite the transaction
        under way finishes (committed or not) before the cancellation goes on; on
        PostgreSQL it is rolled back.
        """
        if self._sync is None:  # PostgreSQL: the async driver, statement by statement
            engine = self._write_engine if write else self._read_engine
            async with engine.connect() as connection:
                return await connection.run_sync(_transaction, work, write and not durable)
        if not write:
            return await _finish(self._sync.read(work))
        assert self._write_lock is not None  # SQLite's
        self._writes_queued += 1
        try:
            await self._write_lock.acquire()
        finally:
            self._writes_queued -= 1
        try:
            # Inline only when no other write waits: under load, the thread's work
            # overlaps the loop's, and the hop is not what a writer waits for.
            if not durable and not self._writes_queued:
                try:
                    return self._sync.write_here(work)
                except _Locked:  # by another process: wait for it in the writer thread
                    pass
            return await _finish(self._sync.write(work, durable))
        finally:
            self._write_lock.release()

    async def dispose(self) -> None:
        for engine in self.engines.values():
            await engine.dispose()
        if self._sync is not None:
            self._sync.dispose()


async def run_in(session: AsyncSession, work: Callable[[Connection], T]) -> T:
    """``work(connection)`` in the session's transaction, after the session flushed what
    it holds (as its own queries do)."""

    def synced(sync: Session) -> T:
        sync.flush()
        return work(sync.connection())

    return await session.run_sync(synced)


async def load_in(session: AsyncSession, read: Callable[[Connection], Loaded]) -> Loaded:
    """``run_in`` for a read of model instances (one, None or a list): each becomes the
    session's as if its own query had loaded it, so a change to it is flushed; where the
    session already holds that row's instance, that one is answered, as a query would."""

    def synced(sync: Session) -> Any:
        sync.flush()
        found: Any = read(sync.connection())
        if isinstance(found, list):
            return [_adopted(sync, each) for each in found]
        return None if found is None else _adopted(sync, found)

    return await session.run_sync(synced)  # type: ignore[no-any-return]


def rows_matched(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE without RETURNING, run by ``session.execute``,
    matched.

    ``AsyncSession.execute`` is typed to return a plain ``Result``, since some ORM-enabled
    INSERTs and UPDATEs yield no cursor; a bulk UPDATE or DELETE by criteria does return a
    ``CursorResult``, and SQLAlchemy's changelog (2.0.44) says to ``cast`` to read its
    ``rowcount`` there.
    """
    return cast(CursorResult[Any], result).rowcount


def _adopted(session: Session, found: Any) -> Any:
    """``found`` (a transient instance of a stored row) made the session's, or the instance
    the session holds for the row."""
    key = found.__mapper__.identity_key_from_instance(found)
    held = session.identity_map.get(key)
    if held is not None:
        return held
    make_transient_to_detached(found)  # its values are the stored row's
    session.add(found)
    return found


def _transaction(connection: Connection, work: Callable[[Connection], T], light: bool) -> T:
    with connection.begin():
        if light:
            connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
        return work(connection)


async def _finish(future: Future[T]) -> T:
    """The result of work running in a database thread, waiting it out if cancelled."""
    waiting = asyncio.wrap_future(future)
    try:
        return await asyncio.shield(waiting)
    except asyncio.CancelledError:
        await asyncio.wait([waiting])
        raise


class _Locked(Exception):
    """Another connection holds the write lock (``write_here`` does not wait for it)."""


class _SqliteThreads:
    """Synchronous SQLite engines (same file, same pragmas) and the threads that use them.

    Writes run on one thread (the process's writers are serialized anyway), reads on a few,
    light writes on the caller's (see the module's docstring). Each thread keeps its own
    connection to each engine, so a transaction costs no pool checkout and reset.
    """

    def __init__(self, url: URL, busy_timeout_ms: int, synchronous: str) -> None:
        def engine(begin: str | None, sync: str, busy_ms: int = busy_timeout_ms) -> Engine:
            made = create_engine(
                url, pool_size=_SQLITE_READ_THREADS, connect_args={"check_same_thread": False}
            )
            _configure_sqlite(made, begin, busy_ms, sync)
            return made

        self._read = engine("BEGIN", synchronous)
        self._write = engine("BEGIN IMMEDIATE", synchronous)
        self._light = engine("BEGIN IMMEDIATE", "NORMAL")
        self._inline = engine(None, "NORMAL", busy_ms=0)  # ``write_here`` begins itself
        self._inline_commits = 0
        self._readers = ThreadPoolExecutor(_SQLITE_READ_THREADS, "sqlite-read")
        self._writer = ThreadPoolExecutor(1, "sqlite-write")
        self._held = threading.local()
        self._opened: list[Connection] = []
        self._opened_lock = threading.Lock()

    @property
    def engines(self) -> list[Engine]:
        return [self._read, self._write, self._light, self._inline]

    def read(self, work: Callable[[Connection], T]) -> Future[T]:
        return self._readers.submit(self._in_transaction, self._read, work)

    def write(self, work: Callable[[Connection], T], durable: bool) -> Future[T]:
        engine = self._write if durable else self._light
        return self._writer.submit(self._in_transaction, engine, work)

    def write_here(self, work: Callable[[Connection], T]) -> T:
        """``work`` in a light write transaction on this thread, or ``_Locked`` at once
        (nothing written) if another connection holds the write lock."""
        connection = self._connection(self._inline)
        driver = connection.connection.driver_connection
        assert driver is not None
        try:
            driver.execute("BEGIN IMMEDIATE")
            with connection.begin():  # commits (or rolls back) what BEGIN started
                result = work(connection)
        except (sqlite3.OperationalError, exc.OperationalError) as error:
            if driver.in_transaction:
                driver.rollback()
            if _locked(error):
                raise _Locked from error
            raise
        self._inline_commits += 1
        if self._inline_commits % _INLINE_CHECKPOINT_EVERY == 0:
            self._writer.submit(self._checkpoint)
        return result

    def _checkpoint(self) -> None:
        """Copy the WAL into the database as far as no reader needs it, without waiting."""
        try:
            # on the driver: outside a transaction, which SQLAlchemy would begin first
            driver = self._connection(self._write).connection.driver_connection
            assert driver is not None
            driver.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except Exception:  # nobody awaits this: say so, and let the next one try again
            logger.exception("SQLite WAL checkpoint failed")

    def dispose(self) -> None:
        self._readers.shutdown()
        self._writer.shutdown()
        with self._opened_lock:
            for connection in self._opened:
                connection.close()
        for engine in self.engines:
            engine.dispose()

    def _in_transaction(self, engine: Engine, work: Callable[[Connection], T]) -> T:
        connection = self._connection(engine)
        with connection.begin():
            return work(connection)

    def _connection(self, engine: Engine) -> Connection:
        """This thread's connection to ``engine``, opened on its first use."""
        held: dict[Engine, Connection] = self._held.__dict__.setdefault("connections", {})
        connection = held.get(engine)
        if connection is None or connection.closed:
            connection = held[engine] = engine.connect()
            with self._opened_lock:
                self._opened.append(connection)
        return connection


def prepare_sqlite_file(url: str) -> None:
    """A SQLite database's directory (0700 if made here) and file (0600), before use."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or database in (None, "", ":memory:"):
        return
    if database.startswith("file:"):  # a URI: SQLite opens it as it says
        return
    path = Path(database)
    private_directory(path.parent, tighten=False)
    private_sqlite_files(path)


def _sqlite_engine(url: str, begin: str, busy_timeout_ms: int, synchronous: str) -> AsyncEngine:
    if synchronous not in ("FULL", "NORMAL"):
        raise ValueError(f"SQLite synchronous must be FULL or NORMAL, not {synchronous!r}")
    engine = create_async_engine(url, pool_size=8, max_overflow=8)
    _configure_sqlite(engine.sync_engine, begin, busy_timeout_ms, synchronous)
    return engine


def _configure_sqlite(
    engine: Engine, begin: str | None, busy_timeout_ms: int, synchronous: str
) -> None:
    """Pragmas on connect, and ``begin`` for each transaction (None: the caller begins,
    and leaves checkpoints to other connections: ``write_here``)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event, not pysqlite, decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA synchronous = {synchronous}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if begin is None:
            cursor.execute("PRAGMA wal_autocheckpoint = 0")
        cursor.close()

    if begin is None:
        return

    if engine.dialect.driver == "pysqlite":  # straight to the driver, as execution.execute

        def _on_begin(connection: Any) -> None:
            connection.connection.driver_connection.execute(begin)

    else:

        def _on_begin(connection: Any) -> None:
            connection.exec_driver_sql(begin)

    event.listen(engine, "begin", _on_begin)


def _locked(error: Exception) -> bool:
    """Whether a SQLite error says another connection holds a lock (busy or locked)."""
    cause = getattr(error, "orig", error)
    code = getattr(cause, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)
