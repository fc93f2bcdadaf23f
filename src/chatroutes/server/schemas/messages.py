"""Messages on the wire: the send and edit bodies, the Message shape, a send's answer and
the events of a reply's stream."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any, Literal, NotRequired, Protocol

from pydantic import StringConstraints
from typing_extensions import TypedDict

from ..domain.errors import ChatRoutesServerError
from ..domain.hashing import iso_timestamp
from .branches import BranchOut, StoredBranch, branch_out
from .common import Id, MaxTokens, NoNul, Temperature, Timestamp, WireModel
from .envelope import error_fields

# The documented limit on one message, in characters (CHATROUTES_MAX_CONTENT_CHARS
# can lower it further at run time).
MAX_CONTENT_CHARS = 100_000


Content = Annotated[str, StringConstraints(min_length=1, max_length=MAX_CONTENT_CHARS), NoNul]


class MessageSend(WireModel):
    content: Content
    model: Annotated[str, NoNul] | None = None
    temperature: Temperature | None = None
    max_tokens: MaxTokens | None = None
    branch_id: Id | None = None
    parent_message_id: Id | None = None


class MessageEdit(WireModel):
    content: Content


class MessageContextEdit(WireModel):
    """A message's say in the context of the sends after it: ``pinned``, always sent (even
    when a checkpoint or the context window would leave it out); ``excluded``, never sent.
    A field left out stays as it is; a message is never both."""

    pinned: bool | None = None
    excluded: bool | None = None


class StoredMessage(Protocol):
    """A stored message as read: a ``Message``, or a row selecting its columns by
    attribute name (the path and listing reads)."""

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
    @property
    def pinned(self) -> bool: ...
    @property
    def excluded(self) -> bool: ...


class MessageOut(TypedDict):
    """``pinned``: always in the context of the sends after it; ``excluded``: never."""

    id: str
    conversationId: str
    branchId: str
    parentMessageId: str | None
    role: str
    content: str
    model: str | None
    tokenCount: int | None
    createdAt: Timestamp
    contentHash: str
    editedFrom: str | None
    pinned: bool
    excluded: bool
    metadata: dict[str, Any]


def message_out(message: StoredMessage) -> MessageOut:
    return {
        "id": message.id,
        "conversationId": message.conversation_id,
        "branchId": message.branch_id,
        "parentMessageId": message.parent_id,
        "role": message.role,
        "content": message.content,
        "model": message.model,
        "tokenCount": message.token_count,
        "createdAt": iso_timestamp(message.created_at),
        "contentHash": message.content_hash,
        "editedFrom": message.edited_from,
        "pinned": bool(message.pinned),
        "excluded": bool(message.excluded),
        "metadata": message.meta or {},
    }


class MessageList(TypedDict):
    messages: list[MessageOut]


def message_list(messages: Iterable[StoredMessage]) -> MessageList:
    return {"messages": [message_out(m) for m in messages]}


class Usage(TypedDict):
    promptTokens: int
    completionTokens: int
    totalTokens: int


def usage_out(prompt_tokens: int, completion_tokens: int) -> Usage:
    return {
        "promptTokens": prompt_tokens,
        "completionTokens": completion_tokens,
        "totalTokens": prompt_tokens + completion_tokens,
    }


# --- a send's answer ---------------------------------------------------------------


class TokenCounts(Protocol):
    @property
    def prompt_tokens(self) -> int: ...
    @property
    def completion_tokens(self) -> int: ...


class SendOutcome(Protocol):
    """A finished send: the question, the stored reply, the branch they are on."""

    @property
    def user_message(self) -> StoredMessage: ...
    @property
    def assistant_message(self) -> StoredMessage: ...
    @property
    def branch(self) -> StoredBranch: ...
    @property
    def forked(self) -> bool: ...
    @property
    def branch_message_count(self) -> int: ...
    @property
    def completion(self) -> TokenCounts: ...
    @property
    def model(self) -> str: ...


class SentData(TypedDict):
    """A send: ``message`` is the assistant's reply; ``branch`` when the send forked."""

    message: MessageOut
    userMessage: MessageOut
    assistantMessage: MessageOut
    usage: Usage
    model: str
    branchId: str
    branch: NotRequired[BranchOut | None]


def sent_data(result: SendOutcome) -> SentData:
    """The send's answer, shared by the JSON response and the stream's ``complete`` event."""
    completion = result.completion
    reply = message_out(result.assistant_message)
    data: SentData = {
        "message": reply,
        "userMessage": message_out(result.user_message),
        "assistantMessage": reply,
        "usage": usage_out(completion.prompt_tokens, completion.completion_tokens),
        "model": result.model,
        "branchId": result.branch.id,
    }
    if result.forked:
        data["branch"] = branch_out(result.branch, result.branch_message_count)
    return data


class StoppedData(TypedDict):
    """A stop: ``stopped`` when this call ended the generation; ``message``, the reply."""

    stopped: bool
    message: MessageOut


def stopped_data(stopped: bool, reply: StoredMessage) -> StoppedData:
    return {"stopped": stopped, "message": message_out(reply)}


class MessageData(TypedDict):
    message: MessageOut


def message_data(message: StoredMessage) -> MessageData:
    return {"message": message_out(message)}


class EditedData(TypedDict):
    message: MessageOut
    branch: NotRequired[BranchOut | None]


def edited_data(
    edit: StoredMessage, branch: StoredBranch | None, branch_message_count: int
) -> EditedData:
    """The edit; ``branch`` when the edit went on a new branch, with its message count."""
    data: EditedData = {"message": message_out(edit)}
    if branch is not None:
        data["branch"] = branch_out(branch, branch_message_count)
    return data


# --- server-sent events: the JSON of each ``data:`` line (WIRE.md) ---------------------
#
# Every reply event also carries ``choices``, the shape of an OpenAI chat completion
# chunk, which the 0.1 Python SDK reads (``chunk["choices"][0]["delta"]["content"]``,
# and ``finish_reason`` to know the reply is done); 0.2 clients read ``type``/``content``.


class ChoiceDelta(TypedDict):
    content: NotRequired[str]


class StreamChoice(TypedDict):
    """``finish_reason``: set on the ``complete`` event only."""

    index: int
    delta: ChoiceDelta
    finish_reason: str | None


def _choices(delta: ChoiceDelta, finish_reason: str | None = None) -> list[StreamChoice]:
    return [{"index": 0, "delta": delta, "finish_reason": finish_reason}]


class ContentEvent(TypedDict):
    """A chunk of the reply; ``candidateId`` on a parallel responses' stream."""

    type: Literal["content"]
    content: str
    choices: list[StreamChoice]
    candidateId: NotRequired[str]


def content_event(text: str) -> ContentEvent:
    return {"type": "content", "content": text, "choices": _choices({"content": text})}


class CompleteEvent(TypedDict):
    """The reply as stored; a live stream adds the rest of the send answer."""

    type: Literal["complete"]
    message: MessageOut
    usage: Usage
    model: str | None
    choices: list[StreamChoice]
    userMessage: NotRequired[MessageOut]
    assistantMessage: NotRequired[MessageOut]
    branchId: NotRequired[str]
    branch: NotRequired[BranchOut | None]
    candidateId: NotRequired[str]


def _finished(reply: MessageOut) -> list[StreamChoice]:
    """The reply's own finish reason (``stop``, ``length``, ``stopped``...), else ``stop``."""
    return _choices({}, reply["metadata"].get("finishReason") or "stop")


def complete_event(result: SendOutcome) -> CompleteEvent:
    """The ``complete`` event of a reply this stream saw finish: the whole send answer."""
    data = sent_data(result)
    return {"type": "complete", **data, "choices": _finished(data["message"])}


def stored_complete_event(message: StoredMessage) -> CompleteEvent:
    """The ``complete`` event of a reply that finished before this reader came."""
    meta = message.meta or {}
    # an interrupted reply does not know its prompt (null): no tokens counted for it
    prompt_tokens, completion_tokens = meta.get("prompt_tokens"), meta.get("completionTokens")
    reply = message_out(message)
    return {
        "type": "complete",
        "message": reply,
        "usage": usage_out(prompt_tokens or 0, completion_tokens or 0),
        "model": message.model,
        "choices": _finished(reply),
    }


class ErrorEvent(TypedDict):
    """A failure after the stream began; ``candidateId`` on a parallel responses' stream.

    ``choices`` has no finish reason: the reply did not finish.
    """

    type: Literal["error"]
    error: str
    message: str
    details: dict[str, Any]
    choices: list[StreamChoice]
    candidateId: NotRequired[str]


def error_event(error: ChatRoutesServerError) -> ErrorEvent:
    return {"type": "error", **error_fields(error), "choices": _choices({})}


class BudgetWarningEvent(TypedDict):
    """The reply brought its branch's or conversation's budget to its warning fraction:
    sent just before ``complete``; ``candidateId`` on a parallel responses' stream."""

    type: Literal["status"]
    status: Literal["budget_warning"]
    budgetWarning: dict[str, Any]
    candidateId: NotRequired[str]


def budget_warning_event(warning: dict[str, Any]) -> BudgetWarningEvent:
    return {"type": "status", "status": "budget_warning", "budgetWarning": warning}


ReplyEvent = ContentEvent | CompleteEvent | ErrorEvent | BudgetWarningEvent
REPLY_EVENTS = (ContentEvent, CompleteEvent, ErrorEvent, BudgetWarningEvent)
