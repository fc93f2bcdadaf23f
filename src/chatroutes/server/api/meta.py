"""Health, status and the model registry; liveness, readiness and metrics for operators.

``/api/v1/health`` is the one the official SDK knows. ``/health``, ``/ready`` and
``/metrics`` sit at the root, where load balancers and Prometheus look for them.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from ... import __version__
from ..domain.errors import Forbidden, NotFound, NotReady, Unauthenticated
from ..observability.metrics import exposition
from ..observability.readiness import readiness
from ..schemas.envelope import Envelope
from ..schemas.meta import Health, Readiness, Status, health_out, readiness_out, status_out
from ..schemas.model_catalog import ModelList, model_list, model_out
from ..services.model_catalog import available_models
from .deps import Context, UserId
from .envelope import error_response, ok
from .openapi import errors

router = APIRouter(tags=["meta"])
ops_router = APIRouter(tags=["operations"])  # mounted at the root


_READY = ("ok", "not configured")


@router.get("/health", response_model=Envelope[Health])
@ops_router.get("/health", response_model=Envelope[Health])
async def health() -> JSONResponse:
    """Liveness: 200 while the process runs."""
    return ok(health_out(__version__))


@ops_router.get("/ready", response_model=Envelope[Readiness], responses=errors(503))
async def ready(ctx: Context) -> JSONResponse:
    """200 when the database answers (and Redis, if configured); 503 naming what failed."""
    checks = await readiness(ctx)
    failed = {name: state for name, state in checks.items() if state not in _READY}
    if failed:
        reasons = ", ".join(f"{name} {state}" for name, state in failed.items())
        return error_response(NotReady(f"Not ready: {reasons}", details={"checks": checks}))
    return ok(readiness_out(checks))


@ops_router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, ctx: Context) -> Response:
    """Prometheus text format; off with METRICS_ENABLED=false. With METRICS_TOKEN set, its
    bearer token is needed from anyone; without, only loopback clients are answered."""
    settings = ctx.settings
    if not settings.metrics_enabled:
        raise NotFound("route", request.url.path)
    if settings.metrics_token:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        given = value.strip().encode() if scheme.lower() == "bearer" else b""
        if not hmac.compare_digest(given, settings.metrics_token.encode()):
            raise Unauthenticated("GET /metrics needs 'Authorization: Bearer <metrics token>'")
    elif not _is_loopback(request.client.host if request.client is not None else None):
        raise Forbidden(
            "GET /metrics answers loopback clients only; set CHATROUTES_METRICS_TOKEN to "
            "scrape it from elsewhere"
        )
    body, content_type = await asyncio.to_thread(exposition)
    return Response(body, media_type=content_type)


def _is_loopback(host: str | None) -> bool:
    """Whether a client address is this machine's loopback (IPv4-mapped IPv6 included)."""
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:  # no address (a Unix socket) or a name
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


@router.get("/status", response_model=Envelope[Status])
async def status(request: Request, ctx: Context) -> JSONResponse:
    endpoints = sorted(
        f"{method.upper()} {path}"
        for path, operations in request.app.openapi()["paths"].items()
        for method in operations
    )
    return ok(status_out(__version__, ctx.db.backend, ctx.registry.default_model, endpoints))


@router.get("/models", response_model=Envelope[ModelList])
async def list_models(ctx: Context, _user: UserId) -> JSONResponse:
    registry = ctx.registry
    models = [
        model_out(
            info,
            available=registry.is_usable(info.name),
            is_default=info.name == registry.default_model,
        )
        for info in await available_models(ctx)
    ]
    return ok(model_list(models, registry.default_model))
