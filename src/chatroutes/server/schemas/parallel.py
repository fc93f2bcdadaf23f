"""Parallel responses on the wire: candidates from several models side by side, and the
one chosen."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal, Protocol, cast

from pydantic import Field, StringConstraints
from typing_extensions import TypedDict

from .branches import BranchOut, StoredBranch, branch_out
from .common import Id, MaxTokens, NoNul, Temperature, WireModel
from .envelope import ErrorFields
from .messages import (
    REPLY_EVENTS,
    Content,
    MessageOut,
    ReplyEvent,
    StoredMessage,
    Usage,
    message_out,
    usage_out,
)

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


class StoredCandidate(Protocol):
    """A stored candidate as read (a ``ResponseCandidate`` row)."""

    @property
    def id(self) -> str: ...
    @property
    def model(self) -> str: ...
    @property
    def temperature(self) -> float | None: ...
    @property
    def status(self) -> str: ...
    @property
    def message_id(self) -> str | None: ...
    @property
    def prompt_tokens(self) -> int | None: ...
    @property
    def completion_tokens(self) -> int | None: ...
    @property
    def cost(self) -> float | None: ...
    @property
    def latency_ms(self) -> float | None: ...
    @property
    def error(self) -> dict[str, Any] | None: ...


class StoredSession(Protocol):
    """A stored parallel-responses session as read (a ``ResponseSession`` row)."""

    @property
    def id(self) -> str: ...
    @property
    def conversation_id(self) -> str: ...
    @property
    def branch_id(self) -> str: ...
    @property
    def user_message_id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def chosen_candidate_id(self) -> str | None: ...


class SessionRead(Protocol):
    """A session, its candidates, their stored replies (and the question) by id, the
    text so far of those still streaming, and the branch a choice made."""

    @property
    def session(self) -> StoredSession: ...
    @property
    def candidates(self) -> Sequence[StoredCandidate]: ...
    @property
    def messages(self) -> Mapping[str, StoredMessage]: ...
    @property
    def live_text(self) -> Mapping[str, str]: ...
    @property
    def branch(self) -> StoredBranch | None: ...


class CandidateOut(TypedDict):
    """``error``: why a failed candidate failed, as an error body gives it."""

    id: str
    model: str
    temperature: float | None
    status: str
    content: str
    messageId: str | None
    usage: Usage
    cost: float | None
    latencyMs: float | None
    error: ErrorFields | None


def candidate_out(view: SessionRead, candidate: StoredCandidate) -> CandidateOut:
    stored = view.messages.get(candidate.message_id) if candidate.message_id else None
    content = stored.content if stored is not None else view.live_text.get(candidate.id, "")
    prompt, completion = candidate.prompt_tokens or 0, candidate.completion_tokens or 0
    return {
        "id": candidate.id,
        "model": candidate.model,
        "temperature": candidate.temperature,
        "status": candidate.status,
        "content": content,
        "messageId": candidate.message_id if stored is not None else None,
        "usage": usage_out(prompt, completion),
        "cost": candidate.cost,
        "latencyMs": candidate.latency_ms,
        "error": cast(ErrorFields | None, candidate.error),  # stored as ``body()`` wrote it
    }


class ResponseSessionOut(TypedDict):
    id: str
    conversationId: str
    branchId: str
    status: str
    userMessage: MessageOut | None
    candidates: list[CandidateOut]
    chosenCandidateId: str | None
    usage: Usage
    cost: float


def session_out(view: SessionRead) -> ResponseSessionOut:
    session = view.session
    candidates = [candidate_out(view, c) for c in view.candidates]
    prompt = sum(c["usage"]["promptTokens"] for c in candidates)
    completion = sum(c["usage"]["completionTokens"] for c in candidates)
    question = view.messages.get(session.user_message_id)
    return {
        "id": session.id,
        "conversationId": session.conversation_id,
        "branchId": session.branch_id,
        "status": session.status,
        "userMessage": message_out(question) if question is not None else None,
        "candidates": candidates,
        "chosenCandidateId": session.chosen_candidate_id,
        "usage": usage_out(prompt, completion),
        "cost": round(sum(c["cost"] or 0.0 for c in candidates), 10),
    }


class ChosenSessionOut(ResponseSessionOut):
    message: MessageOut
    branch: BranchOut | None


def chosen_session_out(view: SessionRead) -> ChosenSessionOut:
    """The session with the chosen reply and the branch it went onto, when choosing made one."""
    chosen = next(c for c in view.candidates if c.id == view.session.chosen_candidate_id)
    return {
        **session_out(view),
        "message": message_out(view.messages[chosen.message_id]),  # type: ignore[index]
        "branch": branch_out(view.branch) if view.branch is not None else None,
    }


class SessionEvent(TypedDict):
    """Parallel responses: the session first and last; candidates' events carry ``candidateId``."""

    type: Literal["session"]
    session: ResponseSessionOut


def session_event(view: SessionRead) -> SessionEvent:
    return {"type": "session", "session": session_out(view)}


def candidate_event(event: ReplyEvent, candidate_id: str) -> ReplyEvent:
    """A candidate's reply event, marked with whose it is (in place: each is built anew)."""
    event["candidateId"] = candidate_id
    return event


PARALLEL_EVENTS = (*REPLY_EVENTS, SessionEvent)
