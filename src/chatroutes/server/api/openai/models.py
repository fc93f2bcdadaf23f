"""``GET /v1/models`` and ``GET /v1/models/{model}``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from ...schemas.openai.models import (
    OpenAIModel,
    OpenAIModelList,
    openai_model,
    openai_model_list,
)
from ...services.openai_models import SERVING_SINCE, ListedModel, listed_model, listed_models
from ..deps import Context
from ..envelope import whole
from ..openapi import errors
from .deps import OpenAIPrincipal

router = APIRouter(tags=["openai"])

# Model names hold slashes (``ollama/llama3``, ``openrouter/anthropic/claude-sonnet-4.5``).
ModelName = Annotated[str, Path(min_length=1, max_length=64)]


def _model(listed: ListedModel) -> OpenAIModel:
    return openai_model(listed.name, listed.info.provider, SERVING_SINCE)


@router.get("/models", response_model=OpenAIModelList, responses=errors(403))
async def list_models(ctx: Context, _caller: OpenAIPrincipal) -> JSONResponse:
    return whole(openai_model_list([_model(m) for m in await listed_models(ctx)]))


@router.get("/models/{model:path}", response_model=OpenAIModel, responses=errors(403))
async def retrieve_model(model: ModelName, ctx: Context, _caller: OpenAIPrincipal) -> JSONResponse:
    return whole(_model(listed_model(ctx, model)))
