"""Ollama's own API, for what the OpenAI-compatible one lacks: the list of local models."""

from __future__ import annotations

import httpx

from ..domain.errors import ProviderUnavailable
from ._transport import upstream_errors


async def local_models(client: httpx.AsyncClient, base_url: str) -> list[str]:
    """Names of the models pulled on the Ollama host behind ``base_url`` (``…/v1``)."""
    host = base_url.removesuffix("/").removesuffix("/v1")
    async with upstream_errors("ollama"):
        response = await client.get(f"{host}/api/tags", timeout=5.0)
    if response.status_code != 200:
        raise ProviderUnavailable(f"ollama answered {response.status_code} for its model list")
    return sorted(model["name"] for model in response.json().get("models", []))
