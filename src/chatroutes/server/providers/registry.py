"""The model registry: data (``models.toml`` plus the operator's file), not code.

Every provider, built-in or configured, is registered the same way: a name, a
wire protocol, a base URL and the environment variable holding its key.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import httpx

from ..domain.errors import InvalidRequest
from . import pricing
from .anthropic_messages import AnthropicMessagesProvider
from .base import Provider
from .offline import OFFLINE_MODEL, OfflineProvider
from .openai_chat import OpenAIChatProvider

PROTOCOLS = ("openai", "anthropic", "offline")


@dataclass(frozen=True)
class ModelInfo:
    name: str
    provider: str
    upstream_id: str
    context_window: int
    max_output: int
    input_price: float | None = None  # USD per million tokens: the operator's override
    output_price: float | None = None
    price_provider: str | None = None  # the genai-prices provider id
    streaming: bool = True
    vision: bool = False
    tools: bool = False
    fallbacks: tuple[str, ...] = ()  # tried in order when this model's provider fails
    thinking_budget: int | None = None  # tokens of extended thinking, where the Chat API asks
    aliases: tuple[str, ...] = ()  # older names that resolve to this model

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float | None:
        """USD for one call; None when no price is known for this model."""
        return pricing.cost(
            price_provider=self.price_provider,
            upstream_id=self.upstream_id,
            input_price=self.input_price,
            output_price=self.output_price,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
        )

    def list_price(self) -> pricing.Price:
        return pricing.list_price(
            self.price_provider, self.upstream_id, self.input_price, self.output_price
        )


@dataclass(frozen=True)
class ProviderConfig:
    name: str
    protocol: str
    base_url: str | None
    api_key: str | None
    key_env: str | None
    key_required: bool = True
    prices: str | None = None  # genai-prices provider id
    dynamic_models: bool = False  # serves any "<provider>/<model>" its host has

    @property
    def usable(self) -> bool:
        if self.protocol == "offline":
            return True
        return bool(self.base_url) and (bool(self.api_key) or not self.key_required)


def load_registry_data(models_file: Path | None) -> dict[str, Any]:
    """The packaged table, with the operator's file merged over it entry by entry."""
    data = tomllib.loads(resources.files(__package__).joinpath("models.toml").read_text())
    if models_file is not None:
        try:
            extra = tomllib.loads(Path(models_file).read_text())
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ValueError(f"cannot read models file {models_file}: {exc}") from exc
        for section in ("providers", "models"):
            for name, entry in extra.get(section, {}).items():
                data.setdefault(section, {}).setdefault(name, {}).update(entry)
    return data


class Registry:
    """Models and the providers that serve them, resolved against one environment."""

    def __init__(
        self,
        data: Mapping[str, Any],
        environ: Mapping[str, str],
        client: httpx.AsyncClient,
        default_model: str | None = None,
    ) -> None:
        self.providers = {
            name: _provider_config(name, entry, environ)
            for name, entry in data.get("providers", {}).items()
        }
        self.models = {
            name: _model_info(name, entry, self.providers)
            for name, entry in data.get("models", {}).items()
        }
        self.aliases = _alias_table(self.models)
        self._adapters = {
            name: _adapter(config, client)
            for name, config in self.providers.items()
            if config.usable
        }
        self.default_model = self.get(default_model).name if default_model else self._pick_default()

    def _pick_default(self) -> str:
        for preferred in ("gpt-5", "claude-sonnet-4-5"):
            if preferred in self.models and self.is_usable(preferred):
                return preferred
        usable = [name for name in self.models if self.is_usable(name) and name != OFFLINE_MODEL]
        return usable[0] if usable else OFFLINE_MODEL

    def is_usable(self, model: str) -> bool:
        return self.get(model).provider in self._adapters

    def routes(self, model: str) -> list[tuple[ModelInfo, Provider]]:
        """The model's own provider first, then each usable fallback, in order."""
        info, adapter = self.adapter_for(model)
        routes = [(info, adapter)]
        for name in info.fallbacks:
            fallback = self.find(name)
            if fallback is not None and fallback.provider in self._adapters:
                routes.append((fallback, self._adapters[fallback.provider]))
        return routes

    def dynamic_providers(self) -> list[ProviderConfig]:
        """Usable providers whose models are discovered from their host."""
        return [p for p in self.providers.values() if p.dynamic_models and p.usable]

    def _dynamic(self, model: str) -> ModelInfo | None:
        """``ollama/llama3`` and the like: served as named, free, with modest defaults."""
        provider, _, upstream_id = model.partition("/")
        config = self.providers.get(provider)
        if not upstream_id or config is None or not config.dynamic_models:
            return None
        return ModelInfo(
            name=model,
            provider=provider,
            upstream_id=upstream_id,
            context_window=8192,
            max_output=4096,
            input_price=0.0,  # served on the operator's own hardware
            output_price=0.0,
        )

    def find(self, model: str) -> ModelInfo | None:
        """The model a name stands for: its own entry, the model it is an alias of, or a
        dynamic ``<provider>/<model>``; None when the name is unknown.

        The one place where names are resolved: every caller that accepts a model name
        goes through here (or ``get``), so an alias is honoured wherever a model is.
        """
        info = self.models.get(model)
        if info is None and model in self.aliases:
            info = self.models[self.aliases[model]]
        return info or self._dynamic(model)

    def get(self, model: str, field: str = "model") -> ModelInfo:
        """The model's entry (aliases resolved), or a 400 that names the supported models."""
        info = self.find(model)
        if info is None:
            raise InvalidRequest(
                f"Unsupported model '{model}'. Supported models: {', '.join(self.models)}",
                field=field,
                details={"supportedModels": list(self.models)},
            )
        return info

    def adapter_for(self, model: str, field: str = "model") -> tuple[ModelInfo, Provider]:
        """The model and a provider able to serve it now, or a 400 saying what to set."""
        info = self.get(model, field)
        adapter = self._adapters.get(info.provider)
        if adapter is None:
            config = self.providers[info.provider]
            raise InvalidRequest(
                f"Model '{model}' needs the {info.provider} provider, which has no API key: "
                f"set {config.key_env} on the server, or choose one of: "
                f"{', '.join(n for n in self.models if self.is_usable(n))}",
                field=field,
                details={"provider": info.provider, "setting": config.key_env},
            )
        return info, adapter


def _provider_config(
    name: str, entry: Mapping[str, Any], environ: Mapping[str, str]
) -> ProviderConfig:
    protocol = entry.get("protocol", "openai")
    if protocol not in PROTOCOLS:
        raise ValueError(f"provider {name}: protocol must be one of {PROTOCOLS}")
    key_env = entry.get("api_key_env")
    base_url_env = entry.get("base_url_env")
    base_url = (environ.get(base_url_env) if base_url_env else None) or entry.get("base_url")
    host_env = entry.get("host_env")
    if host_env:  # e.g. OLLAMA_HOST: the provider exists only where the host is set
        host = environ.get(host_env)
        if host and "://" not in host:
            host = f"http://{host}"
        base_url = host.rstrip("/") + entry.get("base_url_suffix", "") if host else None
    return ProviderConfig(
        name=name,
        protocol=protocol,
        base_url=base_url,
        api_key=environ.get(key_env) if key_env else entry.get("api_key"),
        key_env=key_env or host_env,
        key_required=bool(entry.get("api_key_required", True)),
        prices=entry.get("prices"),
        dynamic_models=bool(entry.get("dynamic_models", False)),
    )


def _model_info(
    name: str, entry: Mapping[str, Any], providers: Mapping[str, ProviderConfig]
) -> ModelInfo:
    provider = entry.get("provider")
    if not isinstance(provider, str) or provider not in providers:
        raise ValueError(f"model {name}: unknown provider {provider!r}")
    return ModelInfo(
        name=name,
        provider=provider,
        upstream_id=entry.get("upstream_id", name),
        context_window=int(entry.get("context_window", 8192)),
        max_output=int(entry.get("max_output", 4096)),
        input_price=_optional_float(entry.get("input_price")),
        output_price=_optional_float(entry.get("output_price")),
        price_provider=providers[provider].prices,
        streaming=bool(entry.get("streaming", True)),
        vision=bool(entry.get("vision", False)),
        tools=bool(entry.get("tools", False)),
        fallbacks=tuple(entry.get("fallbacks", ())),
        thinking_budget=_thinking_budget(name, entry),
        aliases=_aliases(name, entry),
    )


def _aliases(name: str, entry: Mapping[str, Any]) -> tuple[str, ...]:
    value = entry.get("aliases", ())
    if not isinstance(value, list | tuple) or not all(
        isinstance(alias, str) and alias for alias in value
    ):
        raise ValueError(f"model {name}: aliases must be a list of model names")
    return tuple(value)


def _alias_table(models: Mapping[str, ModelInfo]) -> dict[str, str]:
    """Alias -> model name; an alias that is a model's name, or two models', is refused."""
    table: dict[str, str] = {}
    for info in models.values():
        for alias in info.aliases:
            if alias in models:
                raise ValueError(
                    f"model {info.name}: alias {alias!r} is also a model's name; "
                    f"remove it from {info.name}'s aliases"
                )
            if table.setdefault(alias, info.name) != info.name:
                raise ValueError(
                    f"model alias {alias!r} is claimed by both {table[alias]} and {info.name}"
                )
    return table


def _thinking_budget(name: str, entry: Mapping[str, Any]) -> int | None:
    """Anthropic's rule: at least 1024 tokens, and below the model's output limit."""
    value = entry.get("thinking_budget")
    if value is None:
        return None
    max_output = int(entry.get("max_output", 4096))
    if isinstance(value, bool) or not isinstance(value, int) or not 1024 <= value < max_output:
        raise ValueError(
            f"model {name}: thinking_budget must be an integer from 1024 to below max_output"
        )
    return value


def _optional_float(value: float | int | str | None) -> float | None:
    return None if value is None else float(value)


def _adapter(config: ProviderConfig, client: httpx.AsyncClient) -> Provider:
    if config.protocol == "offline":
        return OfflineProvider()
    if not config.base_url:
        raise ValueError(f"provider {config.name}: no base_url")
    if config.protocol == "anthropic":
        return AnthropicMessagesProvider(config.name, config.base_url, config.api_key, client)
    return OpenAIChatProvider(config.name, config.base_url, config.api_key, client)
