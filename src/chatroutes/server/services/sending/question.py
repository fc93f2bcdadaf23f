"""A send's first transaction: the branch's lease taken, the question stored, the head
moved, and the provider request prepared from the path; the reply's tokens reserved in it
too when the counters can join it (``Meter.reserve_within``).

Its commit does not wait for the disk: the reply's flush takes it along, as the lease's
release does after a failure (see ``services/sending/__init__.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import Connection

from ...domain import tree
from ...domain.checkpoints import catch_up_due, messages_since_checkpoint
from ...domain.context_assembly import (
    AssembledContext,
    CheckpointSummary,
    ContextPolicy,
    assemble_context,
)
from ...domain.errors import BranchBusy, Conflict, InvalidRequest
from ...domain.ids import new_id
from ...domain.tokens import estimate_tokens
from ...providers.base import CompletionRequest, Provider
from ...providers.registry import ModelInfo
from ...schemas.messages import MessageSend
from ...settings import Settings
from ...store import branches as branch_store
from ...store import checkpoints as checkpoint_store
from ...store import messages as message_store
from ...store.execution import insert_instance
from ...store.tables import Branch, Conversation, Message
from ..branches import branch_within, build_message, insert_branch, message_within, new_branch
from ..conversations import owned_conversation_within
from ..limits import Account, BranchAllowance
from ..metering import Meter
from ..server_context import ServerContext, utcnow
from .prepared import CatchUpNeed, Prepared, SendTarget, budget_hold, clamp_to_reservation

T = TypeVar("T")
BUSY_RETRY_AFTER_SECONDS = 2
_HEAD_RACE_ATTEMPTS = 5


class HeadMoved(Exception):
    """A compare-and-set on a head lost a race; the transaction is rolled back and retried."""


@dataclass
class StoredQuestion:
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


def check_length(settings: Settings, content: str) -> None:
    """The operator's limit, which may be below the schema's documented maximum."""
    limit = settings.max_content_chars
    if len(content) > limit:
        raise InvalidRequest(f"content is longer than {limit} characters", field="content")


async def write_retrying_head_races(
    ctx: ServerContext, work: Callable[[Connection], T], what: str, *, durable: bool = True
) -> T:
    """Run ``work`` in a write transaction, again from scratch if a head moved under it."""
    for _ in range(_HEAD_RACE_ATTEMPTS):
        try:
            return await ctx.db.run(work, write=True, durable=durable)
        except HeadMoved:
            continue
    raise Conflict(f"The branch kept changing while {what} was being stored; retry")


def question_within(
    ctx: ServerContext,
    connection: Connection,
    meter: Meter,
    user_id: str,
    target: SendTarget,
    request: MessageSend,
    branches: BranchAllowance,
    account: Account,
    reserve: bool,
) -> tuple[StoredQuestion, Prepared]:
    """The first transaction of a send, whichever way it came in: the question stored
    and the provider request prepared, with the reply's reservation when ``reserve``
    and the counters can join the transaction (in the database)."""
    stored = _store_question(ctx, connection, user_id, target, request, branches)
    prepared = _prepared(ctx, stored, request)
    prepared.account = account
    if reserve:
        prepared.reservation = meter.reserve_within(
            connection,
            account,
            prepared.context.prompt_tokens,
            prepared.request.max_tokens,
            budget=budget_hold(prepared),
            cost_of=prepared.info.cost,
        )
    return stored, prepared


def committed(ctx: ServerContext, stored: StoredQuestion, prepared: Prepared) -> Prepared:
    """Once the first transaction committed: its path remembered, the request clamped
    to its reservation (if it took one)."""
    ctx.paths.remember(stored.conversation, stored.path)
    if prepared.reservation is not None:
        clamp_to_reservation(prepared)
    return prepared


def reply_max_tokens(conversation: Conversation, info: ModelInfo, asked: int | None) -> int:
    """The most tokens a reply may write: the send's ``maxTokens``, else the
    conversation's, within what the model can write."""
    return min(asked or conversation.max_tokens, info.max_output)


def send_context(
    settings: Settings,
    conversation: Conversation,
    *,
    context_mode: str,
    fork_point_id: str | None,
    path: Sequence[Any],
    checkpoints: Sequence[CheckpointSummary],
    info: ModelInfo,
    max_tokens: int,
) -> AssembledContext:
    """What a send whose path (root to question) is ``path`` gives the model: the one
    assembly of a send's context, which a send's preview makes too."""
    return assemble_context(
        conversation.system_prompt,
        path,
        fork_point_id=fork_point_id,
        checkpoints=checkpoints,
        policy=ContextPolicy(
            mode=context_mode,
            partial_messages=settings.partial_context_messages,
            prompt_budget=max(info.context_window - max_tokens, 0),
        ),
    )


def outran_checkpoints(
    settings: Settings,
    path: Sequence[Any],
    checkpoints: Sequence[CheckpointSummary],
    context: AssembledContext,
) -> bool:
    """Whether a send of ``path`` (root to question), assembled as ``context``, has
    outrun its branch's automatic checkpoints and must catch up first (``catch_up.py``).
    Counted on what would go out past the last checkpoint: a context mode may leave most
    of it out."""
    since = messages_since_checkpoint(path, {c.anchor_message_id for c in checkpoints})
    return catch_up_due(
        min(since, context.context_message_count),
        settings.checkpoint_interval,
        settings.checkpoint_catchup_factor,
    )


def resends_head(connection: Connection, head: Any | None, content: str) -> bool:
    """Whether a send of ``content`` on a branch whose head is ``head`` (no fork) is the
    retry of a question whose provider call failed: the head is that very question."""
    return (
        head is not None
        and head.role == "user"
        and head.deleted_at is None
        and head.content == content
        and not message_store.has_children(connection, head.id)
    )


def _prepared(ctx: ServerContext, stored: StoredQuestion, request: MessageSend) -> Prepared:
    """The provider request for a stored question: its context, model and settings.
    Pure: once the question is committed, ``paths.remember`` its path."""
    conversation, branch, path = stored.conversation, stored.branch, stored.path
    info, provider = stored.routes[0]
    temperature = (
        request.temperature if request.temperature is not None else conversation.temperature
    )
    max_tokens = reply_max_tokens(conversation, info, request.max_tokens)
    settings = ctx.settings

    def assemble(checkpoints: Sequence[CheckpointSummary]) -> AssembledContext:
        return send_context(
            settings,
            conversation,
            context_mode=branch.context_mode,
            fork_point_id=branch.fork_point_message_id,
            path=path,
            checkpoints=checkpoints,
            info=info,
            max_tokens=max_tokens,
        )

    summaries = [CheckpointSummary(*row) for row in stored.checkpoints]
    context = assemble(summaries)
    since = messages_since_checkpoint(path, {c.anchor_message_id for c in summaries})
    outran = outran_checkpoints(settings, path, summaries, context)
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
        prompt_tokens=context.prompt_tokens,
        context=context,
        checkpoint_due=0 < settings.checkpoint_interval <= since + 1,
        catch_up=CatchUpNeed(path, assemble) if outran else None,
    )


def _store_question(
    ctx: ServerContext,
    connection: Connection,
    user_id: str,
    target: SendTarget,
    request: MessageSend,
    branches: BranchAllowance,
) -> StoredQuestion:
    """The first transaction of a send: lease, question, head; and what the context needs.

    A send whose parent is not its branch's head forks a branch there, taken from
    ``branches``.
    """
    conversation_id = target.conversation_id
    branch_id = target.branch_id or request.branch_id
    conversation = owned_conversation_within(connection, conversation_id, user_id)
    model = request.model or conversation.model
    routes = ctx.registry.routes(model)

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
            m.id for m in ctx.paths.path(connection, conversation, branch.head_message_id)
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
            owner=user_id,
        )

    now = utcnow()
    lease, reply_id = new_id("gen"), new_id("msg")
    until = now + timedelta(seconds=ctx.settings.generation_lease_seconds)
    if not branch_store.acquire_lease(
        connection, branch.id, lease, reply_id=reply_id, now=now, until=until
    ):
        raise BranchBusy(
            f"A reply is already being generated on branch {branch.id}; retry shortly",
            details={"branchId": branch.id},
            retry_after=BUSY_RETRY_AFTER_SECONDS,
        )

    path = ctx.paths.path(connection, conversation, placement.parent_id)
    head = path[-1] if path else None
    if (
        not forked and head is not None and resends_head(connection, head, request.content)
    ):  # the head is this very question, from a send whose provider call failed
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
            raise HeadMoved
        path.append(message_store.PathRow.of(user_message))
    path_ids = [m.id for m in path]
    checkpoints = checkpoint_store.checkpoints_anchored_on(connection, conversation_id, path_ids)
    return StoredQuestion(
        conversation, branch, forked, user_message, lease, reply_id, routes, path, checkpoints
    )
