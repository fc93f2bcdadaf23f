"""Answers as JSON: the WIRE.md envelope ``{"success": true, "data": …}``, whole bodies,
and the error body."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from fastapi.responses import JSONResponse

from ..domain.errors import ChatRoutesServerError
from ..schemas.envelope import error_body
from ..schemas.openai.errors import openai_error

# The OpenAI-compatible surface (``api/openai``): its answers, errors included, are OpenAI's.
OPENAI_PREFIX = "/v1"


class _Json(JSONResponse):
    """Starlette's ``JSONResponse`` (compact UTF-8) rendered by orjson, five times faster."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


def ok(data: Mapping[str, Any] | None = None, *, status_code: int = 200) -> JSONResponse:
    """``{"success": true, "data": data}``, or ``{"success": true}`` without data."""
    body: dict[str, Any] = {"success": True}
    if data is not None:
        body["data"] = data
    return _Json(body, status_code=status_code)


def whole(body: Mapping[str, Any], *, status_code: int = 200) -> JSONResponse:
    """A body its schema builds whole (``data`` repeated at the top level, for the SDKs)."""
    return _Json(body, status_code=status_code)


def secret_ok(data: Mapping[str, Any], *, status_code: int = 200) -> JSONResponse:
    """``ok`` for an answer that carries a secret (an API key, session tokens).

    ``Cache-Control: no-store``: no cache keeps it, and neither does an
    ``Idempotency-Key`` record (``services/idempotency.py``), so it is never replayed.
    """
    response = ok(data, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


def is_openai_path(path: str) -> bool:
    return path == OPENAI_PREFIX or path.startswith(OPENAI_PREFIX + "/")


def error_response_at(path: str, exc: ChatRoutesServerError) -> JSONResponse:
    """The error as the surface of ``path`` renders it: OpenAI's body under ``/v1``,
    WIRE.md's everywhere else."""
    return openai_error_response(exc) if is_openai_path(path) else error_response(exc)


def openai_error_response(exc: ChatRoutesServerError) -> JSONResponse:
    """OpenAI's error body and status (``schemas/openai/errors.py``), ``Retry-After`` on a
    429 that says when, and ``x-should-retry: false`` where retrying cannot help (a spent
    quota), which the OpenAI SDKs obey."""
    status, body = openai_error(exc)
    headers = {}
    if exc.retry_after is not None:
        headers["Retry-After"] = str(exc.retry_after)
    if body["error"]["type"] == "insufficient_quota":
        headers["x-should-retry"] = "false"
    return _Json(body, status_code=status, headers=headers)


def error_response(exc: ChatRoutesServerError) -> JSONResponse:
    headers = {}
    if exc.retry_after is not None:
        headers["Retry-After"] = str(exc.retry_after)
    if exc.status_code == 401:
        headers["WWW-Authenticate"] = 'ApiKey realm="chatroutes"'
    return JSONResponse(error_body(exc), status_code=exc.status_code, headers=headers)
