"""Context assembly: which messages of a branch's path reach the model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ChatMessage:
    """One message in provider-neutral form."""

    role: str
    content: str


@dataclass(frozen=True)
class AssembledContext:
    messages: list[ChatMessage]
    context_message_count: int


def assemble_context(system_prompt: str | None, path: Sequence[Any]) -> AssembledContext:
    """The system prompt first, then the branch's visible path in order."""
    messages = [ChatMessage(role="system", content=system_prompt)] if system_prompt else []
    history = [
        ChatMessage(role=message.role, content=message.content)
        for message in path
        if message.deleted_at is None
    ]
    return AssembledContext(messages=messages + history, context_message_count=len(history))
