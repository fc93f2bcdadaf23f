"""Stored rows in their WIRE.md shapes (camelCase, ISO timestamps with ``Z``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol

from ..domain.hashing import iso_timestamp
from ..store.tables import Branch, Checkpoint, Conversation


def _ts(moment: datetime | None) -> str | None:
    return iso_timestamp(moment) if moment is not None else None


class StoredMessage(Protocol):
    """A stored message as read: a ``Message``, or a row selecting its columns by
    attribute name (``rows.visible_path``, ``rows.messages_of``)."""

    @property
    def id(self) -> str: ...
    @property
    def conversation_id(self) -> str: ...
    @property
    def branch_id(self) -> str: ...
    @property
    def parent_id(self) -> str | None: ...
    @property
    def role(self) -> str: ...
    @property
    def content(self) -> str: ...
    @property
    def model(self) -> str | None: ...
    @property
    def token_count(self) -> int | None: ...
    @property
    def meta(self) -> dict[str, Any]: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def content_hash(self) -> str: ...
    @property
    def deleted_at(self) -> datetime | None: ...
    @property
    def edited_from(self) -> str | None: ...


def message_out(message: StoredMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "conversationId": message.conversation_id,
        "branchId": message.branch_id,
        "parentMessageId": message.parent_id,
        "role": message.role,
        "content": message.content,
        "model": message.model,
        "tokenCount": message.token_count,
        "createdAt": _ts(message.created_at),
        "contentHash": message.content_hash,
        "editedFrom": message.edited_from,
        "metadata": message.meta or {},
    }


def branch_out(branch: Branch, message_count: int = 0) -> dict[str, Any]:
    return {
        "id": branch.id,
        "conversationId": branch.conversation_id,
        "parentBranchId": branch.parent_branch_id,
        "forkPointMessageId": branch.fork_point_message_id,
        "headMessageId": branch.head_message_id,
        "title": branch.title,
        "description": branch.description,
        "contextMode": branch.context_mode,
        "isMain": branch.is_main,
        "isActive": not branch.archived,
        "archived": branch.archived,
        "createdAt": _ts(branch.created_at),
        "updatedAt": _ts(branch.updated_at),
        "messageCount": message_count,
        "checkpointId": branch.checkpoint_id,
    }


def conversation_out(
    conversation: Conversation,
    branches: Iterable[Branch],
    counts: Mapping[str, int],
    total_messages: int,
) -> dict[str, Any]:
    """``counts`` maps branch id to its own visible messages."""
    branch_list = list(branches)
    main = next((b for b in branch_list if b.is_main), None)
    return {
        "id": conversation.id,
        "userId": conversation.user_id,
        "title": conversation.title,
        "model": conversation.model,
        "systemPrompt": conversation.system_prompt,
        "temperature": conversation.temperature,
        "maxTokens": conversation.max_tokens,
        "archived": conversation.archived,
        "channel": conversation.channel,  # the Chat API's label (web, api, slack…), or null
        "createdAt": _ts(conversation.created_at),
        "updatedAt": _ts(conversation.updated_at),
        "messageCount": counts.get(main.id, 0) if main else 0,
        "totalMessages": total_messages,
        "branchCount": len(branch_list),
        "branches": [branch_out(b, counts.get(b.id, 0)) for b in branch_list],
    }


def checkpoint_out(checkpoint: Checkpoint) -> dict[str, Any]:
    """camelCase, plus the snake_case names the official Python SDK's types read."""
    created_at = _ts(checkpoint.created_at)
    return {
        "id": checkpoint.id,
        "conversationId": checkpoint.conversation_id,
        "branchId": checkpoint.branch_id,
        "anchorMessageId": checkpoint.anchor_message_id,
        "checkpointType": checkpoint.checkpoint_type,
        "metadata": checkpoint.meta or {},
        "createdAt": created_at,
        "tokenCount": checkpoint.token_count,
        "summary": checkpoint.summary,
        "summarizer": checkpoint.summarizer,
        "sourceMessageCount": checkpoint.source_message_count,
        "sourceTokenCount": checkpoint.source_token_count,
        "tokensSaved": max(checkpoint.source_token_count - checkpoint.token_count, 0),
        "conversation_id": checkpoint.conversation_id,
        "branch_id": checkpoint.branch_id,
        "anchor_message_id": checkpoint.anchor_message_id,
        "token_count": checkpoint.token_count,
        "created_at": created_at,
    }
