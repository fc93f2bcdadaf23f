"""Every provider the registry names, reached through the mock upstream."""

from __future__ import annotations

import json

import pytest

from tests.conftest import client_for
from tests.support.mock_upstream import MockUpstream


@pytest.fixture
async def keyless_upstream():
    """An Ollama-like host: no API key, a list of local models."""
    async with MockUpstream(api_key=None) as server:
        server.ollama_models = ["llama3.2:3b", "qwen3:8b"]
        yield server


@pytest.fixture
async def client(settings, upstream, keyless_upstream):
    mock = upstream.openai_base_url
    env = {
        **settings.provider_env,
        "GEMINI_API_KEY": "test-key",
        "GEMINI_BASE_URL": mock,
        "GROQ_API_KEY": "test-key",
        "GROQ_BASE_URL": mock,
        "OPENROUTER_API_KEY": "test-key",
        "OPENROUTER_BASE_URL": mock,
        "OLLAMA_HOST": keyless_upstream.url.removeprefix("http://"),
    }
    async with client_for(settings.model_copy(update={"provider_env": env})) as http:
        yield http


@pytest.mark.parametrize(
    ("model", "upstream_model"),
    [
        ("gemini-2.5-flash", "gemini-2.5-flash"),
        ("llama-3.3-70b-versatile", "llama-3.3-70b-versatile"),
        ("openrouter/anthropic/claude-sonnet-4.5", "anthropic/claude-sonnet-4.5"),
    ],
)
async def test_openai_compatible_providers_send_with_their_key(
    client, upstream, model, upstream_model
):
    conversation = (await client.post("/conversations", json={"title": "t", "model": model})).json()
    cid = conversation["data"]["conversation"]["id"]
    response = await client.post(f"/conversations/{cid}/messages", json={"content": "hi"})
    assert response.status_code == 201, response.text
    assert response.json()["data"]["message"]["content"] == "Echo: hi"
    request = upstream.requests[-1]
    assert request.json["model"] == upstream_model
    assert request.headers["authorization"] == "Bearer test-key"


@pytest.mark.parametrize(
    ("model", "upstream_model"),
    [
        ("gemini-2.5-flash", "gemini-2.5-flash"),
        ("llama-3.3-70b-versatile", "llama-3.3-70b-versatile"),
        ("openrouter/anthropic/claude-sonnet-4.5", "anthropic/claude-sonnet-4.5"),
    ],
)
async def test_openai_compatible_providers_answer_through_v1_and_are_metered(
    client, upstream, model, upstream_model
):
    """/v1/chat/completions reaches each provider with its own key and model name, whole
    and streamed, and each call is counted in the caller's usage."""
    chat = "http://test/v1/chat/completions"
    message = {"role": "user", "content": "hi"}
    whole = await client.post(chat, json={"model": model, "messages": [message]})
    streamed = await client.post(
        chat,
        json={
            "model": model,
            "messages": [message],
            "stream": True,
            "stream_options": {"include_usage": True},
        },
    )

    assert whole.status_code == 200, whole.text
    assert whole.json()["choices"][0]["message"]["content"] == "Echo: hi"
    assert whole.json()["model"] == model
    assert streamed.status_code == 200, streamed.text
    chunks = [
        json.loads(line.removeprefix("data: "))
        for line in streamed.text.splitlines()
        if line.startswith("data: {")
    ]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text == "Echo: hi" and chunks[-1]["usage"]["total_tokens"] > 0
    sent = upstream.requests[-2:]
    assert [r.json["model"] for r in sent] == [upstream_model, upstream_model]
    assert all(r.headers["authorization"] == "Bearer test-key" for r in sent)
    usage = (await client.get("/usage")).json()["data"]
    assert usage["totals"]["calls"] == 2
    assert usage["totals"]["totalTokens"] == (
        whole.json()["usage"]["total_tokens"] + chunks[-1]["usage"]["total_tokens"]
    )


async def test_ollama_models_are_listed_live_and_served_without_a_key(client, keyless_upstream):
    models = (await client.get("/models")).json()["data"]["models"]
    local = {m["name"]: m for m in models if m["provider"] == "ollama"}
    assert set(local) == {"ollama/llama3.2:3b", "ollama/qwen3:8b"}
    assert local["ollama/qwen3:8b"]["available"] is True
    conversation = (
        await client.post("/conversations", json={"title": "t", "model": "ollama/qwen3:8b"})
    ).json()
    cid = conversation["data"]["conversation"]["id"]
    streamed = await client.post(f"/conversations/{cid}/messages/stream", json={"content": "yo"})
    assert '"type":"complete"' in streamed.text
    request = keyless_upstream.requests[-1]
    assert request.path == "/v1/chat/completions" and request.json["model"] == "qwen3:8b"
    assert "authorization" not in request.headers


async def test_models_reports_capabilities(client):
    models = {m["name"]: m for m in (await client.get("/models")).json()["data"]["models"]}
    assert models["gemini-2.5-pro"]["vision"] is True
    assert models["llama-3.3-70b-versatile"]["vision"] is False
    assert models["gemini-2.5-pro"]["available"] is True
