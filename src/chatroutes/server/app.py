"""The application factory: everything comes from ``Settings``; nothing is global."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from .. import __version__
from .api.chat import router as chat_router
from .api.cors import CorsMiddleware
from .api.errors import UnexpectedErrorMiddleware, install_error_handlers
from .api.fast_send import FastSendMiddleware
from .api.idempotency import IdempotencyMiddleware
from .api.meta import ops_router
from .api.middleware import BodyMiddleware, RateLimitHeadersMiddleware
from .api.openai import openai_router
from .api.openapi import install_openapi
from .api.router import api_router
from .api.web import mount_web
from .auth.secret import load_or_create_secret
from .domain.tokens import estimate_tokens
from .mcp.http import MCP_PATH, McpEndpoint
from .observability.install import install_observability
from .providers.registry import Registry, load_registry_data
from .providers.retries import RetryPolicy
from .providers.upstream_client import upstream_client
from .services import offload
from .services.limits import make_counters
from .services.maintenance import finish_generations, run_maintenance
from .services.recovery import recover_expired
from .services.server_context import ServerContext
from .services.webhooks_delivery import run_webhook_sender
from .settings import Settings, get_settings
from .store.database import Database, PoolSize
from .store.files import tighten_data_dir
from .store.paths import PathCache


def build_context(settings: Settings) -> ServerContext:
    tighten_data_dir(settings.data_dir)
    timeout = httpx.Timeout(
        settings.upstream_timeout_seconds, connect=settings.upstream_connect_timeout_seconds
    )
    http = upstream_client(timeout=timeout, max_connections=200)
    environ = settings.provider_env if settings.provider_env is not None else dict(os.environ)
    registry = Registry(
        load_registry_data(settings.models_file), environ, http, settings.default_model
    )
    return ServerContext(
        settings=settings,
        db=Database(
            settings.resolved_database_url(),
            sqlite_busy_timeout_ms=settings.sqlite_busy_timeout_ms,
            sqlite_synchronous=settings.sqlite_synchronous,
            pool=PoolSize(
                settings.database_pool_size,
                settings.database_pool_overflow,
                settings.database_pool_timeout_seconds,
            ),
        ),
        registry=registry,
        secret=load_or_create_secret(settings.secret_key, settings.data_dir),
        http=http,
        paths=PathCache(int(settings.path_cache_megabytes * 1024 * 1024)),
        retry_policy=RetryPolicy(
            attempts=settings.upstream_attempts,
            budget_seconds=settings.upstream_retry_budget_seconds,
        ),
    )


@asynccontextmanager
async def serving(ctx: ServerContext) -> AsyncIterator[None]:
    """A process serving ``ctx``, from start to stop: the server's lifespan, and
    ``chatroutes mcp`` on stdio."""
    # Load the tokenizer's tables now, not on the first user's send; start the worker
    # process for summaries meanwhile.
    warming = asyncio.ensure_future(offload.in_worker(estimate_tokens, ""))
    await asyncio.to_thread(estimate_tokens, "")
    await recover_expired(ctx)  # generations a crashed process left: stored as interrupted
    maintenance = asyncio.create_task(run_maintenance(ctx))
    # Webhooks: the outbox's deliveries, sent from every server unless turned off.
    deliver = ctx.settings.webhook_delivery
    sender = asyncio.create_task(run_webhook_sender(ctx)) if deliver else None
    try:
        yield
    finally:
        maintenance.cancel()
        if sender is not None:
            sender.cancel()
            await asyncio.gather(sender, return_exceptions=True)
        warming.cancel()
        await finish_generations(ctx)  # within the shutdown grace, else stored as interrupted
        await offload.stop()  # after the summaries under way
        await ctx.http.aclose()
        if ctx.counters is not None:
            await ctx.counters.close()
        await ctx.db.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    ctx = build_context(settings)
    ctx.counters = make_counters(settings, ctx.db)  # rate limits and quotas: DB or Redis
    mcp = McpEndpoint(ctx)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with serving(ctx), mcp.running():
            yield
        stop_observability()

    app = FastAPI(title="ChatRoutes", version=__version__, lifespan=lifespan)
    app.state.ctx = ctx
    install_error_handlers(app)
    install_openapi(app)  # WIRE.md errors and auth in /openapi.json
    # /v1 first: routes are matched in order, and its few never match an /api path
    app.include_router(openai_router)  # the OpenAI-compatible surface, /v1
    app.include_router(api_router)
    app.include_router(chat_router)  # the Chat API, /api/chat
    app.include_router(ops_router)  # /health, /ready, /metrics at the root
    # MCP over streamable HTTP, before the browser UI takes every other path. Starlette's
    # Route serves an endpoint that is not a function as an ASGI app, but add_route's
    # annotation names request handlers only (the same gap as strawberry-graphql#3545).
    app.router.add_route(
        MCP_PATH,
        mcp,  # type: ignore[arg-type]
        methods=["GET", "POST", "DELETE"],
        include_in_schema=False,
    )
    mount_web(app)  # the browser UI at /
    # The last added runs first: bodies are normalised before keys fingerprint them.
    app.add_middleware(FastSendMiddleware)  # innermost: the common sends, without routing
    app.add_middleware(IdempotencyMiddleware, ctx=ctx)
    app.add_middleware(BodyMiddleware, ctx=ctx)  # bounded, and credentials before bodies
    app.add_middleware(RateLimitHeadersMiddleware)  # on every response, 429s too
    # The client's address behind a trusted proxy (per-address limits), under any server;
    # X-Forwarded-For from any other peer is ignored.
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    # Unexpected errors answered inside CORS, so a browser page reads their body too.
    app.add_middleware(UnexpectedErrorMiddleware)
    if origins := settings.allowed_origins():  # CHATROUTES_CORS_ORIGINS; else no CORS at all
        # Outside everything that may answer (401, 413, replays, streams): all carry it.
        app.add_middleware(CorsMiddleware, origins=origins)
    # Outermost: request ids, metrics and access logs cover everything above.
    stop_observability = install_observability(app, ctx)
    return app
