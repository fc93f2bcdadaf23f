"""A conversation's tree on the wire: the union of the three shapes clients read (WIRE.md).

``{conversation, mainBranch, branches, tree, metadata}``: ``branches`` nests the branch
hierarchy (``{branch: {<Branch>, _count: {messages}}, children}``), ``tree`` the visible
messages under a root named for the conversation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, Protocol, cast

from typing_extensions import TypedDict

from ..domain import tree
from ..domain.hashing import iso_timestamp
from .branches import BranchOut, StoredBranch, branch_out
from .common import Timestamp
from .conversations import ConversationOut, StoredConversation, conversation_out
from .messages import StoredMessage


class CountedBranch(BranchOut):
    _count: dict[str, int]


class BranchNode(TypedDict):
    branch: CountedBranch
    children: list[BranchNode]


class BranchInfo(TypedDict):
    branchId: str
    branchTitle: str | None
    isMain: bool


class MessageBranchInfo(BranchInfo):
    headOf: list[str]


class MessageNode(TypedDict):
    id: str
    role: str
    content: str
    model: str | None
    parentMessageId: str | None
    createdAt: Timestamp
    pinned: bool
    excluded: bool
    branchInfo: MessageBranchInfo
    children: list[MessageNode]


class TreeRoot(TypedDict):
    id: str
    role: Literal["root"]
    content: str
    children: list[MessageNode]
    branchInfo: BranchInfo


class TreeMetadata(TypedDict):
    totalNodes: int
    totalBranches: int
    maxDepth: int


class TreeData(TypedDict):
    conversation: ConversationOut
    mainBranch: BranchOut
    branches: list[BranchNode]
    tree: TreeRoot
    metadata: TreeMetadata


class ConversationTree(Protocol):
    """A conversation, its branches with their own visible message counts, and every
    message (soft-deleted ones included)."""

    @property
    def conversation(self) -> StoredConversation: ...
    @property
    def branches(self) -> Sequence[StoredBranch]: ...
    @property
    def counts(self) -> Mapping[str, int]: ...
    @property
    def messages(self) -> Sequence[StoredMessage]: ...


def counted_branch(branch: StoredBranch, message_count: int) -> CountedBranch:
    return {**branch_out(branch, message_count), "_count": {"messages": message_count}}


def tree_data(view: ConversationTree) -> TreeData:
    branches = {b.id: b for b in view.branches}
    heads: dict[str, list[str]] = {}
    for branch in view.branches:
        if branch.head_message_id:
            heads.setdefault(branch.head_message_id, []).append(branch.id)

    def node(message: StoredMessage) -> dict[str, Any]:
        """A message node without its ``children`` (the tree adds them)."""
        home = branches.get(message.branch_id)
        return {
            "id": message.id,
            "role": message.role,
            "content": message.content,
            "model": message.model,
            "parentMessageId": message.parent_id,
            "createdAt": iso_timestamp(message.created_at),
            "pinned": bool(message.pinned),
            "excluded": bool(message.excluded),
            "branchInfo": {
                "branchId": message.branch_id,
                "branchTitle": home.title if home else None,
                "isMain": bool(home and home.is_main),
                "headOf": heads.get(message.id, []),
            },
        }

    roots = tree.message_tree(view.messages, node)
    hierarchy = tree.branch_hierarchy(
        view.branches,
        lambda b: cast(dict[str, Any], counted_branch(b, view.counts.get(b.id, 0))),
    )
    main = next(b for b in view.branches if b.is_main)
    visible = tree.visible(view.messages)
    return {
        "conversation": conversation_out(
            view.conversation, view.branches, view.counts, len(visible)
        ),
        "mainBranch": branch_out(main, view.counts.get(main.id, 0)),
        "branches": cast(list[BranchNode], hierarchy),
        "tree": {
            "id": view.conversation.id,
            "role": "root",
            "content": view.conversation.title,
            "children": cast(list[MessageNode], roots),
            "branchInfo": {"branchId": main.id, "branchTitle": main.title, "isMain": True},
        },
        "metadata": {
            "totalNodes": len(visible),
            "totalBranches": len(view.branches),
            "maxDepth": tree.tree_depth(roots),
        },
    }
