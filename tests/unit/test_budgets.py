"""Budgets' pure rules: the output allowance that fits what is left, and the warning."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from chatroutes.server.domain.budgets import BudgetState, output_that_fits


def _state(**fields: object) -> BudgetState:
    values = {
        "scope": "branch",
        "id": "br_1",
        "max_tokens": None,
        "max_cost": None,
        "warn_at": 0.8,
        "spent_tokens": 0,
        "spent_cost": 0.0,
    } | fields
    return BudgetState(**values)  # type: ignore[arg-type]


def _priced(prompt: int, output: int) -> float:
    return prompt * 1e-6 + output * 4e-6


class TestOutputThatFits:
    def test_no_limit_leaves_the_output_as_asked(self):
        assert output_that_fits(_state(), 100, 2048, _priced) == 2048

    def test_tokens_left_bound_prompt_and_output_together(self):
        state = _state(max_tokens=1000, spent_tokens=300, reserved_tokens=100)
        assert output_that_fits(state, 50, 2048, _priced) == 550
        assert output_that_fits(state, 50, 100, _priced) == 100
        assert output_that_fits(state, 700, 100, _priced) < 0

    def test_cost_left_finds_the_largest_output_within(self):
        state = _state(max_cost=0.001, spent_cost=0.0004)
        output = output_that_fits(state, 100, 2048, _priced)
        left = 0.001 - 0.0004
        assert _priced(100, output) <= left < _priced(100, output + 1)

    def test_both_limits_take_the_tighter(self):
        state = _state(max_tokens=10_000, max_cost=0.001)
        assert output_that_fits(state, 100, 5000, _priced) == output_that_fits(
            _state(max_cost=0.001), 100, 5000, _priced
        )

    @settings(max_examples=200, derandomize=True)
    @given(
        st.integers(1, 10**6),
        st.integers(0, 10**6),
        st.integers(0, 5000),
        st.integers(1, 10**5),
    )
    def test_whatever_fits_stays_within(self, limit, spent, prompt, wanted):
        state = _state(max_tokens=limit, spent_tokens=spent, max_cost=limit * 5e-6)
        output = output_that_fits(state, prompt, wanted, _priced)
        assert output <= wanted
        if output >= 0:
            assert spent + prompt + output <= limit
            assert _priced(prompt, output) <= limit * 5e-6 + 1e-12


class TestWarning:
    def test_reached_at_its_fraction_of_the_tightest_limit(self):
        assert not _state(max_tokens=1000, spent_tokens=799).warned_at()
        assert _state(max_tokens=1000, spent_tokens=800).warned_at()
        assert _state(max_tokens=10**6, max_cost=1.0, spent_cost=0.9).warned_at()
        assert not _state(warn_at=0.1, spent_tokens=10**9).warned_at()  # no limit

    def test_the_warning_names_the_budget_and_what_was_spent(self):
        state = _state(max_tokens=1000, spent_tokens=900, spent_cost=0.25)
        assert state.warning() == {
            "budget": "branch",
            "id": "br_1",
            "fraction": 0.9,
            "limit": {"maxTokens": 1000, "maxCost": None},
            "spent": {"tokens": 900, "cost": 0.25},
        }
