"""The SDK's exceptions: the official SDK's classes, names and attributes, plus a few more.

::

    ChatRoutesError(message, status_code, code, details)   any failure; .body = the error body
    ├── ValidationError          400  VALIDATION_ERROR
    ├── AuthenticationError      401  AUTHENTICATION_ERROR
    ├── BudgetExceededError      402  BUDGET_EXCEEDED (a branch's or conversation's budget)
    ├── PermissionDeniedError    403  (the server's code)
    ├── NotFoundError            404  NOT_FOUND
    ├── ConflictError            409  (the server's code, e.g. BRANCH_BUSY)
    ├── RateLimitError           429  RATE_LIMIT_EXCEEDED, .retry_after (seconds)
    ├── ServerError              5xx  SERVER_ERROR
    │   └── StreamError               an ``error`` event inside a stream
    └── NetworkError             0    NETWORK_ERROR (connect, read, timeout)

The classes of chatroutes 0.2.6 keep their fixed ``status_code`` and ``code`` so code
that compares them still works; the server's own error code is ``error_code``.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = [
    "AuthenticationError",
    "BudgetExceededError",
    "ChatRoutesError",
    "ConflictError",
    "NetworkError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "StreamError",
    "ValidationError",
]


class ChatRoutesError(Exception):
    """Base class of every SDK error; ``message``, ``status_code``, ``code``, ``details``."""

    #: The decoded error body of the response, when there was one.
    body: dict[str, Any] | None = None

    def __init__(
        self,
        message: str,
        status_code: int = 500,
        code: str | None = None,
        details: Any | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.code = code
        self.details = details

    @property
    def error_code(self) -> str | None:
        """The server's stable error code (``body["error"]``), e.g. ``BRANCH_BUSY``."""
        if self.body and isinstance(self.body.get("error"), str):
            return str(self.body["error"])
        return self.code


class AuthenticationError(ChatRoutesError):
    """401: the API key is missing, malformed, unknown or revoked."""

    def __init__(self, message: str = "Authentication failed", details: Any | None = None) -> None:
        super().__init__(message, 401, "AUTHENTICATION_ERROR", details)


class RateLimitError(ChatRoutesError):
    """429: too many requests or a quota reached; ``retry_after`` in seconds, if known."""

    def __init__(
        self,
        message: str = "Rate limit exceeded",
        retry_after: int | None = None,
        details: Any | None = None,
    ) -> None:
        super().__init__(message, 429, "RATE_LIMIT_EXCEEDED", details)
        self.retry_after = retry_after


class ValidationError(ChatRoutesError):
    """400: the request was refused as invalid; ``details`` names the field."""

    def __init__(self, message: str = "Validation failed", details: Any | None = None) -> None:
        super().__init__(message, 400, "VALIDATION_ERROR", details)


class NotFoundError(ChatRoutesError):
    """404: no such resource (or one of another account)."""

    def __init__(self, message: str = "Resource not found", details: Any | None = None) -> None:
        super().__init__(message, 404, "NOT_FOUND", details)


class ServerError(ChatRoutesError):
    """5xx: the server or its upstream provider failed."""

    def __init__(self, message: str = "Internal server error", details: Any | None = None) -> None:
        super().__init__(message, 500, "SERVER_ERROR", details)


class NetworkError(ChatRoutesError):
    """No HTTP answer: connection refused or reset, timeout, broken stream."""

    def __init__(self, message: str = "Network request failed", details: Any | None = None) -> None:
        super().__init__(message, 0, "NETWORK_ERROR", details)


class PermissionDeniedError(ChatRoutesError):
    """403: authenticated, but not allowed to do this."""

    def __init__(
        self, message: str = "Permission denied", code: str | None = None, details: Any = None
    ) -> None:
        super().__init__(message, 403, code or "PERMISSION_DENIED", details)


class ConflictError(ChatRoutesError):
    """409: the resource is busy or changed (``BRANCH_BUSY``, ``IDEMPOTENCY_KEY_IN_USE``…)."""

    def __init__(
        self,
        message: str = "Conflict",
        code: str | None = None,
        details: Any | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, 409, code or "CONFLICT", details)
        self.retry_after = retry_after


class BudgetExceededError(ChatRoutesError):
    """402: the branch's or conversation's budget has too little left for the send;
    ``details``: ``budget`` (``branch`` | ``conversation``), ``id``, ``limit``, ``spent``."""

    def __init__(self, message: str = "Budget exceeded", details: Any | None = None) -> None:
        super().__init__(message, 402, "BUDGET_EXCEEDED", details)


class StreamError(ServerError):
    """The server ended a stream with an ``error`` event (e.g. the provider failed mid-reply)."""

    def __init__(
        self, message: str = "Stream failed", code: str | None = None, details: Any = None
    ) -> None:
        super().__init__(message, details)
        self.code = code or "STREAM_ERROR"


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def error_from_response(
    status_code: int, body: dict[str, Any], retry_after_header: float | None = None
) -> ChatRoutesError:
    """The exception for an error response, mapped exactly as chatroutes 0.2.6 maps it.

    400/401/404/429/≥500 give the official classes; 403 and 409 give subclasses of
    ``ChatRoutesError`` (the official SDK raised the base class for them); any other status
    gives ``ChatRoutesError(message, status, body["error"], details)`` as before.
    """
    message = body.get("message") or body.get("error", "An error occurred")
    details = body.get("details")
    error: ChatRoutesError
    if status_code == 400:
        error = ValidationError(message, details)
    elif status_code == 401:
        error = AuthenticationError(message, details)
    elif status_code == 404:
        error = NotFoundError(message, details)
    elif status_code == 429:
        retry_after = body.get("retryAfter")
        if retry_after is None and retry_after_header is not None:
            retry_after = math.ceil(retry_after_header)
        error = RateLimitError(message, retry_after, details)
    elif status_code >= 500:
        error = ServerError(message, details)
    elif status_code == 403:
        error = PermissionDeniedError(message, body.get("error"), details)
    elif status_code == 402 and body.get("error") == "BUDGET_EXCEEDED":
        error = BudgetExceededError(message, details)
    elif status_code == 409:
        wait = _number(body.get("retryAfter"))
        error = ConflictError(
            message, body.get("error"), details, wait if wait is not None else retry_after_header
        )
    else:
        error = ChatRoutesError(message, status_code, body.get("error"), details)
    error.body = body
    return error
