"""A send's last transaction: the reply stored and its reservation settled to its usage,
or, after a call that stored no reply, the branch let go and the reservation given back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from ...domain.errors import ChatRoutesServerError, NotFound
from ...domain.webhooks import BRANCH_CREATED, MESSAGE_COMPLETED, QUOTA_WARNING
from ...observability.metrics import record_reply
from ...providers.base import Completion
from ...store import branches as branch_store
from ...store import messages as message_store
from ...store.branches import BranchRepository
from ...store.conversations import ConversationRepository
from ...store.messages import MessageRepository
from ...store.usage_ledger import MESSAGE_KIND
from ..branches import store_reply_at_head
from ..checkpoints import CheckpointService
from ..metering import Meter
from ..server_context import ServerContext
from ..webhooks import Outbox, branch_data, message_data
from .prepared import Prepared, SendResult, reply_meta
from .question import write_retrying_head_races


async def store_reply(
    ctx: ServerContext, prepared: Prepared, completion: Completion, elapsed_ms: float
) -> SendResult:
    """Store the reply and settle its reservation to its usage, in one transaction when
    the counters can join it. A conversation deleted while the reply was written cannot
    hold it: its usage goes to the ledger, and the caller is told."""
    meta = reply_meta(prepared, completion, elapsed_ms)
    reservation, meter = prepared.reservation, Meter(ctx)
    spent = completion.prompt_tokens + completion.completion_tokens
    counted = warn_later = False

    def store(connection: Connection) -> SendResult:
        nonlocal counted, warn_later
        if reservation is not None:  # first: a budget's warning goes into the reply
            counted = meter.settle_within(connection, reservation, spent, meta["cost"])
            warnings = reservation.budget.warnings if reservation.budget else []
            if warnings:
                meta["budgetWarning"] = warnings[0]
            else:
                meta.pop("budgetWarning", None)
        stored = _store_reply_within(connection, prepared, completion, meta)
        outbox = Outbox(connection, prepared.conversation.user_id)
        if stored.branch is not prepared.branch:
            outbox.emit(BRANCH_CREATED, branch_data(stored.branch))  # the reply's own branch
        outbox.emit(MESSAGE_COMPLETED, message_data(stored.assistant_message))
        if reservation is not None:
            warn_later = not counted and bool(outbox.listening(QUOTA_WARNING))
            if counted:
                meter.quota_warnings_within(connection, outbox, reservation)
        return stored

    try:
        result = await write_retrying_head_races(ctx, store, "the reply")
    except Exception:
        if reservation is None or await _conversation_exists(ctx, prepared.conversation.id):
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
        if warn_later:  # counters elsewhere (Redis): warnings once they are settled
            await meter.quota_warnings(reservation)
    reply = result.assistant_message
    ctx.paths.extend(prepared.user_message.id, message_store.PathRow.of(reply))
    record_reply(meta)  # metrics: tokens, cost and fallbacks by model
    if prepared.checkpoint_due and completion.finish_reason != "error":
        checkpoints = CheckpointService(ctx, prepared.conversation.user_id)
        ctx.spawn(
            checkpoints.auto_checkpoint(result.branch.conversation_id, result.branch.id, reply.id)
        )
    return result


async def release_lease(ctx: ServerContext, prepared: Prepared) -> None:
    """Let the branch go after a call that stored no reply, and give its reservation
    back (in the same transaction when the counters can join it)."""
    branch_id, lease = prepared.branch.id, prepared.lease
    reservation, meter = prepared.reservation, Meter(ctx)
    counted = False

    def release(connection: Connection) -> None:
        nonlocal counted
        branch_store.release_lease(connection, branch_id, lease)
        if reservation is not None and not reservation.settled:
            counted = meter.settle_within(connection, reservation, 0)

    await ctx.db.run(release, write=True)
    if reservation is not None:
        await meter.committed(reservation, 0, counted)


async def stopped_result(ctx: ServerContext, prepared: Prepared) -> SendResult:
    """A stopped send's answer: the reply as its stop stored it."""
    conversation_id = prepared.conversation.id
    async with ctx.db.read() as session:
        reply = await MessageRepository(session).get_in_conversation(
            prepared.reply_id, conversation_id
        )
        branch = (
            None
            if reply is None
            else await BranchRepository(session).get_in_conversation(
                reply.branch_id, conversation_id
            )
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


async def _conversation_exists(ctx: ServerContext, conversation_id: str) -> bool:
    async with ctx.db.read() as session:
        return await ConversationRepository(session).get(conversation_id) is not None


def _store_reply_within(
    connection: Connection, prepared: Prepared, completion: Completion, meta: dict[str, Any]
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
