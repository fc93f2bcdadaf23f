"""``/v1/responses``: create (plain, streamed or in the background), retrieve (or follow
its events again from a sequence number), cancel, delete, and its input items."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse, StreamingResponse

from ...schemas.common import NUL_FREE_PATTERN
from ...schemas.openai.items import ItemList, item_list, message_item
from ...schemas.openai.responses import (
    RESPONSE_EVENTS,
    DeletedResponse,
    ResponseCreate,
    ResponseObject,
    deleted_response,
    response_object,
)
from ...services.openai_responses import ResponsesService
from ...services.sending import Sender
from ..deps import Context
from ..envelope import whole
from ..openapi import errors, sse_responses
from .deps import OpenAIPrincipal

router = APIRouter(tags=["openai"])

ResponseID = Annotated[str, Path(min_length=1, max_length=64, pattern=NUL_FREE_PATTERN)]
ItemCursor = Annotated[str | None, Query(min_length=1, max_length=64, pattern=NUL_FREE_PATTERN)]
Limit = Annotated[int, Query(ge=1, le=100)]
Order = Annotated[Literal["asc", "desc"], Query()]
# Which extra output to include: none is produced here, so only none is accepted.
Include = Annotated[list[str], Query(max_length=0)]


async def responses_service(ctx: Context, principal: OpenAIPrincipal) -> ResponsesService:
    return ResponsesService(ctx, Sender.of(principal))


Responses = Annotated[ResponsesService, Depends(responses_service)]


def event_stream(events: AsyncIterator[dict[str, Any]]) -> StreamingResponse:
    """Server-sent events as OpenAI writes them: ``event:`` the type, ``data:`` the JSON."""

    async def frames() -> AsyncIterator[bytes]:
        async for event in events:
            data = json.dumps(event, separators=(",", ":"))
            yield f"event: {event['type']}\ndata: {data}\n\n".encode()

    return StreamingResponse(
        frames(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.post(
    "/responses",
    response_model=ResponseObject,
    responses=sse_responses(*RESPONSE_EVENTS) | errors(409, 502, 503, 504),
)
async def create_response(body: ResponseCreate, service: Responses) -> Any:
    checked = body.checked()
    run = await service.create(checked)
    if body.stream:
        return event_stream(run.follow(None))
    if body.background:
        return whole(response_object(run.state))
    await asyncio.shield(run.finished.wait())  # a client that leaves loses nothing
    if run.state.status == "failed" and run.state.output_text is None and run.error:
        raise run.error
    return whole(response_object(run.state))


@router.get(
    "/responses/{response_id}",
    response_model=ResponseObject,
    responses=sse_responses(*RESPONSE_EVENTS),
)
async def retrieve_response(
    response_id: ResponseID,
    service: Responses,
    stream: Annotated[bool, Query()] = False,
    starting_after: Annotated[int | None, Query(ge=-1)] = None,
    include: Include = [],  # noqa: B006 -- FastAPI copies a query default
    include_obfuscation: Annotated[bool | None, Query()] = None,
) -> Any:
    if stream:
        return event_stream(await service.events(response_id, starting_after))
    return whole(response_object(await service.get(response_id)))


@router.delete("/responses/{response_id}", response_model=DeletedResponse, responses=errors(409))
async def delete_response(response_id: ResponseID, service: Responses) -> JSONResponse:
    await service.delete(response_id)
    return whole(deleted_response(response_id))


@router.post(
    "/responses/{response_id}/cancel", response_model=ResponseObject, responses=errors(409)
)
async def cancel_response(response_id: ResponseID, service: Responses) -> JSONResponse:
    return whole(response_object(await service.cancel(response_id)))


@router.get("/responses/{response_id}/input_items", response_model=ItemList)
async def list_input_items(
    response_id: ResponseID,
    service: Responses,
    after: ItemCursor = None,
    limit: Limit = 20,
    order: Order = "desc",
    include: Include = [],  # noqa: B006
) -> JSONResponse:
    page = await service.input_items(response_id, after=after, limit=limit, order=order)
    items = [message_item(m, page.images.get(m.id, ())) for m in page.messages]
    return whole(item_list(items, page.has_more))
