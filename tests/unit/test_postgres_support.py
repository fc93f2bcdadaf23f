"""Tests for the throw-away PostgreSQL helper in tests/support/postgres.py."""

from __future__ import annotations

import os
import time
from pathlib import Path

import asyncpg
import pytest

from tests.support.postgres import (
    ENV_URL,
    PostgresServer,
    PostgresUnavailable,
    find_pg_bin,
    start_postgres,
)


def _start_or_skip(base_dir: Path) -> PostgresServer:
    """Start a server, skipping when PostgreSQL is not installed (unless CI requires it)."""
    try:
        return start_postgres(base_dir)
    except PostgresUnavailable as exc:
        if os.environ.get("CHATROUTES_REQUIRE_POSTGRES"):
            raise
        pytest.skip(str(exc))


async def _select_one(url: str) -> int:
    """Connect with asyncpg to an SQLAlchemy asyncpg URL and run ``select 1``."""
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        return int(await conn.fetchval("select 1"))
    finally:
        await conn.close()


@pytest.mark.postgres
async def test_start_create_connect_stop(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Start a cluster, create two databases, query one, stop, and check cleanup."""
    monkeypatch.delenv(ENV_URL, raising=False)
    started = time.perf_counter()
    server = _start_or_skip(tmp_path_factory.mktemp("pg"))
    elapsed = time.perf_counter() - started
    print(f"postgres start-up took {elapsed:.2f}s")
    try:
        assert server.url.startswith("postgresql+asyncpg://postgres@127.0.0.1:")
        assert server.cluster_dir is not None and server.cluster_dir.is_dir()
        # create_database is sync and must work while this test's event loop is running
        url_a = server.create_database("chatroutes_a")
        url_b = server.create_database("chatroutes_b")
        assert url_a.endswith("/chatroutes_a") and url_b.endswith("/chatroutes_b")
        assert await _select_one(url_a) == 1
        assert await _select_one(url_b) == 1

        # external-server mode: reuse this server through the env var, start nothing
        monkeypatch.setenv(ENV_URL, server.url)
        external = start_postgres(tmp_path_factory.mktemp("unused"))
        assert external.cluster_dir is None and external.url == server.url
        url_ext = external.create_database("chatroutes_ext")
        assert await _select_one(url_ext) == 1
        external.stop()
        with pytest.raises(asyncpg.InvalidCatalogNameError):
            await _select_one(url_ext)  # dropped by stop()
    finally:
        server.stop()
    assert not server.cluster_dir.exists()
    server.stop()  # idempotent


def test_find_pg_bin_has_initdb() -> None:
    """find_pg_bin returns a directory holding initdb, or None."""
    bin_dir = find_pg_bin()
    assert bin_dir is None or (bin_dir / "initdb").is_file()


def test_missing_binaries_raise_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without binaries and without the env URL, start_postgres raises PostgresUnavailable."""
    monkeypatch.delenv(ENV_URL, raising=False)
    monkeypatch.setattr("tests.support.postgres.find_pg_bin", lambda: None)
    with pytest.raises(PostgresUnavailable):
        start_postgres(tmp_path)
