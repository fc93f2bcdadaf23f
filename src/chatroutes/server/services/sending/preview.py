"""The next send of a branch, assembled as the send would assemble it but not sent: what
its prompt will cost before it is spent. Reads only; nothing is written, nothing called.

The context is the send's own (``question.send_context`` on the path the send would
read, with the question the send would store), so the tokens a preview counts are the
tokens the send then gives the model. A send that has outrun its branch's automatic
checkpoints writes one first (``catch_up.py``); its preview counts the context with the
checkpoint the send would write inline (``PreviewService`` summarizes it, stores nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from ...domain.context_assembly import AssembledContext, CheckpointSummary
from ...domain.errors import InvalidRequest
from ...domain.ids import new_id
from ...domain.tokens import estimate_tokens
from ...providers.registry import ModelInfo
from ...store import checkpoints as checkpoint_store
from ...store import messages as message_store
from ..branches import branch_within
from ..conversations import owned_conversation_within
from ..server_context import ServerContext
from .question import (
    check_length,
    outran_checkpoints,
    reply_max_tokens,
    resends_head,
    send_context,
)


@dataclass(frozen=True)
class PreviewRequest:
    """A next send to preview: its model, context mode and ``maxTokens`` (None: the
    conversation's and the branch's), a fork point (the first send of a branch forked
    there instead), and its text (None: the context as it stands, no question added)."""

    model: str | None = None
    context_mode: str | None = None
    fork_point_message_id: str | None = None
    content: str | None = None
    max_tokens: int | None = None


@dataclass(frozen=True)
class PendingCatchUp:
    """The checkpoint a send that outran its branch's checkpoints would write before its
    call: at the end of ``before`` (the path up to its question), built on ``checkpoints``;
    ``assemble`` gives the context once it is there."""

    before: Sequence[Any]  # message_store.PathRow rows
    checkpoints: list[CheckpointSummary]
    assemble: Callable[[Sequence[CheckpointSummary]], AssembledContext]


@dataclass(frozen=True)
class SendPreview:
    context: AssembledContext
    info: ModelInfo
    context_mode: str
    catch_up: PendingCatchUp | None = None


def preview_within(
    ctx: ServerContext,
    connection: Connection,
    user_id: str,
    conversation_id: str,
    branch_id: str,
    request: PreviewRequest,
) -> SendPreview:
    """The context the next send on the branch (or the first on a fork of it) would send."""
    conversation = owned_conversation_within(connection, conversation_id, user_id)
    branch = branch_within(connection, conversation_id, branch_id)
    info, _ = ctx.registry.routes(request.model or conversation.model)[0]
    path = ctx.paths.path(connection, conversation, branch.head_message_id)
    fork_point_id = request.fork_point_message_id
    if fork_point_id is not None:
        depth = next(
            (i for i, m in enumerate(path) if m.id == fork_point_id and m.deleted_at is None),
            None,
        )
        if depth is None:
            raise InvalidRequest(
                f"forkPointMessageId: message {fork_point_id} is not on branch {branch.id}",
                field="forkPointMessageId",
            )
        path = path[: depth + 1]
        mode = request.context_mode or "FULL"  # a new fork's default, as the fork's
    else:
        fork_point_id = branch.fork_point_message_id
        mode = request.context_mode or branch.context_mode
    checkpoints = checkpoint_store.checkpoints_anchored_on(
        connection, conversation_id, [m.id for m in path]
    )
    content = request.content
    if content is not None:
        check_length(ctx.settings, content)
    before = path  # what a checkpoint written before the send's call would end on
    head = path[-1] if path else None
    # As the send: a question that is the head already (its call failed) is not sent twice.
    if content is not None and not resends_head(connection, head, content):
        parent_id = head.id if head is not None else None
        question = message_store.PathRow(
            new_id("msg"), parent_id, "user", content, estimate_tokens(content), None
        )
        path = [*path, question]

    def assemble(summaries: Sequence[CheckpointSummary]) -> AssembledContext:
        return send_context(
            ctx.settings,
            conversation,
            context_mode=mode,
            fork_point_id=fork_point_id,
            path=path,
            checkpoints=summaries,
            info=info,
            max_tokens=reply_max_tokens(conversation, info, request.max_tokens),
        )

    summaries = [CheckpointSummary(*row) for row in checkpoints]
    context = assemble(summaries)
    if before and outran_checkpoints(ctx.settings, path, summaries, context):
        return SendPreview(context, info, mode, PendingCatchUp(before, summaries, assemble))
    return SendPreview(context, info, mode)
