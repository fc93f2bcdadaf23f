"""``Idempotency-Key`` on POSTs under /api/v1, as plain ASGI (see services/idempotency.py).

A request without the header costs one header scan. With it (and a credential; without
one the request goes on so that auth answers 401) the first request claims the key and
runs; its response goes to the client as it is produced -- a stream chunk by chunk --
while a copy is kept, and once the response is complete the copy is stored (or, for an
answer worth retrying, the key is released) before its last chunk is sent, so a client
that retries as soon as it has the answer finds it. A repeat is answered from the
store with ``Idempotent-Replayed: true``, without running the endpoint.

A client that goes away mid-response does not end the request: the endpoint is not
told (for as long as the claim's lock holds, ``idempotency_lock_seconds``), its
response is produced to the end -- a streamed reply until the generation finishes --
and stored, so the retry finds the key in use until then and the whole answer after,
and the work is never done twice. Past the lock the endpoint is told, as without a key.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from functools import partial
from typing import Any

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..domain.errors import ChatRoutesServerError, InvalidRequest
from ..services.idempotency import (
    HEADER,
    Claim,
    IdempotencyService,
    StoredResponse,
    check_key,
    fingerprint,
    is_kept,
    scope_of,
)
from ..services.server_context import ServerContext, utcnow
from .deps import authenticate
from .envelope import error_response_at
from .middleware import read_body

logger = logging.getLogger("chatroutes.server")

_HEADER = HEADER.lower().encode()
_PREFIX = "/api/v1/"
_REPLAYED = (b"idempotent-replayed", b"true")


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, ctx: ServerContext) -> None:
        self.app = app
        self.ctx = ctx
        self.service = IdempotencyService(ctx.db, ctx.settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        keys = [value for name, value in scope["headers"] if name == _HEADER]
        path = scope["path"].removeprefix(scope.get("root_path", ""))
        if not keys or not path.startswith(_PREFIX):
            await self.app(scope, receive, send)
            return
        credential = _raw_credential(scope)
        if credential is None:  # auth will answer 401
            await self.app(scope, receive, send)
            return
        try:
            if len(keys) > 1:
                raise InvalidRequest(f"Send one {HEADER} header", field=HEADER)
            key = check_key(keys[0].decode("latin-1"))
        except InvalidRequest as exc:
            await error_response_at(scope["path"], exc)(scope, receive, send)
            return
        body = await read_body(receive)
        if body is None:  # the client left before sending its body
            return
        request_hash = fingerprint("POST", path, scope.get("query_string", b""), body)
        try:
            outcome = await self.service.begin(scope_of(credential), key, request_hash)
        except ChatRoutesServerError as exc:  # in use, or reused for another request
            await error_response_at(scope["path"], exc)(scope, receive, send)
            return
        if isinstance(outcome, StoredResponse):
            try:  # a stored answer goes only to a credential that still authenticates
                await authenticate(Request(scope), self.ctx)
            except ChatRoutesServerError as exc:
                await error_response_at(scope["path"], exc)(scope, receive, send)
                return
            await _replay(outcome, send)
            return
        if self.service.purge_due():
            self.ctx.spawn(self._purge())
        await self._run(outcome, scope, body, receive, send)

    async def _run(
        self, claim: Claim, scope: Scope, body: bytes, receive: Receive, send: Send
    ) -> None:
        """Run the request, forwarding its response; store it or release the key at the end."""
        status = 0
        raw_headers: list[tuple[bytes, bytes]] = []
        parts: list[bytes] = []
        delivered = disconnected = settled = False

        async def inner_receive() -> Message:
            nonlocal delivered, disconnected
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            if not disconnected:
                message = await receive()
                if message["type"] != "http.disconnect":
                    return message
                disconnected = True
            # The client left: the request goes on while the claim holds, then is told.
            await asyncio.sleep((claim.locked_until - utcnow()).total_seconds())
            return {"type": "http.disconnect"}

        async def settle() -> None:
            nonlocal settled
            settled = True
            if not is_kept(status):
                await self._settle(partial(self.service.release, claim))
                return
            headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw_headers]
            response = StoredResponse(status, headers, b"".join(parts))
            await self._settle(partial(self.service.complete, claim, response))

        async def forward(message: Message) -> None:
            """To the client while it is there; once it left, the response goes on unsent."""
            nonlocal disconnected
            if disconnected:
                return
            try:
                await send(message)
            except OSError:  # a server that reports the gone client on send (ASGI 2.4)
                disconnected = True

        async def inner_send(message: Message) -> None:
            nonlocal status, raw_headers
            if message["type"] == "http.response.start":
                # a copy: a middleware further out may add to the list as it sends it on
                status, raw_headers = message["status"], list(message["headers"])
            elif message["type"] == "http.response.body" and not settled:
                if is_kept(status):
                    parts.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await settle()
            await forward(message)

        try:
            await self.app(scope, inner_receive, inner_send)
        finally:
            if not settled:  # failed, cancelled, or told of its gone client past the lock
                settled = True
                await self._settle(partial(self.service.release, claim))

    async def _settle(self, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Store or release the claim; a failure is logged, not raised.

        If this request is cancelled meanwhile, the work is done once more apart from it
        (both match the claim's token, so twice is as once) and the cancellation goes on.
        """
        try:
            await _logged(work())
        except asyncio.CancelledError:
            self.ctx.spawn(_logged(work()))
            raise

    async def _purge(self) -> None:
        try:
            await self.service.purge_expired()
        except Exception:
            logger.exception("could not purge expired idempotency keys")


async def _logged(work: Coroutine[Any, Any, None]) -> None:
    try:
        await work
    except Exception:
        logger.exception("could not store or release an idempotency key")


def _raw_credential(scope: Scope) -> str | None:
    """The key or token a request authenticates with, however it is sent; None: none.

    The same shapes as ``deps.credential`` accepts; which kind it is does not
    matter here, only whose it is.
    """
    headers = Headers(scope=scope)
    authorization = headers.get("authorization")
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() not in ("apikey", "bearer") or not value.strip():
            return None
        return value.strip()
    return headers.get("x-api-key", "").strip() or None


async def _replay(stored: StoredResponse, send: Send) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in stored.headers]
    await send(
        {
            "type": "http.response.start",
            "status": stored.status_code,
            "headers": [*headers, _REPLAYED],
        }
    )
    await send({"type": "http.response.body", "body": stored.body, "more_body": False})
