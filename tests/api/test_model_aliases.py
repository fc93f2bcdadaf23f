"""Older model names (``gpt-4``, ``claude-3-5-sonnet-20241022``...) stand for current models.

Every route that takes a model name resolves the alias; what is stored and answered is
the model actually used, and the upstream is asked for that model.
"""

from __future__ import annotations

import pytest

from tests.support.sse import payloads


async def _models(api) -> dict[str, dict]:
    response = await api.client.get("/models")
    return {m["name"]: m for m in response.json()["data"]["models"]}


async def test_models_list_shows_each_models_aliases(api):
    models = await _models(api)
    assert {"gpt-4", "gpt-4-turbo", "gpt-3.5-turbo"} <= set(models["gpt-5"]["aliases"])
    assert "claude-3-5-sonnet-20241022" in models["claude-sonnet-4-5"]["aliases"]
    assert "claude-3-opus" in models["claude-opus-4-1"]["aliases"]
    assert models["chatroutes-offline"]["aliases"] == []
    assert "gpt-4" not in models, "an alias is not listed as a model of its own"


async def test_conversation_created_with_an_alias_stores_the_current_model(
    api, create_conversation
):
    conversation = await create_conversation(model="gpt-4")
    assert conversation["model"] == "gpt-5"
    response = await api.client.patch(
        f"/conversations/{conversation['id']}", json={"model": "claude-3-opus"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["conversation"]["model"] == "claude-opus-4-1"


async def test_send_with_an_alias_asks_upstream_for_the_current_model_and_records_it(
    api, create_conversation, send, upstream
):
    conversation = await create_conversation(model="gpt-4")
    sent = await send(conversation["id"], "hello", model="claude-3-5-sonnet-20241022")
    assert upstream.requests[-1].json["model"] == "claude-sonnet-4-5"
    assert sent["model"] == "claude-sonnet-4-5"
    assert sent["message"]["model"] == "claude-sonnet-4-5"
    listed = await api.client.get(f"/conversations/{conversation['id']}/messages")
    assert listed.json()["data"]["messages"][-1]["model"] == "claude-sonnet-4-5"


@pytest.mark.parametrize("on_branch", [False, True])
async def test_stream_with_an_alias_completes_with_the_current_model(
    api, create_conversation, upstream, on_branch
):
    conversation = await create_conversation()
    cid = conversation["id"]
    path = f"/conversations/{cid}/messages/stream"
    if on_branch:
        path = f"/conversations/{cid}/branches/{conversation['branches'][0]['id']}/messages/stream"
    response = await api.client.post(
        path,
        json={"content": "tell me", "model": "gpt-3.5-turbo"},
        headers={"Accept": "text/event-stream"},
    )
    assert response.status_code == 200, response.text
    complete = payloads(response.text)[-2]
    assert complete["type"] == "complete" and complete["model"] == "gpt-5"
    assert complete["message"]["model"] == "gpt-5"
    assert upstream.requests[-1].json["model"] == "gpt-5"


async def test_parallel_responses_resolve_aliases_per_candidate(api, create_conversation):
    conversation = await create_conversation()
    response = await api.client.post(
        f"/conversations/{conversation['id']}/parallel-responses",
        json={"content": "Name a colour", "models": ["gpt-4-turbo", "claude-3-opus"]},
    )
    assert response.status_code == 201, response.text
    candidates = response.json()["data"]["candidates"]
    assert [c["model"] for c in candidates] == ["gpt-5", "claude-opus-4-1"]
    assert all(c["status"] == "complete" for c in candidates)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/conversations", {"title": "t", "model": "gpt-4o"}),
        ("/conversations/{cid}/messages", {"content": "x", "model": "gpt-4-0613"}),
    ],
)
async def test_names_that_are_neither_models_nor_aliases_are_still_refused(
    api, create_conversation, path, body
):
    conversation = await create_conversation()
    response = await api.client.post(path.format(cid=conversation["id"]), json=body)
    assert response.status_code == 400
    assert response.json()["details"]["field"] == "model"
    assert "gpt-5" in response.json()["message"]
