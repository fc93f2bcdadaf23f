"""Sending, editing and deleting messages.

A send runs in two short transactions around the provider call, so no
database lock is held while a model thinks:

1. take the branch's generation lease, store the user message, move the head
   (for a send made with an API key, admitting the request too:
   ``admit_and_store_question``);
2. call the provider (no transaction);
3. store the reply, move the head, release the lease.

A provider failure keeps the user message (nothing a user wrote is lost) and
releases the lease; re-sending the same text resumes from it instead of
storing it twice.

Only the last commit waits for the disk: the first is committed (a crash of the
process loses nothing) but not flushed, and the reply's flush takes it along, as
the lease's release does after a failure. Until then the question has not been
acknowledged: a power cut in between loses a request its client never saw answered.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain import tree
from ..domain.checkpoints import messages_since_checkpoint
from ..domain.context_assembly import (
    AssembledContext,
    CheckpointSummary,
    ContextPolicy,
    assemble_context,
)
from ..domain.errors import (
    BranchBusy,
    ChatRoutesServerError,
    Conflict,
    InvalidRequest,
    NotFound,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
)
from ..domain.ids import new_id
from ..domain.plans import RateWindow
from ..domain.tokens import estimate_tokens
from ..observability.metrics import record_reply
from ..providers.base import (
    Completion,
    CompletionRequest,
    Provider,
    Reasoning,
    Status,
    StreamCut,
)
from ..providers.circuit import CircuitBreaker
from ..providers.registry import ModelInfo
from ..providers.retries import call_with_retries
from ..schemas.messages import MessageSend
from ..store import branches as branch_store
from ..store import checkpoints as checkpoint_store
from ..store import messages as message_store
from ..store.branches import BranchRepository
from ..store.conversations import ConversationRepository
from ..store.counters import DatabaseCounters
from ..store.execution import insert_instance, savepoint
from ..store.messages import MessageRepository
from ..store.tables import Branch, Conversation, Message, User
from ..store.usage_ledger import MESSAGE_KIND
from .accounts import AccountService, Principal
from .branches import (
    add_branch,
    branch_within,
    build_message,
    insert_branch,
    message_within,
    new_branch,
    store_reply_at_head,
)
from .checkpoints import CheckpointService
from .conversations import owned_conversation, owned_conversation_within
from .limits import UNCAPPED, Account, BranchAllowance, KeyAdmission, LimitService
from .live import LiveReply, ReplyStream, StreamEvent
from .metering import Meter, Reservation
from .recovery import watched  # heartbeat and shutdown: the reply survives its process
from .server_context import ServerContext, utcnow

logger = logging.getLogger("chatroutes.server")
T = TypeVar("T")
BUSY_RETRY_AFTER_SECONDS = 2
RESUME_POLL_SECONDS = 0.25  # a reader of a reply generating in another process
STOP_WAIT_HEARTBEATS = 5  # how long a stop waits on the process generating the reply
_HEAD_RACE_ATTEMPTS = 5


class _AfterFirstToken(Exception):
    """A provider failure after text was streamed: final, whatever its kind."""

    def __init__(self, error: ProviderError) -> None:
        super().__init__(error.message)
        self.error = error


class _HeadMoved(Exception):
    """A compare-and-set on a head lost a race; the transaction is rolled back and retried."""


@dataclass
class SendResult:
    user_message: Message
    assistant_message: Message
    branch: Branch
    forked: bool
    branch_message_count: int
    completion: Completion
    model: str


@dataclass
class Prepared:
    """What the first transaction hands to the provider call."""

    conversation: Conversation
    branch: Branch
    forked: bool
    user_message: Message
    lease: str
    request: CompletionRequest
    info: ModelInfo  # the model that serves the reply: the asked one, or a fallback
    provider: Provider
    routes: list[tuple[ModelInfo, Provider]]
    context: AssembledContext
    checkpoint_due: bool  # the reply completes an interval: an auto checkpoint follows
    reply_id: str  # known before it exists: announced with the lease
    attempts: int = 0
    fallback_from: str | None = None
    account: Account | None = None  # as the limits read it before the send
    reservation: Reservation | None = None  # the tokens the call may spend (metering.py)
    settled: bool = False  # the provider call is over: a stop no longer cuts the reply
    stopped: bool = False  # a user's stop cancelled it: stored as far as it got


@dataclass
class _StoredQuestion:
    """What the first transaction of a send read and wrote."""

    conversation: Conversation
    branch: Branch
    forked: bool
    user_message: Message
    lease: str
    reply_id: str  # announced with the lease, so any process can find the generation
    routes: list[tuple[ModelInfo, Provider]]
    path: list[Any]  # root to question: message_store.path rows, and the question's when new
    checkpoints: list[Any]  # checkpoint_store.checkpoints_anchored_on rows


@dataclass
class EditResult:
    message: Message
    branch: Branch | None  # the new branch holding the edit, when one was made
    branch_message_count: int = 0


class MessageService:
    def __init__(self, ctx: ServerContext, user_id: str, user: User | None = None) -> None:
        self.ctx = ctx
        self.user_id = user_id
        self.user = user  # as authentication read it for this request, when known

    async def generate(self, prepared: Prepared) -> SendResult:
        """The reply to a question ``store_question`` stored, once stored in turn."""
        # The generation belongs to the server, not to the request: a client that
        # disconnects cancels only its wait, and the reply is stored all the same.
        task = self.ctx.spawn_generation(
            prepared, watched(self.ctx, prepared, None, self._generate(prepared))
        )
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            # A user's stop (not this request's own cancellation): the reply as stored.
            if task.cancelled() and prepared.stopped and not _cancelling():
                return await self._stopped_result(prepared)
            raise

    def stream_prepared(self, prepared: Prepared, *, reasoning: bool = False) -> ReplyStream:
        """The events of the reply to a question ``store_question`` stored.

        The generation runs as its own task publishing to a live reply: a reader that
        goes away stops following it, and the reply is stored all the same. With
        ``reasoning``, the events include the model's thinking where it shows it.
        """
        live = LiveReply(prepared.reply_id, prepared.conversation.id)
        self.ctx.live[live.reply_id] = live
        self.ctx.spawn_generation(
            prepared, watched(self.ctx, prepared, live, self._generate_streaming(prepared, live))
        )
        return ReplyStream(live.reply_id, live.follow(0, reasoning=reasoning))

    async def store_question(
        self,
        conversation_id: str,
        request: MessageSend,
        branch_id: str | None = None,
        *,
        reserve: bool = True,
    ) -> Prepared:
        """Check limits, take the branch's lease, store the user message and reserve the
        reply's tokens: ready to generate. ``reserve=False``: the caller reserves (one
        reservation per parallel candidate, the Chat API's rounds)."""
        self._check_length(request.content)
        limits = LimitService(self.ctx)
        async with (
            limits.sending(self.user_id, self.user) as account,
            # only a send naming a parent may fork a branch
            limits.branch_allowance(
                self.user_id, account.user, reserve=int(request.parent_message_id is not None)
            ) as branches,
        ):
            prepared = await self._prepare(
                conversation_id, request, branch_id or request.branch_id, branches, account, reserve
            )
        if reserve and prepared.reservation is None:  # counters elsewhere: reserve after
            await self.reserve(prepared)
        return prepared

    async def reserve(
        self, prepared: Prepared, *, prompt_tokens: int | None = None, rounds: int = 1
    ) -> None:
        """Reserve what the reply may spend, after the question was stored, and clamp its max
        tokens to it; refused, the branch is let go (the question stays, as after a provider
        failure, and a resend of it takes it up again).

        ``prompt_tokens``: the prompt's estimate when it is not the assembled context's
        (the Chat API adds a tone and images); ``rounds``: how many upstream calls the
        reply may take (the Chat API's web search rounds), each reserved in full.
        """
        assert prepared.account is not None
        prompt = prepared.context.prompt_tokens if prompt_tokens is None else prompt_tokens
        try:
            reservation = await Meter(self.ctx).reserve(
                prepared.account, prompt * rounds, prepared.request.max_tokens * rounds
            )
        except BaseException:
            await self.release_lease(prepared)
            raise
        prepared.reservation = reservation
        clamp_to_reservation(prepared, rounds)

    @classmethod
    async def admit_and_store_question(
        cls,
        ctx: ServerContext,
        raw_key: str,
        conversation_id: str,
        request: MessageSend,
        branch_id: str | None,
        *,
        on_rate: Callable[[RateWindow], None],
        on_principal: Callable[[Principal], None],
    ) -> tuple[MessageService, Prepared]:
        """``LimitService.admit_key`` then ``store_question``, in one transaction when the
        counters are in the database: a send made with an API key, the most common request,
        then writes once before its provider call instead of twice.

        The question is stored within a savepoint: a send refused for its content, its
        conversation, a busy branch or the token quota rolls back to it, and is counted as
        a request all the same, as it is when admission runs alone. A refused admission
        stores no question and commits its counts too. A guest's send, and a retry after a
        moved head, go the usual way.
        """
        limits = LimitService(ctx)
        counters = limits.counters
        if not isinstance(counters, DatabaseCounters):
            principal = await limits.admit_key(raw_key, on_rate, on_principal)
            service = cls(ctx, principal.user_id, principal.user)
            return service, await service.store_question(conversation_id, request, branch_id)
        key_hash = AccountService(ctx.db, ctx.secret).key_hash(raw_key)
        now = utcnow()

        meter = Meter(ctx, limits)

        def work(
            connection: Connection,
        ) -> tuple[KeyAdmission, tuple[_StoredQuestion, Prepared] | Exception | None]:
            admission = limits.admit_key_within(connection, counters, key_hash, now)
            account = admission.account
            if admission.refused or account.is_guest:
                return admission, None
            service = cls(ctx, account.user.id, account.user)
            try:
                with savepoint(connection):
                    service._check_length(request.content)
                    limits.check_tokens_within(connection, counters, account, now)
                    question = service._question_within(
                        connection,
                        meter,
                        conversation_id,
                        request,
                        branch_id or request.branch_id,
                        UNCAPPED,  # not a guest
                        account,
                        reserve=True,
                    )
            except (ChatRoutesServerError, _HeadMoved) as exc:
                return admission, exc
            return admission, question

        admission, outcome = await ctx.db.run(work, write=True, durable=False)
        principal = admission.principal
        on_principal(principal)
        limits.judge(admission, on_rate)  # a refusal raises here, its counts committed
        service = cls(ctx, principal.user_id, principal.user)
        if outcome is None or isinstance(outcome, _HeadMoved):
            return service, await service.store_question(conversation_id, request, branch_id)
        if isinstance(outcome, Exception):
            raise outcome
        return service, service._committed(*outcome)

    async def resume_stream(self, conversation_id: str, reply_id: str, offset: int) -> ReplyStream:
        """The rest of a reply after ``offset`` characters.

        Live if it is generating in this process; as stored if it is stored; and while
        another process generates it (a replica, a worker), as that process flushes it
        (see ``services/live.py``).
        """
        async with self.ctx.db.read() as session:
            await owned_conversation(session, conversation_id, self.user_id)
            live = self.ctx.live.get(reply_id)
            if live is not None and live.conversation_id == conversation_id:
                return ReplyStream(reply_id, live.follow(offset))
            # The lease is read before the message: a reply stored in between is still seen.
            so_far = await BranchRepository(session).reply_so_far(
                conversation_id, reply_id, utcnow()
            )
            message = await MessageRepository(session).get_in_conversation(
                reply_id, conversation_id
            )
        if message is None and so_far is not None:
            elsewhere = self._followed_elsewhere(conversation_id, reply_id, offset)
            return ReplyStream(reply_id, elsewhere)
        reply = _visible_reply(message)
        if reply is None:
            raise NotFound("reply", reply_id)
        return ReplyStream(reply_id, _stored_remainder(reply, offset))

    async def stop(self, conversation_id: str, reply_id: str) -> tuple[bool, Message]:
        """End a reply where it is; returns (stopped, the reply).

        The text so far is stored as the reply, ``finishReason: "stopped"``
        (``recovery.GenerationWatch``); its readers get its ``complete`` event. A reply
        already stored is returned as is, not stopped. A reply another process generates
        (a replica, a worker) is stopped by that process: the stop is recorded on the
        generation's lease, carried out at that process's next heartbeat, and awaited
        here for ``STOP_WAIT_HEARTBEATS`` heartbeats (then a 409: the stop still stands).
        """
        async with self.ctx.db.read() as session:
            await owned_conversation(session, conversation_id, self.user_id)
        generation = self.ctx.generations.get(reply_id)
        if generation is not None and generation.prepared.conversation.id == conversation_id:
            stopping = generation.stop()
            await asyncio.wait({generation.task})  # it stores the reply before it ends
            message = await self._stored_reply(conversation_id, reply_id)
        else:
            async with self.ctx.db.write(durable=False) as session:
                stopping = await BranchRepository(session).request_stop(
                    conversation_id, reply_id, utcnow()
                )
            if stopping:
                message = await self._stopped_elsewhere(conversation_id, reply_id)
            else:
                message = await self._stored_reply(conversation_id, reply_id)
        if message is None:
            raise NotFound("reply", reply_id)
        return stopping and (message.meta or {}).get("finishReason") == "stopped", message

    async def _stored_reply(self, conversation_id: str, reply_id: str) -> Message | None:
        async with self.ctx.db.read() as session:
            message = await MessageRepository(session).get_in_conversation(
                reply_id, conversation_id
            )
        return _visible_reply(message)

    async def _stopped_elsewhere(self, conversation_id: str, reply_id: str) -> Message | None:
        """The reply once the process generating it has stored it after a stop."""
        heartbeat = self.ctx.settings.generation_heartbeat_seconds
        waited = STOP_WAIT_HEARTBEATS * heartbeat + RESUME_POLL_SECONDS
        try:
            async with asyncio.timeout(waited):
                while True:
                    await asyncio.sleep(RESUME_POLL_SECONDS)
                    async with self.ctx.db.read() as session:
                        so_far = await BranchRepository(session).reply_so_far(
                            conversation_id, reply_id, utcnow()
                        )
                    if so_far is None:  # the lease is given up: stored, or ended replyless
                        return await self._stored_reply(conversation_id, reply_id)
        except TimeoutError:
            raise Conflict(
                f"Reply {reply_id} is being generated by another server process that has "
                "not stopped it yet; the stop stands and takes effect at its next heartbeat"
            ) from None

    async def _stopped_result(self, prepared: Prepared) -> SendResult:
        """A stopped send's answer: the reply as its stop stored it."""
        conversation_id = prepared.conversation.id
        async with self.ctx.db.read() as session:
            reply = await MessageRepository(session).get_in_conversation(
                prepared.reply_id, conversation_id
            )
            branch = reply and await BranchRepository(session).get_in_conversation(
                reply.branch_id, conversation_id
            )
            if reply is None or branch is None:  # storing failed (logged): left to recovery
                raise ChatRoutesServerError("The stopped reply could not be stored")
            counts = await MessageRepository(session).own_counts(conversation_id)
        meta = reply.meta or {}
        return SendResult(
            user_message=prepared.user_message,
            assistant_message=reply,
            branch=branch,
            forked=prepared.forked or branch.id != prepared.branch.id,
            branch_message_count=counts.get(branch.id, 0),
            completion=Completion(
                content=reply.content,
                prompt_tokens=meta.get("prompt_tokens") or 0,
                completion_tokens=meta.get("completionTokens") or 0,
                finish_reason="stopped",
                model=prepared.request.model,
            ),
            model=prepared.info.name,
        )

    async def _followed_elsewhere(
        self, conversation_id: str, reply_id: str, offset: int
    ) -> AsyncIterator[StreamEvent]:
        """A reply another process is generating: its text as that process flushes it.

        Polls the database while the reply's generation lease is held: each heartbeat's
        flush brings what follows the reader's offset, and the stored reply its end. If
        the lease goes and the reply was never stored (the generation failed before any
        text), the reader gets an error event rather than a hang.
        """
        sent = offset
        while True:
            await asyncio.sleep(RESUME_POLL_SECONDS)
            async with self.ctx.db.read() as session:
                so_far = await BranchRepository(session).reply_so_far(
                    conversation_id, reply_id, utcnow()
                )
                message = await MessageRepository(session).get_in_conversation(
                    reply_id, conversation_id
                )
            if (reply := _visible_reply(message)) is not None:
                async for event in _stored_remainder(reply, sent):
                    yield event
                return
            if message is not None or so_far is None:
                yield StreamEvent("error", sent, error=NotFound("reply", reply_id))
                return
            if len(so_far) > sent:
                yield StreamEvent("content", len(so_far), text=so_far[sent:])
                sent = len(so_far)

    async def _generate_streaming(self, prepared: Prepared, live: LiveReply) -> None:
        try:
            final = await self._stream_reply(prepared, live)
        except Exception as exc:  # storing failed: readers still get an end, never a hang
            final = StreamEvent("error", live.length, error=reportable(exc))
        live.finish(final)
        self.ctx.live.pop(live.reply_id, None)

    async def stream_completion(self, prepared: Prepared, live: LiveReply) -> Completion:
        """Stream the reply into ``live`` through the prepared routes.

        Retries and fallbacks happen only before the first token reached ``live``.
        """

        async def stream(provider: Provider, request: CompletionRequest) -> Completion:
            completion: Completion | None = None
            try:
                async for piece in provider.stream(request):
                    if isinstance(piece, Completion):
                        completion = piece
                    elif isinstance(piece, Reasoning):  # thinking: shown, never the reply
                        live.add_reasoning(piece.text)
                    elif isinstance(piece, Status):  # the server's own work (tools)
                        live.add_status(piece.text)
                    else:
                        live.add_text(piece)
                if completion is None:
                    raise ProviderUnavailable(
                        f"{provider.name} ended the stream without finishing",
                        details={"provider": provider.name},
                    )
            except ProviderError as exc:
                if live.started:  # never retry once a token (or thinking) reached the client
                    raise _AfterFirstToken(exc) from exc
                raise
            return completion

        try:
            return await self._within_deadline(self._call_routes(prepared, stream), prepared)
        except _AfterFirstToken as wrapped:
            raise wrapped.error from wrapped

    async def _stream_reply(self, prepared: Prepared, live: LiveReply) -> StreamEvent:
        started = time.perf_counter()
        try:
            completion = await self.stream_completion(prepared, live)
        except Exception as exc:
            error = reportable(exc)
            error.details.setdefault("userMessageId", prepared.user_message.id)
            await self._keep_partial(prepared, "".join(live.parts), started, exc)
            return StreamEvent("error", live.length, error=error)
        elapsed_ms = elapsed_since(started)
        result = await self._store_reply(prepared, completion, elapsed_ms)
        return StreamEvent("complete", live.length, result=result)

    async def _keep_partial(
        self, prepared: Prepared, partial: str, started: float, failure: Exception
    ) -> None:
        """What streamed before a failure is stored, marked ``finishReason: error``."""
        cut = partial_completion(prepared, partial, failure=failure)
        if cut is None:
            await self.release_lease(prepared)
            return
        await self._store_reply(prepared, cut, elapsed_since(started))

    async def _generate(self, prepared: Prepared) -> SendResult:
        started = time.perf_counter()

        async def complete(provider: Provider, request: CompletionRequest) -> Completion:
            return await provider.complete(request)

        try:
            completion = await self._within_deadline(
                self._call_routes(prepared, complete), prepared
            )
        except Exception as exc:
            if isinstance(exc, ChatRoutesServerError):
                exc.details.setdefault("userMessageId", prepared.user_message.id)
            await self.release_lease(prepared)
            raise
        elapsed_ms = elapsed_since(started)
        return await self._store_reply(prepared, completion, elapsed_ms)

    async def _call_routes(
        self,
        prepared: Prepared,
        call: Callable[[Provider, CompletionRequest], Awaitable[Completion]],
    ) -> Completion:
        """Each route with the retry policy and its circuit breaker, until one answers.

        A route whose provider's circuit is open is passed over while a later route
        remains, and stops retrying once it opens; the last route is always called (a
        model without fallbacks is never refused by the breaker). The first failure is
        the one reported when every route fails.
        """
        first_error: ProviderError | None = None
        asked = prepared.info
        last = len(prepared.routes) - 1
        for index, (info, provider) in enumerate(prepared.routes):
            breaker = self.ctx.breaker(info.provider)
            if index < last and not breaker.allows():
                continue  # open: a fallback answers instead
            request = replace(
                prepared.request,
                model=info.upstream_id,
                max_tokens=min(prepared.request.max_tokens, info.max_output),
            )

            async def attempt(
                _number: int,
                provider: Provider = provider,
                request: CompletionRequest = request,
                breaker: CircuitBreaker = breaker,
            ) -> Completion:
                prepared.attempts += 1
                try:
                    completion = await call(provider, request)
                except ProviderError as exc:
                    breaker.record(exc)
                    raise
                breaker.record(None)
                return completion

            def fall_back(index: int = index, breaker: CircuitBreaker = breaker) -> bool:
                return index < last and breaker.is_open

            try:
                completion = await call_with_retries(
                    attempt, self.ctx.retry_policy, give_up=fall_back
                )
            except ProviderError as exc:
                first_error = first_error or exc
                continue
            if info is not asked:
                prepared.fallback_from = asked.name
            prepared.info, prepared.provider, prepared.request = info, provider, request
            return _with_usage_estimates(prepared, completion)
        assert first_error is not None
        raise first_error

    async def _within_deadline(self, work: Awaitable[T], prepared: Prepared) -> T:
        """Bound a whole generation, every attempt and wait included."""
        deadline = self.ctx.settings.upstream_deadline_seconds
        try:
            async with asyncio.timeout(deadline):
                return await work
        except TimeoutError as exc:
            raise ProviderTimeout(
                f"{prepared.info.provider} did not finish within {deadline:g} seconds",
                details={"provider": prepared.info.provider, "attempts": prepared.attempts},
            ) from exc
        finally:
            prepared.settled = True

    async def _prepare(
        self,
        conversation_id: str,
        request: MessageSend,
        branch_id: str | None,
        branches: BranchAllowance,
        account: Account,
        reserve: bool,
    ) -> Prepared:
        """Store the question and, when the counters can join its transaction, reserve the
        reply's tokens in it: a send they refuse stores nothing."""
        meter = Meter(self.ctx)
        question = await self._write_retrying_head_races(
            lambda connection: self._question_within(
                connection, meter, conversation_id, request, branch_id, branches, account, reserve
            ),
            "the message",
            durable=False,  # flushed with the reply (see above)
        )
        return self._committed(*question)

    def _question_within(
        self,
        connection: Connection,
        meter: Meter,
        conversation_id: str,
        request: MessageSend,
        branch_id: str | None,
        branches: BranchAllowance,
        account: Account,
        reserve: bool,
    ) -> tuple[_StoredQuestion, Prepared]:
        """The first transaction of a send, whichever way it came in: the question stored
        and the provider request prepared, with the reply's reservation when ``reserve``
        and the counters can join the transaction (in the database)."""
        stored = self._store_question(connection, conversation_id, request, branch_id, branches)
        prepared = self._prepared(stored, request)
        prepared.account = account
        if reserve:
            prepared.reservation = meter.reserve_joined(
                connection, account, prepared.context.prompt_tokens, prepared.request.max_tokens
            )
        return stored, prepared

    def _committed(self, stored: _StoredQuestion, prepared: Prepared) -> Prepared:
        """Once the first transaction committed: its path remembered, the request clamped
        to its reservation (if it took one)."""
        self.ctx.paths.remember(stored.conversation, stored.path)
        if prepared.reservation is not None:
            clamp_to_reservation(prepared)
        return prepared

    def _prepared(self, stored: _StoredQuestion, request: MessageSend) -> Prepared:
        """The provider request for a stored question: its context, model and settings.
        Pure: once the question is committed, ``paths.remember`` its path."""
        conversation, branch, path = stored.conversation, stored.branch, stored.path
        info, provider = stored.routes[0]
        temperature = (
            request.temperature if request.temperature is not None else conversation.temperature
        )
        max_tokens = min(request.max_tokens or conversation.max_tokens, info.max_output)
        settings = self.ctx.settings
        context = assemble_context(
            conversation.system_prompt,
            path,
            fork_point_id=branch.fork_point_message_id,
            checkpoints=[CheckpointSummary(*row) for row in stored.checkpoints],
            policy=ContextPolicy(
                mode=branch.context_mode,
                partial_messages=settings.partial_context_messages,
                prompt_budget=max(info.context_window - max_tokens, 0),
            ),
        )
        anchors = {row.anchor_message_id for row in stored.checkpoints}
        since = messages_since_checkpoint(path, anchors)
        return Prepared(
            conversation=conversation,
            branch=branch,
            forked=stored.forked,
            user_message=stored.user_message,
            lease=stored.lease,
            reply_id=stored.reply_id,
            request=CompletionRequest(
                model=info.upstream_id,
                messages=context.messages,
                temperature=temperature,
                max_tokens=max_tokens,
            ),
            info=info,
            provider=provider,
            routes=stored.routes,
            context=context,
            checkpoint_due=0 < settings.checkpoint_interval <= since + 1,
        )

    async def _write_retrying_head_races(
        self, work: Callable[[Connection], T], what: str, *, durable: bool = True
    ) -> T:
        """Run ``work`` in a write transaction, again from scratch if a head moved under it."""
        for _ in range(_HEAD_RACE_ATTEMPTS):
            try:
                return await self.ctx.db.run(work, write=True, durable=durable)
            except _HeadMoved:
                continue
        raise Conflict(f"The branch kept changing while {what} was being stored; retry")

    def _store_question(
        self,
        connection: Connection,
        conversation_id: str,
        request: MessageSend,
        branch_id: str | None,
        branches: BranchAllowance,
    ) -> _StoredQuestion:
        """The first transaction of a send: lease, question, head; and what the context needs.

        A send whose parent is not its branch's head forks a branch there, taken from
        ``branches``.
        """
        conversation = owned_conversation_within(connection, conversation_id, self.user_id)
        model = request.model or conversation.model
        routes = self.ctx.registry.routes(model)

        parent_id = request.parent_message_id
        parent: Message | None = None
        if parent_id is not None:
            parent = message_within(connection, conversation_id, parent_id, "parentMessageId")
        if branch_id is not None:
            branch = branch_within(connection, conversation_id, branch_id)
        elif parent is not None:
            found = branch_store.branch_in(connection, parent.branch_id, conversation_id)
            branch = found or branch_store.main_branch(connection, conversation_id)
        else:
            branch = branch_store.main_branch(connection, conversation_id)

        placement = tree.place_reply(branch.head_message_id, parent_id)
        forked = placement.fork
        if forked:
            if branch_id is not None and parent_id not in {
                m.id for m in self.ctx.paths.path(connection, conversation, branch.head_message_id)
            }:
                raise InvalidRequest(
                    f"parentMessageId: message {parent_id} is not on branch {branch.id}",
                    field="parentMessageId",
                )
            branch = insert_branch(
                connection,
                new_branch(
                    conversation_id,
                    parent=branch,
                    fork_point_id=placement.parent_id,
                    title=f"Fork of {branch.title}",
                    context_mode=branch.context_mode,
                ),
                branches,
            )

        now = utcnow()
        lease, reply_id = new_id("gen"), new_id("msg")
        until = now + timedelta(seconds=self.ctx.settings.generation_lease_seconds)
        if not branch_store.acquire_lease(
            connection, branch.id, lease, reply_id=reply_id, now=now, until=until
        ):
            raise BranchBusy(
                f"A reply is already being generated on branch {branch.id}; retry shortly",
                details={"branchId": branch.id},
                retry_after=BUSY_RETRY_AFTER_SECONDS,
            )

        path = self.ctx.paths.path(connection, conversation, placement.parent_id)
        head = path[-1] if path else None
        retried = (
            not forked
            and head is not None
            and head.role == "user"
            and head.deleted_at is None
            and head.content == request.content
            and not message_store.has_children(connection, head.id)
        )
        if retried:  # the head is this very question, from a send whose provider call failed
            user_message = message_store.message_in(connection, head.id, conversation_id)
            assert user_message is not None
        else:
            user_message = build_message(
                conversation_id=conversation_id,
                branch_id=branch.id,
                parent_id=placement.parent_id,
                role="user",
                content=request.content,
                model=model,
                token_count=estimate_tokens(request.content),
            )
            insert_instance(connection, user_message)
            if not branch_store.move_head(
                connection, branch.id, expected=placement.parent_id, new=user_message.id, when=now
            ):
                raise _HeadMoved
            path.append(message_store.PathRow.of(user_message))
        path_ids = [m.id for m in path]
        checkpoints = checkpoint_store.checkpoints_anchored_on(
            connection, conversation_id, path_ids
        )
        return _StoredQuestion(
            conversation, branch, forked, user_message, lease, reply_id, routes, path, checkpoints
        )

    async def release_lease(self, prepared: Prepared) -> None:
        """Let the branch go after a call that stored no reply, and give its reservation
        back (in the same transaction when the counters are in the database)."""
        branch_id, lease = prepared.branch.id, prepared.lease
        reservation, meter = prepared.reservation, Meter(self.ctx)
        counted = False

        def release(connection: Connection) -> None:
            nonlocal counted
            branch_store.release_lease(connection, branch_id, lease)
            if reservation is not None and not reservation.settled:
                counted = meter.settle_within(connection, reservation, 0)

        await self.ctx.db.run(release, write=True)
        if reservation is not None:
            await meter.committed(reservation, 0, counted)

    async def _store_reply(
        self, prepared: Prepared, completion: Completion, elapsed_ms: float
    ) -> SendResult:
        """Store the reply and settle its reservation to its usage, in one transaction when
        the counters are in the database. A conversation deleted while the reply was
        written cannot hold it: its usage goes to the ledger, and the caller is told."""
        meta = reply_meta(prepared, completion, elapsed_ms)
        reservation, meter = prepared.reservation, Meter(self.ctx)
        spent = completion.prompt_tokens + completion.completion_tokens
        counted = False

        def store(connection: Connection) -> SendResult:
            nonlocal counted
            stored = self._try_store_reply(connection, prepared, completion, meta)
            if reservation is not None:
                counted = meter.settle_within(connection, reservation, spent)
            return stored

        try:
            result = await self._write_retrying_head_races(store, "the reply")
        except Exception:
            if reservation is None or await self._conversation_exists(prepared.conversation.id):
                raise
            await meter.charge_unstored(
                reservation,
                MESSAGE_KIND,
                prepared.info.name,
                completion.prompt_tokens,
                completion.completion_tokens,
                meta["cost"],
            )
            raise NotFound("conversation", prepared.conversation.id) from None
        if reservation is not None:
            await meter.committed(reservation, spent, counted)
        reply = result.assistant_message
        self.ctx.paths.extend(prepared.user_message.id, message_store.PathRow.of(reply))
        record_reply(meta)  # metrics: tokens, cost and fallbacks by model
        if prepared.checkpoint_due and completion.finish_reason != "error":
            checkpoints = CheckpointService(self.ctx, self.user_id)
            self.ctx.spawn(
                checkpoints.auto_checkpoint(
                    result.branch.conversation_id, result.branch.id, reply.id
                )
            )
        return result

    async def _conversation_exists(self, conversation_id: str) -> bool:
        async with self.ctx.db.read() as session:
            return await ConversationRepository(session).get(conversation_id) is not None

    def _try_store_reply(
        self,
        connection: Connection,
        prepared: Prepared,
        completion: Completion,
        meta: dict[str, Any],
    ) -> SendResult:
        question = prepared.user_message
        target, reply = store_reply_at_head(
            connection,
            prepared.branch,
            question,
            prepared.reply_id,
            content=completion.content,
            model=prepared.info.name,
            token_count=completion.completion_tokens,
            meta=meta,
            lease=prepared.lease,
        )
        forked = prepared.forked or target is not prepared.branch
        return SendResult(
            user_message=question,
            assistant_message=reply,
            branch=target,
            forked=forked,
            # only a new branch is returned, with its own message count
            branch_message_count=(
                message_store.own_counts(connection, [target.conversation_id]).get(target.id, 0)
                if forked
                else 0
            ),
            completion=completion,
            model=prepared.info.name,
        )

    async def edit(self, message_id: str, content: str) -> EditResult:
        """Write a new version beside the original; the original stays in the tree."""
        self._check_length(content)
        async with (
            LimitService(self.ctx).branch_allowance(self.user_id, self.user) as allowance,
            self.ctx.db.write() as session,
        ):
            original = await self._owned_visible(session, message_id)
            branches = BranchRepository(session)
            home = await branches.get_in_conversation(original.branch_id, original.conversation_id)
            new_home: Branch | None = None
            if home is not None and home.head_message_id == original.id:
                target = home
            else:
                new_home = await add_branch(
                    session,
                    new_branch(
                        original.conversation_id,
                        parent=home,
                        fork_point_id=original.parent_id,
                        title="Edited message",
                        context_mode=home.context_mode if home else "FULL",
                    ),
                    allowance,
                )
                target = new_home
            version = await MessageRepository(session).add(
                build_message(
                    conversation_id=original.conversation_id,
                    branch_id=target.id,
                    parent_id=original.parent_id,
                    role=original.role,
                    content=content,
                    model=original.model,
                    token_count=estimate_tokens(content),
                    meta={**(original.meta or {}), "editedFrom": original.id},
                    edited_from=original.id,
                )
            )
            expected = original.id if new_home is None else original.parent_id
            if not await branches.move_head(
                target.id, expected=expected, new=version.id, when=utcnow()
            ):
                raise Conflict("The branch moved while the edit was being stored; retry")
            if new_home is None and allowance.capped and await _generating(session, target):
                # The reply under way on this branch will need a branch of its own
                # (``store_reply_at_head``): this edit makes it, so it counts here.
                await allowance.take(session)
            counts = await MessageRepository(session).own_counts(target.conversation_id)
        return EditResult(
            message=version, branch=new_home, branch_message_count=counts.get(target.id, 0)
        )

    async def delete(self, message_id: str) -> None:
        async with self.ctx.db.write() as session:
            await self._owned_visible(session, message_id)
            await MessageRepository(session).soft_delete(message_id, utcnow())

    def _check_length(self, content: str) -> None:
        """The operator's limit, which may be below the schema's documented maximum."""
        limit = self.ctx.settings.max_content_chars
        if len(content) > limit:
            raise InvalidRequest(f"content is longer than {limit} characters", field="content")

    async def _owned_visible(self, session: AsyncSession, message_id: str) -> Message:
        message = await MessageRepository(session).get_owned(message_id, self.user_id)
        if message is None or message.deleted_at is not None:
            raise NotFound("message", message_id)
        return message


async def _generating(session: AsyncSession, branch: Branch) -> bool:
    """Whether a generation holds ``branch``'s lease, as its row stands now (locked by the
    caller's write to it)."""
    current = await session.run_sync(
        lambda sync: branch_store.branch_in(sync.connection(), branch.id, branch.conversation_id)
    )
    return current is not None and current.generating(utcnow())


def clamp_to_reservation(prepared: Prepared, rounds: int = 1) -> None:
    """Each of the reply's ``rounds`` upstream calls may write its share of what the
    reservation allows, and no more."""
    assert prepared.reservation is not None
    per_call = prepared.reservation.max_output // rounds
    if per_call < prepared.request.max_tokens:
        prepared.request = replace(prepared.request, max_tokens=per_call)


def _cancelling() -> bool:
    """Whether the running task itself is being cancelled (its client went away)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def elapsed_since(started: float) -> float:
    """Milliseconds since ``started`` (a ``time.perf_counter()`` reading), to 0.01 ms."""
    return round((time.perf_counter() - started) * 1000, 2)


def partial_completion(
    prepared: Prepared,
    partial: str,
    finish_reason: str = "error",
    *,
    failure: BaseException | None = None,
) -> Completion | None:
    """What streamed before a failure, as a reply marked ``finishReason: error`` (or as told).

    Its usage is what the upstream reported of a stream it cut (``failure``), estimated
    where it reported none.
    """
    if not partial:
        return None
    reported = failure.partial if isinstance(failure, StreamCut) else None
    return _with_usage_estimates(
        prepared,
        Completion(
            content=partial,
            prompt_tokens=reported.prompt_tokens if reported else 0,
            completion_tokens=reported.completion_tokens if reported else 0,
            finish_reason=finish_reason,
            model=reported.model if reported else prepared.request.model,
        ),
    )


def _with_usage_estimates(prepared: Prepared, completion: Completion) -> Completion:
    """``completion`` with the usage its upstream left out (0) estimated: a prompt is never
    free, nor is a reply with text (a stream cut before its usage chunk, a server that
    sends none)."""
    prompt_tokens = completion.prompt_tokens or prepared.context.prompt_tokens
    completion_tokens = completion.completion_tokens
    if not completion_tokens and completion.content:
        completion_tokens = estimate_tokens(completion.content)
    return replace(completion, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)


def reply_meta(prepared: Prepared, completion: Completion, elapsed_ms: float) -> dict[str, Any]:
    """What a stored reply records: model, usage, cost, timing and the context it was given."""
    info = prepared.info
    meta = {
        "model": info.name,
        "provider": info.provider,
        "upstreamModel": completion.model,
        "temperature": prepared.request.temperature,
        "maxTokens": prepared.request.max_tokens,
        "responseTime": elapsed_ms,
        "finishReason": completion.finish_reason,
        "attempts": prepared.attempts,
        "fallbackFrom": prepared.fallback_from,
        "prompt_tokens": completion.prompt_tokens,
        "completionTokens": completion.completion_tokens,
        "cost": info.cost(completion.prompt_tokens, completion.completion_tokens),
        "context_message_count": prepared.context.context_message_count,
        "context_truncated": prepared.context.truncated,
        "checkpoint_used": prepared.context.checkpoint_used,
        "checkpointId": prepared.context.checkpoint_id,
    }
    return meta


def _visible_reply(message: Message | None) -> Message | None:
    """``message`` if it is a reply that is not deleted."""
    if message is None or message.role != "assistant" or message.deleted_at is not None:
        return None
    return message


async def _stored_remainder(message: Message, offset: int) -> AsyncIterator[StreamEvent]:
    """A finished reply replayed from ``offset``: its remaining text, then its end."""
    if offset < len(message.content):
        yield StreamEvent("content", len(message.content), text=message.content[offset:])
    yield StreamEvent("stored", len(message.content), result=message)


def reportable(exc: Exception) -> ChatRoutesServerError:
    """The error a stream reader is told; anything unexpected is logged and kept vague."""
    if isinstance(exc, ChatRoutesServerError):
        return exc
    logger.exception("streamed generation failed", exc_info=exc)
    return ChatRoutesServerError("Internal server error")
