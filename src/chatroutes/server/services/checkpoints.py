"""Checkpoints: summaries that stand in for the start of a long path."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain import tree
from ..domain.checkpoints import due_for_checkpoint, summary_source
from ..domain.context_assembly import ChatMessage, CheckpointSummary
from ..domain.errors import ChatRoutesServerError, InvalidRequest, NotFound
from ..domain.ids import new_id
from ..domain.summarizer import extractive_summary, summary_prompt
from ..domain.tokens import estimate_tokens
from ..domain.webhooks import CHECKPOINT_CREATED
from ..providers.base import CompletionRequest
from ..schemas.checkpoints import CheckpointCreate
from ..store.branches import BranchRepository
from ..store.checkpoints import CheckpointRepository
from ..store.messages import MessageRepository
from ..store.tables import Branch, Checkpoint, Message, User
from ..store.usage_ledger import CHECKPOINT_KIND
from .branches import add_branch, branch_in, message_in, new_branch
from .budgets import BudgetHold
from .conversations import owned_conversation
from .limits import LimitService
from .metering import metered_complete
from .offload import in_worker
from .server_context import ServerContext, utcnow
from .webhooks import checkpoint_data, emit_in

logger = logging.getLogger("chatroutes.server")
EXTRACTIVE = "extractive"


@dataclass
class RecreateResult:
    checkpoint: Checkpoint
    branch: Branch
    messages: list[Message]


def as_summary(checkpoint: Checkpoint) -> CheckpointSummary:
    return CheckpointSummary(
        id=checkpoint.id,
        anchor_message_id=checkpoint.anchor_message_id,
        summary=checkpoint.summary,
        token_count=checkpoint.token_count,
    )


class CheckpointService:
    def __init__(self, ctx: ServerContext, user_id: str, user: User | None = None) -> None:
        self.ctx = ctx
        self.user_id = user_id
        self.user = user  # as authentication read it for this request, when known

    async def list(self, conversation_id: str, branch_id: str | None) -> list[Checkpoint]:
        async with self.ctx.db.read() as session:
            await owned_conversation(session, conversation_id, self.user_id)
            if branch_id is not None:
                await branch_in(session, conversation_id, branch_id)
            return await CheckpointRepository(session).list_for_conversation(
                conversation_id, branch_id=branch_id
            )

    async def create(self, conversation_id: str, request: CheckpointCreate) -> Checkpoint:
        """Summarize the branch's path up to the anchor; no transaction is held meanwhile."""
        async with self.ctx.db.read() as session:
            await owned_conversation(session, conversation_id, self.user_id)
            branch = await BranchRepository(session).get_in_conversation(
                request.branch_id, conversation_id
            )
            if branch is None:
                raise InvalidRequest(
                    f"branchId: no branch {request.branch_id} in this conversation",
                    field="branchId",
                )
            anchor = await message_in(
                session, conversation_id, request.anchor_message_id, "anchorMessageId"
            )
            path = await MessageRepository(session).path(branch.head_message_id)
            path_ids = [m.id for m in path]
            if anchor.id not in path_ids:
                raise InvalidRequest(
                    f"anchorMessageId: message {anchor.id} is not on branch {branch.id}",
                    field="anchorMessageId",
                )
            depth = path_ids.index(anchor.id) + 1
            path = path[:depth]
            earlier = await CheckpointRepository(session).anchored_on(
                conversation_id, path_ids[:depth]
            )
        checkpoint = await self._summarize(
            branch, path, earlier, checkpoint_type="manual", meta=request.metadata or {}
        )
        async with self.ctx.db.write() as session:
            await owned_conversation(session, conversation_id, self.user_id)
            await CheckpointRepository(session).add(checkpoint)
            await emit_in(session, self.user_id, CHECKPOINT_CREATED, checkpoint_data(checkpoint))
        return checkpoint

    async def auto_checkpoint(self, conversation_id: str, branch_id: str, anchor_id: str) -> None:
        """An ``auto`` checkpoint at ``anchor_id`` if the path has grown by the interval.

        It runs after the reply is stored, apart from any request: a failure is
        logged, and the next reply on the branch tries again.
        """
        try:
            await self._auto_checkpoint(conversation_id, branch_id, anchor_id)
        except Exception:
            logger.exception("automatic checkpoint on branch %s failed", branch_id)

    async def _auto_checkpoint(self, conversation_id: str, branch_id: str, anchor_id: str) -> None:
        interval = self.ctx.settings.checkpoint_interval
        async with self.ctx.db.read() as session:
            branch = await BranchRepository(session).get_in_conversation(branch_id, conversation_id)
            path = await MessageRepository(session).path(anchor_id)
            earlier = await CheckpointRepository(session).anchored_on(
                conversation_id, [m.id for m in path]
            )
        if branch is None or not due_for_checkpoint(
            path, {c.anchor_message_id for c in earlier}, interval
        ):
            return
        checkpoint = await self._summarize(branch, path, earlier, checkpoint_type="auto", meta={})
        async with self.ctx.db.write() as session:
            repo = CheckpointRepository(session)
            # Another send may have made it meanwhile: check again under the write lock.
            latest = await repo.anchored_on(conversation_id, [m.id for m in path])
            if due_for_checkpoint(path, {c.anchor_message_id for c in latest}, interval):
                await repo.add(checkpoint)
                await emit_in(
                    session, self.user_id, CHECKPOINT_CREATED, checkpoint_data(checkpoint)
                )

    async def delete(self, checkpoint_id: str) -> None:
        async with self.ctx.db.write() as session:
            await self._owned(session, checkpoint_id)
            await CheckpointRepository(session).delete([checkpoint_id])

    async def recreate(self, checkpoint_id: str) -> RecreateResult:
        """A new branch at the checkpoint's anchor, whose context starts from its summary."""
        async with (
            LimitService(self.ctx).branch_allowance(self.user_id, self.user) as allowance,
            self.ctx.db.write() as session,
        ):
            checkpoint = await self._owned(session, checkpoint_id)
            conversation_id = checkpoint.conversation_id
            branches = BranchRepository(session)
            parent = await branches.get_in_conversation(checkpoint.branch_id, conversation_id)
            parent = parent or await branches.get_main(conversation_id)
            branch = new_branch(
                conversation_id,
                parent=parent,
                fork_point_id=checkpoint.anchor_message_id,
                title=f"From checkpoint of {parent.title}",
                context_mode="FULL",
            )
            branch.checkpoint_id = checkpoint.id
            await add_branch(session, branch, allowance, owner=self.user_id)
            path = await MessageRepository(session).path(checkpoint.anchor_message_id)
        return RecreateResult(checkpoint, branch, tree.visible(path))

    async def _owned(self, session: AsyncSession, checkpoint_id: str) -> Checkpoint:
        checkpoint = await CheckpointRepository(session).get_owned(checkpoint_id, self.user_id)
        if checkpoint is None:
            raise NotFound("checkpoint", checkpoint_id)
        return checkpoint

    async def _summarize(
        self,
        branch: Branch,
        path: list[Message],
        earlier: Sequence[Row[Any]],
        *,
        checkpoint_type: str,
        meta: dict[str, object],
    ) -> Checkpoint:
        """A checkpoint at the end of ``path``, built on the deepest earlier one."""
        source = summary_source(path, {c.anchor_message_id: c for c in earlier})
        previous = source.previous.summary if source.previous is not None else None
        charged = BudgetHold(self.user_id, branch.conversation_id, branch.id)
        summary, summarizer = await self._write_summary(source.turns, previous, charged)
        visible = tree.visible(path)
        return Checkpoint(
            id=new_id("ckpt"),
            conversation_id=branch.conversation_id,
            branch_id=branch.id,
            anchor_message_id=path[-1].id,
            checkpoint_type=checkpoint_type,
            summary=summary,
            token_count=estimate_tokens(summary),
            source_message_count=len(visible),
            source_token_count=sum(
                m.token_count if m.token_count is not None else estimate_tokens(m.content)
                for m in visible
            ),
            summarizer=summarizer,
            meta=meta,
            created_at=utcnow(),
        )

    async def _write_summary(
        self, turns: list[tuple[str, str]], previous: str | None, charged: BudgetHold
    ) -> tuple[str, str]:
        """The configured summarizer model's summary (charged to the branch's and the
        conversation's budgets), or the offline extractive one (free: when the model is
        refused, the budgets' refusal included)."""
        budget = self.ctx.settings.checkpoint_summary_tokens
        model = self.ctx.settings.summarizer_model
        if model and turns:
            try:
                return await self._model_summary(model, turns, previous, budget, charged)
            except ChatRoutesServerError as exc:
                logger.warning("summarizer %s failed, using the extractive one: %s", model, exc)
        # Tens of milliseconds of CPU on a long path: in the worker process, not holding up
        # every other request for that long.
        summary = await in_worker(extractive_summary, turns, previous=previous, max_tokens=budget)
        return summary, EXTRACTIVE

    async def _model_summary(
        self,
        model: str,
        turns: list[tuple[str, str]],
        previous: str | None,
        budget: int,
        charged: BudgetHold,
    ) -> tuple[str, str]:
        info, provider = self.ctx.registry.routes(model)[0]
        prompt = summary_prompt(turns, previous=previous, max_tokens=budget)
        request = CompletionRequest(
            model=info.upstream_id,
            messages=[ChatMessage(role, content) for role, content in prompt],
            temperature=0.2,
            max_tokens=min(budget, info.max_output),
        )
        completion = await metered_complete(
            self.ctx,
            self.user_id,
            CHECKPOINT_KIND,
            info.name,
            provider,
            request,
            info.cost,
            budget=charged,
        )
        summary = completion.content.strip()
        if not summary:
            raise ChatRoutesServerError(f"{model} wrote an empty summary")
        return summary, info.name
