"""The conversation transfer document: one conversation, losslessly, as JSON.

``{"format": "chatroutes.conversation", "version": 1, "exportedAt",
"conversation", "branches", "messages", "checkpoints"}`` in camelCase with
WIRE.md timestamps. The conversation's ``channel`` (the Chat API's label) is
optional, so version 1 documents written before it still read. Messages come
parents first and include soft-deleted ones; ids and timestamps are kept, so
every ``contentHash`` stays valid on another server. No account data
(``userId``) and no generation leases travel.

``document_out`` writes it (its shape: ``ConversationDocument``); ``parse_document``
reads one back (as an ``ImportedDocument``), strictly, and
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
- a conversation's and a branch's ``budget`` (``{maxTokens, maxCost, warnAt}``, or
  null: none; optional, so documents written before budgets still read) is checked
  as ``PATCH`` checks it (``branches[2].budget.maxTokens``). Only its limits travel:
  what a budget spent counts the calls this server made (the service's docstring).
- ``tokenCount`` of messages and checkpoints, ``sourceMessageCount``,
  ``sourceTokenCount``: integers from 0 to ``INT32_MAX`` (the column). They size
  the context of the importer's own conversation only; recomputing a reply's
  count would change it wherever the provider's tokenizer differs from ours.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Final, Literal, Protocol

from pydantic import Field, PlainValidator, StringConstraints, ValidationError, field_validator
from typing_extensions import TypedDict

from ..domain.errors import InvalidRequest
from ..domain.hashing import iso_timestamp
from .branches import Description, StoredBranch
from .budgets import BudgetOut, BudgetSet, budget_out
from .checkpoints import CheckpointType, StoredCheckpoint
from .common import ContextMode, MaxTokens, NoNul, Temperature, Timestamp, WireModel, timestamp_out
from .conversations import Channel, StoredConversation
from .messages import StoredMessage

FORMAT: Final = "chatroutes.conversation"
VERSION: Final = 1
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


def _check_usage(document: ImportedDocument) -> None:
    """400 naming the first usage figure out of its bounds (``messages[3].metadata.cost``)."""
    for i, message in enumerate(document.messages):
        for name, number in USAGE_NUMBERS.items():
            if name in message.metadata and not number.accepts(message.metadata[name]):
                field = f"messages[{i}].metadata.{name}"
                raise InvalidRequest(f"{field}: {number.rule()}", field=field)


# Ids as our servers make them (``msg_01j…``): they appear in URLs and headers.
TransferId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,40}$")]
TimestampIn = Annotated[datetime, PlainValidator(_timestamp)]
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
    created_at: TimestampIn
    updated_at: TimestampIn
    channel: Channel | None = None  # optional: documents from before the Chat API lack it
    budget: BudgetSet | None = None  # optional: documents from before budgets lack it


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
    created_at: TimestampIn
    updated_at: TimestampIn
    checkpoint_id: TransferId | None = None
    budget: BudgetSet | None = None


class MessageDoc(WireModel):
    id: TransferId
    branch_id: TransferId
    parent_message_id: TransferId | None
    role: Literal["user", "assistant", "system"]
    content: Text
    model: ModelName | None = None
    token_count: Count | None = None
    metadata: Metadata = Field(default_factory=dict)
    created_at: TimestampIn
    content_hash: ContentHash
    deleted_at: TimestampIn | None = None
    edited_from: TransferId | None = None
    pinned: bool = False
    excluded: bool = False


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
    created_at: TimestampIn


class ImportedDocument(WireModel):
    format: Literal["chatroutes.conversation"]
    version: int
    exported_at: TimestampIn | None = None
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


def parse_document(body: Any) -> ImportedDocument:
    """A document, or the whole export envelope ``{"success", "data": document}``.

    Every failure is an ``InvalidRequest`` naming the first bad field's path.
    """
    if isinstance(body, dict) and "format" not in body and isinstance(body.get("data"), dict):
        body = body["data"]
    try:
        document = ImportedDocument.model_validate(body)
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


class ConversationDocOut(TypedDict):
    id: str
    title: str
    model: str
    systemPrompt: str | None
    temperature: float
    maxTokens: int
    archived: bool
    createdAt: Timestamp
    updatedAt: Timestamp
    channel: str | None
    budget: BudgetOut | None


class BranchDocOut(TypedDict):
    id: str
    parentBranchId: str | None
    forkPointMessageId: str | None
    headMessageId: str | None
    title: str
    description: str | None
    contextMode: ContextMode
    isMain: bool
    archived: bool
    createdAt: Timestamp
    updatedAt: Timestamp
    checkpointId: str | None
    budget: BudgetOut | None


class MessageDocOut(TypedDict):
    id: str
    branchId: str
    parentMessageId: str | None
    role: Literal["user", "assistant", "system"]
    content: str
    model: str | None
    tokenCount: int | None
    metadata: dict[str, Any]
    createdAt: Timestamp
    contentHash: str
    deletedAt: Timestamp | None
    editedFrom: str | None
    pinned: bool
    excluded: bool


class CheckpointDocOut(TypedDict):
    id: str
    branchId: str
    anchorMessageId: str
    checkpointType: CheckpointType
    summary: str
    tokenCount: int
    sourceMessageCount: int
    sourceTokenCount: int
    summarizer: str
    metadata: dict[str, Any]
    createdAt: Timestamp


class ConversationDocument(TypedDict):
    format: Literal["chatroutes.conversation"]
    version: Literal[1]
    exportedAt: Timestamp
    conversation: ConversationDocOut
    branches: list[BranchDocOut]
    messages: list[MessageDocOut]
    checkpoints: list[CheckpointDocOut]


class ExportedConversation(Protocol):
    """A conversation with all its rows, messages parents first, soft-deleted ones too."""

    @property
    def conversation(self) -> StoredConversation: ...
    @property
    def branches(self) -> Sequence[StoredBranch]: ...
    @property
    def messages(self) -> Sequence[StoredMessage]: ...
    @property
    def checkpoints(self) -> Sequence[StoredCheckpoint]: ...
    @property
    def exported_at(self) -> datetime: ...


def _conversation_doc(c: StoredConversation) -> ConversationDocOut:
    return {
        "id": c.id,
        "title": c.title,
        "model": c.model,
        "systemPrompt": c.system_prompt,
        "temperature": c.temperature,
        "maxTokens": c.max_tokens,
        "archived": c.archived,
        "createdAt": iso_timestamp(c.created_at),
        "updatedAt": iso_timestamp(c.updated_at),
        "channel": c.channel,
        "budget": budget_out(c),
    }


def _branch_doc(b: StoredBranch) -> BranchDocOut:
    return {
        "id": b.id,
        "parentBranchId": b.parent_branch_id,
        "forkPointMessageId": b.fork_point_message_id,
        "headMessageId": b.head_message_id,
        "title": b.title,
        "description": b.description,
        "contextMode": b.context_mode,  # type: ignore[typeddict-item]  # stored valid
        "isMain": b.is_main,
        "archived": b.archived,
        "createdAt": iso_timestamp(b.created_at),
        "updatedAt": iso_timestamp(b.updated_at),
        "checkpointId": b.checkpoint_id,
        "budget": budget_out(b),
    }


def _message_doc(m: StoredMessage) -> MessageDocOut:
    return {
        "id": m.id,
        "branchId": m.branch_id,
        "parentMessageId": m.parent_id,
        "role": m.role,  # type: ignore[typeddict-item]  # stored valid
        "content": m.content,
        "model": m.model,
        "tokenCount": m.token_count,
        "metadata": m.meta or {},
        "createdAt": iso_timestamp(m.created_at),
        "contentHash": m.content_hash,
        "deletedAt": timestamp_out(m.deleted_at),
        "editedFrom": m.edited_from,
        "pinned": bool(m.pinned),
        "excluded": bool(m.excluded),
    }


def _checkpoint_doc(k: StoredCheckpoint) -> CheckpointDocOut:
    return {
        "id": k.id,
        "branchId": k.branch_id,
        "anchorMessageId": k.anchor_message_id,
        "checkpointType": k.checkpoint_type,  # type: ignore[typeddict-item]  # stored valid
        "summary": k.summary,
        "tokenCount": k.token_count,
        "sourceMessageCount": k.source_message_count,
        "sourceTokenCount": k.source_token_count,
        "summarizer": k.summarizer,
        "metadata": k.meta or {},
        "createdAt": iso_timestamp(k.created_at),
    }


def document_out(exported: ExportedConversation) -> ConversationDocument:
    """The document, with ``messages`` in the order given (parents first)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "exportedAt": iso_timestamp(exported.exported_at),
        "conversation": _conversation_doc(exported.conversation),
        "branches": [_branch_doc(b) for b in exported.branches],
        "messages": [_message_doc(m) for m in exported.messages],
        "checkpoints": [_checkpoint_doc(k) for k in exported.checkpoints],
    }
