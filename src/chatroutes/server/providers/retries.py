"""One retry policy for every provider: jittered exponential backoff within a budget.

Retried: rate limits, unavailability (5xx, refused or dropped connections) and
timeouts. Never retried: bad credentials and requests the upstream refused as
invalid. An upstream ``Retry-After`` is honoured when the budget allows it; beyond the
budget, the rate limit is answered at once with its ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from ..domain.errors import (
    ProviderError,
    ProviderRateLimited,
    ProviderTimeout,
    ProviderUnavailable,
)
from ..observability.metrics import record_retry

T = TypeVar("T")
RETRYABLE = (ProviderRateLimited, ProviderUnavailable, ProviderTimeout)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    base_delay: float = 0.25
    max_delay: float = 8.0
    budget_seconds: float = 20.0

    def delay(self, attempt: int, error: ProviderError, rng: random.Random) -> float:
        """Seconds to wait after failed ``attempt`` (0-based): Retry-After, else full jitter."""
        if error.retry_after is not None:
            return float(error.retry_after)
        return rng.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))


async def call_with_retries(
    call: Callable[[int], Awaitable[T]],
    policy: RetryPolicy,
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    rng: random.Random | None = None,
    give_up: Callable[[], bool] = lambda: False,
) -> T:
    """Run ``call(attempt)`` until it succeeds, a failure is final, or the budget is spent.

    ``give_up`` is asked after each retryable failure: true, that failure is final (a
    fallback can answer sooner than another attempt). Without ``rng``, a failure draws its
    jitter from a new generator seeded by the OS: no seeding at all on the common path,
    where the first attempt succeeds.
    """
    waited = 0.0
    for attempt in range(policy.attempts):
        try:
            return await call(attempt)
        except RETRYABLE as error:
            delay = policy.delay(attempt, error, rng or random.Random())
            last = attempt + 1 >= policy.attempts or waited + delay > policy.budget_seconds
            if last or give_up():
                error.details.setdefault("attempts", attempt + 1)
                raise
            waited += delay
            record_retry(error)
            await sleep(delay)
    raise ValueError("a retry policy needs at least one attempt")
