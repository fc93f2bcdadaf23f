"""Conversations: create (with their main branch), read, list, update, delete."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.errors import NotFound
from ..domain.ids import new_id
from ..domain.webhooks import CONVERSATION_DELETED
from ..schemas.conversations import ConversationCreate, ConversationUpdate
from ..schemas.messages import StoredMessage
from ..store import branches as branch_store
from ..store import conversations as conversation_store
from ..store import messages as message_store
from ..store.conversations import ConversationRepository
from ..store.database import load_in, run_in
from ..store.execution import insert_instance, transient
from ..store.tables import Branch, Conversation
from ..store.usage_ledger import keep_conversation_usage
from .budgets import budget_columns
from .server_context import ServerContext, utcnow
from .webhooks import emit_in


@dataclass
class ConversationView:
    conversation: Conversation
    branches: list[Branch]
    counts: dict[str, int]
    total_messages: int
    messages: Sequence[StoredMessage] = field(default_factory=list)


def owned_conversation_within(
    connection: Connection, conversation_id: str, user_id: str
) -> Conversation:
    """The conversation if ``user_id`` owns it; anyone else gets the same 404 as for none."""
    conversation = conversation_store.owned_conversation(connection, conversation_id, user_id)
    if conversation is None:
        raise NotFound("conversation", conversation_id)
    return conversation


async def owned_conversation(
    session: AsyncSession, conversation_id: str, user_id: str
) -> Conversation:
    """``owned_conversation_within`` in an async unit of work."""
    return await load_in(
        session,
        lambda connection: owned_conversation_within(connection, conversation_id, user_id),
    )


def views(connection: Connection, conversations: Sequence[Conversation]) -> list[ConversationView]:
    """The conversations with their branches and counts: three statements for them all."""
    ids = [c.id for c in conversations]
    branches = branch_store.branches_of(connection, ids)
    counts = message_store.own_counts(connection, ids)
    totals = message_store.visible_counts(connection, ids)
    by_conversation: dict[str, list[Branch]] = {}
    for branch in branches:
        by_conversation.setdefault(branch.conversation_id, []).append(branch)
    return [
        ConversationView(c, by_conversation.get(c.id, []), counts, totals.get(c.id, 0))
        for c in conversations
    ]


async def load_views(
    session: AsyncSession, conversations: list[Conversation]
) -> list[ConversationView]:
    """``views`` within a session's transaction (what it holds flushed first)."""
    return await run_in(session, lambda connection: views(connection, conversations))


def main_branch(conversation_id: str, now: datetime) -> Branch:
    """The main branch a new conversation starts with, headed by nothing yet."""
    return transient(
        Branch,
        id=new_id("br"),
        conversation_id=conversation_id,
        title="Main",
        context_mode="FULL",
        is_main=True,
        archived=False,
        created_at=now,
        updated_at=now,
    )


class ConversationService:
    def __init__(self, ctx: ServerContext, user_id: str) -> None:
        self.ctx = ctx
        self.user_id = user_id

    async def create(self, request: ConversationCreate) -> ConversationView:
        model = self.ctx.registry.get(request.model or self.ctx.registry.default_model).name
        now = utcnow()
        conversation = transient(
            Conversation,
            id=new_id("conv"),
            user_id=self.user_id,
            title=request.title,
            model=model,
            system_prompt=request.system_prompt,
            temperature=request.temperature,
            max_tokens=request.max_tokens,
            channel=request.channel,
            archived=False,
            created_at=now,
            updated_at=now,
        )
        main = main_branch(conversation.id, now)

        def work(connection: Connection) -> None:
            insert_instance(connection, conversation)
            insert_instance(connection, main)

        await self.ctx.db.run(work, write=True)  # one hop for the transaction
        return ConversationView(conversation, [main], {}, 0)

    async def list(
        self, *, page: int, limit: int, search: str | None = None, in_messages: bool = False
    ) -> tuple[list[ConversationView], int]:
        """A page of the conversations; ``search``: text in the title (``in_messages``: or
        in a message not deleted), any case."""

        def work(connection: Connection) -> tuple[list[ConversationView], int]:
            found, total = conversation_store.conversations_page(
                connection,
                self.user_id,
                offset=(page - 1) * limit,
                limit=limit,
                search=search,
                in_messages=in_messages,
            )
            return views(connection, found), total

        return await self.ctx.db.run(work)

    async def get(self, conversation_id: str) -> ConversationView:
        """The conversation, its branches and counts, and the main branch's visible path."""

        def work(connection: Connection) -> ConversationView:
            conversation = owned_conversation_within(connection, conversation_id, self.user_id)
            [view] = views(connection, [conversation])
            main = next(b for b in view.branches if b.is_main)
            view.messages = message_store.visible_path(connection, main.head_message_id)
            return view

        return await self.ctx.db.run(work)

    async def update(self, conversation_id: str, request: ConversationUpdate) -> ConversationView:
        changes = request.model_dump(exclude_unset=True, exclude={"budget"})
        budget = request.budget.changes() if request.budget is not None else None
        if changes.get("model") is not None:
            changes["model"] = self.ctx.registry.get(changes["model"]).name
        async with self.ctx.db.write() as session:
            conversation = await owned_conversation(session, conversation_id, self.user_id)
            for name, value in changes.items():
                if value is not None or name == "system_prompt":
                    setattr(conversation, name, value)
            if "budget" in request.model_fields_set:
                for name, value in budget_columns(conversation, budget).items():
                    setattr(conversation, name, value)
            conversation.updated_at = utcnow()
            await session.flush()
            [view] = await load_views(session, [conversation])
            return view

    async def delete(self, conversation_id: str) -> None:
        """Delete it with every message; their usage stays in the account's figures."""
        async with self.ctx.db.write() as session:
            await owned_conversation(session, conversation_id, self.user_id)
            await keep_conversation_usage(session, conversation_id, self.user_id, utcnow())
            await ConversationRepository(session).delete(conversation_id)
            await emit_in(
                session, self.user_id, CONVERSATION_DELETED, {"conversationId": conversation_id}
            )
