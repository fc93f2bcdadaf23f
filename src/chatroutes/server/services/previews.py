"""Previews of a branch's next send: its prompt's tokens and cost, before it is sent."""

from __future__ import annotations

from dataclasses import replace

from ..domain.checkpoints import summary_source
from ..domain.context_assembly import CheckpointSummary
from ..domain.tokens import estimate_tokens
from .checkpoints import offline_summary
from .sending.preview import PendingCatchUp, PreviewRequest, SendPreview, preview_within
from .server_context import ServerContext


class PreviewService:
    def __init__(self, ctx: ServerContext, user_id: str) -> None:
        self.ctx = ctx
        self.user_id = user_id

    async def preview(
        self, conversation_id: str, branch_id: str, request: PreviewRequest
    ) -> SendPreview:
        """One read transaction; the model is not called, nothing is stored."""
        preview = await self.ctx.db.run(
            lambda connection: preview_within(
                self.ctx, connection, self.user_id, conversation_id, branch_id, request
            )
        )
        if preview.catch_up is None:
            return preview
        summary = await self._inline_summary(preview.catch_up)
        return replace(
            preview, context=preview.catch_up.assemble([*preview.catch_up.checkpoints, summary])
        )

    async def _inline_summary(self, pending: PendingCatchUp) -> CheckpointSummary:
        """The summary a send catching up inline would write (the extractive one), unsaved."""
        by_anchor = {c.anchor_message_id: c for c in pending.checkpoints}
        source = summary_source(pending.before, by_anchor)
        previous = source.previous.summary if source.previous is not None else None
        summary = await offline_summary(self.ctx, source.turns, previous)
        return CheckpointSummary("", pending.before[-1].id, summary, estimate_tokens(summary))
