"""Previews of a branch's next send: its prompt's tokens and cost, before it is sent."""

from __future__ import annotations

from .sending.preview import PreviewRequest, SendPreview, preview_within
from .server_context import ServerContext


class PreviewService:
    def __init__(self, ctx: ServerContext, user_id: str) -> None:
        self.ctx = ctx
        self.user_id = user_id

    async def preview(
        self, conversation_id: str, branch_id: str, request: PreviewRequest
    ) -> SendPreview:
        """One read transaction; the model is not called."""
        return await self.ctx.db.run(
            lambda connection: preview_within(
                self.ctx, connection, self.user_id, conversation_id, branch_id, request
            )
        )
