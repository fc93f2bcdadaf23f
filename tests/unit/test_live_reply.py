"""A live reply's readers: each gets the text after its offset, a budget warning given
before it joined, and the end."""

from __future__ import annotations

import asyncio

from chatroutes.server.services.live import LiveReply, StreamEvent

WARNING = {"budget": "branch", "id": "br_1", "fraction": 0.9}


async def _read(live: LiveReply, offset: int = 0) -> list[StreamEvent]:
    return [event async for event in live.follow(offset)]


async def test_a_reader_who_joins_after_the_warning_gets_it_before_the_end():
    live = LiveReply("msg_1", "conv_1")
    live.add_text("Hello ")
    live.add_text("there")
    live.add_budget_warning(WARNING)
    reading = asyncio.ensure_future(_read(live, offset=2))
    await asyncio.sleep(0)  # it has joined
    live.finish(StreamEvent("stored", live.length))
    events = await reading
    assert [(e.kind, e.offset) for e in events] == [
        ("content", 11),
        ("budget_warning", 11),
        ("stored", 11),
    ]
    assert events[0].text == "llo there" and events[1].result == WARNING


async def test_a_reader_who_joins_after_the_end_gets_it_once():
    live = LiveReply("msg_1", "conv_1")
    live.add_text("Hi")
    live.add_budget_warning(WARNING)
    live.finish(StreamEvent("stored", live.length))
    assert [e.kind for e in await _read(live)] == ["content", "budget_warning", "stored"]


async def test_a_reader_from_the_start_gets_it_once_as_it_comes():
    live = LiveReply("msg_1", "conv_1")
    reading = asyncio.ensure_future(_read(live))
    await asyncio.sleep(0)
    live.add_text("Hi")
    live.add_budget_warning(WARNING)
    live.finish(StreamEvent("stored", live.length))
    assert [e.kind for e in await reading] == ["content", "budget_warning", "stored"]


async def test_without_a_warning_none_is_given():
    live = LiveReply("msg_1", "conv_1")
    live.add_text("Hi")
    live.finish(StreamEvent("stored", live.length))
    assert [e.kind for e in await _read(live)] == ["content", "stored"]
