"""A model that needs no network: it answers from the conversation itself.

It exists so that a fresh server works before any provider key is set. Its
replies say plainly that they are not from a language model.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

from ..domain.tokens import estimate_tokens
from .base import Completion, CompletionRequest

OFFLINE_MODEL = "chatroutes-offline"
_QUOTE_CHARS = 280


def offline_reply(request: CompletionRequest) -> str:
    turns = [m for m in request.messages if m.role != "system"]
    last = turns[-1].content.strip() if turns else ""
    quoted = last if len(last) <= _QUOTE_CHARS else last[:_QUOTE_CHARS].rstrip() + "…"
    user_turns = sum(1 for m in turns if m.role == "user")
    return (
        f"[{OFFLINE_MODEL}] No language model is configured on this server, so this reply "
        f"was written locally. This branch holds {user_turns} user message(s); the latest "
        f'one says: "{quoted}". Set OPENAI_API_KEY or ANTHROPIC_API_KEY (or add a provider '
        "to the models file) to talk to a real model."
    )


class OfflineProvider:
    name = "offline"

    async def stream(self, request: CompletionRequest) -> AsyncIterator[str | Completion]:
        completion = await self.complete(request)
        for piece in re.findall(r"\S+\s*", completion.content):
            yield piece
        yield completion

    async def complete(self, request: CompletionRequest) -> Completion:
        content = offline_reply(request)
        return Completion(
            content=content,
            prompt_tokens=sum(estimate_tokens(m.content) for m in request.messages),
            completion_tokens=estimate_tokens(content),
            finish_reason="stop",
            model=OFFLINE_MODEL,
        )
