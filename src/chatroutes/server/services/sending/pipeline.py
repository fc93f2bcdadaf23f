"""``SendPipeline``: the one way a message is sent, whichever way it came in."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator

from ...domain.errors import ChatRoutesServerError
from ...providers.base import Completion
from ...schemas.messages import MessageSend
from ..live import LiveReply, ReplyStream, StreamEvent
from ..recovery import (  # heartbeat and shutdown: the reply survives its process
    lease_kept,
    watched,
)
from ..server_context import ServerContext
from . import admission, provider_call
from . import given as given_mode
from .catch_up import catch_up
from .given import GivenResult
from .prepared import (
    Call,
    GivenContext,
    KeyCredential,
    Prepared,
    Sender,
    SendResult,
    SendTarget,
    elapsed_since,
)
from .provider_call import partial_completion, reportable
from .reply import release_lease, stopped_result, store_reply


class SendPipeline:
    """Admission, question, provider call, reply: every way of sending goes through here.

    ``send`` and ``stream`` are the whole of it; the steps are open to the ways of sending
    that add their own between them (parallel candidates, the Chat API's tools and rounds).
    Nothing here knows HTTP: a caller passes an admitted ``Sender`` or the ``KeyCredential``
    its request carried, a ``SendTarget`` and a ``MessageSend``.
    """

    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx

    async def send(
        self, sender: Sender | KeyCredential, target: SendTarget, request: MessageSend
    ) -> SendResult:
        """The stored reply to the question ``request`` asks."""
        return await self.generate(await self.store_question(sender, target, request))

    async def stream(
        self,
        sender: Sender | KeyCredential,
        target: SendTarget,
        request: MessageSend,
        *,
        reasoning: bool = False,
    ) -> ReplyStream:
        """The reply's events, once the question is stored: every refusal raises before."""
        prepared = await self.store_question(sender, target, request)
        return self.stream_prepared(prepared, reasoning=reasoning)

    async def store_question(
        self,
        sender: Sender | KeyCredential,
        target: SendTarget,
        request: MessageSend,
        *,
        reserve: bool = True,
    ) -> Prepared:
        """Admission (for a key), question, prepared request and reservation
        (``sending.admission``), its checkpoints caught up if it outran them
        (``sending.catch_up``); ``reserve=False``: the caller reserves."""
        prepared = await admission.store_question(
            self.ctx, sender, target, request, reserve=reserve
        )
        try:
            async with lease_kept(self.ctx, prepared):
                await catch_up(self.ctx, prepared)
        except BaseException:  # cancelled: the branch is let go, as after a refusal
            await release_lease(self.ctx, prepared)
            raise
        return prepared

    async def reserve(
        self, prepared: Prepared, *, prompt_tokens: int | None = None, rounds: int = 1
    ) -> None:
        """Reserve the reply's tokens after its question was stored (``admission.reserve``)."""
        await admission.reserve(self.ctx, prepared, prompt_tokens=prompt_tokens, rounds=rounds)

    async def release_lease(self, prepared: Prepared) -> None:
        """Let the branch go without a reply, its reservation given back."""
        await release_lease(self.ctx, prepared)

    async def stream_completion(self, prepared: Prepared, live: LiveReply) -> Completion:
        """The provider call alone, streamed into ``live`` (a parallel candidate's)."""
        return await provider_call.stream_completion(self.ctx, prepared, live)

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
                return await stopped_result(self.ctx, prepared)
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

    async def admit_given(
        self, sender: Sender | KeyCredential, given: GivenContext, *, count: int = 1
    ) -> list[Call]:
        """Admission (for a key) and ``count`` reservations for a send whose context is
        given (``sending.given``): every refusal raises here, before any upstream call."""
        return await given_mode.admit(self.ctx, sender, given, count)

    async def complete_given(self, call: Call, given: GivenContext) -> GivenResult:
        """A given-context call's reply in one piece, its usage settled (and the exchange
        kept, if asked). It runs in the caller's task: nothing outlives the request."""
        started = time.perf_counter()
        try:
            completion = await provider_call.complete(self.ctx, call)
        except BaseException as exc:
            # nothing reached the caller: charged nothing, as a failed send is
            await asyncio.shield(given_mode.settle_cut(self.ctx, call, "", exc))
            raise
        return await asyncio.shield(
            given_mode.settle(self.ctx, call, given, completion, elapsed_since(started))
        )

    async def stream_given(
        self, call: Call, given: GivenContext
    ) -> AsyncGenerator[StreamEvent, None]:
        """A given-context call's events: ``content``…, then ``complete`` (its result a
        ``GivenResult``) or ``error``. The call is this reader's: a reader that leaves
        cancels it, and what it streamed until then is charged."""
        live = LiveReply(call.reply_id, "")
        task = asyncio.ensure_future(self._stream_given(call, given, live))
        try:
            async for event in live.follow(0):
                yield event
        finally:
            task.cancel()  # a no-op once it has finished

    async def _stream_given(self, call: Call, given: GivenContext, live: LiveReply) -> None:
        started = time.perf_counter()
        try:
            completion = await provider_call.stream_completion(self.ctx, call, live)
        except asyncio.CancelledError as exc:  # its reader left: settled apart
            self.ctx.spawn(given_mode.settle_cut(self.ctx, call, "".join(live.parts), exc))
            raise
        except Exception as exc:
            await given_mode.settle_cut(self.ctx, call, "".join(live.parts), exc)
            live.finish(StreamEvent("error", live.length, error=reportable(exc)))
            return
        try:
            result = await given_mode.settle(
                self.ctx, call, given, completion, elapsed_since(started)
            )
        except Exception as exc:
            live.finish(StreamEvent("error", live.length, error=reportable(exc)))
            return
        live.finish(StreamEvent("complete", live.length, result=result))

    async def _generate(self, prepared: Prepared) -> SendResult:
        started = time.perf_counter()
        try:
            completion = await provider_call.complete(self.ctx, prepared)
        except Exception as exc:
            if isinstance(exc, ChatRoutesServerError):
                exc.details.setdefault("userMessageId", prepared.user_message.id)
            await release_lease(self.ctx, prepared)
            raise
        return await store_reply(self.ctx, prepared, completion, elapsed_since(started))

    async def _generate_streaming(self, prepared: Prepared, live: LiveReply) -> None:
        try:
            final = await self._stream_reply(prepared, live)
        except Exception as exc:  # storing failed: readers still get an end, never a hang
            final = StreamEvent("error", live.length, error=reportable(exc))
        live.finish(final)
        self.ctx.live.pop(live.reply_id, None)

    async def _stream_reply(self, prepared: Prepared, live: LiveReply) -> StreamEvent:
        started = time.perf_counter()
        try:
            completion = await provider_call.stream_completion(self.ctx, prepared, live)
        except Exception as exc:
            error = reportable(exc)
            error.details.setdefault("userMessageId", prepared.user_message.id)
            await self._keep_partial(prepared, "".join(live.parts), started, exc)
            return StreamEvent("error", live.length, error=error)
        result = await store_reply(self.ctx, prepared, completion, elapsed_since(started))
        warning = (result.assistant_message.meta or {}).get("budgetWarning")
        if warning:
            live.add_budget_warning(warning)
        return StreamEvent("complete", live.length, result=result)

    async def _keep_partial(
        self, prepared: Prepared, partial: str, started: float, failure: Exception
    ) -> None:
        """What streamed before a failure is stored, marked ``finishReason: error``."""
        cut = partial_completion(prepared, partial, failure=failure)
        if cut is None:
            await release_lease(self.ctx, prepared)
            return
        await store_reply(self.ctx, prepared, cut, elapsed_since(started))


def _cancelling() -> bool:
    """Whether the running task itself is being cancelled (its client went away)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
