from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from .common import NoNul, WireModel

Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), NoNul
]
SystemPrompt = Annotated[str, StringConstraints(max_length=100_000), NoNul]
ModelName = Annotated[str, StringConstraints(max_length=200), NoNul]
Temperature = Annotated[float, Field(ge=0.0, le=2.0)]
MaxTokens = Annotated[int, Field(ge=1, le=1_000_000)]
Channel = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), NoNul
]


# Listing pages: far past any real account, and (page - 1) * limit stays a 64-bit OFFSET.
MAX_PAGE = 1_000_000


class ConversationCreate(WireModel):
    title: Title
    model: ModelName | None = None
    system_prompt: SystemPrompt | None = None
    temperature: Temperature = 0.7
    max_tokens: MaxTokens = 2048
    channel: Channel | None = None


class ConversationUpdate(WireModel):
    title: Title | None = None
    model: ModelName | None = None
    system_prompt: SystemPrompt | None = None
    temperature: Temperature | None = None
    max_tokens: MaxTokens | None = None
    archived: bool | None = None
