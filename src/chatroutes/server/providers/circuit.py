"""A circuit breaker per provider: route around an upstream that keeps failing.

Only faults of the provider itself count: 5xx answers, timeouts, refused or dropped
connections, streams cut short (``ProviderUnavailable``, ``ProviderTimeout``). One
request's refusal (400, 401, 403, 404, 413, 422…) and rate limits (429, which the retry
policy waits out by their ``Retry-After``) say nothing of its health and leave the
circuit as it is; so one account's bad or throttled requests never affect another's.

After ``threshold`` consecutive faults the circuit opens for ``cooldown`` seconds. The
breaker never refuses a call by itself: while it is open, a model with fallbacks goes
straight to them, and a model with nowhere else to go still calls the provider at once.
After the cooldown one call is let through as a trial (then the next, a cooldown later);
any success closes the circuit. State is per process: each replica learns an upstream's
health from its own calls.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..domain.errors import ProviderTimeout, ProviderUnavailable

PROVIDER_FAULTS = (ProviderUnavailable, ProviderTimeout)


def is_provider_fault(error: BaseException) -> bool:
    """Whether ``error`` tells of the provider's health, not of one request."""
    return isinstance(error, PROVIDER_FAULTS)


@dataclass
class CircuitBreaker:
    provider: str
    threshold: int = 5
    cooldown: float = 30.0
    clock: Callable[[], float] = time.monotonic
    failures: int = 0  # consecutive provider faults
    opened_at: float | None = field(default=None)  # or when the last trial was let through

    @property
    def is_open(self) -> bool:
        """Open and within its cooldown: calls should go elsewhere if they can."""
        return self.opened_at is not None and self.clock() - self.opened_at < self.cooldown

    def allows(self) -> bool:
        """Whether a call that could go elsewhere should try this provider now.

        Closed: yes. Open: no, except once per cooldown, the trial call.
        """
        if self.opened_at is None:
            return True
        if self.is_open:
            return False
        self.opened_at = self.clock()  # the trial; the next one waits a cooldown more
        return True

    def record(self, error: BaseException | None) -> None:
        """A call's outcome: None for a success, else the error it ended with."""
        if error is None:
            self.failures = 0
            self.opened_at = None
        elif is_provider_fault(error):
            self.failures += 1
            if self.failures >= self.threshold:
                self.opened_at = self.clock()
