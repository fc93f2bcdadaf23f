from __future__ import annotations

import json
from typing import Any

from pydantic import field_validator

from .common import WireModel
from .messages import Id

MAX_METADATA_CHARS = 16_384


class CheckpointCreate(WireModel):
    branch_id: Id
    anchor_message_id: Id
    metadata: dict[str, Any] | None = None

    @field_validator("metadata")
    @classmethod
    def _small_and_nul_free(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return None
        if len(json.dumps(value)) > MAX_METADATA_CHARS:
            raise ValueError(f"must be at most {MAX_METADATA_CHARS} characters as JSON")
        if _has_nul(value):
            raise ValueError("must not contain NUL (\\u0000) characters")
        return value


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False
