"""The official ``openai`` Python package as the client of a real ``chatroutes serve`` at
/v1, its providers at the mock upstream (OpenAI and Anthropic protocols): models, chat
completions plain and streamed with usage (counted in /api/v1/usage), an Anthropic model,
a tools round trip, ``store: true`` kept in /api/v1, a client leaving mid-stream, and each
error class the SDK raises from our answers. The rate limit's is met on the app served in a
thread of this process, whose limiter's clock the test moves to a minute's end."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from chatroutes.server.app import create_app
from chatroutes.server.services.server_context import ServerContext, utcnow
from chatroutes.server.settings import Settings
from tests.e2e.conftest import (
    BACKEND_PARAMS,
    LiveServer,
    first_start_key,
    server_env,
    serving,
    write_tiny_plans,
)
from tests.support.accounts import new_keys
from tests.support.in_thread import served_in_thread
from tests.support.mock_upstream import Fault, MockUpstream

pytestmark = pytest.mark.e2e

RATE_LIMIT = 2  # requests a minute on the "tiny" plan
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


@pytest.fixture(scope="module", params=BACKEND_PARAMS)
def server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    child_env: dict[str, str],
    upstream: MockUpstream,
) -> Iterator[LiveServer]:
    """``chatroutes serve`` on each backend, its providers at the mock."""
    workdir = tmp_path_factory.mktemp(f"openai-{request.param}")
    env = server_env(request, workdir, child_env, upstream)
    with serving(request.param, workdir, env) as live:
        live.api_key = first_start_key(live)
        yield live


@dataclass
class InThread:
    url: str
    ctx: ServerContext
    key: str


@pytest.fixture
async def in_thread(settings: Settings, tmp_path: Path) -> AsyncIterator[InThread]:
    """The app on each backend, its plans with ``tiny``, served by uvicorn in a thread of
    this process (real sockets, its limiter's clock within reach), and a ``tiny`` key."""
    plans = write_tiny_plans(tmp_path / "plans.toml", RATE_LIMIT)
    settings = settings.model_copy(update={"plans_file": plans})
    app = create_app(settings)
    [key] = await new_keys(settings, ("tiny",))
    with served_in_thread(app) as url:
        yield InThread(url, app.state.ctx, key)


def _client(server: LiveServer, key: str, **options: Any) -> openai.OpenAI:
    return _openai(server.url, key, **options)


def _openai(url: str, key: str, **options: Any) -> openai.OpenAI:
    return openai.OpenAI(base_url=url + "/v1", api_key=key, **{"max_retries": 0, **options})


def _clock_at_second(second: int) -> Callable[[], datetime]:
    """A clock that reads ``second`` of its minute now, running on from there."""
    now = utcnow()
    shift = timedelta(seconds=second - now.second, microseconds=-now.microsecond)
    return lambda: utcnow() + shift


def _usage(server: LiveServer, key: str) -> dict[str, Any]:
    response = httpx.get(
        server.api_url + "/usage",
        params={"timeframe": "all"},
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]


def test_models_are_listed_with_their_aliases_and_retrieved(server: LiveServer):
    client = _client(server, server.api_key)

    models = {model.id: model for model in client.models.list()}
    claude = client.models.retrieve("claude-sonnet-4-5")

    assert {"gpt-5", "claude-sonnet-4-5", "gpt-4"} <= set(models)
    assert models["gpt-4"].owned_by == "openai" and models["gpt-4"].object == "model"
    assert claude.owned_by == "anthropic" and claude.created > 0
    with pytest.raises(openai.NotFoundError) as missing:
        client.models.retrieve("no-such-model")
    assert missing.value.code == "model_not_found"


def test_a_completion_answers_and_is_counted_in_api_v1_usage(
    server: LiveServer, upstream: MockUpstream
):
    key = server.new_account()
    client = _client(server, key)

    completion = client.chat.completions.create(
        model="gpt-5",
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "hello there"},
        ],
        temperature=0.2,
        max_completion_tokens=50,
        seed=7,
        stop=["\n\n"],
    )

    assert completion.object == "chat.completion"
    assert completion.choices[0].message.content == "Echo: hello there"
    assert completion.choices[0].finish_reason == "stop"
    sent = upstream.requests[-1].json
    assert sent["messages"][0] == {"role": "system", "content": "Be brief."}
    assert sent["temperature"] == 0.2 and sent["seed"] == 7 and sent["stop"] == ["\n\n"]
    assert completion.usage is not None
    usage = _usage(server, key)
    assert usage["totals"]["totalTokens"] == completion.usage.total_tokens > 0
    assert usage["byKind"][0]["kind"] == "chat_completion"


def test_a_stream_follows_openai_chunk_sequence_with_usage_last(
    server: LiveServer, upstream: MockUpstream
):
    key = server.new_account()
    client = _client(server, key)

    chunks = list(
        client.chat.completions.create(
            model="gpt-5",
            messages=[{"role": "user", "content": "stream this reply please"}],
            stream=True,
            stream_options={"include_usage": True},
        )
    )

    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Echo: stream this reply please"
    finished = [c for c in chunks if c.choices and c.choices[0].finish_reason]
    assert [c.choices[0].finish_reason for c in finished] == ["stop"]
    last = chunks[-1]
    assert last.choices == [] and last.usage is not None
    assert all(c.usage is None for c in chunks[:-1])
    assert len({c.id for c in chunks}) == 1
    assert _usage(server, key)["totals"]["totalTokens"] == last.usage.total_tokens > 0


def test_an_anthropic_model_answers_through_the_same_api(
    server: LiveServer, upstream: MockUpstream
):
    key = server.new_account()
    client = _client(server, key)

    completion = client.chat.completions.create(
        model="claude-sonnet-4-5",
        messages=[
            {"role": "developer", "content": "Answer in English."},
            {"role": "user", "content": "bonjour"},
        ],
        top_p=0.9,
    )
    streamed = client.chat.completions.create(
        model="claude-sonnet-4-5",
        messages=[{"role": "user", "content": "and streamed"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    text = "".join(c.choices[0].delta.content or "" for c in streamed if c.choices)

    assert completion.choices[0].message.content == "Echo: bonjour"
    assert text == "Echo: and streamed"
    first = upstream.requests[0]
    assert first.protocol == "anthropic"
    assert first.json["system"] == "Answer in English." and first.json["top_p"] == 0.9
    assert [r.protocol for r in upstream.requests] == ["anthropic", "anthropic"]


@pytest.mark.parametrize("model", ["gpt-5", "claude-sonnet-4-5"])
def test_tools_round_trip(server: LiveServer, upstream: MockUpstream, model: str):
    client = _client(server, server.api_key)
    question = {"role": "user", "content": "What is the weather in Paris?"}
    upstream.enqueue(Fault.tool_call("get_weather", {"city": "Paris"}))

    asked = client.chat.completions.create(
        model=model, messages=[question], tools=[WEATHER], tool_choice="auto"
    )
    (call,) = asked.choices[0].message.tool_calls or []
    answered = client.chat.completions.create(
        model=model,
        tools=[WEATHER],
        messages=[
            question,
            asked.choices[0].message.model_dump(exclude_none=True),
            {"role": "tool", "tool_call_id": call.id, "content": "18 degrees and sunny"},
            {"role": "user", "content": "Thanks"},
        ],
    )

    assert asked.choices[0].finish_reason == "tool_calls"
    assert call.function.name == "get_weather"
    assert call.function.arguments and '"Paris"' in call.function.arguments
    assert answered.choices[0].message.content == "Echo: Thanks"
    sent = str(upstream.requests[-1].json["messages"])
    assert "18 degrees and sunny" in sent and call.id in sent


def test_a_streamed_tool_call_arrives_as_deltas(server: LiveServer, upstream: MockUpstream):
    client = _client(server, server.api_key)
    upstream.enqueue(Fault.tool_call("get_weather", {"city": "Oslo"}))

    chunks = list(
        client.chat.completions.create(
            model="gpt-5",
            messages=[{"role": "user", "content": "weather?"}],
            tools=[WEATHER],
            tool_choice={"type": "function", "function": {"name": "get_weather"}},
            stream=True,
        )
    )

    calls = [t for c in chunks if c.choices for t in (c.choices[0].delta.tool_calls or [])]
    assert calls[0].function.name == "get_weather" and "Oslo" in calls[0].function.arguments
    assert chunks[-1].choices[0].finish_reason == "tool_calls"
    assert upstream.requests[-1].json["tool_choice"] == {
        "type": "function",
        "function": {"name": "get_weather"},
    }


def test_store_keeps_the_exchange_as_a_conversation_in_api_v1(
    server: LiveServer, upstream: MockUpstream
):
    key = server.new_account()
    client = _client(server, key)

    raw = client.chat.completions.with_raw_response.create(
        model="gpt-5",
        messages=[{"role": "user", "content": "remember this"}],
        store=True,
        metadata={"source": "e2e"},
    )
    completion = raw.parse()
    conversation_id = raw.headers["x-chatroutes-conversation-id"]
    listed = httpx.get(
        f"{server.api_url}/conversations/{conversation_id}/messages",
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )

    assert listed.status_code == 200, listed.text
    messages = listed.json()["data"]["messages"]
    assert [(m["role"], m["content"]) for m in messages] == [
        ("user", "remember this"),
        ("assistant", completion.choices[0].message.content),
    ]
    assert messages[-1]["metadata"]["metadata"] == {"source": "e2e"}
    assert _usage(server, key)["totals"]["totalTokens"] == completion.usage.total_tokens


def test_a_client_leaving_mid_stream_is_charged_what_was_streamed(
    server: LiveServer, upstream: MockUpstream
):
    key = server.new_account()
    client = _client(server, key)
    upstream.enqueue(Fault.stall_after(2))

    stream = client.chat.completions.create(
        model="gpt-5",
        messages=[{"role": "user", "content": "one two three four five six"}],
        stream=True,
    )
    received = ""
    for chunk in stream:
        received += chunk.choices[0].delta.content or ""
        if len(received) > len("Echo: "):
            break
    stream.close()

    deadline = time.monotonic() + 10
    while (totals := _usage(server, key)["totals"])["calls"] == 0:
        assert time.monotonic() < deadline, "the cut stream was never settled"
        time.sleep(0.1)
    assert totals["completionTokens"] > 0 and totals["promptTokens"] > 0


def test_a_bad_key_raises_authentication_error(server: LiveServer):
    client = _client(server, "cr_prod_sk_" + "0" * 64)

    with pytest.raises(openai.AuthenticationError) as refused:
        client.chat.completions.create(model="gpt-5", messages=[{"role": "user", "content": "x"}])

    assert refused.value.status_code == 401 and refused.value.code == "invalid_api_key"


def test_bad_input_raises_bad_request_error_naming_the_param(server: LiveServer):
    client = _client(server, server.api_key)

    with pytest.raises(openai.BadRequestError) as refused:
        client.chat.completions.create(
            model="gpt-5", messages=[{"role": "user", "content": "x"}], temperature=3
        )

    assert refused.value.param == "temperature"
    assert refused.value.type == "invalid_request_error"


def test_an_unknown_model_raises_not_found_error(server: LiveServer):
    client = _client(server, server.api_key)

    with pytest.raises(openai.NotFoundError) as missing:
        client.chat.completions.create(model="gpt-0", messages=[{"role": "user", "content": "x"}])

    assert missing.value.code == "model_not_found"


def test_a_guest_session_raises_permission_denied_error(server: LiveServer):
    guest = httpx.post(server.api_url + "/auth/guest", json={}, timeout=10)
    assert guest.status_code in (200, 201), guest.text
    token = guest.json()["data"]["tokens"]["accessToken"]
    client = _client(server, token)

    with pytest.raises(openai.PermissionDeniedError):
        client.chat.completions.create(model="gpt-5", messages=[{"role": "user", "content": "x"}])


def test_an_upstream_failure_raises_internal_server_error(
    server: LiveServer, upstream: MockUpstream
):
    client = _client(server, server.api_key)
    upstream.enqueue(*[Fault.status(500)] * 3)

    with pytest.raises(openai.InternalServerError) as failed:
        client.chat.completions.create(model="gpt-5", messages=[{"role": "user", "content": "x"}])

    assert failed.value.status_code in (502, 503) and failed.value.type == "server_error"


def test_the_rate_limit_raises_rate_limit_error_and_its_retry_after_is_honoured(
    in_thread: InThread,
):
    url, key = in_thread.url, in_thread.key
    question = {"model": "gpt-5", "messages": [{"role": "user", "content": "x"}]}
    # Late in a minute, so the window's Retry-After is short: the limiter's clock is moved
    # to second 52 (of a real minute's length) rather than waited for.
    in_thread.ctx.clock = _clock_at_second(52)
    for _ in range(RATE_LIMIT):
        _openai(url, key).chat.completions.create(**question)

    with pytest.raises(openai.RateLimitError) as limited:
        _openai(url, key).chat.completions.create(**question)
    retry_after = int(limited.value.response.headers["retry-after"])
    started = time.monotonic()
    answered = _openai(url, key, max_retries=2).chat.completions.create(**question)

    assert limited.value.code == "rate_limit_exceeded"
    assert 0 < retry_after <= 10
    assert answered.choices[0].message.content == "Echo: x"
    assert time.monotonic() - started >= retry_after - 1  # it waited as told
