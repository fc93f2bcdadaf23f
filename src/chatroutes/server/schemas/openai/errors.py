"""OpenAI's error body, ``{"error": {"message", "type", "param", "code"}}``, for every
answer under ``/v1``, with the status OpenAI gives each kind of failure, so its SDKs
raise their own classes (``BadRequestError``, ``AuthenticationError``, ``RateLimitError``…).

Our domain errors keep their meaning; only their rendering differs from WIRE.md's:

| our error | status | ``type`` | ``code`` |
|---|---|---|---|
| ``InvalidRequest`` (``param``: the field) | 400 | ``invalid_request_error`` | null |
| ``IdempotencyKeyReused`` (422) | 400 | ``invalid_request_error`` | ``idempotency_key_reused`` |
| ``Unauthenticated`` | 401 | ``invalid_request_error`` | ``invalid_api_key`` |
| ``Forbidden`` | 403 | ``permission_error`` | ``permission_denied`` |
| ``NotFound`` (a model: ``model_not_found``) | 404 | ``invalid_request_error`` | ``not_found`` |
| ``Conflict`` and its kinds | 409 | ``invalid_request_error`` | its code, lower case |
| ``PayloadTooLarge`` | 413 | ``invalid_request_error`` | ``payload_too_large`` |
| ``RateLimited``, ``ProviderRateLimited`` | 429 | ``requests`` | ``rate_limit_exceeded`` |
| ``QuotaExceeded`` | 429 | ``insufficient_quota`` | ``insufficient_quota`` |
| ``ProviderError`` and its kinds | 502/503/504 | ``server_error`` | its code, lower case |
| anything else | 500 | ``server_error`` | null |

OpenAI answers a spent quota with 429 ``insufficient_quota`` (not 402); the API layer adds
``x-should-retry: false`` to it, so the SDKs do not retry what a month will not change.
"""

from __future__ import annotations

from typing import Any

from typing_extensions import TypedDict

from ...domain.errors import (
    ChatRoutesServerError,
    Conflict,
    Forbidden,
    IdempotencyKeyReused,
    InvalidRequest,
    NotFound,
    PayloadTooLarge,
    ProviderError,
    ProviderRateLimited,
    QuotaExceeded,
    RateLimited,
    Unauthenticated,
)

INVALID_REQUEST = "invalid_request_error"
SERVER_ERROR = "server_error"


class OpenAIErrorFields(TypedDict):
    message: str
    type: str
    param: str | None
    code: str | None


class OpenAIErrorBody(TypedDict):
    """Every failure under ``/v1``."""

    error: OpenAIErrorFields


# (class, status, type, code): the first the error is an instance of wins; a None code
# is the error's own, lower case. Subclasses before their parents.
_KINDS: tuple[tuple[type[ChatRoutesServerError], int, str, str | None], ...] = (
    (InvalidRequest, 400, INVALID_REQUEST, None),
    (IdempotencyKeyReused, 400, INVALID_REQUEST, "idempotency_key_reused"),
    (Unauthenticated, 401, INVALID_REQUEST, "invalid_api_key"),
    (Forbidden, 403, "permission_error", "permission_denied"),
    (NotFound, 404, INVALID_REQUEST, "not_found"),
    (Conflict, 409, INVALID_REQUEST, None),
    (PayloadTooLarge, 413, INVALID_REQUEST, "payload_too_large"),
    (RateLimited, 429, "requests", "rate_limit_exceeded"),
    (ProviderRateLimited, 429, "requests", "rate_limit_exceeded"),
    (QuotaExceeded, 429, "insufficient_quota", "insufficient_quota"),
    (ProviderError, 0, SERVER_ERROR, None),  # 0: the error's own status (502, 503, 504)
)


def openai_error(error: ChatRoutesServerError) -> tuple[int, OpenAIErrorBody]:
    """The status and OpenAI-shaped body of one of our errors."""
    kind = next((k for k in _KINDS if isinstance(error, k[0])), None)
    if kind is None:  # ours, or an HTTP error of the router (405…): the client's below 500
        error_type = INVALID_REQUEST if error.status_code < 500 else SERVER_ERROR
        code = None if type(error) is ChatRoutesServerError else error.code.lower()
        return error.status_code, openai_error_body(error.message, error_type, code=code)
    _, status, error_type, code = kind
    if isinstance(error, InvalidRequest):
        code = None
    elif isinstance(error, NotFound) and error.details.get("resource") == "model":
        code = "model_not_found"
    elif code is None:
        code = error.code.lower()
    return status or error.status_code, openai_error_body(
        error.message, error_type, param=_param(error), code=code
    )


def openai_error_body(
    message: str, error_type: str, *, param: str | None = None, code: str | None = None
) -> OpenAIErrorBody:
    return {"error": {"message": message, "type": error_type, "param": param, "code": code}}


def _param(error: ChatRoutesServerError) -> str | None:
    field: Any = error.details.get("field")
    return field if isinstance(field, str) else None
