"""MCP over streamable HTTP at ``/mcp``, each request authenticated by its API key.

Stateless: every POST is served on its own (no MCP session to keep on one process), so
it works the same behind several workers or replicas; a tool call's progress
notifications and its result come back as the events of that POST's response.

A request without an API key (``Authorization: Bearer <key>``, ``ApiKey <key>`` or
``X-API-Key``), or with one that is not valid, is 401 with the WIRE.md error body before
the MCP layer reads it. Each tool call then admits the key as one ``/api/v1`` request.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from mcp.server.mcpserver import Context
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from ..api.deps import API_KEY, credential
from ..api.envelope import error_response
from ..domain.errors import ChatRoutesServerError, Unauthenticated
from ..services.accounts import AccountService
from ..services.server_context import ServerContext
from .tools import build_mcp_server

MCP_PATH = "/mcp"
_KEY = "chatroutes.api_key"  # where the request's authenticated key waits for its tools


class McpEndpoint:
    """The ASGI endpoint at ``/mcp``; ``running`` belongs in the application's lifespan."""

    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx
        self._sessions: StreamableHTTPSessionManager | None = None

    @property
    def sessions(self) -> StreamableHTTPSessionManager:
        """The SDK's session manager, built on first use (the lifespan's ``running``):
        the tools' argument schemas take most of the time ``create_app`` would spend,
        and an app called in process without its lifespan cannot serve ``/mcp``."""
        if self._sessions is None:
            server = build_mcp_server(self.ctx, _request_key)
            # Builds the SDK's session manager (its Starlette app is not used: we route
            # here). The Host check against DNS rebinding is off: callers authenticate by
            # a header that no page of another origin can make a browser send.
            server.streamable_http_app(
                stateless_http=True,
                max_request_body_size=self.ctx.settings.max_body_bytes,
                transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
            )
            self._sessions = server.session_manager
        return self._sessions

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The session manager, running while the application does.

        Its task group lives in a task of its own: a lifespan may be entered and left in
        different tasks (an application's lifespan driven by test fixtures), which an
        anyio task group does not allow.
        """
        started, stopping = asyncio.Event(), asyncio.Event()

        async def run() -> None:
            async with self.sessions.run():
                started.set()
                await stopping.wait()

        runner = asyncio.create_task(run())
        ready = asyncio.create_task(started.wait())
        await asyncio.wait({runner, ready}, return_when=asyncio.FIRST_COMPLETED)
        if runner.done():  # it failed to start: say why
            ready.cancel()
            runner.result()
        try:
            yield
        finally:
            stopping.set()
            await runner

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            key = await self._authenticated_key(Request(scope))
        except ChatRoutesServerError as exc:
            await error_response(exc)(scope, receive, send)
            return
        await self.sessions.handle_request({**scope, _KEY: key}, receive, send)

    async def _authenticated_key(self, request: Request) -> str:
        """The request's API key once it is known to be valid (read only: each tool call
        admits it and counts it)."""
        kind, value = credential(request)
        if kind != API_KEY:
            raise Unauthenticated("MCP takes an API key: 'Authorization: Bearer <key>'")
        await AccountService(self.ctx.db, self.ctx.secret).holder(value)
        return value


def _request_key(context: Context) -> str:
    """The key of the HTTP request that carried this call."""
    request = context.request_context.request
    assert isinstance(request, Request)
    return request.scope[_KEY]
