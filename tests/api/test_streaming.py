"""Streamed sends: the SSE format of WIRE.md, and what is stored when a stream fails."""

from __future__ import annotations

import json

import pytest

from tests.support.mock_upstream import Fault


def _events(body: str) -> list[dict | str]:
    """Parse an SSE body; every event must be exactly one ``data:`` line."""
    events: list[dict | str] = []
    for block in body.split("\n\n"):
        if not block or block.startswith(":"):
            continue
        assert block.startswith("data: ") and "\n" not in block, block
        data = block[len("data: ") :]
        events.append(data if data == "[DONE]" else json.loads(data))
    return events


async def _stream(api, path: str, **body) -> tuple[int, str, list]:
    response = await api.client.post(path, json=body, headers={"Accept": "text/event-stream"})
    events = _events(response.text) if response.status_code == 200 else []
    return response.status_code, response.headers.get("content-type", ""), events


async def _path(api, conversation_id: str, branch_id: str | None = None) -> list[dict]:
    params = {"branchId": branch_id} if branch_id else {}
    response = await api.client.get(f"/conversations/{conversation_id}/messages", params=params)
    return response.json()["data"]["messages"]


@pytest.mark.parametrize("model", ["gpt-5", "claude-sonnet-4-5"])
async def test_stream_sends_chunks_then_complete_then_done(api, create_conversation, model):
    conversation = await create_conversation(model=model)
    cid = conversation["id"]
    status, content_type, events = await _stream(
        api, f"/conversations/{cid}/messages/stream", content="tell me a story please"
    )
    assert status == 200 and content_type.startswith("text/event-stream")
    chunks = [e for e in events if isinstance(e, dict) and e["type"] == "content"]
    assert len(chunks) > 1
    assert "".join(c["content"] for c in chunks) == "Echo: tell me a story please"
    complete, done = events[-2], events[-1]
    assert done == "[DONE]"
    assert complete["type"] == "complete" and complete["model"] == model
    assert complete["usage"]["totalTokens"] > 0
    stored = await _path(api, cid)
    assert stored[-1] == complete["message"]
    assert stored[-1]["content"] == "Echo: tell me a story please"


async def test_stream_on_a_branch_uses_the_branch_path(api, create_conversation, send, upstream):
    conversation = await create_conversation()
    cid = conversation["id"]
    first = await send(cid, "first")
    await send(cid, "second")
    branch = (
        await api.client.post(
            f"/conversations/{cid}/fork", json={"forkPointMessageId": first["message"]["id"]}
        )
    ).json()["data"]["branch"]
    status, _, events = await _stream(
        api, f"/conversations/{cid}/branches/{branch['id']}/messages/stream", content="aside"
    )
    assert status == 200 and events[-2]["type"] == "complete"
    sent = [m["content"] for m in upstream.requests[-1].json["messages"]]
    assert sent == ["first", "Echo: first", "aside"]
    assert upstream.requests[-1].json["stream"] is True


async def test_bad_input_is_a_json_400_before_any_event(api, create_conversation):
    conversation = await create_conversation()
    response = await api.client.post(
        f"/conversations/{conversation['id']}/messages/stream", json={"content": ""}
    )
    assert response.status_code == 400
    assert response.json()["details"]["field"] == "content"


async def test_cut_stream_keeps_the_partial_reply_marked_error(api, create_conversation, upstream):
    conversation = await create_conversation()
    cid = conversation["id"]
    upstream.enqueue(Fault.cut_after(2))
    status, _, events = await _stream(
        api, f"/conversations/{cid}/messages/stream", content="one two three four five"
    )
    assert status == 200
    chunks = [e["content"] for e in events if isinstance(e, dict) and e["type"] == "content"]
    assert len(chunks) == 2
    error = events[-2]
    assert error["type"] == "error" and error["error"] == "PROVIDER_UNAVAILABLE"
    assert events[-1] == "[DONE]"
    stored = await _path(api, cid)
    assert [m["role"] for m in stored] == ["user", "assistant"]
    assert stored[-1]["content"] == "".join(chunks)
    assert stored[-1]["metadata"]["finishReason"] == "error"
    status, _, events = await _stream(api, f"/conversations/{cid}/messages/stream", content="again")
    assert events[-2]["type"] == "complete", "the branch was released"


async def test_upstream_failure_before_any_chunk_keeps_only_the_question(
    api, create_conversation, upstream
):
    conversation = await create_conversation()
    cid = conversation["id"]
    upstream.enqueue(*[Fault.status(500)] * 3)  # every attempt of the retry policy
    _, _, events = await _stream(api, f"/conversations/{cid}/messages/stream", content="hello")
    assert events[0]["type"] == "error" and events[-1] == "[DONE]"
    assert [m["content"] for m in await _path(api, cid)] == ["hello"]
    _, _, events = await _stream(api, f"/conversations/{cid}/messages/stream", content="hello")
    assert events[-2]["type"] == "complete"
    assert [m["content"] for m in await _path(api, cid)] == ["hello", "Echo: hello"]


async def test_stream_equals_a_plain_send(api, create_conversation, send):
    conversation = await create_conversation()
    cid = conversation["id"]
    plain = await send(cid, "same words")
    _, _, events = await _stream(api, f"/conversations/{cid}/messages/stream", content="same words")
    assert events[-2]["message"]["content"] == plain["message"]["content"]
