"""The send routes' plain-ASGI answer (``api/fast_send.py``) agrees with the FastAPI route.

``application/json`` sends take the fast path; ``application/merge-patch+json`` (JSON to
FastAPI, not to the fast path) takes the FastAPI route. Every case is sent both ways and
must get the same answer, ids and times aside.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.sse import payloads

FAST = "application/json"
ROUTED = "application/merge-patch+json"
VOLATILE = {"id", "conversationId", "createdAt", "updatedAt", "parentMessageId", "branchId"}
VOLATILE |= {"responseTime", "contentHash"}


def _stable(value: Any) -> Any:
    """``value`` without the fields that differ between two equal sends."""
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


async def _both(api, path: str, body: bytes, headers: dict[str, str] | None = None):
    answers = []
    for content_type in (FAST, ROUTED):
        response = await api.client.post(
            path, content=body, headers={"Content-Type": content_type, **(headers or {})}
        )
        answers.append((response.status_code, _stable(response.json())))
    return answers


def _body(**fields: object) -> bytes:
    return json.dumps(fields).encode()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({}, "content"),
        ({"content": ""}, "content"),
        ({"content": "hi", "temperature": 5}, "temperature"),
        ({"content": "hi", "maxTokens": "many"}, "maxTokens"),
        ({"content": "hi", "parentMessageId": "x" * 65}, "parentMessageId"),
    ],
)
async def test_an_invalid_body_is_the_same_400_both_ways(api, create_conversation, fields, field):
    conversation = await create_conversation()
    fast, routed = await _both(
        api, f"/conversations/{conversation['id']}/messages", _body(**fields)
    )
    assert fast == routed
    assert fast[0] == 400
    assert fast[1]["details"]["field"] == field


@pytest.mark.parametrize(
    ("path", "status", "field"),
    [
        ("/conversations/{long}/messages", 400, "conversation_id"),
        ("/conversations/{cid}/branches/{long}/messages", 400, "branch_id"),
        ("/conversations/{cid}/branches/a%00b/messages", 400, "branch_id"),
        ("/conversations/conv_missing/messages", 404, None),
        ("/conversations/{cid}/branches/br_missing/messages", 404, None),
    ],
)
async def test_a_bad_path_is_the_same_answer_both_ways(
    api, create_conversation, path, status, field
):
    conversation = await create_conversation()
    path = path.format(cid=conversation["id"], long="c" * 65)
    # with a bad body too where the path is bad: the path's error comes first
    body = _body(content="hi", temperature=9) if field else _body(content="hi")
    fast, routed = await _both(api, path, body)
    assert fast == routed
    assert fast[0] == status
    if field:
        assert fast[1]["details"]["field"] == field


async def test_credentials_are_checked_before_the_input(api):
    fast, routed = await _both(
        api, "/conversations/x/messages", b"{}", headers={"Authorization": "ApiKey cr_nope"}
    )
    assert fast == routed
    assert fast[0] == 401


async def test_a_send_is_the_same_201_both_ways(api, create_conversation):
    answers = []
    for content_type in (FAST, ROUTED):  # each in a conversation of its own
        conversation = await create_conversation()
        response = await api.client.post(
            f"/conversations/{conversation['id']}/messages",
            content=_body(content="same", maxTokens=64),
            headers={"Content-Type": content_type},
        )
        answers.append((response.status_code, _stable(response.json())))
    fast, routed = answers
    assert fast == routed
    assert fast[0] == 201
    assert fast[1]["data"]["message"]["content"] == "Echo: same"
    assert fast[1]["data"]["message"]["metadata"]["maxTokens"] == 64


async def test_a_branch_send_goes_to_that_branch(api, create_conversation, send):
    conversation = await create_conversation()
    first = await send(conversation["id"], "root")
    response = await api.client.post(
        f"/conversations/{conversation['id']}/branches",
        json={"title": "side", "forkPointMessageId": first["userMessage"]["id"]},
    )
    assert response.status_code == 201, response.text
    branch = response.json()["data"]["branch"]
    response = await api.client.post(
        f"/conversations/{conversation['id']}/branches/{branch['id']}/messages",
        json={"content": "on the side"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["data"]["userMessage"]["branchId"] == branch["id"]


@pytest.mark.parametrize("body", [b"[1, 2]", b"not json", b'"text"'])
async def test_a_body_that_is_not_a_json_object_is_left_to_the_route(
    api, create_conversation, body
):
    conversation = await create_conversation()
    fast, routed = await _both(api, f"/conversations/{conversation['id']}/messages", body)
    assert fast == routed
    assert fast[0] == 400
    assert fast[1]["details"]["field"] == "body"


async def test_a_stream_is_the_same_events_both_ways(api, create_conversation):
    answers = []
    for content_type in (FAST, ROUTED):
        conversation = await create_conversation()
        response = await api.client.post(
            f"/conversations/{conversation['id']}/messages/stream",
            content=_body(content="tell me a story"),
            headers={"Content-Type": content_type},
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/event-stream")
        answers.append(_stable(payloads(response.text)))
    fast, routed = answers
    assert fast == routed
    assert "".join(e["content"] for e in fast if e != "[DONE]" and e["type"] == "content") == (
        "Echo: tell me a story"
    )
    assert fast[-2]["type"] == "complete" and fast[-1] == "[DONE]"


async def test_an_invalid_stream_is_the_same_400_both_ways(api, create_conversation):
    conversation = await create_conversation()
    path = f"/conversations/{conversation['id']}/messages/stream"
    fast, routed = await _both(api, path, _body(content="hi", maxTokens=0))
    assert fast == routed
    assert fast[0] == 400
    assert fast[1]["details"]["field"] == "maxTokens"


async def test_a_stream_with_last_event_id_resumes_the_reply(api, create_conversation, send):
    conversation = await create_conversation()
    reply = (await send(conversation["id"], "resume me"))["assistantMessage"]
    response = await api.client.post(
        f"/conversations/{conversation['id']}/messages/stream",
        json={"content": "ignored on a resumption"},
        headers={"Last-Event-ID": f"{reply['id']}:6"},
    )
    assert response.status_code == 200, response.text
    events = payloads(response.text)
    assert events[0]["type"] == "content" and events[0]["content"] == "resume me"
    assert events[-2]["message"]["id"] == reply["id"]
