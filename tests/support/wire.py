"""What a client can check on its own: the WIRE.md ``contentHash`` of a message."""

from __future__ import annotations

import hashlib
import json


def wire_hash(message: dict) -> str:
    """The WIRE.md ``contentHash``, recomputed by the client from the message's fields."""
    payload = {
        "v": 1,
        "role": message["role"],
        "content": message["content"],
        "model": message["model"],
        "parentMessageId": message["parentMessageId"],
        "branchId": message["branchId"],
        "createdAt": message["createdAt"],
    }
    encoded = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()
