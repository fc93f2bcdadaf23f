"""The models ``/v1/models`` lists: every model of the registry and every alias of one,
with what local hosts serve right now (``model_catalog.available_models``)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..providers.registry import ModelInfo
from .model_catalog import available_models
from .sending.given import model_not_found
from .server_context import ServerContext

# When this process began serving its registry: the ``created`` of every model it lists.
SERVING_SINCE = int(time.time())


@dataclass(frozen=True)
class ListedModel:
    """A name a client may send as ``model``: a model's own, or an alias of it."""

    name: str
    info: ModelInfo


async def listed_models(ctx: ServerContext) -> list[ListedModel]:
    """Each model under its own name, then under each of its aliases."""
    listed: list[ListedModel] = []
    for info in await available_models(ctx):
        listed.append(ListedModel(info.name, info))
        listed.extend(ListedModel(alias, info) for alias in info.aliases)
    return listed


def listed_model(ctx: ServerContext, name: str) -> ListedModel:
    """The model (or alias) named ``name``; 404 ``model_not_found`` when there is none."""
    info = ctx.registry.find(name)
    if info is None:
        raise model_not_found(name)
    return ListedModel(name, info)
