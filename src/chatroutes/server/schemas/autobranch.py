"""AutoBranch requests: suggest branches for a text, or branch a stored message."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints, field_validator

from ..domain.branch_detection import DEFAULT_COUNT, DEFAULT_THRESHOLD, MAX_COUNT, Suggestion
from .common import NoNul, WireModel

MAX_TEXT_CHARS = 100_000

Text = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT_CHARS), NoNul]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200), NoNul]
Count = Annotated[int, Field(ge=1, le=MAX_COUNT)]
Threshold = Annotated[float, Field(ge=0.0, le=1.0)]
SuggestionId = Annotated[str, StringConstraints(min_length=1, max_length=100), NoNul]


class SuggestBranchesRequest(WireModel):
    text: Text
    suggestions_count: Count = DEFAULT_COUNT
    hybrid_detection: bool = False
    threshold: Threshold = DEFAULT_THRESHOLD
    llm_model: Name | None = None
    llm_provider: Name | None = None
    llm_api_key: Annotated[str, StringConstraints(min_length=1, max_length=500), NoNul] | None = (
        None
    )

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class MessageAutobranch(WireModel):
    suggestion_ids: (
        Annotated[list[SuggestionId], Field(min_length=1, max_length=MAX_COUNT)] | None
    ) = None
    threshold: Threshold = DEFAULT_THRESHOLD
    suggestions_count: Count = DEFAULT_COUNT


def suggestion_out(suggestion: Suggestion) -> dict[str, Any]:
    """The WIRE.md suggestion, plus its kind, options and the prompt a branch would start with."""
    return {
        "id": suggestion.id,
        "title": suggestion.title,
        "description": suggestion.description,
        "triggerText": suggestion.trigger,
        "branchPoint": {"start": suggestion.start, "end": suggestion.end},
        "confidence": suggestion.confidence,
        "reasoning": suggestion.reasoning,
        "estimatedDivergence": suggestion.divergence,
        "type": suggestion.kind,
        "options": list(suggestion.options),
        "firstPrompt": suggestion.first_prompt(),
    }
