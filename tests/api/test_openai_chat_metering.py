"""/v1/chat/completions is metered like every send: admitted and counted, each choice's
tokens reserved before its upstream call and settled to the usage reported, the usage in
/api/v1/usage; a burst can never spend past a quota; the rate limit and a spent quota are
OpenAI's 429s. Counters in the database and in Redis, on both databases."""

from __future__ import annotations

import asyncio
import uuid

from tests.api.test_limits import _clear_of_minute_end, _rate
from tests.security.metering_support import (
    LONG_REPLY,
    account,
    billed,
    lapi,
    month_tokens,
    reported,
)
from tests.support.mock_upstream import Fault, MockUpstream

__all__ = ["lapi"]  # the fixture: counters in the database, then in Redis

CHAT = "http://test/v1/chat/completions"


def _body(content: str = "hello", **fields: object) -> dict:
    return {"model": "gpt-5", "messages": [{"role": "user", "content": content}], **fields}


async def test_a_call_is_settled_to_its_usage_and_counted_in_api_v1_usage(lapi, upstream):
    user_id, headers = await account(lapi, "free", {"tokens_per_month": 100_000})

    response = await lapi.client.post(CHAT, json=_body(), headers=headers)

    assert response.status_code == 200, response.text
    usage = response.json()["usage"]
    assert usage["total_tokens"] == reported(upstream) > 0
    assert await month_tokens(lapi, user_id) == reported(upstream)
    data = await billed(lapi, headers)
    assert data["totals"]["totalTokens"] == usage["total_tokens"]
    assert data["totals"]["calls"] == 1
    (kind,) = data["byKind"]
    assert kind["kind"] == "chat_completion" and kind["totalTokens"] == usage["total_tokens"]
    conversations = await lapi.client.get("/conversations", headers=headers)
    assert conversations.json()["data"]["conversations"] == []  # stateless: nothing kept


async def test_n_choices_are_n_upstream_calls_each_metered(lapi, upstream):
    user_id, headers = await account(lapi, "free", {"tokens_per_month": 100_000})

    response = await lapi.client.post(CHAT, json=_body(n=3), headers=headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert [c["index"] for c in body["choices"]] == [0, 1, 2]
    assert len(upstream.calls) == 3
    assert body["usage"]["total_tokens"] == reported(upstream)
    assert await month_tokens(lapi, user_id) == reported(upstream)
    assert (await billed(lapi, headers))["totals"]["calls"] == 3


async def test_a_burst_with_a_small_quota_never_spends_past_it(lapi, upstream):
    user_id, headers = await account(lapi, "free", {"tokens_per_month": 400})
    upstream.enqueue(*[Fault.reply(LONG_REPLY)] * 8)

    answers = await asyncio.gather(
        *(lapi.client.post(CHAT, json=_body(max_tokens=4000), headers=headers) for _ in range(8))
    )

    answered = [a for a in answers if a.status_code == 200]
    refused = [a for a in answers if a.status_code != 200]
    assert answered, [a.text for a in answers]
    for response in refused:
        assert response.status_code == 429, response.text
        assert response.json()["error"]["code"] == "insufficient_quota"
        assert response.headers["x-should-retry"] == "false"
    spent = reported(upstream)
    assert 0 < spent <= 400
    assert await month_tokens(lapi, user_id) == spent
    assert (await billed(lapi, headers))["totals"]["totalTokens"] == spent
    for response in answered:
        assert response.json()["choices"][0]["finish_reason"] == "length"


async def test_choices_the_quota_cannot_all_cover_are_refused_whole(lapi, upstream):
    user_id, headers = await account(lapi, "free", {"tokens_per_month": 60})

    response = await lapi.client.post(CHAT, json=_body(n=8), headers=headers)

    assert response.status_code == 429
    assert response.json()["error"]["type"] == "insufficient_quota"
    assert upstream.requests == []
    assert await month_tokens(lapi, user_id) == 0


async def test_a_failed_call_gives_its_reservation_back(lapi, upstream):
    user_id, headers = await account(lapi, "free", {"tokens_per_month": 10_000})
    upstream.enqueue(Fault.status(500), Fault.status(500), Fault.status(500), Fault.status(500))

    response = await lapi.client.post(CHAT, json=_body(), headers=headers)

    assert response.status_code in (502, 503), response.text
    assert response.json()["error"]["type"] == "server_error"
    assert await month_tokens(lapi, user_id) == 0


async def test_the_rate_limit_is_a_429_with_retry_after_and_ratelimit_headers(lapi, upstream):
    _, headers = await account(lapi, "free", {"requests_per_minute": 2})
    await _clear_of_minute_end()

    answers = [await lapi.client.post(CHAT, json=_body(), headers=headers) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    refused = answers[-1]
    assert refused.json()["error"]["code"] == "rate_limit_exceeded"
    assert refused.json()["error"]["type"] == "requests"
    assert int(refused.headers["Retry-After"]) > 0
    assert _rate(refused)[:2] == (2, 0)
    assert _rate(answers[0])[:2] == (2, 1)
    assert len(upstream.calls) == 2


async def test_a_session_token_is_admitted_like_an_api_key(lapi, upstream):
    credentials = {"email": f"web-{uuid.uuid4().hex[:10]}@example.com", "password": "a long one"}
    registered = await lapi.client.post("/auth/register", json=credentials)
    assert registered.status_code == 201, registered.text
    token = registered.json()["data"]["tokens"]["accessToken"]

    response = await lapi.client.post(
        CHAT, json=_body(), headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 200, response.text
    assert "RateLimit" in response.headers


async def test_store_keeps_the_exchange_as_a_conversation_in_api_v1(lapi, upstream: MockUpstream):
    user_id, headers = await account(lapi, "free", {"tokens_per_month": 100_000})
    body = {
        "model": "gpt-5",
        "store": True,
        "metadata": {"ticket": "T-1"},
        "messages": [
            {"role": "developer", "content": "Be brief."},
            {"role": "user", "content": "first"},
            {"role": "assistant", "content": "Echo: first"},
            {"role": "user", "content": "second"},
        ],
    }

    response = await lapi.client.post(CHAT, json=body, headers=headers)

    assert response.status_code == 200, response.text
    conversation_id = response.headers["x-chatroutes-conversation-id"]
    conversation = await lapi.client.get(f"/conversations/{conversation_id}", headers=headers)
    assert conversation.status_code == 200, conversation.text
    assert conversation.json()["data"]["conversation"]["systemPrompt"] == "Be brief."
    listed = await lapi.client.get(f"/conversations/{conversation_id}/messages", headers=headers)
    messages = listed.json()["data"]["messages"]
    assert [(m["role"], m["content"]) for m in messages] == [
        ("user", "first"),
        ("assistant", "Echo: first"),
        ("user", "second"),
        ("assistant", "Echo: second"),
    ]
    reply = messages[-1]
    assert reply["id"] == response.json()["id"]
    assert reply["metadata"]["metadata"] == {"ticket": "T-1"}
    total = response.json()["usage"]["total_tokens"]
    assert (await billed(lapi, headers))["totals"]["totalTokens"] == total == reported(upstream)
    assert await month_tokens(lapi, user_id) == total
