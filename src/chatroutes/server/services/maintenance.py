"""What a server does in the background: recover dead generations, purge expired data
(soft-deleted messages past retention, expired guest accounts).

Every replica runs it; every job is safe to run concurrently (each takes its
rows by compare-and-set or inside one transaction), so no leader is needed.
"""

from __future__ import annotations

import asyncio
import logging
import time

from .privacy import purge_deleted, purge_expired_guests, retention_cutoff
from .recovery import recover_expired
from .server_context import ServerContext, utcnow

logger = logging.getLogger("chatroutes.server")


async def run_maintenance(ctx: ServerContext) -> None:
    """Forever: recovery sweeps and, now and then, the purges.

    A sweep every ``recovery_interval_seconds``; a purge every ``purge_interval_seconds``
    (unless 0), the first one a sweep interval after start.
    """
    settings = ctx.settings
    next_purge = time.monotonic() + settings.recovery_interval_seconds
    while True:
        await asyncio.sleep(settings.recovery_interval_seconds)
        try:
            await recover_expired(ctx)
            if settings.purge_interval_seconds and time.monotonic() >= next_purge:
                next_purge = time.monotonic() + settings.purge_interval_seconds
                purged = await purge_deleted(ctx.db, retention_cutoff(settings, utcnow()))
                if purged:
                    logger.info("purged %d soft-deleted messages past retention", purged)
                guests = await purge_expired_guests(ctx.db, utcnow())
                if guests:
                    logger.info("purged %d expired guest accounts", guests)
        except Exception:  # a failed pass (database restarting…) is retried next time
            logger.exception("maintenance pass failed")


async def finish_generations(ctx: ServerContext) -> None:
    """On shutdown: let running generations finish within ``shutdown_grace_seconds``.

    Those still running are cancelled; each stores its text so far as interrupted
    (``recovery.GenerationWatch``) before it ends.
    """
    if not ctx.tasks:
        return
    _, running = await asyncio.wait(set(ctx.tasks), timeout=ctx.settings.shutdown_grace_seconds)
    for task in running:
        task.cancel()
    if running:
        logger.warning("stopping %d generations past the shutdown grace", len(running))
        await asyncio.wait(running, timeout=10)
