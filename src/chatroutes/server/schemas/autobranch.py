"""AutoBranch on the wire: suggest branches for a text, or branch a stored message; the
suggestions, how they were found, and the branches made from them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Literal, NotRequired, Protocol

from pydantic import AfterValidator, Field, StringConstraints, field_validator
from typing_extensions import TypedDict

from ..domain.branch_detection import (
    DEFAULT_COUNT,
    DEFAULT_THRESHOLD,
    KINDS,
    MAX_COUNT,
    Group,
    Suggestion,
)
from .branches import BranchOut, Description, StoredBranch, branch_out
from .common import NoNul, Title, WireModel

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


def _known_kind(value: str) -> str:
    if value not in KINDS:
        raise ValueError(f"must be one of {', '.join(KINDS)}")
    return value


Kind = Annotated[str, AfterValidator(_known_kind)]
Offset = Annotated[int, Field(ge=0, le=MAX_TEXT_CHARS)]
MAX_OPTIONS = 50


class BranchPointIn(WireModel):
    start: Offset
    end: Offset


class GroupIn(WireModel):
    type: Kind
    trigger_text: Text
    branch_point: BranchPointIn


class SuggestionIn(WireModel):
    """A suggestion as ``suggest-branches`` answered it (pattern or hybrid), to branch
    from. Its span must hold ``triggerText`` in the message (the service checks it);
    ``type`` may be left out when ``id`` names it (``sug_<type>_<start>_<end>``), and
    ``firstPrompt`` is recomputed. A suggestion made by hand may leave out what only
    describes it: ``confidence`` is then 1 (the caller chose it)."""

    id: SuggestionId | None = None
    title: Title
    description: Description = ""
    trigger_text: Text
    branch_point: BranchPointIn
    type: Kind | None = None
    confidence: Threshold = 1.0
    reasoning: Description = ""
    estimated_divergence: Literal["low", "medium", "high"] = "medium"
    options: Annotated[list[Name], Field(max_length=MAX_OPTIONS)] = Field(default_factory=list)
    group: GroupIn | None = None


class MessageAutobranch(WireModel):
    """Which suggestions for the message to branch from: ``suggestionIds`` (of the
    pattern detector's, run again on the message), ``suggestions`` (the suggestions
    themselves, as ``suggest-branches`` gave them: hybrid ones too), or neither (the
    detector's best, by ``threshold`` and ``suggestionsCount``)."""

    suggestion_ids: (
        Annotated[list[SuggestionId], Field(min_length=1, max_length=MAX_COUNT)] | None
    ) = None
    suggestions: Annotated[list[SuggestionIn], Field(min_length=1, max_length=MAX_COUNT)] | None = (
        None
    )
    threshold: Threshold = DEFAULT_THRESHOLD
    suggestions_count: Count = DEFAULT_COUNT


class BranchPoint(TypedDict):
    start: int
    end: int


class GroupOut(TypedDict):
    """The branch point a suggestion is one option of, read as a whole ("A or B")."""

    id: str
    type: str
    triggerText: str
    branchPoint: BranchPoint


class GroupSummary(GroupOut):
    suggestionIds: list[str]


class SuggestionOut(TypedDict):
    id: str
    title: str
    description: str
    triggerText: str
    branchPoint: BranchPoint
    confidence: Annotated[float, Field(ge=0.0, le=1.0)]
    reasoning: str
    estimatedDivergence: Literal["low", "medium", "high"]
    type: str
    options: list[str]
    firstPrompt: str
    group: GroupOut


def _group(suggestion: Suggestion) -> Group:
    return suggestion.group or Group(
        suggestion.kind, suggestion.start, suggestion.end, suggestion.trigger
    )


def group_out(group: Group) -> GroupOut:
    return {
        "id": group.id,
        "type": group.kind,
        "triggerText": group.trigger,
        "branchPoint": {"start": group.start, "end": group.end},
    }


def suggestion_out(suggestion: Suggestion) -> SuggestionOut:
    """The WIRE.md suggestion, plus its kind, its group's options, the prompt a branch
    would start with, and the branch point (group) it is one option of."""
    return {
        "id": suggestion.id,
        "title": suggestion.title,
        "description": suggestion.description,
        "triggerText": suggestion.trigger,
        "branchPoint": {"start": suggestion.start, "end": suggestion.end},
        "confidence": suggestion.confidence,
        "reasoning": suggestion.reasoning,
        "estimatedDivergence": suggestion.divergence,  # type: ignore[typeddict-item]
        "type": suggestion.kind,
        "options": list(suggestion.options),
        "firstPrompt": suggestion.first_prompt(),
        "group": group_out(_group(suggestion)),
    }


def groups_out(suggestions: Iterable[Suggestion]) -> list[GroupSummary]:
    """The branch points of ``suggestions``, each with the ids of its suggestions given."""
    by_id: dict[str, GroupSummary] = {}
    for suggestion in suggestions:
        group = _group(suggestion)
        summary = by_id.setdefault(group.id, {**group_out(group), "suggestionIds": []})
        summary["suggestionIds"].append(suggestion.id)
    return list(by_id.values())


class Found(Protocol):
    @property
    def total_found(self) -> int: ...


class DetectionRun(Protocol):
    """How suggestions were found: ``pattern`` or ``hybrid`` (a model reviewed them)."""

    @property
    def detection(self) -> Found: ...
    @property
    def method(self) -> str: ...
    @property
    def model(self) -> str | None: ...
    @property
    def fallback_reason(self) -> str | None: ...
    @property
    def review(self) -> dict[str, int]: ...


class DetectionMetadata(TypedDict):
    """``fallbackReason``: why a hybrid detection fell back to patterns alone; ``review``:
    what the reviewing model did to the candidates; ``groups``: the branch points the
    suggestions belong to, each read as a whole."""

    detectionMethod: str
    totalBranchPointsFound: int
    modelUsed: str | None
    groups: list[GroupSummary]
    fallbackReason: NotRequired[str]
    review: NotRequired[dict[str, int]]


def detection_metadata(run: DetectionRun, suggestions: list[Suggestion]) -> DetectionMetadata:
    metadata: DetectionMetadata = {
        "detectionMethod": run.method,
        "totalBranchPointsFound": run.detection.total_found,
        "modelUsed": run.model,
        "groups": groups_out(suggestions),
    }
    if run.fallback_reason is not None:
        metadata["fallbackReason"] = run.fallback_reason
    if run.review:
        metadata["review"] = run.review
    return metadata


class SuggestionsData(TypedDict):
    suggestions: list[SuggestionOut]
    metadata: DetectionMetadata


def suggestions_data(run: DetectionRun, suggestions: Iterable[Suggestion]) -> SuggestionsData:
    kept = list(suggestions)
    return {
        "suggestions": [suggestion_out(s) for s in kept],
        "metadata": detection_metadata(run, kept),
    }


class SuggestedBranch(BranchOut):
    suggestionId: str
    firstPrompt: str


class AutobranchData(TypedDict):
    suggestions: list[SuggestionOut]
    branches: list[SuggestedBranch]


def autobranch_data(
    suggestions: Iterable[Suggestion], branches: Iterable[tuple[Suggestion, StoredBranch]]
) -> AutobranchData:
    """The message's suggestions and the branches made from the chosen ones (no messages
    yet: each starts at the message)."""
    return {
        "suggestions": [suggestion_out(s) for s in suggestions],
        "branches": [
            {**branch_out(branch, 0), "suggestionId": s.id, "firstPrompt": s.first_prompt()}
            for s, branch in branches
        ],
    }
