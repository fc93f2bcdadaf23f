"""Merging a branch into its parent: the body (empty means ``append``) and the answer.

Which strategies take ``messageIds`` is checked by the merge service, so every such
refusal names the field the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Literal, Protocol

from pydantic import Field
from typing_extensions import TypedDict

from .branches import BranchOut, StoredBranch, branch_out
from .common import Id, WireModel
from .messages import MessageOut, StoredMessage, message_out

MergeStrategy = Literal["append", "replace", "cherry-pick"]
# One merge picks at most this many messages; more is a 400, not a huge transaction.
MAX_CHERRY_PICKS = 10_000


class BranchMerge(WireModel):
    strategy: MergeStrategy = "append"
    message_ids: Annotated[list[Id], Field(max_length=MAX_CHERRY_PICKS)] | None = None
    expected_parent_head_message_id: Id | None = None


class MergeOutcome(Protocol):
    """A merge: the parent merged into, the messages it gained, the counts of each branch."""

    @property
    def branch(self) -> StoredBranch: ...
    @property
    def messages(self) -> Sequence[StoredMessage]: ...
    @property
    def merged_branch(self) -> StoredBranch: ...
    @property
    def strategy(self) -> str: ...
    @property
    def preserved_branch(self) -> StoredBranch | None: ...
    @property
    def counts(self) -> Mapping[str, int]: ...


class MergeData(TypedDict):
    """``branch`` is the parent merged into (the official SDK reads ``data.branch``)."""

    branch: BranchOut
    messages: list[MessageOut]
    mergedBranch: BranchOut
    strategy: MergeStrategy
    preservedBranch: BranchOut | None


def merge_data(result: MergeOutcome) -> MergeData:
    counts, preserved = result.counts, result.preserved_branch
    return {
        "branch": branch_out(result.branch, counts.get(result.branch.id, 0)),
        "messages": [message_out(m) for m in result.messages],
        "mergedBranch": branch_out(result.merged_branch, counts.get(result.merged_branch.id, 0)),
        "strategy": result.strategy,  # type: ignore[typeddict-item]  # one of the body's
        "preservedBranch": (
            branch_out(preserved, counts.get(preserved.id, 0)) if preserved else None
        ),
    }
