"""Readiness: can this process serve requests now? The database answers, and Redis if set."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

from sqlalchemy import text

from ..services.server_context import ServerContext

logger = logging.getLogger("chatroutes.server")


async def readiness(ctx: ServerContext) -> dict[str, str]:
    """Each dependency's state: ``ok``, ``not configured``, or why it failed."""
    checks = {"database": await _check(_database(ctx), ctx)}
    redis = getattr(ctx.counters, "redis", None)  # the Redis client, when counters live there
    checks["redis"] = "not configured" if redis is None else await _check(redis.ping(), ctx)
    return checks


async def _database(ctx: ServerContext) -> None:
    async with ctx.db.read() as session:
        await session.execute(text("SELECT 1"))


async def _check(probe: Awaitable[object], ctx: ServerContext) -> str:
    """``ok``, or the failure's kind (its detail goes to the log, not to the caller)."""
    try:
        async with asyncio.timeout(ctx.settings.ready_timeout_seconds):
            await probe
    except TimeoutError:
        return f"no answer within {ctx.settings.ready_timeout_seconds:g}s"
    except Exception as exc:  # any failure means not ready
        logger.warning("readiness check failed: %s", exc)
        return f"failed ({exc.__class__.__name__})"
    return "ok"
