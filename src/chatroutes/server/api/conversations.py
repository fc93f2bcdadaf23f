from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from ..schemas.common import NUL_FREE_PATTERN
from ..schemas.conversations import (
    MAX_PAGE,
    ConversationCreate,
    ConversationData,
    ConversationList,
    ConversationUpdate,
    ConversationWithMessagesData,
    conversation_data,
    conversation_list,
    conversation_page,
    conversation_with_messages_data,
)
from ..schemas.envelope import Done, Envelope
from ..schemas.transfer import ConversationDocument, document_out
from .deps import ConversationID, Conversations, CurrentPrincipal, Transfers
from .envelope import ok, whole
from .openapi import errors

router = APIRouter(tags=["conversations"])


@router.get("/conversations", response_model=ConversationList)
async def list_conversations(
    service: Conversations,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    search: Annotated[
        str | None,
        Query(
            max_length=200,
            pattern=NUL_FREE_PATTERN,
            description="Text the title contains, in any case",
        ),
    ] = None,
    scope: Annotated[  # checked and documented; both scopes are the caller's own
        Literal["owned", "all"],
        Query(
            alias="filter",
            description=(
                "owned: the conversations you own; all: every conversation you can read. "
                "Conversations are never shared with other accounts, so both list yours."
            ),
        ),
    ] = "all",
) -> JSONResponse:
    views, total = await service.list(page=page, limit=limit, search=search)
    return whole(conversation_list(conversation_page(views, total, page, limit)))


@router.post("/conversations", status_code=201, response_model=Envelope[ConversationData])
async def create_conversation(body: ConversationCreate, service: Conversations) -> JSONResponse:
    return ok(conversation_data(await service.create(body)), status_code=201)


# The body as FastAPI would document a JSON object; the route reads it raw (see below).
_DOCUMENT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "object", "additionalProperties": True, "title": "Body"}
            }
        },
    }
}


# Declared before the ``/conversations/{conversation_id}`` routes, so "import" is never an id.
@router.post(
    "/conversations/import",
    status_code=201,
    response_model=Envelope[ConversationData],
    responses=errors(403),  # guests cannot import
    openapi_extra=_DOCUMENT_BODY,
)
async def import_conversation(
    request: Request, principal: CurrentPrincipal, service: Transfers
) -> JSONResponse:
    """A conversation document (or a whole export response), stored as the caller's.

    The body is passed on as bytes: the service parses it off the event loop.
    """
    view = await service.import_document(await request.body(), principal)
    return ok(conversation_data(view), status_code=201)


@router.get(
    "/conversations/{conversation_id}/export", response_model=Envelope[ConversationDocument]
)
async def export_conversation(conversation_id: ConversationID, service: Transfers) -> JSONResponse:
    exported = await service.export(conversation_id)
    response = ok(document_out(exported))
    filename = f"{exported.conversation.id}.chatroutes.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get(
    "/conversations/{conversation_id}", response_model=Envelope[ConversationWithMessagesData]
)
async def get_conversation(conversation_id: ConversationID, service: Conversations) -> JSONResponse:
    return ok(conversation_with_messages_data(await service.get(conversation_id)))


@router.patch("/conversations/{conversation_id}", response_model=Envelope[ConversationData])
async def update_conversation(
    conversation_id: ConversationID, body: ConversationUpdate, service: Conversations
) -> JSONResponse:
    return ok(conversation_data(await service.update(conversation_id, body)))


@router.delete("/conversations/{conversation_id}", response_model=Done)
async def delete_conversation(
    conversation_id: ConversationID, service: Conversations
) -> JSONResponse:
    await service.delete(conversation_id)
    return ok()
