"""How a send is let in: its limits checked, its question stored and its reply's tokens
reserved, in as few transactions as the counters allow.

With the counters in the database (they join a transaction: ``Counters.joining``), the
reservation is taken in the transaction that stores the question, so a send the limits
refuse stores nothing; and a send made with an API key is authenticated and admitted in
that same transaction too, the most common request writing once before its provider
call. With the counters in Redis, each of those counts is a step of its own after the
transaction that reads or writes the database.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Connection

from ...domain.errors import ChatRoutesServerError
from ...schemas.messages import MessageSend
from ...store.execution import savepoint
from ..accounts import AccountService, Principal
from ..limits import (
    UNCAPPED,
    Account,
    Admission,
    LimitService,
    tokens_left,
    user_subject,
)
from ..metering import Meter
from ..server_context import ServerContext
from .prepared import (
    KeyCredential,
    Prepared,
    Sender,
    SendTarget,
    budget_hold,
    clamp_to_reservation,
)
from .question import (
    HeadMoved,
    StoredQuestion,
    check_length,
    committed,
    question_within,
    write_retrying_head_races,
)
from .reply import release_lease

_Stored = tuple[StoredQuestion, Prepared]
T = TypeVar("T")


async def store_question(
    ctx: ServerContext,
    sender: Sender | KeyCredential,
    target: SendTarget,
    request: MessageSend,
    *,
    reserve: bool = True,
) -> Prepared:
    """Check limits, take the branch's lease, store the user message and reserve the
    reply's tokens: ready to generate. ``reserve=False``: the caller reserves (one
    reservation per parallel candidate, the Chat API's rounds)."""
    if isinstance(sender, KeyCredential):
        return await _admit_and_store(ctx, sender, target, request, reserve)
    return await _store(ctx, sender, target, request, reserve)


async def reserve(
    ctx: ServerContext, prepared: Prepared, *, prompt_tokens: int | None = None, rounds: int = 1
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
    held = prepared.reservation  # the budgets only, held with the question
    try:
        reservation = await Meter(ctx).reserve(
            prepared.account,
            prompt * rounds,
            prepared.request.max_tokens * rounds,
            budget=None if held is not None else budget_hold(prepared),
            cost_of=prepared.info.cost,
        )
    except BaseException:
        await release_lease(ctx, prepared)
        raise
    if held is not None:
        reservation.budget = held.budget
    prepared.reservation = reservation
    clamp_to_reservation(prepared, rounds)


async def _store(
    ctx: ServerContext, sender: Sender, target: SendTarget, request: MessageSend, reserve_: bool
) -> Prepared:
    """``store_question`` for an admitted caller: the question and, when the counters can
    join its transaction, the reservation in one transaction; else the reservation after."""
    check_length(ctx.settings, request.content)
    limits = LimitService(ctx)
    meter = Meter(ctx, limits)
    async with (
        limits.sending(sender.user_id, sender.user) as account,
        # only a send naming a parent may fork a branch
        limits.branch_allowance(
            sender.user_id, account.user, reserve=int(request.parent_message_id is not None)
        ) as branches,
    ):
        stored, prepared = await write_retrying_head_races(
            ctx,
            lambda connection: question_within(
                ctx, connection, meter, sender.user_id, target, request, branches, account, reserve_
            ),
            "the message",
            durable=False,  # flushed with the reply
        )
        prepared = committed(ctx, stored, prepared)
    if reserve_ and (prepared.reservation is None or prepared.reservation.counters_pending):
        await reserve(ctx, prepared)  # counters elsewhere: reserve after
    return prepared


async def _admit_and_store(
    ctx: ServerContext,
    credential: KeyCredential,
    target: SendTarget,
    request: MessageSend,
    reserve_: bool,
) -> Prepared:
    """``LimitService.admit_key`` then ``store_question``, in one transaction when the
    counters can join it: a send made with an API key, the most common request, then
    writes once before its provider call instead of twice.

    The question is stored within a savepoint: a send refused for its content, its
    conversation, a busy branch or the token quota rolls back to it, and is counted as
    a request all the same, as it is when admission runs alone. A refused admission
    stores no question and commits its counts too. A guest's send, a send whose counters
    could not join the transaction, and a retry after a moved head go the usual way.
    """
    limits = LimitService(ctx)
    meter = Meter(ctx, limits)

    def within(connection: Connection, account: Account, now: datetime) -> _Stored:
        check_length(ctx.settings, request.content)
        take_token_quota(limits, connection, account, now)
        return question_within(
            ctx,
            connection,
            meter,
            account.user.id,
            target,
            request,
            UNCAPPED,  # not a guest
            account,
            reserve_,
        )

    principal, outcome = await admit_key_joined(
        ctx, limits, credential, within, refusals=(ChatRoutesServerError, HeadMoved)
    )
    if outcome is None or isinstance(outcome, HeadMoved):
        return await _store(ctx, Sender.of(principal), target, request, reserve_)
    if isinstance(outcome, Exception):
        raise outcome
    return committed(ctx, *outcome)


async def admit_key_joined(
    ctx: ServerContext,
    limits: LimitService,
    credential: KeyCredential,
    within: Callable[[Connection, Account, datetime], T],
    refusals: tuple[type[Exception], ...] = (ChatRoutesServerError,),
) -> tuple[Principal, T | Exception | None]:
    """``LimitService.admit_key`` and ``within`` in one transaction when the counters can
    join it: the key's request then writes once before its provider call.

    ``within`` runs for an admitted member (not a guest) in a savepoint: one of
    ``refusals`` rolls back to it and is returned, not raised, the request counted all
    the same. A refused admission raises here, its counts committed. None: ``within``
    did not run (a guest, or counters that could not join) and the caller goes the
    usual way as the principal returned.
    """
    key_hash = AccountService(ctx.db, ctx.secret).key_hash(credential.key)
    now = ctx.clock()

    def work(connection: Connection) -> tuple[Admission, T | Exception | None]:
        admission = limits.admit_key_within(connection, key_hash, now)
        if not admission.counted or admission.refused or admission.account.is_guest:
            return admission, None
        try:
            with savepoint(connection):
                outcome = within(connection, admission.account, now)
        except refusals as exc:
            return admission, exc
        return admission, outcome

    admission, outcome = await ctx.db.run(work, write=True, durable=False)
    if credential.on_principal:
        credential.on_principal(admission.principal)
    await limits.judge(admission, credential.on_rate)  # a refusal raises, its counts committed
    return admission.principal, outcome


def take_token_quota(
    limits: LimitService, connection: Connection, account: Account, now: datetime
) -> None:
    """The member's token quota checked on the counters joined to ``connection``'s
    transaction (``admit_key_joined`` counted the admission there)."""
    joined = limits.counters.joining(connection)
    assert joined is not None  # it counted the admission
    joined.apply(user_subject(account.user.id), tokens_left(account, now))
