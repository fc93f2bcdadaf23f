"""The provider adapters over real HTTP: the model's thinking apart from its reply, and
where each protocol's stream is finished (a stream ended before that was cut)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from chatroutes.server.domain.context_assembly import ChatMessage
from chatroutes.server.providers.anthropic_messages import AnthropicMessagesProvider
from chatroutes.server.providers.base import Completion, CompletionRequest, Reasoning, StreamCut
from chatroutes.server.providers.openai_chat import OpenAIChatProvider
from tests.support.mock_upstream import Fault, MockUpstream

THOUGHT = "The user greets me. A short answer will do."
ANSWER = "Hello there, friend."


@pytest.fixture
async def upstream() -> AsyncIterator[MockUpstream]:
    async with MockUpstream(api_key="test-key") as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


def _openai(upstream: MockUpstream, http: httpx.AsyncClient) -> OpenAIChatProvider:
    return OpenAIChatProvider("deepseek", upstream.openai_base_url, "test-key", http)


def _anthropic(upstream: MockUpstream, http: httpx.AsyncClient) -> AnthropicMessagesProvider:
    return AnthropicMessagesProvider("anthropic", upstream.anthropic_base_url, "test-key", http)


def _request() -> CompletionRequest:
    return CompletionRequest("some-model", [ChatMessage("user", "hi")], None, 256)


async def _pieces(provider) -> list[str | Reasoning | Completion]:
    return [piece async for piece in provider.stream(_request())]


def _assert_thinking_then_answer(pieces: list[str | Reasoning | Completion]) -> None:
    *deltas, completion = pieces
    assert isinstance(completion, Completion)
    thinking = [p for p in deltas if isinstance(p, Reasoning)]
    texts = [p for p in deltas if isinstance(p, str)]
    assert len(thinking) > 1 and "".join(p.text for p in thinking) == THOUGHT
    assert "".join(texts) == ANSWER
    last_thought = max(i for i, p in enumerate(deltas) if isinstance(p, Reasoning))
    first_text = min(i for i, p in enumerate(deltas) if isinstance(p, str))
    assert last_thought < first_text  # the mock thinks first, as the real models do
    assert completion.content == ANSWER  # the thinking is never part of the reply
    assert completion.finish_reason == "stop"


class TestOpenAICompatible:
    @pytest.mark.parametrize("field", ["reasoning_content", "reasoning"])
    async def test_reasoning_deltas_stream_apart_from_the_text(self, upstream, http, field):
        upstream.enqueue(Fault.reply(ANSWER, reasoning=THOUGHT, reasoning_field=field))
        _assert_thinking_then_answer(await _pieces(_openai(upstream, http)))

    async def test_a_model_without_thinking_streams_only_text(self, upstream, http):
        pieces = await _pieces(_openai(upstream, http))
        assert not [p for p in pieces if isinstance(p, Reasoning)]
        assert pieces[-1].content == "Echo: hi"

    async def test_complete_leaves_the_thinking_out(self, upstream, http):
        upstream.enqueue(Fault.reply(ANSWER, reasoning=THOUGHT))
        completion = await _openai(upstream, http).complete(_request())
        assert completion.content == ANSWER


class TestAnthropic:
    async def test_thinking_deltas_stream_apart_from_the_text(self, upstream, http):
        upstream.enqueue(Fault.reply(ANSWER, reasoning=THOUGHT))
        pieces = await _pieces(_anthropic(upstream, http))
        _assert_thinking_then_answer(pieces)
        assert "mock-signature" not in "".join(p.text for p in pieces if isinstance(p, Reasoning))

    async def test_a_model_without_thinking_streams_only_text(self, upstream, http):
        pieces = await _pieces(_anthropic(upstream, http))
        assert not [p for p in pieces if isinstance(p, Reasoning)]
        assert pieces[-1].content == "Echo: hi"

    async def test_complete_leaves_the_thinking_out(self, upstream, http):
        upstream.enqueue(Fault.reply(ANSWER, reasoning=THOUGHT))
        completion = await _anthropic(upstream, http).complete(_request())
        assert completion.content == ANSWER


class TestWhereAStreamIsFinished:
    """``Fault.end_after`` ends the HTTP body cleanly: only the events tell a cut."""

    @pytest.mark.parametrize(
        ("make", "closing"),
        [(_openai, 0), (_anthropic, 0), (_anthropic, 1)],
        ids=["openai-no-finish-reason", "anthropic-no-stop", "anthropic-block-stop-only"],
    )
    async def test_a_stream_ended_before_its_terminal_event_is_cut(
        self, upstream, http, make, closing
    ):
        upstream.enqueue(Fault.end_after(1 if closing == 0 else 99, closing=closing))
        pieces: list = []
        with pytest.raises(StreamCut) as caught:
            async for piece in make(upstream, http).stream(_request()):
                pieces.append(piece)
        partial = caught.value.partial
        assert "".join(pieces) == partial.content and partial.content.startswith("Echo: ")
        assert partial.finish_reason == "error" and partial.completion_tokens == 0
        # Anthropic reports the prompt in message_start; OpenAI's usage comes at the end
        assert partial.prompt_tokens == (1 if make is _anthropic else 0)
        assert caught.value.code == "PROVIDER_UNAVAILABLE"  # retried before any text

    async def test_openai_ended_after_its_finish_reason_is_a_reply_without_usage(
        self, upstream, http
    ):
        upstream.enqueue(Fault.end_after(99, closing=1))  # the finish chunk; no usage, no [DONE]
        *_, completion = await _pieces(_openai(upstream, http))
        assert completion.content == "Echo: hi" and completion.finish_reason == "stop"
        assert (completion.prompt_tokens, completion.completion_tokens) == (0, 0)

    async def test_openai_ended_after_its_usage_but_before_done_is_a_whole_reply(
        self, upstream, http
    ):
        upstream.enqueue(Fault.end_after(99, closing=2))
        *_, completion = await _pieces(_openai(upstream, http))
        assert completion.finish_reason == "stop"
        assert (completion.prompt_tokens, completion.completion_tokens) == (1, 3)

    async def test_anthropic_ended_after_message_delta_is_a_whole_reply(self, upstream, http):
        upstream.enqueue(Fault.end_after(99, closing=2))  # stop_reason and usage; no stop
        *_, completion = await _pieces(_anthropic(upstream, http))
        assert completion.content == "Echo: hi" and completion.finish_reason == "stop"
        assert (completion.prompt_tokens, completion.completion_tokens) == (1, 3)
