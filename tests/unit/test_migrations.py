"""Migrations create exactly the schema the models describe."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from chatroutes.server.store.migrate import upgrade
from chatroutes.server.store.tables import Base


async def test_migrated_sqlite_schema_matches_models(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
    await upgrade(url)
    await upgrade(url)  # idempotent
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        diff = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
        )
    await engine.dispose()
    assert diff == []


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_replicas_upgrading_at_once_take_turns(backend, request, tmp_path):
    """Several replicas' start-up migrations at once on a new database: each succeeds."""
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'together.db'}"
    else:
        url = request.getfixturevalue("postgres").create_database(f"m_{uuid.uuid4().hex[:8]}")
    await asyncio.gather(*(upgrade(url) for _ in range(4)))
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        rows = (await connection.exec_driver_sql("SELECT version_num FROM alembic_version")).all()
    await engine.dispose()
    assert len(rows) == 1
