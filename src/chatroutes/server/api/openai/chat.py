"""``POST /v1/chat/completions``: one JSON answer, or OpenAI's chunks as server-sent events."""

from __future__ import annotations

from collections.abc import AsyncIterator

import orjson
from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response, StreamingResponse

from ...domain.errors import ChatRoutesServerError
from ...schemas.openai.chat import ChatCompletion, ChatCompletionChunk, ChatCompletionCreate
from ...schemas.openai.errors import OpenAIErrorBody, openai_error
from ...services.openai_chat import ChatExchange, OpenAIChatService, kept_conversation
from ...services.sending import Call
from ..deps import Context
from ..envelope import whole
from ..openapi import errors, sse_responses
from .deps import OpenAISender

router = APIRouter(tags=["openai"])

# Names the conversation a ``store: true`` exchange is kept in (``/api/v1/conversations``).
CONVERSATION_HEADER = "x-chatroutes-conversation-id"
_DONE = b"data: [DONE]\n\n"


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    # 403: a guest session; 404: no such model
    responses=sse_responses(ChatCompletionChunk, OpenAIErrorBody) | errors(403, 404, 502, 503, 504),
)
async def create_chat_completion(
    body: ChatCompletionCreate, sender: OpenAISender, ctx: Context
) -> Response:
    service = OpenAIChatService(ctx)
    exchange = service.exchange(body)
    calls = await service.admit(sender, exchange)
    headers = {}
    if (conversation_id := kept_conversation(exchange)) is not None:
        headers[CONVERSATION_HEADER] = conversation_id
    if not exchange.stream:
        response: JSONResponse = whole(await service.complete(exchange, calls))
        response.headers.update(headers)
        return response
    return StreamingResponse(
        _frames(service, exchange, calls),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no", **headers},
    )


async def _frames(
    service: OpenAIChatService, exchange: ChatExchange, calls: list[Call]
) -> AsyncIterator[bytes]:
    """Each chunk as one ``data:`` event, then ``[DONE]``; a failure mid-stream as an
    ``{"error": …}`` event, which the OpenAI SDKs raise."""
    try:
        async for chunk in service.chunks(exchange, calls):
            yield b"data: " + orjson.dumps(chunk) + b"\n\n"
    except ChatRoutesServerError as exc:
        yield _error_frame(exc)
        return
    yield _DONE


def _error_frame(exc: ChatRoutesServerError) -> bytes:
    _, body = openai_error(exc)
    return b"data: " + orjson.dumps(body) + b"\n\n"
