"""Checkpoints on the wire: the create body, the Checkpoint shape, a recreation's answer."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import field_validator
from typing_extensions import TypedDict

from ..domain.hashing import iso_timestamp
from .branches import BranchOut, StoredBranch, branch_out
from .common import Id, Timestamp, WireModel
from .messages import MessageOut, StoredMessage, message_out

MAX_METADATA_CHARS = 16_384


class CheckpointCreate(WireModel):
    branch_id: Id
    anchor_message_id: Id
    metadata: dict[str, Any] | None = None

    @field_validator("metadata")
    @classmethod
    def _small_and_nul_free(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return None
        if len(json.dumps(value)) > MAX_METADATA_CHARS:
            raise ValueError(f"must be at most {MAX_METADATA_CHARS} characters as JSON")
        if _has_nul(value):
            raise ValueError("must not contain NUL (\\u0000) characters")
        return value


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


class StoredCheckpoint(Protocol):
    """A stored checkpoint as read (a ``Checkpoint`` row)."""

    @property
    def id(self) -> str: ...
    @property
    def conversation_id(self) -> str: ...
    @property
    def branch_id(self) -> str: ...
    @property
    def anchor_message_id(self) -> str: ...
    @property
    def checkpoint_type(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def token_count(self) -> int: ...
    @property
    def source_message_count(self) -> int: ...
    @property
    def source_token_count(self) -> int: ...
    @property
    def summarizer(self) -> str: ...
    @property
    def meta(self) -> dict[str, Any]: ...
    @property
    def created_at(self) -> datetime: ...


CheckpointType = Literal["manual", "auto"]


class CheckpointOut(TypedDict):
    """camelCase, plus the snake_case names the official Python SDK's types read."""

    id: str
    conversationId: str
    branchId: str
    anchorMessageId: str
    checkpointType: CheckpointType
    metadata: dict[str, Any]
    createdAt: Timestamp
    tokenCount: int
    summary: str
    summarizer: str
    sourceMessageCount: int
    sourceTokenCount: int
    tokensSaved: int
    conversation_id: str
    branch_id: str
    anchor_message_id: str
    token_count: int
    created_at: Timestamp


def checkpoint_out(checkpoint: StoredCheckpoint) -> CheckpointOut:
    created_at = iso_timestamp(checkpoint.created_at)
    return {
        "id": checkpoint.id,
        "conversationId": checkpoint.conversation_id,
        "branchId": checkpoint.branch_id,
        "anchorMessageId": checkpoint.anchor_message_id,
        "checkpointType": checkpoint.checkpoint_type,  # type: ignore[typeddict-item]
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


class CheckpointData(TypedDict):
    checkpoint: CheckpointOut


def checkpoint_data(checkpoint: StoredCheckpoint) -> CheckpointData:
    return {"checkpoint": checkpoint_out(checkpoint)}


class CheckpointList(TypedDict):
    checkpoints: list[CheckpointOut]


def checkpoint_list(checkpoints: Iterable[StoredCheckpoint]) -> CheckpointList:
    return {"checkpoints": [checkpoint_out(c) for c in checkpoints]}


class Recreation(Protocol):
    """A checkpoint recreated: the new branch starting from it, and its messages."""

    @property
    def checkpoint(self) -> StoredCheckpoint: ...
    @property
    def branch(self) -> StoredBranch: ...
    @property
    def messages(self) -> Sequence[StoredMessage]: ...


class RecreatedData(TypedDict):
    checkpoint: CheckpointOut
    branch: BranchOut
    messages: list[MessageOut]


def recreated_data(result: Recreation) -> RecreatedData:
    return {
        "checkpoint": checkpoint_out(result.checkpoint),
        "branch": branch_out(result.branch, 0),
        "messages": [message_out(m) for m in result.messages],
    }
