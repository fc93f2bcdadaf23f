"""Streamed sends: the SSE format of WIRE.md, and what is stored when a stream fails."""

from __future__ import annotations

import pytest

from tests.support.mock_upstream import Fault
from tests.support.sse import parse_events, payloads


async def _stream(api, path: str, **body) -> tuple[int, str, list]:
    response = await api.client.post(path, json=body, headers={"Accept": "text/event-stream"})
    events = payloads(response.text) if response.status_code == 200 else []
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


async def test_a_finished_reply_replays_from_any_offset(api, create_conversation):
    cid = (await create_conversation())["id"]
    response = await api.client.post(
        f"/conversations/{cid}/messages/stream", json={"content": "replay me"}
    )
    events = parse_events(response.text)
    first_id, first = events[0]
    reply_id, offset = first_id.rsplit(":", 1)
    assert first["type"] == "content" and int(offset) == len(first["content"])
    resumed = await api.client.get(
        f"/conversations/{cid}/messages/{reply_id}/stream", headers={"Last-Event-ID": first_id}
    )
    rest = payloads(resumed.text)
    assert first["content"] + rest[0]["content"] == "Echo: replay me"
    assert rest[1]["type"] == "complete" and rest[1]["message"]["id"] == reply_id
    assert rest[2] == "[DONE]"
    again = await api.client.post(
        f"/conversations/{cid}/messages/stream",
        json={"content": "replay me"},
        headers={"Last-Event-ID": f"{reply_id}:0"},
    )
    assert payloads(again.text)[0]["content"] == "Echo: replay me"
    messages = (await api.client.get(f"/conversations/{cid}/messages")).json()["data"]["messages"]
    assert len(messages) == 2, "a reconnect never sends again"


async def test_a_reader_can_join_a_reply_while_it_is_generated(api, create_conversation, upstream):
    import asyncio

    cid = (await create_conversation())["id"]
    upstream.chunk_delay = 0.02
    try:
        sending = asyncio.create_task(
            api.client.post(
                f"/conversations/{cid}/messages/stream",
                json={"content": " ".join(f"w{i}" for i in range(20))},
            )
        )
        reply_id = None
        for _ in range(200):
            await asyncio.sleep(0.01)
            live = api.app.state.ctx.live
            if live:
                reply_id = next(iter(live))
                break
        assert reply_id is not None, "the reply is registered as live while generating"
        joined = await api.client.get(f"/conversations/{cid}/messages/{reply_id}/stream?offset=5")
        original = payloads((await sending).text)
    finally:
        upstream.chunk_delay = 0.0
    full = "".join(e["content"] for e in original if isinstance(e, dict) and e["type"] == "content")
    late = payloads(joined.text)
    assert "".join(e["content"] for e in late[:-1] if e["type"] == "content") == full[5:]
    assert late[-2]["type"] == "complete" and late[-2]["message"]["content"] == full
    assert not api.app.state.ctx.live


@pytest.mark.parametrize("header", ["garbage", "msg_x:", ":5", "msg_x:-1"])
async def test_bad_last_event_id_is_a_400(api, create_conversation, header):
    cid = (await create_conversation())["id"]
    response = await api.client.post(
        f"/conversations/{cid}/messages/stream",
        json={"content": "x"},
        headers={"Last-Event-ID": header},
    )
    assert response.status_code == 400
    assert response.json()["details"]["field"] == "Last-Event-ID"


async def test_resuming_an_unknown_or_foreign_reply_is_404(api, create_conversation, send):
    cid = (await create_conversation())["id"]
    reply = (await send(cid, "mine"))["message"]
    missing = await api.client.get(f"/conversations/{cid}/messages/msg_nope/stream")
    assert missing.status_code == 404
    other = api.headers(await api.new_key())
    foreign = await api.client.get(
        f"/conversations/{cid}/messages/{reply['id']}/stream", headers=other
    )
    assert foreign.status_code == 404


async def test_a_first_reply_is_regenerated_from_a_new_version_of_its_question(
    api, create_conversation, send
):
    """The web UI's Regenerate for a reply whose question has no parent to send from."""
    cid = (await create_conversation())["id"]
    first = await send(cid, "first question")
    await send(cid, "second")
    question = first["userMessage"]["id"]
    edited = await api.client.patch(f"/messages/{question}", json={"content": "first question"})
    version, branch = edited.json()["data"]["message"], edited.json()["data"]["branch"]
    assert version["parentMessageId"] is None and branch["forkPointMessageId"] is None
    _, _, events = await _stream(
        api,
        f"/conversations/{cid}/branches/{branch['id']}/messages/stream",
        content="first question",
    )
    complete = events[-2]
    assert complete["type"] == "complete", "sent again, the version is answered, not repeated"
    assert complete["userMessage"]["id"] == version["id"]
    assert complete["message"]["parentMessageId"] == version["id"]
    assert [m["content"] for m in await _path(api, cid, branch["id"])] == [
        "first question",
        "Echo: first question",
    ]
    assert len(await _path(api, cid)) == 4, "the main branch is left as it was"
