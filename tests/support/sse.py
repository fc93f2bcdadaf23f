"""Parse a server-sent event body the way strict clients do."""

from __future__ import annotations

import json
from typing import Any


def parse_events(body: str) -> list[tuple[str | None, Any]]:
    """``(event id, payload)`` per event: ``"[DONE]"`` or the decoded JSON.

    Every event must carry exactly one ``data:`` line (WIRE.md); an ``id:`` line and an
    ``event:`` line (OpenAI's Responses stream names its type there) may precede it;
    comment blocks (heartbeats) are skipped.
    """
    events: list[tuple[str | None, Any]] = []
    for block in body.split("\n\n"):
        if not block or block.startswith(":"):
            continue
        lines = block.split("\n")
        event_id = lines.pop(0)[len("id: ") :] if lines[0].startswith("id: ") else None
        if lines[0].startswith("event: "):
            lines.pop(0)
        assert len(lines) == 1 and lines[0].startswith("data: "), block
        data = lines[0][len("data: ") :]
        events.append((event_id, data if data == "[DONE]" else json.loads(data)))
    return events


def payloads(body: str) -> list[Any]:
    return [payload for _, payload in parse_events(body)]
