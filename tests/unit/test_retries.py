"""The retry policy, with a recorded clock instead of real waiting."""

from __future__ import annotations

import random

import pytest

from chatroutes.server.domain.errors import (
    ProviderAuthError,
    ProviderRateLimited,
    ProviderUnavailable,
)
from chatroutes.server.providers.retries import RetryPolicy, call_with_retries


class Recorder:
    def __init__(self, failures: list[Exception]) -> None:
        self.failures = failures
        self.calls: list[int] = []
        self.waits: list[float] = []

    async def call(self, attempt: int) -> str:
        self.calls.append(attempt)
        if self.failures:
            raise self.failures.pop(0)
        return "ok"

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)


async def run(recorder: Recorder, policy: RetryPolicy) -> str:
    return await call_with_retries(
        recorder.call, policy, sleep=recorder.sleep, rng=random.Random(7)
    )


async def test_transient_failures_are_retried_with_growing_jittered_waits():
    recorder = Recorder([ProviderUnavailable("down"), ProviderUnavailable("down")])
    assert await run(recorder, RetryPolicy(attempts=3, base_delay=1.0)) == "ok"
    assert recorder.calls == [0, 1, 2]
    assert 0 <= recorder.waits[0] <= 1.0 and 0 <= recorder.waits[1] <= 2.0


async def test_retry_after_is_honoured():
    recorder = Recorder([ProviderRateLimited("slow down", retry_after=3)])
    await run(recorder, RetryPolicy())
    assert recorder.waits == [3.0]


async def test_a_wait_beyond_the_budget_gives_up_at_once():
    recorder = Recorder([ProviderRateLimited("slow down", retry_after=60)])
    with pytest.raises(ProviderRateLimited) as caught:
        await run(recorder, RetryPolicy(budget_seconds=10))
    assert recorder.waits == [] and caught.value.details["attempts"] == 1


async def test_final_failures_are_not_retried():
    recorder = Recorder([ProviderAuthError("bad key")])
    with pytest.raises(ProviderAuthError):
        await run(recorder, RetryPolicy())
    assert recorder.calls == [0]


async def test_the_last_attempt_raises_with_the_count():
    recorder = Recorder([ProviderUnavailable("down")] * 3)
    with pytest.raises(ProviderUnavailable) as caught:
        await run(recorder, RetryPolicy(attempts=3))
    assert caught.value.details["attempts"] == 3 and len(recorder.waits) == 2


async def test_giving_up_makes_the_failure_final_without_waiting():
    recorder = Recorder([ProviderUnavailable("down")] * 3)
    asked: list[int] = []

    def give_up() -> bool:
        asked.append(len(recorder.calls))
        return len(recorder.calls) == 2  # e.g. the circuit opened: a fallback answers

    with pytest.raises(ProviderUnavailable) as caught:
        await call_with_retries(
            recorder.call, RetryPolicy(attempts=3), sleep=recorder.sleep, give_up=give_up
        )
    assert recorder.calls == [0, 1] and asked == [1, 2]
    assert len(recorder.waits) == 1 and caught.value.details["attempts"] == 2
