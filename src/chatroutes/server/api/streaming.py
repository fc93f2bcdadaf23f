"""Server-sent events in the WIRE.md format: one ``data:`` line per event, one write each."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi.responses import StreamingResponse

from ..services.messages import StreamEvent
from .messages_shape import sent_data

HEARTBEAT_SECONDS = 15.0
_HEARTBEAT = b": ping\n\n"
_DONE = b"data: [DONE]\n\n"


def _frame(payload: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(payload, separators=(",", ":")).encode() + b"\n\n"


def _payload(event: StreamEvent) -> dict[str, Any]:
    if event.kind == "content":
        return {"type": "content", "content": event.text}
    if event.kind == "complete":
        assert event.result is not None
        data = sent_data(event.result)
        return {"type": "complete", **data}
    assert event.error is not None
    return {
        "type": "error",
        "error": event.error.code,
        "message": event.error.message,
        "details": event.error.details,
    }


async def _frames(events: AsyncIterator[StreamEvent]) -> AsyncIterator[bytes]:
    """Each event as one chunk; a comment line whenever the reply is quiet for a while."""
    iterator = aiter(events)
    pending = asyncio.ensure_future(anext(iterator))
    try:
        while True:
            done, _ = await asyncio.wait({pending}, timeout=HEARTBEAT_SECONDS)
            if not done:
                yield _HEARTBEAT
                continue
            try:
                event = pending.result()
            except StopAsyncIteration:
                break
            yield _frame(_payload(event))
            pending = asyncio.ensure_future(anext(iterator))
        yield _DONE
    finally:
        pending.cancel()


def event_stream(events: AsyncIterator[StreamEvent]) -> StreamingResponse:
    return StreamingResponse(
        _frames(events),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
