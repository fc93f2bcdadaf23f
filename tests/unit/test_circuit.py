"""The circuit breaker's states: closed, open after provider faults, a trial per cooldown."""

from __future__ import annotations

import pytest

from chatroutes.server.domain.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderRateLimited,
    ProviderTimeout,
    ProviderUnavailable,
)
from chatroutes.server.providers.base import Completion, StreamCut
from chatroutes.server.providers.circuit import CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def breaker(clock: Clock) -> CircuitBreaker:
    return CircuitBreaker("openai", threshold=3, cooldown=10, clock=clock)


def _unavailable() -> ProviderUnavailable:
    return ProviderUnavailable("down")


def _cut() -> StreamCut:
    return StreamCut("openai", Completion("partial", 0, 0, "error", "gpt-5"))


class TestProviderFaults:
    @pytest.mark.parametrize(
        "fault",
        [_unavailable, lambda: ProviderTimeout("slow"), _cut],
        ids=["5xx-or-connection", "timeout", "cut-stream"],
    )
    def test_threshold_consecutive_faults_open_it(self, breaker, fault):
        for _ in range(2):
            breaker.record(fault())
            assert breaker.allows() and not breaker.is_open
        breaker.record(fault())
        assert breaker.is_open and not breaker.allows()

    def test_a_success_in_between_starts_the_count_again(self, breaker):
        breaker.record(_unavailable())
        breaker.record(_unavailable())
        breaker.record(None)
        breaker.record(_unavailable())
        breaker.record(_unavailable())
        assert not breaker.is_open and breaker.failures == 2


class TestOneRequestsErrors:
    @pytest.mark.parametrize(
        "error",
        [
            lambda: ProviderRateLimited("slow down", retry_after=3),
            lambda: ProviderAuthError("bad key"),
            lambda: ProviderError("refused (HTTP 400)"),
            lambda: ProviderError("refused (HTTP 413)"),
            lambda: ProviderError("refused (HTTP 422)"),
        ],
        ids=["429", "401-403", "400", "413", "422"],
    )
    def test_never_open_it_nor_reset_the_count(self, breaker, error):
        breaker.record(_unavailable())
        for _ in range(10):
            breaker.record(error())
        assert not breaker.is_open and breaker.allows()
        assert breaker.failures == 1


class TestOpen:
    @pytest.fixture
    def opened(self, breaker, clock):
        for _ in range(3):
            breaker.record(_unavailable())
        clock.now = 1.0
        return breaker

    def test_refuses_calls_that_can_go_elsewhere_for_the_cooldown(self, opened, clock):
        clock.now = 9.9
        assert opened.is_open and not opened.allows()

    def test_after_the_cooldown_lets_one_trial_through_then_waits_again(self, opened, clock):
        clock.now = 10.0
        assert opened.allows()  # the trial
        assert not opened.allows() and opened.is_open  # others wait for its outcome
        clock.now = 20.0
        assert opened.allows()  # a trial that never reported: another one, a cooldown later

    def test_a_successful_call_closes_it(self, opened, clock):
        clock.now = 10.0
        assert opened.allows()
        opened.record(None)
        assert not opened.is_open and opened.allows() and opened.failures == 0

    def test_a_success_closes_it_even_within_the_cooldown(self, opened):
        opened.record(None)  # a call with nowhere else to go, made while open, succeeded
        assert not opened.is_open and opened.allows()

    def test_a_failed_trial_keeps_it_open_for_another_cooldown(self, opened, clock):
        clock.now = 10.0
        assert opened.allows()
        clock.now = 12.0
        opened.record(_unavailable())
        clock.now = 21.0
        assert opened.is_open and not opened.allows()
        clock.now = 22.0
        assert opened.allows()
