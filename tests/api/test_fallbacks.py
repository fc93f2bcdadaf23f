"""Per-model fallbacks and the per-provider circuit breaker, through the mock upstream."""

from __future__ import annotations

import pytest

from tests.support.mock_upstream import Fault


@pytest.fixture
def settings(settings, tmp_path):
    models = tmp_path / "models.toml"
    models.write_text('[models.gpt-5]\nfallbacks = ["claude-sonnet-4-5"]\n')
    return settings.model_copy(update={"models_file": models, "upstream_retry_budget_seconds": 5.0})


async def _send(api, cid: str, content: str):
    return await api.client.post(f"/conversations/{cid}/messages", json={"content": content})


async def test_a_failing_model_falls_back_and_says_so(api, create_conversation, upstream):
    cid = (await create_conversation())["id"]
    upstream.enqueue(*[Fault.status(503)] * 3)
    response = await _send(api, cid, "hello")
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["model"] == "claude-sonnet-4-5"
    metadata = data["message"]["metadata"]
    assert metadata["fallbackFrom"] == "gpt-5" and metadata["attempts"] == 4
    assert [r.protocol for r in upstream.requests] == ["openai"] * 3 + ["anthropic"]
    assert data["message"]["content"] == "Echo: hello"


async def test_an_open_circuit_skips_the_failing_provider(api, create_conversation, upstream):
    cid = (await create_conversation())["id"]
    upstream.enqueue(*[Fault.status(503)] * 3)  # the mock's faults are one queue: enqueue
    assert (await _send(api, cid, "one")).status_code == 201  # per send, so only gpt-5 fails
    upstream.enqueue(*[Fault.status(503)] * 2)  # failures 4 and 5 open the circuit
    second = await _send(api, cid, "two")
    assert second.status_code == 201
    assert [r.protocol for r in upstream.requests[-3:]] == ["openai", "openai", "anthropic"]
    before = len(upstream.requests)
    third = await _send(api, cid, "three")
    assert third.status_code == 201
    assert [r.protocol for r in upstream.requests[before:]] == ["anthropic"]
    assert third.json()["data"]["message"]["metadata"]["fallbackFrom"] == "gpt-5"


async def test_failed_send_names_the_kept_question(api, create_conversation, upstream):
    cid = (await create_conversation(model="claude-3-5-haiku-latest"))["id"]
    upstream.enqueue(*[Fault.status(503)] * 3)
    response = await _send(api, cid, "kept")
    assert response.status_code == 503
    kept = response.json()["details"]["userMessageId"]
    listed = (await api.client.get(f"/conversations/{cid}/messages")).json()["data"]["messages"]
    assert [m["id"] for m in listed] == [kept]
