"""What every noun's module shares: the request model base, field types, wire timestamps.

Each noun's module (``conversations``, ``branches``, ``messages``…) declares its request
models and its response shapes. A response shape is a ``TypedDict`` with the wire's
camelCase keys, built by the function beside it from a row or a service's result (typed
by a ``Protocol``, so this package imports no service and no store), and named as a
route's ``response_model``: the OpenAPI document and the JSON come from that one
declaration. Routes answer with the dicts themselves, never validated or re-serialised
per response.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic.alias_generators import to_camel

from ..domain.hashing import iso_timestamp

ContextMode = Literal["FULL", "PARTIAL", "MINIMAL", "NONE"]


class WireModel(BaseModel):
    """A request body: camelCase on the wire, strict types, unknown fields ignored."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, strict=True, extra="ignore"
    )


def _no_nul(value: str) -> str:
    """PostgreSQL text cannot hold NUL; refuse it on every backend alike."""
    if "\x00" in value:
        raise ValueError("must not contain NUL (\\u0000) characters")
    return value


NoNul = AfterValidator(_no_nul)
# For path and query parameters, which FastAPI validates by pattern.
NUL_FREE_PATTERN = r"^[^\x00]*$"

Id = Annotated[str, StringConstraints(min_length=1, max_length=64), NoNul]
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), NoNul
]
Temperature = Annotated[float, Field(ge=0.0, le=2.0)]
MaxTokens = Annotated[int, Field(ge=1, le=1_000_000)]

# A moment on the wire: ISO 8601 UTC with milliseconds and ``Z`` (WIRE.md).
Timestamp = Annotated[
    str, Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$")
]


def timestamp_out(moment: datetime | None) -> str | None:
    """A moment that may be unset, as the wire writes it (``null`` when unset)."""
    return iso_timestamp(moment) if moment is not None else None
