"""The upstream client (httpx over aiohttp) against the real-socket mock upstream."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import httpx
import pytest

from chatroutes.server.providers.upstream_client import upstream_client
from tests.support.mock_upstream import OPENAI_PATH, Fault, MockUpstream

HEADERS = {"Authorization": "Bearer test-key"}


def chat(text: str = "hello there", *, stream: bool = False) -> dict[str, object]:
    return {"model": "gpt-test", "messages": [{"role": "user", "content": text}], "stream": stream}


@pytest.fixture
async def upstream() -> AsyncIterator[MockUpstream]:
    async with MockUpstream() as mock:
        yield mock


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    http = upstream_client(timeout=httpx.Timeout(2.0, connect=1.0), max_connections=10)
    async with http:
        yield http


async def test_a_request_round_trips_and_the_connection_is_kept(
    upstream: MockUpstream, client: httpx.AsyncClient
) -> None:
    for text in ("one", "two"):
        response = await client.post(upstream.url + OPENAI_PATH, json=chat(text), headers=HEADERS)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        assert response.json()["choices"][0]["message"]["content"] == f"Echo: {text}"
    assert upstream.connections == 1
    recorded = upstream.requests[-1]
    assert recorded.headers["authorization"] == "Bearer test-key"
    assert recorded.json == chat("two")


async def test_an_error_status_is_a_response_not_an_exception(
    upstream: MockUpstream, client: httpx.AsyncClient
) -> None:
    upstream.enqueue(Fault.status(429, retry_after=3))
    response = await client.post(upstream.url + OPENAI_PATH, json=chat(), headers=HEADERS)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "3"
    assert response.json()["error"]["code"] == "rate_limit_exceeded"


async def test_a_stream_arrives_in_pieces_before_it_ends(
    upstream: MockUpstream, client: httpx.AsyncClient
) -> None:
    # The upstream sends two chunks and then drops the connection: both chunks must reach
    # the reader before the failure does, so nothing is held back until the end.
    upstream.enqueue(Fault.cut_after(2))
    lines: list[str] = []
    url = upstream.url + OPENAI_PATH
    async with client.stream("POST", url, json=chat("a b c d", stream=True), headers=HEADERS) as r:
        with pytest.raises(httpx.RemoteProtocolError):
            async for line in r.aiter_lines():
                lines.append(line)
    contents = [line for line in lines if '"content"' in line]
    assert len(contents) >= 2


async def test_a_body_cut_short_is_a_transport_error(
    upstream: MockUpstream, client: httpx.AsyncClient
) -> None:
    upstream.enqueue(Fault.cut_after(0))
    with pytest.raises(httpx.TransportError) as raised:
        await client.post(upstream.url + OPENAI_PATH, json=chat(), headers=HEADERS)
    assert not isinstance(raised.value, httpx.TimeoutException)


async def test_silence_past_the_read_timeout_is_a_read_timeout(
    upstream: MockUpstream, client: httpx.AsyncClient
) -> None:
    upstream.enqueue(Fault.hang())
    with pytest.raises(httpx.ReadTimeout):
        await client.post(
            upstream.url + OPENAI_PATH, json=chat(), headers=HEADERS, timeout=httpx.Timeout(0.3)
        )


async def test_a_refused_connection_is_a_connect_error(client: httpx.AsyncClient) -> None:
    with socket.socket() as sock:  # a port that was just free: nothing listens on it
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(httpx.ConnectError):
        await client.post(f"http://127.0.0.1:{port}{OPENAI_PATH}", json=chat())


async def test_a_stream_left_midway_closes_its_connection(
    upstream: MockUpstream, client: httpx.AsyncClient
) -> None:
    url = upstream.url + OPENAI_PATH
    long_text = " ".join(f"word{i}" for i in range(200))
    async with client.stream("POST", url, json=chat(long_text, stream=True), headers=HEADERS) as r:
        async for _ in r.aiter_bytes():
            break  # a stopped generation: the rest is not wanted
    # The next request cannot reuse a connection with half a reply in it.
    response = await client.post(url, json=chat(), headers=HEADERS)
    assert response.status_code == 200
    assert upstream.connections == 2

    async with client.stream("POST", url, json=chat("short", stream=True), headers=HEADERS) as r:
        await r.aread()
    await client.post(url, json=chat(), headers=HEADERS)
    assert upstream.connections == 2  # a stream read to its end gives its connection back


async def test_a_proxy_in_the_environment_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    """Behind HTTP_PROXY, requests go to the proxy (in absolute form), not to the host."""
    request_lines: list[bytes] = []

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        request_lines.append(head.split(b"\r\n", 1)[0])
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(proxy, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    async with server, upstream_client(timeout=httpx.Timeout(2.0), max_connections=10) as http:
        response = await http.get("http://upstream.invalid/v1/models")
    assert response.text == "ok"
    assert request_lines == [b"GET http://upstream.invalid/v1/models HTTP/1.1"]
