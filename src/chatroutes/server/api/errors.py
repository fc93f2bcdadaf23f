"""One place turns every failure into the WIRE.md error body.

Domain errors, request validation and HTTP errors are rendered by the app's exception
handlers. An unexpected exception is answered by ``UnexpectedErrorMiddleware``, inside
the CORS middleware, so that a browser page reads its 500 body; the ``Exception``
handler (in Starlette's ``ServerErrorMiddleware``, outside every middleware) is left
for failures of the middlewares outside it.
"""

from __future__ import annotations

import logging

import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..domain.errors import ChatRoutesServerError, InvalidRequest, NotFound, ServerBusy
from .envelope import error_response_at, is_openai_path

logger = logging.getLogger("chatroutes.server")

_STATUS_CODES = {405: "METHOD_NOT_ALLOWED", 404: "NOT_FOUND"}


def _field_name(location: tuple[object, ...]) -> str:
    parts = [str(p) for p in location if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def _openai_param(location: tuple[object, ...]) -> str:
    """The field as OpenAI's ``param`` names it: ``messages[0].content``."""
    param = ""
    for part in location:
        if part in ("body", "query", "path", "header"):
            continue
        param += f"[{part}]" if isinstance(part, int) else (f".{part}" if param else str(part))
    return param or "body"


async def _on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    name = _openai_param if is_openai_path(request.url.path) else _field_name
    errors = [
        {"field": name(tuple(e.get("loc", ()))), "message": e.get("msg", "invalid")}
        for e in exc.errors()
    ]
    first = errors[0] if errors else {"field": "body", "message": "invalid request"}
    if any(e.get("type") == "json_invalid" for e in exc.errors()):
        first = {"field": "body", "message": "Request body is not valid JSON"}
    message = f"{first['field']}: {first['message']}"
    error = InvalidRequest(message, field=first["field"], details={"errors": errors})
    return error_response_at(request.url.path, error)


async def _on_domain_error(request: Request, exc: ChatRoutesServerError) -> JSONResponse:
    return error_response_at(request.url.path, exc)


async def _on_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    if exc.status_code == 404:
        return error_response_at(request.url.path, NotFound("route", request.url.path))
    error = ChatRoutesServerError(str(exc.detail))
    error.status_code = exc.status_code
    error.code = _STATUS_CODES.get(exc.status_code, "HTTP_ERROR")
    return error_response_at(request.url.path, error)


def _internal_error(exc: Exception) -> ChatRoutesServerError:
    """What a client is told of an exception nothing handled: a pool with no connection
    free is a 503 to retry (logged as a warning), anything else a 500 (logged with its
    traceback); never the exception's own text."""
    if isinstance(exc, sqlalchemy.exc.TimeoutError):
        logger.warning("no database connection free in time: %s", exc)
        return ServerBusy()
    logger.exception("unhandled error", exc_info=exc)
    return ChatRoutesServerError("Internal server error")


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    return error_response_at(request.url.path, _internal_error(exc))


class UnexpectedErrorMiddleware:
    """An exception nothing handled: logged, and answered with the error body and 500
    (503 SERVER_BUSY when no database connection came free in time).

    Plain ASGI, added just inside ``CorsMiddleware`` so that the answer carries the
    headers an allowed origin gets, like every other answer. The exception is not
    raised further: it is answered and logged here. One raised after the response
    started (an event stream) cannot be answered, and is raised on.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_noting_start(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_noting_start)
        except Exception as exc:
            if started:
                raise
            await error_response_at(scope["path"], _internal_error(exc))(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(ChatRoutesServerError, _on_domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _on_http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _on_unexpected)
