"""The circuit breaker opens after repeated failures and lets a trial through later."""

from __future__ import annotations

import pytest

from chatroutes.server.domain.errors import CircuitOpen
from chatroutes.server.providers.circuit import CircuitBreaker


def test_opens_after_threshold_and_half_opens_after_cooldown():
    now = [0.0]
    breaker = CircuitBreaker("openai", threshold=2, cooldown=10, clock=lambda: now[0])
    breaker.record_failure()
    breaker.check()
    breaker.record_failure()
    with pytest.raises(CircuitOpen) as caught:
        breaker.check()
    assert caught.value.retry_after == 10
    now[0] = 10.5
    breaker.check()  # the trial call
    breaker.record_success()
    assert breaker.failures == 0 and breaker.opened_at is None
