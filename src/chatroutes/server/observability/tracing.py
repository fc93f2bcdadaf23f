"""OpenTelemetry traces, exported over OTLP/HTTP, when ``CHATROUTES_OTEL_ENDPOINT`` is set.

Needs the ``otel`` extra. Spans: each HTTP request (FastAPI), each upstream
provider call (httpx) and each database statement (SQLAlchemy). The tracer
provider belongs to the app, not to the process, so nothing global changes; it
is flushed and shut down with the app. Unset, this module is never imported.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI

from ... import __version__
from ..services.server_context import ServerContext


def install_tracing(
    app: FastAPI, ctx: ServerContext, endpoint: str, service: str
) -> Callable[[], None]:
    """Trace ``app`` to ``endpoint`` (``http://collector:4318``); returns the shutdown."""
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError as exc:
        raise RuntimeError(
            "CHATROUTES_OTEL_ENDPOINT is set but OpenTelemetry is not installed: "
            "pip install 'chatroutes[server,otel]'"
        ) from exc

    provider = TracerProvider(
        resource=Resource.create({"service.name": service, "service.version": __version__})
    )
    url = endpoint.rstrip("/")
    provider.add_span_processor(
        BatchSpanProcessor(
            OTLPSpanExporter(endpoint=url if url.endswith("/v1/traces") else url + "/v1/traces")
        )
    )
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=provider, exclude_spans=["send", "receive"]
    )
    HTTPXClientInstrumentor.instrument_client(ctx.http, tracer_provider=provider)
    sqlalchemy = SQLAlchemyInstrumentor()
    # Its declared range stops below SQLAlchemy 2.1, whose engine events it uses unchanged.
    sqlalchemy.instrument(
        engines=ctx.db.sync_engines, tracer_provider=provider, skip_dep_check=True
    )

    def shutdown() -> None:
        sqlalchemy.uninstrument()
        provider.shutdown()  # exports what is still queued

    return shutdown
