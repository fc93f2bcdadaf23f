"""``POST /v1/chat/completions``: OpenAI's request, completion and chunk shapes.

The request's fields are OpenAI's names and types; what a type cannot say (a message's
role-dependent content, a tool choice naming a defined tool…) is checked by
``services/openai_chat.py``, each refusal a 400 naming its ``param``
(``messages[2].content[0].image_url.url``). Unknown fields are refused as OpenAI
refuses them.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

MAX_CHOICES = 8  # n: each choice is an upstream call of its own, reserved and metered


class _OpenAIModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class StreamOptions(_OpenAIModel):
    include_usage: bool | None = None
    include_obfuscation: bool | None = None  # accepted; chunks carry no obfuscation


class ChatCompletionCreate(_OpenAIModel):
    """OpenAI's Chat Completions request, the fields ChatRoutes serves."""

    model: str = Field(min_length=1, max_length=200)
    messages: list[dict[str, Any]] = Field(min_length=1, max_length=10_000)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    stop: Any = None  # a string or up to 4: checked by the service, naming ``stop``
    n: int | None = Field(default=None, ge=1, le=MAX_CHOICES)
    stream: bool | None = None
    stream_options: StreamOptions | None = None
    tools: list[dict[str, Any]] | None = Field(default=None, max_length=128)
    tool_choice: Any = None  # "none" | "auto" | "required" | a function: the service
    parallel_tool_calls: bool | None = None
    response_format: dict[str, Any] | None = None
    seed: int | None = None
    user: str | None = Field(default=None, max_length=256)
    safety_identifier: str | None = Field(default=None, max_length=256)
    store: bool | None = None
    metadata: dict[str, str] | None = None
    frequency_penalty: float | None = Field(default=None, ge=-2, le=2)
    presence_penalty: float | None = Field(default=None, ge=-2, le=2)
    reasoning_effort: Literal["none", "minimal", "low", "medium", "high", "xhigh"] | None = None
    logprobs: bool | None = None  # only false: no protocol behind every model reports them
    modalities: list[Literal["text"]] | None = None


class ChatUsage(TypedDict):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ToolCallFunction(TypedDict):
    name: str
    arguments: str  # JSON text


class ChatToolCall(TypedDict):
    id: str
    type: Literal["function"]
    function: ToolCallFunction


class ChatToolCallDelta(ChatToolCall):
    index: int


class AssistantMessage(TypedDict):
    role: Literal["assistant"]
    content: str | None
    refusal: None
    tool_calls: NotRequired[list[ChatToolCall]]


class ChatChoice(TypedDict):
    index: int
    message: AssistantMessage
    finish_reason: str
    logprobs: None


class ChatCompletion(TypedDict):
    """A whole answer: one choice per ``n``, and the usage of all of them."""

    id: str
    object: Literal["chat.completion"]
    created: int
    model: str
    choices: list[ChatChoice]
    usage: ChatUsage
    system_fingerprint: None


class ChunkDelta(TypedDict, total=False):
    role: Literal["assistant"]
    content: str
    tool_calls: list[ChatToolCallDelta]


class ChunkChoice(TypedDict):
    index: int
    delta: ChunkDelta
    finish_reason: str | None
    logprobs: None


class ChatCompletionChunk(TypedDict):
    """One event of a stream: the role first, the text in pieces, then each choice's
    ``finish_reason``; with ``include_usage``, a last one with no choices and the usage
    (``usage`` null on the others)."""

    id: str
    object: Literal["chat.completion.chunk"]
    created: int
    model: str
    choices: list[ChunkChoice]
    system_fingerprint: None
    usage: NotRequired[ChatUsage | None]


# OpenAI's finish reasons; a protocol's others ("error"…) read as "stop".
FINISH_REASONS = frozenset({"stop", "length", "tool_calls", "content_filter", "function_call"})


def finish_reason(reason: str) -> str:
    return reason if reason in FINISH_REASONS else "stop"


def chat_usage(prompt_tokens: int, completion_tokens: int) -> ChatUsage:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def chat_tool_call(call_id: str, name: str, arguments: str) -> ChatToolCall:
    return {
        "id": call_id,
        "type": "function",
        "function": {"name": name, "arguments": arguments},
    }


def chat_choice(
    index: int, content: str, tool_calls: list[ChatToolCall], reason: str
) -> ChatChoice:
    message: AssistantMessage = {
        "role": "assistant",
        "content": content if content or not tool_calls else None,
        "refusal": None,
    }
    if tool_calls:
        message["tool_calls"] = tool_calls
    return {"index": index, "message": message, "finish_reason": reason, "logprobs": None}


def chat_completion(
    completion_id: str, created: int, model: str, choices: list[ChatChoice], usage: ChatUsage
) -> ChatCompletion:
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": choices,
        "usage": usage,
        "system_fingerprint": None,
    }


def chat_chunk(
    completion_id: str,
    created: int,
    model: str,
    choices: list[ChunkChoice],
    *,
    with_usage: bool = False,
    usage: ChatUsage | None = None,
) -> ChatCompletionChunk:
    chunk: ChatCompletionChunk = {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": choices,
        "system_fingerprint": None,
    }
    if with_usage:
        chunk["usage"] = usage
    return chunk


def chunk_choice(index: int, delta: ChunkDelta, reason: str | None = None) -> ChunkChoice:
    return {"index": index, "delta": delta, "finish_reason": reason, "logprobs": None}
