"""Upstream faults: what the client receives, what is stored, how many attempts were made."""

from __future__ import annotations

import pytest

from tests.conftest import client_for
from tests.support.mock_upstream import Fault
from tests.support.sse import payloads


@pytest.fixture
def settings(settings):
    """Short per-attempt timeouts so hangs resolve quickly; the default retry policy."""
    return settings.model_copy(
        update={"upstream_timeout_seconds": 0.5, "upstream_retry_budget_seconds": 5.0}
    )


async def _send(api, cid: str, content: str = "question", **body):
    return await api.client.post(
        f"/conversations/{cid}/messages", json={"content": content, **body}
    )


async def _stream_events(api, cid: str, content: str) -> list:
    response = await api.client.post(
        f"/conversations/{cid}/messages/stream", json={"content": content}
    )
    assert response.status_code == 200, response.text
    return payloads(response.text)


async def _stored(api, cid: str) -> list[tuple[str, str]]:
    response = await api.client.get(f"/conversations/{cid}/messages")
    return [(m["role"], m["content"]) for m in response.json()["data"]["messages"]]


@pytest.fixture
async def cid(create_conversation) -> str:
    return (await create_conversation())["id"]


@pytest.mark.parametrize(
    "fault",
    [Fault.status(500), Fault.status(503), Fault.status(429, retry_after=0.2), Fault.hang()],
    ids=["500", "503", "429-retry-after", "hang"],
)
async def test_a_transient_fault_is_retried_once_and_stored_once(api, cid, upstream, fault):
    upstream.enqueue(fault)
    response = await _send(api, cid)
    assert response.status_code == 201, response.text
    assert response.json()["data"]["message"]["metadata"]["attempts"] == 2
    assert len(upstream.requests) == 2
    assert await _stored(api, cid) == [("user", "question"), ("assistant", "Echo: question")]


@pytest.mark.parametrize(
    ("faults", "status", "code", "attempts"),
    [
        ([Fault.status(503)] * 3, 503, "PROVIDER_UNAVAILABLE", 3),
        ([Fault.status(429, retry_after=0.1)] * 3, 429, "RATE_LIMITED", 3),
        ([Fault.hang()] * 3, 504, "PROVIDER_TIMEOUT", 3),
        ([Fault.status(401)], 502, "PROVIDER_AUTH_ERROR", 1),
        ([Fault.status(400)], 502, "PROVIDER_ERROR", 1),
    ],
    ids=["down", "rate-limited", "timeout", "bad-key", "refused"],
)
async def test_a_lasting_fault_maps_to_our_error_and_keeps_the_question(
    api, cid, upstream, faults, status, code, attempts
):
    upstream.enqueue(*faults)
    response = await _send(api, cid)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False and body["error"] == code
    assert len(upstream.requests) == attempts
    if status == 429:
        assert body["retryAfter"] == 1 and response.headers["Retry-After"] == "1"
    assert await _stored(api, cid) == [("user", "question")]
    retry = await _send(api, cid)
    assert retry.status_code == 201
    assert await _stored(api, cid) == [("user", "question"), ("assistant", "Echo: question")]


async def test_wrong_server_key_is_a_provider_auth_error(settings):
    env = {**settings.provider_env, "OPENAI_API_KEY": "wrong-key"}
    async with client_for(settings.model_copy(update={"provider_env": env})) as client:
        created = await client.post("/conversations", json={"title": "t"})
        cid = created.json()["data"]["conversation"]["id"]
        response = await client.post(f"/conversations/{cid}/messages", json={"content": "q"})
    assert response.status_code == 502
    assert response.json()["error"] == "PROVIDER_AUTH_ERROR"
    assert "API key" in response.json()["message"]


async def test_slow_first_byte_within_the_timeout_is_not_a_fault(api, cid, upstream):
    upstream.enqueue(Fault.delay(0.2))
    response = await _send(api, cid)
    assert response.status_code == 201
    assert len(upstream.requests) == 1


async def test_stream_retries_before_the_first_token(api, cid, upstream):
    upstream.enqueue(Fault.status(503))
    events = await _stream_events(api, cid, "streamed")
    assert events[-2]["type"] == "complete"
    assert events[-2]["message"]["metadata"]["attempts"] == 2
    text = "".join(e["content"] for e in events if isinstance(e, dict) and e["type"] == "content")
    assert text == "Echo: streamed"


async def test_stream_never_retries_after_the_first_token(api, cid, upstream):
    upstream.enqueue(Fault.cut_after(1))
    events = await _stream_events(api, cid, "alpha beta gamma")
    assert events[-2]["type"] == "error" and len(upstream.requests) == 1
    [(_, question), (_, partial)] = await _stored(api, cid)
    assert question == "alpha beta gamma" and "Echo: alpha beta gamma".startswith(partial)


async def test_malformed_chunk_is_skipped(api, cid, upstream):
    upstream.enqueue(Fault.malformed_chunk(after=1))
    events = await _stream_events(api, cid, "one two three")
    assert events[-2]["type"] == "complete"
    assert events[-2]["message"]["content"] == "Echo: one two three"


async def test_anthropic_faults_map_the_same_way(api, create_conversation, upstream):
    conversation = await create_conversation(model="claude-sonnet-4-5")
    upstream.enqueue(Fault.status(529), Fault.status(503), Fault.status(503))
    response = await _send(api, conversation["id"])
    assert response.status_code == 503
    assert [r.protocol for r in upstream.requests] == ["anthropic"] * 3


class TestHeartbeat:
    @pytest.fixture
    def settings(self, settings):
        return settings.model_copy(update={"sse_heartbeat_seconds": 0.05})

    async def test_a_quiet_stream_gets_comment_heartbeats(self, api, cid, upstream):
        upstream.enqueue(Fault.delay(0.3))
        response = await api.client.post(
            f"/conversations/{cid}/messages/stream", json={"content": "slow"}
        )
        assert response.text.startswith(": ping\n\n")
        assert payloads(response.text)[-2]["type"] == "complete"
