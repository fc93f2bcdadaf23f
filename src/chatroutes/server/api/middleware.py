"""Request bodies, as plain ASGI (no per-request task overhead): bounded while they are
read, and never more than a few KB of one before its caller is known.

- Every method: a body over its route's limit is 413 as soon as it is announced
  (Content-Length) or read past the limit, and the connection is closed. The limit is
  ``max_body_bytes``; a conversation import's is the caller's plan cap within
  ``max_import_bytes`` (``services.transfer.import_limit``: guests get 403); routes
  anyone may call (sign-in, tokens, the status pages, everything outside /api) take
  ``UNAUTHENTICATED_BODY_BYTES``, more than any of them needs. ``/mcp`` is an API route,
  and so is every route of the OpenAI-compatible surface (``/v1``).
- Credentials before bodies, on every route that needs a caller: a body without any
  credential is 401 at once; no more than ``UNAUTHENTICATED_BODY_BYTES`` of a body is
  read before its credential is validated (``deps.authenticate``: an API key or a
  session token, read only), and an invalid one is 401 at once, the rest unread and the
  connection closed. A body under that size (every common send) is not checked here:
  the route authenticates it as it always does, with no extra database round trip.
- An empty POST/PATCH/PUT body reads as ``{}``: the official SDK sends ``json=None``
  for an empty dict, with a JSON content type and no body.
- ``RateLimitHeadersMiddleware`` writes the limiter's RateLimit headers on responses.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..domain.errors import ChatRoutesServerError, PayloadTooLarge
from ..services.server_context import ServerContext
from ..services.transfer import import_limit
from .deps import authenticate, credential
from .envelope import error_response_at, is_openai_path

# The most of a body read before its caller is known; also the limit of the routes
# anyone may call.
UNAUTHENTICATED_BODY_BYTES = 16 * 1024

_BODY_METHODS = {"POST", "PATCH", "PUT"}  # an absent body reads as an empty one
_IMPORT = ("POST", "/api/v1/conversations/import")
_API = "/api/"
_MCP = "/mcp"  # MCP over HTTP (server/mcp/http.py): API keys only, bodies as /api's
_CREDENTIAL_HEADERS = (b"authorization", b"x-api-key")  # as ``deps.credential`` reads
# The routes under /api that answer without credentials (tests/security holds this
# list to the OpenAPI document); every other /api route needs a caller.
OPEN_API_PATHS = frozenset(
    {
        "/api/v1/health",
        "/api/v1/status",
        "/api/v1/plans",
        "/api/v1/autobranch/health",
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/api/v1/auth/guest",
    }
)


class BodyMiddleware:
    def __init__(self, app: ASGIApp, ctx: ServerContext) -> None:
        self.app = app
        self.ctx = ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length, named = _framing(scope)
        if length == 0 and scope["method"] not in _BODY_METHODS:  # no body to bound
            await self.app(scope, receive, send)
            return
        try:
            body = await self._read(scope, length, named, receive)
        except ChatRoutesServerError as exc:
            await _refuse(exc, scope, receive, send)
            return
        if body is None:  # the client left before sending its body
            return
        if not body.strip() and scope["method"] in _BODY_METHODS:
            body = b"{}"
            headers = [
                (k, v) for k, v in scope["headers"] if k not in (b"content-type", b"content-length")
            ]
            headers += [(b"content-type", b"application/json"), (b"content-length", b"2")]
            scope = {**scope, "headers": headers}
        await self.app(scope, replaying(body, receive), send)

    async def _read(
        self, scope: Scope, length: int | None, named: bool, receive: Receive
    ) -> bytes | None:
        """The whole body within its limit, the caller checked first if it is large;
        None if the client left. ``length``: the announced size, None if unknown;
        ``named``: whether a credential header is there."""
        route = (scope["method"], scope["path"].removeprefix(scope.get("root_path", "")))
        path = route[1]
        # every route of /api but the open ones, /mcp and all of /v1 need a caller
        unchecked = (
            (path.startswith(_API) and path not in OPEN_API_PATHS)
            or path == _MCP
            or is_openai_path(path)
        )
        if unchecked:  # a caller is needed: one must at least be named
            if not named:
                credential(Request(scope))  # the usual 401, before anything is read
            settings = self.ctx.settings
            limit = settings.max_import_bytes if route == _IMPORT else settings.max_body_bytes
        else:  # nobody to know: the body stays small
            limit = UNAUTHENTICATED_BODY_BYTES
        _within(length or 0, limit)
        chunks: list[bytes] = []
        size = 0
        while True:
            if unchecked and max(size, length or 0) > UNAUTHENTICATED_BODY_BYTES:
                principal = await authenticate(Request(scope), self.ctx)
                unchecked = False
                if route == _IMPORT:
                    limit = min(limit, import_limit(self.ctx, principal))
                    _within(max(size, length or 0), limit)
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            _within(size, limit)
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _framing(scope: Scope) -> tuple[int | None, bool]:
    """In one pass over the headers: the body's size from Content-Length (0: no body;
    None: unknown, chunked), and whether a credential header is there at all."""
    length: int | None = 0
    named = False
    for name, value in scope["headers"]:
        if name == b"content-length" and length is not None:
            try:
                length = int(value)
            except ValueError:  # the server would not pass it on; count what is read
                length = None
        elif name == b"transfer-encoding":
            length = None
        elif name in _CREDENTIAL_HEADERS:
            named = True
    return length, named


def _within(size: int, limit: int) -> None:
    if size > limit:
        raise PayloadTooLarge(
            f"Request body is larger than {limit} bytes", details={"limit": limit}
        )


async def _refuse(exc: ChatRoutesServerError, scope: Scope, receive: Receive, send: Send) -> None:
    """The error, and the connection closed after it: the unread body is not waited for."""
    response = error_response_at(scope["path"], exc)
    response.headers["connection"] = "close"
    await response(scope, receive, send)


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
