"""A streamed send whose client left keeps its ``Idempotency-Key`` until the reply is done.

The generation goes on without the client; a retry with the same key meanwhile is told
the key is in use, and once the reply is stored it gets the whole stream replayed. The
upstream is asked once, never twice. Against a real ``chatroutes serve`` and the mock
upstream streaming slowly.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.conftest import LiveServer, child_env, live_server
from tests.support.mock_upstream import OPENAI_PATH, MockUpstream
from tests.support.sse import payloads

pytestmark = pytest.mark.e2e
__all__ = ["child_env", "live_server"]  # the fixtures, imported for pytest

WORDS = 40
CHUNK_DELAY = 0.05  # seconds between the mock's stream chunks: the reply takes ~2 s
RETRY_FOR = 30.0


@pytest.fixture
def slow_upstream(upstream: MockUpstream) -> Iterator[MockUpstream]:
    upstream.chunk_delay = CHUNK_DELAY
    try:
        yield upstream
    finally:
        upstream.chunk_delay = 0.0


def generations(upstream: MockUpstream) -> int:
    return sum(1 for request in upstream.requests if request.path == OPENAI_PATH)


def test_a_retry_after_the_client_left_mid_stream_replays_the_one_generation(
    live_server: LiveServer, slow_upstream: MockUpstream
) -> None:
    headers = {"Authorization": f"ApiKey {live_server.api_key}"}
    with httpx.Client(base_url=live_server.api_url, headers=headers, timeout=30) as client:
        created = client.post("/conversations", json={"title": "leaving early"})
        assert created.status_code == 201, created.text
        path = f"/conversations/{created.json()['data']['conversation']['id']}/messages/stream"
        question = " ".join(f"word{i}" for i in range(WORDS))
        body = {"content": question}
        keyed = {"Idempotency-Key": f"stream-{uuid.uuid4().hex}", "Accept": "text/event-stream"}

        with client.stream("POST", path, json=body, headers=keyed) as first:
            assert first.status_code == 200
            for line in first.iter_lines():
                if line.startswith("data: ") and '"content"' in line:
                    break  # one chunk in: the client goes away
        # The connection is closed; the reply is still being generated.
        during = client.post(path, json=body, headers=keyed)
        assert during.status_code == 409, during.text
        assert during.json()["error"] == "IDEMPOTENCY_KEY_IN_USE"

        replay = _retry_until_answered(client, path, body, keyed)

    assert replay.headers["Idempotent-Replayed"] == "true"
    events = payloads(replay.text)
    assert events[-1] == "[DONE]" and events[-2]["type"] == "complete"
    streamed = "".join(
        e["content"] for e in events if isinstance(e, dict) and e["type"] == "content"
    )
    assert streamed == f"Echo: {question}"
    assert events[-2]["message"]["content"] == streamed
    assert generations(slow_upstream) == 1
    with httpx.Client(base_url=live_server.api_url, headers=headers, timeout=30) as client:
        stored = client.get(path.removesuffix("/stream")).json()["data"]["messages"]
    assert [m["content"] for m in stored] == [question, f"Echo: {question}"]


def _retry_until_answered(
    client: httpx.Client, path: str, body: dict, headers: dict[str, str]
) -> httpx.Response:
    """Retry as a client would: after each 409's Retry-After, until the answer comes."""
    deadline = time.monotonic() + RETRY_FOR
    while True:
        response = client.post(path, json=body, headers=headers)
        if response.status_code != 409 or time.monotonic() > deadline:
            assert response.status_code == 200, response.text
            return response
        assert response.json()["error"] == "IDEMPOTENCY_KEY_IN_USE"
        time.sleep(float(response.headers["Retry-After"]))
