"""The Chat API (``/api/chat``): one call per turn, JSON or server-sent events.

Answers keep the WIRE.md envelope (``success``, ``data``) and repeat the spec's
fields at the top level, as ``/api/v1/conversations`` does for the SDKs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from ..domain.hashing import iso_timestamp
from ..schemas.chat import ChatSend, ChatSettingsUpdate, ChatTruncate
from ..schemas.common import NUL_FREE_PATTERN
from ..schemas.messages import Id
from ..schemas.responses import (
    CHAT_EVENTS,
    ChatAnswerBody,
    ChatConversationsBody,
    ChatDeletedBody,
    ChatMessagesBody,
    ChatSettingsBody,
    ChatTruncatedBody,
)
from ..schemas.wire import message_out
from ..services.chat import (
    IMAGE_TYPES,
    ChatService,
    ChatTurn,
    StoredImage,
    chat_provider,
    sources_out,
)
from ..services.messages import SendResult
from ..store.tables import Conversation, Message
from .deps import Context, ConversationID, UserId
from .envelope import ok
from .openapi import errors, sse_responses
from .streaming import event_payload, sse_frames, sse_response

router = APIRouter(prefix="/api/chat", tags=["chat"])


async def chat_service(ctx: Context, user_id: UserId) -> ChatService:
    return ChatService(ctx, user_id)


Chat = Annotated[ChatService, Depends(chat_service)]
Limit = Annotated[int, Query(ge=1, le=100)]
ImageID = Annotated[str, Path(min_length=1, max_length=64)]


def _answer(turn: ChatTurn, reply: Message, model: str | None) -> dict[str, Any]:
    return {
        "response": reply.content,
        "conversationId": turn.conversation_id,
        "provider": chat_provider(turn.prepared.info.provider),
        "model": model,
        "messageId": reply.id,
        "sources": sources_out(turn.sources),
    }


def _image_out(image: StoredImage) -> dict[str, Any]:
    return {
        "id": image.id,
        "mimeType": image.mime_type,
        "size": image.size,
        "url": f"{router.prefix}/images/{image.id}",
    }


def _conversation_out(conversation: Conversation) -> dict[str, Any]:
    return {
        "id": conversation.id,
        "title": conversation.title,
        "channel": conversation.channel,
        "model": conversation.model,
        "createdAt": iso_timestamp(conversation.created_at),
        "updatedAt": iso_timestamp(conversation.updated_at),
    }


@router.post(
    "",
    response_model=ChatAnswerBody,
    # 403: another user's conversation; 404: no such conversation
    responses=sse_responses(*CHAT_EVENTS) | errors(403, 404, 409, 502, 503, 504),
)
async def chat(body: ChatSend, request: Request, service: Chat, ctx: Context) -> Any:
    streaming = body.stream or "text/event-stream" in request.headers.get("accept", "")
    turn = await service.start_turn(body)
    if not streaming:
        result = await service.answer(turn)
        answer = _answer(turn, result.assistant_message, result.model)
        answer["statuses"] = turn.statuses  # what the stream sends as status events
        return ok(answer, **answer)
    frames = sse_frames(_events(service, turn), ctx.settings.sse_heartbeat_seconds)
    response: StreamingResponse = sse_response(frames)
    return response


async def _events(service: ChatService, turn: ChatTurn) -> AsyncIterator[tuple[str, dict]]:
    """metadata, status…, reasoning and text…, then done or error."""
    early = list(turn.statuses)  # later ones (web searches) arrive as stream events
    stream = service.stream(turn)
    prepared = turn.prepared
    yield (
        f"{stream.reply_id}:0",
        {
            "type": "metadata",
            "conversationId": turn.conversation_id,
            "provider": chat_provider(prepared.info.provider),
            "model": prepared.info.name,
            "messageId": stream.reply_id,
        },
    )
    for status in early:
        yield f"{stream.reply_id}:0", {"type": "status", "message": status}
    async for event in stream.events:
        event_id = f"{stream.reply_id}:{event.offset}"
        if event.kind == "content":
            yield event_id, {"type": "text", "content": event.text}
        elif event.kind == "reasoning":
            yield event_id, {"type": "reasoning", "content": event.text}
        elif event.kind == "status":
            yield event_id, {"type": "status", "message": event.text}
        elif event.kind == "complete":
            result = event.result
            assert isinstance(result, SendResult)
            yield (
                event_id,
                {"type": "done", **_answer(turn, result.assistant_message, result.model)},
            )
        elif event.kind == "stored":  # cut short (a stop, a shutdown): what was written
            reply = event.result
            assert isinstance(reply, Message)
            done = _answer(turn, reply, reply.model)
            yield event_id, {"type": "done", **done, "finishReason": reply.meta.get("finishReason")}
        else:
            yield event_id, event_payload(event)  # {"type": "error", "error": CODE, …}


@router.get("/conversations", response_model=ChatConversationsBody)
async def list_conversations(
    service: Chat,
    channel: Annotated[str | None, Query(max_length=40, pattern=NUL_FREE_PATTERN)] = None,
    limit: Limit = 20,
) -> JSONResponse:
    conversations = [_conversation_out(c) for c in await service.conversations(channel, limit)]
    return ok({"conversations": conversations}, conversations=conversations)


@router.get("/messages", response_model=ChatMessagesBody, responses=errors(403, 404))
async def list_messages(
    service: Chat, conversation_id: Annotated[Id, Query(alias="conversationId")], limit: Limit = 50
) -> JSONResponse:
    rows, images = await service.conversation_messages(conversation_id, limit)
    messages = [
        message_out(m) | {"images": [_image_out(i) for i in images.get(m.id, [])]} for m in rows
    ]
    data = {"conversationId": conversation_id, "messages": messages}
    return ok(data, **data)


_IMAGE_BYTES = {
    200: {
        "description": "The image's bytes, as sent",
        "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in IMAGE_TYPES},
    }
}


@router.get(
    "/images/{image_id}", response_class=Response, responses=_IMAGE_BYTES | errors(403, 404)
)
async def get_image(image_id: ImageID, service: Chat) -> Response:
    """The bytes of an image sent with a message; only its owner may read them."""
    image = await service.image(image_id)
    return Response(
        image.data, media_type=image.mime_type, headers={"Cache-Control": "private, max-age=3600"}
    )


@router.delete(
    "/conversations/{conversation_id}", response_model=ChatDeletedBody, responses=errors(403)
)
async def delete_conversation(conversation_id: ConversationID, service: Chat) -> JSONResponse:
    await service.delete(conversation_id)
    return ok({"conversationId": conversation_id}, conversationId=conversation_id)


@router.post(
    "/conversations/{conversation_id}/truncate",
    response_model=ChatTruncatedBody,
    responses=errors(403, 409),
)
async def truncate_conversation(
    conversation_id: ConversationID, body: ChatTruncate, service: Chat
) -> JSONResponse:
    kept, deleted = await service.truncate(conversation_id, body.keep)
    data = {"conversationId": conversation_id, "kept": kept, "deleted": deleted}
    return ok(data, **data)


@router.get("/settings", response_model=ChatSettingsBody)
async def get_settings(service: Chat) -> JSONResponse:
    data = {"defaultProvider": await service.default_provider()}
    return ok(data, **data)


@router.patch("/settings", response_model=ChatSettingsBody)
async def update_settings(body: ChatSettingsUpdate, service: Chat) -> JSONResponse:
    data = {"defaultProvider": await service.set_default_provider(body.default_provider)}
    return ok(data, **data)
