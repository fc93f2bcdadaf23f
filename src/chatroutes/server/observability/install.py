"""Wiring observability into an app."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI

from ..services.server_context import ServerContext
from . import metrics
from .middleware import ObservabilityMiddleware


def install_observability(app: FastAPI, ctx: ServerContext) -> Callable[[], None]:
    """Add the middleware (call it after every other ``add_middleware``: it must run
    first), count the database pools, and trace if configured. Returns the shutdown.
    """
    app.add_middleware(ObservabilityMiddleware)
    for role, engine in ctx.db.engines.items():  # SQLite: a pool per role
        metrics.track_pool(role, engine)
    stop_tracing: Callable[[], None] | None = None
    settings = ctx.settings
    if settings.otel_endpoint:  # only then is OpenTelemetry imported
        from .tracing import install_tracing

        stop_tracing = install_tracing(app, ctx, settings.otel_endpoint, settings.otel_service_name)

    def shutdown() -> None:
        if stop_tracing is not None:
            stop_tracing()
        metrics.process_exited()

    return shutdown
