"""A circuit breaker per provider: stop calling an upstream that keeps failing.

After ``threshold`` consecutive transient failures the circuit opens and calls
fail at once (so fallbacks answer without waiting) until ``cooldown`` seconds
pass; then one trial call is let through. State is per process: each replica
learns an upstream's health from its own calls.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..domain.errors import CircuitOpen


@dataclass
class CircuitBreaker:
    provider: str
    threshold: int = 5
    cooldown: float = 30.0
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    opened_at: float | None = field(default=None)

    def check(self) -> None:
        """Raise while the circuit is open; after the cooldown, allow a trial call."""
        if self.opened_at is None:
            return
        remaining = self.cooldown - (self.clock() - self.opened_at)
        if remaining > 0:
            raise CircuitOpen(
                f"{self.provider} is failing; calls paused for {remaining:.0f} more seconds",
                details={"provider": self.provider, "circuit": "open"},
                retry_after=max(1, round(remaining)),
            )

    def record_success(self) -> None:
        self.failures = 0
        self.opened_at = None

    def record_failure(self) -> None:
        self.failures += 1
        if self.failures >= self.threshold:
            self.opened_at = self.clock()
