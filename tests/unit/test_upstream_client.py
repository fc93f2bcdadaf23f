"""The upstream client (httpx over aiohttp) against the real-socket mock upstream."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import httpx
import pytest

from chatroutes.server.providers.upstream_client import send_json, stream_json, upstream_client
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


# -- provider calls past httpx's client layer (send_json, stream_json) ---------------------


async def test_send_json_sends_what_the_client_would_and_answers_alike(
    upstream: MockUpstream, client: httpx.AsyncClient
) -> None:
    url = upstream.url + OPENAI_PATH
    body = chat("héllo, “quoted”")  # httpx's encoding: UTF-8, not \\u escapes
    through_client = await client.post(url, json=body, headers=HEADERS)
    by_client = upstream.requests[-1]
    direct = await send_json(client, url, body, HEADERS)
    sent = upstream.requests[-1]

    assert sent.headers == by_client.headers
    assert sent.json == by_client.json == body
    assert direct.status_code == through_client.status_code == 200
    assert direct.headers["content-type"] == through_client.headers["content-type"]
    assert direct.json()["choices"] == through_client.json()["choices"]
    assert upstream.connections == 1  # one kept-alive connection for both ways


async def test_send_json_fails_as_the_client_does(
    upstream: MockUpstream, client: httpx.AsyncClient
) -> None:
    url = upstream.url + OPENAI_PATH
    upstream.enqueue(Fault.status(429, retry_after=3))
    limited = await send_json(client, url, chat(), HEADERS)
    assert (limited.status_code, limited.headers["retry-after"]) == (429, "3")
    assert limited.json()["error"]["code"] == "rate_limit_exceeded"

    upstream.enqueue(Fault.cut_after(0))
    with pytest.raises(httpx.TransportError) as raised:
        await send_json(client, url, chat(), HEADERS)
    assert not isinstance(raised.value, httpx.TimeoutException)
    assert raised.value.request.url == url

    upstream.enqueue(Fault.hang())
    impatient = upstream_client(timeout=httpx.Timeout(0.3), max_connections=10)
    async with impatient:
        with pytest.raises(httpx.ReadTimeout):
            await send_json(impatient, url, chat(), HEADERS)

    with socket.socket() as sock:  # a port that was just free: nothing listens on it
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(httpx.ConnectError):
        await send_json(client, f"http://127.0.0.1:{port}{OPENAI_PATH}", chat(), HEADERS)


async def test_stream_json_passes_pieces_on_and_closes_what_it_leaves(
    upstream: MockUpstream, client: httpx.AsyncClient
) -> None:
    url = upstream.url + OPENAI_PATH
    upstream.enqueue(Fault.cut_after(2))
    lines: list[str] = []
    async with stream_json(client, url, chat("a b c d", stream=True), HEADERS) as r:
        with pytest.raises(httpx.RemoteProtocolError):
            async for line in r.aiter_lines():
                lines.append(line)
    assert len([line for line in lines if '"content"' in line]) >= 2
    connections = upstream.connections

    long_text = " ".join(f"word{i}" for i in range(200))
    async with stream_json(client, url, chat(long_text, stream=True), HEADERS) as r:
        async for _ in r.aiter_bytes():
            break  # a stopped generation: the rest is not wanted
    await send_json(client, url, chat(), HEADERS)
    assert upstream.connections == connections + 2  # the one left midway was closed

    async with stream_json(client, url, chat("short", stream=True), HEADERS) as r:
        await r.aread()
    await send_json(client, url, chat(), HEADERS)
    assert upstream.connections == connections + 2  # one read to its end is reused


async def test_a_watched_client_sees_every_call(
    upstream: MockUpstream, client: httpx.AsyncClient
) -> None:
    """Event hooks, or tracing's wrapper on the transport, see send_json and stream_json."""
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    url = upstream.url + OPENAI_PATH
    seen: list[str] = []

    async def hook(request: httpx.Request) -> None:
        seen.append(str(request.url))

    client.event_hooks["request"] = [hook]
    await send_json(client, url, chat(), HEADERS)
    assert seen == [url]
    client.event_hooks["request"] = []

    exporter = InMemorySpanExporter()
    tracing = TracerProvider()
    tracing.add_span_processor(SimpleSpanProcessor(exporter))
    HTTPXClientInstrumentor.instrument_client(client, tracer_provider=tracing)
    await send_json(client, url, chat(), HEADERS)
    async with stream_json(client, url, chat(stream=True), HEADERS) as r:
        await r.aread()
    assert [
        span.attributes.get("http.request.method", span.attributes.get("http.method"))
        for span in exporter.get_finished_spans()
    ] == ["POST", "POST"]
