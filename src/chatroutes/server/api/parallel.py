"""Parallel responses: candidates side by side, as JSON or as one interleaved event stream."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping

from fastapi import APIRouter
from fastapi.responses import JSONResponse, StreamingResponse

from ..schemas.envelope import Envelope
from ..schemas.parallel import (
    PARALLEL_EVENTS,
    CandidateChoice,
    ChosenSessionOut,
    ParallelCreate,
    ResponseSessionOut,
    candidate_event,
    chosen_session_out,
    session_event,
    session_out,
)
from ..services.live import StreamEvent
from ..services.parallel import ParallelService, StartedSession
from .deps import ConversationID, Parallel, SessionID
from .envelope import ok
from .openapi import errors, sse_responses
from .streaming import EventStreamResponse, event_payload, sse_frames, sse_response

router = APIRouter(tags=["parallel responses"])

# Candidates share the branch: a busy one is 409; providers fail per candidate.
_START_ERRORS = errors(402, 409, 502, 503, 504)


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
    return ok(chosen_session_out(await service.choose(session_id, body.candidate_id)))


async def _interleaved(
    started: StartedSession, service: ParallelService
) -> AsyncIterator[tuple[str, Mapping[str, object]]]:
    """A ``session`` event, every candidate's events as they come, then the final session."""
    session_id = started.view.session.id
    yield f"{session_id}:start", session_event(started.view)
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
            yield f"{reply_id}:{event.offset}", candidate_event(event_payload(event), candidate_id)
        await asyncio.shield(started.done)
        final = await service.get(session_id)
        yield f"{session_id}:end", session_event(final)
    finally:
        for follower in followers:
            follower.cancel()
