"""OpenAI's Responses API on the wire: the create body, the response object and the
events of its stream.

A response's id is its reply message's, with ``resp_`` for ``msg_`` (``response_id``):
every reply in the tree is a response, whichever API sent it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from typing_extensions import TypedDict

from ...domain.errors import InvalidRequest
from .items import ContentPart, InputItem, MessageItem, metadata_of, parse_input

RESPONSE_PREFIX, MESSAGE_PREFIX = "resp_", "msg_"


def response_id(reply_id: str) -> str:
    """A reply message's id as its response's."""
    return RESPONSE_PREFIX + reply_id.removeprefix(MESSAGE_PREFIX)


def reply_id_of(response: str) -> str | None:
    """The reply message a response id names; None for an id that is not a response's."""
    if not response.startswith(RESPONSE_PREFIX) or len(response) > 64:
        return None
    return MESSAGE_PREFIX + response.removeprefix(RESPONSE_PREFIX)


NoNulText = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$")]


class OpenAIBody(BaseModel):
    """An OpenAI request body: its own snake_case names, strict types, unknown names
    refused (OpenAI answers ``Unknown parameter``)."""

    model_config = ConfigDict(strict=True, extra="forbid")


class TextFormat(OpenAIBody):
    type: Literal["text"]


class TextConfig(OpenAIBody):
    format: TextFormat | None = None
    verbosity: Literal["medium"] | None = None


class StreamOptions(OpenAIBody):
    include_obfuscation: bool | None = None


class ResponseCreate(OpenAIBody):
    model: Annotated[NoNulText, StringConstraints(min_length=1, max_length=200)] | None = None
    input: Any = None  # text or items: read by ``checked``
    instructions: Annotated[NoNulText, StringConstraints(max_length=100_000)] | None = None
    previous_response_id: (
        Annotated[NoNulText, StringConstraints(min_length=1, max_length=64)] | None
    ) = None
    conversation: Any = None  # an id, or {"id": …}: read by ``checked``
    store: bool | None = None
    stream: bool | None = None
    stream_options: StreamOptions | None = None
    background: bool | None = None
    temperature: Annotated[float, Field(ge=0.0, le=2.0)] | None = None
    top_p: Annotated[float, Field(ge=0.0, le=1.0)] | None = None
    max_output_tokens: Annotated[int, Field(ge=16, le=1_000_000)] | None = None
    metadata: dict[str, Any] | None = None
    # Tools are not run here: only their absence is accepted.
    tools: Annotated[list[Any], Field(max_length=0)] | None = None
    tool_choice: Literal["auto", "none"] | None = None
    parallel_tool_calls: bool | None = None
    text: TextConfig | None = None
    # The context is always fitted to the model's window (the oldest turns go first).
    truncation: Literal["auto"] | None = None

    def checked(self) -> CheckedCreate:
        """The fields that depend on each other, checked; the input parsed into items."""
        if self.input is None:
            raise InvalidRequest("input: required", field="input")
        items = parse_input(self.input)
        if items[-1].role != "user":
            raise InvalidRequest(
                f"{items[-1].param}.role: the input's last item must be a user message, "
                "the one the response answers",
                field=f"{items[-1].param}.role",
            )
        conversation = _conversation_id(self.conversation)
        if conversation is not None and self.previous_response_id is not None:
            raise InvalidRequest(
                "previous_response_id: cannot be used together with conversation",
                field="previous_response_id",
            )
        store = self.store is not False
        if self.background and not store:
            raise InvalidRequest("background: requires store=true", field="background")
        if self.previous_response_id is not None and reply_id_of(self.previous_response_id) is None:
            raise InvalidRequest(
                "previous_response_id: not a response id (resp_…)", field="previous_response_id"
            )
        return CheckedCreate(
            body=self,
            items=items,
            conversation_id=conversation,
            store=store,
            metadata=metadata_of(self.metadata),
        )


def _conversation_id(value: object) -> str | None:
    """``conversation``: a conversation's id, or an object with its ``id``."""
    if value is None:
        return None
    param = "conversation"
    if isinstance(value, dict):
        unknown = set(value) - {"id"}
        if unknown:
            name = sorted(unknown)[0]
            raise InvalidRequest(f"conversation.{name}: unknown parameter", field=f"{param}.{name}")
        value, param = value.get("id"), "conversation.id"
    if not isinstance(value, str) or not 0 < len(value) <= 64 or "\x00" in value:
        raise InvalidRequest(
            f'{param}: expected a conversation id (conv_…) or {{"id": …}}', field=param
        )
    return value


@dataclass(frozen=True)
class CheckedCreate:
    body: ResponseCreate
    items: list[InputItem]
    conversation_id: str | None
    store: bool
    metadata: dict[str, str]


@dataclass(frozen=True)
class ResponseState:
    """What a response object shows: its record (or a reply's defaults) and its output."""

    id: str
    conversation_id: str
    created_at: datetime
    status: str
    model: str
    background: bool
    instructions: str | None
    temperature: float | None
    top_p: float | None
    max_output_tokens: int | None
    metadata: dict[str, str]
    previous_response_id: str | None
    reply_id: str
    output_text: str | None  # None: no output (yet)
    error: dict[str, Any] | None = None
    incomplete_reason: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    completed_at: datetime | None = None
    store: bool = True


class ResponseUsage(TypedDict):
    input_tokens: int
    input_tokens_details: dict[str, int]
    output_tokens: int
    output_tokens_details: dict[str, int]
    total_tokens: int


class ResponseObject(TypedDict):
    id: str
    object: Literal["response"]
    created_at: int
    status: str
    background: bool
    completed_at: int | None
    conversation: dict[str, str]
    error: dict[str, Any] | None
    incomplete_details: dict[str, str] | None
    instructions: str | None
    max_output_tokens: int | None
    metadata: dict[str, str]
    model: str
    output: list[MessageItem]
    parallel_tool_calls: bool
    previous_response_id: str | None
    store: bool
    temperature: float | None
    text: dict[str, Any]
    tool_choice: str
    tools: list[Any]
    top_p: float | None
    truncation: str
    usage: ResponseUsage | None


def unix(moment: datetime) -> int:
    return int(moment.replace(tzinfo=UTC).timestamp())


def output_item(state: ResponseState, text: str, status: str) -> MessageItem:
    return {
        "type": "message",
        "id": state.reply_id,
        "status": status,
        "role": "assistant",
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    }


def _item_status(status: str) -> str:
    return "completed" if status == "completed" else "incomplete"


def response_object(state: ResponseState, status: str | None = None) -> ResponseObject:
    """The response as OpenAI shapes it; ``status`` overrides the state's (a stream's
    earlier events show the response as it was then, without output)."""
    shown = status or state.status
    early = status is not None and status in ("queued", "in_progress")
    output = (
        [output_item(state, state.output_text, _item_status(shown))]
        if state.output_text is not None and not early
        else []
    )
    usage: ResponseUsage | None = None
    if state.input_tokens is not None and state.output_tokens is not None and not early:
        usage = {
            "input_tokens": state.input_tokens,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": state.output_tokens,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": state.input_tokens + state.output_tokens,
        }
    return {
        "id": state.id,
        "object": "response",
        "created_at": unix(state.created_at),
        "status": shown,
        "background": state.background,
        "completed_at": unix(state.completed_at) if state.completed_at and not early else None,
        "conversation": {"id": state.conversation_id},
        "error": None if early else state.error,
        "incomplete_details": (
            {"reason": state.incomplete_reason}
            if state.incomplete_reason is not None and not early
            else None
        ),
        "instructions": state.instructions,
        "max_output_tokens": state.max_output_tokens,
        "metadata": state.metadata,
        "model": state.model,
        "output": output,
        "parallel_tool_calls": True,
        "previous_response_id": state.previous_response_id,
        "store": state.store,
        "temperature": state.temperature,
        "text": {"format": {"type": "text"}, "verbosity": "medium"},
        "tool_choice": "auto",
        "tools": [],
        "top_p": state.top_p,
        "truncation": "auto",
        "usage": usage,
    }


class DeletedResponse(TypedDict):
    id: str
    object: Literal["response.deleted"]
    deleted: bool


def deleted_response(response: str) -> DeletedResponse:
    return {"id": response, "object": "response.deleted", "deleted": True}


# The events of a response's stream, as ``StreamEvents`` makes them.


class ResponseLifecycleEvent(TypedDict):
    type: Literal[
        "response.created",
        "response.in_progress",
        "response.completed",
        "response.incomplete",
        "response.failed",
    ]
    response: ResponseObject
    sequence_number: int


class OutputItemEvent(TypedDict):
    type: Literal["response.output_item.added", "response.output_item.done"]
    output_index: int
    item: MessageItem
    sequence_number: int


class ContentPartEvent(TypedDict):
    type: Literal["response.content_part.added", "response.content_part.done"]
    item_id: str
    output_index: int
    content_index: int
    part: ContentPart
    sequence_number: int


class OutputTextDeltaEvent(TypedDict):
    type: Literal["response.output_text.delta"]
    item_id: str
    output_index: int
    content_index: int
    delta: str
    logprobs: list[Any]
    sequence_number: int


class OutputTextDoneEvent(TypedDict):
    type: Literal["response.output_text.done"]
    item_id: str
    output_index: int
    content_index: int
    text: str
    logprobs: list[Any]
    sequence_number: int


RESPONSE_EVENTS = (
    ResponseLifecycleEvent,
    OutputItemEvent,
    ContentPartEvent,
    OutputTextDeltaEvent,
    OutputTextDoneEvent,
)


class StreamEvents:
    """The events of one response's stream, numbered from 0 as they are made.

    The live run and a replay of a finished response make them with the same calls in
    the same order, so their sequence numbers agree: a reader can resume either one
    ``starting_after`` the last number it saw.
    """

    def __init__(self, state: ResponseState) -> None:
        self.state = state
        self.next_number = 0
        self.item_open = False
        self.text = ""

    def _numbered(self, event: dict[str, Any]) -> dict[str, Any]:
        event["sequence_number"] = self.next_number
        self.next_number += 1
        return event

    def opening(self) -> list[dict[str, Any]]:
        first = "queued" if self.state.background else "in_progress"
        return [
            self._numbered(
                {"type": "response.created", "response": response_object(self.state, first)}
            ),
            self._numbered(
                {
                    "type": "response.in_progress",
                    "response": response_object(self.state, "in_progress"),
                }
            ),
        ]

    def delta(self, text: str) -> list[dict[str, Any]]:
        events = []
        if not self.item_open:
            self.item_open = True
            item = output_item(self.state, "", "in_progress")
            item["content"] = []
            events += [
                self._numbered(
                    {"type": "response.output_item.added", "output_index": 0, "item": item}
                ),
                self._numbered(
                    {
                        "type": "response.content_part.added",
                        "item_id": self.state.reply_id,
                        "output_index": 0,
                        "content_index": 0,
                        "part": {"type": "output_text", "text": "", "annotations": []},
                    }
                ),
            ]
        self.text += text
        events.append(
            self._numbered(
                {
                    "type": "response.output_text.delta",
                    "item_id": self.state.reply_id,
                    "output_index": 0,
                    "content_index": 0,
                    "delta": text,
                    "logprobs": [],
                }
            )
        )
        return events

    def closing(self, final: ResponseState) -> list[dict[str, Any]]:
        """The item's end (if it opened) and the response's terminal event."""
        self.state = final
        events = []
        if self.item_open:
            part = {"type": "output_text", "text": self.text, "annotations": []}
            common = {"item_id": final.reply_id, "output_index": 0, "content_index": 0}
            events += [
                self._numbered(
                    {
                        "type": "response.output_text.done",
                        **common,
                        "text": self.text,
                        "logprobs": [],
                    }
                ),
                self._numbered({"type": "response.content_part.done", **common, "part": part}),
                self._numbered(
                    {
                        "type": "response.output_item.done",
                        "output_index": 0,
                        "item": output_item(final, self.text, _item_status(final.status)),
                    }
                ),
            ]
        terminal = {
            "completed": "response.completed",
            "incomplete": "response.incomplete",
            # OpenAI has no event of its own for a cancelled response: what it wrote
            # stands, unfinished.
            "cancelled": "response.incomplete",
        }.get(final.status, "response.failed")
        events.append(self._numbered({"type": terminal, "response": response_object(final)}))
        return events


def replayed_events(final: ResponseState, deltas: Sequence[int] | None) -> Iterator[dict[str, Any]]:
    """A finished response's whole stream, numbered as it went out live: its text cut at
    the lengths its deltas had (the rest, if any, as one more)."""
    events = StreamEvents(final)
    yield from events.opening()
    text = final.output_text or ""
    at = 0
    for length in deltas or ():
        if at >= len(text):
            break
        yield from events.delta(text[at : at + length])
        at += length
    if at < len(text):
        yield from events.delta(text[at:])
    yield from events.closing(final)
