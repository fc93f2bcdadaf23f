"""``sse_frames``: events as frames, heartbeats in quiet spells, the source's end and failure."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from chatroutes.server.api.streaming import sse_frames

Event = tuple[str, dict[str, Any]]


async def _events(*steps: float | Event | Exception) -> AsyncIterator[Event]:
    """Yields each event, sleeps each number of seconds, raises each exception."""
    for step in steps:
        if isinstance(step, float):
            await asyncio.sleep(step)
        elif isinstance(step, Exception):
            raise step
        else:
            yield step


async def _collect(frames: AsyncIterator[bytes]) -> list[bytes]:
    return [frame async for frame in frames]


async def test_events_are_frames_with_heartbeats_in_the_quiet_then_done():
    frames = await _collect(
        sse_frames(_events(("r:1", {"n": 1}), 0.25, ("r:2", {"n": 2})), heartbeat_seconds=0.1)
    )
    assert frames[0] == b'id: r:1\ndata: {"n":1}\n\n'
    assert 1 <= frames.count(b": ping\n\n") <= 3
    assert frames[-2:] == [b'id: r:2\ndata: {"n":2}\n\n', b"data: [DONE]\n\n"]


async def test_a_failing_source_raises_after_what_it_gave():
    frames = sse_frames(_events(("r:1", {"n": 1}), ValueError("broken")), heartbeat_seconds=1)
    assert await anext(frames) == b'id: r:1\ndata: {"n":1}\n\n'
    with pytest.raises(ValueError, match="broken"):
        await anext(frames)


async def test_closing_the_frames_stops_reading_the_source():
    closed = asyncio.Event()

    async def endless() -> AsyncIterator[Event]:
        try:
            while True:
                yield ("r:0", {})
                await asyncio.sleep(0.01)
        finally:
            closed.set()

    frames = sse_frames(endless(), heartbeat_seconds=1)
    await anext(frames)
    await frames.aclose()
    await asyncio.wait_for(closed.wait(), timeout=1)
