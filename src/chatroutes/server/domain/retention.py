"""Which soft-deleted messages may be purged without breaking a tree (pure).

A soft-deleted message stays in the tree: a live message may still hang below
it, a branch may point at it. Only the expired deleted messages that nothing
kept needs are purgeable: not referenced from outside the messages (heads, fork
points, checkpoint anchors…), not an ancestor of a kept message, not the
original an edit of a kept message points at.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Node:
    id: str
    parent_id: str | None
    edited_from: str | None
    expired: bool  # soft-deleted before the retention cutoff


def purgeable(nodes: Iterable[Node], referenced: set[str]) -> set[str]:
    by_id = {node.id: node for node in nodes}
    kept = {node.id for node in by_id.values() if not node.expired} | referenced
    pending = list(kept)
    while pending:
        node = by_id.get(pending.pop())
        if node is None:
            continue
        for needed in (node.parent_id, node.edited_from):
            if needed is not None and needed not in kept:
                kept.add(needed)
                pending.append(needed)
    return {node.id for node in by_id.values() if node.expired and node.id not in kept}
