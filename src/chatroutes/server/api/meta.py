"""Health, status and the model registry."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ... import __version__
from ..schemas.usage import price_out
from ..services.models import available_models
from .deps import Context, UserId
from .envelope import ok

router = APIRouter(tags=["meta"])


@router.get("/health")
async def health() -> JSONResponse:
    return ok({"status": "ok", "version": __version__})


@router.get("/status")
async def status(request: Request, ctx: Context) -> JSONResponse:
    endpoints = sorted(
        f"{method.upper()} {path}"
        for path, operations in request.app.openapi()["paths"].items()
        for method in operations
    )
    return ok(
        {
            "status": "operational",
            "version": __version__,
            "storage": {"backend": ctx.db.backend},
            "defaultModel": ctx.registry.default_model,
            "endpoints": endpoints,
        }
    )


@router.get("/models")
async def list_models(ctx: Context, _user: UserId) -> JSONResponse:
    registry = ctx.registry
    models = [
        {
            "id": info.name,
            "name": info.name,
            "provider": info.provider,
            "upstreamId": info.upstream_id,
            "contextWindow": info.context_window,
            "maxOutputTokens": info.max_output,
            "streaming": info.streaming,
            "vision": info.vision,
            "tools": info.tools,
            "available": registry.is_usable(info.name),
            "isDefault": info.name == registry.default_model,
            "pricing": price_out(info),
        }
        for info in await available_models(ctx)
    ]
    return ok({"models": models, "defaultModel": registry.default_model})
