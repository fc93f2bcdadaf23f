from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from .common import ContextMode, NoNul, WireModel
from .conversations import Title
from .messages import Id

Description = Annotated[str, StringConstraints(max_length=5_000), NoNul]


class BranchCreate(WireModel):
    title: Title | None = None
    description: Description | None = None
    fork_point_message_id: Id | None = None
    base_node_id: Id | None = None
    parent_branch_id: Id | None = None
    context_mode: ContextMode = "FULL"


class BranchFork(WireModel):
    fork_point_message_id: Id
    title: Title | None = None
    description: Description | None = None
    context_mode: ContextMode = "FULL"


class BranchUpdate(WireModel):
    title: Title | None = None
    description: Description | None = None
    context_mode: ContextMode | None = None
    archived: bool | None = None
