"""Sends whose context the caller gives whole (``GivenContext``: OpenAI's Chat
Completions), as a mode of the one pipeline: the same admission (a key's in the same
transaction as its reservations, when the counters can join it), reservations, provider
call (``provider_call``: routes, fallbacks, retries, breakers, deadline) and settlement
as a stored send. What differs is only what is read and written around the call: no
conversation is read, no lease taken, and the call's usage goes to the usage ledger
(``CHAT_COMPLETION_KIND``), its commit not waiting for the disk (it is all the call
leaves; the next durable commit takes it along). Kept (``GivenContext.keep_as``), the
exchange is stored as a new conversation in the transaction that settles its
reservation, its reply billed as any stored reply is.

``n`` replies to one request are ``n`` calls, each with its own reservation, taken
together: a request the quota cannot cover in full is refused whole.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from ...domain.context_assembly import ChatMessage, prompt_estimate
from ...domain.errors import NotFound
from ...domain.ids import new_id
from ...domain.tokens import estimate_tokens
from ...providers.base import Completion
from ...store.execution import insert_instance
from ...store.tables import Conversation
from ...store.usage_ledger import CHAT_COMPLETION_KIND
from ..branches import build_message
from ..conversations import main_branch
from ..limits import Account, LimitService
from ..metering import Meter, Reservation
from ..server_context import ServerContext, utcnow
from .admission import admit_key_joined, take_token_quota
from .prepared import Call, GivenContext, KeyCredential, Sender, clamp_to_reservation
from .provider_call import partial_completion

KEPT_CHANNEL = "openai"  # the channel of a conversation kept from a Chat Completion
_TITLE_CHARS = 80


@dataclass(frozen=True)
class GivenResult:
    """A given-context call's reply; ``conversation_id``: the conversation keeping it."""

    completion: Completion
    model: str  # the registry model that answered: the asked one, or a fallback
    conversation_id: str | None = None


async def admit(
    ctx: ServerContext, sender: Sender | KeyCredential, given: GivenContext, count: int
) -> list[Call]:
    """The caller admitted (a key's) and ``count`` calls reserved; every refusal raises
    here, before any upstream call."""
    if isinstance(sender, KeyCredential):
        return await _admit_key_and_reserve(ctx, sender, given, count)
    limits = LimitService(ctx)
    async with limits.sending(sender.user_id, sender.user) as account:
        return await _reserve(ctx, Meter(ctx, limits), account, given, count)


async def _admit_key_and_reserve(
    ctx: ServerContext, credential: KeyCredential, given: GivenContext, count: int
) -> list[Call]:
    """``LimitService.admit_key`` and the reservations in one transaction when the counters
    can join it; when they cannot (Redis), or the caller is a guest, the usual steps
    follow once the caller is admitted."""
    limits = LimitService(ctx)
    meter = Meter(ctx, limits)

    def within(connection: Connection, account: Account, now: datetime) -> list[Call]:
        take_token_quota(limits, connection, account, now)
        calls = []
        for _ in range(count):
            call = new_call(ctx, given, account)
            call.reservation = meter.reserve_within(
                connection, account, call.prompt_tokens, call.request.max_tokens
            )
            calls.append(call)
        return calls

    principal, outcome = await admit_key_joined(ctx, limits, credential, within)
    if isinstance(outcome, Exception):
        raise outcome
    if outcome is None:
        async with limits.sending(principal.user_id, principal.user) as account:
            return await _reserve(ctx, meter, account, given, count)
    for call in outcome:
        clamp_to_reservation(call)
    return outcome


async def _reserve(
    ctx: ServerContext, meter: Meter, account: Account, given: GivenContext, count: int
) -> list[Call]:
    """``count`` calls, each reserved on its own; one refused, those taken are given back."""
    calls: list[Call] = []
    try:
        for _ in range(count):
            call = new_call(ctx, given, account)
            call.reservation = await meter.reserve(
                account, call.prompt_tokens, call.request.max_tokens
            )
            clamp_to_reservation(call)
            calls.append(call)
    except BaseException:
        for taken in calls:
            assert taken.reservation is not None
            await meter.settle(taken.reservation, 0)
        raise
    return calls


def new_call(ctx: ServerContext, given: GivenContext, account: Account) -> Call:
    """A call of the asked model's routes with the caller's request, its output capped at
    the model's limit; the prompt estimated as a send's is, tools included."""
    if ctx.registry.find(given.model) is None:
        raise model_not_found(given.model)
    routes = ctx.registry.routes(given.model)
    info, provider = routes[0]
    request = given.request
    request = replace(
        request, model=info.upstream_id, max_tokens=min(request.max_tokens, info.max_output)
    )
    tools = json.dumps([t.parameters for t in request.tools]) if request.tools else ""
    return Call(
        request=request,
        info=info,
        provider=provider,
        routes=routes,
        prompt_tokens=prompt_estimate(request.messages) + estimate_tokens(tools),
        reply_id=new_id("chatcmpl"),
        account=account,
    )


def model_not_found(name: str) -> NotFound:
    error = NotFound("model", name)
    error.message = f"The model '{name}' does not exist on this server; GET /v1/models lists them"
    return error


async def settle(
    ctx: ServerContext, call: Call, given: GivenContext, completion: Completion, elapsed_ms: float
) -> GivenResult:
    """The call's usage charged: to the ledger, or, kept, with the exchange stored as a
    new conversation in the same transaction."""
    reservation = call.reservation
    assert reservation is not None
    prompt, output = completion.prompt_tokens, completion.completion_tokens
    cost = call.info.cost(prompt, output)
    if given.keep_as is None:  # its usage, all it leaves, need not wait for the disk
        await Meter(ctx).charge_unstored(
            reservation, CHAT_COMPLETION_KIND, call.info.name, prompt, output, cost, durable=False
        )
        return GivenResult(completion, call.info.name)
    await _keep(ctx, call, given, given.keep_as, completion, elapsed_ms, reservation)
    return GivenResult(completion, call.info.name, given.keep_as)


async def settle_cut(ctx: ServerContext, call: Call, partial: str, failure: BaseException) -> None:
    """A call that ended without its reply: what it streamed (the prompt and that text)
    is charged to the ledger; nothing, if nothing came."""
    reservation = call.reservation
    assert reservation is not None
    cut = partial_completion(call, partial, failure=failure)
    meter = Meter(ctx)
    if cut is None:
        await meter.settle(reservation, 0)
        return
    await meter.charge_unstored(
        reservation,
        CHAT_COMPLETION_KIND,
        call.info.name,
        cut.prompt_tokens,
        cut.completion_tokens,
        call.info.cost(cut.prompt_tokens, cut.completion_tokens),
        durable=False,
    )


async def _keep(
    ctx: ServerContext,
    call: Call,
    given: GivenContext,
    conversation_id: str,
    completion: Completion,
    elapsed_ms: float,
    reservation: Reservation,
) -> None:
    """The caller's messages and the reply as a new conversation (its system and developer
    messages as its system prompt), the reservation settled in the same transaction."""
    meter = Meter(ctx)
    spent = completion.prompt_tokens + completion.completion_tokens
    counted = False
    now = utcnow()

    def store(connection: Connection) -> None:
        nonlocal counted
        _insert_exchange(
            connection,
            conversation_id,
            reservation.user_id,
            call,
            given,
            completion,
            elapsed_ms,
            now,
        )
        counted = meter.settle_within(connection, reservation, spent)

    await ctx.db.run(store, write=True)
    await meter.committed(reservation, spent, counted)


def _insert_exchange(
    connection: Connection,
    conversation_id: str,
    user_id: str,
    call: Call,
    given: GivenContext,
    completion: Completion,
    elapsed_ms: float,
    now: datetime,
) -> None:
    messages = call.request.messages
    system = "\n\n".join(m.content for m in messages if m.role == "system") or None
    turns = [m for m in messages if m.role != "system"]
    main = main_branch(conversation_id, now)
    stored = []
    parent: str | None = None
    for turn in turns:
        message = build_message(
            conversation_id=conversation_id,
            branch_id=main.id,
            parent_id=parent,
            role=turn.role,
            content=turn.content,
            model=call.info.name,
            token_count=estimate_tokens(turn.content),
            meta=_turn_meta(turn),
        )
        stored.append(message)
        parent = message.id
    reply = build_message(
        message_id=call.reply_id,
        conversation_id=conversation_id,
        branch_id=main.id,
        parent_id=parent,
        role="assistant",
        content=completion.content,
        model=call.info.name,
        token_count=completion.completion_tokens,
        meta=_reply_meta(call, given, completion, elapsed_ms),
    )
    first = next((m.content for m in turns if m.role == "user"), "") or "Chat completion"
    title = " ".join(first.split())
    insert_instance(
        connection,
        Conversation(
            id=conversation_id,
            user_id=user_id,
            title=title[: _TITLE_CHARS - 1] + "…" if len(title) > _TITLE_CHARS else title,
            model=call.info.name,
            system_prompt=system,
            temperature=call.request.temperature if call.request.temperature is not None else 0.7,
            max_tokens=call.request.max_tokens,
            channel=KEPT_CHANNEL,
            archived=False,
            created_at=now,
            updated_at=now,
            message_deletions=0,
        ),
    )
    main.head_message_id = reply.id
    insert_instance(connection, main)
    for message in [*stored, reply]:
        insert_instance(connection, message)


def _turn_meta(turn: ChatMessage) -> dict[str, Any]:
    """What a caller's message carried beyond its text: tool calls, the call it answers."""
    meta: dict[str, Any] = {}
    if turn.tool_calls:
        meta["toolCalls"] = [
            {"id": c.id, "name": c.name, "arguments": c.arguments} for c in turn.tool_calls
        ]
    if turn.tool_call_id is not None:
        meta["toolCallId"] = turn.tool_call_id
    if turn.images:
        meta["images"] = len(turn.images)
    return meta


def _reply_meta(
    call: Call, given: GivenContext, completion: Completion, elapsed_ms: float
) -> dict[str, Any]:
    """The reply's record, as a stored send's (``reply_meta``), with the caller's metadata."""
    info = call.info
    meta: dict[str, Any] = {
        "model": info.name,
        "provider": info.provider,
        "upstreamModel": completion.model,
        "temperature": call.request.temperature,
        "maxTokens": call.request.max_tokens,
        "responseTime": elapsed_ms,
        "finishReason": completion.finish_reason,
        "attempts": call.attempts,
        "fallbackFrom": call.fallback_from,
        "prompt_tokens": completion.prompt_tokens,
        "completionTokens": completion.completion_tokens,
        "cost": info.cost(completion.prompt_tokens, completion.completion_tokens),
        "completionId": call.reply_id,
        "metadata": dict(given.metadata),
    }
    if completion.tool_calls:
        meta["toolCalls"] = [
            {"id": c.id, "name": c.name, "arguments": c.arguments} for c in completion.tool_calls
        ]
    return meta
