"""A branch's next send previewed: the prompt it would give the model, counted and priced."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from typing_extensions import TypedDict


class PreviewedContext(Protocol):
    @property
    def prompt_tokens(self) -> int: ...
    @property
    def context_message_count(self) -> int: ...
    @property
    def truncated(self) -> bool: ...
    @property
    def checkpoint_id(self) -> str | None: ...
    @property
    def pinned_ids(self) -> Sequence[str]: ...
    @property
    def excluded_ids(self) -> Sequence[str]: ...


class PreviewedModel(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def context_window(self) -> int: ...
    def cost(self, prompt_tokens: int, completion_tokens: int) -> float | None: ...


class PreviewData(TypedDict):
    """``promptTokens``: what the send's prompt counts, the question included;
    ``estimatedCost``: its price in USD (null: the model has none), the reply not
    included; ``contextWindow``: the model's, in tokens; ``checkpointCatchUp``: the send
    has outrun its branch's automatic checkpoints and writes one first (counted here with
    the summary it would write inline; ``checkpointId`` is null until it exists)."""

    promptTokens: int
    estimatedCost: float | None
    contextMessageCount: int
    checkpointUsed: bool
    checkpointId: str | None
    checkpointCatchUp: bool
    truncated: bool
    contextWindow: int
    model: str
    contextMode: str
    pinnedMessageIds: list[str]
    excludedMessageIds: list[str]


def preview_data(
    context: PreviewedContext, info: PreviewedModel, context_mode: str, *, catch_up: bool
) -> PreviewData:
    return {
        "promptTokens": context.prompt_tokens,
        "estimatedCost": info.cost(context.prompt_tokens, 0),
        "contextMessageCount": context.context_message_count,
        "checkpointUsed": context.checkpoint_id is not None,
        "checkpointId": context.checkpoint_id or None,
        "checkpointCatchUp": catch_up,
        "truncated": context.truncated,
        "contextWindow": info.context_window,
        "model": info.name,
        "contextMode": context_mode,
        "pinnedMessageIds": list(context.pinned_ids),
        "excludedMessageIds": list(context.excluded_ids),
    }
