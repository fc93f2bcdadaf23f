"""The models on offer on the wire: what each can do and its list price."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, Protocol

from typing_extensions import TypedDict


class ListPrice(Protocol):
    """USD per million tokens (None: unknown), and where the figure comes from."""

    @property
    def input_per_million(self) -> float | None: ...
    @property
    def output_per_million(self) -> float | None: ...
    @property
    def source(self) -> str: ...


class CatalogModel(Protocol):
    """A model of the registry."""

    @property
    def name(self) -> str: ...
    @property
    def provider(self) -> str: ...
    @property
    def upstream_id(self) -> str: ...
    @property
    def context_window(self) -> int: ...
    @property
    def max_output(self) -> int: ...
    @property
    def streaming(self) -> bool: ...
    @property
    def vision(self) -> bool: ...
    @property
    def tools(self) -> bool: ...
    @property
    def aliases(self) -> tuple[str, ...]: ...
    def list_price(self) -> ListPrice: ...


class PriceOut(TypedDict):
    inputPerMillionTokens: float | None
    outputPerMillionTokens: float | None
    currency: Literal["USD"]
    source: str


def price_out(info: CatalogModel) -> PriceOut:
    """A model's list price per million tokens, for client-side estimates."""
    price = info.list_price()
    return {
        "inputPerMillionTokens": price.input_per_million,
        "outputPerMillionTokens": price.output_per_million,
        "currency": "USD",
        "source": price.source,
    }


class ModelOut(TypedDict):
    id: str
    name: str
    aliases: list[str]  # older names accepted for this model wherever a model is named
    provider: str
    upstreamId: str
    contextWindow: int
    maxOutputTokens: int
    streaming: bool
    vision: bool
    tools: bool
    available: bool
    isDefault: bool
    pricing: PriceOut


def model_out(info: CatalogModel, *, available: bool, is_default: bool) -> ModelOut:
    """``available``: its provider can be called now; ``is_default``: sends without a model."""
    return {
        "id": info.name,
        "name": info.name,
        "aliases": list(info.aliases),
        "provider": info.provider,
        "upstreamId": info.upstream_id,
        "contextWindow": info.context_window,
        "maxOutputTokens": info.max_output,
        "streaming": info.streaming,
        "vision": info.vision,
        "tools": info.tools,
        "available": available,
        "isDefault": is_default,
        "pricing": price_out(info),
    }


class ModelList(TypedDict):
    models: list[ModelOut]
    defaultModel: str


def model_list(models: list[ModelOut], default_model: str) -> ModelList:
    return {"models": models, "defaultModel": default_model}


class Pricing(TypedDict):
    pricing: dict[str, PriceOut]
    currency: Literal["USD"]


def pricing_out(models: Iterable[CatalogModel]) -> Pricing:
    """Per-model prices, by model name, for client-side cost estimates."""
    return {"pricing": {info.name: price_out(info) for info in models}, "currency": "USD"}
