"""Token reservations: no burst, long reply, parallel session or deletion spends past a limit
or goes uncounted. Counters in the database and in Redis, on both databases."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from chatroutes.server.services.limits import LimitService
from chatroutes.server.store.tables import Branch
from tests.api.test_transfer import renamed
from tests.security.metering_support import (
    LONG_REPLY,
    account,
    assert_quota_refusal,
    billed,
    conversation,
    lapi,
    month_tokens,
    reported,
)
from tests.support.mock_upstream import Fault
from tests.support.sse import payloads
from tests.support.wire import wire_hash

__all__ = ["lapi"]  # the fixture, imported for pytest


async def test_a_guest_burst_never_spends_past_its_session_cap(lapi, upstream):
    user_id, headers = await account(lapi, "guest", guest=True)
    cids = [await conversation(lapi, headers) for _ in range(4)]
    upstream.enqueue(*[Fault.reply(LONG_REPLY)] * 4)

    answers = await asyncio.gather(
        *(
            lapi.client.post(
                f"/conversations/{cid}/messages", json={"content": "tell me"}, headers=headers
            )
            for cid in cids
        )
    )

    stored = [a for a in answers if a.status_code == 201]
    refused = [a for a in answers if a.status_code != 201]
    assert stored, [a.text for a in answers]
    for response in refused:
        assert_quota_refusal(response, "guest_tokens", 250)
    spent = reported(upstream)
    assert 0 < spent <= 250
    used = await LimitService(lapi.app.state.ctx).guest_used(user_id)
    assert used["tokens"] == spent
    totals = (await billed(lapi, headers))["totals"]
    assert totals["totalTokens"] == spent
    for answer in stored:
        reply = answer.json()["data"]["message"]
        assert reply["metadata"]["finishReason"] == "length"


async def test_a_long_reply_is_clamped_to_what_the_month_leaves(lapi, upstream):
    user_id, headers = await account(lapi, "free", {"tokens_per_month": 400})
    cid = await conversation(lapi, headers)
    upstream.enqueue(Fault.reply(LONG_REPLY))

    sent = await lapi.client.post(
        f"/conversations/{cid}/messages",
        json={"content": "write at length", "maxTokens": 4000},
        headers=headers,
    )

    assert sent.status_code == 201, sent.text
    asked = upstream.requests[-1].json["max_tokens"]
    assert asked < 400
    data = sent.json()["data"]
    assert data["message"]["metadata"]["finishReason"] == "length"
    assert upstream.calls[-1].completion_tokens == asked
    assert await month_tokens(lapi, user_id) == reported(upstream) <= 400


async def test_a_spent_month_is_refused_before_any_call(lapi, upstream):
    user_id, headers = await account(lapi, "free", {"tokens_per_month": 400})
    cid = await conversation(lapi, headers)
    upstream.enqueue(Fault.reply(LONG_REPLY))
    first = await lapi.client.post(
        f"/conversations/{cid}/messages", json={"content": "write"}, headers=headers
    )
    assert first.status_code == 201, first.text
    calls = len(upstream.calls)

    again = await lapi.client.post(
        f"/conversations/{cid}/messages", json={"content": "more"}, headers=headers
    )

    assert_quota_refusal(again, "tokens", 400)
    assert len(upstream.calls) == calls
    assert await month_tokens(lapi, user_id) == reported(upstream)


async def test_a_failed_call_gives_its_reservation_back(lapi, upstream):
    user_id, headers = await account(lapi, "free", {"tokens_per_month": 10_000})
    cid = await conversation(lapi, headers)
    upstream.enqueue(Fault.status(400))

    failed = await lapi.client.post(
        f"/conversations/{cid}/messages", json={"content": "hello"}, headers=headers
    )

    assert failed.status_code >= 400
    assert await month_tokens(lapi, user_id) == 0
    sent = await lapi.client.post(
        f"/conversations/{cid}/messages", json={"content": "hello"}, headers=headers
    )
    assert sent.status_code == 201, sent.text
    assert await month_tokens(lapi, user_id) == reported(upstream) > 0


async def test_a_parallel_session_the_month_cannot_cover_is_refused_and_gives_all_back(
    lapi, upstream
):
    # Enough for one short reply, not for a fifth of it each.
    user_id, headers = await account(lapi, "free", {"tokens_per_month": 60})
    cid = await conversation(lapi, headers)

    refused = await lapi.client.post(
        f"/conversations/{cid}/parallel-responses",
        json={"content": "Name a colour", "count": 5},
        headers=headers,
    )

    assert_quota_refusal(refused, "tokens", 60)
    assert upstream.calls == []
    assert await month_tokens(lapi, user_id) == 0


async def test_parallel_candidates_are_clamped_and_counted(lapi, upstream):
    user_id, headers = await account(lapi, "free", {"tokens_per_month": 1000})
    cid = await conversation(lapi, headers)
    upstream.enqueue(*[Fault.reply(LONG_REPLY)] * 3)

    started = await lapi.client.post(
        f"/conversations/{cid}/parallel-responses",
        json={"content": "Name a colour", "models": ["gpt-5", "claude-sonnet-4-5", "gpt-5"]},
        headers=headers,
    )
    assert started.status_code == 201, started.text
    session_id = started.json()["data"]["id"]
    for _ in range(200):
        view = await lapi.client.get(f"/response-sessions/{session_id}", headers=headers)
        if view.json()["data"]["status"] != "running":
            break
        await asyncio.sleep(0.02)

    assert len(upstream.calls) == 3
    assert await month_tokens(lapi, user_id) == reported(upstream) <= 1000
    assert (await billed(lapi, headers))["totals"]["totalTokens"] == reported(upstream)


async def test_a_reply_whose_conversation_is_deleted_mid_call_is_still_charged(lapi, upstream):
    user_id, headers = await account(lapi, "free", {"tokens_per_month": 10_000})
    cid = await conversation(lapi, headers)
    upstream.enqueue(Fault.delay(1.0))

    sending = asyncio.create_task(
        lapi.client.post(f"/conversations/{cid}/messages", json={"content": "hi"}, headers=headers)
    )
    for _ in range(500):  # the reply is being generated
        if lapi.app.state.ctx.generations:
            break
        await asyncio.sleep(0.01)
    deleted = await lapi.client.delete(f"/conversations/{cid}", headers=headers)
    sent = await sending

    assert deleted.status_code == 200, deleted.text
    assert sent.status_code == 404, sent.text
    spent = reported(upstream)
    assert spent > 0 and upstream.calls[-1].finished
    assert await month_tokens(lapi, user_id) == spent
    usage = await billed(lapi, headers)
    assert usage["totals"]["totalTokens"] == spent and usage["totals"]["calls"] == 1
    assert [(k["kind"], k["totalTokens"]) for k in usage["byKind"]] == [("message", spent)]


async def test_a_streamed_reply_whose_conversation_is_deleted_is_charged(lapi, upstream):
    user_id, headers = await account(lapi, "free", {"tokens_per_month": 10_000})
    cid = await conversation(lapi, headers)
    upstream.chunk_delay = 0.02
    try:
        streaming = asyncio.create_task(
            lapi.client.post(
                f"/conversations/{cid}/messages/stream",
                json={"content": " ".join(["long"] * 30)},
                headers=headers,
            )
        )
        ctx = lapi.app.state.ctx
        for _ in range(500):
            if any(live.length > 10 for live in ctx.live.values()):
                break
            await asyncio.sleep(0.01)
        deleted = await lapi.client.delete(f"/conversations/{cid}", headers=headers)
        streamed = await streaming
    finally:
        upstream.chunk_delay = 0.0

    assert deleted.status_code == 200, deleted.text
    events = payloads(streamed.text)
    assert events[-1] == "[DONE]" and events[-2]["type"] == "error", events[-3:]
    spent = reported(upstream)
    assert spent > 0
    assert await month_tokens(lapi, user_id) == spent
    assert (await billed(lapi, headers))["totals"]["totalTokens"] == spent


async def test_forged_low_token_counts_in_an_import_cannot_shrink_a_reservation(lapi, upstream):
    user_id, headers = await account(lapi, "free", {"tokens_per_month": 1_200})
    cid = await conversation(lapi, headers)
    sent = await lapi.client.post(
        f"/conversations/{cid}/messages", json={"content": "short"}, headers=headers
    )
    assert sent.status_code == 201, sent.text
    exported = await lapi.client.get(f"/conversations/{cid}/export", headers=headers)
    document = renamed(exported.json()["data"])
    question = document["messages"][0]
    question["content"] = " ".join(["elephant"] * 1_500)  # about 1,500 tokens
    question["tokenCount"] = 1
    question["contentHash"] = wire_hash(question)
    imported = await lapi.client.post("/conversations/import", json=document, headers=headers)
    assert imported.status_code == 201, imported.text
    before = reported(upstream)

    again = await lapi.client.post(
        f"/conversations/{document['conversation']['id']}/messages",
        json={"content": "and now?"},
        headers=headers,
    )

    # The prompt is counted as what it is: too big for what the month has left.
    assert_quota_refusal(again, "tokens", 1_200)
    assert reported(upstream) == before
    assert await month_tokens(lapi, user_id) == before


async def test_a_send_its_reservation_refuses_stores_no_half_of_itself(lapi, upstream):
    user_id, headers = await account(lapi, "free", {"tokens_per_month": 300})
    cid = await conversation(lapi, headers)

    refused = await lapi.client.post(
        f"/conversations/{cid}/messages",
        json={"content": " ".join(["elephant"] * 400)},  # a prompt past the whole month
        headers=headers,
    )

    assert_quota_refusal(refused, "tokens", 300)
    messages = await lapi.client.get(f"/conversations/{cid}/messages", headers=headers)
    kept = [m["role"] for m in messages.json()["data"]["messages"]]
    # Counters in the database reserve in the question's transaction; in Redis, after it,
    # and the question stays as after a provider failure.
    assert kept == (["user"] if lapi.app.state.ctx.settings.redis_url else [])
    assert upstream.calls == [] and await month_tokens(lapi, user_id) == 0
    branches = await lapi.client.get(f"/conversations/{cid}/branches", headers=headers)
    assert [b["headMessageId"] for b in branches.json()["data"]["branches"]] == [
        (m["id"] if m else None) for m in messages.json()["data"]["messages"][-1:] or [None]
    ]
    async with lapi.app.state.ctx.db.read() as session:
        leases = await session.scalars(select(Branch.generation_lease))
        assert set(leases) == {None}, "the branch was let go"
