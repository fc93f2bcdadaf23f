"""CORS for the pages of the origins an operator allows (``CHATROUTES_CORS_ORIGINS``).

Plain ASGI, just inside the observability middleware, so every answer of the app and of
the middlewares within (401s and 413s of ``BodyMiddleware``, replayed idempotent answers,
SSE streams) carries the headers, and a preflight is answered before any of them: it
has no credential. Only the response's start is touched, never a streamed chunk.

- An allowed origin gets ``Access-Control-Allow-Origin: <that origin>`` on every answer,
  with ``Access-Control-Expose-Headers`` naming what our clients read from responses;
  a preflight (``OPTIONS`` with ``Access-Control-Request-Method``) is 204 with the
  methods and request headers our clients send, and whatever other headers it asks for
  (the ``openai`` SDKs add their ``X-Stainless-*`` ones): the origin is trusted, and
  no header carries a credential the page was not given.
- Any other origin, or none, gets no CORS header at all: the browser keeps the answer
  from the page. ``Vary: Origin`` is on every answer, so a cache never hands one
  origin's answer to another.
- Never ``Access-Control-Allow-Credentials``: credentials travel in ``Authorization`` /
  ``X-API-Key`` headers, never in cookies, so a page can only use a key it was given.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
ALLOWED_REQUEST_HEADERS = (
    "Authorization, X-API-Key, Content-Type, Accept, Idempotency-Key, Last-Event-ID, X-Request-Id"
)
EXPOSED_HEADERS = (
    "RateLimit, RateLimit-Policy, Retry-After, X-Request-Id, Idempotent-Replayed, "
    "Content-Disposition, X-Chatroutes-Conversation-Id"
)
PREFLIGHT_MAX_AGE_SECONDS = 600

_VARY = (b"vary", b"Origin")
_EXPOSE = (b"access-control-expose-headers", EXPOSED_HEADERS.encode())
_PREFLIGHT = [
    (b"access-control-allow-methods", ALLOWED_METHODS.encode()),
    (b"access-control-max-age", str(PREFLIGHT_MAX_AGE_SECONDS).encode()),
    _VARY,
]


class CorsMiddleware:
    def __init__(self, app: ASGIApp, origins: frozenset[str]) -> None:
        self.app = app
        self.origins = {origin.encode() for origin in origins}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin, preflight = _origin_and_preflight(scope)
        if origin is None or origin not in self.origins:
            added = [_VARY]  # no CORS header: the browser keeps the answer from the page
        elif preflight is not None:
            await _answer_preflight(origin, preflight, send)
            return
        else:
            added = [_VARY, (b"access-control-allow-origin", origin), _EXPOSE]

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *added]}
            await send(message)

        await self.app(scope, receive, send_with_cors)


def _origin_and_preflight(scope: Scope) -> tuple[bytes | None, bytes | None]:
    """The ``Origin`` header and, for a CORS preflight, the request headers it asks
    for (``b""``: none); None for any other request."""
    origin = None
    asks_method = False
    asks_headers = b""
    for name, value in scope["headers"]:
        if name == b"origin":
            origin = value
        elif name == b"access-control-request-method":
            asks_method = True
        elif name == b"access-control-request-headers":
            asks_headers = value
    return origin, asks_headers if asks_method and scope["method"] == "OPTIONS" else None


async def _answer_preflight(origin: bytes, asked_headers: bytes, send: Send) -> None:
    allowed = ALLOWED_REQUEST_HEADERS.encode() + (b", " + asked_headers if asked_headers else b"")
    headers = [
        (b"access-control-allow-origin", origin),
        (b"access-control-allow-headers", allowed),
        *_PREFLIGHT,
        (b"content-length", b"0"),
    ]
    await send({"type": "http.response.start", "status": 204, "headers": headers})
    await send({"type": "http.response.body", "body": b""})
