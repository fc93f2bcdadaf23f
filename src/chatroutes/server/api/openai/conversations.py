"""``/v1/conversations``: a ChatRoutes conversation as OpenAI's, its main branch the item
list: create, retrieve, update its metadata, delete, and its items."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse

from ...schemas.common import NUL_FREE_PATTERN
from ...schemas.openai.conversations import (
    ConversationCreateBody,
    ConversationObject,
    ConversationUpdateBody,
    DeletedConversation,
    ItemsCreate,
    conversation_object,
    deleted_conversation,
)
from ...schemas.openai.items import ItemList, MessageItem, item_list, message_item
from ...services.openai_conversations import OpenAIConversationService
from ..deps import Context
from ..envelope import whole
from .deps import OpenAIPrincipal
from .responses import Include, ItemCursor, Limit, Order

router = APIRouter(tags=["openai"])

_ID = Path(min_length=1, max_length=64, pattern=NUL_FREE_PATTERN)
ConversationID = Annotated[str, _ID]
ItemID = Annotated[str, _ID]


async def conversations_service(
    ctx: Context, principal: OpenAIPrincipal
) -> OpenAIConversationService:
    return OpenAIConversationService(ctx, principal.user_id)


Conversations = Annotated[OpenAIConversationService, Depends(conversations_service)]


@router.post("/conversations", response_model=ConversationObject)
async def create_conversation(body: ConversationCreateBody, service: Conversations) -> JSONResponse:
    items, metadata = body.checked()
    state = await service.create(items, metadata)
    return whole(conversation_object(state.conversation, state.metadata))


@router.get("/conversations/{conversation_id}", response_model=ConversationObject)
async def retrieve_conversation(
    conversation_id: ConversationID, service: Conversations
) -> JSONResponse:
    state = await service.get(conversation_id)
    return whole(conversation_object(state.conversation, state.metadata))


@router.post("/conversations/{conversation_id}", response_model=ConversationObject)
async def update_conversation(
    conversation_id: ConversationID, body: ConversationUpdateBody, service: Conversations
) -> JSONResponse:
    state = await service.update(conversation_id, body.checked())
    return whole(conversation_object(state.conversation, state.metadata))


@router.delete("/conversations/{conversation_id}", response_model=DeletedConversation)
async def delete_conversation(
    conversation_id: ConversationID, service: Conversations
) -> JSONResponse:
    await service.delete(conversation_id)
    return whole(deleted_conversation(conversation_id))


@router.get("/conversations/{conversation_id}/items", response_model=ItemList)
async def list_items(
    conversation_id: ConversationID,
    service: Conversations,
    after: ItemCursor = None,
    limit: Limit = 20,
    order: Order = "desc",
    include: Include = [],  # noqa: B006 -- FastAPI copies a query default
) -> JSONResponse:
    page = await service.items(conversation_id, after=after, limit=limit, order=order)
    items = [message_item(m, page.images.get(m.id, ())) for m in page.messages]
    return whole(item_list(items, page.has_more))


@router.post("/conversations/{conversation_id}/items", response_model=ItemList)
async def create_items(
    conversation_id: ConversationID,
    body: ItemsCreate,
    service: Conversations,
    include: Include = [],  # noqa: B006
) -> JSONResponse:
    items = body.checked()
    messages = await service.append(conversation_id, items)
    made = [message_item(m, item.images) for m, item in zip(messages, items, strict=True)]
    return whole(item_list(made))


@router.get("/conversations/{conversation_id}/items/{item_id}", response_model=MessageItem)
async def retrieve_item(
    conversation_id: ConversationID,
    item_id: ItemID,
    service: Conversations,
    include: Include = [],  # noqa: B006
) -> JSONResponse:
    message, images = await service.item(conversation_id, item_id)
    return whole(message_item(message, images))


@router.delete(
    "/conversations/{conversation_id}/items/{item_id}", response_model=ConversationObject
)
async def delete_item(
    conversation_id: ConversationID, item_id: ItemID, service: Conversations
) -> JSONResponse:
    state = await service.delete_item(conversation_id, item_id)
    return whole(conversation_object(state.conversation, state.metadata))
