"""Tests for the mock OpenAI/Anthropic upstream used by end-to-end tests and benchmarks."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.mock_upstream import (
    ANTHROPIC_PATH,
    OPENAI_PATH,
    Fault,
    MockUpstream,
    count_tokens,
    split_reply,
)

OPENAI_HEADERS = {"Authorization": "Bearer test-key"}
ANTHROPIC_HEADERS = {"x-api-key": "test-key", "anthropic-version": "2023-06-01"}
SCRIPT = Path(__file__).resolve().parents[1] / "support" / "mock_upstream.py"


def openai_body(text: str = "hello, world!", **extra: Any) -> dict[str, Any]:
    """A Chat Completions request with a system prompt and one user message."""
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": text}]
    return {"model": "gpt-test", "messages": messages, **extra}


def anthropic_body(text: str = "hello, world!", **extra: Any) -> dict[str, Any]:
    """A Messages request with a system prompt and one user message given as blocks."""
    messages = [{"role": "user", "content": [{"type": "text", "text": text}]}]
    body = {"model": "claude-test", "max_tokens": 64, "system": "Be brief.", "messages": messages}
    return body | extra


def openai_data(lines: list[str]) -> list[str]:
    """The payloads of the ``data:`` lines of an OpenAI stream."""
    return [line.removeprefix("data: ") for line in lines if line.startswith("data: ")]


def anthropic_events(text: str) -> list[tuple[str, dict[str, Any]]]:
    """The (event name, data) pairs of a complete Anthropic stream."""
    events = []
    for block in text.strip().split("\n\n"):
        event_line, data_line = block.split("\n")
        events.append((event_line.removeprefix("event: "), json.loads(data_line[6:])))
    return events


@pytest.fixture
def upstream() -> Iterator[MockUpstream]:
    with MockUpstream() as mock:
        yield mock


@pytest.fixture
def client(upstream: MockUpstream) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=upstream.url, timeout=5) as http:
        yield http


def test_helpers_tokenize_and_split() -> None:
    assert count_tokens("Echo: hello, world!") == 6
    for text in ["Echo: a  b\nc ", "  x", "   ", ""]:
        assert "".join(split_reply(text)) == text
    assert split_reply("Echo: hi there") == ["Echo: ", "hi ", "there"]


def test_urls(upstream: MockUpstream) -> None:
    assert upstream.url == f"http://127.0.0.1:{upstream.port}"
    assert upstream.openai_base_url == upstream.url + "/v1"
    assert upstream.anthropic_base_url == upstream.url
    with pytest.raises(RuntimeError):
        _ = MockUpstream().url


def test_openai_completion(upstream: MockUpstream, client: httpx.Client) -> None:
    response = client.post(OPENAI_PATH, json=openai_body(temperature=0.5), headers=OPENAI_HEADERS)
    assert response.status_code == 200
    data = response.json()
    assert data["object"] == "chat.completion"
    assert data["model"] == "gpt-test"
    assert data["choices"][0]["message"] == {"role": "assistant", "content": "Echo: hello, world!"}
    assert data["choices"][0]["finish_reason"] == "stop"
    assert data["usage"] == {"prompt_tokens": 7, "completion_tokens": 6, "total_tokens": 13}
    [recorded] = upstream.requests
    assert (recorded.protocol, recorded.method, recorded.path) == ("openai", "POST", OPENAI_PATH)
    assert recorded.headers["authorization"] == "Bearer test-key"
    assert recorded.json == openai_body(temperature=0.5)


def test_openai_echoes_last_user_message(client: httpx.Client) -> None:
    messages = [
        {"role": "user", "content": "first"},
        {"role": "assistant", "content": "ok"},
        {"role": "user", "content": [{"type": "text", "text": "second"}]},
    ]
    body = {"model": "m", "messages": messages}
    response = client.post(OPENAI_PATH, json=body, headers=OPENAI_HEADERS)
    assert response.json()["choices"][0]["message"]["content"] == "Echo: second"
    assert response.json()["usage"]["prompt_tokens"] == 3


@pytest.mark.parametrize("include_usage", [True, False])
def test_openai_stream(client: httpx.Client, include_usage: bool) -> None:
    body = openai_body(stream=True, stream_options={"include_usage": include_usage})
    with client.stream("POST", OPENAI_PATH, json=body, headers=OPENAI_HEADERS) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        data = openai_data(list(response.iter_lines()))
    assert data[-1] == "[DONE]"
    chunks = [json.loads(item) for item in data[:-1]]
    assert all(chunk["object"] == "chat.completion.chunk" for chunk in chunks)
    if include_usage:
        *chunks, usage_chunk = chunks
        assert usage_chunk["choices"] == []
        assert usage_chunk["usage"] == {
            "prompt_tokens": 7,
            "completion_tokens": 6,
            "total_tokens": 13,
        }
    assert all("usage" not in chunk or chunk["usage"] is None for chunk in chunks)
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert chunks[-1]["choices"][0] == {
        "index": 0,
        "delta": {},
        "logprobs": None,
        "finish_reason": "stop",
    }
    pieces = [chunk["choices"][0]["delta"]["content"] for chunk in chunks[1:-1]]
    assert pieces == ["Echo: ", "hello, ", "world!"]


def test_openai_validation(client: httpx.Client) -> None:
    body = openai_body(stream_options={"include_usage": True})
    response = client.post(OPENAI_PATH, json=body, headers=OPENAI_HEADERS)
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"
    response = client.post(OPENAI_PATH, json={"model": "m"}, headers=OPENAI_HEADERS)
    assert response.status_code == 400
    response = client.post(OPENAI_PATH, json=openai_body(temperature=3), headers=OPENAI_HEADERS)
    assert response.status_code == 400


def test_anthropic_message(upstream: MockUpstream, client: httpx.Client) -> None:
    response = client.post(ANTHROPIC_PATH, json=anthropic_body(), headers=ANTHROPIC_HEADERS)
    assert response.status_code == 200
    assert response.json() | {"id": None} == {
        "id": None,
        "type": "message",
        "role": "assistant",
        "model": "claude-test",
        "content": [{"type": "text", "text": "Echo: hello, world!"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 7, "output_tokens": 6},
    }
    assert upstream.requests[0].protocol == "anthropic"
    assert upstream.requests[0].headers["anthropic-version"] == "2023-06-01"


def test_anthropic_stream(client: httpx.Client) -> None:
    body = anthropic_body("say it twice", stream=True)
    response = client.post(ANTHROPIC_PATH, json=body, headers=ANTHROPIC_HEADERS)
    events = anthropic_events(response.text)
    names = [name for name, _ in events]
    assert names[:3] == ["message_start", "content_block_start", "ping"]
    assert names[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert all(data["type"] == name for name, data in events)
    assert events[0][1]["message"]["usage"]["input_tokens"] == 6
    deltas = [data["delta"] for name, data in events if name == "content_block_delta"]
    assert all(delta["type"] == "text_delta" for delta in deltas)
    assert [delta["text"] for delta in deltas] == ["Echo: ", "say ", "it ", "twice"]
    assert events[-2][1]["delta"]["stop_reason"] == "end_turn"
    assert events[-2][1]["usage"] == {"output_tokens": 5}


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"max_tokens": None}, "max_tokens"),
        ({"messages": [{"role": "system", "content": "x"}]}, '"system"'),
        ({"messages": [{"role": "assistant", "content": "x"}]}, "first message"),
        (
            {"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]},
            "alternate",
        ),
        ({"temperature": 1.5}, "temperature"),
    ],
)
def test_anthropic_validation(client: httpx.Client, change: dict[str, Any], fragment: str) -> None:
    body = {k: v for k, v in (anthropic_body() | change).items() if v is not None}
    response = client.post(ANTHROPIC_PATH, json=body, headers=ANTHROPIC_HEADERS)
    assert response.status_code == 400
    error = response.json()
    assert error["type"] == "error"
    assert error["error"]["type"] == "invalid_request_error"
    assert fragment in error["error"]["message"]


def test_anthropic_requires_version_header(client: httpx.Client) -> None:
    response = client.post(ANTHROPIC_PATH, json=anthropic_body(), headers={"x-api-key": "test-key"})
    assert response.status_code == 400
    assert "anthropic-version" in response.json()["error"]["message"]


def test_wrong_key(upstream: MockUpstream, client: httpx.Client) -> None:
    bad = {"Authorization": "Bearer nope"}
    response = client.post(OPENAI_PATH, json=openai_body(), headers=bad)
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert response.json()["error"]["code"] == "invalid_api_key"
    bad = {"x-api-key": "nope", "anthropic-version": "2023-06-01"}
    response = client.post(ANTHROPIC_PATH, json=anthropic_body(), headers=bad)
    assert response.status_code == 401
    assert response.json()["type"] == "error"
    assert response.json()["error"]["type"] == "authentication_error"
    assert response.json()["error"]["message"]
    assert [r.protocol for r in upstream.requests] == ["openai", "anthropic"]


def test_any_key_when_api_key_is_none() -> None:
    with MockUpstream(api_key=None) as mock:
        response = httpx.post(mock.url + OPENAI_PATH, json=openai_body())
        assert response.status_code == 200


def test_unknown_path_and_method(upstream: MockUpstream, client: httpx.Client) -> None:
    upstream.enqueue(Fault.status(500))
    assert client.get("/v1/models").status_code == 404
    assert client.post(OPENAI_PATH, json=openai_body(), headers=OPENAI_HEADERS).status_code == 500
    assert client.get(OPENAI_PATH, headers=OPENAI_HEADERS).status_code == 405
    assert [r.protocol for r in upstream.requests] == ["other", "openai", "openai"]


def test_status_faults(upstream: MockUpstream, client: httpx.Client) -> None:
    upstream.enqueue(
        Fault.status(503, retry_after=2),
        Fault.status(429, retry_after=0.5),
        Fault.status(502, body="<html>bad gateway</html>"),
        Fault.status(500, body={"custom": True}),
    )
    response = client.post(OPENAI_PATH, json=openai_body(), headers=OPENAI_HEADERS)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    assert response.json()["error"]["type"] == "server_error"
    response = client.post(ANTHROPIC_PATH, json=anthropic_body(), headers=ANTHROPIC_HEADERS)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "0.5"
    assert response.json()["error"]["type"] == "rate_limit_error"
    response = client.post(OPENAI_PATH, json=openai_body(), headers=OPENAI_HEADERS)
    assert (response.status_code, response.text) == (502, "<html>bad gateway</html>")
    assert "retry-after" not in response.headers
    response = client.post(OPENAI_PATH, json=openai_body(stream=True), headers=OPENAI_HEADERS)
    assert (response.status_code, response.json()) == (500, {"custom": True})
    response = client.post(OPENAI_PATH, json=openai_body(), headers=OPENAI_HEADERS)
    assert response.status_code == 200
    assert len(upstream.requests) == 5


def test_overloaded_status_in_anthropic_shape(upstream: MockUpstream, client: httpx.Client) -> None:
    upstream.enqueue(Fault.status(529))
    response = client.post(ANTHROPIC_PATH, json=anthropic_body(), headers=ANTHROPIC_HEADERS)
    assert response.status_code == 529
    assert response.json()["error"]["type"] == "overloaded_error"


def test_delay_fault(upstream: MockUpstream, client: httpx.Client) -> None:
    upstream.enqueue(Fault.delay(0.2))
    started = time.perf_counter()
    response = client.post(OPENAI_PATH, json=openai_body(), headers=OPENAI_HEADERS)
    assert time.perf_counter() - started >= 0.2
    assert response.json()["choices"][0]["message"]["content"] == "Echo: hello, world!"


def test_hang_fault(upstream: MockUpstream) -> None:
    upstream.enqueue(Fault.hang())
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(
            upstream.url + OPENAI_PATH, json=openai_body(), headers=OPENAI_HEADERS, timeout=0.3
        )
    assert len(upstream.requests) == 1
    response = httpx.post(upstream.url + OPENAI_PATH, json=openai_body(), headers=OPENAI_HEADERS)
    assert response.status_code == 200


def test_stop_drops_hanging_connection() -> None:
    mock = MockUpstream(api_key=None).start()
    mock.enqueue(Fault.hang())
    payload = json.dumps(openai_body()).encode()
    request = b"POST %s HTTP/1.1\r\nContent-Length: %d\r\n\r\n%s" % (
        OPENAI_PATH.encode(),
        len(payload),
        payload,
    )
    with socket.create_connection(("127.0.0.1", mock.port), timeout=5) as sock:
        sock.sendall(request)
        while not mock.requests:
            time.sleep(0.01)
        started = time.perf_counter()
        mock.stop()
        assert time.perf_counter() - started < 1
        assert sock.recv(100) == b""


@pytest.mark.parametrize("n", [0, 2, 99])
def test_cut_after_openai_stream(upstream: MockUpstream, client: httpx.Client, n: int) -> None:
    upstream.enqueue(Fault.cut_after(n))
    body = openai_body(stream=True)
    lines: list[str] = []
    with (
        client.stream("POST", OPENAI_PATH, json=body, headers=OPENAI_HEADERS) as response,
        pytest.raises(httpx.RemoteProtocolError),
    ):
        lines.extend(response.iter_lines())
    chunks = [json.loads(item) for item in openai_data(lines)]
    pieces = [chunk["choices"][0]["delta"]["content"] for chunk in chunks]
    assert pieces == ["", *split_reply("Echo: hello, world!")[:n]]
    assert client.post(OPENAI_PATH, json=body, headers=OPENAI_HEADERS).status_code == 200
    assert upstream.connections == 2


def test_cut_after_anthropic_stream(upstream: MockUpstream, client: httpx.Client) -> None:
    upstream.enqueue(Fault.cut_after(1))
    body = anthropic_body(stream=True)
    lines: list[str] = []
    with (
        client.stream("POST", ANTHROPIC_PATH, json=body, headers=ANTHROPIC_HEADERS) as response,
        pytest.raises(httpx.RemoteProtocolError),
    ):
        lines.extend(response.iter_lines())
    names = [line.removeprefix("event: ") for line in lines if line.startswith("event: ")]
    assert names == ["message_start", "content_block_start", "ping", "content_block_delta"]


@pytest.mark.parametrize("path", [OPENAI_PATH, ANTHROPIC_PATH])
def test_cut_non_streamed(upstream: MockUpstream, client: httpx.Client, path: str) -> None:
    upstream.enqueue(Fault.cut_after(0))
    body, headers = (
        (openai_body(), OPENAI_HEADERS)
        if path == OPENAI_PATH
        else (anthropic_body(), ANTHROPIC_HEADERS)
    )
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(path, json=body, headers=headers)


@pytest.mark.parametrize(
    ("closing", "finishes", "done"),
    [(0, [], False), (1, ["stop"], False), (3, ["stop"], True)],
    ids=["no-finish", "finish-then-end", "whole-close"],
)
def test_end_after_openai_stream_ends_cleanly_before_its_close(
    upstream: MockUpstream, client: httpx.Client, closing: int, finishes: list, done: bool
) -> None:
    upstream.enqueue(Fault.end_after(2, closing=closing))
    body = openai_body(stream=True, stream_options={"include_usage": True})
    response = client.post(OPENAI_PATH, json=body, headers=OPENAI_HEADERS)
    assert response.status_code == 200  # a complete HTTP body: no transport error
    data = openai_data(response.text.splitlines())
    chunks = [json.loads(item) for item in data if item != "[DONE]"]
    pieces = [c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"]]
    assert "".join(pieces) == "Echo: hello, "
    assert [c["choices"][0]["finish_reason"] for c in chunks if c["choices"]][3:] == finishes
    assert (data[-1] == "[DONE]") is done
    assert client.post(OPENAI_PATH, json=body, headers=OPENAI_HEADERS).status_code == 200
    assert upstream.connections == 1  # the connection stays usable


@pytest.mark.parametrize(
    ("closing", "tail"),
    [(0, "content_block_delta"), (1, "content_block_stop"), (2, "message_delta")],
)
def test_end_after_anthropic_stream_ends_cleanly_before_message_stop(
    upstream: MockUpstream, client: httpx.Client, closing: int, tail: str
) -> None:
    upstream.enqueue(Fault.end_after(99, closing=closing))
    body = anthropic_body(stream=True)
    response = client.post(ANTHROPIC_PATH, json=body, headers=ANTHROPIC_HEADERS)
    assert response.status_code == 200
    names = [name for name, _ in anthropic_events(response.text)]
    assert names[-1] == tail and "message_stop" not in names


def test_end_after_leaves_a_non_streamed_answer_whole(
    upstream: MockUpstream, client: httpx.Client
) -> None:
    upstream.enqueue(Fault.end_after(0))
    response = client.post(OPENAI_PATH, json=openai_body(), headers=OPENAI_HEADERS)
    assert response.json()["choices"][0]["message"]["content"] == "Echo: hello, world!"


def test_fault_when_marks_only_the_requests_that_carry_the_marker(
    upstream: MockUpstream, client: httpx.Client
) -> None:
    upstream.fault_when("tenant-a", Fault.status(429, retry_after=3))
    upstream.enqueue(Fault.reply("queued"))
    for _ in range(2):  # a marked fault holds for every marked request
        marked = client.post(OPENAI_PATH, json=openai_body("from tenant-a"), headers=OPENAI_HEADERS)
        assert marked.status_code == 429 and marked.headers["retry-after"] == "3"
    other = client.post(ANTHROPIC_PATH, json=anthropic_body("from b"), headers=ANTHROPIC_HEADERS)
    assert other.json()["content"][0]["text"] == "queued"  # the queue was left for it
    upstream.clear()
    again = client.post(OPENAI_PATH, json=openai_body("from tenant-a"), headers=OPENAI_HEADERS)
    assert again.status_code == 200


def test_malformed_chunk_openai(upstream: MockUpstream, client: httpx.Client) -> None:
    upstream.enqueue(Fault.malformed_chunk(after=1))
    response = client.post(OPENAI_PATH, json=openai_body(stream=True), headers=OPENAI_HEADERS)
    data = openai_data(response.text.splitlines())
    assert data[2] == "{not json"
    del data[2]
    assert data[-1] == "[DONE]"
    pieces = [json.loads(item)["choices"][0]["delta"].get("content", "") for item in data[:-1]]
    assert "".join(pieces) == "Echo: hello, world!"


def test_malformed_chunk_anthropic(upstream: MockUpstream, client: httpx.Client) -> None:
    upstream.enqueue(Fault.malformed_chunk())
    response = client.post(
        ANTHROPIC_PATH, json=anthropic_body(stream=True), headers=ANTHROPIC_HEADERS
    )
    blocks = response.text.strip().split("\n\n")
    assert blocks[3] == "event: content_block_delta\ndata: {not json"
    del blocks[3]
    events = anthropic_events("\n\n".join(blocks))
    assert events[-1][0] == "message_stop"


def test_reply_fault(upstream: MockUpstream, client: httpx.Client) -> None:
    upstream.enqueue(Fault.reply("Hi there."), Fault.reply("Hey you", 100, 7))
    response = client.post(OPENAI_PATH, json=openai_body(), headers=OPENAI_HEADERS)
    assert response.json()["choices"][0]["message"]["content"] == "Hi there."
    assert response.json()["usage"] == {
        "prompt_tokens": 7,
        "completion_tokens": 3,
        "total_tokens": 10,
    }
    body = anthropic_body(stream=True)
    response = client.post(ANTHROPIC_PATH, json=body, headers=ANTHROPIC_HEADERS)
    events = anthropic_events(response.text)
    deltas = [data["delta"]["text"] for name, data in events if name == "content_block_delta"]
    assert deltas == ["Hey ", "you"]
    assert events[0][1]["message"]["usage"]["input_tokens"] == 100
    assert events[-2][1]["usage"]["output_tokens"] == 7


def test_reply_with_reasoning_streams_thinking_first(
    upstream: MockUpstream, client: httpx.Client
) -> None:
    upstream.enqueue(
        Fault.reply("Yes.", reasoning="Hmm, let me see."),
        Fault.reply("Yes.", reasoning="Hmm, let me see.", reasoning_field="reasoning"),
        Fault.reply("Yes.", reasoning="Hmm, let me see."),
    )
    body = openai_body(stream=True)
    for field in ("reasoning_content", "reasoning"):
        response = client.post(OPENAI_PATH, json=body, headers=OPENAI_HEADERS)
        deltas = [
            json.loads(d)["choices"][0]["delta"]
            for d in openai_data(response.text.split("\n"))[:-1]
        ]
        assert [d[field] for d in deltas if field in d] == ["Hmm, ", "let ", "me ", "see."]
        assert [d["content"] for d in deltas if d.get("content")] == ["Yes."]
    response = client.post(
        ANTHROPIC_PATH, json=anthropic_body(stream=True), headers=ANTHROPIC_HEADERS
    )
    events = anthropic_events(response.text)
    blocks = [
        (data["index"], data["content_block"])
        for name, data in events
        if name == "content_block_start"
    ]
    assert blocks == [(0, {"type": "thinking", "thinking": ""}), (1, {"type": "text", "text": ""})]
    deltas = [
        (data["index"], data["delta"]) for name, data in events if name == "content_block_delta"
    ]
    assert [d["thinking"] for i, d in deltas if d["type"] == "thinking_delta" and i == 0] == [
        "Hmm, ",
        "let ",
        "me ",
        "see.",
    ]
    assert (0, {"type": "signature_delta", "signature": "mock-signature"}) in deltas
    assert [d["text"] for i, d in deltas if d["type"] == "text_delta" and i == 1] == ["Yes."]
    stops = [data["index"] for name, data in events if name == "content_block_stop"]
    assert stops == [0, 1]


def test_reply_with_reasoning_not_streamed(upstream: MockUpstream, client: httpx.Client) -> None:
    upstream.enqueue(Fault.reply("Yes.", reasoning="Hmm."), Fault.reply("Yes.", reasoning="Hmm."))
    message = client.post(OPENAI_PATH, json=openai_body(), headers=OPENAI_HEADERS).json()
    assert message["choices"][0]["message"]["reasoning_content"] == "Hmm."
    assert message["choices"][0]["message"]["content"] == "Yes."
    response = client.post(ANTHROPIC_PATH, json=anthropic_body(), headers=ANTHROPIC_HEADERS)
    assert [block["type"] for block in response.json()["content"]] == ["thinking", "text"]


def test_clear(upstream: MockUpstream, client: httpx.Client) -> None:
    upstream.enqueue(Fault.status(500))
    client.get("/")
    upstream.clear()
    assert upstream.requests == []
    assert client.post(OPENAI_PATH, json=openai_body(), headers=OPENAI_HEADERS).status_code == 200


def test_chunk_delay() -> None:
    with MockUpstream(chunk_delay=0.03) as mock:
        started = time.perf_counter()
        response = httpx.post(
            mock.url + OPENAI_PATH, json=openai_body(stream=True), headers=OPENAI_HEADERS
        )
        elapsed = time.perf_counter() - started
    frames = openai_data(response.text.splitlines())
    assert elapsed >= 0.03 * (len(frames) - 1)


def test_a_slow_fault_paces_only_its_own_stream(upstream: MockUpstream) -> None:
    upstream.enqueue(Fault.slow(0.03))
    started = time.perf_counter()
    slow = httpx.post(
        upstream.url + OPENAI_PATH, json=openai_body(stream=True), headers=OPENAI_HEADERS
    )
    paced = time.perf_counter() - started
    started = time.perf_counter()
    httpx.post(upstream.url + OPENAI_PATH, json=openai_body(stream=True), headers=OPENAI_HEADERS)
    unpaced = time.perf_counter() - started
    frames = openai_data(slow.text.splitlines())
    assert paced >= 0.03 * (len(frames) - 1) > unpaced


def test_keep_alive_and_nodelay(upstream: MockUpstream, client: httpx.Client) -> None:
    for _ in range(5):
        client.post(OPENAI_PATH, json=openai_body(), headers=OPENAI_HEADERS)
        client.post(ANTHROPIC_PATH, json=anthropic_body(stream=True), headers=ANTHROPIC_HEADERS)
    assert upstream.connections == 1
    headers = {**OPENAI_HEADERS, "Connection": "close"}
    response = client.post(OPENAI_PATH, json=openai_body(), headers=headers)
    assert response.headers["connection"] == "close"
    client.post(OPENAI_PATH, json=openai_body(), headers=OPENAI_HEADERS)
    assert upstream.connections == 2
    assert upstream.nodelay_connections == upstream.connections


def test_raw_http10_closes(upstream: MockUpstream) -> None:
    with socket.create_connection(("127.0.0.1", upstream.port), timeout=5) as sock:
        sock.sendall(b"GET /nothing HTTP/1.0\r\n\r\n")
        received = b""
        while chunk := sock.recv(4096):
            received += chunk
    assert received.startswith(b"HTTP/1.1 404 Not Found\r\n")
    assert b"Connection: close\r\n" in received


async def test_async_start_and_stream() -> None:
    async with (
        MockUpstream() as mock,
        httpx.AsyncClient(base_url=mock.openai_base_url) as http,
    ):
        body = openai_body("async", stream=True)
        async with http.stream(
            "POST", "/chat/completions", json=body, headers=OPENAI_HEADERS
        ) as response:
            lines = [line async for line in response.aiter_lines()]
        chunks = [json.loads(item) for item in openai_data(lines)[:-1]]
        text = "".join(chunk["choices"][0]["delta"].get("content", "") for chunk in chunks)
        assert text == "Echo: async"
        assert mock.nodelay_connections == mock.connections == 1


def test_runs_as_a_process() -> None:
    command = [sys.executable, str(SCRIPT), "--port", "0", "--any-key"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            ready, url = process.stdout.readline().split()
            assert ready == "READY"
            assert url.startswith("http://127.0.0.1:")
            response = httpx.post(
                url + ANTHROPIC_PATH, json=anthropic_body(), headers=ANTHROPIC_HEADERS
            )
            assert response.json()["content"][0]["text"] == "Echo: hello, world!"
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=5) == 0
        finally:
            process.kill()
