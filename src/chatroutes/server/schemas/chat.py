"""Request models of the Chat API (``/api/chat``): one call per turn."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from .common import WireModel
from .conversations import Channel
from .messages import Content, Id

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
