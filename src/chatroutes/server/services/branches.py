"""Branches: O(1) forks, their paths, and the conversation tree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain import tree
from ..domain.errors import InvalidRequest, NotFound
from ..domain.hashing import content_hash
from ..domain.ids import new_id
from ..domain.webhooks import BRANCH_CREATED
from ..schemas.branches import BranchCreate, BranchFork, BranchUpdate
from ..schemas.messages import StoredMessage
from ..store import branches as branch_store
from ..store import conversations as conversation_store
from ..store import messages as message_store
from ..store.branches import BranchRepository
from ..store.checkpoints import CheckpointRepository
from ..store.database import load_in, run_in
from ..store.execution import insert_instance, transient
from ..store.messages import MessageRepository
from ..store.tables import Branch, Conversation, Message, User
from .budgets import budget_columns
from .conversations import owned_conversation, owned_conversation_within
from .limits import BranchAllowance, LimitService
from .server_context import ServerContext, utcnow
from .webhooks import branch_data, emit_within


def branch_within(connection: Connection, conversation_id: str, branch_id: str) -> Branch:
    """The branch of this conversation; 404 for none."""
    branch = branch_store.branch_in(connection, branch_id, conversation_id)
    if branch is None:
        raise NotFound("branch", branch_id)
    return branch


async def branch_in(session: AsyncSession, conversation_id: str, branch_id: str) -> Branch:
    """``branch_within`` in an async unit of work."""
    return await load_in(
        session, lambda connection: branch_within(connection, conversation_id, branch_id)
    )


def message_within(
    connection: Connection, conversation_id: str, message_id: str, field: str
) -> Message:
    """A message of this conversation named in a request body; a bad reference is a 400."""
    message = message_store.message_in(connection, message_id, conversation_id)
    if message is None or message.deleted_at is not None:
        raise InvalidRequest(
            f"{field}: no message {message_id} in conversation {conversation_id}", field=field
        )
    return message


async def message_in(
    session: AsyncSession, conversation_id: str, message_id: str, field: str
) -> Message:
    """``message_within`` in an async unit of work."""
    return await run_in(
        session,
        lambda connection: message_within(connection, conversation_id, message_id, field),
    )


def new_branch(
    conversation_id: str,
    *,
    parent: Branch | None,
    fork_point_id: str | None,
    title: str,
    description: str | None = None,
    context_mode: str = "FULL",
) -> Branch:
    now = utcnow()
    return transient(
        Branch,
        id=new_id("br"),
        conversation_id=conversation_id,
        parent_branch_id=parent.id if parent else None,
        fork_point_message_id=fork_point_id,
        head_message_id=fork_point_id,
        title=title,
        description=description,
        context_mode=context_mode,
        is_main=False,
        archived=False,
        created_at=now,
        updated_at=now,
    )


def insert_branch(
    connection: Connection, branch: Branch, allowance: BranchAllowance, *, owner: str
) -> Branch:
    """A new branch beside a conversation's main one, taken from ``allowance`` first (a
    guest session's cap), in the caller's transaction, and announced to ``owner``'s
    webhooks (``branch.created``).

    Every such branch is made here but a reply's (``reply_branch``) and an import's,
    which brings a whole conversation.
    """
    allowance.take_within(connection)
    insert_instance(connection, branch)
    emit_within(connection, owner, BRANCH_CREATED, branch_data(branch))
    return branch


async def add_branch(
    session: AsyncSession, branch: Branch, allowance: BranchAllowance, *, owner: str
) -> Branch:
    """``insert_branch`` in an async unit of work."""
    return await run_in(
        session, lambda connection: insert_branch(connection, branch, allowance, owner=owner)
    )


def reply_branch(branch: Branch, parent: Branch | None, question_id: str, reply_id: str) -> Branch:
    """Where a reply goes whose branch moved on mid-generation (an edit, a delete), so it
    is not lost: a new branch forked at its question, under ``parent``, headed by it.

    The only branch not taken from an allowance as it is made: the edit or the delete
    that moved the head took it (``MessageService.edit``, ``BranchService.delete``), so a
    paid reply is never refused a place.
    """
    target = new_branch(
        branch.conversation_id,
        parent=parent,
        fork_point_id=question_id,
        title=f"Reply on {branch.title}",
        context_mode=branch.context_mode,
    )
    target.head_message_id = reply_id
    return target


def store_reply_at_head(
    connection: Connection,
    branch: Branch,
    question: Message,
    reply_id: str,
    *,
    content: str,
    model: str | None,
    token_count: int,
    meta: dict[str, Any],
    lease: str | None = None,
) -> tuple[Branch, Message]:
    """Store a reply under its question on ``branch``, moving the head (and giving up
    ``lease`` in the same statement); if the head moved on meanwhile (an edit, a delete),
    on a new ``reply_branch`` instead.

    Returns the branch the reply went on and the reply.
    """
    now = utcnow()
    target = branch
    if not branch_store.move_head(
        connection, branch.id, expected=question.id, new=reply_id, when=now, release_lease=lease
    ):
        current = branch_store.branch_in(connection, branch.id, branch.conversation_id)
        target = reply_branch(branch, current, question.id, reply_id)
        insert_instance(connection, target)
        if lease is not None:
            branch_store.release_lease(connection, branch.id, lease)
    reply = build_message(
        message_id=reply_id,
        conversation_id=branch.conversation_id,
        branch_id=target.id,
        parent_id=question.id,
        role="assistant",
        content=content,
        model=model,
        token_count=token_count,
        meta=meta,
    )
    insert_instance(connection, reply)
    conversation_store.touch_conversation(connection, branch.conversation_id, now)
    return target, reply


def build_message(
    *,
    message_id: str | None = None,
    conversation_id: str,
    branch_id: str,
    parent_id: str | None,
    role: str,
    content: str,
    model: str | None,
    token_count: int,
    meta: dict[str, Any] | None = None,
    edited_from: str | None = None,
    pinned: bool = False,
    excluded: bool = False,
) -> Message:
    created_at = utcnow()
    return transient(
        Message,
        id=message_id or new_id("msg"),
        conversation_id=conversation_id,
        branch_id=branch_id,
        parent_id=parent_id,
        role=role,
        content=content,
        model=model,
        token_count=token_count,
        meta=meta or {},
        created_at=created_at,
        content_hash=content_hash(
            role=role,
            content=content,
            model=model,
            parent_message_id=parent_id,
            branch_id=branch_id,
            created_at=created_at,
        ),
        edited_from=edited_from,
        pinned=pinned,
        excluded=excluded,
    )


@dataclass
class BranchView:
    branch: Branch
    message_count: int


@dataclass
class TreeView:
    conversation: Conversation
    branches: list[Branch]
    counts: dict[str, int]
    messages: Sequence[StoredMessage]  # all of them, soft-deleted ones included


class BranchService:
    def __init__(self, ctx: ServerContext, user_id: str, user: User | None = None) -> None:
        self.ctx = ctx
        self.user_id = user_id
        self.user = user  # as authentication read it for this request, when known

    async def list(self, conversation_id: str) -> list[BranchView]:
        def work(connection: Connection) -> list[BranchView]:
            owned_conversation_within(connection, conversation_id, self.user_id)
            counts = message_store.own_counts(connection, [conversation_id])
            branches = branch_store.branches_of(connection, [conversation_id])
            return [BranchView(b, counts.get(b.id, 0)) for b in branches]

        return await self.ctx.db.run(work)

    async def create(self, conversation_id: str, request: BranchCreate) -> BranchView:
        fork_field = "forkPointMessageId" if request.fork_point_message_id else "baseNodeId"
        fork_point_id = request.fork_point_message_id or request.base_node_id
        async with (
            LimitService(self.ctx).branch_allowance(self.user_id, self.user) as allowance,
            self.ctx.db.write() as session,
        ):
            await owned_conversation(session, conversation_id, self.user_id)
            repo = BranchRepository(session)
            parent = (
                await self._parent_branch(session, conversation_id, request.parent_branch_id)
                if request.parent_branch_id
                else None
            )
            if fork_point_id is not None:
                fork_point = await message_in(session, conversation_id, fork_point_id, fork_field)
                if parent is None:
                    parent = await repo.get_in_conversation(fork_point.branch_id, conversation_id)
            else:
                # No fork point: fork at the parent branch's current head.
                parent = parent or await repo.get_main(conversation_id)
                fork_point_id = parent.head_message_id
            branch = new_branch(
                conversation_id,
                parent=parent,
                fork_point_id=fork_point_id,
                title=request.title or "New branch",
                description=request.description,
                context_mode=request.context_mode,
            )
            if request.budget is not None:  # the fork's own, from its first send
                branch.__dict__.update(budget_columns(branch, request.budget.changes()))
            branch = await add_branch(session, branch, allowance, owner=self.user_id)
        return BranchView(branch, 0)

    async def fork(self, conversation_id: str, request: BranchFork) -> BranchView:
        return await self.create(
            conversation_id,
            BranchCreate(
                title=request.title or "Fork",
                description=request.description,
                fork_point_message_id=request.fork_point_message_id,
                context_mode=request.context_mode,
                budget=request.budget,
            ),
        )

    async def update(
        self, conversation_id: str, branch_id: str, request: BranchUpdate
    ) -> BranchView:
        async with self.ctx.db.write() as session:
            await owned_conversation(session, conversation_id, self.user_id)
            branch = await branch_in(session, conversation_id, branch_id)
            changes = request.model_dump(exclude_unset=True, exclude={"budget"})
            for name, value in changes.items():
                if value is not None or name == "description":
                    setattr(branch, name, value)
            if "budget" in request.model_fields_set:
                budget = request.budget.changes() if request.budget is not None else None
                for name, value in budget_columns(branch, budget).items():
                    setattr(branch, name, value)
            branch.updated_at = utcnow()
            await session.flush()
            counts = await MessageRepository(session).own_counts(conversation_id)
        return BranchView(branch, counts.get(branch.id, 0))

    async def delete(self, conversation_id: str, branch_id: str) -> None:
        """Remove the branch pointer; its messages that no other branch reaches are hidden.

        Child branches and checkpoints are re-attached to the deleted branch's parent.
        A reply still generating on it goes to a new branch once stored (``store_reply_at_head``):
        for a guest, the delete makes that branch, so it counts here.
        """
        async with (
            LimitService(self.ctx).branch_allowance(self.user_id, self.user) as allowance,
            self.ctx.db.write() as session,
        ):
            await owned_conversation(session, conversation_id, self.user_id)
            branch = await branch_in(session, conversation_id, branch_id)
            if branch.is_main:
                raise InvalidRequest("The main branch cannot be deleted", field="branchId")
            repo = BranchRepository(session)
            messages = MessageRepository(session)
            others = [
                b for b in await repo.list_for_conversations([conversation_id]) if b.id != branch.id
            ]
            for child in others:
                if child.parent_branch_id == branch.id:
                    child.parent_branch_id = branch.parent_branch_id
            own = tree.own_part(
                await messages.path(branch.head_message_id), branch.fork_point_message_id
            )
            still_reached = await messages.reachable_ids(
                [b.head_message_id for b in others if b.head_message_id]
            )
            hidden = [m.id for m in own if m.id not in still_reached]
            await messages.soft_delete_many(hidden, utcnow())
            # Checkpoints on what is now hidden go; the rest serve the parent's line.
            checkpoints = CheckpointRepository(session)
            await checkpoints.delete_anchored_on(hidden)
            heir = branch.parent_branch_id or (await repo.get_main(conversation_id)).id
            await checkpoints.rehome(branch.id, heir)
            if await repo.delete(branch.id, utcnow()):
                await allowance.take(session)

    async def messages(
        self, conversation_id: str, branch_id: str | None
    ) -> Sequence[StoredMessage]:
        """The branch's visible path: inherited context, then its own messages."""

        def work(connection: Connection) -> Sequence[StoredMessage]:
            owned_conversation_within(connection, conversation_id, self.user_id)
            if branch_id is None:
                branch = branch_store.main_branch(connection, conversation_id)
            else:
                branch = branch_within(connection, conversation_id, branch_id)
            return message_store.visible_path(connection, branch.head_message_id)

        return await self.ctx.db.run(work)

    async def tree(self, conversation_id: str) -> TreeView:
        def work(connection: Connection) -> TreeView:
            conversation = owned_conversation_within(connection, conversation_id, self.user_id)
            branches = branch_store.branches_of(connection, [conversation_id])
            counts = message_store.own_counts(connection, [conversation_id])
            messages = message_store.messages_of(connection, conversation_id)
            return TreeView(conversation, branches, counts, messages)

        return await self.ctx.db.run(work)

    @staticmethod
    async def _parent_branch(session: AsyncSession, conversation_id: str, branch_id: str) -> Branch:
        branch = await BranchRepository(session).get_in_conversation(branch_id, conversation_id)
        if branch is None:
            raise InvalidRequest(
                f"parentBranchId: no branch {branch_id} in this conversation",
                field="parentBranchId",
            )
        return branch
