"""Per request: a request id, the HTTP metrics, and the access log record (plain ASGI).

Runs outermost, so it times everything and its ``X-Request-Id`` is on every
response: errors, early refusals of the inner middlewares, SSE streams. The
route label is the matched route's template, read from the scope after routing;
requests no route matched are labelled ``unmatched``, never by their path.
"""

from __future__ import annotations

import logging
import random
import re
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..api.envelope import error_response_at
from ..domain.errors import ChatRoutesServerError
from . import metrics
from .logs import ACCESS_LOGGER, REQUEST_ID

HEADER = b"x-request-id"
MAX_REQUEST_ID = 128
_VALID_ID = re.compile(rb"[A-Za-z0-9._:/+=@-]{1,%d}" % MAX_REQUEST_ID)
UNMATCHED = "unmatched"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
access_logger = logging.getLogger(ACCESS_LOGGER)


def request_id_from(headers: list[tuple[bytes, bytes]]) -> str:
    """The caller's ``X-Request-Id`` when it is a sane token, else a new random one.

    New ids are 128 random bits; an id needs to be unique, not secret, and ``random``
    (reseeded in forked children) is several times cheaper than ``os.urandom``.
    """
    for name, value in headers:
        if name == HEADER:
            if _VALID_ID.fullmatch(value):
                return value.decode()
            break
    return f"{random.getrandbits(128):032x}"


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # id(route) -> (the route, a regex finding it at the end of a path, its template);
        # routes compare by value and cannot be dict keys themselves.
        self._templates: dict[int, tuple[Any, re.Pattern[str], str]] = {}
        self._documented: list[tuple[re.Pattern[str], frozenset[str], str]] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = request_id_from(scope["headers"])
        token = REQUEST_ID.set(request_id)
        header = (HEADER, request_id.encode())
        status = 500
        response_started = streaming = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started, streaming
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = [*message.get("headers", ()), header]
                message = {**message, "headers": headers}
                for name, value in headers:
                    if name == b"content-type" and value.startswith(b"text/event-stream"):
                        streaming = True
                        metrics.STREAMS_IN_FLIGHT.inc()
                        break
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Unexpected, and not answered within (``UnexpectedErrorMiddleware`` answers
            # the app's): answer the WIRE.md 500 here so it carries the id; the app's
            # handler outside logs it (the id is still set for it) and the server too.
            if not response_started:
                failure = ChatRoutesServerError("Internal server error")
                await error_response_at(scope["path"], failure)(scope, receive, send_with_id)
            raise
        else:
            REQUEST_ID.reset(token)
        finally:
            if streaming:
                metrics.STREAMS_IN_FLIGHT.dec()
            elapsed = time.perf_counter() - started
            route = self.route_of(scope)
            method = scope["method"] if scope["method"] in _METHODS else "OTHER"  # bounded
            metrics.observe_request(method, route, status, elapsed)
            if access_logger.isEnabledFor(logging.INFO):
                _log_access(scope, route, status, elapsed, request_id)

    def route_of(self, scope: Scope) -> str:
        """The matched route's full template (``/api/v1/conversations/{conversation_id}``)."""
        route = scope.get("route")
        if route is None:  # an inner middleware answered, or passed on a copy of the scope
            return self._documented_template(scope)
        known = self._templates.get(id(route))
        if known is None or known[0] is not route:
            known = (route, *_suffix_template(route))
            self._templates[id(route)] = known
        _, suffix, template = known
        if not template:
            return UNMATCHED
        # An included router's routes hold their own path; the prefix is what precedes it.
        path = scope["path"]
        found = suffix.search(path)
        return path[: found.start()] + template if found and found.start() else template

    def _documented_template(self, scope: Scope) -> str:
        """The rare path: match the request against the app's documented routes."""
        if self._documented is None:
            try:
                self._documented = _documented_routes(scope["app"])
            except Exception:  # no schema, no templates: never fail the request for a label
                logging.getLogger("chatroutes.server").exception("route table unavailable")
                self._documented = []
        path, method = scope["path"], scope["method"]
        for regex, methods, template in self._documented:
            if method in methods and regex.fullmatch(path):
                return template
        return UNMATCHED


def _documented_routes(app: Any) -> list[tuple[re.Pattern[str], frozenset[str], str]]:
    """Each OpenAPI path as a regex, with its methods and template (built once)."""
    table = []
    for template, operations in app.openapi().get("paths", {}).items():
        pieces = re.split(r"\{[^}]*\}", template)
        regex = re.compile("[^/]+".join(re.escape(piece) for piece in pieces))
        table.append((regex, frozenset(m.upper() for m in operations), template))
    return table


def _suffix_template(route: Any) -> tuple[re.Pattern[str], str]:
    template = getattr(route, "path_format", None) or getattr(route, "path", None) or ""
    regex = getattr(route, "path_regex", None)
    pattern = regex.pattern.removeprefix("^") if regex is not None else re.escape(template) + "$"
    return re.compile(pattern), template


def _log_access(scope: Scope, route: str, status: int, elapsed: float, request_id: str) -> None:
    principal = scope.get("state", {}).get("principal")
    access_logger.info(
        "%s %s %d",
        scope["method"],
        route,
        status,
        extra={
            "request_id": request_id,
            "method": scope["method"],
            "route": route,
            "path": scope["path"],
            "status": status,
            "duration_ms": round(elapsed * 1000, 3),
            "user_id": getattr(principal, "user_id", None),
        },
    )
