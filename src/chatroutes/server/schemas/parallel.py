from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from .common import NoNul, WireModel
from .conversations import MaxTokens, Temperature
from .messages import Content, Id

MAX_CANDIDATES = 5

ModelName = Annotated[str, StringConstraints(min_length=1, max_length=200), NoNul]


class ParallelCreate(WireModel):
    content: Content
    models: Annotated[list[ModelName], Field(min_length=1, max_length=MAX_CANDIDATES)] | None = None
    count: Annotated[int, Field(ge=1, le=MAX_CANDIDATES)] = 3
    branch_id: Id | None = None
    temperature: Temperature | None = None
    max_tokens: MaxTokens | None = None


class CandidateChoice(WireModel):
    candidate_id: Id
