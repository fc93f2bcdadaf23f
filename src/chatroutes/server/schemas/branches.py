"""Branches on the wire: the create, fork and update bodies, and the Branch shape."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Protocol

from pydantic import StringConstraints
from typing_extensions import TypedDict

from ..domain.hashing import iso_timestamp
from .budgets import BudgetOut, BudgetSet, SpentOut, StoredBudget, budget_out, spent_out
from .common import ContextMode, Id, NoNul, Timestamp, Title, WireModel

Description = Annotated[str, StringConstraints(max_length=5_000), NoNul]


class BranchCreate(WireModel):
    title: Title | None = None
    description: Description | None = None
    fork_point_message_id: Id | None = None
    base_node_id: Id | None = None
    parent_branch_id: Id | None = None
    context_mode: ContextMode = "FULL"
    budget: BudgetSet | None = None  # the new branch's own


class BranchFork(WireModel):
    fork_point_message_id: Id
    title: Title | None = None
    description: Description | None = None
    context_mode: ContextMode = "FULL"
    budget: BudgetSet | None = None  # the new branch's own


class BranchUpdate(WireModel):
    title: Title | None = None
    description: Description | None = None
    context_mode: ContextMode | None = None
    archived: bool | None = None
    budget: BudgetSet | None = None  # null: removed


class StoredBranch(StoredBudget, Protocol):
    """A stored branch as read (a ``Branch`` row)."""

    @property
    def id(self) -> str: ...
    @property
    def conversation_id(self) -> str: ...
    @property
    def parent_branch_id(self) -> str | None: ...
    @property
    def fork_point_message_id(self) -> str | None: ...
    @property
    def head_message_id(self) -> str | None: ...
    @property
    def title(self) -> str: ...
    @property
    def description(self) -> str | None: ...
    @property
    def context_mode(self) -> str: ...
    @property
    def is_main(self) -> bool: ...
    @property
    def archived(self) -> bool: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def checkpoint_id(self) -> str | None: ...


class BranchOut(TypedDict):
    id: str
    conversationId: str
    parentBranchId: str | None
    forkPointMessageId: str | None
    headMessageId: str | None
    title: str
    description: str | None
    contextMode: ContextMode
    isMain: bool
    isActive: bool
    archived: bool
    createdAt: Timestamp
    updatedAt: Timestamp
    messageCount: int
    checkpointId: str | None
    budget: BudgetOut | None
    spent: SpentOut


def branch_out(branch: StoredBranch, message_count: int = 0) -> BranchOut:
    """``message_count``: the branch's own visible messages."""
    return {
        "id": branch.id,
        "conversationId": branch.conversation_id,
        "parentBranchId": branch.parent_branch_id,
        "forkPointMessageId": branch.fork_point_message_id,
        "headMessageId": branch.head_message_id,
        "title": branch.title,
        "description": branch.description,
        "contextMode": branch.context_mode,  # type: ignore[typeddict-item]  # stored valid
        "isMain": branch.is_main,
        "isActive": not branch.archived,
        "archived": branch.archived,
        "createdAt": iso_timestamp(branch.created_at),
        "updatedAt": iso_timestamp(branch.updated_at),
        "messageCount": message_count,
        "checkpointId": branch.checkpoint_id,
        "budget": budget_out(branch),
        "spent": spent_out(branch),
    }


class BranchData(TypedDict):
    branch: BranchOut


def branch_data(branch: BranchOut) -> BranchData:
    return {"branch": branch}


class BranchList(TypedDict):
    branches: list[BranchOut]


def branch_list(branches: list[BranchOut]) -> BranchList:
    return {"branches": branches}
