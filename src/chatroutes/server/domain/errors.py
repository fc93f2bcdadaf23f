"""Every error the server raises on purpose; the API renders each as the WIRE.md body.

The whole tree is here. ``StreamCut`` (``providers/base.py``) is the one subclass kept
beside its data: it carries the partial ``Completion`` an upstream had sent.

ChatRoutesServerError              500 INTERNAL_ERROR
├── Interrupted                    503 INTERRUPTED (the server stopped mid-generation)
├── NotReady                       503 NOT_READY (a dependency does not answer)
├── ServerBusy                     503 SERVER_BUSY (no database connection free; Retry-After)
├── InvalidRequest                 400 VALIDATION_ERROR (names the field)
├── Unauthenticated                401 AUTHENTICATION_ERROR
├── Forbidden                      403 FORBIDDEN
├── NotFound                       404 NOT_FOUND
├── Conflict                       409 CONFLICT
│   ├── BranchBusy                 409 BRANCH_BUSY (Retry-After)
│   ├── IdempotencyKeyInUse        409 IDEMPOTENCY_KEY_IN_USE (Retry-After)
│   └── IdempotencySecretNotReplayed 409 IDEMPOTENCY_SECRET_NOT_REPLAYED
├── IdempotencyKeyReused           422 IDEMPOTENCY_KEY_REUSED
├── BudgetExceeded                 402 BUDGET_EXCEEDED (a branch's or conversation's budget)
├── PayloadTooLarge                413 PAYLOAD_TOO_LARGE
├── RateLimited                    429 RATE_LIMITED (retryAfter)
├── QuotaExceeded                  429 QUOTA_EXCEEDED (a plan's allowance is spent)
└── ProviderError                  502 PROVIDER_ERROR (upstream failures)
    ├── ProviderAuthError          502 PROVIDER_AUTH_ERROR
    ├── ProviderRateLimited        429 RATE_LIMITED (retryAfter)
    ├── ProviderUnavailable        503 PROVIDER_UNAVAILABLE
    │   └── StreamCut              503 (providers/base.py: a stream ended unfinished)
    └── ProviderTimeout            504 PROVIDER_TIMEOUT
"""

from __future__ import annotations

from typing import Any


class ChatRoutesServerError(Exception):
    status_code = 500
    code = "INTERNAL_ERROR"

    def __init__(
        self,
        message: str,
        *,
        details: dict[str, Any] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        """Our error body's fields: ``error`` (the code), ``message`` and ``details``."""
        return {"error": self.code, "message": self.message, "details": self.details}

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled whole, whatever the subclass's signature: work done in a worker
        process (``services/offload.py``) raises its errors back intact."""
        return (_rebuilt, (type(self), self.message, self.details, self.retry_after))


def _rebuilt(
    kind: type[ChatRoutesServerError],
    message: str,
    details: dict[str, Any],
    retry_after: int | None,
) -> ChatRoutesServerError:
    error = kind.__new__(kind)
    ChatRoutesServerError.__init__(error, message, details=details, retry_after=retry_after)
    return error


class Interrupted(ChatRoutesServerError):
    """A generation cut off by its server stopping (a shutdown past its grace, a crash)."""

    status_code = 503
    code = "INTERRUPTED"

    def __init__(self, message: str = "The server stopped while generating") -> None:
        super().__init__(message)


class NotReady(ChatRoutesServerError):
    """A dependency this process needs does not answer."""

    status_code = 503
    code = "NOT_READY"


class ServerBusy(ChatRoutesServerError):
    """Every database connection this process may open is in use, for longer than a
    request waits for one: nothing was done; the request may be sent again."""

    status_code = 503
    code = "SERVER_BUSY"

    def __init__(self) -> None:
        super().__init__(
            "The server is busy: no database connection came free in time; retry shortly",
            retry_after=1,
        )


class InvalidRequest(ChatRoutesServerError):
    status_code = 400
    code = "VALIDATION_ERROR"

    def __init__(self, message: str, *, field: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        if field is not None:
            self.details.setdefault("field", field)


class Unauthenticated(ChatRoutesServerError):
    status_code = 401
    code = "AUTHENTICATION_ERROR"


class Forbidden(ChatRoutesServerError):
    """Authenticated, but this credential may not do this."""

    status_code = 403
    code = "FORBIDDEN"


class NotFound(ChatRoutesServerError):
    status_code = 404
    code = "NOT_FOUND"

    def __init__(self, kind: str, ident: str) -> None:
        super().__init__(f"{kind} {ident} not found", details={"resource": kind, "id": ident})


class Conflict(ChatRoutesServerError):
    status_code = 409
    code = "CONFLICT"


class BranchBusy(Conflict):
    code = "BRANCH_BUSY"


class IdempotencyKeyInUse(Conflict):
    code = "IDEMPOTENCY_KEY_IN_USE"


class IdempotencySecretNotReplayed(Conflict):
    code = "IDEMPOTENCY_SECRET_NOT_REPLAYED"


class IdempotencyKeyReused(ChatRoutesServerError):
    status_code = 422
    code = "IDEMPOTENCY_KEY_REUSED"


class PayloadTooLarge(ChatRoutesServerError):
    status_code = 413
    code = "PAYLOAD_TOO_LARGE"


class RateLimited(ChatRoutesServerError):
    """Too many requests from this caller; ``retry_after`` says when to try again."""

    status_code = 429
    code = "RATE_LIMITED"


class BudgetExceeded(ChatRoutesServerError):
    status_code = 402
    code = "BUDGET_EXCEEDED"


class QuotaExceeded(ChatRoutesServerError):
    status_code = 429
    code = "QUOTA_EXCEEDED"


class ProviderError(ChatRoutesServerError):
    status_code = 502
    code = "PROVIDER_ERROR"


class ProviderAuthError(ProviderError):
    status_code = 502
    code = "PROVIDER_AUTH_ERROR"


class ProviderRateLimited(ProviderError):
    status_code = 429
    code = "RATE_LIMITED"


class ProviderUnavailable(ProviderError):
    status_code = 503
    code = "PROVIDER_UNAVAILABLE"


class ProviderTimeout(ProviderError):
    status_code = 504
    code = "PROVIDER_TIMEOUT"
