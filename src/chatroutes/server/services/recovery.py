"""Generations that outlive their process: heartbeats while generating, recovery after.

A send stores its question and takes the branch's generation lease in one
transaction, and its reply and the lease's release in another. Between the two,
a ``GenerationWatch`` renews the lease and flushes the text so far every
``generation_heartbeat_seconds``: one small UPDATE, nothing per chunk, nothing
before the first heartbeat (a reply done sooner costs no write at all).

A lease left unrenewed for ``generation_lease_seconds`` belongs to a process
that is gone (kill -9, a lost host): a slow but live generation keeps renewing,
so only dead owners' leases expire. Any replica's sweep (``recover_expired``, at
startup and every ``recovery_interval_seconds``) then stores the reply as far as
it was flushed, marked ``finishReason: "interrupted"``, in one transaction that
first takes the lease by compare-and-set, so two sweeps never both store it.

A generation cancelled at shutdown stores its text so far the same way, at once;
one cancelled by a user's stop (``ReplyService.stop``) too, marked ``"stopped"``
and counted against the token quotas. Either way its live readers get its end.
A parallel session (services/parallel.py) renews its branch's lease the same way and
flushes each candidate's text to its row; recovered, each unfinished candidate's text
is stored as an interrupted reply beside the others, and the session is closed.

The lease also names the reply being generated (its id is chosen before it exists),
so any process can find it: a stop asked through another process is recorded on the
lease and carried out by the generating process at its next heartbeat, and a reader
on another process follows the text as each heartbeat flushes it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.errors import ChatRoutesServerError, Interrupted
from ..domain.ids import new_id
from ..domain.tokens import estimate_tokens
from ..domain.webhooks import BRANCH_CREATED, MESSAGE_COMPLETED
from ..store.branches import BranchRepository, Renewal
from ..store.conversations import ConversationRepository
from ..store.database import run_in
from ..store.messages import MessageRepository
from ..store.recovery import (
    close_running_sessions,
    running_response_session,
    unfinished_candidates,
)
from ..store.response_sessions import ResponseSessionRepository
from ..store.tables import Branch, Message
from .branches import build_message, store_reply_at_head
from .live import LiveReply, StreamEvent
from .metering import Meter, Reservation, spent_by
from .server_context import ServerContext, utcnow
from .webhooks import Outbox, branch_data, message_data

if TYPE_CHECKING:
    from .sending import Prepared

logger = logging.getLogger("chatroutes.server")
INTERRUPTED = "interrupted"
STOPPED = "stopped"
_SWEEP_BATCH = 100
T = TypeVar("T")


class GenerationWatch:
    """Keeps a generation's lease alive and its text flushed while the block runs.

    Cancelled (shutdown past its grace, or a user's stop), the block's reply is stored
    as far as it got, and a live reply's readers get its ``complete`` event.
    """

    def __init__(self, ctx: ServerContext, prepared: Prepared, live: LiveReply | None) -> None:
        self.ctx = ctx
        self.prepared = prepared
        self.live = live
        self._beat: asyncio.Task[None] | None = None
        self._reservation_kept = False  # with the lease, for recovery to settle

    async def __aenter__(self) -> GenerationWatch:
        self._beat = asyncio.create_task(self._heartbeat())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._beat is not None
        self._beat.cancel()
        await asyncio.gather(self._beat, return_exceptions=True)
        if exc_type is not None and issubclass(exc_type, asyncio.CancelledError):
            text = "".join(self.live.parts) if self.live is not None else ""
            reply = await asyncio.shield(self._store_interrupted(text))
            if self.live is not None:  # its readers get an end, never a hang
                self.live.finish(
                    StreamEvent("stored", len(text), result=reply)
                    if reply is not None
                    else StreamEvent(
                        "error",
                        len(text),
                        error=ChatRoutesServerError("The reply was cut off and not stored"),
                    )
                )
                self.ctx.live.pop(self.live.reply_id, None)

    async def _heartbeat(self) -> None:
        settings = self.ctx.settings
        prepared = self.prepared
        flushed = 0
        # The first beat keeps the reservation with the lease, for recovery to settle.
        reservation = prepared.reservation.record() if prepared.reservation else None
        while True:
            await asyncio.sleep(settings.generation_heartbeat_seconds)
            length = self.live.length if self.live is not None else 0
            partial = (
                "".join(self.live.parts) if self.live is not None and length != flushed else None
            )
            try:  # bookkeeping: the beat need not wait for the disk
                async with self.ctx.db.write(durable=False) as session:
                    renewal = await renew_lease(self.ctx, session, prepared, partial, reservation)
            except Exception:  # a missed beat is retried; the lease outlasts several
                logger.warning("generation heartbeat failed", exc_info=True)
                continue
            if not renewal.held:  # the reply was stored (or recovered): nothing left to keep
                return
            self._reservation_kept = self._reservation_kept or reservation is not None
            flushed, reservation = length, None
            if renewal.stop_requested:  # asked through any process
                generation = self.ctx.generations.get(prepared.reply_id)
                if generation is not None:
                    generation.stop()
                    return

    async def _store_interrupted(self, text: str) -> Message | None:
        """The text so far as the reply, unless it was stored meanwhile; None if not stored."""
        prepared = self.prepared
        meta = interrupted_meta(prepared.info.name, prepared.info.provider, text)
        if prepared.stopped:
            meta.update(
                finishReason=STOPPED,
                upstreamModel=prepared.request.model,
                attempts=prepared.attempts,
                fallbackFrom=prepared.fallback_from,
            )
        meta.update(
            temperature=prepared.request.temperature,
            maxTokens=prepared.request.max_tokens,
            prompt_tokens=prepared.context.prompt_tokens,
            cost=prepared.info.cost(prepared.context.prompt_tokens, meta["completionTokens"]),
            context_message_count=prepared.context.context_message_count,
            context_truncated=prepared.context.truncated,
            checkpoint_used=prepared.context.checkpoint_used,
            checkpointId=prepared.context.checkpoint_id,
            pinnedMessageIds=list(prepared.context.pinned_ids),
            excludedMessageIds=list(prepared.context.excluded_ids),
            checkpointCatchUp=prepared.checkpoint_catch_up,
        )
        reply = None
        try:
            async with self.ctx.db.write() as session:
                branch = await BranchRepository(session).held_by(prepared.branch.id, prepared.lease)
                if branch is not None and await BranchRepository(session).release_lease(
                    branch.id, prepared.lease
                ):
                    reply = await _store_reply(
                        session,
                        branch,
                        prepared.user_message,
                        prepared.reply_id,
                        text,
                        meta,
                        prepared.conversation.user_id,
                    )
        except Exception:  # the lease stays; a later sweep stores what was flushed
            logger.exception("storing an interrupted reply failed")
        # Tokens generated were spent, whoever cut the reply short: a stop does not dodge the
        # quotas, and a shutdown counts them as an interrupted parallel candidate does. A
        # reply left unstored with its reservation on the lease is settled by the recovery
        # that stores it, and only there.
        if prepared.reservation is not None and (reply is not None or not self._reservation_kept):
            await Meter(self.ctx).settle(
                prepared.reservation,
                spent_by(meta["prompt_tokens"], meta["completionTokens"]),
                meta["cost"],
            )
        return reply


async def renew_lease(
    ctx: ServerContext,
    session: AsyncSession,
    prepared: Prepared,
    partial: str | None,
    reservation: dict[str, Any] | None = None,
) -> Renewal:
    """One heartbeat's renewal of the generation's lease (and its reply so far and its
    reservation's record, if given)."""
    return await BranchRepository(session).renew_lease(
        prepared.branch.id,
        prepared.lease,
        until=utcnow() + timedelta(seconds=ctx.settings.generation_lease_seconds),
        question_id=prepared.user_message.id,
        partial=partial,
        reservation=reservation,
    )


def interrupted_meta(model: str | None, provider: str | None, text: str) -> dict[str, Any]:
    """A reply's metadata (the WIRE.md keys) when its generation was cut off.

    What is not known after a crash (the context it was given, its cost) is null.
    """
    return {
        "model": model,
        "provider": provider,
        "upstreamModel": None,
        "temperature": None,
        "maxTokens": None,
        "responseTime": None,
        "finishReason": INTERRUPTED,
        "attempts": None,
        "fallbackFrom": None,
        "prompt_tokens": None,
        "completionTokens": estimate_tokens(text) if text else 0,
        "cost": None,
        "context_message_count": None,
        "context_truncated": None,
        "checkpoint_used": None,
        "checkpointId": None,
        "checkpointCatchUp": None,
    }


async def recover_expired(ctx: ServerContext) -> int:
    """Store an interrupted reply for every lease whose owner stopped renewing it.

    Returns how many leases were taken.
    """
    taken = 0
    while True:
        now = utcnow()
        async with ctx.db.read() as session:
            expired = await BranchRepository(session).expired_leases(now, _SWEEP_BATCH)
        batch = sum(
            [await _recover_one(ctx, branch_id, lease, now) for branch_id, lease in expired]
        )
        taken += batch
        if len(expired) < _SWEEP_BATCH or not batch:  # a full batch left as is: next sweep
            return taken


async def _recover_one(ctx: ServerContext, branch_id: str, lease: str, now: datetime) -> bool:
    """Store what the dead generation on the branch left, then settle its reservations to
    the prompt it was estimated at and the text it flushed."""
    settlements: list[tuple[dict[str, Any], dict[str, Any]]] = []  # (record, reply meta)
    taken = await _recover_lease(ctx, branch_id, lease, now, settlements)
    meter = Meter(ctx)
    for record, meta in settlements:
        spent = spent_by(meta["prompt_tokens"], meta["completionTokens"])
        await meter.settle(Reservation.from_record(record), spent)
    return taken


async def _recover_lease(
    ctx: ServerContext,
    branch_id: str,
    lease: str,
    now: datetime,
    settlements: list[tuple[dict[str, Any], dict[str, Any]]],
) -> bool:
    async with ctx.db.write() as session:
        branches = BranchRepository(session)
        branch = await branches.held_by(branch_id, lease)
        if branch is None or branch.generation_lease_until is None:
            return False
        question_id = branch.generation_question_id or branch.head_message_id
        messages = MessageRepository(session)
        question = (
            await messages.get_in_conversation(question_id, branch.conversation_id)
            if question_id is not None
            else None
        )
        parallel = question is not None and await running_response_session(session, question.id)
        if not await branches.take_expired(branch_id, lease, now):
            return False  # renewed or taken by another sweep meanwhile
        if parallel:
            assert question is not None
            await _interrupt_candidates(ctx, session, branch, question, now, settlements)
            logger.warning("closed a parallel session on branch %s after it died", branch_id)
            return True
        if question is None or question.role != "user":
            return True
        # A new id: were the owner only stalled, not dead, its own reply (under the id
        # it announced) still lands beside this one, on a branch of its own.
        reply_id = new_id("msg")
        text = branch.generation_partial or ""
        provider = _provider_of(ctx, question.model)
        meta = interrupted_meta(question.model, provider, text)
        record = branch.generation_reservation
        if record:
            meta["prompt_tokens"] = record["promptTokens"]
            settlements.append((record, meta))
        conversation = await ConversationRepository(session).get(branch.conversation_id)
        assert conversation is not None  # the branch's, under the same transaction
        await _store_reply(session, branch, question, reply_id, text, meta, conversation.user_id)
    logger.warning("stored an interrupted reply on branch %s after its generation died", branch_id)
    return True


async def _interrupt_candidates(
    ctx: ServerContext,
    session: AsyncSession,
    branch: Branch,
    question: Message,
    now: datetime,
    settlements: list[tuple[dict[str, Any], dict[str, Any]]],
) -> None:
    """Each unfinished candidate's flushed text as an interrupted reply beside the others.

    A new id here too, as for a single reply: a stalled owner's own store still lands.
    The branch's head stays on the question, as for every candidate until one is chosen.
    """
    responses = ResponseSessionRepository(session)
    for candidate in await unfinished_candidates(session, question.id):
        text = candidate.partial_text or ""
        reply = None
        meta = interrupted_meta(candidate.model, _provider_of(ctx, candidate.model), text)
        if candidate.reservation:  # without text no reply is stored, and nothing is charged
            if text:
                meta["prompt_tokens"] = candidate.reservation["promptTokens"]
            settlements.append((candidate.reservation, meta))
        if text:
            meta |= {"responseSessionId": candidate.session_id, "candidateId": candidate.id}
            reply = build_message(
                message_id=new_id("msg"),
                conversation_id=branch.conversation_id,
                branch_id=branch.id,
                parent_id=question.id,
                role="assistant",
                content=text,
                model=candidate.model,
                token_count=meta["completionTokens"],
                meta=meta,
            )
            await MessageRepository(session).add(reply)
        await responses.update_candidate(
            candidate.id,
            status="error",
            error=Interrupted().body(),
            message_id=reply.id if reply is not None else None,
            completion_tokens=reply.token_count if reply is not None else None,
            partial_text=None,
            reservation=None,
        )
    await close_running_sessions(session, question.id, now)


def _provider_of(ctx: ServerContext, model: str | None) -> str | None:
    if model is None:
        return None
    try:
        return ctx.registry.get(model).provider
    except Exception:  # a model no longer configured: the reply is kept all the same
        return None


async def _store_reply(
    session: AsyncSession,
    branch: Branch,
    question: Message,
    reply_id: str,
    text: str,
    meta: dict[str, Any],
    owner: str,
) -> Message:
    """The cut-off reply under its question: on the branch, or a new one if it moved on;
    announced to ``owner``'s webhooks like any stored reply."""

    def store(connection: Connection) -> Message:
        target, reply = store_reply_at_head(
            connection,
            branch,
            question,
            reply_id,
            content=text,
            model=meta["model"],
            token_count=meta["completionTokens"],
            meta=meta,
        )
        outbox = Outbox(connection, owner)
        if target is not branch:
            outbox.emit(BRANCH_CREATED, branch_data(target))
        outbox.emit(MESSAGE_COMPLETED, message_data(reply))
        return reply

    return await run_in(session, store)


async def watched(
    ctx: ServerContext, prepared: Prepared, live: LiveReply | None, work: Awaitable[T]
) -> T:
    """Run a generation under a ``GenerationWatch``."""
    async with GenerationWatch(ctx, prepared, live):
        return await work


@asynccontextmanager
async def lease_kept(ctx: ServerContext, prepared: Prepared) -> AsyncIterator[None]:
    """The generation's lease renewed while the block runs: work between a question's
    transaction and its generation (a checkpoint catch-up) may outlast an unrenewed
    lease, which recovery would then take as its owner's death. Nothing is stored here
    whatever the block does; the caller decides."""
    beat = asyncio.create_task(GenerationWatch(ctx, prepared, None)._heartbeat())
    try:
        yield
    finally:
        beat.cancel()
        await asyncio.gather(beat, return_exceptions=True)
