"""What every provider adapter takes and gives, independent of wire protocol."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol

from ..domain.context_assembly import ChatMessage, ToolCall
from ..domain.errors import ProviderUnavailable


@dataclass(frozen=True)
class Tool:
    """A function the model may call: its name, what it does, its JSON-schema parameters."""

    name: str
    description: str
    parameters: dict[str, Any]


@dataclass(frozen=True)
class ToolRound:
    """A model turn that called tools, and the tools' answers, sent back on the next call.

    ``blocks`` is the turn as the protocol sent it, where it must be returned unchanged
    (Anthropic's thinking blocks carry signatures); empty, the turn is rebuilt from
    ``text`` and ``calls``.
    """

    text: str
    calls: tuple[ToolCall, ...]
    results: tuple[str, ...]  # one per call, in order
    blocks: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class Sampling:
    """What a caller may ask of the sampling beyond temperature and length, as OpenAI's
    Chat Completions names it; each protocol sends what it has an equivalent for
    (Anthropic: ``top_p``, ``stop_sequences``, ``metadata.user_id``; no seed, response
    format, penalties nor reasoning effort)."""

    top_p: float | None = None
    stop: tuple[str, ...] = ()
    seed: int | None = None
    response_format: dict[str, Any] | None = None  # {"type": "json_object" | "json_schema"…}
    user: str | None = None  # the caller's end user, for the upstream's abuse checks
    parallel_tool_calls: bool | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    reasoning_effort: str | None = None


NO_SAMPLING = Sampling()


@dataclass(frozen=True)
class CompletionRequest:
    model: str  # the upstream model id
    messages: list[ChatMessage]
    temperature: float | None
    max_tokens: int
    tools: tuple[Tool, ...] = ()
    # "auto"; "none": the tools stay defined but may not be called; "required": one must
    # be; or the name of the one tool that must be called
    tool_choice: str = "auto"
    tool_rounds: tuple[ToolRound, ...] = ()  # after ``messages``, oldest first
    thinking_budget: int | None = None  # tokens to think before answering, on top of max_tokens
    sampling: Sampling = NO_SAMPLING


@dataclass(frozen=True)
class Reasoning:
    """A piece of the model's visible thinking, streamed apart from the reply's text."""

    text: str


@dataclass(frozen=True)
class Status:
    """A note on what the server is doing for the reply (a web search…), not part of it."""

    text: str


@dataclass(frozen=True)
class Completion:
    content: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str
    model: str
    tool_calls: tuple[ToolCall, ...] = ()  # the model asks for these before it answers
    blocks: tuple[dict[str, Any], ...] = ()  # the turn as sent, when it called tools


class StreamCut(ProviderUnavailable):
    """The upstream ended a stream without its terminal event: the reply is incomplete.

    ``partial`` is what had arrived: its text, its model, and the usage as far as the
    upstream reported it (0 where it did not). Before any text reached the client it is
    retried like any unavailability; after, the text so far is kept as a failed reply.
    """

    def __init__(self, provider: str, partial: Completion) -> None:
        super().__init__(
            f"{provider} ended the stream before the reply was finished",
            details={"provider": provider},
        )
        self.partial = partial


class ToolCallBuilder:
    """A streamed tool call, put together from its pieces."""

    def __init__(self, call_id: str = "", name: str = "") -> None:
        self.id = call_id
        self.name = name
        self.arguments: list[str] = []  # JSON text, in fragments

    def build(self) -> ToolCall:
        return ToolCall(self.id, self.name, parse_arguments("".join(self.arguments)))


def parse_arguments(text: str) -> dict[str, Any]:
    """A tool call's JSON arguments; what is not a JSON object counts as none."""
    try:
        value = json.loads(text) if text.strip() else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


class Provider(Protocol):
    """A wire protocol bound to one endpoint and credential."""

    name: str

    async def complete(self, request: CompletionRequest) -> Completion: ...

    def stream(
        self, request: CompletionRequest
    ) -> AsyncIterator[str | Reasoning | Status | Completion]:
        """Text deltas as they arrive, then one final ``Completion`` with the usage.

        A stream the upstream ends without its terminal event raises ``StreamCut``
        instead of that ``Completion``.

        Models that expose their thinking interleave ``Reasoning`` pieces; they are
        never part of the ``Completion``'s content. ``Status`` notes come from the
        server's own work between model calls (tools), never from an upstream.
        """
        ...
