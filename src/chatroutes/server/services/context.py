"""What every service needs, built once per application."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

import httpx

from ..providers.circuit import CircuitBreaker
from ..providers.registry import Registry
from ..providers.retries import RetryPolicy
from ..settings import Settings
from ..store.counters import Counters
from ..store.database import Database
from .live import LiveReply

T = TypeVar("T")


@dataclass
class ServerContext:
    settings: Settings
    db: Database
    registry: Registry
    secret: bytes
    http: httpx.AsyncClient
    retry_policy: RetryPolicy = field(default_factory=RetryPolicy)
    breakers: dict[str, CircuitBreaker] = field(default_factory=dict)
    live: dict[str, LiveReply] = field(default_factory=dict)  # streamed replies in progress
    counters: Counters | None = None  # limits and quotas (services/limits.py); set by the app

    def breaker(self, provider: str) -> CircuitBreaker:
        if provider not in self.breakers:
            self.breakers[provider] = CircuitBreaker(provider)
        return self.breakers[provider]

    # Generations running apart from their requests; kept referenced until done.
    tasks: set[asyncio.Task[object]] = field(default_factory=set)

    def spawn(self, work: Coroutine[object, object, T]) -> asyncio.Task[T]:
        """Run ``work`` apart from the request; shutdown waits for it."""
        task = asyncio.create_task(work)
        self.tasks.add(task)  # type: ignore[arg-type]
        task.add_done_callback(self.tasks.discard)  # type: ignore[arg-type]
        return task


def utcnow() -> datetime:
    """Naive UTC, truncated to milliseconds: what we store and what hashes cover."""
    now = datetime.now(UTC).replace(tzinfo=None)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)
