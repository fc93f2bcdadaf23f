"""A send that has outrun its branch's automatic checkpoints catches up before its call.

Automatic checkpoints are written after a reply, in the background; a client sending back
to back (a script, an agent) can send again before the summary lands, and its path grows
past the interval with nothing to stand in for it. Once the messages a send would carry
past the last checkpoint reach ``checkpoint_catchup_factor`` intervals, the send waits
for the summary in flight, or writes the checkpoint itself with the offline summarizer
(``CheckpointService.catch_up``), and its context is assembled again with it. Its reply
records which (``metadata.checkpointCatchUp``).
"""

from __future__ import annotations

import logging
from dataclasses import replace

from ...domain.checkpoints import messages_since_checkpoint
from ..checkpoints import CheckpointService
from ..server_context import ServerContext
from .prepared import Prepared

logger = logging.getLogger("chatroutes.server")


async def catch_up(ctx: ServerContext, prepared: Prepared) -> None:
    """Bring ``prepared``'s context up to a checkpoint if it needs one. A failure leaves
    the context as it was (the whole path goes out, as it would have) and is logged."""
    need = prepared.catch_up
    if need is None:
        return
    checkpoints = CheckpointService(ctx, prepared.conversation.user_id)
    try:
        caught = await checkpoints.catch_up(prepared.branch, need.path)
    except Exception:
        logger.exception("checkpoint catch-up on branch %s failed", prepared.branch.id)
        return
    if caught is None:
        return
    context = need.assemble(caught.checkpoints)
    prepared.context = context
    prepared.prompt_tokens = context.prompt_tokens
    prepared.request = replace(prepared.request, messages=context.messages)
    prepared.checkpoint_catch_up = caught.how
    anchors = {c.anchor_message_id for c in caught.checkpoints}
    since = messages_since_checkpoint(need.path, anchors)
    prepared.checkpoint_due = 0 < ctx.settings.checkpoint_interval <= since + 1
