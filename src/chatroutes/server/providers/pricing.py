"""What a call costs: the operator's price when the registry sets one, else genai-prices.

genai-prices ships its table inside the package (no download at run time) and
knows tiered prices, such as a higher rate past 200k prompt tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from genai_prices import Usage, calc_price

_PER_MILLION = 1_000_000
_SAMPLE = 1_000  # per-million figures are read at a small, base-tier volume


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
    try:
        price = calc_price(
            Usage(input_tokens=prompt_tokens, output_tokens=completion_tokens),
            model_ref=upstream_id,
            provider_id=price_provider,
        )
    except LookupError:
        return None
    return round(float(price.total_price), 8)


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
