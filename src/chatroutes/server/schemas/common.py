"""Request models: camelCase on the wire, strict types, unknown fields ignored."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

ContextMode = Literal["FULL", "PARTIAL", "MINIMAL", "NONE"]


class WireModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, strict=True, extra="ignore"
    )
