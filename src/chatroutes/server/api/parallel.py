"""Parallel responses: candidates side by side, as JSON or as one interleaved event stream."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, StreamingResponse

from ..schemas.parallel import CandidateChoice, ParallelCreate
from ..schemas.responses import (
    PARALLEL_EVENTS,
    ChosenSessionOut,
    Envelope,
    ResponseSessionOut,
)
from ..schemas.wire import branch_out, message_out
from ..services.live import StreamEvent
from ..services.parallel import ParallelService, SessionView, StartedSession
from ..store.tables import ResponseCandidate
from .deps import ConversationID, Parallel, SessionID
from .envelope import ok
from .messages_shape import usage_out
from .openapi import errors, sse_responses
from .streaming import EventStreamResponse, event_payload, sse_frames, sse_response

router = APIRouter(tags=["parallel responses"])

# Candidates share the branch: a busy one is 409; providers fail per candidate.
_START_ERRORS = errors(409, 502, 503, 504)


def candidate_out(view: SessionView, candidate: ResponseCandidate) -> dict[str, Any]:
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
        "error": candidate.error,
    }


def session_out(view: SessionView) -> dict[str, Any]:
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


@router.post(
    "/conversations/{conversation_id}/parallel-responses",
    status_code=201,
    response_model=Envelope[ResponseSessionOut],
    responses=_START_ERRORS,
)
async def create_parallel_responses(
    conversation_id: ConversationID, body: ParallelCreate, service: Parallel
) -> JSONResponse:
    started = await service.start(conversation_id, body)
    # The candidates belong to the server: a client that leaves stops only its wait.
    await asyncio.shield(started.done)
    return ok(session_out(await service.get(started.view.session.id)), status_code=201)


@router.post(
    "/conversations/{conversation_id}/parallel-responses/stream",
    response_class=EventStreamResponse,
    responses=sse_responses(*PARALLEL_EVENTS) | _START_ERRORS,
)
async def stream_parallel_responses(
    conversation_id: ConversationID, body: ParallelCreate, service: Parallel
) -> StreamingResponse:
    started = await service.start(conversation_id, body)
    return sse_response(
        sse_frames(_interleaved(started, service), service.ctx.settings.sse_heartbeat_seconds)
    )


@router.get("/response-sessions/{session_id}", response_model=Envelope[ResponseSessionOut])
async def get_response_session(session_id: SessionID, service: Parallel) -> JSONResponse:
    return ok(session_out(await service.get(session_id)))


@router.post(
    "/response-sessions/{session_id}/choose",
    response_model=Envelope[ChosenSessionOut],
    responses=errors(409),
)
async def choose_candidate(
    session_id: SessionID, body: CandidateChoice, service: Parallel
) -> JSONResponse:
    view = await service.choose(session_id, body.candidate_id)
    chosen = next(c for c in view.candidates if c.id == view.session.chosen_candidate_id)
    data = session_out(view)
    data["message"] = message_out(view.messages[chosen.message_id])  # type: ignore[index]
    data["branch"] = branch_out(view.branch) if view.branch is not None else None
    return ok(data)


async def _interleaved(
    started: StartedSession, service: ParallelService
) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """A ``session`` event, every candidate's events as they come, then the final session."""
    session_id = started.view.session.id
    yield f"{session_id}:start", {"type": "session", "session": session_out(started.view)}
    queue: asyncio.Queue[tuple[str, str, StreamEvent] | None] = asyncio.Queue()

    async def follow(candidate_id: str, reply_id: str) -> None:
        async for event in started.lives[candidate_id].follow(0):
            queue.put_nowait((candidate_id, reply_id, event))

    followers = [
        asyncio.ensure_future(follow(c.id, c.message_id or "")) for c in started.view.candidates
    ]
    finished = asyncio.ensure_future(asyncio.gather(*followers))
    finished.add_done_callback(lambda _: queue.put_nowait(None))
    try:
        while (item := await queue.get()) is not None:
            candidate_id, reply_id, event = item
            yield (
                f"{reply_id}:{event.offset}",
                {
                    **event_payload(event),
                    "candidateId": candidate_id,
                },
            )
        await asyncio.shield(started.done)
        final = await service.get(session_id)
        yield f"{session_id}:end", {"type": "session", "session": session_out(final)}
    finally:
        for follower in followers:
            follower.cancel()
