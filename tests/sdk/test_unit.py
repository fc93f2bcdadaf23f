"""The SDK without a server: error mapping, retry policy, SSE parsing, packaging.

Responses come from an ``httpx.MockTransport`` injected as ``http_client``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

import chatroutes
from chatroutes import (
    AsyncChatRoutes,
    AuthenticationError,
    ChatRoutes,
    ChatRoutesError,
    ConflictError,
    NetworkError,
    NotFoundError,
    RateLimitError,
    ServerError,
    StreamError,
    ValidationError,
)
from chatroutes._streaming import SSEDecoder

BASE = "http://sdk.test/api/v1"
KEY = "cr_prod_sk_" + "a" * 64
REPO = Path(__file__).resolve().parents[2]

Handler = Callable[[httpx.Request], httpx.Response]


def client(handler: Handler, **options: Any) -> ChatRoutes:
    options.setdefault("retry_delay", 0)
    transport = httpx.MockTransport(handler)
    return ChatRoutes(KEY, BASE, http_client=httpx.Client(transport=transport), **options)


def error(status: int, code: str, message: str, **extra: Any) -> Handler:
    headers = extra.pop("headers", {})
    body = {"success": False, "error": code, "message": message, "details": {"f": 1}, **extra}
    return lambda request: httpx.Response(status, json=body, headers=headers)


class Recorder:
    """A handler answering from a script of responses, keeping every request."""

    def __init__(self, *responses: httpx.Response | Exception) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


OK = httpx.Response(200, json={"success": True, "data": {"conversation": {"id": "conv_1"}}})


class TestErrors:
    """Status and body map to the classes and attributes chatroutes 0.2.6 gives."""

    @pytest.mark.parametrize(
        ("status", "cls", "code"),
        [
            (400, ValidationError, "VALIDATION_ERROR"),
            (401, AuthenticationError, "AUTHENTICATION_ERROR"),
            (404, NotFoundError, "NOT_FOUND"),
            (500, ServerError, "SERVER_ERROR"),
            (503, ServerError, "SERVER_ERROR"),
        ],
    )
    def test_status_maps_to_the_official_class(self, status: int, cls: type, code: str) -> None:
        cr = client(error(status, "SOME_CODE", "it broke"), retry_attempts=0)
        with pytest.raises(cls) as caught:
            cr.conversations.get("conv_1")
        exc = caught.value
        assert type(exc) is cls and isinstance(exc, ChatRoutesError)
        assert (exc.message, exc.code, exc.details) == ("it broke", code, {"f": 1})
        assert exc.status_code == (500 if status >= 500 else status)
        assert exc.error_code == "SOME_CODE" and str(exc) == "it broke"

    def test_rate_limit_reads_retry_after_from_the_body(self) -> None:
        cr = client(error(429, "RATE_LIMITED", "slow down", retryAfter=42), retry_attempts=0)
        with pytest.raises(RateLimitError) as caught:
            cr.conversations.list()
        assert (caught.value.retry_after, caught.value.status_code) == (42, 429)
        assert caught.value.code == "RATE_LIMIT_EXCEEDED"

    def test_rate_limit_falls_back_to_the_header(self) -> None:
        handler = error(429, "RATE_LIMITED", "slow down", headers={"Retry-After": "7"})
        with pytest.raises(RateLimitError) as caught:
            client(handler, retry_attempts=0).conversations.list()
        assert caught.value.retry_after == 7

    def test_message_falls_back_to_the_code(self) -> None:
        handler = lambda r: httpx.Response(418, json={"error": "TEAPOT"})  # noqa: E731
        with pytest.raises(ChatRoutesError) as caught:
            client(handler).conversations.list()
        exc = caught.value
        assert type(exc) is ChatRoutesError
        assert (exc.message, exc.status_code, exc.code) == ("TEAPOT", 418, "TEAPOT")

    def test_conflict_is_a_chatroutes_error_with_the_server_code(self) -> None:
        handler = error(409, "BRANCH_BUSY", "busy", retryAfter=1)
        with pytest.raises(ConflictError) as caught:
            client(handler).messages.send("conv_1", {"content": "x"})
        assert (caught.value.code, caught.value.status_code, caught.value.retry_after) == (
            "BRANCH_BUSY",
            409,
            1,
        )

    def test_non_json_error_body(self) -> None:
        handler = lambda r: httpx.Response(502, text="<html>bad gateway</html>")  # noqa: E731
        with pytest.raises(ServerError) as caught:
            client(handler, retry_attempts=0).conversations.list()
        assert caught.value.message == "Invalid JSON response"

    def test_connection_failure_is_a_network_error(self) -> None:
        handler = Recorder(httpx.ConnectError("refused"))
        with pytest.raises(NetworkError) as caught:
            client(handler, retry_attempts=2).conversations.list()
        assert caught.value.status_code == 0 and caught.value.code == "NETWORK_ERROR"
        assert len(handler.requests) == 3


class TestRetries:
    def test_post_retry_resends_the_same_idempotency_key_and_body(self) -> None:
        handler = Recorder(error(503, "UNAVAILABLE", "later")(None), OK)  # type: ignore[arg-type]
        assert client(handler).conversations.create({"title": "t"}) == {"id": "conv_1"}
        first, second = handler.requests
        assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"]
        assert len(first.headers["Idempotency-Key"]) == 36
        assert first.content == second.content == b'{"title":"t"}'

    def test_each_call_gets_its_own_key(self) -> None:
        handler = Recorder(OK)
        cr = client(handler)
        cr.conversations.create({"title": "a"})
        cr.conversations.create({"title": "a"})
        keys = {r.headers["Idempotency-Key"] for r in handler.requests}
        assert len(keys) == 2

    def test_a_callers_own_key_is_kept(self) -> None:
        handler = Recorder(OK)
        client(handler)._http.post("/conversations", {"title": "a"}, {"Idempotency-Key": "mine"})
        assert handler.requests[0].headers["Idempotency-Key"] == "mine"

    def test_get_is_not_given_a_key(self) -> None:
        handler = Recorder(OK)
        client(handler).conversations.get("conv_1")
        assert "Idempotency-Key" not in handler.requests[0].headers

    def test_patch_is_never_retried(self) -> None:
        handler = Recorder(error(503, "UNAVAILABLE", "later")(None), OK)  # type: ignore[arg-type]
        with pytest.raises(ServerError):
            client(handler).conversations.update("conv_1", {"title": "x"})
        assert len(handler.requests) == 1

    def test_retry_attempts_counts_retries_after_the_first_try(self) -> None:
        handler = Recorder(error(500, "BOOM", "boom")(None))  # type: ignore[arg-type]
        with pytest.raises(ServerError):
            client(handler, retry_attempts=2).conversations.list()
        assert len(handler.requests) == 3

    @pytest.mark.parametrize("status", [400, 401, 404, 422])
    def test_client_errors_are_not_retried(self, status: int) -> None:
        handler = Recorder(error(status, "NO", "no")(None))  # type: ignore[arg-type]
        with pytest.raises(ChatRoutesError):
            client(handler, retry_attempts=3).conversations.list()
        assert len(handler.requests) == 1

    def test_retry_after_is_honoured(self) -> None:
        busy = error(503, "UNAVAILABLE", "later", headers={"Retry-After": "1"})(None)  # type: ignore[arg-type]
        handler = Recorder(busy, OK)
        started = time.monotonic()
        client(handler, retry_delay=0).conversations.get("conv_1")
        assert time.monotonic() - started >= 0.95
        assert len(handler.requests) == 2

    def test_rate_limit_is_retried_after_its_retry_after(self) -> None:
        limited = error(429, "RATE_LIMITED", "wait", retryAfter=0, headers={"Retry-After": "0"})
        handler = Recorder(limited(None), OK)  # type: ignore[arg-type]
        assert client(handler).conversations.get("conv_1") == {"id": "conv_1"}
        assert len(handler.requests) == 2

    def test_a_long_retry_after_is_raised_at_once(self) -> None:
        quota = error(429, "QUOTA_EXCEEDED", "monthly quota", headers={"Retry-After": "86400"})
        handler = Recorder(quota(None))  # type: ignore[arg-type]
        with pytest.raises(RateLimitError) as caught:
            client(handler).conversations.get("conv_1")
        assert caught.value.retry_after == 86400 and len(handler.requests) == 1

    def test_idempotency_key_in_use_is_retried(self) -> None:
        in_use = error(409, "IDEMPOTENCY_KEY_IN_USE", "running", headers={"Retry-After": "0"})
        handler = Recorder(in_use(None), OK)  # type: ignore[arg-type]
        client(handler).conversations.create({"title": "x"})
        assert len(handler.requests) == 2
        assert len({r.headers["Idempotency-Key"] for r in handler.requests}) == 1

    def test_backoff_grows_exponentially(self) -> None:
        cr = client(Recorder(OK), retry_delay=1.0)
        waits = [cr._http._backoff(n) for n in range(4)]
        for n, wait in enumerate(waits):
            assert 0.75 * 2**n <= wait <= 2**n


class TestWireHabits:
    def test_headers_and_empty_body_as_the_official_sdk(self) -> None:
        handler = Recorder(httpx.Response(201, json={"success": True, "data": {"branch": {}}}))
        client(handler).branches.merge("conv_1", "br_1")
        request = handler.requests[0]
        assert request.headers["Authorization"] == f"ApiKey {KEY}"
        assert request.headers["Content-Type"] == "application/json"
        assert request.content == b""
        assert request.url.path == "/api/v1/conversations/conv_1/branches/br_1/merge"

    def test_merge_options_go_in_the_body(self) -> None:
        handler = Recorder(httpx.Response(200, json={"success": True, "data": {"branch": {}}}))
        client(handler).branches.merge("c", "b", strategy="cherry-pick", message_ids=["m1"])
        assert json.loads(handler.requests[0].content) == {
            "strategy": "cherry-pick",
            "messageIds": ["m1"],
        }

    def test_ids_cannot_change_the_path(self) -> None:
        handler = Recorder(OK)
        client(handler).conversations.get("../usage")
        assert handler.requests[0].url.raw_path == b"/api/v1/conversations/..%2Fusage"

    def test_unwrapping_falls_back_to_the_whole_body(self) -> None:
        body = {"id": "conv_9", "title": "flat"}
        cr = client(lambda r: httpx.Response(200, json=body))
        assert cr.conversations.get("conv_9") == body
        assert cr.branches.list("conv_9") == []

    def test_environment_supplies_key_and_base_url(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("CHATROUTES_API_KEY", "cr_env")
        monkeypatch.setenv("CHATROUTES_BASE_URL", "http://env.test/api/v1/")
        cr = ChatRoutes()
        assert (cr.api_key, cr.base_url) == ("cr_env", "http://env.test/api/v1")
        assert AsyncChatRoutes().base_url == "http://env.test/api/v1"

    def test_defaults_match_the_official_client(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("CHATROUTES_BASE_URL", raising=False)
        cr = ChatRoutes("k")
        assert cr.base_url == "https://api.chatroutes.com/api/v1"
        assert (cr._http.timeout, cr._http.retry_attempts, cr._http.retry_delay) == (30, 3, 1.0)
        assert cr._get_headers()["Authorization"] == "ApiKey k"

    def test_a_missing_key_says_what_to_do(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("CHATROUTES_API_KEY", raising=False)
        with pytest.raises(ChatRoutesError, match="CHATROUTES_API_KEY"):
            ChatRoutes()


class TestSSE:
    def test_ignores_ids_comments_and_bad_json_and_stops_at_done(self) -> None:
        decoder = SSEDecoder()
        lines = [
            ": ping",
            "id: 1",
            'data: {"type":"content","content":"a"}',
            "",
            "data: {not json",
            "",
            'data:{"type":"content","content":"b"}',
            "data: [DONE]",
            'data: {"type":"content","content":"after"}',
        ]
        from chatroutes._streaming import decode_lines

        events = list(decode_lines(lines, decoder))
        assert [e["content"] for e in events] == ["a", "b"]
        assert decoder.last_event_id == "1" and decoder.done

    def _sse(self, *events: dict[str, Any]) -> httpx.Response:
        body = "".join(f"id: {n}\ndata: {json.dumps(e)}\n\n" for n, e in enumerate(events))
        body = ": ping\n\n" + body + "data: [DONE]\n\n"
        return httpx.Response(200, text=body, headers={"Content-Type": "text/event-stream"})

    def test_iterator_raises_on_an_error_event_and_callbacks_do_not(self) -> None:
        events = [
            {"type": "content", "content": "par"},
            {"type": "error", "error": "PROVIDER_ERROR", "message": "upstream died"},
        ]
        cr = client(lambda r: self._sse(*events))
        seen: list[Any] = []
        with pytest.raises(StreamError) as caught:
            for event in cr.messages.stream("c", {"content": "x"}):
                seen.append(event)
        assert seen == events[:1]
        assert caught.value.code == "PROVIDER_ERROR" and isinstance(caught.value, ServerError)
        chunks: list[Any] = []
        completed: list[Any] = []
        cr.messages.stream("c", {"content": "x"}, chunks.append, completed.append)
        assert chunks == events and completed == []

    def test_stream_state_after_the_end(self) -> None:
        done = {
            "type": "complete",
            "message": {"id": "m"},
            "usage": {"totalTokens": 3},
            "model": "x",
        }
        cr = client(lambda r: self._sse({"type": "content", "content": "hi"}, done))
        with cr.messages.stream("c", {"content": "x"}) as stream:
            assert list(stream.text_stream) == ["hi"]
        assert (stream.text, stream.message, stream.model) == ("hi", {"id": "m"}, "x")
        assert stream.usage == {"totalTokens": 3} and stream.last_event_id == "1"

    def test_stream_request_headers(self) -> None:
        handler = Recorder(self._sse())
        client(handler).messages.stream("c", {"content": "x"}).until_done()
        request = handler.requests[0]
        assert request.headers["Accept"] == "text/event-stream"
        assert "Idempotency-Key" in request.headers


async def test_async_client_with_an_injected_transport() -> None:
    recorder: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        recorder.append(request)
        if len(recorder) == 1:
            return httpx.Response(503, json={"error": "UNAVAILABLE"})
        return httpx.Response(200, json={"data": {"conversation": {"id": "conv_1"}}})

    transport = httpx.MockTransport(handler)
    async with httpx.AsyncClient(transport=transport) as http:
        cr = AsyncChatRoutes(KEY, BASE, retry_delay=0, http_client=http)
        assert await cr.conversations.create({"title": "t"}) == {"id": "conv_1"}
        await cr.close()  # not ours: stays open
        assert not http.is_closed
    keys = {r.headers["Idempotency-Key"] for r in recorder}
    assert len(recorder) == 2 and len(keys) == 1


def test_the_sdk_imports_no_server_code() -> None:
    code = (
        "import sys, chatroutes\n"
        "from chatroutes import ChatRoutes, AsyncChatRoutes\n"
        "bad = sorted(m for m in sys.modules if m.startswith("
        "('chatroutes.server', 'fastapi', 'sqlalchemy', 'starlette', 'pydantic', 'uvicorn')))\n"
        "print(','.join(bad))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATROUTES_")}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.strip() == ""


def test_public_surface_is_a_superset_of_the_official_one() -> None:
    official = {
        "ChatRoutes", "ChatRoutesError", "AuthenticationError", "RateLimitError",
        "ValidationError", "NotFoundError", "ServerError", "NetworkError", "Conversation",
        "Message", "Branch", "Checkpoint", "CreateConversationRequest", "SendMessageRequest",
        "SendMessageResponse", "CreateBranchRequest", "ForkConversationRequest",
        "CheckpointCreateRequest", "CheckpointListResponse", "ConversationTree", "TreeNode",
        "ListConversationsParams", "PaginatedResponse", "StreamChunk", "BranchPoint",
        "BranchSuggestion", "SuggestionMetadata", "SuggestBranchesRequest",
        "SuggestBranchesResponse", "HealthResponse",
    }  # fmt: skip
    assert official <= set(chatroutes.__all__)
    assert all(hasattr(chatroutes, name) for name in chatroutes.__all__)
    assert (REPO / "src" / "chatroutes" / "py.typed").exists()
