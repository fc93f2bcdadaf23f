"""Upstream faults: cut streams are failures that are paid for, and one account's failing
requests never stop another account's sends (the circuit breaker), over HTTP."""

from __future__ import annotations

import pytest

from chatroutes.server.domain.tokens import estimate_tokens
from tests.support.mock_upstream import Fault, count_tokens
from tests.support.sse import payloads

CHAT = "http://test/api/chat"
QUESTION = "alpha beta gamma delta"
REPLY = f"Echo: {QUESTION}"  # the mock's answer, streamed word by word


@pytest.fixture
def settings(settings, tmp_path):
    """gpt-5 falls back to Claude; gpt-4.1 (OpenAI too) has nowhere else to go."""
    models = tmp_path / "models.toml"
    models.write_text(
        '[models.gpt-5]\nfallbacks = ["claude-sonnet-4-5"]\n\n'
        '[models."gpt-4.1"]\nprovider = "openai"\n'
    )
    return settings.model_copy(update={"models_file": models, "upstream_retry_budget_seconds": 5.0})


async def _conversation(api, model: str, headers: dict | None = None) -> str:
    response = await api.client.post(
        "/conversations", json={"title": "t", "model": model}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()["data"]["conversation"]["id"]


async def _stream(api, cid: str, content: str = QUESTION) -> list:
    response = await api.client.post(
        f"/conversations/{cid}/messages/stream", json={"content": content}
    )
    assert response.status_code == 200, response.text
    return payloads(response.text)


def _streamed_text(events: list) -> str:
    return "".join(e["content"] for e in events if isinstance(e, dict) and e["type"] == "content")


async def _stored(api, cid: str) -> list[dict]:
    response = await api.client.get(f"/conversations/{cid}/messages")
    return response.json()["data"]["messages"]


async def _tokens_counted(api) -> tuple[int, int]:
    """The account's tokens as its quota counts them, and as its usage reports them."""
    billing = (await api.client.get("/billing")).json()["data"]["tokens"]["used"]
    usage = (await api.client.get("/usage/summary")).json()["data"]["tokensUsed"]
    return billing, usage


def _reply_tokens(message: dict) -> int:
    metadata = message["metadata"]
    assert metadata["prompt_tokens"] > 0 and metadata["completionTokens"] > 0
    return metadata["prompt_tokens"] + metadata["completionTokens"]


class TestCutStreams:
    """A stream that ends (cleanly, at the HTTP level) without its protocol's terminal event."""

    @pytest.mark.parametrize(
        ("model", "fault"),
        [
            ("gpt-4.1", Fault.end_after(3)),  # no finish_reason, no usage, no [DONE]
            ("claude-sonnet-4-5", Fault.end_after(3)),  # no message_delta, no message_stop
            ("claude-sonnet-4-5", Fault.end_after(99, closing=1)),  # content_block_stop only
        ],
        ids=["openai", "anthropic", "anthropic-block-closed"],
    )
    async def test_a_cut_stream_is_an_error_stored_as_partial_and_counted(
        self, api, upstream, model, fault
    ):
        cid = await _conversation(api, model)
        upstream.enqueue(fault)
        events = await _stream(api, cid)
        assert events[-2]["type"] == "error" and events[-1] == "[DONE]"
        assert events[-2]["error"] == "PROVIDER_UNAVAILABLE"
        assert len(upstream.requests) == 1  # text reached the client: no retry, no fallback
        text = _streamed_text(events)
        assert text and REPLY.startswith(text)
        question, reply = await _stored(api, cid)
        assert question["content"] == QUESTION and reply["content"] == text
        metadata = reply["metadata"]
        assert metadata["finishReason"] == "error"
        assert metadata["completionTokens"] == estimate_tokens(text)  # none were reported
        if model.startswith("claude"):  # message_start reported the prompt: that counts
            assert metadata["prompt_tokens"] == count_tokens(QUESTION)
        assert await _tokens_counted(api) == (_reply_tokens(reply),) * 2

    @pytest.mark.parametrize("model", ["gpt-4.1", "claude-sonnet-4-5"])
    async def test_a_cut_before_any_text_is_retried(self, api, upstream, model):
        cid = await _conversation(api, model)
        upstream.enqueue(Fault.end_after(0))
        events = await _stream(api, cid)
        assert events[-2]["type"] == "complete" and _streamed_text(events) == REPLY
        assert events[-2]["message"]["metadata"]["attempts"] == 2
        assert events[-2]["message"]["metadata"]["finishReason"] == "stop"

    async def test_openai_ended_after_finish_reason_is_whole_and_its_usage_estimated(
        self, api, upstream
    ):
        """Decided: the ``finish_reason`` chunk ends the reply; the usage chunk and
        ``[DONE]`` that should follow are missing, so the tokens are estimated."""
        cid = await _conversation(api, "gpt-4.1")
        upstream.enqueue(Fault.end_after(99, closing=1))
        events = await _stream(api, cid)
        assert events[-2]["type"] == "complete"
        [_, reply] = await _stored(api, cid)
        assert reply["content"] == REPLY and reply["metadata"]["finishReason"] == "stop"
        assert reply["metadata"]["completionTokens"] == estimate_tokens(REPLY)
        assert await _tokens_counted(api) == (_reply_tokens(reply),) * 2

    async def test_anthropic_ended_after_message_delta_is_whole_with_its_usage(self, api, upstream):
        """Decided: ``message_delta`` with its ``stop_reason`` ends the reply (it carries
        the usage); only ``message_stop`` is missing."""
        cid = await _conversation(api, "claude-sonnet-4-5")
        upstream.enqueue(Fault.end_after(99, closing=2))
        events = await _stream(api, cid)
        assert events[-2]["type"] == "complete"
        [_, reply] = await _stored(api, cid)
        assert reply["content"] == REPLY and reply["metadata"]["finishReason"] == "stop"
        reported = (count_tokens(QUESTION), count_tokens(REPLY))
        assert (reply["metadata"]["prompt_tokens"], reply["metadata"]["completionTokens"]) == (
            reported
        )
        assert await _tokens_counted(api) == (sum(reported),) * 2

    async def test_a_cut_parallel_candidate_fails_alone_stored_partial_and_counted(
        self, api, upstream
    ):
        cid = await _conversation(api, "gpt-4.1")
        upstream.fault_when("claude-sonnet-4-5", Fault.end_after(3))  # its model id
        response = await api.client.post(
            f"/conversations/{cid}/parallel-responses",
            json={"content": QUESTION, "models": ["gpt-4.1", "claude-sonnet-4-5"]},
        )
        assert response.status_code == 201, response.text
        whole, cut = response.json()["data"]["candidates"]
        assert whole["status"] == "complete" and whole["content"] == REPLY
        assert cut["status"] == "error" and cut["error"]["error"] == "PROVIDER_UNAVAILABLE"
        assert cut["content"] and REPLY.startswith(cut["content"]) and cut["content"] != REPLY
        assert len(upstream.requests) == 2  # the cut candidate was not retried
        replay = await api.client.get(f"/conversations/{cid}/messages/{cut['messageId']}/stream")
        stored = payloads(replay.text)[-2]
        assert stored["type"] == "complete", stored
        assert stored["message"]["metadata"]["finishReason"] == "error"
        total = whole["usage"]["totalTokens"] + cut["usage"]["totalTokens"]
        assert cut["usage"]["completionTokens"] == estimate_tokens(cut["content"])
        assert await _tokens_counted(api) == (total, total)

    @pytest.mark.parametrize("provider", ["openai", "claude"])
    async def test_a_cut_chat_api_stream_is_an_error_stored_as_partial_and_counted(
        self, api, upstream, provider
    ):
        upstream.enqueue(Fault.end_after(3))
        response = await api.client.post(
            CHAT,
            json={"message": QUESTION, "provider": provider},
            headers={"Accept": "text/event-stream"},
        )
        events = payloads(response.text)
        kinds = [e["type"] for e in events[:-1]]
        assert kinds[0] == "metadata" and kinds[-1] == "error" and "done" not in kinds
        text = "".join(e["content"] for e in events[1:-2] if e["type"] == "text")
        assert text and REPLY.startswith(text) and text != REPLY
        [question, reply] = await _stored(api, events[0]["conversationId"])
        assert question["content"] == QUESTION and reply["content"] == text
        assert reply["metadata"]["finishReason"] == "error"
        assert await _tokens_counted(api) == (_reply_tokens(reply),) * 2


class TestCircuitBreaker:
    """One account's failing requests: 429s, refusals, even 5xx of its own."""

    async def _other_account(self, api) -> dict[str, str]:
        return api.headers(await api.new_key())

    async def _send(self, api, cid: str, content: str, headers: dict | None = None):
        return await api.client.post(
            f"/conversations/{cid}/messages", json={"content": content}, headers=headers
        )

    async def test_rate_limits_of_one_account_never_pause_another(self, api, upstream):
        upstream.fault_when("tenant-a", Fault.status(429, retry_after=0))
        cid = await _conversation(api, "gpt-5")
        for _ in range(2):  # 3 attempts on gpt-5, 3 on its fallback, each time
            refused = await self._send(api, cid, "tenant-a asks")
            assert refused.status_code == 429 and refused.json()["error"] == "RATE_LIMITED"
        assert len(upstream.requests) == 12
        other = await self._other_account(api)
        for model in ("gpt-5", "gpt-4.1"):
            before = len(upstream.requests)
            sent = await self._send(api, await _conversation(api, model, other), "hi", other)
            assert sent.status_code == 201, sent.text
            metadata = sent.json()["data"]["message"]["metadata"]
            assert metadata["fallbackFrom"] is None and metadata["attempts"] == 1
            assert [r.json["model"] for r in upstream.requests[before:]] == [model]

    @pytest.mark.parametrize("status", [400, 401, 403, 404, 413, 422])
    async def test_refusals_of_one_accounts_requests_never_open_the_circuit(
        self, api, upstream, status
    ):
        upstream.fault_when("tenant-a", Fault.status(status))
        cid = await _conversation(api, "gpt-5")
        for _ in range(6):
            refused = await self._send(api, cid, "tenant-a asks")
            assert refused.status_code == 502, refused.text
        assert len(upstream.requests) == 12  # not retried; the fallback refused it too
        other = await self._other_account(api)
        sent = await self._send(api, await _conversation(api, "gpt-5", other), "hi", other)
        assert sent.status_code == 201
        assert sent.json()["data"]["message"]["metadata"]["fallbackFrom"] is None
        assert upstream.requests[-1].protocol == "openai"

    async def test_one_accounts_own_5xx_never_refuse_another_accounts_send(self, api, upstream):
        upstream.fault_when("tenant-a", Fault.status(503))
        cid = await _conversation(api, "gpt-4.1")
        for _ in range(2):  # 6 faults: OpenAI's circuit opens
            failed = await self._send(api, cid, "tenant-a asks")
            assert failed.status_code == 503
        other = await self._other_account(api)
        before = len(upstream.requests)
        sent = await self._send(api, await _conversation(api, "gpt-4.1", other), "hi", other)
        assert sent.status_code == 201, sent.text  # nowhere else to go: called at once
        assert sent.json()["data"]["message"]["metadata"]["attempts"] == 1
        assert len(upstream.requests) == before + 1
        # ...and that success closed the circuit: a model with a fallback uses OpenAI again
        again = await self._send(api, await _conversation(api, "gpt-5", other), "hi", other)
        assert again.json()["data"]["message"]["metadata"]["fallbackFrom"] is None
        assert upstream.requests[-1].protocol == "openai"

    async def test_an_open_circuit_routes_straight_to_the_fallback_and_never_refuses(
        self, api, upstream
    ):
        cid = await _conversation(api, "gpt-5")
        upstream.enqueue(*[Fault.status(503)] * 3)  # one send: 3 faults, Claude answers
        assert (await self._send(api, cid, "one")).status_code == 201
        upstream.enqueue(*[Fault.status(503)] * 2)  # faults 4 and 5 open the circuit:
        second = await self._send(api, cid, "two")  # no third attempt, the fallback answers
        assert second.json()["data"]["message"]["metadata"]["fallbackFrom"] == "gpt-5"
        assert [r.protocol for r in upstream.requests[-3:]] == ["openai", "openai", "anthropic"]

        before = len(upstream.requests)
        third = await self._send(api, cid, "three")
        assert third.status_code == 201
        assert third.json()["data"]["message"]["metadata"]["fallbackFrom"] == "gpt-5"
        assert [r.protocol for r in upstream.requests[before:]] == ["anthropic"]

        before = len(upstream.requests)  # OpenAI has recovered; gpt-4.1 has no fallback
        alone = await self._send(api, await _conversation(api, "gpt-4.1"), "four")
        assert alone.status_code == 201, alone.text
        assert alone.json()["data"]["message"]["content"] == "Echo: four"
        assert [r.json["model"] for r in upstream.requests[before:]] == ["gpt-4.1"]
