"""Streaming against a real server process: the official SDK, and a client that leaves early."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import LiveServer, ScenarioRunner
from tests.support.mock_upstream import MockUpstream
from tests.support.sse import payloads

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def streamed(run_scenario: ScenarioRunner) -> dict[str, Any]:
    return run_scenario("streaming")


def test_official_sdk_streams_the_same_text_a_plain_send_returns(streamed: dict[str, Any]) -> None:
    contents = [c["content"] for c in streamed["chunks"] if c.get("type") == "content"]
    assert len(contents) > 1
    text = "".join(contents)
    assert text == streamed["plain"]["content"] == "Echo: stream this reply word by word"
    [complete] = [c for c in streamed["chunks"] if c.get("type") == "complete"]
    assert set(complete) >= {"message", "usage", "model"}
    assert streamed["completed"] == [complete["message"]]
    listed = streamed["listed"]
    assert [m["role"] for m in listed] == ["user", "assistant", "user", "assistant"]
    assert listed[1] == complete["message"]


def test_client_that_disconnects_loses_nothing_and_resumes_with_last_event_id(
    live_server: LiveServer, upstream: MockUpstream
) -> None:
    headers = {"Authorization": f"ApiKey {live_server.api_key}"}
    words = " ".join(f"word{i}" for i in range(30))
    with httpx.Client(base_url=live_server.api_url, headers=headers, timeout=30) as client:
        conversation = client.post("/conversations", json={"title": "Leaves early"}).json()
        cid = conversation["data"]["conversation"]["id"]
        upstream.chunk_delay = 0.05  # about 1.5 s of generation
        try:
            with client.stream(
                "POST",
                f"/conversations/{cid}/messages/stream",
                json={"content": words},
                headers={"Accept": "text/event-stream"},
            ) as response:
                assert response.status_code == 200
                last_id = None
                for line in response.iter_lines():
                    if line.startswith("id: "):
                        last_id = line[4:]
                    if line.startswith('data: {"type":"content"'):
                        first = json.loads(line[6:])["content"]
                        break  # leave mid-reply: closing the response drops the connection
            assert last_id is not None
            resumed = client.post(
                f"/conversations/{cid}/messages/stream",
                json={"content": words},
                headers={"Accept": "text/event-stream", "Last-Event-ID": last_id},
            )
            rest = payloads(resumed.text)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                messages = client.get(f"/conversations/{cid}/messages").json()["data"]["messages"]
                if len(messages) == 2:
                    break
                time.sleep(0.1)
        finally:
            upstream.chunk_delay = 0.0
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[1]["content"] == f"Echo: {words}"
    assert messages[1]["metadata"]["finishReason"] == "stop"
    remainder = "".join(e["content"] for e in rest[:-2] if e["type"] == "content")
    assert first + remainder == f"Echo: {words}", "the reconnect got exactly the missing rest"
    assert rest[-2]["type"] == "complete" and rest[-2]["message"]["id"] == messages[1]["id"]
    assert rest[-1] == "[DONE]"
