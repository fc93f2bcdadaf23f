"""The Chat API (``/api/chat``) on the wire: one call per turn.

Answers keep the WIRE.md envelope (``success``, ``data``) and repeat ``data``'s fields at
the top level, as ``/api/v1/conversations`` does for the SDKs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Annotated, Literal, NotRequired, Protocol

from pydantic import Field, StringConstraints
from typing_extensions import TypedDict

from ..domain.hashing import iso_timestamp
from .common import Id, Timestamp, WireModel
from .conversations import Channel
from .messages import Content, ErrorEvent, MessageOut, StoredMessage, message_out

CHAT_PREFIX = "/api/chat"

ChatProvider = Literal["ollama", "groq", "google", "claude", "openai", "openrouter"]
ChatProviderOrDefault = Literal[
    "ollama", "groq", "google", "claude", "openai", "openrouter", "default"
]
Mood = Literal["serious", "friendly", "normal"]


class ChatSend(WireModel):
    message: Content
    provider: ChatProviderOrDefault = "default"
    conversation_id: Id | None = None
    mood: Mood = "normal"
    web_search: bool = False
    stream: bool = False
    channel: Channel | None = None  # the label a new conversation gets (web, api, slack…)
    image: Annotated[str, StringConstraints(min_length=1)] | None = None  # base64
    image_mime_type: Annotated[str, StringConstraints(max_length=100)] | None = None


class ChatTruncate(WireModel):
    keep: Annotated[int, Field(ge=0)]


class ChatSettingsUpdate(WireModel):
    default_provider: ChatProvider | None


class SearchSource(Protocol):
    """A web search result a reply drew on."""

    @property
    def title(self) -> str: ...
    @property
    def url(self) -> str: ...


class Source(TypedDict):
    title: str
    url: str


class ChatReply(TypedDict):
    response: str
    conversationId: str
    provider: str
    model: str
    messageId: str
    sources: list[Source]


def chat_reply(
    conversation_id: str,
    provider: str,
    reply: StoredMessage,
    model: str | None,
    sources: Iterable[SearchSource],
) -> ChatReply:
    """``provider``: the Chat API's name for it (``claude``, not ``anthropic``)."""
    return {
        "response": reply.content,
        "conversationId": conversation_id,
        "provider": provider,
        "model": model,  # type: ignore[typeddict-item]  # a reply's model is always stored
        "messageId": reply.id,
        "sources": [{"title": s.title, "url": s.url} for s in sources],
    }


class ChatAnswer(ChatReply):
    statuses: list[str]  # what the stream sends as ``status`` events


class ChatAnswerBody(ChatAnswer):
    success: Literal[True]
    data: ChatAnswer


def chat_answer_body(reply: ChatReply, statuses: list[str]) -> ChatAnswerBody:
    answer: ChatAnswer = {**reply, "statuses": statuses}
    return {"success": True, "data": answer, **answer}


class StoredChatConversation(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def channel(self) -> str | None: ...
    @property
    def model(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...


class ChatConversationOut(TypedDict):
    id: str
    title: str
    channel: str | None
    model: str
    createdAt: Timestamp
    updatedAt: Timestamp


def chat_conversation_out(conversation: StoredChatConversation) -> ChatConversationOut:
    return {
        "id": conversation.id,
        "title": conversation.title,
        "channel": conversation.channel,
        "model": conversation.model,
        "createdAt": iso_timestamp(conversation.created_at),
        "updatedAt": iso_timestamp(conversation.updated_at),
    }


class ChatConversations(TypedDict):
    conversations: list[ChatConversationOut]


class ChatConversationsBody(ChatConversations):
    success: Literal[True]
    data: ChatConversations


def chat_conversations_body(
    conversations: Iterable[StoredChatConversation],
) -> ChatConversationsBody:
    data: ChatConversations = {"conversations": [chat_conversation_out(c) for c in conversations]}
    return {"success": True, "data": data, **data}


class SentImage(Protocol):
    """An image sent with a message."""

    @property
    def id(self) -> str: ...
    @property
    def mime_type(self) -> str: ...
    @property
    def size(self) -> int: ...


class ImageOut(TypedDict):
    """``url``: where its owner reads its bytes."""

    id: str
    mimeType: str
    size: int
    url: str


def image_out(image: SentImage) -> ImageOut:
    return {
        "id": image.id,
        "mimeType": image.mime_type,
        "size": image.size,
        "url": f"{CHAT_PREFIX}/images/{image.id}",
    }


class ChatMessageOut(MessageOut):
    images: list[ImageOut]


class ChatMessages(TypedDict):
    conversationId: str
    messages: list[ChatMessageOut]


class ChatMessagesBody(ChatMessages):
    success: Literal[True]
    data: ChatMessages


def chat_messages_body(
    conversation_id: str,
    messages: Iterable[StoredMessage],
    images: Mapping[str, Sequence[SentImage]],
) -> ChatMessagesBody:
    """``images``: by message id, those sent with it."""
    data: ChatMessages = {
        "conversationId": conversation_id,
        "messages": [
            {**message_out(m), "images": [image_out(i) for i in images.get(m.id, [])]}
            for m in messages
        ],
    }
    return {"success": True, "data": data, **data}


class ChatDeleted(TypedDict):
    conversationId: str


class ChatDeletedBody(ChatDeleted):
    success: Literal[True]
    data: ChatDeleted


def chat_deleted_body(conversation_id: str) -> ChatDeletedBody:
    data: ChatDeleted = {"conversationId": conversation_id}
    return {"success": True, "data": data, **data}


class ChatTruncated(TypedDict):
    conversationId: str
    kept: int
    deleted: int


class ChatTruncatedBody(ChatTruncated):
    success: Literal[True]
    data: ChatTruncated


def chat_truncated_body(conversation_id: str, kept: int, deleted: int) -> ChatTruncatedBody:
    data: ChatTruncated = {"conversationId": conversation_id, "kept": kept, "deleted": deleted}
    return {"success": True, "data": data, **data}


class ChatSettings(TypedDict):
    defaultProvider: str | None


class ChatSettingsBody(ChatSettings):
    success: Literal[True]
    data: ChatSettings


def chat_settings_body(default_provider: str | None) -> ChatSettingsBody:
    data: ChatSettings = {"defaultProvider": default_provider}
    return {"success": True, "data": data, **data}


# --- server-sent events ----------------------------------------------------------------


class ChatMetadataEvent(TypedDict):
    type: Literal["metadata"]
    conversationId: str
    provider: str
    model: str
    messageId: str


def chat_metadata_event(
    conversation_id: str, provider: str, model: str, message_id: str
) -> ChatMetadataEvent:
    return {
        "type": "metadata",
        "conversationId": conversation_id,
        "provider": provider,
        "model": model,
        "messageId": message_id,
    }


class ChatStatusEvent(TypedDict):
    type: Literal["status"]
    message: str


def chat_status_event(message: str) -> ChatStatusEvent:
    return {"type": "status", "message": message}


class ChatTextEvent(TypedDict):
    type: Literal["text", "reasoning"]
    content: str


def chat_text_event(kind: Literal["text", "reasoning"], text: str) -> ChatTextEvent:
    return {"type": kind, "content": text}


class ChatDoneEvent(ChatReply):
    """``finishReason`` when the reply was cut short (a stop, a shutdown)."""

    type: Literal["done"]
    finishReason: NotRequired[str | None]


def chat_done_event(reply: ChatReply) -> ChatDoneEvent:
    return {"type": "done", **reply}


def chat_cut_event(reply: ChatReply, finish_reason: str | None) -> ChatDoneEvent:
    return {"type": "done", **reply, "finishReason": finish_reason}


CHAT_EVENTS = (ChatMetadataEvent, ChatStatusEvent, ChatTextEvent, ChatDoneEvent, ErrorEvent)
