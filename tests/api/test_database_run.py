"""``Database.run``: a plain function over a Core connection as one transaction."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from chatroutes.server.services.accounts import AccountService
from chatroutes.server.settings import Settings
from chatroutes.server.store import messages as message_store
from chatroutes.server.store.counters import DatabaseCounters, Take
from chatroutes.server.store.database import Database
from chatroutes.server.store.execution import insert_instance, savepoint
from chatroutes.server.store.tables import Conversation, Message, UsageCounter

WHEN = datetime(2099, 1, 1)  # counters expiring then are not purged


def _count(connection: Connection) -> int:
    return connection.execute(select(func.count()).select_from(UsageCounter)).scalar_one()


def _take(counters: DatabaseCounters, window: str):
    def work(connection: Connection) -> list[int | None]:
        return counters.take_each_within(connection, "user:u", [Take(window, 1, None, WHEN)])

    return work


@pytest.fixture
async def db(settings: Settings):
    database = Database(settings.resolved_database_url())
    yield database
    await database.dispose()


async def test_a_write_is_committed_and_seen_by_a_later_read(db: Database):
    counters = DatabaseCounters(db)
    assert await db.run(_take(counters, "w:1"), write=True) == [1]
    assert await db.run(_take(counters, "w:1"), write=True, durable=False) == [2]
    assert await db.run(_count) == 1


@pytest.mark.parametrize("durable", [True, False])
async def test_a_failing_unit_of_work_leaves_nothing_written(db: Database, durable: bool):
    counters = DatabaseCounters(db)

    def half_then_fail(connection: Connection) -> None:
        _take(counters, "w:half")(connection)
        raise ValueError("after the first statement")

    with pytest.raises(ValueError, match="after the first statement"):
        await db.run(half_then_fail, write=True, durable=durable)
    assert await db.run(_count) == 0
    assert await db.run(_take(counters, "w:after"), write=True, durable=durable) == [1]


sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@sqlite_only
async def test_a_light_write_runs_on_the_event_loop_and_a_durable_one_in_a_thread(db: Database):
    def thread(_connection: Connection) -> int:
        return threading.get_ident()

    assert await db.run(thread, write=True, durable=False) == threading.get_ident()
    assert await db.run(thread, write=True) != threading.get_ident()


@sqlite_only
async def test_light_writes_queued_behind_others_run_in_the_thread_but_the_last(db: Database):
    """Under load the writer thread works while the loop serves; the last one goes inline."""
    started, release = threading.Event(), threading.Event()

    def slow(_connection: Connection) -> None:
        started.set()
        release.wait(5)

    def thread(_connection: Connection) -> int:
        return threading.get_ident()

    blocking = asyncio.create_task(db.run(slow, write=True))
    await asyncio.to_thread(started.wait, 5)
    queued = [asyncio.create_task(db.run(thread, write=True, durable=False)) for _ in range(3)]
    await asyncio.sleep(0.05)
    release.set()
    await blocking
    ran_on = await asyncio.gather(*queued)
    loop = threading.get_ident()
    assert [ident == loop for ident in ran_on] == [False, False, True]


@sqlite_only
async def test_a_light_write_waits_for_another_processs_write_lock(db: Database, settings):
    """It does not wait on the event loop: the writer thread waits, and the loop runs on."""
    path = make_url(settings.resolved_database_url()).database
    counters = DatabaseCounters(db)
    assert await db.run(_take(counters, "w:lock"), write=True, durable=False) == [1]
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO usage_counters VALUES ('user:o', 'w:other', 1, '2099-01-01')")
        waiting = asyncio.create_task(db.run(_take(counters, "w:lock"), write=True, durable=False))
        await asyncio.sleep(0.3)  # the loop is free meanwhile: this sleep ends on time
        assert not waiting.done()
        other.execute("COMMIT")
        assert await asyncio.wait_for(waiting, 10) == [2]
    finally:
        other.close()
    assert await db.run(_count) == 2


@sqlite_only
async def test_light_writes_alone_still_have_the_wal_checkpointed(db: Database, settings):
    """The event loop's connection never checkpoints; it asks the writer thread to."""
    wal = Path(f"{make_url(settings.resolved_database_url()).database}-wal")
    counters = DatabaseCounters(db)
    sizes = []
    for batch in range(6):
        for i in range(200):
            await db.run(_take(counters, f"w:{batch}:{i}:{'x' * 500}"), write=True, durable=False)
        # The checkpoint runs in the writer thread: a write there runs once it is done.
        await db.run(lambda connection: None, write=True)
        sizes.append(await asyncio.to_thread(lambda: wal.stat().st_size))
    # Unchecked, the WAL grows by every batch; checkpointed, SQLite starts it over.
    assert max(sizes) < 2 * sizes[0], sizes


def _conversation(connection: Connection, user_id: str) -> None:
    connection.execute(
        Conversation.__table__.insert(),
        {
            "id": "conv_rows",
            "user_id": user_id,
            "title": "t",
            "model": "gpt-5",
            "temperature": 0.7,
            "max_tokens": 100,
            "archived": False,
            "created_at": WHEN,
            "updated_at": WHEN,
        },
    )


def _message() -> Message:
    return Message(
        id="msg_rows",
        conversation_id="conv_rows",
        branch_id="br_rows",
        role="user",
        content="hello",
        created_at=WHEN,
        content_hash="0" * 64,
    )  # no meta: its default (an empty dict) applies


async def test_insert_instance_fills_python_side_defaults_like_a_flush(db: Database):
    user = await AccountService(db, b"secret").create_user("rows@example.com")

    def insert(connection: Connection) -> Message:
        _conversation(connection, user.id)
        message = _message()
        insert_instance(connection, message)
        return message

    message = await db.run(insert, write=True)
    assert message.meta == {}  # on the object too, as after a flush
    stored = await db.run(lambda c: message_store.message_in(c, "msg_rows", "conv_rows"))
    assert stored is not None
    assert (stored.meta, stored.parent_id, stored.deleted_at) == ({}, None, None)
    assert stored.created_at == WHEN


async def test_a_constraint_violation_is_sqlalchemys_integrity_error(db: Database):
    """On SQLite the hot statements run on the driver itself; its errors still arrive as
    SQLAlchemy's, as callers expect, and the transaction is rolled back."""
    user = await AccountService(db, b"secret").create_user("twice@example.com")
    await db.run(lambda connection: _conversation(connection, user.id), write=True)

    def insert_twice(connection: Connection) -> None:
        insert_instance(connection, _message())
        insert_instance(connection, _message())

    with pytest.raises(IntegrityError):
        await db.run(insert_twice, write=True)
    assert await db.run(lambda c: message_store.message_in(c, "msg_rows", "conv_rows")) is None


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_a_cancelled_caller_waits_for_its_sqlite_transaction_to_finish(db: Database):
    """The work runs in a database thread: it is not cut off halfway by a cancellation."""
    counters = DatabaseCounters(db)
    started, release = threading.Event(), threading.Event()

    def slow(connection: Connection) -> list[int | None]:
        started.set()
        release.wait(5)
        return _take(counters, "w:slow")(connection)

    task = asyncio.create_task(db.run(slow, write=True))
    await asyncio.to_thread(started.wait, 5)
    task.cancel()
    await asyncio.sleep(0.05)
    assert not task.done()  # still waiting for the transaction, not abandoning it
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await db.run(_count) == 1  # it finished, and committed


async def test_a_savepoint_undoes_only_its_block_when_it_raises(db: Database):
    counters = DatabaseCounters(db)

    def work(connection: Connection) -> str:
        _take(counters, "kept:1")(connection)
        try:
            with savepoint(connection):
                _take(counters, "undone:1")(connection)
                raise ValueError("refused")
        except ValueError:
            pass
        with savepoint(connection):
            _take(counters, "kept:2")(connection)
        return "done"

    assert await db.run(work, write=True, durable=False) == "done"
    windows = await db.run(
        lambda connection: set(connection.execute(select(UsageCounter.window)).scalars())
    )
    assert windows == {"kept:1", "kept:2"}
