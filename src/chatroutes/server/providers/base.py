"""What every provider adapter takes and gives, independent of wire protocol."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from ..domain.context import ChatMessage


@dataclass(frozen=True)
class CompletionRequest:
    model: str  # the upstream model id
    messages: list[ChatMessage]
    temperature: float | None
    max_tokens: int


@dataclass(frozen=True)
class Reasoning:
    """A piece of the model's visible thinking, streamed apart from the reply's text."""

    text: str


@dataclass(frozen=True)
class Completion:
    content: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str
    model: str


class Provider(Protocol):
    """A wire protocol bound to one endpoint and credential."""

    name: str

    async def complete(self, request: CompletionRequest) -> Completion: ...

    def stream(self, request: CompletionRequest) -> AsyncIterator[str | Reasoning | Completion]:
        """Text deltas as they arrive, then one final ``Completion`` with the usage.

        Models that expose their thinking interleave ``Reasoning`` pieces; they are
        never part of the ``Completion``'s content.
        """
        ...
