"""Server-sent events in the WIRE.md format: one ``data:`` line per event, one write each."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi.responses import StreamingResponse

from ..domain.errors import InvalidRequest
from ..schemas.messages import (
    ReplyEvent,
    budget_warning_event,
    complete_event,
    content_event,
    error_event,
    stored_complete_event,
)
from ..services.live import ReplyStream, StreamEvent
from ..services.sending import SendResult
from ..store.tables import Message

_HEARTBEAT = b": ping\n\n"
_DONE = b"data: [DONE]\n\n"
# One encoder for every frame: json.dumps with separators builds a new one per call, which
# costs about as much as encoding a chunk (what json.dumps(..., separators=...) gives).
_encode = json.JSONEncoder(separators=(",", ":")).encode


def _frame(event_id: str, payload: Mapping[str, object]) -> bytes:
    """``id:`` (for Last-Event-ID) and ``data:`` lines of one event, sent as one write."""
    data = _encode(payload)
    return f"id: {event_id}\ndata: {data}\n\n".encode()


def parse_event_id(value: str) -> tuple[str, int]:
    """``<reply id>:<offset>``, as our ``id:`` lines carry it."""
    reply_id, _, offset = value.strip().rpartition(":")
    if not reply_id or not offset.isdigit():
        raise InvalidRequest("Last-Event-ID must be '<message id>:<offset>'", field="Last-Event-ID")
    return reply_id, int(offset)


def event_payload(event: StreamEvent) -> ReplyEvent:
    """A reply's event as WIRE.md sends it: a chunk, the reply complete, or a failure."""
    if event.kind == "content":
        return content_event(event.text)
    if event.kind == "complete":
        assert isinstance(event.result, SendResult)
        return complete_event(event.result)
    if event.kind == "stored":
        assert isinstance(event.result, Message)
        return stored_complete_event(event.result)
    if event.kind == "budget_warning":
        assert isinstance(event.result, dict)
        return budget_warning_event(event.result)
    assert event.error is not None
    return error_event(event.error)


async def _reply_frames(
    reply_id: str, events: AsyncIterator[StreamEvent]
) -> AsyncIterator[tuple[str, Mapping[str, object]]]:
    async for event in events:
        yield f"{reply_id}:{event.offset}", event_payload(event)


@dataclass(frozen=True)
class _Failed:
    error: Exception


_END, _QUIET = object(), object()


async def sse_frames(
    events: AsyncIterator[tuple[str, Mapping[str, object]]], heartbeat_seconds: float
) -> AsyncIterator[bytes]:
    """Each (id, payload) as one chunk; a comment line whenever it is quiet for a while.

    One task reads ``events`` into a queue for the whole stream, and one timer, rearmed
    from the last frame, adds a heartbeat to the queue when nothing came for
    ``heartbeat_seconds``: nothing per event beyond the queue itself (a timed wait per
    event would cost more than the event).
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Any] = asyncio.Queue()
    last_frame = loop.time()

    async def read() -> None:
        try:
            async for item in events:
                queue.put_nowait(item)
        except Exception as exc:  # raised to the response where the event would have been
            queue.put_nowait(_Failed(exc))
        else:
            queue.put_nowait(_END)

    timer: asyncio.TimerHandle  # armed below, rearmed by each beat

    def beat() -> None:
        nonlocal timer, last_frame
        if loop.time() - last_frame >= heartbeat_seconds:
            queue.put_nowait(_QUIET)
            last_frame = loop.time()
        timer = loop.call_at(last_frame + heartbeat_seconds, beat)

    reading = asyncio.create_task(read())
    timer = loop.call_at(last_frame + heartbeat_seconds, beat)
    try:
        while True:
            item = await queue.get()
            if item is _QUIET:
                yield _HEARTBEAT
                continue
            if item is _END:
                break
            if isinstance(item, _Failed):
                raise item.error
            event_id, payload = item
            yield _frame(event_id, payload)
            last_frame = loop.time()
        yield _DONE
    finally:
        timer.cancel()
        reading.cancel()


class EventStreamResponse(StreamingResponse):
    """What SSE routes answer; as ``response_class`` it documents ``text/event-stream``."""

    media_type = "text/event-stream"


def sse_response(frames: AsyncIterator[bytes]) -> StreamingResponse:
    return EventStreamResponse(
        frames,
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def event_stream(stream: ReplyStream, heartbeat_seconds: float) -> StreamingResponse:
    return sse_response(
        sse_frames(_reply_frames(stream.reply_id, stream.events), heartbeat_seconds)
    )
