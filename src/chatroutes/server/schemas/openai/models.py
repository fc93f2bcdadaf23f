"""``GET /v1/models``: OpenAI's model object and list."""

from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict


class OpenAIModel(TypedDict):
    """A model as OpenAI lists one. ``created``: Unix seconds since this server has
    served it (the registry has no release dates); ``owned_by``: its provider."""

    id: str
    object: Literal["model"]
    created: int
    owned_by: str


class OpenAIModelList(TypedDict):
    object: Literal["list"]
    data: list[OpenAIModel]


def openai_model(name: str, provider: str, created: int) -> OpenAIModel:
    return {"id": name, "object": "model", "created": created, "owned_by": provider}


def openai_model_list(models: list[OpenAIModel]) -> OpenAIModelList:
    return {"object": "list", "data": models}
