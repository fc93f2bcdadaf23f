"""Alembic, driven from code: ``chatroutes db upgrade`` and the server start call this.

Replicas starting together may all upgrade at once: they take turns, on PostgreSQL
behind an advisory lock held by the migrating transaction, on SQLite behind a lock
file next to the database; whoever comes second finds the schema current.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from .database import prepare_sqlite_file

_ADVISORY_LOCK_KEY = 0x63685F6D6967  # "ch_mig": any constant every replica agrees on


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", "chatroutes.server.store:migrations")
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` (works inside a running loop)."""
    prepare_sqlite_file(url)
    engine = create_async_engine(url)
    try:
        async with _sqlite_file_lock(url), engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY}
                )

            def run(sync_connection: Connection) -> None:
                config = alembic_config(url)
                config.attributes["connection"] = sync_connection
                command.upgrade(config, revision)

            await connection.run_sync(run)
    finally:
        await engine.dispose()


@asynccontextmanager
async def _sqlite_file_lock(url: str) -> AsyncIterator[None]:
    """An exclusive lock on ``<database>.migrate.lock`` (nothing for other databases)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        yield
        return
    descriptor = await asyncio.to_thread(_locked, f"{parsed.database}.migrate.lock")
    try:
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def _locked(path: str) -> int:
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    return descriptor
