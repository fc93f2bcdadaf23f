"""Stream events carry what both SDK generations read.

0.2.x reads ``type``/``content``; 0.1.x reads ``choices[0].delta.content`` on every event
and treats a ``finish_reason`` as the end of the reply. Both ride on every event, on the
plain-ASGI path, the FastAPI route and a resumption alike.
"""

from __future__ import annotations

import pytest

from tests.support.mock_upstream import Fault
from tests.support.sse import payloads

FAST = "application/json"
ROUTED = "application/merge-patch+json"  # JSON to FastAPI's route, not to the fast path


async def _events(api, path: str, content_type: str = FAST, **headers: str) -> list:
    response = await api.client.post(
        path,
        content=b'{"content": "tell me a story please"}',
        headers={"Content-Type": content_type, "Accept": "text/event-stream", **headers},
    )
    assert response.status_code == 200, response.text
    events = payloads(response.text)
    assert events[-1] == "[DONE]"
    return events[:-1]


def _old_sdk_text(events: list) -> str:
    """What the 0.1 readme's callback prints: ``choices[0].delta.get("content")`` of each."""
    return "".join(e["choices"][0]["delta"].get("content") or "" for e in events)


@pytest.mark.parametrize("content_type", [FAST, ROUTED])
async def test_every_event_reads_the_same_reply_both_ways(api, create_conversation, content_type):
    conversation = await create_conversation()
    events = await _events(
        api, f"/conversations/{conversation['id']}/messages/stream", content_type
    )
    content = [e for e in events if e["type"] == "content"]
    assert "".join(e["content"] for e in content) == "Echo: tell me a story please"
    assert _old_sdk_text(events) == "Echo: tell me a story please"
    for event in content:
        assert event["choices"] == [
            {"index": 0, "delta": {"content": event["content"]}, "finish_reason": None}
        ]
    complete = events[-1]
    assert complete["type"] == "complete" and complete["model"] == "gpt-5"
    assert complete["choices"] == [{"index": 0, "delta": {}, "finish_reason": "stop"}]
    finished = [e for e in events if e["choices"][0]["finish_reason"]]
    assert finished == [complete], "only the last event ends the reply for a 0.1 client"


async def test_a_resumed_stream_carries_the_choices_too(api, create_conversation, send):
    conversation = await create_conversation()
    reply = (await send(conversation["id"], "resume me"))["assistantMessage"]
    events = await _events(
        api,
        f"/conversations/{conversation['id']}/messages/stream",
        **{"Last-Event-ID": f"{reply['id']}:0"},
    )
    assert _old_sdk_text(events) == "Echo: resume me"
    assert events[-1]["type"] == "complete"
    assert events[-1]["choices"][0]["finish_reason"] == "stop"


async def test_an_error_event_has_choices_and_no_finish_reason(api, create_conversation, upstream):
    conversation = await create_conversation()
    upstream.enqueue(Fault.cut_after(2))
    events = await _events(api, f"/conversations/{conversation['id']}/messages/stream")
    error = events[-1]
    assert error["type"] == "error" and error["error"] == "PROVIDER_UNAVAILABLE"
    assert error["choices"] == [{"index": 0, "delta": {}, "finish_reason": None}]
    assert _old_sdk_text(events) == "".join(e.get("content", "") for e in events)


async def test_a_reply_cut_at_max_tokens_finishes_with_length(api, create_conversation):
    conversation = await create_conversation()
    response = await api.client.post(
        f"/conversations/{conversation['id']}/messages/stream",
        json={"content": "a long question with many words in it", "maxTokens": 2},
    )
    complete = payloads(response.text)[-2]
    assert complete["type"] == "complete"
    assert complete["message"]["metadata"]["finishReason"] == "length"
    assert complete["choices"][0]["finish_reason"] == "length"
