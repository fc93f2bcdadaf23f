"""Alembic, driven from code: ``chatroutes db upgrade`` and the server start call this."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from .database import _ensure_sqlite_dir


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", "chatroutes.server.store:migrations")
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` (works inside a running loop)."""
    _ensure_sqlite_dir(url)
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:

            def run(sync_connection: Connection) -> None:
                config = alembic_config(url)
                config.attributes["connection"] = sync_connection
                command.upgrade(config, revision)

            await connection.run_sync(run)
    finally:
        await engine.dispose()
