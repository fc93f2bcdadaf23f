"""What every service needs, built once per application."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from ..providers.circuit import CircuitBreaker
from ..providers.registry import Registry
from ..providers.retries import RetryPolicy
from ..settings import Settings
from ..store.counters import Counters
from ..store.database import Database
from ..store.paths import PathCache
from .live import LiveReply

if TYPE_CHECKING:
    from .openai_responses import ResponseRun
    from .sending import Prepared

T = TypeVar("T")


def utcnow() -> datetime:
    """Naive UTC, truncated to milliseconds: what we store and what hashes cover."""
    now = datetime.now(UTC).replace(tzinfo=None)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


@dataclass(frozen=True)
class Generation:
    """A reply generating in this process: what a user's stop marks and cancels."""

    prepared: Prepared
    task: asyncio.Task[Any]

    def stop(self) -> bool:
        """Cancel the provider call if it is still under way; False if it is over.

        The generation's watch then stores the text so far, ``finishReason: "stopped"``.
        Call it with no await between a check and it: the cancel lands in the call.
        """
        prepared, task = self.prepared, self.task
        if task.done() or prepared.settled or prepared.stopped:
            return False
        prepared.stopped = True
        task.cancel()
        return True


@dataclass
class ServerContext:
    settings: Settings
    db: Database
    registry: Registry
    secret: bytes
    http: httpx.AsyncClient
    paths: PathCache  # recent branch paths, so a send does not walk its branch again
    retry_policy: RetryPolicy = field(default_factory=RetryPolicy)
    breakers: dict[str, CircuitBreaker] = field(default_factory=dict)
    live: dict[str, LiveReply] = field(default_factory=dict)  # streamed replies in progress
    counters: Counters | None = None  # limits and quotas (services/limits.py); set by the app
    generations: dict[str, Generation] = field(default_factory=dict)  # by reply id, until done
    responses: dict[str, ResponseRun] = field(default_factory=dict)  # /v1 responses running here
    # The time requests are admitted at: the rate window, the month of the quotas. utcnow;
    # a test moves it to a window's last seconds instead of waiting for them.
    clock: Callable[[], datetime] = utcnow

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

    def spawn_generation(
        self, prepared: Prepared, work: Coroutine[object, object, T]
    ) -> asyncio.Task[T]:
        """``spawn`` a reply's generation, findable by its reply id until it ends."""
        task = self.spawn(work)
        self.generations[prepared.reply_id] = Generation(prepared, task)
        task.add_done_callback(lambda _: self.generations.pop(prepared.reply_id, None))
        return task
