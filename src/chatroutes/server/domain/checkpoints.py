"""Where checkpoints sit on a path, and when a branch is due for the next one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from .context_assembly import PathMessage, sendable

C = TypeVar("C")


@dataclass(frozen=True)
class SummarySource(Generic[C]):
    """What a new checkpoint at the end of a path summarizes.

    The deepest earlier checkpoint already condenses everything up to its
    anchor, so only the visible messages after it are read again; an excluded
    message is never read (it must not reach a model, a summarizer neither).
    """

    previous: C | None
    turns: list[tuple[str, str]]


def summary_source(path: Sequence[PathMessage], by_anchor: Mapping[str, C]) -> SummarySource[C]:
    """``by_anchor`` maps an anchor message id to the checkpoint to build on there."""
    start, previous = 0, None
    for index, message in enumerate(path):
        if message.id in by_anchor:
            start, previous = index + 1, by_anchor[message.id]
    turns = [(m.role, m.content) for m in path[start:] if sendable(m)]
    return SummarySource(previous=previous, turns=turns)


def messages_since_checkpoint(path: Sequence[PathMessage], anchors: set[str]) -> int:
    """Visible messages after the deepest checkpoint anchored on the path."""
    count = 0
    for message in reversed(path):
        if message.id in anchors:
            break
        if message.deleted_at is None:
            count += 1
    return count


def due_for_checkpoint(path: Sequence[PathMessage], anchors: set[str], interval: int) -> bool:
    """Every ``interval`` messages on a path gets an automatic checkpoint; 0 turns it off."""
    return interval > 0 and messages_since_checkpoint(path, anchors) >= interval


def catch_up_due(uncheckpointed: int, interval: int, factor: float) -> bool:
    """A send carrying ``uncheckpointed`` messages past the last checkpoint has outrun the
    automatic ones (made every ``interval`` messages, after a reply) by ``factor``
    intervals: it must not go out before a checkpoint catches up with it."""
    return interval > 0 and uncheckpointed >= factor * interval
