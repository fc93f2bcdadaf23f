"""A reply after its send: followed again from an offset, or stopped where it is.

A reply is read live while it generates in this process, as stored once it is stored, and
while another process generates it (a replica, a worker), as that process's heartbeats
flush it (see ``services/live.py`` and ``services/recovery.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from ..domain.errors import Conflict, NotFound
from ..store.branches import BranchRepository
from ..store.messages import MessageRepository
from ..store.tables import Message
from .conversations import owned_conversation
from .live import ReplyStream, StreamEvent
from .server_context import ServerContext, utcnow

RESUME_POLL_SECONDS = 0.25  # a reader of a reply generating in another process
STOP_WAIT_HEARTBEATS = 5  # how long a stop waits on the process generating the reply


class ReplyService:
    def __init__(self, ctx: ServerContext, user_id: str) -> None:
        self.ctx = ctx
        self.user_id = user_id

    async def resume_stream(self, conversation_id: str, reply_id: str, offset: int) -> ReplyStream:
        """The rest of a reply after ``offset`` characters.

        Live if it is generating in this process; as stored if it is stored; and while
        another process generates it (a replica, a worker), as that process flushes it
        (see ``services/live.py``).
        """
        async with self.ctx.db.read() as session:
            await owned_conversation(session, conversation_id, self.user_id)
            live = self.ctx.live.get(reply_id)
            if live is not None and live.conversation_id == conversation_id:
                return ReplyStream(reply_id, live.follow(offset))
            # The lease is read before the message: a reply stored in between is still seen.
            so_far = await BranchRepository(session).reply_so_far(
                conversation_id, reply_id, utcnow()
            )
            message = await MessageRepository(session).get_in_conversation(
                reply_id, conversation_id
            )
        if message is None and so_far is not None:
            elsewhere = self._followed_elsewhere(conversation_id, reply_id, offset)
            return ReplyStream(reply_id, elsewhere)
        reply = _visible_reply(message)
        if reply is None:
            raise NotFound("reply", reply_id)
        return ReplyStream(reply_id, _stored_remainder(reply, offset))

    async def stop(self, conversation_id: str, reply_id: str) -> tuple[bool, Message]:
        """End a reply where it is; returns (stopped, the reply).

        The text so far is stored as the reply, ``finishReason: "stopped"``
        (``recovery.GenerationWatch``); its readers get its ``complete`` event. A reply
        already stored is returned as is, not stopped. A reply another process generates
        (a replica, a worker) is stopped by that process: the stop is recorded on the
        generation's lease, carried out at that process's next heartbeat, and awaited
        here for ``STOP_WAIT_HEARTBEATS`` heartbeats (then a 409: the stop still stands).
        """
        async with self.ctx.db.read() as session:
            await owned_conversation(session, conversation_id, self.user_id)
        generation = self.ctx.generations.get(reply_id)
        if generation is not None and generation.prepared.conversation.id == conversation_id:
            stopping = generation.stop()
            await asyncio.wait({generation.task})  # it stores the reply before it ends
            message = await self._stored_reply(conversation_id, reply_id)
        else:
            async with self.ctx.db.write(durable=False) as session:
                stopping = await BranchRepository(session).request_stop(
                    conversation_id, reply_id, utcnow()
                )
            if stopping:
                message = await self._stopped_elsewhere(conversation_id, reply_id)
            else:
                message = await self._stored_reply(conversation_id, reply_id)
        if message is None:
            raise NotFound("reply", reply_id)
        return stopping and (message.meta or {}).get("finishReason") == "stopped", message

    async def _stored_reply(self, conversation_id: str, reply_id: str) -> Message | None:
        async with self.ctx.db.read() as session:
            message = await MessageRepository(session).get_in_conversation(
                reply_id, conversation_id
            )
        return _visible_reply(message)

    async def _stopped_elsewhere(self, conversation_id: str, reply_id: str) -> Message | None:
        """The reply once the process generating it has stored it after a stop."""
        heartbeat = self.ctx.settings.generation_heartbeat_seconds
        waited = STOP_WAIT_HEARTBEATS * heartbeat + RESUME_POLL_SECONDS
        try:
            async with asyncio.timeout(waited):
                while True:
                    await asyncio.sleep(RESUME_POLL_SECONDS)
                    async with self.ctx.db.read() as session:
                        so_far = await BranchRepository(session).reply_so_far(
                            conversation_id, reply_id, utcnow()
                        )
                    if so_far is None:  # the lease is given up: stored, or ended replyless
                        return await self._stored_reply(conversation_id, reply_id)
        except TimeoutError:
            raise Conflict(
                f"Reply {reply_id} is being generated by another server process that has "
                "not stopped it yet; the stop stands and takes effect at its next heartbeat"
            ) from None

    async def _followed_elsewhere(
        self, conversation_id: str, reply_id: str, offset: int
    ) -> AsyncIterator[StreamEvent]:
        """A reply another process is generating: its text as that process flushes it.

        Polls the database while the reply's generation lease is held: each heartbeat's
        flush brings what follows the reader's offset, and the stored reply its end. If
        the lease goes and the reply was never stored (the generation failed before any
        text), the reader gets an error event rather than a hang.
        """
        sent = offset
        while True:
            await asyncio.sleep(RESUME_POLL_SECONDS)
            async with self.ctx.db.read() as session:
                so_far = await BranchRepository(session).reply_so_far(
                    conversation_id, reply_id, utcnow()
                )
                message = await MessageRepository(session).get_in_conversation(
                    reply_id, conversation_id
                )
            if (reply := _visible_reply(message)) is not None:
                async for event in _stored_remainder(reply, sent):
                    yield event
                return
            if message is not None or so_far is None:
                yield StreamEvent("error", sent, error=NotFound("reply", reply_id))
                return
            if len(so_far) > sent:
                yield StreamEvent("content", len(so_far), text=so_far[sent:])
                sent = len(so_far)


def _visible_reply(message: Message | None) -> Message | None:
    """``message`` if it is a reply that is not deleted."""
    if message is None or message.role != "assistant" or message.deleted_at is not None:
        return None
    return message


async def _stored_remainder(message: Message, offset: int) -> AsyncIterator[StreamEvent]:
    """A finished reply replayed from ``offset``: its remaining text, the budget warning
    it brought (if it did), then its end."""
    if offset < len(message.content):
        yield StreamEvent("content", len(message.content), text=message.content[offset:])
    if warning := (message.meta or {}).get("budgetWarning"):
        yield StreamEvent("budget_warning", len(message.content), result=warning)
    yield StreamEvent("stored", len(message.content), result=message)
