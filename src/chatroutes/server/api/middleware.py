"""Body handling every route relies on, as plain ASGI (no per-request task overhead).

- An empty POST/PATCH body reads as ``{}``: the official SDK sends
  ``json=None`` for an empty dict, with a JSON content type and no body.
- A body over the configured size is refused with 413 before it is buffered.
  A conversation import may be larger: its limit is ``max_import_bytes``.
- ``RateLimitHeadersMiddleware`` writes the limiter's RateLimit headers on responses.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_BODY_METHODS = {"POST", "PATCH", "PUT"}
# Routes allowed a larger body, and the setting that bounds each.
_LARGE_BODIES = {("POST", "/api/v1/conversations/import"): "max_import_bytes"}


class BodyMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _too_large(send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if not body.strip():
            body = b"{}"
            headers = [
                (k, v) for k, v in scope["headers"] if k not in (b"content-type", b"content-length")
            ]
            headers += [(b"content-type", b"application/json"), (b"content-length", b"2")]
            scope = {**scope, "headers": headers}
        await self.app(scope, replaying(body, receive), send)

    def _limit(self, scope: Scope) -> int:
        """The body limit for this request; larger routes read the app's own settings."""
        path = scope["path"].removeprefix(scope.get("root_path", ""))
        setting = _LARGE_BODIES.get((scope["method"], path))
        ctx = getattr(getattr(scope.get("app"), "state", None), "ctx", None)
        if setting is None or ctx is None:
            return self.max_body_bytes
        return getattr(ctx.settings, setting)


async def read_body(receive: Receive) -> bytes | None:
    """The whole request body; None if the client left before it all came."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """``receive`` with ``body`` given first: for an app after one that read it already."""
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps(
        {
            "success": False,
            "error": "PAYLOAD_TOO_LARGE",
            "message": f"Request body is larger than {limit} bytes",
            "details": {"limit": limit},
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RateLimitHeadersMiddleware:
    """``RateLimit-Policy`` and ``RateLimit`` on every response to an admitted caller.

    The limiter (``deps.current_principal``) leaves where the caller stands in
    ``scope["state"]["rate_limit"]``; responses written before it ran (unauthenticated,
    malformed) carry no headers. Structured-field form of the IETF draft
    httpapi-ratelimit-headers: ``"minute";q=<limit>;w=60`` and ``"minute";r=<left>;t=<s>``.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})

        async def send_with_headers(message: Message) -> None:
            rate = state.get("rate_limit")
            if message["type"] == "http.response.start" and rate is not None:
                headers = list(message.get("headers", []))
                headers.append((b"ratelimit-policy", f'"minute";q={rate.limit};w=60'.encode()))
                headers.append(
                    (
                        b"ratelimit",
                        f'"minute";r={rate.remaining};t={rate.reset_seconds}'.encode(),
                    )
                )
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
