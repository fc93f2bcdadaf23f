"""OpenAI's Responses and Conversations APIs through the ``openai`` package, against a real
``chatroutes serve`` and the mock upstream: what reaches the model, the tree it grows,
the event stream, background runs, and each error class."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from openai import OpenAI
from openai.types.responses import Response

from tests.e2e.conftest import LiveServer
from tests.support.mock_upstream import Fault, MockUpstream

pytestmark = pytest.mark.e2e

TERMINAL = {"completed", "incomplete", "failed", "cancelled"}


@pytest.fixture
def client(live_server: LiveServer) -> Iterator[OpenAI]:
    with OpenAI(
        base_url=live_server.url + "/v1", api_key=live_server.api_key, max_retries=0, timeout=30
    ) as sdk:
        yield sdk


def _api(live_server: LiveServer) -> httpx.Client:
    headers = {"Authorization": f"Bearer {live_server.api_key}"}
    return httpx.Client(base_url=live_server.api_url, headers=headers, timeout=30)


def _sent(upstream: MockUpstream) -> list[dict[str, Any]]:
    """The messages of each generation request the upstream received, oldest first."""
    return [r.json for r in upstream.requests if r.json and "messages" in r.json]


def _texts(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(m["role"], m["content"]) for m in body["messages"]]


def _poll(client: OpenAI, response_id: str, timeout: float = 20) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = client.responses.retrieve(response_id)
        if response.status in TERMINAL:
            return response
        time.sleep(0.1)
    pytest.fail(f"response {response_id} did not finish in {timeout}s")


def cancel_mid_reply(
    generating: OpenAI, cancelling: OpenAI, upstream: MockUpstream, words: str, chunk_delay: float
) -> tuple[Response, Response]:
    """A background response echoing ``words``, the upstream slowed to ``chunk_delay`` a
    chunk, cancelled through ``cancelling`` once ``generating``'s stream of it has shown
    text: (the response started, the cancelled one), its text a strict start of the echo."""
    upstream.chunk_delay = chunk_delay
    try:
        started = generating.responses.create(model="gpt-5", input=words, background=True)
        with generating.responses.retrieve(started.id, stream=True) as stream:
            for event in stream:
                if event.type == "response.output_text.delta":
                    break
        cancelled = cancelling.responses.cancel(started.id)
    finally:
        upstream.chunk_delay = 0.0
    assert cancelled.status == "cancelled"
    kept, whole = cancelled.output_text, "Echo: " + words
    assert kept.startswith("Echo:") and whole.startswith(kept) and kept != whole
    return started, cancelled


def test_a_chain_of_responses_sends_the_model_its_whole_path(
    client: OpenAI, upstream: MockUpstream
) -> None:
    first = client.responses.create(
        model="gpt-5", input="My name is Ada", instructions="Answer in one line"
    )
    assert first.status == "completed"
    assert first.output_text == "Echo: My name is Ada"
    assert first.output[0].id.startswith("msg_")
    assert first.usage is not None
    assert first.usage.total_tokens == first.usage.input_tokens + first.usage.output_tokens > 0
    second = client.responses.create(input="What is my name?", previous_response_id=first.id)
    assert second.previous_response_id == first.id
    assert second.conversation is not None and first.conversation is not None
    assert second.conversation.id == first.conversation.id
    first_call, second_call = _sent(upstream)
    assert _texts(first_call) == [("system", "Answer in one line"), ("user", "My name is Ada")]
    # the instructions of a previous response are not carried over; its turns are
    assert _texts(second_call) == [
        ("user", "My name is Ada"),
        ("assistant", "Echo: My name is Ada"),
        ("user", "What is my name?"),
    ]


def test_two_responses_to_one_response_fork_the_tree(
    client: OpenAI, upstream: MockUpstream, live_server: LiveServer
) -> None:
    root = client.responses.create(model="gpt-5", input="Pick a colour")
    red = client.responses.create(input="Say red", previous_response_id=root.id)
    blue = client.responses.create(input="Say blue", previous_response_id=root.id)
    assert red.output_text == "Echo: Say red" and blue.output_text == "Echo: Say blue"
    _, red_call, blue_call = _sent(upstream)
    assert _texts(red_call)[-1] == ("user", "Say red")
    assert ("user", "Say blue") not in _texts(red_call)
    assert _texts(blue_call) == [
        ("user", "Pick a colour"),
        ("assistant", "Echo: Pick a colour"),
        ("user", "Say blue"),
    ]
    assert root.conversation is not None
    with _api(live_server) as api:
        listed = api.get(f"/conversations/{root.conversation.id}/branches")
    assert listed.status_code == 200, listed.text
    branches = listed.json()["data"]["branches"]
    assert len(branches) == 2
    [fork] = [b for b in branches if not b["isMain"]]
    assert fork["forkPointMessageId"] == root.output[0].id
    assert fork["headMessageId"] == blue.output[0].id
    # answering the fork's head continues the fork rather than forking again
    again = client.responses.create(input="And again", previous_response_id=blue.id)
    with _api(live_server) as api:
        branches = api.get(f"/conversations/{root.conversation.id}/branches").json()["data"]
    assert len(branches["branches"]) == 2
    assert _texts(_sent(upstream)[-1])[-3:] == [
        ("user", "Say blue"),
        ("assistant", "Echo: Say blue"),
        ("user", "And again"),
    ]
    assert again.output_text == "Echo: And again"


def test_a_streamed_response_sends_the_documented_events_in_order(client: OpenAI) -> None:
    with client.responses.create(
        model="gpt-5", input="stream these few words please", stream=True
    ) as stream:
        events = list(stream)
    types = [e.type for e in events]
    assert types[:4] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
    ]
    assert types[-4:] == [
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    deltas = [e.delta for e in events if e.type == "response.output_text.delta"]
    assert len(deltas) > 1 and set(types[4:-4]) == {"response.output_text.delta"}
    assert [e.sequence_number for e in events] == list(range(len(events)))
    completed = events[-1].response
    assert "".join(deltas) == completed.output_text == "Echo: stream these few words please"
    assert completed.usage is not None and completed.usage.output_tokens > 0
    # the stream of a finished response replays with the same numbers
    with client.responses.retrieve(completed.id, stream=True, starting_after=3) as replay:
        replayed = list(replay)
    assert [(e.sequence_number, e.type) for e in replayed] == [
        (e.sequence_number, e.type) for e in events[4:]
    ]


def test_two_responses_share_a_conversation(client: OpenAI, upstream: MockUpstream) -> None:
    conversation = client.conversations.create(
        items=[{"type": "message", "role": "user", "content": "My favourite colour is teal"}],
        metadata={"topic": "colours"},
    )
    assert conversation.id.startswith("conv_") and conversation.metadata == {"topic": "colours"}
    one = client.responses.create(
        model="gpt-5", input="Which colour?", conversation=conversation.id
    )
    two = client.responses.create(input="Say it again", conversation={"id": conversation.id})
    assert one.conversation is not None and one.conversation.id == conversation.id
    assert _texts(_sent(upstream)[-1]) == [
        ("user", "My favourite colour is teal"),
        ("user", "Which colour?"),
        ("assistant", "Echo: Which colour?"),
        ("user", "Say it again"),
    ]
    items = client.conversations.items.list(conversation.id, order="asc")
    assert [(i.role, i.content[0].text) for i in items.data] == [  # type: ignore[union-attr]
        ("user", "My favourite colour is teal"),
        ("user", "Which colour?"),
        ("assistant", "Echo: Which colour?"),
        ("user", "Say it again"),
        ("assistant", "Echo: Say it again"),
    ]
    assert items.data[-1].id == two.output[0].id
    page = client.conversations.items.list(conversation.id, limit=2)  # newest first
    assert [i.id for i in page.data] == [items.data[4].id, items.data[3].id]
    assert page.has_more
    everything = [i.id for i in client.conversations.items.list(conversation.id, limit=2)]
    assert everything == [i.id for i in reversed(items.data)]  # the SDK pages with ``after``
    added = client.conversations.items.create(
        conversation.id, items=[{"role": "assistant", "content": "Noted."}]
    )
    assert added.data[0].role == "assistant"  # type: ignore[union-attr]
    item = client.conversations.items.retrieve(added.data[0].id, conversation_id=conversation.id)
    assert item.id == added.data[0].id
    after = client.conversations.items.delete(added.data[0].id, conversation_id=conversation.id)
    assert after.id == conversation.id
    updated = client.conversations.update(conversation.id, metadata={"topic": "paint"})
    assert client.conversations.retrieve(conversation.id).metadata == updated.metadata
    assert client.conversations.delete(conversation.id).deleted
    with pytest.raises(openai.NotFoundError):
        client.conversations.retrieve(conversation.id)
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(one.id)


def test_background_response_polls_to_completion_and_resumes_mid_stream(
    client: OpenAI, upstream: MockUpstream
) -> None:
    words = " ".join(f"w{i}" for i in range(24))
    upstream.chunk_delay = 0.08  # about two seconds of generation
    try:
        started = client.responses.create(model="gpt-5", input=words, background=True)
        assert started.background and started.status in ("queued", "in_progress")
        seen = []
        with client.responses.retrieve(started.id, stream=True) as stream:
            for event in stream:
                seen.append(event)
                if event.type == "response.output_text.delta" and len(seen) >= 6:
                    break  # the client goes away mid-reply
        assert client.responses.retrieve(started.id).status == "in_progress"
        last = seen[-1].sequence_number
        with client.responses.retrieve(started.id, stream=True, starting_after=last) as rest:
            resumed = list(rest)
    finally:
        upstream.chunk_delay = 0.0
    assert resumed[0].sequence_number == last + 1
    numbers = [e.sequence_number for e in seen + resumed]
    assert numbers == list(range(len(numbers)))
    assert resumed[-1].type == "response.completed"
    text = "".join(e.delta for e in seen + resumed if e.type == "response.output_text.delta")
    assert text == "Echo: " + words
    done = _poll(client, started.id)
    assert done.status == "completed" and done.output_text == text
    assert done.usage is not None and done.usage.output_tokens > 0


def test_cancel_stops_a_background_response_where_it_is(
    client: OpenAI, upstream: MockUpstream, live_server: LiveServer
) -> None:
    words = " ".join(f"x{i}" for i in range(40))
    started, cancelled = cancel_mid_reply(client, client, upstream, words, chunk_delay=0.1)
    assert client.responses.retrieve(started.id).status == "cancelled"
    assert client.responses.cancel(started.id).status == "cancelled"  # again: as it is
    kept = cancelled.output_text
    assert cancelled.conversation is not None
    with _api(live_server) as api:
        messages = api.get(f"/conversations/{cancelled.conversation.id}/messages").json()
    [reply] = [m for m in messages["data"]["messages"] if m["role"] == "assistant"]
    assert reply["content"] == kept and reply["metadata"]["finishReason"] == "stopped"
    with pytest.raises(openai.BadRequestError):  # only background responses are cancelled
        client.responses.cancel(client.responses.create(model="gpt-5", input="quick").id)


def test_delete_takes_a_response_out_of_the_tree(client: OpenAI, upstream: MockUpstream) -> None:
    first = client.responses.create(model="gpt-5", input="Keep this")
    doomed = client.responses.create(input="Forget this", previous_response_id=first.id)
    assert client.responses.delete(doomed.id) is None
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(doomed.id)
    client.responses.create(input="What is left?", previous_response_id=first.id)
    assert ("user", "Forget this") not in _texts(_sent(upstream)[-1])


def test_input_items_list_what_a_response_was_given(client: OpenAI) -> None:
    response = client.responses.create(
        model="gpt-5",
        input=[
            {"role": "developer", "content": "Be terse"},
            {"role": "user", "content": [{"type": "input_text", "text": "Hi"}]},
            {"role": "assistant", "content": [{"type": "output_text", "text": "Hello"}]},
            {"role": "user", "content": "How are you?"},
        ],
    )
    items = client.responses.input_items.list(response.id, order="asc")
    assert [(i.role, i.content[0].text) for i in items.data] == [  # type: ignore[union-attr]
        ("system", "Be terse"),
        ("user", "Hi"),
        ("assistant", "Hello"),
        ("user", "How are you?"),
    ]
    newest = client.responses.input_items.list(response.id, limit=1)
    assert newest.data[0].id == items.data[-1].id and newest.has_more


def test_each_error_is_the_sdk_class_openai_would_raise(
    client: OpenAI, upstream: MockUpstream, live_server: LiveServer
) -> None:
    stranger_key = "cr_prod_sk_" + "0" * 64
    with (
        OpenAI(base_url=live_server.url + "/v1", api_key=stranger_key) as stranger,
        pytest.raises(openai.AuthenticationError),
    ):
        stranger.responses.create(model="gpt-5", input="hi")
    with pytest.raises(openai.BadRequestError) as bad:
        client.responses.create(model="gpt-5", input="hi", temperature=3)
    assert bad.value.param == "temperature"  # type: ignore[attr-defined]
    with pytest.raises(openai.BadRequestError) as unknown_model:
        client.responses.create(model="no-such-model", input="hi")
    assert unknown_model.value.param == "model"  # type: ignore[attr-defined]
    mine = client.responses.create(model="gpt-5", input="mine")
    with OpenAI(
        base_url=live_server.url + "/v1", api_key=live_server.other_key, max_retries=0
    ) as other:
        with pytest.raises(openai.NotFoundError):
            other.responses.retrieve(mine.id)
        with pytest.raises(openai.NotFoundError):
            other.responses.create(input="steal", previous_response_id=mine.id)
    upstream.enqueue(Fault.status(429, retry_after=1))
    upstream.enqueue(Fault.status(429, retry_after=1))
    upstream.enqueue(Fault.status(429, retry_after=1))
    with pytest.raises(openai.RateLimitError) as limited:
        client.responses.create(model="gpt-5", input="too fast")
    assert limited.value.response.headers.get("retry-after")
    upstream.clear()
    upstream.enqueue(*[Fault.status(500)] * 6)
    with pytest.raises(openai.InternalServerError):
        client.responses.create(model="gpt-5", input="upstream down")
    upstream.clear()
    # a conversation answers one response at a time: the second meets a 409
    upstream.chunk_delay = 0.05
    try:
        busy = client.responses.create(
            model="gpt-5", input=" ".join(["busy"] * 30), background=True
        )
        assert busy.conversation is not None
        with pytest.raises(openai.ConflictError) as conflict:
            client.responses.create(input="me too", conversation=busy.conversation.id)
        assert conflict.value.response.headers.get("retry-after")
    finally:
        upstream.chunk_delay = 0.0
    assert _poll(client, busy.id).status == "completed"
    # a failure while streaming ends the stream with response.failed
    upstream.enqueue(Fault.cut_after(2), Fault.cut_after(2), Fault.cut_after(2))
    with client.responses.create(model="gpt-5", input="one two three four", stream=True) as s:
        events = list(s)
    assert events[-1].type == "response.failed"
    assert events[-1].response.error is not None


def test_an_anthropic_model_answers_responses_with_its_own_protocol(
    client: OpenAI, upstream: MockUpstream
) -> None:
    first = client.responses.create(
        model="claude-sonnet-4-5", input="Hello Claude", instructions="Be kind"
    )
    second = client.responses.create(input="Again", previous_response_id=first.id)
    assert second.model == "claude-sonnet-4-5"
    assert second.output_text == "Echo: Again"
    calls = [r for r in upstream.requests if r.protocol == "anthropic"]
    assert len(calls) == 2
    assert calls[0].json["system"] == "Be kind"
    assert "system" not in calls[1].json
    assert [(m["role"], m["content"]) for m in calls[1].json["messages"]] == [
        ("user", "Hello Claude"),
        ("assistant", "Echo: Hello Claude"),
        ("user", "Again"),
    ]
