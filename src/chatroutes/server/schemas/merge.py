"""The body of ``POST …/branches/{branchId}/merge``; an empty body means ``append``.

Which strategies take ``messageIds`` is checked by the merge service, so every
such refusal names the field the same way.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .common import WireModel
from .messages import Id

MergeStrategy = Literal["append", "replace", "cherry-pick"]
# One merge picks at most this many messages; more is a 400, not a huge transaction.
MAX_CHERRY_PICKS = 10_000


class BranchMerge(WireModel):
    strategy: MergeStrategy = "append"
    message_ids: Annotated[list[Id], Field(max_length=MAX_CHERRY_PICKS)] | None = None
    expected_parent_head_message_id: Id | None = None
