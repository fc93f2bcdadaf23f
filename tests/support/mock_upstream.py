"""A real-socket mock of the OpenAI Chat Completions and Anthropic Messages wire protocols.

Used by end-to-end tests and benchmarks. It runs on plain asyncio streams with a minimal
HTTP/1.1 parser (keep-alive, Content-Length request bodies) so that faults -- error statuses,
delays, hangs, connections cut mid-stream, streams ended cleanly before their terminal
event, malformed SSE lines -- are fully controllable and per-request overhead stays tiny.
Faults are queued (each request takes the next) or tied to a marker in the request's body
(every such request gets it), so one client's requests can fail while others' succeed.
Every accepted socket gets TCP_NODELAY.

Replies are deterministic: ``"Echo: " + <text of the last user message>``. Tokens are the
matches of ``\\w+|[^\\w\\s]``; the prompt counts every message (and the system prompt).

As a process (for benchmarks)::

    python tests/support/mock_upstream.py --port 0

prints ``READY http://127.0.0.1:PORT`` and serves until SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import re
import signal
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType
from typing import Any, Literal, Self

Protocol = Literal["openai", "anthropic", "other"]
FaultKind = Literal[
    "status",
    "delay",
    "slow",
    "hang",
    "cut_after",
    "stall_after",
    "end_after",
    "malformed_chunk",
    "reply",
    "tool_call",
]

OPENAI_PATH = "/v1/chat/completions"
ANTHROPIC_PATH = "/v1/messages"
OLLAMA_TAGS_PATH = "/api/tags"  # Ollama's list of local models
_PROTOCOLS: dict[str, Protocol] = {OPENAI_PATH: "openai", ANTHROPIC_PATH: "anthropic"}

_TOKEN_RE = re.compile(r"\w+|[^\w\s]")
_PIECE_RE = re.compile(r"\s*\S+\s*|\s+")
_HEAD_LIMIT = 1 << 16
_BODY_LIMIT = 32 << 20
_SSE = "text/event-stream; charset=utf-8"
_OPENAI_ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})
_OPENAI_ERRORS: dict[int, tuple[str, str | None]] = {
    401: ("invalid_request_error", "invalid_api_key"),
    429: ("requests", "rate_limit_exceeded"),
}
_ANTHROPIC_ERRORS = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}
_OPENAI_MALFORMED = b"data: {not json\n\n"
_ANTHROPIC_MALFORMED = b"event: content_block_delta\ndata: {not json\n\n"


def count_tokens(text: str) -> int:
    """Count mock tokens: runs of word characters and single punctuation characters."""
    return len(_TOKEN_RE.findall(text))


def split_reply(text: str) -> list[str]:
    """Split a reply into stream pieces, word by word with whitespace kept (they join to it)."""
    return _PIECE_RE.findall(text)


@dataclass(frozen=True, slots=True)
class Fault:
    """One misbehaviour applied to one upstream request; build it with the class methods."""

    kind: FaultKind
    code: int = 0
    retry_after: float | None = None
    body: dict[str, Any] | str | None = None
    seconds: float = 0.0
    chunks: int = 0
    closing: int = 0  # end_after: how many of the stream's closing frames are still sent
    text: str = ""
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    reasoning: str = ""  # thinking streamed before the reply, whatever the kind
    reasoning_field: str = "reasoning_content"
    tool: str = ""  # tool_call: the function the model calls
    arguments: dict[str, Any] | None = None

    @classmethod
    def status(
        cls, code: int, retry_after: float | None = None, body: dict[str, Any] | str | None = None
    ) -> Fault:
        """Answer HTTP ``code`` in the protocol's error shape (or ``body``: dict=JSON, str=text)."""
        return cls("status", code=code, retry_after=retry_after, body=body)

    @classmethod
    def delay(cls, seconds: float) -> Fault:
        """Wait ``seconds`` before the first byte, then answer normally."""
        return cls("delay", seconds=seconds)

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        """Stream the reply with ``seconds`` between frames (this request's ``chunk_delay``)."""
        return cls("slow", seconds=seconds)

    @classmethod
    def hang(cls) -> Fault:
        """Read the request and never answer, until the client closes or the server stops."""
        return cls("hang")

    @classmethod
    def cut_after(cls, n_chunks: int) -> Fault:
        """Stream ``n_chunks`` content chunks then close (non-streamed: half the body)."""
        return cls("cut_after", chunks=n_chunks)

    @classmethod
    def stall_after(cls, n_chunks: int) -> Fault:
        """Stream ``n_chunks`` content chunks then send nothing more until the client leaves
        (a reply stopped or abandoned at a known point)."""
        return cls("stall_after", chunks=n_chunks)

    @classmethod
    def end_after(cls, n_chunks: int, closing: int = 0) -> Fault:
        """Stream ``n_chunks`` content chunks and the first ``closing`` closing frames, then
        end the body properly: a stream that stops cleanly without its terminal event.

        The closing frames: OpenAI, the ``finish_reason`` chunk (after a tool call's
        pieces), the usage chunk, ``[DONE]``; Anthropic, ``content_block_stop`` (and a
        tool_use block's events), ``message_delta``, ``message_stop``. A non-streamed
        request is answered in full.
        """
        return cls("end_after", chunks=n_chunks, closing=closing)

    @classmethod
    def malformed_chunk(cls, after: int = 0) -> Fault:
        """In a stream, send a ``data: {not json`` line after ``after`` content chunks."""
        return cls("malformed_chunk", chunks=after)

    @classmethod
    def reply(
        cls,
        text: str,
        prompt_tokens: int | None = None,
        completion_tokens: int | None = None,
        *,
        reasoning: str = "",
        reasoning_field: str = "reasoning_content",
    ) -> Fault:
        """Answer normally with ``text``, optionally overriding the reported token counts.

        With ``reasoning``, the model thinks first: OpenAI-compatible servers send it in
        ``reasoning_field`` (DeepSeek and vLLM: ``reasoning_content``; OpenRouter and Groq:
        ``reasoning``), Anthropic as a ``thinking`` content block.
        """
        return cls(
            "reply",
            text=text,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            reasoning=reasoning,
            reasoning_field=reasoning_field,
        )

    @classmethod
    def tool_call(
        cls, name: str, arguments: dict[str, Any], *, text: str = "", reasoning: str = ""
    ) -> Fault:
        """Answer with a call of tool ``name`` (after ``text``, if any), streamed or not.

        OpenAI: an assistant message with ``tool_calls`` and ``finish_reason: tool_calls``;
        Anthropic: a ``tool_use`` block (its input streamed as ``input_json_delta``) and
        ``stop_reason: tool_use``. With ``reasoning``, the model thinks first.
        """
        return cls("tool_call", text=text, reasoning=reasoning, tool=name, arguments=arguments)


@dataclass(slots=True)
class RecordedRequest:
    """A request as the mock received it; ``json`` is None when the body is not JSON."""

    protocol: Protocol
    method: str
    path: str
    headers: dict[str, str]
    json: Any


@dataclass(slots=True)
class _Call:
    """A validated generation request and the reply it gets."""

    model: str
    reply: str
    prompt_tokens: int
    completion_tokens: int
    stream: bool
    include_usage: bool
    reasoning: str = ""
    reasoning_field: str = "reasoning_content"
    tool: str = ""  # a tool call ends the reply
    arguments: str = ""  # its JSON arguments
    seq: int = 0
    last_user: str = ""
    max_tokens: int | None = None  # the request's cap on the reply
    texts: tuple[str, ...] = ()  # what the prompt counts: each message's text
    hit_limit: bool = False  # the reply was cut at max_tokens: finish "length"/"max_tokens"

    def limit_reply(self) -> None:
        """Cut the reply to ``max_tokens`` mock tokens, as a real API cuts it."""
        if self.max_tokens is None or self.tool or count_tokens(self.reply) <= self.max_tokens:
            return
        ends = [match.end() for match in _TOKEN_RE.finditer(self.reply)]
        self.reply = self.reply[: ends[self.max_tokens - 1]]
        self.completion_tokens = count_tokens(self.reasoning) + count_tokens(self.reply)
        self.hit_limit = True

    @property
    def openai_finish(self) -> str:
        return "tool_calls" if self.tool else "length" if self.hit_limit else "stop"

    @property
    def anthropic_stop(self) -> str:
        return "tool_use" if self.tool else "max_tokens" if self.hit_limit else "end_turn"


@dataclass(slots=True)
class UpstreamCall:
    """What the mock generated for one request, and the usage it reported (or would have)."""

    protocol: Protocol
    model: str
    last_user: str  # the request's last user message: tells whose call it was
    prompt_tokens: int
    completion_tokens: int  # of the whole reply, or of the part sent before a stall or cut
    finished: bool  # the reply was sent whole, with its usage


class _ApiError(Exception):
    """A request rejected with ``status`` and ``message`` in the protocol's error shape."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _reason(status: int) -> str:
    """The HTTP reason phrase of ``status``."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Overloaded" if status == 529 else "Unknown"


def _dumps(obj: Any) -> bytes:
    """Compact JSON bytes."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def _error_body(protocol: Protocol, status: int, message: str) -> dict[str, Any]:
    """The error object of ``protocol`` (OpenAI's for unknown paths)."""
    if protocol == "anthropic":
        default = "api_error" if status >= 500 else "invalid_request_error"
        error_type = _ANTHROPIC_ERRORS.get(status, default)
        return {"type": "error", "error": {"type": error_type, "message": message}}
    fallback = ("server_error" if status >= 500 else "invalid_request_error", None)
    error_type, code = _OPENAI_ERRORS.get(status, fallback)
    return {"error": {"message": message, "type": error_type, "param": None, "code": code}}


def _head(
    status: int,
    content_type: str,
    keep_alive: bool,
    length: int | None,
    extra: Mapping[str, str] | None = None,
) -> bytes:
    """Response status line and headers; ``length=None`` means a chunked event stream."""
    lines = [f"HTTP/1.1 {status} {_reason(status)}", f"Content-Type: {content_type}"]
    if length is None:
        lines += ["Transfer-Encoding: chunked", "Cache-Control: no-cache"]
    else:
        lines.append(f"Content-Length: {length}")
    lines.append("Connection: keep-alive" if keep_alive else "Connection: close")
    if extra:
        lines += [f"{name}: {value}" for name, value in extra.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _chunk(data: bytes) -> bytes:
    """One HTTP/1.1 chunk of a chunked body."""
    return b"%x\r\n%s\r\n" % (len(data), data)


def _text_of(content: Any, where: str) -> str:
    """Text of a message content: a string, or the text blocks of a list joined by newlines."""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        raise _ApiError(400, f"{where}: must be a string or a list of content blocks")
    texts: list[str] = []
    for block in content:
        if not isinstance(block, dict):
            raise _ApiError(400, f"{where}: content blocks must be objects")
        if block.get("type") == "text":
            if not isinstance(block.get("text"), str):
                raise _ApiError(400, f"{where}: text blocks need a string 'text'")
            texts.append(block["text"])
    return "\n".join(texts)


def _check_temperature(body: dict[str, Any], highest: float) -> None:
    """Reject a temperature that is not a number in ``[0, highest]``."""
    value = body.get("temperature")
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= highest:
        raise _ApiError(400, f"temperature: must be a number between 0 and {highest:g}")


def _make_call(
    model: str,
    texts: list[str],
    last_user: str,
    stream: bool,
    usage: bool,
    max_tokens: int | None,
) -> _Call:
    """The echo reply and token counts for a validated request."""
    reply = f"Echo: {last_user}"
    prompt_tokens = sum(count_tokens(text) for text in texts)
    call = _Call(model, reply, prompt_tokens, count_tokens(reply), stream, usage)
    call.max_tokens, call.last_user, call.texts = max_tokens, last_user, tuple(texts)
    return call


def _openai_max_tokens(body: dict[str, Any]) -> int | None:
    """``max_completion_tokens`` (or the older ``max_tokens``), checked like the real API."""
    for name in ("max_completion_tokens", "max_tokens"):
        value = body.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise _ApiError(400, f"Invalid '{name}': integer below minimum value 1.")
        return value
    return None


def _parse_openai(body: Any) -> _Call:
    """Validate a Chat Completions request like the real API (the parts that matter here)."""
    if not isinstance(body, dict):
        raise _ApiError(400, "We could not parse the JSON body of your request.")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise _ApiError(400, "you must provide a model parameter")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise _ApiError(400, "Invalid 'messages': expected a non-empty array.")
    texts: list[str] = []
    last_user = ""
    called: set[str] = set()  # tool call ids the assistant made so far
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in _OPENAI_ROLES:
            raise _ApiError(400, f"Invalid value for 'messages[{i}].role'.")
        called.update(c.get("id") for c in message.get("tool_calls") or [] if isinstance(c, dict))
        if message["role"] == "tool" and message.get("tool_call_id") not in called:
            raise _ApiError(
                400,
                f"Invalid parameter: messages[{i}] with role 'tool' must be a response to a "
                "preceeding message with 'tool_calls'.",
            )
        content = message.get("content")
        text = "" if content is None else _text_of(content, f"messages[{i}].content")
        texts.append(text)
        if message["role"] == "user":
            last_user = text
    _check_temperature(body, 2.0)
    stream = body.get("stream") is True
    options = body.get("stream_options")
    if options is not None and not stream:
        message = "The 'stream_options' parameter is only allowed when 'stream' is true."
        raise _ApiError(400, message)
    usage = isinstance(options, dict) and options.get("include_usage") is True
    return _make_call(model, texts, last_user, stream, usage, _openai_max_tokens(body))


def _parse_anthropic(body: Any) -> _Call:
    """Validate a Messages request like the real API (max_tokens, roles, content)."""
    if not isinstance(body, dict):
        raise _ApiError(400, "Request body must be a JSON object")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise _ApiError(400, "model: Field required")
    max_tokens = body.get("max_tokens")
    if max_tokens is None:
        raise _ApiError(400, "max_tokens: Field required")
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
        raise _ApiError(400, "max_tokens: Input should be a positive integer")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise _ApiError(400, "messages: at least one message is required")
    system = body.get("system")
    texts = [] if system is None else [_text_of(system, "system")]
    expected, last_user = "user", ""
    for i, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if role == "system":
            raise _ApiError(
                400,
                'messages: Unexpected role "system". The Messages API accepts a top-level '
                '`system` parameter, not "system" as an input message role.',
            )
        if role not in ("user", "assistant"):
            raise _ApiError(400, f"messages.{i}.role: Input should be 'user' or 'assistant'")
        if role != expected:
            raise _ApiError(
                400,
                'messages: first message must use the "user" role'
                if i == 0
                else 'messages: roles must alternate between "user" and "assistant", '
                f'but found multiple "{role}" roles in a row',
            )
        if "content" not in message:
            raise _ApiError(400, f"messages.{i}.content: Field required")
        text = _text_of(message["content"], f"messages.{i}.content")
        texts.append(text)
        if role == "user":
            last_user = text
        expected = "assistant" if role == "user" else "user"
    _check_temperature(body, 1.0)
    _check_thinking(body, max_tokens)
    stream = body.get("stream") is True
    return _make_call(model, texts, last_user, stream, stream, max_tokens)


def _check_thinking(body: dict[str, Any], max_tokens: int) -> None:
    """Anthropic's extended-thinking rules, and (with it) thinking first in tool-use turns."""
    thinking = body.get("thinking")
    if thinking is None or (isinstance(thinking, dict) and thinking.get("type") == "disabled"):
        return
    budget = thinking.get("budget_tokens") if isinstance(thinking, dict) else None
    if not isinstance(thinking, dict) or thinking.get("type") != "enabled":
        raise _ApiError(400, "thinking.type: Input should be 'enabled' or 'disabled'")
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1024:
        raise _ApiError(400, "thinking.enabled.budget_tokens: Input should be >= 1024")
    if budget >= max_tokens:
        raise _ApiError(400, "`max_tokens` must be greater than `thinking.budget_tokens`")
    if body.get("temperature", 1) != 1:
        raise _ApiError(400, "`temperature` may only be set to 1 when thinking is enabled")
    choice = (body.get("tool_choice") or {}).get("type", "auto")
    if choice not in ("auto", "none"):
        raise _ApiError(400, "Thinking may not be enabled when tool_choice forces tool use.")
    for i, message in enumerate(body["messages"]):
        content = message.get("content")
        if message.get("role") != "assistant" or not isinstance(content, list):
            continue
        kinds = [b.get("type") for b in content if isinstance(b, dict)]
        if "tool_use" in kinds and kinds[0] not in ("thinking", "redacted_thinking"):
            raise _ApiError(
                400,
                f"messages.{i}.content.0.type: Expected `thinking` or `redacted_thinking`, "
                f"but found `{kinds[0]}`. When `thinking` is enabled, a final `assistant` "
                "message must start with a thinking block.",
            )


_Frames = tuple[list[bytes], list[bytes], list[bytes]]


def _openai_body(call: _Call, seq: int) -> dict[str, Any]:
    """A non-streamed ``chat.completion`` object."""
    return {
        "id": f"chatcmpl-mock{seq:08d}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": call.model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": call.reply}
                | ({call.reasoning_field: call.reasoning} if call.reasoning else {})
                | (
                    {"content": call.reply or None, "tool_calls": [_openai_tool_call(call)]}
                    if call.tool
                    else {}
                ),
                "logprobs": None,
                "finish_reason": call.openai_finish,
            }
        ],
        "usage": {
            "prompt_tokens": call.prompt_tokens,
            "completion_tokens": call.completion_tokens,
            "total_tokens": call.prompt_tokens + call.completion_tokens,
        },
    }


def _openai_tool_call(call: _Call) -> dict[str, Any]:
    function = {"name": call.tool, "arguments": call.arguments}
    return {"id": f"call_mock{call.seq:08d}", "type": "function", "function": function}


def _split_json(text: str) -> list[str]:
    """A JSON text in three pieces, as streamed arguments arrive."""
    third = max(1, len(text) // 3)
    return [text[:third], text[third : 2 * third], text[2 * third :]]


def _openai_frames(call: _Call, seq: int) -> _Frames:
    """SSE frames of a streamed completion: (role chunk, content chunks, stop/usage/[DONE])."""
    base: dict[str, Any] = {
        "id": f"chatcmpl-mock{seq:08d}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": call.model,
    }
    if call.include_usage:
        base["usage"] = None

    def frame(delta: dict[str, Any], finish: str | None) -> bytes:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return b"data: " + _dumps({**base, "choices": [choice]}) + b"\n\n"

    suffix = [frame({}, call.openai_finish)]
    if call.tool:  # the call's id and name, then its arguments in pieces
        head = _openai_tool_call(call) | {"index": 0}
        head["function"] = {"name": call.tool, "arguments": ""}
        pieces = [{"index": 0, "function": {"arguments": p}} for p in _split_json(call.arguments)]
        suffix[:0] = [frame({"tool_calls": [d]}, None) for d in [head, *pieces]]
    if call.include_usage:
        usage = _openai_body(call, seq)["usage"]
        suffix.append(b"data: " + _dumps({**base, "choices": [], "usage": usage}) + b"\n\n")
    suffix.append(b"data: [DONE]\n\n")
    thinking = [frame({call.reasoning_field: p}, None) for p in split_reply(call.reasoning)]
    content = thinking + [frame({"content": piece}, None) for piece in split_reply(call.reply)]
    return [frame({"role": "assistant", "content": ""}, None)], content, suffix


def _anthropic_body(call: _Call, seq: int) -> dict[str, Any]:
    """A non-streamed Messages ``message`` object."""
    return {
        "id": f"msg_mock{seq:08d}",
        "type": "message",
        "role": "assistant",
        "model": call.model,
        "content": [
            *([_thinking_block(call.reasoning)] if call.reasoning else []),
            *([{"type": "text", "text": call.reply}] if call.reply or not call.tool else []),
            *([_tool_use_block(call)] if call.tool else []),
        ],
        "stop_reason": call.anthropic_stop,
        "stop_sequence": None,
        "usage": {"input_tokens": call.prompt_tokens, "output_tokens": call.completion_tokens},
    }


def _tool_use_block(call: _Call) -> dict[str, Any]:
    arguments = json.loads(call.arguments)
    return {
        "type": "tool_use",
        "id": f"toolu_mock{call.seq:08d}",
        "name": call.tool,
        "input": arguments,
    }


def _thinking_block(thinking: str) -> dict[str, Any]:
    """A ``thinking`` content block; the signature is opaque to clients."""
    return {"type": "thinking", "thinking": thinking, "signature": "mock-signature"}


def _event(name: str, data: dict[str, Any]) -> bytes:
    """One named SSE event."""
    return b"event: %s\ndata: %s\n\n" % (name.encode(), _dumps({"type": name, **data}))


def _anthropic_frames(call: _Call, seq: int) -> _Frames:
    """SSE events of a streamed message, split as (start events, text deltas, closing events)."""
    message = _anthropic_body(call, seq) | {"content": [], "stop_reason": None}
    message["usage"] = {"input_tokens": call.prompt_tokens, "output_tokens": 1}
    text_start = {"type": "text", "text": ""}
    # With thinking: block 0 is the thinking (its deltas, then a signature), block 1 the text.
    text_at = 1 if call.reasoning else 0
    first = {"type": "thinking", "thinking": ""} if call.reasoning else text_start
    prefix = [
        _event("message_start", {"message": message}),
        _event("content_block_start", {"index": 0, "content_block": first}),
        _event("ping", {}),
    ]
    content: list[bytes] = []
    if call.reasoning:
        content += [
            _event(
                "content_block_delta",
                {"index": 0, "delta": {"type": "thinking_delta", "thinking": p}},
            )
            for p in split_reply(call.reasoning)
        ]
        signature = {"type": "signature_delta", "signature": "mock-signature"}
        content += [
            _event("content_block_delta", {"index": 0, "delta": signature}),
            _event("content_block_stop", {"index": 0}),
            _event("content_block_start", {"index": 1, "content_block": text_start}),
        ]
    content += [
        _event(
            "content_block_delta", {"index": text_at, "delta": {"type": "text_delta", "text": p}}
        )
        for p in split_reply(call.reply)
    ]
    suffix = [_event("content_block_stop", {"index": text_at})]
    if call.tool:  # one more block: the tool_use, its input streamed as JSON pieces
        at = text_at + 1
        start = _tool_use_block(call) | {"input": {}}
        suffix += [
            _event("content_block_start", {"index": at, "content_block": start}),
            *(
                _event(
                    "content_block_delta",
                    {"index": at, "delta": {"type": "input_json_delta", "partial_json": p}},
                )
                for p in _split_json(call.arguments)
            ),
            _event("content_block_stop", {"index": at}),
        ]
    suffix += [
        _event(
            "message_delta",
            {
                "delta": {
                    "stop_reason": call.anthropic_stop,
                    "stop_sequence": None,
                },
                "usage": {"output_tokens": call.completion_tokens},
            },
        ),
        _event("message_stop", {}),
    ]
    return prefix, content, suffix


class MockUpstream:
    """Real-socket mock of the OpenAI and Anthropic APIs with a FIFO queue of faults."""

    def __init__(
        self,
        *,
        api_key: str | None = "test-key",
        host: str = "127.0.0.1",
        port: int = 0,
        chunk_delay: float = 0.0,
        tokenizer: Callable[[str], int] | None = None,
        message_overhead: int = 0,
    ) -> None:
        """``tokenizer`` (with ``message_overhead`` tokens around each message): count
        prompts and replies as a real model's tokenizer does instead of in mock tokens."""
        self.api_key = api_key
        self.tokenizer = tokenizer
        self.message_overhead = message_overhead
        self.host = host
        self.port = port
        self.chunk_delay = chunk_delay
        self.ollama_models: list[str] = []  # what GET /api/tags lists, as an Ollama host
        self.requests: list[RecordedRequest] = []
        self.calls: list[UpstreamCall] = []  # every generation, with its usage
        self.connections = 0
        self.nodelay_connections = 0
        self._faults: deque[Fault] = deque()
        self._marked: list[tuple[bytes, Fault]] = []  # (marker, fault), first match wins
        self._ids = itertools.count(1)
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[Any]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:PORT``; only valid once started."""
        if self._server is None:
            raise RuntimeError("MockUpstream is not started")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def openai_base_url(self) -> str:
        """Base URL for OpenAI clients (they append ``/chat/completions``)."""
        return self.url + "/v1"

    @property
    def anthropic_base_url(self) -> str:
        """Base URL for Anthropic clients (they append ``/v1/messages``)."""
        return self.url

    def clear(self) -> None:
        """Forget recorded requests and calls, queued faults and marked faults."""
        self.requests.clear()
        self.calls.clear()
        self._faults.clear()
        self._marked.clear()

    def enqueue(self, *faults: Fault) -> None:
        """Queue faults; each upstream request takes the next one (FIFO)."""
        self._faults.extend(faults)

    def fault_when(self, marker: str, fault: Fault) -> None:
        """Give ``fault`` to every request whose body contains ``marker`` (plain ASCII, e.g.
        a word in one client's messages), until :meth:`clear`; such requests leave the
        queue alone."""
        self._marked.append((marker.encode(), fault))

    async def start_async(self) -> Self:
        """Start listening on the running event loop."""
        if self._server is not None:
            raise RuntimeError("MockUpstream is already started")
        self._server = await asyncio.start_server(
            self._serve_connection, self.host, self.port, limit=_HEAD_LIMIT
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop_async(self) -> None:
        """Stop listening and drop every open connection (hanging requests included)."""
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        handlers = list(self._handlers)
        for task in handlers:
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        await server.wait_closed()

    def start(self) -> Self:
        """Run the server on its own event loop in a daemon thread; return once listening."""
        if self._thread is not None:
            raise RuntimeError("MockUpstream is already started")
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="mock-upstream", daemon=True)
        thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self.start_async(), loop).result(timeout=10)
        except BaseException:
            loop.call_soon_threadsafe(loop.stop)
            thread.join()
            loop.close()
            raise
        self._loop, self._thread = loop, thread
        return self

    def stop(self) -> None:
        """Stop a server started with :meth:`start` and join its thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        asyncio.run_coroutine_threadsafe(self.stop_async(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()
        self._loop = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        return await self.start_async()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop_async()

    def _next_fault(self, body: bytes) -> Fault | None:
        """The fault of the first marker in ``body``, else the next queued fault, if any."""
        for marker, fault in self._marked:
            if marker in body:
                return fault
        try:
            return self._faults.popleft()
        except IndexError:
            return None

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """Set TCP_NODELAY, then answer requests until the connection ends."""
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.connections += 1
        self.nodelay_connections += bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        try:
            while await self._serve_request(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            pass  # only stop_async cancels; ending quietly keeps asyncio from logging it
        finally:
            self._handlers.discard(task)
            writer.close()

    async def _serve_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        """Read and answer one request; return whether the connection stays open."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return False
        except asyncio.LimitOverrunError:
            await self._write(writer, 431, {"error": {"message": "headers too large"}}, False)
            return False
        request_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
        parts = request_line.split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            await self._write(writer, 400, {"error": {"message": "bad request line"}}, False)
            return False
        method, target, version = parts
        headers: dict[str, str] = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        connection = headers.get("connection", "").lower()
        if version == "HTTP/1.0":
            keep_alive = "keep-alive" in connection
        else:
            keep_alive = "close" not in connection
        if "transfer-encoding" in headers:
            message = {"error": {"message": "chunked request bodies are not supported"}}
            await self._write(writer, 501, message, False)
            return False
        length = headers.get("content-length", "0")
        if not length.isdigit() or int(length) > _BODY_LIMIT:
            await self._write(writer, 400, {"error": {"message": "bad Content-Length"}}, False)
            return False
        body = await reader.readexactly(int(length)) if length != "0" else b""
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            payload = None
        protocol = _PROTOCOLS.get(target.partition("?")[0], "other")
        self.requests.append(RecordedRequest(protocol, method, target, headers, payload))
        if protocol == "other" and method == "GET" and target == OLLAMA_TAGS_PATH:
            tags = {"models": [{"name": name} for name in self.ollama_models]}
            await self._write(writer, 200, tags, keep_alive)
            return keep_alive
        if protocol == "other":
            error = _error_body("other", 404, f"Unknown request URL: {method} {target}")
            await self._write(writer, 404, error, keep_alive)
            return keep_alive
        fault = self._next_fault(body)
        return await self._answer(
            protocol, method, headers, payload, fault, reader, writer, keep_alive
        )

    async def _answer(
        self,
        protocol: Protocol,
        method: str,
        headers: dict[str, str],
        payload: Any,
        fault: Fault | None,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        keep_alive: bool,
    ) -> bool:
        """Apply ``fault`` and answer an upstream request; return keep-alive."""
        if fault is not None and fault.kind == "delay":
            await asyncio.sleep(fault.seconds)
        elif fault is not None and fault.kind == "hang":
            while await reader.read(1 << 16):
                pass
            return False
        elif fault is not None and fault.kind == "status":
            body = fault.body
            if body is None:
                body = _error_body(protocol, fault.code, _reason(fault.code))
            extra = None if fault.retry_after is None else {"Retry-After": f"{fault.retry_after:g}"}
            await self._write(writer, fault.code, body, keep_alive, extra)
            return keep_alive
        try:
            self._check_headers(protocol, method, headers)
            call = _parse_openai(payload) if protocol == "openai" else _parse_anthropic(payload)
        except _ApiError as exc:
            error = _error_body(protocol, exc.status, exc.message)
            await self._write(writer, exc.status, error, keep_alive)
            return keep_alive
        if self.tokenizer is not None:
            count = self.tokenizer
            call.prompt_tokens = sum(self.message_overhead + count(text) for text in call.texts)
            call.completion_tokens = count(call.reply)
        if fault is not None:  # any fault may carry thinking: e.g. a cut in the middle of it
            if fault.kind in ("reply", "tool_call"):
                call.reply = fault.text
            if fault.kind == "tool_call":
                call.tool, call.arguments = fault.tool, json.dumps(fault.arguments or {})
            call.reasoning, call.reasoning_field = fault.reasoning, fault.reasoning_field
            call.completion_tokens = (
                count_tokens(call.reasoning)
                + count_tokens(call.reply)
                + count_tokens(call.arguments)
            )
            if fault.prompt_tokens is not None:
                call.prompt_tokens = fault.prompt_tokens
            if fault.completion_tokens is not None:
                call.completion_tokens = fault.completion_tokens
        if fault is None or fault.completion_tokens is None:
            call.limit_reply()
        seq = call.seq = next(self._ids)
        record = UpstreamCall(
            protocol, call.model, call.last_user, call.prompt_tokens, call.completion_tokens, False
        )
        self.calls.append(record)
        cut = fault.chunks if fault is not None and fault.kind == "cut_after" else None
        if not call.stream:
            obj = _openai_body(call, seq) if protocol == "openai" else _anthropic_body(call, seq)
            if cut is None:
                await self._write(writer, 200, obj, keep_alive)
                record.finished = True
                return keep_alive
            record.completion_tokens = 0
            data = _dumps(obj)
            writer.write(_head(200, "application/json", keep_alive, len(data)))
            writer.write(data[: len(data) // 2])
            await writer.drain()
            writer.close()
            return False
        malformed = fault.chunks if fault is not None and fault.kind == "malformed_chunk" else None
        if fault is not None and fault.kind == "stall_after":
            cut = fault.chunks
        if protocol == "openai":
            frames, bad = _openai_frames(call, seq), _OPENAI_MALFORMED
        else:
            frames, bad = _anthropic_frames(call, seq), _ANTHROPIC_MALFORMED
        ended = fault is not None and fault.kind == "end_after"
        if ended:
            prefix, content, suffix = frames
            frames = prefix, content[: fault.chunks], suffix[: fault.closing]
            cut_short = fault.chunks
        else:
            cut_short = cut
        if cut_short is not None:  # what the reply's first content chunks hold
            record.completion_tokens = count_tokens("".join(split_reply(call.reply)[:cut_short]))
        stall = fault is not None and fault.kind == "stall_after"
        pause = fault.seconds if fault is not None and fault.kind == "slow" else self.chunk_delay
        keep = await self._stream(writer, keep_alive, frames, cut, malformed, bad, stall, pause)
        if stall:
            while await reader.read(1 << 16):  # until the client leaves
                pass
            return False
        record.finished = cut_short is None
        return keep

    def _check_headers(self, protocol: Protocol, method: str, headers: dict[str, str]) -> None:
        """Check the method, the API key and (Anthropic) the ``anthropic-version`` header."""
        if method != "POST":
            raise _ApiError(405, f"Method {method} not allowed")
        if protocol == "openai":
            scheme, _, key = headers.get("authorization", "").partition(" ")
            key = key.strip() if scheme.lower() == "bearer" else ""
            if self.api_key is not None and key != self.api_key:
                raise _ApiError(401, f"Incorrect API key provided: {key or '(none)'}")
            return
        key = headers.get("x-api-key", "")
        if self.api_key is not None and key != self.api_key:
            raise _ApiError(401, "invalid x-api-key" if key else "x-api-key header is required")
        if "anthropic-version" not in headers:
            raise _ApiError(400, "anthropic-version: header is required")

    async def _write(
        self,
        writer: asyncio.StreamWriter,
        status: int,
        body: dict[str, Any] | str,
        keep_alive: bool,
        extra: Mapping[str, str] | None = None,
    ) -> None:
        """Send a complete response: a dict as JSON, a string as plain text."""
        if isinstance(body, str):
            data, content_type = body.encode(), "text/plain; charset=utf-8"
        else:
            data, content_type = _dumps(body), "application/json"
        writer.write(_head(status, content_type, keep_alive, len(data), extra) + data)
        await writer.drain()

    async def _stream(
        self,
        writer: asyncio.StreamWriter,
        keep_alive: bool,
        frames: _Frames,
        cut: int | None,
        malformed: int | None,
        bad_frame: bytes,
        stall: bool = False,
        pause: float = 0.0,
    ) -> bool:
        """Send SSE frames as HTTP chunks, ``pause`` seconds apart, cutting (or, ``stall``,
        pausing for good) or corrupting after N content frames."""
        prefix, content, suffix = frames
        sequence = prefix + content + suffix
        cut_at = -1 if cut is None else len(prefix) + min(cut, len(content))
        bad_at = -1 if malformed is None else len(prefix) + min(malformed, len(content))
        writer.write(_head(200, _SSE, keep_alive, None))
        for i, frame in enumerate(sequence):
            if i and pause:
                await asyncio.sleep(pause)
            if i == cut_at:
                if not stall:
                    writer.close()
                return False
            if i == bad_at:
                writer.write(_chunk(bad_frame))
            writer.write(_chunk(frame))
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        return keep_alive


async def _serve(args: argparse.Namespace) -> None:
    """Serve until SIGTERM or SIGINT, after printing the READY line."""
    mock = MockUpstream(
        api_key=None if args.any_key else args.api_key,
        host=args.host,
        port=args.port,
        chunk_delay=args.chunk_delay,
    )
    await mock.start_async()
    print(f"READY {mock.url}", flush=True)
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopped.set)
    await stopped.wait()
    await mock.stop_async()


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="Mock OpenAI/Anthropic upstream server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--api-key", default="test-key")
    parser.add_argument("--any-key", action="store_true", help="accept any API key")
    parser.add_argument("--chunk-delay", type=float, default=0.0, help="seconds between chunks")
    asyncio.run(_serve(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
