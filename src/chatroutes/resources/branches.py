"""``client.branches``: list, create, fork, update, delete, messages, send, stream, merge,
preview."""

from __future__ import annotations

import builtins
from collections.abc import Coroutine
from typing import Any, cast, overload

from .._streaming import AsyncMessageStream, MessageStream
from .._types import (
    Branch,
    ContextMode,
    CreateBranchRequest,
    ForkConversationRequest,
    MergeStrategy,
    Message,
    SendMessageRequest,
    SendPreview,
)
from ._base import AsyncAPIResource, SyncAPIResource, data_of, item_of, items_of, seg
from .messages import OnChunk, OnComplete, _async_stream, _sync_stream, stream_path

__all__ = ["AsyncBranches", "Branches"]


def _base(conversation_id: str) -> str:
    return f"/conversations/{seg(conversation_id)}"


def _merge_body(strategy: MergeStrategy | None, message_ids: list[str] | None) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if strategy is not None:
        body["strategy"] = strategy
    if message_ids is not None:
        body["messageIds"] = list(message_ids)
    return body


def _preview_params(
    model: str | None,
    context_mode: ContextMode | None,
    fork_point_message_id: str | None,
    content: str | None,
    max_tokens: int | None,
) -> dict[str, Any]:
    given = {
        "model": model,
        "contextMode": context_mode,
        "forkPointMessageId": fork_point_message_id,
        "content": content,
        "maxTokens": max_tokens,
    }
    return {name: value for name, value in given.items() if value is not None}


class Branches(SyncAPIResource):
    def list(self, conversation_id: str) -> builtins.list[Branch]:
        """Every branch of a conversation, the main one included."""
        response = self._http.get(f"{_base(conversation_id)}/branches")
        return cast(builtins.list[Branch], items_of(response, "branches"))

    def create(self, conversation_id: str, data: CreateBranchRequest) -> Branch:
        """A new branch forked at ``baseNodeId``/``forkPointMessageId`` (or the main head)."""
        response = self._http.post(f"{_base(conversation_id)}/branches", data)
        return cast(Branch, item_of(response, "branch"))

    def fork(self, conversation_id: str, data: ForkConversationRequest) -> Branch:
        """A new branch forked at ``forkPointMessageId``."""
        response = self._http.post(f"{_base(conversation_id)}/fork", data)
        return cast(Branch, item_of(response, "branch"))

    def update(self, conversation_id: str, branch_id: str, data: dict[str, Any]) -> Branch:
        """Change a branch's title, description, contextMode or archived flag."""
        response = self._http.patch(f"{_base(conversation_id)}/branches/{seg(branch_id)}", data)
        return cast(Branch, item_of(response, "branch"))

    def delete(self, conversation_id: str, branch_id: str) -> None:
        """Delete a branch (never the main one)."""
        self._http.delete(f"{_base(conversation_id)}/branches/{seg(branch_id)}")

    def get_messages(self, conversation_id: str, branch_id: str) -> builtins.list[Message]:
        """The branch's path: inherited context up to the fork point, then its own."""
        response = self._http.get(f"{_base(conversation_id)}/branches/{seg(branch_id)}/messages")
        return cast(builtins.list[Message], items_of(response, "messages"))

    def send_message(
        self, conversation_id: str, branch_id: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        """Send on a branch; the same result as ``messages.send``."""
        response = self._http.post(
            f"{_base(conversation_id)}/branches/{seg(branch_id)}/messages", data
        )
        return cast(dict[str, Any], data_of(response))

    @overload
    def stream(
        self,
        conversation_id: str,
        branch_id: str,
        data: SendMessageRequest,
        on_chunk: OnChunk,
        on_complete: OnComplete | None = None,
    ) -> None: ...
    @overload
    def stream(
        self,
        conversation_id: str,
        branch_id: str,
        data: SendMessageRequest,
        on_chunk: None = None,
        *,
        on_complete: OnComplete,
    ) -> None: ...
    @overload
    def stream(
        self,
        conversation_id: str,
        branch_id: str,
        data: SendMessageRequest,
        on_chunk: None = None,
        on_complete: None = None,
    ) -> MessageStream: ...
    def stream(
        self,
        conversation_id: str,
        branch_id: str,
        data: SendMessageRequest,
        on_chunk: OnChunk | None = None,
        on_complete: OnComplete | None = None,
    ) -> MessageStream | None:
        """Send on a branch and stream the reply, as ``messages.stream`` does."""
        path = stream_path(conversation_id, branch_id)
        return _sync_stream(self, path, data, on_chunk, on_complete)

    def merge(
        self,
        conversation_id: str,
        branch_id: str,
        strategy: MergeStrategy | None = None,
        message_ids: builtins.list[str] | None = None,
    ) -> Branch:
        """Merge a branch into its parent; returns the parent branch.

        ``strategy``: ``append`` (default: the branch's own messages go after the parent's
        head), ``replace`` or ``cherry-pick`` (only ``message_ids``).
        """
        response = self._http.post(
            f"{_base(conversation_id)}/branches/{seg(branch_id)}/merge",
            _merge_body(strategy, message_ids),
        )
        return cast(Branch, item_of(response, "branch"))

    def preview(
        self,
        conversation_id: str,
        branch_id: str,
        *,
        model: str | None = None,
        context_mode: ContextMode | None = None,
        fork_point_message_id: str | None = None,
        content: str | None = None,
        max_tokens: int | None = None,
    ) -> SendPreview:
        """The next send on a branch counted and priced before it is made; nothing is sent.

        ``content``: the message about to be sent (counted as its question); ``model`` and
        ``context_mode``: as the send would use them (default: the conversation's model,
        the branch's mode); ``fork_point_message_id``: the first send of a branch forked
        there with ``context_mode`` instead; ``max_tokens``: the send's (default: the
        conversation's), the room kept for its reply. ``promptTokens`` is what the send's
        prompt then counts.
        """
        response = self._http.get(
            f"{_base(conversation_id)}/branches/{seg(branch_id)}/preview",
            params=_preview_params(model, context_mode, fork_point_message_id, content, max_tokens),
        )
        return cast(SendPreview, data_of(response))


class AsyncBranches(AsyncAPIResource):
    async def list(self, conversation_id: str) -> builtins.list[Branch]:
        """Every branch of a conversation, the main one included."""
        response = await self._http.get(f"{_base(conversation_id)}/branches")
        return cast(builtins.list[Branch], items_of(response, "branches"))

    async def create(self, conversation_id: str, data: CreateBranchRequest) -> Branch:
        """A new branch forked at ``baseNodeId``/``forkPointMessageId`` (or the main head)."""
        response = await self._http.post(f"{_base(conversation_id)}/branches", data)
        return cast(Branch, item_of(response, "branch"))

    async def fork(self, conversation_id: str, data: ForkConversationRequest) -> Branch:
        """A new branch forked at ``forkPointMessageId``."""
        response = await self._http.post(f"{_base(conversation_id)}/fork", data)
        return cast(Branch, item_of(response, "branch"))

    async def update(self, conversation_id: str, branch_id: str, data: dict[str, Any]) -> Branch:
        """Change a branch's title, description, contextMode or archived flag."""
        response = await self._http.patch(
            f"{_base(conversation_id)}/branches/{seg(branch_id)}", data
        )
        return cast(Branch, item_of(response, "branch"))

    async def delete(self, conversation_id: str, branch_id: str) -> None:
        """Delete a branch (never the main one)."""
        await self._http.delete(f"{_base(conversation_id)}/branches/{seg(branch_id)}")

    async def get_messages(self, conversation_id: str, branch_id: str) -> builtins.list[Message]:
        """The branch's path: inherited context up to the fork point, then its own."""
        response = await self._http.get(
            f"{_base(conversation_id)}/branches/{seg(branch_id)}/messages"
        )
        return cast(builtins.list[Message], items_of(response, "messages"))

    async def send_message(
        self, conversation_id: str, branch_id: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        """Send on a branch; the same result as ``messages.send``."""
        response = await self._http.post(
            f"{_base(conversation_id)}/branches/{seg(branch_id)}/messages", data
        )
        return cast(dict[str, Any], data_of(response))

    @overload
    def stream(
        self,
        conversation_id: str,
        branch_id: str,
        data: SendMessageRequest,
        on_chunk: OnChunk,
        on_complete: OnComplete | None = None,
    ) -> Coroutine[Any, Any, None]: ...
    @overload
    def stream(
        self,
        conversation_id: str,
        branch_id: str,
        data: SendMessageRequest,
        on_chunk: None = None,
        *,
        on_complete: OnComplete,
    ) -> Coroutine[Any, Any, None]: ...
    @overload
    def stream(
        self,
        conversation_id: str,
        branch_id: str,
        data: SendMessageRequest,
        on_chunk: None = None,
        on_complete: None = None,
    ) -> AsyncMessageStream: ...
    def stream(
        self,
        conversation_id: str,
        branch_id: str,
        data: SendMessageRequest,
        on_chunk: OnChunk | None = None,
        on_complete: OnComplete | None = None,
    ) -> AsyncMessageStream | Coroutine[Any, Any, None]:
        """Send on a branch and stream the reply, as ``AsyncMessages.stream`` does."""
        path = stream_path(conversation_id, branch_id)
        return _async_stream(self, path, data, on_chunk, on_complete)

    async def merge(
        self,
        conversation_id: str,
        branch_id: str,
        strategy: MergeStrategy | None = None,
        message_ids: builtins.list[str] | None = None,
    ) -> Branch:
        """Merge a branch into its parent; returns the parent branch (see ``Branches.merge``)."""
        response = await self._http.post(
            f"{_base(conversation_id)}/branches/{seg(branch_id)}/merge",
            _merge_body(strategy, message_ids),
        )
        return cast(Branch, item_of(response, "branch"))

    async def preview(
        self,
        conversation_id: str,
        branch_id: str,
        *,
        model: str | None = None,
        context_mode: ContextMode | None = None,
        fork_point_message_id: str | None = None,
        content: str | None = None,
        max_tokens: int | None = None,
    ) -> SendPreview:
        """The next send on a branch counted and priced before it is made; nothing is sent.

        ``content``: the message about to be sent (counted as its question); ``model`` and
        ``context_mode``: as the send would use them (default: the conversation's model,
        the branch's mode); ``fork_point_message_id``: the first send of a branch forked
        there with ``context_mode`` instead; ``max_tokens``: the send's (default: the
        conversation's), the room kept for its reply. ``promptTokens`` is what the send's
        prompt then counts.
        """
        response = await self._http.get(
            f"{_base(conversation_id)}/branches/{seg(branch_id)}/preview",
            params=_preview_params(model, context_mode, fork_point_message_id, content, max_tokens),
        )
        return cast(SendPreview, data_of(response))
