"""What a call costs: the operator's price when the registry sets one, else genai-prices.

genai-prices ships its table inside the package (no download at run time) and
knows tiered prices, such as a higher rate past 200k prompt tokens. Its general
calculation costs about 0.1 ms a call; for the common model, priced per token at one
rate each way, the cost is worked out from those two rates directly (the same figure:
``tests/unit/test_pricing.py`` compares both for every model of the registry).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache

from genai_prices import Usage, calc_price
from genai_prices.data_snapshot import get_snapshot

_PER_MILLION = 1_000_000
_SAMPLE = 1_000  # per-million figures are read at a small, base-tier volume
# Prices of units a plain text call (no cache, search, audio, image) uses none of.
_UNUSED_BY_TEXT = frozenset(
    {
        "cache_read_mtok",
        "cache_write_mtok",
        "cache_write_1h_mtok",
        "web_searches_kcount",
        "storage_searches_kcount",
    }
)


@dataclass(frozen=True)
class Price:
    input_per_million: float | None
    output_per_million: float | None
    source: str  # "registry", "genai-prices" or "unknown"


def cost(
    *,
    price_provider: str | None,
    upstream_id: str,
    input_price: float | None,
    output_price: float | None,
    prompt_tokens: int,
    completion_tokens: int,
) -> float | None:
    """USD for one call, or None when no table knows the model."""
    if input_price is not None and output_price is not None:
        return round((prompt_tokens * input_price + completion_tokens * output_price) / 1e6, 8)
    if price_provider is None:
        return None
    rates = _text_rates(price_provider, upstream_id)
    if rates is not None:
        input_rate, output_rate = rates
        total = (prompt_tokens * input_rate + completion_tokens * output_rate) / _PER_MILLION
        return round(float(total), 8)
    try:
        price = calc_price(
            Usage(input_tokens=prompt_tokens, output_tokens=completion_tokens),
            model_ref=upstream_id,
            provider_id=price_provider,
        )
    except LookupError:
        return None
    return round(float(price.total_price), 8)


def _text_rates(price_provider: str, upstream_id: str) -> tuple[Decimal, Decimal] | None:
    """The model's input and output rates (USD per million tokens) when those two alone
    price a text call, at one rate whatever its size; None for anything else (tiers, a
    fee per request, units of unknown use), which ``calc_price`` then works out."""
    try:
        _, model = get_snapshot().find_provider_model(upstream_id, None, price_provider, None)
    except LookupError:
        return None
    prices = model.get_prices(datetime.now(tz=UTC))
    rates = {key: value for key, value in vars(prices).items() if value is not None}
    input_rate, output_rate = rates.pop("input_mtok", None), rates.pop("output_mtok", None)
    if type(input_rate) is not Decimal or type(output_rate) is not Decimal:
        return None
    if rates.keys() - _UNUSED_BY_TEXT:
        return None
    return input_rate, output_rate


@lru_cache(maxsize=512)
def list_price(
    price_provider: str | None,
    upstream_id: str,
    input_price: float | None,
    output_price: float | None,
) -> Price:
    """Per-million-token prices for display."""
    if input_price is not None and output_price is not None:
        return Price(input_price, output_price, "registry")

    def per_million(prompt: int, completion: int) -> float | None:
        value = cost(
            price_provider=price_provider,
            upstream_id=upstream_id,
            input_price=None,
            output_price=None,
            prompt_tokens=prompt,
            completion_tokens=completion,
        )
        return None if value is None else round(value * _PER_MILLION / _SAMPLE, 6)

    prompt_price, completion_price = per_million(_SAMPLE, 0), per_million(0, _SAMPLE)
    if prompt_price is None:
        return Price(None, None, "unknown")
    return Price(prompt_price, completion_price, "genai-prices")
