"""``sse_json``: an upstream's event stream read from its bytes, however they are cut."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from chatroutes.server.providers._transport import sse_json


class _Pieces(httpx.AsyncByteStream):
    def __init__(self, pieces: list[bytes]) -> None:
        self.pieces = pieces

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self.pieces:
            yield piece


async def _events(pieces: list[bytes]) -> list[dict]:
    response = httpx.Response(200, stream=_Pieces(pieces))
    return [event async for event in sse_json(response)]


STREAM = (
    b'data: {"n": 1}\n\n'
    b": a comment\n\n"
    b"event: delta\r\n"
    b'data: {"n": 2, "text": "caf\xc3\xa9"}\r\n\r\n'
    b"data: {not json\n\n"
    b"data: [1, 2]\n\n"
    b'data:{"n": 3}\r\r'
    b"data: [DONE]\n\n"
    b'data: {"n": 4}\n\n'
)
EXPECTED = [{"n": 1}, {"n": 2, "text": "café"}, {"n": 3}]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 16, len(STREAM)])
async def test_events_are_the_same_however_the_bytes_are_cut(size):
    pieces = [STREAM[i : i + size] for i in range(0, len(STREAM), size)]
    assert await _events(pieces) == EXPECTED


async def test_a_last_line_without_its_end_still_counts():
    assert await _events([b'data: {"n": 1}\n\ndata: {"n": 2}']) == [{"n": 1}, {"n": 2}]
