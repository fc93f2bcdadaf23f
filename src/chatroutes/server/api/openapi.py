"""The OpenAPI document as the server really answers: WIRE.md errors, auth, event streams.

FastAPI documents each route's success body (``response_model``) and a 422 for request
validation, which answers 400 here. ``install_openapi`` replaces it with the error
responses each operation can give, all with the WIRE.md error body (the fuzz tests
check them against real answers):

- 400 for any parameter or body, 404 for a path parameter, 413 for a body (every
  POST/PATCH/PUT, and any other operation that takes one);
- 401 and 429 (rate limit, monthly quota) where a credential is needed;
- the ``Idempotency-Key`` header on POSTs under /api/v1, and its 409 and 422;
- 500 everywhere (answering one is still a test failure);
- whatever a route adds with ``responses=errors(409, 503, …)``.

Under ``/v1`` (the OpenAI-compatible surface) the error body is OpenAI's.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import TypeAdapter

from ..schemas.envelope import ErrorBody
from ..schemas.openai.errors import OpenAIErrorBody
from .envelope import is_openai_path

_DESCRIPTIONS = {
    400: "Invalid input; `details.field` names the field",
    401: "Missing or invalid credentials",
    402: "`BUDGET_EXCEEDED`: the branch's or conversation's budget is spent (`details`)",
    403: "This credential may not do this",
    404: "No such resource for this account",
    409: "Conflict with the current state (`BRANCH_BUSY`, a key in use), with Retry-After",
    413: "Request body too large",
    422: "`Idempotency-Key` reused for a different request",
    429: "Rate limit, quota or provider limit; `retryAfter` and Retry-After say when",
    500: "Internal error",
    502: "The provider refused or failed",
    503: "The provider (or, for /ready, a dependency) is unavailable",
    504: "The provider timed out",
}
_REF = "#/components/schemas/{model}"
_ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
# Under /v1 (``api/openai``), OpenAI's error body.
_OPENAI_ERROR_CONTENT = {
    "application/json": {"schema": {"$ref": "#/components/schemas/OpenAIErrorBody"}}
}

_DEFS_KEY = "x-component-schemas"  # carried from ``sse_responses`` to ``_document``


def sse_responses(*events: type) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a 200 of server-sent events, each ``data:`` one of ``events``.

    ``itemSchema`` (OpenAPI 3.2) describes one event: its ``data`` is ``[DONE]`` or JSON.
    """
    refs, defs = TypeAdapter.json_schemas(
        [(event, "serialization", TypeAdapter(event)) for event in events],
        ref_template=_REF,
    )
    payload = {"anyOf": [refs[(event, "serialization")] for event in events]}
    data = {
        "anyOf": [
            {"const": "[DONE]"},
            {"type": "string", "contentMediaType": "application/json", "contentSchema": payload},
        ]
    }
    event = {
        "type": "object",
        "properties": {"data": data, "id": {"type": "string"}, "event": {"type": "string"}},
        "required": ["data"],
    }
    # As in OpenAPI 3.2: ``itemSchema`` is one event, ``schema`` the whole stream.
    stream = {"type": "array", "items": event}
    media = {"schema": stream, "itemSchema": event, _DEFS_KEY: defs["$defs"]}
    return {
        200: {
            "description": "Server-sent events (WIRE.md), then `data: [DONE]`",
            "content": {"text/event-stream": media},
        }
    }


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for the error statuses a route adds to those derived from it."""
    return {code: {"description": _DESCRIPTIONS[code]} for code in codes}


# ``api/idempotency.py``: POSTs under /api/v1 honour the header.
_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Retries with the same key get the first answer; no second write",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
}


def _derived_errors(method: str, operation: dict[str, Any]) -> set[int]:
    codes = {500}
    if any(p["name"] == _IDEMPOTENCY_KEY["name"] for p in operation.get("parameters", [])):
        codes |= {409, 422}  # the key is in use, or was used for another request
    if operation.get("security"):
        codes |= {401, 429}
    parameters = operation.get("parameters", [])
    if parameters or "requestBody" in operation:
        codes.add(400)
    if any(p["in"] == "path" for p in parameters):
        codes.add(404)
    if method in ("post", "patch", "put") or "requestBody" in operation:
        codes.add(413)
    return codes


def _document(schema: dict[str, Any]) -> None:
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas["ErrorBody"] = TypeAdapter(ErrorBody).json_schema(ref_template=_REF)
    openai_body = TypeAdapter(OpenAIErrorBody).json_schema(ref_template=_REF)
    schemas.update(openai_body.pop("$defs", {}))
    schemas["OpenAIErrorBody"] = openai_body
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method == "post" and path.startswith("/api/v1/"):
                operation.setdefault("parameters", []).append(_IDEMPOTENCY_KEY)
            responses = operation["responses"]
            responses.pop("422", None)  # request validation answers 400
            for code in _derived_errors(method, operation):
                responses.setdefault(str(code), {"description": _DESCRIPTIONS[code]})
            error_content = _OPENAI_ERROR_CONTENT if is_openai_path(path) else _ERROR_CONTENT
            for status, response in responses.items():
                if int(status) >= 400:
                    response["content"] = error_content
                for media in response.get("content", {}).values():
                    schemas.update(media.pop(_DEFS_KEY, {}))
            operation["responses"] = dict(sorted(responses.items()))


def install_openapi(app: FastAPI) -> None:
    """``app.openapi()`` (and ``/openapi.json``) serve the completed document."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                openapi_version=app.openapi_version,
                routes=app.routes,
            )
            _document(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
