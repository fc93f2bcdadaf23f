"""The models a user can pick: the registry, plus what local hosts serve right now."""

from __future__ import annotations

import logging

from ..domain.errors import ProviderError
from ..providers.ollama import local_models
from ..providers.registry import ModelInfo
from .server_context import ServerContext

logger = logging.getLogger("chatroutes.server")


async def available_models(ctx: ServerContext) -> list[ModelInfo]:
    registry = ctx.registry
    models = list(registry.models.values())
    for provider in registry.dynamic_providers():
        assert provider.base_url is not None
        try:
            names = await local_models(ctx.http, provider.base_url)
        except ProviderError as exc:  # a host that is down lists nothing, and says why
            logger.warning("cannot list %s models: %s", provider.name, exc.message)
            continue
        models.extend(registry.get(f"{provider.name}/{name}") for name in names)
    return models
