"""Stopping a reply: ``POST /conversations/{id}/messages/{reply id}/stop``.

The generation ends where it is and its text so far is stored as the reply,
``finishReason: "stopped"``; everyone waiting on it gets an end.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import select, update

from chatroutes.server.services.branches import store_reply_at_head
from chatroutes.server.services.recovery import interrupted_meta
from chatroutes.server.services.server_context import utcnow
from chatroutes.server.store import branches as branch_store
from chatroutes.server.store import messages as message_store
from chatroutes.server.store.branches import BranchRepository
from chatroutes.server.store.tables import Branch
from tests.api.test_recovery import _leave_lease, _unanswered_question
from tests.support.mock_upstream import Fault
from tests.support.sse import payloads

QUESTION = " ".join(f"word{i}" for i in range(40))
FULL = "Echo: " + QUESTION


async def _generating(api, *, streamed_chars: int | None = None) -> str:
    """The id of the reply generating in the app (streamed, once it has that many chars)."""
    ctx = api.app.state.ctx
    for _ in range(500):
        if streamed_chars is None:
            ready = list(ctx.generations)
        else:
            ready = [r.reply_id for r in ctx.live.values() if r.length >= streamed_chars]
        if ready:
            return ready[0]
        await asyncio.sleep(0.01)
    raise AssertionError("no reply started generating")


async def _stop(api, cid: str, reply_id: str, **kwargs):
    return await api.client.post(f"/conversations/{cid}/messages/{reply_id}/stop", **kwargs)


async def test_stop_mid_stream_keeps_the_text_so_far(api, create_conversation, upstream):
    cid = (await create_conversation())["id"]
    upstream.chunk_delay = 0.03
    try:
        streaming = asyncio.create_task(
            api.client.post(f"/conversations/{cid}/messages/stream", json={"content": QUESTION})
        )
        reply_id = await _generating(api, streamed_chars=12)
        joined = asyncio.create_task(
            api.client.get(f"/conversations/{cid}/messages/{reply_id}/stream")
        )
        await asyncio.sleep(0.05)  # the second reader is following the live reply
        stopped = await _stop(api, cid, reply_id)
        original, second = payloads((await streaming).text), payloads((await joined).text)
    finally:
        upstream.chunk_delay = 0.0

    assert stopped.status_code == 200, stopped.text
    data = stopped.json()["data"]
    assert data["stopped"] is True
    reply = data["message"]
    assert reply["id"] == reply_id and reply["role"] == "assistant"
    assert reply["metadata"]["finishReason"] == "stopped"
    assert 12 <= len(reply["content"]) < len(FULL) and FULL.startswith(reply["content"])

    for events in (original, second):  # both readers got the end, the stored reply
        assert events[-1] == "[DONE]" and events[-2]["type"] == "complete"
        assert events[-2]["message"] == reply
    streamed = "".join(e["content"] for e in original if e != "[DONE]" and e["type"] == "content")
    assert streamed == reply["content"]

    messages = (await api.client.get(f"/conversations/{cid}/messages")).json()["data"]["messages"]
    assert messages[-1] == reply
    [branch] = (await api.client.get(f"/conversations/{cid}/branches")).json()["data"]["branches"]
    assert branch["headMessageId"] == reply_id
    assert not api.app.state.ctx.generations and not api.app.state.ctx.live
    again = await api.client.post(f"/conversations/{cid}/messages", json={"content": "next"})
    assert again.status_code == 201, "the branch's lease was released at once"
    assert again.json()["data"]["userMessage"]["parentMessageId"] == reply_id


async def test_stopping_a_plain_send_answers_it_with_the_reply_so_far(
    api, create_conversation, upstream
):
    cid = (await create_conversation())["id"]
    upstream.enqueue(Fault.hang())  # the model never answers
    sending = asyncio.create_task(
        api.client.post(f"/conversations/{cid}/messages", json={"content": "think hard"})
    )
    reply_id = await _generating(api)
    stopped = await _stop(api, cid, reply_id)
    sent = await sending

    assert stopped.status_code == 200 and stopped.json()["data"]["stopped"] is True
    assert sent.status_code == 201, sent.text
    data = sent.json()["data"]
    assert data["message"] == stopped.json()["data"]["message"]
    assert data["message"]["id"] == reply_id and data["message"]["content"] == ""
    assert data["message"]["metadata"]["finishReason"] == "stopped"
    assert data["userMessage"]["content"] == "think hard"
    assert data["usage"]["completionTokens"] == 0 and data["usage"]["promptTokens"] > 0


async def test_stopping_a_stored_reply_changes_nothing(api, create_conversation, send):
    cid = (await create_conversation())["id"]
    reply = (await send(cid, "hello"))["message"]
    for _ in range(2):
        response = await _stop(api, cid, reply["id"])
        assert response.status_code == 200
        assert response.json()["data"] == {"stopped": False, "message": reply}


async def test_stopping_someone_elses_or_an_unknown_reply_is_404(api, create_conversation, send):
    cid = (await create_conversation())["id"]
    sent = await send(cid, "mine")
    other = api.headers(await api.new_key())
    for reply_id, headers in (
        (sent["message"]["id"], other),
        ("msg_nope", {}),
        (sent["userMessage"]["id"], {}),  # a question is not a reply
    ):
        response = await _stop(api, cid, reply_id, headers=headers)
        assert response.status_code == 404, response.text
        assert response.json()["success"] is False and response.json()["error"] == "NOT_FOUND"


async def test_a_stop_asked_through_another_process_is_carried_out_at_the_next_heartbeat(
    api, create_conversation, upstream
):
    ctx = api.app.state.ctx
    ctx.settings = ctx.settings.model_copy(update={"generation_heartbeat_seconds": 0.05})
    cid = (await create_conversation())["id"]
    upstream.enqueue(Fault.hang())  # the model never answers
    sending = asyncio.create_task(
        api.client.post(f"/conversations/{cid}/messages", json={"content": "think hard"})
    )
    reply_id = await _generating(api)
    async with ctx.db.write() as session:  # what a stop through another process records
        assert await BranchRepository(session).request_stop(cid, reply_id, utcnow())
    sent = await asyncio.wait_for(sending, timeout=10)

    assert sent.status_code == 201, sent.text
    message = sent.json()["data"]["message"]
    assert message["id"] == reply_id and message["metadata"]["finishReason"] == "stopped"
    assert not await _stop_requested(api, cid)  # given up with the lease


ELSEWHERE = "msg_elsewhere"  # a reply another server process is generating


async def _stored_elsewhere(api, cid: str, text: str, finish_reason: str) -> None:
    """What the process generating ``ELSEWHERE`` does when it is done: stores the reply
    under the id it announced and gives up its lease, in one transaction."""
    meta = {**interrupted_meta("gpt-5", "openai", text), "finishReason": finish_reason}

    def store(connection) -> None:
        branch = branch_store.main_branch(connection, cid)
        question = message_store.message_in(connection, branch.head_message_id, cid)
        store_reply_at_head(
            connection,
            branch,
            question,
            ELSEWHERE,
            content=text,
            model="gpt-5",
            token_count=meta["completionTokens"],
            meta=meta,
            lease=branch.generation_lease,
        )

    await api.app.state.ctx.db.run(store, write=True)


async def _stop_requested(api, cid: str) -> bool:
    async with api.app.state.ctx.db.read() as session:
        branch = await session.scalar(select(Branch).where(Branch.conversation_id == cid))
    return branch.generation_stop_requested_at is not None


async def test_a_reply_generating_in_another_process_is_stopped_by_that_process(api, upstream):
    cid, question = await _unanswered_question(api, upstream)
    await _leave_lease(api, cid, question["id"], expires_in=30, reply_id=ELSEWHERE)

    async def the_other_process() -> None:  # sees the stop at a heartbeat, stores, lets go
        for _ in range(500):
            if await _stop_requested(api, cid):
                await _stored_elsewhere(api, cid, "Echo: ha", "stopped")
                return
            await asyncio.sleep(0.02)
        raise AssertionError("no stop was asked for")

    other = asyncio.create_task(the_other_process())
    response = await _stop(api, cid, ELSEWHERE)
    await other
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["stopped"] is True
    assert data["message"]["id"] == ELSEWHERE and data["message"]["content"] == "Echo: ha"
    assert data["message"]["metadata"]["finishReason"] == "stopped"


async def test_a_stop_the_other_process_does_not_carry_out_in_time_is_409_and_stands(api, upstream):
    ctx = api.app.state.ctx
    ctx.settings = ctx.settings.model_copy(update={"generation_heartbeat_seconds": 0.05})
    cid, question = await _unanswered_question(api, upstream)
    await _leave_lease(api, cid, question["id"], expires_in=30, reply_id=ELSEWHERE)
    response = await _stop(api, cid, ELSEWHERE)
    assert response.status_code == 409, response.text
    assert "the stop stands" in response.json()["message"]
    assert await _stop_requested(api, cid)  # the generating process still sees it


async def test_a_reply_generating_in_another_process_is_followed_as_it_is_flushed(api, upstream):
    cid, question = await _unanswered_question(api, upstream)
    await _leave_lease(
        api, cid, question["id"], expires_in=30, reply_id=ELSEWHERE, partial="Echo: ha"
    )
    reading = asyncio.create_task(
        api.client.get(f"/conversations/{cid}/messages/{ELSEWHERE}/stream?offset=2")
    )
    await asyncio.sleep(0.6)  # the reader polls every 0.25 s
    async with api.app.state.ctx.db.write() as session:  # the generating process's next flush
        await session.execute(
            update(Branch)
            .where(Branch.conversation_id == cid)
            .values(generation_partial="Echo: ha ha")
        )
    await asyncio.sleep(0.6)
    await _stored_elsewhere(api, cid, "Echo: ha ha ha", "stop")
    response = await reading

    assert response.status_code == 200, response.text
    events = payloads(response.text)
    pieces = [e["content"] for e in events if isinstance(e, dict) and e["type"] == "content"]
    assert pieces == ["ho: ha", " ha", " ha"]  # from offset 2: each flush, then the rest
    [complete] = [e for e in events if isinstance(e, dict) and e["type"] == "complete"]
    assert complete["message"]["id"] == ELSEWHERE
    assert complete["message"]["content"] == "Echo: ha ha ha"
    assert events[-1] == "[DONE]"


async def test_the_sdk_stops_replies(api, create_conversation, send, upstream):
    """``messages.stop`` of the async SDK against the app; the sync one sends the same."""
    from chatroutes import AsyncChatRoutes, ChatRoutes, NotFoundError

    key = api.client.headers["Authorization"].removeprefix("ApiKey ")
    cid = (await create_conversation())["id"]
    transport = httpx.ASGITransport(app=api.app)
    async with AsyncChatRoutes(
        key, "http://test/api/v1", http_client=httpx.AsyncClient(transport=transport)
    ) as cr:
        upstream.enqueue(Fault.hang())
        sending = asyncio.create_task(cr.messages.send(cid, {"content": "slow"}))
        reply_id = await _generating(api)
        stopped = await cr.messages.stop(cid, reply_id)
        assert stopped["stopped"] is True and stopped["message"]["id"] == reply_id
        assert (await sending)["message"] == stopped["message"]
        assert await cr.messages.stop(cid, reply_id) == {**stopped, "stopped": False}
        with pytest.raises(NotFoundError):
            await cr.messages.stop(cid, "msg_nope")

    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"success": True, "data": stopped})

    mock = httpx.Client(transport=httpx.MockTransport(answer))
    sync = ChatRoutes(key, "http://sdk.test/api/v1", http_client=mock)
    assert sync.messages.stop("conv_1", "msg_1") == stopped
    path = "/api/v1/conversations/conv_1/messages/msg_1/stop"
    assert (seen[0].method, seen[0].url.path) == ("POST", path)


async def test_a_stopped_chat_api_stream_ends_with_done(api, upstream):
    upstream.chunk_delay = 0.03
    try:
        streaming = asyncio.create_task(
            api.client.post(
                "http://test/api/chat",
                json={"message": QUESTION, "provider": "openai", "stream": True},
            )
        )
        reply_id = await _generating(api, streamed_chars=12)
        [live] = api.app.state.ctx.live.values()
        stopped = await _stop(api, live.conversation_id, reply_id)
        events = payloads((await streaming).text)
    finally:
        upstream.chunk_delay = 0.0

    assert stopped.status_code == 200, stopped.text
    reply = stopped.json()["data"]["message"]
    done = [e for e in events if e != "[DONE]" and e["type"] == "done"]
    assert len(done) == 1 and done[0]["response"] == reply["content"]
    assert done[0]["messageId"] == reply_id and done[0]["finishReason"] == "stopped"
