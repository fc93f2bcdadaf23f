"""The message content hash of WIRE.md, which any client can recompute."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime


def iso_timestamp(moment: datetime) -> str:
    """ISO 8601 UTC with milliseconds and ``Z``: ``2025-10-10T10:00:00.000Z``."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def content_hash(
    *,
    role: str,
    content: str,
    model: str | None,
    parent_message_id: str | None,
    branch_id: str,
    created_at: datetime,
) -> str:
    payload = {
        "v": 1,
        "role": role,
        "content": content,
        "model": model,
        "parentMessageId": parent_message_id,
        "branchId": branch_id,
        "createdAt": iso_timestamp(created_at),
    }
    encoded = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()
