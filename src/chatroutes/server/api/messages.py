from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, StreamingResponse

from ..schemas.messages import Id, MessageEdit, MessageSend
from ..schemas.wire import branch_out, message_out
from ..services.messages import SendResult
from .deps import Branches, BranchID, ConversationID, MessageID, Messages
from .envelope import ok
from .messages_shape import sent_data
from .streaming import event_stream

router = APIRouter(tags=["messages"])


def _sent(result: SendResult) -> JSONResponse:
    return ok(sent_data(result), status_code=201)


@router.post("/conversations/{conversation_id}/messages", status_code=201)
async def send_message(
    conversation_id: ConversationID, body: MessageSend, service: Messages
) -> JSONResponse:
    return _sent(await service.send(conversation_id, body))


@router.post("/conversations/{conversation_id}/branches/{branch_id}/messages", status_code=201)
async def send_branch_message(
    conversation_id: ConversationID, branch_id: BranchID, body: MessageSend, service: Messages
) -> JSONResponse:
    return _sent(await service.send(conversation_id, body, branch_id=branch_id))


@router.post("/conversations/{conversation_id}/messages/stream")
async def stream_message(
    conversation_id: ConversationID, body: MessageSend, service: Messages
) -> StreamingResponse:
    """The reply as server-sent events: content chunks, then ``complete`` and ``[DONE]``."""
    return event_stream(await service.start_stream(conversation_id, body))


@router.post("/conversations/{conversation_id}/branches/{branch_id}/messages/stream")
async def stream_branch_message(
    conversation_id: ConversationID, branch_id: BranchID, body: MessageSend, service: Messages
) -> StreamingResponse:
    return event_stream(await service.start_stream(conversation_id, body, branch_id=branch_id))


@router.get("/conversations/{conversation_id}/messages")
async def list_messages(
    conversation_id: ConversationID,
    branches: Branches,
    branch_id: Annotated[Id | None, Query(alias="branchId")] = None,
) -> JSONResponse:
    messages = await branches.messages(conversation_id, branch_id)
    return ok({"messages": [message_out(m) for m in messages]})


@router.patch("/messages/{message_id}")
async def edit_message(message_id: MessageID, body: MessageEdit, service: Messages) -> JSONResponse:
    result = await service.edit(message_id, body.content)
    data = {"message": message_out(result.message)}
    if result.branch is not None:
        data["branch"] = branch_out(result.branch, result.branch_message_count)
    return ok(data)


@router.delete("/messages/{message_id}")
async def delete_message(message_id: MessageID, service: Messages) -> JSONResponse:
    await service.delete(message_id)
    return ok()
