"""The Chat API (``/api/chat``): one call per turn, JSON or server-sent events."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from ..schemas.chat import (
    CHAT_EVENTS,
    CHAT_PREFIX,
    ChatAnswerBody,
    ChatConversationsBody,
    ChatDeletedBody,
    ChatMessagesBody,
    ChatReply,
    ChatSend,
    ChatSettingsBody,
    ChatSettingsUpdate,
    ChatTruncate,
    ChatTruncatedBody,
    chat_answer_body,
    chat_conversations_body,
    chat_cut_event,
    chat_deleted_body,
    chat_done_event,
    chat_messages_body,
    chat_metadata_event,
    chat_reply,
    chat_settings_body,
    chat_status_event,
    chat_text_event,
    chat_truncated_body,
)
from ..schemas.common import NUL_FREE_PATTERN
from ..schemas.messages import Id, StoredMessage
from ..services.chat import IMAGE_TYPES, ChatService, ChatTurn, chat_provider
from ..services.sending import SendResult
from ..store.tables import Message
from .deps import Context, ConversationID, UserId
from .envelope import whole
from .openapi import errors, sse_responses
from .streaming import event_payload, sse_frames, sse_response

router = APIRouter(prefix=CHAT_PREFIX, tags=["chat"])


async def chat_service(ctx: Context, user_id: UserId) -> ChatService:
    return ChatService(ctx, user_id)


Chat = Annotated[ChatService, Depends(chat_service)]
Limit = Annotated[int, Query(ge=1, le=100)]
ImageID = Annotated[str, Path(min_length=1, max_length=64)]


def _reply(turn: ChatTurn, reply: StoredMessage, model: str | None) -> ChatReply:
    provider = chat_provider(turn.prepared.info.provider)
    return chat_reply(turn.conversation_id, provider, reply, model, turn.sources)


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
        reply = _reply(turn, result.assistant_message, result.model)
        return whole(chat_answer_body(reply, turn.statuses))
    frames = sse_frames(_events(service, turn), ctx.settings.sse_heartbeat_seconds)
    response: StreamingResponse = sse_response(frames)
    return response


async def _events(
    service: ChatService, turn: ChatTurn
) -> AsyncIterator[tuple[str, Mapping[str, object]]]:
    """metadata, status…, reasoning and text…, then done or error."""
    early = list(turn.statuses)  # later ones (web searches) arrive as stream events
    stream = service.stream(turn)
    prepared = turn.prepared
    provider = chat_provider(prepared.info.provider)
    metadata = chat_metadata_event(
        turn.conversation_id, provider, prepared.info.name, stream.reply_id
    )
    yield f"{stream.reply_id}:0", metadata
    for status in early:
        yield f"{stream.reply_id}:0", chat_status_event(status)
    async for event in stream.events:
        event_id = f"{stream.reply_id}:{event.offset}"
        if event.kind == "content":
            yield event_id, chat_text_event("text", event.text)
        elif event.kind == "reasoning":
            yield event_id, chat_text_event("reasoning", event.text)
        elif event.kind == "status":
            yield event_id, chat_status_event(event.text)
        elif event.kind == "complete":
            result = event.result
            assert isinstance(result, SendResult)
            yield event_id, chat_done_event(_reply(turn, result.assistant_message, result.model))
        elif event.kind == "stored":  # cut short (a stop, a shutdown): what was written
            reply = event.result
            assert isinstance(reply, Message)
            finish_reason = reply.meta.get("finishReason")
            yield event_id, chat_cut_event(_reply(turn, reply, reply.model), finish_reason)
        else:
            yield event_id, event_payload(event)  # {"type": "error", "error": CODE, …}


@router.get("/conversations", response_model=ChatConversationsBody)
async def list_conversations(
    service: Chat,
    channel: Annotated[str | None, Query(max_length=40, pattern=NUL_FREE_PATTERN)] = None,
    limit: Limit = 20,
) -> JSONResponse:
    return whole(chat_conversations_body(await service.conversations(channel, limit)))


@router.get("/messages", response_model=ChatMessagesBody, responses=errors(403, 404))
async def list_messages(
    service: Chat, conversation_id: Annotated[Id, Query(alias="conversationId")], limit: Limit = 50
) -> JSONResponse:
    rows, images = await service.conversation_messages(conversation_id, limit)
    return whole(chat_messages_body(conversation_id, rows, images))


_IMAGE_BYTES: dict[int | str, dict[str, Any]] = {
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
    return whole(chat_deleted_body(conversation_id))


@router.post(
    "/conversations/{conversation_id}/truncate",
    response_model=ChatTruncatedBody,
    responses=errors(403, 409),
)
async def truncate_conversation(
    conversation_id: ConversationID, body: ChatTruncate, service: Chat
) -> JSONResponse:
    kept, deleted = await service.truncate(conversation_id, body.keep)
    return whole(chat_truncated_body(conversation_id, kept, deleted))


@router.get("/settings", response_model=ChatSettingsBody)
async def get_settings(service: Chat) -> JSONResponse:
    return whole(chat_settings_body(await service.default_provider()))


@router.patch("/settings", response_model=ChatSettingsBody)
async def update_settings(body: ChatSettingsUpdate, service: Chat) -> JSONResponse:
    return whole(chat_settings_body(await service.set_default_provider(body.default_provider)))
