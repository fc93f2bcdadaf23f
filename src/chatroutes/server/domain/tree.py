"""Pure rules of the conversation tree: paths, own messages, placement, shapes.

A branch is a pointer to a head message; its path is the chain of parents from
the head to a root. The messages after the branch's fork point are its own;
the rest is inherited context.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar


class Deletable(Protocol):
    """What ``visible`` reads of a message."""

    @property
    def deleted_at(self) -> Any: ...


class MessageLike(Deletable, Protocol):
    @property
    def id(self) -> str: ...
    @property
    def parent_id(self) -> str | None: ...


M = TypeVar("M", bound=MessageLike)
D = TypeVar("D", bound=Deletable)


def own_part(path: Sequence[M], fork_point_message_id: str | None) -> list[M]:
    """The messages of ``path`` written after the fork point (all when there is none)."""
    if fork_point_message_id is None:
        return list(path)
    for index, message in enumerate(path):
        if message.id == fork_point_message_id:
            return list(path[index + 1 :])
    return list(path)


def visible(messages: Iterable[D]) -> list[D]:
    """Soft-deleted messages stay in the tree but never show or reach a model."""
    return [message for message in messages if message.deleted_at is None]


@dataclass(frozen=True)
class Placement:
    """Where a new message goes: append to ``branch_id`` or fork a new branch."""

    fork: bool
    parent_id: str | None


def place_reply(head_message_id: str | None, parent_message_id: str | None) -> Placement:
    """Sending after a message that is not the head forks a new branch there."""
    if parent_message_id is None or parent_message_id == head_message_id:
        return Placement(fork=False, parent_id=head_message_id)
    return Placement(fork=True, parent_id=parent_message_id)


def message_tree(
    messages: Sequence[Any],
    node: Callable[[Any], dict[str, Any]],
) -> list[dict[str, Any]]:
    """Nest the visible ``messages`` under their nearest visible ancestor; returns the roots.

    A soft-deleted message disappears from the tree but its descendants stay,
    attached one level up.
    """
    by_id = {message.id: message for message in messages}
    nodes: dict[str, dict[str, Any]] = {
        message.id: {**node(message), "children": []}
        for message in messages
        if message.deleted_at is None
    }
    roots: list[dict[str, Any]] = []
    for message in messages:
        if message.id not in nodes:
            continue
        parent_id = message.parent_id
        while parent_id is not None and parent_id not in nodes:
            ancestor = by_id.get(parent_id)
            parent_id = ancestor.parent_id if ancestor is not None else None
        (nodes[parent_id]["children"] if parent_id is not None else roots).append(nodes[message.id])
    return roots


def branch_hierarchy(
    branches: Sequence[Any],
    node: Callable[[Any], dict[str, Any]],
) -> list[dict[str, Any]]:
    """Nest branches under their parent branch: ``{branch, children}`` nodes."""
    nodes: dict[str, dict[str, Any]] = {
        branch.id: {"branch": node(branch), "children": []} for branch in branches
    }
    roots: list[dict[str, Any]] = []
    for branch in branches:
        parent = nodes.get(branch.parent_branch_id) if branch.parent_branch_id else None
        (parent["children"] if parent is not None else roots).append(nodes[branch.id])
    return roots


def tree_depth(roots: Sequence[dict[str, Any]]) -> int:
    """The number of messages on the longest root-to-leaf chain."""
    depth = 0
    stack = [(root, 1) for root in roots]
    while stack:
        current, level = stack.pop()
        depth = max(depth, level)
        stack.extend((child, level + 1) for child in current["children"])
    return depth
