"""OpenAI's Conversations API on the wire: its bodies, the conversation object and the
deletion's answer. Items are ``schemas/openai/items.py``'s."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import Field
from typing_extensions import TypedDict

from .items import InputItem, metadata_of, parse_items
from .responses import OpenAIBody, unix

MAX_ITEMS_PER_CALL = 20  # OpenAI's limit on items.create and on a conversation's creation


class ConversationCreateBody(OpenAIBody):
    items: list[Any] | None = None
    metadata: dict[str, Any] | None = None

    def checked(self) -> tuple[list[InputItem], dict[str, str]]:
        items = parse_items(self.items, "items", limit=MAX_ITEMS_PER_CALL) if self.items else []
        return items, metadata_of(self.metadata)


class ConversationUpdateBody(OpenAIBody):
    metadata: dict[str, Any]

    def checked(self) -> dict[str, str]:
        return metadata_of(self.metadata)


class ItemsCreate(OpenAIBody):
    items: list[Any] = Field(min_length=1)

    def checked(self) -> list[InputItem]:
        return parse_items(self.items, "items", limit=MAX_ITEMS_PER_CALL)


class StoredConversation(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


class ConversationObject(TypedDict):
    id: str
    object: Literal["conversation"]
    created_at: int
    metadata: dict[str, str]


def conversation_object(
    conversation: StoredConversation, metadata: dict[str, str]
) -> ConversationObject:
    return {
        "id": conversation.id,
        "object": "conversation",
        "created_at": unix(conversation.created_at),
        "metadata": metadata,
    }


class DeletedConversation(TypedDict):
    id: str
    object: Literal["conversation.deleted"]
    deleted: bool


def deleted_conversation(conversation_id: str) -> DeletedConversation:
    return {"id": conversation_id, "object": "conversation.deleted", "deleted": True}
