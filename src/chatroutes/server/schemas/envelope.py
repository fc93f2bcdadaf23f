"""The WIRE.md envelope ``{"success": true, "data": …}``, and the error body."""

from __future__ import annotations

from typing import Any, Generic, Literal, NotRequired, TypeVar, cast

from typing_extensions import TypedDict

from ..domain.errors import ChatRoutesServerError

DataT = TypeVar("DataT")


class Envelope(TypedDict, Generic[DataT]):
    success: Literal[True]
    data: DataT


class Done(TypedDict):
    """A DELETE or logout: ``{"success": true}`` and nothing else to say."""

    success: Literal[True]


class ErrorFields(TypedDict):
    """What went wrong: a stable ``error`` code, a human ``message`` and ``details``.

    ``ChatRoutesServerError.body()`` writes them (also into stored rows, such as a failed
    parallel candidate's ``error``).
    """

    error: str
    message: str
    details: dict[str, Any]


def error_fields(error: ChatRoutesServerError) -> ErrorFields:
    return cast(ErrorFields, error.body())


class ErrorBody(TypedDict):
    """Every failure: a stable ``error`` code, a human ``message`` and ``details``."""

    success: Literal[False]
    error: str
    message: str
    details: dict[str, Any]
    retryAfter: NotRequired[int | None]


def error_body(error: ChatRoutesServerError) -> ErrorBody:
    """``retryAfter`` (seconds) when the caller should try again later."""
    body: ErrorBody = {"success": False, **error_fields(error)}
    if error.retry_after is not None:
        body["retryAfter"] = error.retry_after
    return body
