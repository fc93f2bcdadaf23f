"""Context assembly: which messages of a branch's path reach the model.

Pure: given the path, the branch's context mode, the checkpoints anchored on
the path and a token budget, it decides what the provider receives.

0. An excluded message is never sent nor counted, as if it were deleted.
1. The context mode picks a window of the visible path: FULL takes it all,
   PARTIAL the last N inherited messages and the branch's own, MINIMAL the
   fork-point message and the branch's own, NONE only the branch's own.
2. The deepest checkpoint anchored inside that window replaces everything up
   to its anchor with its summary.
3. A pinned message is sent whatever the mode and the checkpoint left out,
   in its place on the path (after the summary when the summary covers it).
4. Over the budget, the oldest turns go first; the system prompt, the summary,
   the pinned messages and the newest message always stay.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from .tokens import estimate_tokens

CONTEXT_MODES = ("FULL", "PARTIAL", "MINIMAL", "NONE")
# What a chat format adds around each message (role markers), as OpenAI counts it.
MESSAGE_OVERHEAD_TOKENS = 4
SUMMARY_HEADING = "Summary of the earlier conversation:"


@dataclass(frozen=True)
class ImagePart:
    """An image sent with a message: its MIME type and base64 data, or (``url`` set, the
    other two empty) an address the provider fetches it from."""

    mime_type: str
    data: str
    url: str | None = None


@dataclass(frozen=True)
class ToolCall:
    """A model's call of a tool: its id, the tool's name, its arguments."""

    id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class ChatMessage:
    """One message in provider-neutral form.

    A caller that gives its whole context (the OpenAI-compatible Chat Completions) may
    send an assistant turn that called tools (``tool_calls``) and each tool's answer
    (role ``tool``, ``tool_call_id`` naming the call).
    """

    role: str
    content: str
    images: tuple[ImagePart, ...] = ()  # for vision models; each adapter has its own format
    # The stored message it came from (None: a system prompt, a summary); not sent.
    source_id: str | None = field(default=None, compare=False)
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None


class PathMessage(Protocol):
    """What assembly reads of a stored message."""

    @property
    def id(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def content(self) -> str: ...
    @property
    def token_count(self) -> int | None: ...
    @property
    def deleted_at(self) -> datetime | None: ...
    @property
    def pinned(self) -> bool: ...
    @property
    def excluded(self) -> bool: ...


def sendable(message: PathMessage) -> bool:
    """Whether a path message may reach a model: neither deleted nor excluded."""
    return message.deleted_at is None and not message.excluded


@dataclass(frozen=True)
class CheckpointSummary:
    id: str
    anchor_message_id: str
    summary: str
    token_count: int


@dataclass(frozen=True)
class ContextPolicy:
    mode: str = "FULL"
    partial_messages: int = 10
    prompt_budget: int | None = None  # tokens the prompt may take; None: no limit


@dataclass(frozen=True)
class AssembledContext:
    messages: list[ChatMessage]
    context_message_count: int  # path messages sent; a summary is not one of them
    prompt_tokens: int  # an estimate; the provider's report is the truth
    truncated: bool
    checkpoint_id: str | None
    pinned_ids: tuple[str, ...] = ()  # the pinned path messages sent (all of them)
    excluded_ids: tuple[str, ...] = ()  # the excluded path messages left out

    @property
    def checkpoint_used(self) -> bool:
        return self.checkpoint_id is not None


def prompt_estimate(
    messages: list[ChatMessage], count_tokens: Callable[[str], int] = estimate_tokens
) -> int:
    """The tokens a prompt of ``messages`` is estimated at, counted as a send's context is."""
    return sum(MESSAGE_OVERHEAD_TOKENS + count_tokens(m.content) for m in messages)


def assemble_context(
    system_prompt: str | None,
    path: Sequence[PathMessage],
    *,
    fork_point_id: str | None = None,
    checkpoints: Sequence[CheckpointSummary] = (),
    policy: ContextPolicy = ContextPolicy(),
    count_tokens: Callable[[str], int] = estimate_tokens,
) -> AssembledContext:
    """The provider messages for a branch whose path (root first) is ``path``."""
    positions = {message.id: index for index, message in enumerate(path)}
    window = _mode_window(path, positions.get(fork_point_id) if fork_point_id else None, policy)

    checkpoint = _deepest_checkpoint(checkpoints, positions, window)
    if checkpoint is not None:
        anchor = positions[checkpoint.anchor_message_id]
        window = [index for index in window if index > anchor]
    pins = [index for index, message in enumerate(path) if message.pinned and sendable(message)]
    selected = sorted({*window, *pins})

    def cost(message: PathMessage) -> int:
        counted = message.token_count
        return MESSAGE_OVERHEAD_TOKENS + (
            counted if counted is not None else count_tokens(message.content)
        )

    lead: list[ChatMessage] = []
    lead_tokens = 0
    if system_prompt:
        lead.append(ChatMessage("system", system_prompt))
        lead_tokens += MESSAGE_OVERHEAD_TOKENS + count_tokens(system_prompt)
    if checkpoint is not None:
        lead.append(ChatMessage("system", f"{SUMMARY_HEADING}\n{checkpoint.summary}"))
        # the summary's count was stored with it: a long summary is not counted again
        heading = count_tokens(f"{SUMMARY_HEADING}\n")
        lead_tokens += MESSAGE_OVERHEAD_TOKENS + heading + checkpoint.token_count

    costs = {index: cost(path[index]) for index in selected}
    kept, truncated = _within_budget(
        path, selected, costs, policy.prompt_budget, lead_tokens, frozenset(pins)
    )
    total = lead_tokens + sum(costs[index] for index in kept)
    sent = [path[index] for index in kept]
    return AssembledContext(
        messages=lead + [ChatMessage(m.role, m.content, source_id=m.id) for m in sent],
        context_message_count=len(sent),
        prompt_tokens=total,
        truncated=truncated,
        checkpoint_id=checkpoint.id if checkpoint is not None else None,
        pinned_ids=tuple(path[index].id for index in pins),
        excluded_ids=tuple(m.id for m in path if m.excluded and m.deleted_at is None),
    )


def _within_budget(
    path: Sequence[PathMessage],
    selected: list[int],
    costs: dict[int, int],
    budget: int | None,
    lead_tokens: int,
    pinned: frozenset[int],
) -> tuple[list[int], bool]:
    """The ``selected`` path indexes (``costs`` by index) that fit ``budget`` after the
    lead's tokens, oldest turns dropped first (never a pinned message nor the newest), and
    whether any was dropped."""
    total = lead_tokens + sum(costs.values())
    if budget is None or total <= budget:
        return selected, False
    droppable = [index for index in selected[:-1] if index not in pinned]
    dropped: set[int] = set()
    position = 0
    while total > budget and position < len(droppable):
        total -= costs[droppable[position]]
        dropped.add(droppable[position])
        position += 1
        # A turn goes whole: never open on a reply whose question was dropped.
        while position < len(droppable) and path[droppable[position]].role == "assistant":
            total -= costs[droppable[position]]
            dropped.add(droppable[position])
            position += 1
    return [index for index in selected if index not in dropped], bool(dropped)


def _mode_window(
    path: Sequence[PathMessage], fork_index: int | None, policy: ContextPolicy
) -> list[int]:
    """Indexes of the sendable path messages the branch's context mode admits."""
    visible = [index for index, message in enumerate(path) if sendable(message)]
    if fork_index is None or policy.mode == "FULL":
        return visible
    inherited = [index for index in visible if index <= fork_index]
    own = [index for index in visible if index > fork_index]
    if policy.mode == "PARTIAL":
        keep = policy.partial_messages
        return (inherited[-keep:] if keep > 0 else []) + own
    if policy.mode == "MINIMAL":
        return inherited[-1:] + own
    if policy.mode == "NONE":
        return own
    raise ValueError(f"unknown context mode {policy.mode!r}")


def _deepest_checkpoint(
    checkpoints: Sequence[CheckpointSummary], positions: dict[str, int], window: list[int]
) -> CheckpointSummary | None:
    """The checkpoint anchored deepest within the window; the latest made wins a tie.

    An anchor before the window's first message would summarize what the
    context mode chose to leave out, and one on its last message would leave
    the model nothing to answer: neither is used.
    """
    if not window:
        return None
    best: CheckpointSummary | None = None
    best_position = window[0] - 1
    for checkpoint in checkpoints:
        position = positions.get(checkpoint.anchor_message_id)
        if (
            position is not None
            and window[0] <= position < window[-1]
            and position >= best_position
        ):
            best, best_position = checkpoint, position
    return best
