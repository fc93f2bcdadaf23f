"""The conversation transfer document: one conversation, losslessly, as JSON.

``{"format": "chatroutes.conversation", "version": 1, "exportedAt",
"conversation", "branches", "messages", "checkpoints"}`` in camelCase with
WIRE.md timestamps. The conversation's ``channel`` (the Chat API's label) is
optional, so version 1 documents written before it still read. Messages come
parents first and include soft-deleted ones; ids and timestamps are kept, so
every ``contentHash`` stays valid on another server. No account data
(``userId``) and no generation leases travel.

``document_out`` writes it; ``parse_document`` reads one back, strictly, and
names the failing field as a path (``messages[3].contentHash``). The rules
that span several objects (references, order, hashes) are the service's.

Numbers the server reads back are validated, not recomputed, so a document
survives a round trip unchanged:

- a message's ``metadata.prompt_tokens``, ``metadata.completionTokens``: null or
  an integer from 0 to ``MAX_CALL_TOKENS``; ``metadata.cost``: null or a number
  from 0 to ``MAX_CALL_COST``. They record one provider call, made on another
  server or nowhere, and cannot be recomputed (the prompt that call was given is
  not in the document). Usage reads them only for replies this server made:
  imported ones are never billed (``store/usage.py``), whatever they claim. They
  are bounded anyway, so that no reader (the usage ledger's sums, the purge)
  meets a value it cannot hold.
- ``tokenCount`` of messages and checkpoints, ``sourceMessageCount``,
  ``sourceTokenCount``: integers from 0 to ``INT32_MAX`` (the column). They size
  the context of the importer's own conversation only; recomputing a reply's
  count would change it wherever the provider's tokenizer differs from ours.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, PlainValidator, StringConstraints, ValidationError, field_validator

from ..domain.errors import InvalidRequest
from ..domain.hashing import iso_timestamp
from ..store.tables import Branch, Checkpoint, Conversation, Message
from .branches import Description
from .common import ContextMode, NoNul, WireModel
from .conversations import Channel, MaxTokens, Temperature

FORMAT = "chatroutes.conversation"
VERSION = 1
INT32_MAX = 2**31 - 1  # PostgreSQL ``integer``
MAX_CALL_TOKENS = 10_000_000  # tokens of one provider call: far past any model's window
MAX_CALL_COST = 100_000.0  # USD of one provider call: far past any model's price

_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z")


def _timestamp(value: Any) -> datetime:
    """A WIRE.md timestamp (``2025-10-10T10:00:00.000Z``) as the naive UTC we store."""
    if not isinstance(value, str) or not _TIMESTAMP.fullmatch(value):
        raise ValueError("must be an ISO 8601 UTC timestamp like 2025-10-10T10:00:00.000Z")
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:
        raise ValueError(f"{value} is not a real date and time") from None


def _json_object(value: Any) -> dict[str, Any]:
    """Metadata: a JSON object without NUL characters or non-finite numbers."""
    if not isinstance(value, dict):
        raise ValueError("must be a JSON object")
    _check_json(value)
    return value


def _check_json(value: Any) -> None:
    """Every string and number in ``value``, however deeply nested (no recursion)."""
    pending = [value]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise ValueError("must not contain NUL (\\u0000) characters")
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise ValueError("must not contain NaN or infinite numbers")
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)


@dataclass(frozen=True)
class UsageNumber:
    """A usage figure of a reply's metadata: null, or a non-negative number up to a bound."""

    integer: bool
    maximum: float

    def accepts(self, value: Any) -> bool:
        if value is None:
            return True
        kinds = int if self.integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds):
            return False
        return 0 <= value <= self.maximum

    def rule(self) -> str:
        kind = "an integer" if self.integer else "a number"
        return f"must be null or {kind} from 0 to {self.maximum:,.0f}"


USAGE_NUMBERS = {
    "prompt_tokens": UsageNumber(integer=True, maximum=MAX_CALL_TOKENS),
    "completionTokens": UsageNumber(integer=True, maximum=MAX_CALL_TOKENS),
    "cost": UsageNumber(integer=False, maximum=MAX_CALL_COST),
}


def _check_usage(document: ConversationDocument) -> None:
    """400 naming the first usage figure out of its bounds (``messages[3].metadata.cost``)."""
    for i, message in enumerate(document.messages):
        for name, number in USAGE_NUMBERS.items():
            if name in message.metadata and not number.accepts(message.metadata[name]):
                field = f"messages[{i}].metadata.{name}"
                raise InvalidRequest(f"{field}: {number.rule()}", field=field)


# Ids as our servers make them (``msg_01j…``): they appear in URLs and headers.
TransferId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,40}$")]
Timestamp = Annotated[datetime, PlainValidator(_timestamp)]
Metadata = Annotated[dict[str, Any], PlainValidator(_json_object)]
Count = Annotated[int, Field(ge=0, le=INT32_MAX)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=500), NoNul]
ModelName = Annotated[str, StringConstraints(min_length=1, max_length=200), NoNul]
Text = Annotated[str, NoNul]
ContentHash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class ConversationDoc(WireModel):
    id: TransferId
    title: Title
    model: ModelName
    system_prompt: Annotated[str, StringConstraints(max_length=100_000), NoNul] | None = None
    temperature: Temperature
    max_tokens: MaxTokens
    archived: bool
    created_at: Timestamp
    updated_at: Timestamp
    channel: Channel | None = None  # optional: documents from before the Chat API lack it


class BranchDoc(WireModel):
    id: TransferId
    parent_branch_id: TransferId | None = None
    fork_point_message_id: TransferId | None = None
    head_message_id: TransferId | None = None
    title: Title
    description: Description | None = None
    context_mode: ContextMode
    is_main: bool
    archived: bool
    created_at: Timestamp
    updated_at: Timestamp
    checkpoint_id: TransferId | None = None


class MessageDoc(WireModel):
    id: TransferId
    branch_id: TransferId
    parent_message_id: TransferId | None
    role: Literal["user", "assistant", "system"]
    content: Text
    model: ModelName | None = None
    token_count: Count | None = None
    metadata: Metadata = Field(default_factory=dict)
    created_at: Timestamp
    content_hash: ContentHash
    deleted_at: Timestamp | None = None
    edited_from: TransferId | None = None


class CheckpointDoc(WireModel):
    id: TransferId
    branch_id: TransferId
    anchor_message_id: TransferId
    checkpoint_type: Literal["manual", "auto"]
    summary: Text
    token_count: Count
    source_message_count: Count
    source_token_count: Count
    summarizer: ModelName
    metadata: Metadata = Field(default_factory=dict)
    created_at: Timestamp


class ConversationDocument(WireModel):
    format: Literal["chatroutes.conversation"]
    version: int
    exported_at: Timestamp | None = None
    conversation: ConversationDoc
    branches: list[BranchDoc]
    messages: list[MessageDoc] = Field(default_factory=list)
    checkpoints: list[CheckpointDoc] = Field(default_factory=list)

    @field_validator("version")
    @classmethod
    def _known_version(cls, value: int) -> int:
        if value != VERSION:
            raise ValueError(f"version {value} is not supported; this server reads {VERSION}")
        return value


def field_path(location: Iterable[int | str]) -> str:
    """``("messages", 3, "contentHash")`` → ``messages[3].contentHash``."""
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return path or "body"


def parse_document(body: Any) -> ConversationDocument:
    """A document, or the whole export envelope ``{"success", "data": document}``.

    Every failure is an ``InvalidRequest`` naming the first bad field's path.
    """
    if isinstance(body, dict) and "format" not in body and isinstance(body.get("data"), dict):
        body = body["data"]
    try:
        document = ConversationDocument.model_validate(body)
    except ValidationError as exc:
        errors = [
            {"field": field_path(e["loc"]), "message": e["msg"]}
            for e in exc.errors(include_url=False, include_input=False)
        ]
        first = errors[0]
        raise InvalidRequest(
            f"{first['field']}: {first['message']}",
            field=first["field"],
            details={"errors": errors[:20]},
        ) from None
    _check_usage(document)
    return document


# --- writing -------------------------------------------------------------------


def _ts(moment: datetime | None) -> str | None:
    return iso_timestamp(moment) if moment is not None else None


def document_out(
    conversation: Conversation,
    branches: Iterable[Branch],
    messages: Iterable[Message],
    checkpoints: Iterable[Checkpoint],
    exported_at: datetime,
) -> dict[str, Any]:
    """The document, with ``messages`` in the order given (parents first)."""
    c = conversation
    return {
        "format": FORMAT,
        "version": VERSION,
        "exportedAt": _ts(exported_at),
        "conversation": {
            "id": c.id,
            "title": c.title,
            "model": c.model,
            "systemPrompt": c.system_prompt,
            "temperature": c.temperature,
            "maxTokens": c.max_tokens,
            "archived": c.archived,
            "createdAt": _ts(c.created_at),
            "updatedAt": _ts(c.updated_at),
            "channel": c.channel,
        },
        "branches": [
            {
                "id": b.id,
                "parentBranchId": b.parent_branch_id,
                "forkPointMessageId": b.fork_point_message_id,
                "headMessageId": b.head_message_id,
                "title": b.title,
                "description": b.description,
                "contextMode": b.context_mode,
                "isMain": b.is_main,
                "archived": b.archived,
                "createdAt": _ts(b.created_at),
                "updatedAt": _ts(b.updated_at),
                "checkpointId": b.checkpoint_id,
            }
            for b in branches
        ],
        "messages": [
            {
                "id": m.id,
                "branchId": m.branch_id,
                "parentMessageId": m.parent_id,
                "role": m.role,
                "content": m.content,
                "model": m.model,
                "tokenCount": m.token_count,
                "metadata": m.meta or {},
                "createdAt": _ts(m.created_at),
                "contentHash": m.content_hash,
                "deletedAt": _ts(m.deleted_at),
                "editedFrom": m.edited_from,
            }
            for m in messages
        ],
        "checkpoints": [
            {
                "id": k.id,
                "branchId": k.branch_id,
                "anchorMessageId": k.anchor_message_id,
                "checkpointType": k.checkpoint_type,
                "summary": k.summary,
                "tokenCount": k.token_count,
                "sourceMessageCount": k.source_message_count,
                "sourceTokenCount": k.source_token_count,
                "summarizer": k.summarizer,
                "metadata": k.meta or {},
                "createdAt": _ts(k.created_at),
            }
            for k in checkpoints
        ],
    }
