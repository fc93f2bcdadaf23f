"""Checkpoints: summaries that stand in for the start of a long path."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from ..domain import tree
from ..domain.checkpoints import (
    catch_up_due,
    due_for_checkpoint,
    messages_since_checkpoint,
    summary_source,
)
from ..domain.context_assembly import ChatMessage, CheckpointSummary, PathMessage
from ..domain.errors import ChatRoutesServerError, InvalidRequest, NotFound
from ..domain.ids import new_id
from ..domain.summarizer import extractive_summary, summary_prompt
from ..domain.tokens import estimate_tokens
from ..domain.webhooks import CHECKPOINT_CREATED
from ..providers.base import CompletionRequest
from ..schemas.checkpoints import CheckpointCreate
from ..store.branches import BranchRepository
from ..store.checkpoints import AnchoredRow, CheckpointRepository
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
# How a send caught up with its branch's checkpoints (its reply's ``checkpointCatchUp``).
WAITED, INLINE = "waited", "inline"
_CATCH_UP_POLL_SECONDS = 0.02


@dataclass
class RecreateResult:
    checkpoint: Checkpoint
    branch: Branch
    messages: list[Message]


@dataclass(frozen=True)
class CaughtUp:
    """How a send caught up (``WAITED``, ``INLINE``) and the checkpoints then on its path."""

    how: str
    checkpoints: list[CheckpointSummary]


def as_summary(checkpoint: Checkpoint) -> CheckpointSummary:
    return CheckpointSummary(
        id=checkpoint.id,
        anchor_message_id=checkpoint.anchor_message_id,
        summary=checkpoint.summary,
        token_count=checkpoint.token_count,
    )


async def offline_summary(
    ctx: ServerContext, turns: Sequence[tuple[str, str]], previous: str | None
) -> str:
    """The extractive summary of ``turns`` built on ``previous``: what a checkpoint holds
    when no model writes it (and what a send catching up inline writes)."""
    # Tens of milliseconds of CPU on a long path: in the worker process, not holding up
    # every other request for that long.
    return await in_worker(
        extractive_summary,
        turns,
        previous=previous,
        max_tokens=ctx.settings.checkpoint_summary_tokens,
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
        token = await self._take_lease(branch_id)
        if token is None:
            return  # a summary for this branch is in flight: the next reply looks again
        released = False
        try:
            async with self.ctx.db.read() as session:
                branch = await BranchRepository(session).get_in_conversation(
                    branch_id, conversation_id
                )
                path = await MessageRepository(session).path(anchor_id)
                earlier = await CheckpointRepository(session).anchored_on(
                    conversation_id, [m.id for m in path]
                )
            if branch is None or not due_for_checkpoint(
                path, {c.anchor_message_id for c in earlier}, interval
            ):
                return
            checkpoint = await self._summarize(
                branch, path, earlier, checkpoint_type="auto", meta={}
            )
            await self._keep(checkpoint, path, token, interval, branch_id)
            released = True  # by _keep, in the transaction that stores the checkpoint
        finally:
            if not released:
                await self._give_up(branch_id, token)

    async def catch_up(self, branch: Branch, path: Sequence[PathMessage]) -> CaughtUp | None:
        """A checkpoint for a send that has outrun its branch's automatic ones.

        ``path`` runs from the root to the send's question; the checkpoint it needs is
        anchored on the message before the question, and the lease that guards it is
        that of the branch holding that message: the branch's own, whose last reply's
        automatic checkpoint may be in flight, or for a new fork its parent's. The
        summary in flight there (the lease held, by any process) is waited for up to
        ``checkpoint_catchup_wait_ms``; if none is, or the wait runs out, this send
        takes the lease (over the late holder, whose summary is then not kept) and
        writes the checkpoint itself with the offline summarizer. A range is summarized
        under one lease at a time, and one checkpoint written for it. None: the
        anchor's branch is gone, or another send took the lease over before this one
        kept its checkpoint.
        """
        settings = self.ctx.settings
        interval, factor = settings.checkpoint_interval, settings.checkpoint_catchup_factor
        conversation_id, ids = branch.conversation_id, [m.id for m in path]
        before = path[:-1]
        async with self.ctx.db.read() as session:
            anchor = await MessageRepository(session).get_in_conversation(
                before[-1].id, conversation_id
            )
        if anchor is None:
            return None
        lease_branch_id = anchor.branch_id

        def still_due(rows: Sequence[AnchoredRow]) -> bool:
            anchors = {row.anchor_message_id for row in rows}
            return catch_up_due(messages_since_checkpoint(path, anchors), interval, factor)

        deadline = time.monotonic() + settings.checkpoint_catchup_wait_ms / 1000
        token: str | None = None
        while token is None:
            async with self.ctx.db.read() as session:
                rows = await CheckpointRepository(session).anchored_on(conversation_id, ids)
                held = await BranchRepository(session).checkpoint_lease_held(
                    lease_branch_id, utcnow()
                )
            if not still_due(rows):  # the summary in flight landed
                return CaughtUp(WAITED, [CheckpointSummary(*row) for row in rows])
            if held and time.monotonic() < deadline:
                await asyncio.sleep(_CATCH_UP_POLL_SECONDS)
                continue
            token = await self._take_lease(lease_branch_id, force=held)
            if token is None and held:
                return None  # forced and not taken: the branch was deleted
        released = False
        try:
            async with self.ctx.db.read() as session:
                rows = await CheckpointRepository(session).anchored_on(conversation_id, ids)
            if not still_due(rows):  # landed as the lease was taken
                return CaughtUp(WAITED, [CheckpointSummary(*row) for row in rows])
            checkpoint = await self._summarize(
                branch, before, rows, checkpoint_type="auto", meta={}, offline=True
            )
            await self._keep(checkpoint, before, token, 1, lease_branch_id)
            released = True
        finally:
            if not released:
                await self._give_up(lease_branch_id, token)
        async with self.ctx.db.read() as session:
            rows = await CheckpointRepository(session).anchored_on(conversation_id, ids)
        if still_due(rows):  # its lease was taken over before it could keep its checkpoint
            return None
        return CaughtUp(INLINE, [CheckpointSummary(*row) for row in rows])

    async def _take_lease(self, branch_id: str, *, force: bool = False) -> str | None:
        """The branch's checkpoint lease, held as the returned token; None if another
        summary is in flight (``force``: taken over all the same).

        It lasts as long as a model summary may take (the upstream deadline); a holder
        that died leaves it to expire, and a send catching up takes it over sooner.
        """
        token, now = new_id("ckl"), utcnow()
        until = now + timedelta(seconds=self.ctx.settings.upstream_deadline_seconds)
        async with self.ctx.db.write(durable=False) as session:
            taken = await BranchRepository(session).take_checkpoint_lease(
                branch_id, token, now=now, until=until, force=force
            )
        return token if taken else None

    async def _give_up(self, branch_id: str, token: str) -> None:
        async with self.ctx.db.write(durable=False) as session:
            await BranchRepository(session).give_up_checkpoint_lease(branch_id, token)

    async def _keep(
        self,
        checkpoint: Checkpoint,
        path: Sequence[PathMessage],
        token: str,
        interval: int,
        lease_branch_id: str,
    ) -> bool:
        """Store ``checkpoint`` (at the end of ``path``) and give up the lease of
        ``lease_branch_id``, in one transaction: only if ``token`` still held it and the
        path is still due for one every ``interval`` messages. Whether it was stored."""
        async with self.ctx.db.write() as session:
            if not await BranchRepository(session).give_up_checkpoint_lease(lease_branch_id, token):
                return False  # taken over by a send that waited it out: its checkpoint stands
            repo = CheckpointRepository(session)
            latest = await repo.anchored_on(checkpoint.conversation_id, [m.id for m in path])
            if not due_for_checkpoint(path, {c.anchor_message_id for c in latest}, interval):
                return False
            await repo.add(checkpoint)
            await emit_in(session, self.user_id, CHECKPOINT_CREATED, checkpoint_data(checkpoint))
        return True

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
        path: Sequence[PathMessage],
        earlier: Sequence[AnchoredRow],
        *,
        checkpoint_type: str,
        meta: dict[str, object],
        offline: bool = False,
    ) -> Checkpoint:
        """A checkpoint at the end of ``path``, built on the deepest earlier one;
        ``offline``: by the extractive summarizer, whatever model is configured."""
        source = summary_source(path, {c.anchor_message_id: c for c in earlier})
        previous = source.previous.summary if source.previous is not None else None
        charged = BudgetHold(self.user_id, branch.conversation_id, branch.id)
        summary, summarizer = await self._write_summary(
            source.turns, previous, charged, offline=offline
        )
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
        self,
        turns: Sequence[tuple[str, str]],
        previous: str | None,
        charged: BudgetHold,
        *,
        offline: bool = False,
    ) -> tuple[str, str]:
        """The configured summarizer model's summary (charged to the branch's and the
        conversation's budgets), or the offline extractive one (free: when the model is
        refused, the budgets' refusal included)."""
        budget = self.ctx.settings.checkpoint_summary_tokens
        model = self.ctx.settings.summarizer_model
        if model and turns and not offline:
            try:
                return await self._model_summary(model, turns, previous, budget, charged)
            except ChatRoutesServerError as exc:
                logger.warning("summarizer %s failed, using the extractive one: %s", model, exc)
        return await offline_summary(self.ctx, turns, previous), EXTRACTIVE

    async def _model_summary(
        self,
        model: str,
        turns: Sequence[tuple[str, str]],
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
