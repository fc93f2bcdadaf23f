"""Request models: camelCase on the wire, strict types, unknown fields ignored."""

from __future__ import annotations

from typing import Literal

from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

ContextMode = Literal["FULL", "PARTIAL", "MINIMAL", "NONE"]


class WireModel(BaseModel):
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
