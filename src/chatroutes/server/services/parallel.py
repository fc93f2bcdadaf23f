"""Parallel responses: one question, several candidate replies generated side by side.

The question is stored once, under the branch's generation lease. Each
candidate (one per model, or samples of one model at spread temperatures)
streams into its own live reply and is stored as an assistant message under
the question, so every candidate is in the tree and can be forked. The
branch's head stays on the question until one candidate is chosen; the
others remain as siblings. One failing candidate fails only itself.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.errors import Conflict, Interrupted, InvalidRequest, NotFound
from ..domain.ids import new_id
from ..domain.webhooks import MESSAGE_COMPLETED, PARALLEL_COMPLETED
from ..observability.metrics import record_reply
from ..providers.base import Completion
from ..schemas.messages import MessageSend
from ..schemas.parallel import ParallelCreate
from ..store.branches import BranchRepository
from ..store.conversations import ConversationRepository
from ..store.messages import MessageRepository
from ..store.response_sessions import ResponseSessionRepository
from ..store.tables import Branch, Message, ResponseCandidate, ResponseSession, User
from .branches import build_message
from .live import LiveReply, StreamEvent
from .metering import Meter, Reservation, reserved_prompt, spent_by
from .recovery import INTERRUPTED, renew_lease
from .sending import (
    Prepared,
    Sender,
    SendPipeline,
    SendTarget,
    budget_hold,
    clamp_to_reservation,
    elapsed_since,
    partial_completion,
    reply_meta,
    reportable,
)
from .server_context import ServerContext, utcnow
from .webhooks import Outbox, emit_in, message_data

logger = logging.getLogger("chatroutes.server")
# How far each sample's temperature is moved from the asked one when one model answers.
TEMPERATURE_SPREAD = (0.0, 0.4, -0.4, 0.8, -0.2)
MAX_TEMPERATURE = 2.0


@dataclass
class SessionView:
    session: ResponseSession
    candidates: list[ResponseCandidate]
    messages: dict[str, Message]  # stored candidate replies and the question, by id
    live_text: dict[str, str]  # text so far of candidates still streaming (in any process)
    branch: Branch | None = None


@dataclass
class StartedSession:
    view: SessionView
    lives: dict[str, LiveReply]  # by candidate id
    done: asyncio.Task[None]


@dataclass
class _Candidate:
    row: ResponseCandidate
    prepared: Prepared
    live: LiveReply


class ParallelService:
    def __init__(self, ctx: ServerContext, user_id: str, user: User | None = None) -> None:
        self.ctx = ctx
        self.user_id = user_id
        self.sender = Sender(user_id, user)
        self.pipeline = SendPipeline(ctx)

    async def start(self, conversation_id: str, request: ParallelCreate) -> StartedSession:
        """Store the question and start every candidate; they run apart from the request."""
        for model in request.models or ():
            self._check_model(model)
        asked = MessageSend(
            content=request.content,
            model=request.models[0] if request.models else None,
            temperature=request.temperature,
            max_tokens=request.max_tokens,
            branch_id=request.branch_id,
        )
        prepared = await self.pipeline.store_question(
            self.sender, SendTarget(conversation_id), asked, reserve=False
        )
        now = utcnow()
        response_session = ResponseSession(
            id=new_id("rs"),
            conversation_id=conversation_id,
            branch_id=prepared.branch.id,
            user_message_id=prepared.user_message.id,
            status="running",
            created_at=now,
            updated_at=now,
        )
        candidates = [
            self._candidate(response_session, position, variant, prepared)
            for position, variant in enumerate(self._variants(request, prepared))
        ]
        try:
            await self._reserve(candidates)
            async with self.ctx.db.write() as session:
                await ResponseSessionRepository(session).add(
                    response_session, [c.row for c in candidates]
                )
        except BaseException:
            meter = Meter(self.ctx)
            for candidate in candidates:
                if candidate.prepared.reservation is not None:
                    await meter.settle(candidate.prepared.reservation, 0)
            await self.pipeline.release_lease(prepared)
            raise
        for candidate in candidates:
            self.ctx.live[candidate.live.reply_id] = candidate.live
        done = self.ctx.spawn(self._run(response_session.id, prepared, candidates))
        view = SessionView(
            session=response_session,
            candidates=[c.row for c in candidates],
            messages={prepared.user_message.id: prepared.user_message},
            live_text={},
        )
        return StartedSession(view, {c.row.id: c.live for c in candidates}, done)

    async def get(self, session_id: str) -> SessionView:
        async with self.ctx.db.read() as session:
            return await self._view(session, session_id)

    async def choose(self, session_id: str, candidate_id: str) -> SessionView:
        """The chosen candidate becomes the branch's next message; the others stay as siblings."""
        async with self.ctx.db.write() as session:
            view = await self._view(session, session_id)
            response_session = view.session
            chosen = next((c for c in view.candidates if c.id == candidate_id), None)
            if chosen is None:
                raise InvalidRequest(
                    f"candidateId: no candidate {candidate_id} in session {session_id}",
                    field="candidateId",
                )
            if response_session.status == "chosen":
                if response_session.chosen_candidate_id == candidate_id:
                    return view  # choosing again is a no-op
                raise Conflict(
                    f"Session {session_id} already chose candidate "
                    f"{response_session.chosen_candidate_id}",
                    details={"chosenCandidateId": response_session.chosen_candidate_id},
                )
            if chosen.status != "complete" or chosen.message_id not in view.messages:
                raise InvalidRequest(
                    f"candidateId: candidate {candidate_id} is {chosen.status}, not complete",
                    field="candidateId",
                )
            now = utcnow()
            branches = BranchRepository(session)
            if not await branches.move_head(
                response_session.branch_id,
                expected=response_session.user_message_id,
                new=chosen.message_id,
                when=now,
            ):
                raise Conflict(
                    f"Branch {response_session.branch_id} moved on since the question; "
                    "fork at the candidate instead",
                    details={"branchId": response_session.branch_id},
                )
            await ResponseSessionRepository(session).update_session(
                session_id, status="chosen", chosen_candidate_id=candidate_id, updated_at=now
            )
            await ConversationRepository(session).touch(response_session.conversation_id, now)
            reply = view.messages[chosen.message_id]
            await emit_in(session, self.user_id, MESSAGE_COMPLETED, message_data(reply))
            response_session.status = "chosen"
            response_session.chosen_candidate_id = candidate_id
            view.branch = await branches.get_in_conversation(
                response_session.branch_id, response_session.conversation_id
            )
        return view

    async def _reserve(self, candidates: list[_Candidate]) -> None:
        """Each candidate reserves its own tokens, as a send of its own would, with an
        equal share of what the limits leave: a session they cannot cover is refused whole."""
        meter = Meter(self.ctx)
        account = candidates[0].prepared.account
        assert account is not None
        left = await meter.remaining(account)
        for candidate in candidates:
            prepared = candidate.prepared
            prompt = prepared.context.prompt_tokens
            wanted = prepared.request.max_tokens
            if left is not None:
                wanted = max(min(wanted, left // len(candidates) - reserved_prompt(prompt)), 0)
            reservation = await meter.reserve(
                account, prompt, wanted, budget=budget_hold(prepared), cost_of=prepared.info.cost
            )
            prepared.reservation = reservation
            candidate.row.reservation = reservation.record()  # for recovery, if the process dies
            clamp_to_reservation(prepared)

    def _check_model(self, model: str) -> None:
        try:
            self.ctx.registry.routes(model)
        except InvalidRequest as exc:
            raise InvalidRequest(f"models: {exc.message}", field="models") from exc

    def _variants(self, request: ParallelCreate, prepared: Prepared) -> list[tuple[str, float]]:
        """(model, temperature) per candidate."""
        base = prepared.request.temperature
        base = 0.7 if base is None else base
        if request.models:
            return [(model, base) for model in request.models]
        return [
            (prepared.info.name, round(min(max(base + spread, 0.0), MAX_TEMPERATURE), 2))
            for spread in TEMPERATURE_SPREAD[: request.count]
        ]

    def _candidate(
        self,
        response_session: ResponseSession,
        position: int,
        variant: tuple[str, float],
        prepared: Prepared,
    ) -> _Candidate:
        model, temperature = variant
        routes = self.ctx.registry.routes(model)
        info, provider = routes[0]
        own = replace(
            prepared,
            info=info,
            provider=provider,
            routes=routes,
            request=replace(
                prepared.request,
                model=info.upstream_id,
                temperature=temperature,
                max_tokens=min(prepared.request.max_tokens, info.max_output),
            ),
            attempts=0,
            fallback_from=None,
            reply_id=new_id("msg"),
        )
        row = ResponseCandidate(
            id=new_id("cand"),
            session_id=response_session.id,
            position=position,
            model=info.name,
            temperature=temperature,
            status="pending",
            message_id=own.reply_id,
        )
        return _Candidate(row, own, LiveReply(own.reply_id, response_session.conversation_id))

    async def _run(self, session_id: str, prepared: Prepared, candidates: list[_Candidate]) -> None:
        try:
            heartbeat = asyncio.create_task(self._heartbeat(prepared, candidates))
            try:  # each candidate catches its own failures; a cancel waits for all to store
                await asyncio.gather(
                    *(self._generate(session_id, c) for c in candidates), return_exceptions=True
                )
            finally:
                heartbeat.cancel()
                await asyncio.gather(heartbeat, return_exceptions=True)
        finally:  # cut short too (shutdown): the session ends with its lease, in one write
            await asyncio.shield(self._close(session_id, prepared, candidates))

    async def _close(
        self, session_id: str, prepared: Prepared, candidates: list[_Candidate]
    ) -> None:
        status = "complete" if any(c.row.status == "complete" for c in candidates) else "error"
        finished = {
            "conversationId": prepared.conversation.id,
            "branchId": prepared.branch.id,
            "sessionId": session_id,
            "userMessageId": prepared.user_message.id,
            "status": status,
            "candidates": [
                {
                    "candidateId": c.row.id,
                    "model": c.row.model,
                    "status": c.row.status,
                    "messageId": c.row.message_id if c.row.status == "complete" else None,
                }
                for c in candidates
            ],
        }
        async with self.ctx.db.write() as session:
            await ResponseSessionRepository(session).update_session(
                session_id, status=status, updated_at=utcnow()
            )
            await BranchRepository(session).release_lease(prepared.branch.id, prepared.lease)
            await emit_in(session, self.user_id, PARALLEL_COMPLETED, finished)

    async def _heartbeat(self, prepared: Prepared, candidates: list[_Candidate]) -> None:
        """Renew the branch's lease and flush each streaming candidate's text so far.

        A process that dies mid-session stops renewing; the recovery sweep then stores
        each unfinished candidate as far as it was flushed (``services/recovery.py``).
        """
        flushed = dict.fromkeys((c.row.id for c in candidates), 0)
        while True:
            await asyncio.sleep(self.ctx.settings.generation_heartbeat_seconds)
            changed = [
                c
                for c in candidates
                if c.row.status == "streaming" and c.live.length != flushed[c.row.id]
            ]
            lengths = {c.row.id: c.live.length for c in changed}
            try:  # bookkeeping: the beat need not wait for the disk
                async with self.ctx.db.write(durable=False) as session:
                    renewal = await renew_lease(self.ctx, session, prepared, None)
                    for candidate in changed:
                        await ResponseSessionRepository(session).update_candidate(
                            candidate.row.id, partial_text="".join(candidate.live.parts)
                        )
            except Exception:  # a missed beat is retried; the lease outlasts several
                logger.warning("parallel session heartbeat failed", exc_info=True)
                continue
            if not renewal.held:
                return
            flushed |= lengths

    async def _generate(self, session_id: str, candidate: _Candidate) -> None:
        """One candidate, start to stored (its row's status tells how it ended)."""
        prepared, live, row = candidate.prepared, candidate.live, candidate.row
        started = time.perf_counter()
        try:
            await self._update(row, status="streaming")
            try:
                completion = await self.pipeline.stream_completion(prepared, live)
            except asyncio.CancelledError:  # shutdown past its grace: keep the text so far
                await asyncio.shield(self._store_interrupted(session_id, candidate, started))
                raise
            except Exception as exc:
                error = reportable(exc)
                partial = partial_completion(prepared, "".join(live.parts), failure=exc)
                await self._store(session_id, candidate, partial, started, error.body())
                live.finish(StreamEvent("error", live.length, error=error))
                return
            message = await self._store(session_id, candidate, completion, started)
            live.finish(StreamEvent("stored", live.length, result=message))
        except Exception as exc:  # storing failed: readers still get an end, never a hang
            row.status = "error"
            live.finish(StreamEvent("error", live.length, error=reportable(exc)))
        finally:
            self.ctx.live.pop(live.reply_id, None)

    async def _store_interrupted(
        self, session_id: str, candidate: _Candidate, started: float
    ) -> None:
        """The text so far as the candidate's reply, marked ``interrupted``; readers get an end."""
        live = candidate.live
        completion = partial_completion(candidate.prepared, "".join(live.parts), INTERRUPTED)
        message = await self._store(
            session_id, candidate, completion, started, Interrupted().body()
        )
        live.finish(
            StreamEvent("stored", live.length, result=message)
            if message is not None
            else StreamEvent("error", live.length, error=Interrupted())
        )

    async def _store(
        self,
        session_id: str,
        candidate: _Candidate,
        completion: Completion | None,
        started: float,
        error: dict[str, Any] | None = None,
    ) -> Message | None:
        """The candidate's reply under the question (partial if it failed) and its outcome."""
        prepared, row = candidate.prepared, candidate.row
        latency_ms = elapsed_since(started)
        message: Message | None = None
        values: dict[str, Any] = {
            "status": "error" if error else "complete",
            "error": error,
            "partial_text": None,
            "reservation": None,  # settled with this write
        }
        if completion is not None:
            meta = reply_meta(prepared, completion, latency_ms) | {
                "responseSessionId": session_id,
                "candidateId": row.id,
            }
            message = build_message(
                message_id=prepared.reply_id,
                conversation_id=prepared.branch.conversation_id,
                branch_id=prepared.branch.id,
                parent_id=prepared.user_message.id,
                role="assistant",
                content=completion.content,
                model=prepared.info.name,
                token_count=completion.completion_tokens,
                meta=meta,
            )
            values |= {
                "prompt_tokens": completion.prompt_tokens,
                "completion_tokens": completion.completion_tokens,
                "cost": meta["cost"],
            }
        else:
            values["message_id"] = None
        values["latency_ms"] = latency_ms
        reservation, meter = prepared.reservation, Meter(self.ctx)
        spent = spent_by(values.get("prompt_tokens"), values.get("completion_tokens"))
        counted = False
        async with self.ctx.db.write() as session:
            if message is not None:
                await MessageRepository(session).add(message)
            await ResponseSessionRepository(session).update_candidate(row.id, **values)
            if reservation is not None:
                cost = values.get("cost")
                counted = await session.run_sync(
                    lambda sync: self._settle_within(sync.connection(), reservation, spent, cost)
                )
        row.status = values["status"]
        if reservation is not None:
            await meter.committed(reservation, spent, counted)
            if not counted:  # counters elsewhere (Redis): warnings once they are settled
                await meter.quota_warnings(reservation)
        if completion is not None:
            record_reply(meta)  # metrics: tokens, cost and fallbacks by model
        return message

    def _settle_within(
        self, connection: Connection, reservation: Reservation, spent: int, cost: float | None
    ) -> bool:
        """Settle a candidate's reservation in its transaction, announcing the quota
        warnings it reaches; False: the counters are elsewhere (``Meter.settle_within``)."""
        meter = Meter(self.ctx)
        counted = meter.settle_within(connection, reservation, spent, cost)
        if counted:
            meter.quota_warnings_within(connection, Outbox(connection, self.user_id), reservation)
        return counted

    async def _update(self, row: ResponseCandidate, status: str) -> None:
        async with self.ctx.db.write() as session:
            await ResponseSessionRepository(session).update_candidate(row.id, status=status)
        row.status = status

    async def _view(self, session: AsyncSession, session_id: str) -> SessionView:
        repo = ResponseSessionRepository(session)
        response_session = await repo.get_owned(session_id, self.user_id)
        if response_session is None:
            raise NotFound("response session", session_id)
        candidates = await repo.candidates(session_id)
        wanted = [response_session.user_message_id] + [
            c.message_id for c in candidates if c.message_id
        ]
        messages = await MessageRepository(session).get_many(wanted)
        live_text = {c.id: _text_so_far(self.ctx, c) for c in candidates if c.status == "streaming"}
        return SessionView(response_session, candidates, messages, live_text)


def _text_so_far(ctx: ServerContext, candidate: ResponseCandidate) -> str:
    """A streaming candidate's text: live in this process, else as its last heartbeat left it."""
    live = ctx.live.get(candidate.message_id) if candidate.message_id else None
    return "".join(live.parts) if live is not None else candidate.partial_text or ""
