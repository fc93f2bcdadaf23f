"""A send's provider call: its routes (the asked model, then its fallbacks) each with the
retry policy and its provider's circuit breaker, the whole bounded by one deadline."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TypeVar

from ...domain.errors import (
    ChatRoutesServerError,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
)
from ...domain.tokens import estimate_tokens
from ...providers.base import (
    Completion,
    CompletionRequest,
    Provider,
    Reasoning,
    Status,
    StreamCut,
)
from ...providers.circuit import CircuitBreaker
from ...providers.retries import call_with_retries
from ..live import LiveReply
from ..server_context import ServerContext
from .prepared import Call

logger = logging.getLogger("chatroutes.server")
T = TypeVar("T")


class _AfterFirstToken(Exception):
    """A provider failure after text was streamed: final, whatever its kind."""

    def __init__(self, error: ProviderError) -> None:
        super().__init__(error.message)
        self.error = error


async def complete(ctx: ServerContext, prepared: Call) -> Completion:
    """The reply in one piece, through the prepared routes."""

    async def call(provider: Provider, request: CompletionRequest) -> Completion:
        return await provider.complete(request)

    return await _within_deadline(ctx, _call_routes(ctx, prepared, call), prepared)


async def stream_completion(ctx: ServerContext, prepared: Call, live: LiveReply) -> Completion:
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
        return await _within_deadline(ctx, _call_routes(ctx, prepared, stream), prepared)
    except _AfterFirstToken as wrapped:
        raise wrapped.error from wrapped


async def _call_routes(
    ctx: ServerContext,
    prepared: Call,
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
        breaker = ctx.breaker(info.provider)
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
            completion = await call_with_retries(attempt, ctx.retry_policy, give_up=fall_back)
        except ProviderError as exc:
            first_error = first_error or exc
            continue
        if info is not asked:
            prepared.fallback_from = asked.name
        prepared.info, prepared.provider, prepared.request = info, provider, request
        return _with_usage_estimates(prepared, completion)
    assert first_error is not None
    raise first_error


async def _within_deadline(ctx: ServerContext, work: Awaitable[T], prepared: Call) -> T:
    """Bound a whole generation, every attempt and wait included."""
    deadline = ctx.settings.upstream_deadline_seconds
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


def partial_completion(
    prepared: Call,
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


def _with_usage_estimates(prepared: Call, completion: Completion) -> Completion:
    """``completion`` with the usage its upstream left out (0) estimated: a prompt is never
    free, nor is a reply with text (a stream cut before its usage chunk, a server that
    sends none)."""
    prompt_tokens = completion.prompt_tokens or prepared.prompt_tokens
    completion_tokens = completion.completion_tokens
    if not completion_tokens and completion.content:
        completion_tokens = estimate_tokens(completion.content)
    return replace(completion, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)


def reportable(exc: Exception) -> ChatRoutesServerError:
    """The error a stream reader is told; anything unexpected is logged and kept vague."""
    if isinstance(exc, ChatRoutesServerError):
        return exc
    logger.exception("streamed generation failed", exc_info=exc)
    return ChatRoutesServerError("Internal server error")
