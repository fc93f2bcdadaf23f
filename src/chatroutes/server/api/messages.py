from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse, StreamingResponse

from ..domain.errors import InvalidRequest
from ..schemas.envelope import Done, Envelope
from ..schemas.messages import (
    REPLY_EVENTS,
    EditedData,
    Id,
    MessageContextEdit,
    MessageData,
    MessageEdit,
    MessageList,
    MessageSend,
    SentData,
    StoppedData,
    edited_data,
    message_data,
    message_list,
    sent_data,
    stopped_data,
)
from ..services.replies import ReplyService
from ..services.sending import KeyCredential, Sender, SendPipeline, SendTarget
from .deps import (
    Branches,
    BranchID,
    ConversationID,
    CurrentSender,
    MessageID,
    Messages,
    Replies,
    Sending,
)
from .envelope import ok
from .openapi import errors, sse_responses
from .streaming import EventStreamResponse, event_stream, parse_event_id

router = APIRouter(tags=["messages"])

# A send can meet a busy branch, a lost race, or a failing provider.
_SEND_ERRORS = errors(402, 409, 502, 503, 504)
_STREAM_RESPONSES = sse_responses(*REPLY_EVENTS) | _SEND_ERRORS


async def answer_send(
    pipeline: SendPipeline,
    sender: Sender | KeyCredential,
    target: SendTarget,
    body: MessageSend,
) -> JSONResponse:
    """A send's reply, as its 201 (``fast_send`` answers with it too)."""
    result = await pipeline.send(sender, target, body)
    return ok(sent_data(result), status_code=201)


async def answer_stream(
    pipeline: SendPipeline,
    sender: Sender | KeyCredential,
    target: SendTarget,
    body: MessageSend,
) -> StreamingResponse:
    """A send's reply, as events (``fast_send`` answers with it too)."""
    stream = await pipeline.stream(sender, target, body)
    return event_stream(stream, pipeline.ctx.settings.sse_heartbeat_seconds)


@router.post(
    "/conversations/{conversation_id}/messages",
    status_code=201,
    response_model=Envelope[SentData],
    responses=_SEND_ERRORS,
)
async def send_message(
    conversation_id: ConversationID, body: MessageSend, sender: CurrentSender, pipeline: Sending
) -> JSONResponse:
    return await answer_send(pipeline, sender, SendTarget(conversation_id), body)


@router.post(
    "/conversations/{conversation_id}/branches/{branch_id}/messages",
    status_code=201,
    response_model=Envelope[SentData],
    responses=_SEND_ERRORS,
)
async def send_branch_message(
    conversation_id: ConversationID,
    branch_id: BranchID,
    body: MessageSend,
    sender: CurrentSender,
    pipeline: Sending,
) -> JSONResponse:
    return await answer_send(pipeline, sender, SendTarget(conversation_id, branch_id), body)


# ``<reply id>:<offset>``, as our ``id:`` lines carry it (ASCII digits: ``int`` must read them).
_EVENT_ID = r"^\s*\S[^\x00]*:[0-9]+\s*$"
LastEventId = Annotated[
    str | None, Header(alias="Last-Event-ID", max_length=200, pattern=_EVENT_ID)
]


async def _stream_or_resume(
    pipeline: SendPipeline,
    sender: Sender,
    replies: ReplyService,
    target: SendTarget,
    body: MessageSend,
    last_event_id: str | None,
) -> StreamingResponse:
    """A new reply, or, for a client reconnecting with Last-Event-ID, the rest of its reply."""
    if not last_event_id:
        return await answer_stream(pipeline, sender, target, body)
    reply_id, offset = parse_event_id(last_event_id)
    stream = await replies.resume_stream(target.conversation_id, reply_id, offset)
    return event_stream(stream, pipeline.ctx.settings.sse_heartbeat_seconds)


@router.post(
    "/conversations/{conversation_id}/messages/stream",
    response_class=EventStreamResponse,
    responses=_STREAM_RESPONSES,
)
async def stream_message(
    conversation_id: ConversationID,
    body: MessageSend,
    sender: CurrentSender,
    pipeline: Sending,
    replies: Replies,
    last_event_id: LastEventId = None,
) -> StreamingResponse:
    """The reply as server-sent events: content chunks, then ``complete`` and ``[DONE]``."""
    target = SendTarget(conversation_id)
    return await _stream_or_resume(pipeline, sender, replies, target, body, last_event_id)


@router.post(
    "/conversations/{conversation_id}/branches/{branch_id}/messages/stream",
    response_class=EventStreamResponse,
    responses=_STREAM_RESPONSES,
)
async def stream_branch_message(
    conversation_id: ConversationID,
    branch_id: BranchID,
    body: MessageSend,
    sender: CurrentSender,
    pipeline: Sending,
    replies: Replies,
    last_event_id: LastEventId = None,
) -> StreamingResponse:
    target = SendTarget(conversation_id, branch_id)
    return await _stream_or_resume(pipeline, sender, replies, target, body, last_event_id)


@router.get(
    "/conversations/{conversation_id}/messages/{message_id}/stream",
    response_class=EventStreamResponse,
    responses=sse_responses(*REPLY_EVENTS),
)
async def resume_reply(
    conversation_id: ConversationID,
    message_id: MessageID,
    service: Replies,
    last_event_id: LastEventId = None,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> StreamingResponse:
    """A reply from ``offset`` (or Last-Event-ID): live while generating, else as stored."""
    if last_event_id:
        reply_id, offset = parse_event_id(last_event_id)
        if reply_id != message_id:
            raise InvalidRequest("Last-Event-ID names another message", field="Last-Event-ID")
    stream = await service.resume_stream(conversation_id, message_id, offset)
    return event_stream(stream, service.ctx.settings.sse_heartbeat_seconds)


@router.post(
    "/conversations/{conversation_id}/messages/{message_id}/stop",
    response_model=Envelope[StoppedData],
    responses=errors(409),
)
async def stop_reply(
    conversation_id: ConversationID, message_id: MessageID, service: Replies
) -> JSONResponse:
    """End a reply being generated, keeping its text so far (``finishReason: stopped``).

    A reply already stored is returned with ``stopped: false``. One generating in another
    server process is stopped by that process within about a second; a 409 if it has not
    stopped within a few seconds (the stop stands).
    """
    stopped, message = await service.stop(conversation_id, message_id)
    return ok(stopped_data(stopped, message))


@router.get("/conversations/{conversation_id}/messages", response_model=Envelope[MessageList])
async def list_messages(
    conversation_id: ConversationID,
    branches: Branches,
    branch_id: Annotated[Id | None, Query(alias="branchId")] = None,
) -> JSONResponse:
    messages = await branches.messages(conversation_id, branch_id)
    return ok(message_list(messages))


@router.patch("/messages/{message_id}", response_model=Envelope[EditedData], responses=errors(409))
async def edit_message(message_id: MessageID, body: MessageEdit, service: Messages) -> JSONResponse:
    result = await service.edit(message_id, body.content)
    return ok(edited_data(result.message, result.branch, result.branch_message_count))


@router.patch("/messages/{message_id}/context", response_model=Envelope[MessageData])
async def set_message_context(
    message_id: MessageID, body: MessageContextEdit, service: Messages
) -> JSONResponse:
    """Pin a message (always in the context of the sends after it, even when a checkpoint
    or the context window would leave it out) or exclude it (never sent upstream)."""
    message = await service.set_context(message_id, pinned=body.pinned, excluded=body.excluded)
    return ok(message_data(message))


@router.delete("/messages/{message_id}", response_model=Done, responses=errors(409))
async def delete_message(message_id: MessageID, service: Messages) -> JSONResponse:
    await service.delete(message_id)
    return ok()
