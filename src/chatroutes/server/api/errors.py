"""One place turns every failure into the WIRE.md error body."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..domain.errors import ChatRoutesServerError, InvalidRequest, NotFound
from .envelope import error_response

logger = logging.getLogger("chatroutes.server")

_STATUS_CODES = {405: "METHOD_NOT_ALLOWED", 404: "NOT_FOUND"}


def _field_name(location: tuple[object, ...]) -> str:
    parts = [str(p) for p in location if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


async def _on_validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [
        {"field": _field_name(tuple(e.get("loc", ()))), "message": e.get("msg", "invalid")}
        for e in exc.errors()
    ]
    first = errors[0] if errors else {"field": "body", "message": "invalid request"}
    if any(e.get("type") == "json_invalid" for e in exc.errors()):
        first = {"field": "body", "message": "Request body is not valid JSON"}
    message = f"{first['field']}: {first['message']}"
    return error_response(InvalidRequest(message, field=first["field"], details={"errors": errors}))


async def _on_domain_error(_request: Request, exc: ChatRoutesServerError) -> JSONResponse:
    return error_response(exc)


async def _on_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    if exc.status_code == 404:
        return error_response(NotFound("route", request.url.path))
    error = ChatRoutesServerError(str(exc.detail))
    error.status_code = exc.status_code
    error.code = _STATUS_CODES.get(exc.status_code, "HTTP_ERROR")
    return error_response(error)


async def _on_unexpected(_request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error", exc_info=exc)
    return error_response(ChatRoutesServerError("Internal server error"))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(ChatRoutesServerError, _on_domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _on_http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _on_unexpected)
