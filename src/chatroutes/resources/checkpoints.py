"""``client.checkpoints``: list, create, delete, recreate."""

from __future__ import annotations

import builtins
from typing import cast

from .._types import Checkpoint, CheckpointCreateRequest, RecreateResult
from ._base import AsyncAPIResource, SyncAPIResource, data_of, item_of, items_of, seg

__all__ = ["AsyncCheckpoints", "Checkpoints"]


def _list_params(branch_id: str | None) -> dict[str, str]:
    return {"branchId": branch_id} if branch_id else {}


def _create_body(branch_id: str, anchor_message_id: str) -> CheckpointCreateRequest:
    return {"branchId": branch_id, "anchorMessageId": anchor_message_id}


class Checkpoints(SyncAPIResource):
    def list(self, conversation_id: str, branch_id: str | None = None) -> builtins.list[Checkpoint]:
        """A conversation's checkpoints, or only those of ``branch_id``."""
        response = self._http.get(
            f"/conversations/{seg(conversation_id)}/checkpoints", params=_list_params(branch_id)
        )
        return cast(builtins.list[Checkpoint], items_of(response, "checkpoints"))

    def create(self, conversation_id: str, branch_id: str, anchor_message_id: str) -> Checkpoint:
        """Summarise the branch's path up to ``anchor_message_id``; later sends use it."""
        response = self._http.post(
            f"/conversations/{seg(conversation_id)}/checkpoints",
            _create_body(branch_id, anchor_message_id),
        )
        return cast(Checkpoint, item_of(response, "checkpoint"))

    def delete(self, checkpoint_id: str) -> None:
        """Delete a checkpoint."""
        self._http.delete(f"/checkpoints/{seg(checkpoint_id)}")

    def recreate(self, checkpoint_id: str) -> Checkpoint:
        """Make a new branch whose context starts from the checkpoint; returns the checkpoint
        (``recreate_branch`` returns the new branch too)."""
        response = self._http.post(f"/checkpoints/{seg(checkpoint_id)}/recreate", {})
        return cast(Checkpoint, item_of(response, "checkpoint"))

    def recreate_branch(self, checkpoint_id: str) -> RecreateResult:
        """Like ``recreate``, returning ``{checkpoint, branch, messages}``."""
        response = self._http.post(f"/checkpoints/{seg(checkpoint_id)}/recreate", {})
        return cast(RecreateResult, data_of(response))


class AsyncCheckpoints(AsyncAPIResource):
    async def list(
        self, conversation_id: str, branch_id: str | None = None
    ) -> builtins.list[Checkpoint]:
        """A conversation's checkpoints, or only those of ``branch_id``."""
        response = await self._http.get(
            f"/conversations/{seg(conversation_id)}/checkpoints", params=_list_params(branch_id)
        )
        return cast(builtins.list[Checkpoint], items_of(response, "checkpoints"))

    async def create(
        self, conversation_id: str, branch_id: str, anchor_message_id: str
    ) -> Checkpoint:
        """Summarise the branch's path up to ``anchor_message_id``; later sends use it."""
        response = await self._http.post(
            f"/conversations/{seg(conversation_id)}/checkpoints",
            _create_body(branch_id, anchor_message_id),
        )
        return cast(Checkpoint, item_of(response, "checkpoint"))

    async def delete(self, checkpoint_id: str) -> None:
        """Delete a checkpoint."""
        await self._http.delete(f"/checkpoints/{seg(checkpoint_id)}")

    async def recreate(self, checkpoint_id: str) -> Checkpoint:
        """Make a new branch whose context starts from the checkpoint; returns the checkpoint."""
        response = await self._http.post(f"/checkpoints/{seg(checkpoint_id)}/recreate", {})
        return cast(Checkpoint, item_of(response, "checkpoint"))

    async def recreate_branch(self, checkpoint_id: str) -> RecreateResult:
        """Like ``recreate``, returning ``{checkpoint, branch, messages}``."""
        response = await self._http.post(f"/checkpoints/{seg(checkpoint_id)}/recreate", {})
        return cast(RecreateResult, data_of(response))
