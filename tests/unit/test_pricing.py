"""Prices: the direct two-rate cost agrees with genai-prices' calculation for every model."""

from __future__ import annotations

import httpx
import pytest
from genai_prices import Usage, calc_price

from chatroutes.server.providers import pricing
from chatroutes.server.providers.registry import Registry, load_registry_data

# Sizes from nothing to past the 200k-prompt tier some models have.
SIZES = [(0, 0), (1, 1), (1_234, 567), (150_000, 4_000), (250_000, 12_345)]


def _table_priced() -> list[tuple[str, str, str]]:
    """(model, genai-prices provider, upstream id) of each registry model priced by the table."""
    registry = Registry(load_registry_data(None), {}, httpx.AsyncClient())
    return [
        (name, info.price_provider, info.upstream_id)
        for name, info in registry.models.items()
        if info.price_provider is not None and info.input_price is None
    ]


TABLE_PRICED = _table_priced()


def _by_genai_prices(provider: str, upstream_id: str, prompt: int, completion: int) -> float:
    usage = Usage(input_tokens=prompt, output_tokens=completion)
    price = calc_price(usage, model_ref=upstream_id, provider_id=provider)
    return round(float(price.total_price), 8)


@pytest.mark.parametrize(("model", "provider", "upstream_id"), TABLE_PRICED)
def test_every_table_priced_model_costs_what_genai_prices_says(model, provider, upstream_id):
    for prompt, completion in SIZES:
        ours = pricing.cost(
            price_provider=provider,
            upstream_id=upstream_id,
            input_price=None,
            output_price=None,
            prompt_tokens=prompt,
            completion_tokens=completion,
        )
        assert ours == _by_genai_prices(provider, upstream_id, prompt, completion), (
            model,
            prompt,
            completion,
        )


def test_common_models_take_the_two_rate_path_and_tiered_ones_do_not():
    direct = {m for m, p, u in TABLE_PRICED if pricing._text_rates(p, u) is not None}
    assert "gpt-5" in direct
    tiered = [
        m
        for m, p, u in TABLE_PRICED
        if _by_genai_prices(p, u, 250_000, 0) > 250 * _by_genai_prices(p, u, 1_000, 0) + 1e-9
    ]
    assert tiered, "the registry has a model with a higher rate past 200k prompt tokens"
    assert not direct & set(tiered)


def test_an_operator_price_is_used_as_given():
    value = pricing.cost(
        price_provider="openai",
        upstream_id="gpt-5",
        input_price=2.0,
        output_price=8.0,
        prompt_tokens=1_000_000,
        completion_tokens=500_000,
    )
    assert value == 6.0
