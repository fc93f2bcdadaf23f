"""Replies being generated right now, so a reader can join late or come back.

Each streamed generation publishes to a ``LiveReply``; any number of readers
follow it from a character offset. Once the reply is stored the entry goes,
and a late reader gets the stored text instead. Live entries are per process.

Across processes (uvicorn workers, replicas behind a load balancer) a reader that
reconnects to a process other than the generating one cannot follow the chunks
themselves; it follows the text as the generating process flushes it instead. The
reply's id is chosen before the generation starts and recorded with the branch's
generation lease, and the generation's heartbeat (``services/recovery.py``) flushes
the text so far about once a second; that process polls the lease for the text
after the reader's offset until the reply is stored, then sends the rest and the
``complete`` event (``ReplyService.resume_stream``). Nothing is lost or truncated;
the remainder comes in heartbeat-sized pieces. This needs no Redis and adds nothing
to the generating process's hot path beyond the heartbeat it already has.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from ..domain.errors import ChatRoutesServerError


@dataclass(frozen=True)
class StreamEvent:
    """One step of a streamed reply: ``content``, then ``complete``, ``stored`` or ``error``;
    ``budget_warning`` (``result``: the warning) just before ``complete`` when the reply
    brought a budget to its warning fraction.

    ``offset`` is how many characters of the reply precede the end of this event.
    A ``reasoning`` event (the model's thinking, for readers that ask for it) is
    not part of the reply: its offset is the reply's length when it came. A ``status``
    event (the server's own work, e.g. a web search) goes to the same readers.
    """

    kind: str
    offset: int
    text: str = ""
    result: object = None  # a SendResult on ``complete``; the stored Message on ``stored``
    error: ChatRoutesServerError | None = None


@dataclass(frozen=True)
class ReplyStream:
    """A reply's events, with the id the client can resume it by."""

    reply_id: str
    events: AsyncIterator[StreamEvent]


@dataclass
class LiveReply:
    reply_id: str
    conversation_id: str
    parts: list[str] = field(default_factory=list)
    length: int = 0
    reasoning: list[str] = field(default_factory=list)  # thinking, kept apart from ``parts``
    final: StreamEvent | None = None
    _followers: set[asyncio.Queue[StreamEvent]] = field(default_factory=set)

    def add_text(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)
        self._publish(StreamEvent("content", self.length, text=text))

    def add_reasoning(self, text: str) -> None:
        self.reasoning.append(text)
        self._publish(StreamEvent("reasoning", self.length, text=text))

    def add_status(self, text: str) -> None:
        """A note on the server's work for the reply (a web search…), for readers then."""
        self._publish(StreamEvent("status", self.length, text=text))

    def add_budget_warning(self, warning: dict[str, object]) -> None:
        """A budget of the reply's branch or conversation reached its warning fraction:
        for every reader (``result``: the warning)."""
        self._publish(StreamEvent("budget_warning", self.length, result=warning))

    @property
    def started(self) -> bool:
        """Whether anything, text or thinking, has been streamed yet."""
        return bool(self.length or self.reasoning)

    def finish(self, event: StreamEvent) -> None:
        self.final = event
        self._publish(event)

    def _publish(self, event: StreamEvent) -> None:
        for queue in self._followers:
            queue.put_nowait(event)

    async def follow(
        self, offset: int = 0, *, reasoning: bool = False
    ) -> AsyncIterator[StreamEvent]:
        """What follows ``offset``: the text so far in one piece, then events as they come.

        With ``reasoning``, a reader from the start also gets the model's thinking:
        what came before it joined in one piece (ahead of the text so far), then as
        it comes. Without it, thinking is left out.
        """
        queue: asyncio.Queue[StreamEvent] = asyncio.Queue()
        so_far = "".join(self.parts)  # no await between this snapshot and subscribing
        thought = "".join(self.reasoning)
        final = self.final
        if final is None:
            self._followers.add(queue)
        try:
            if reasoning and offset == 0 and thought:
                yield StreamEvent("reasoning", 0, text=thought)
            if offset < len(so_far):
                yield StreamEvent("content", len(so_far), text=so_far[offset:])
            if final is not None:
                yield final
                return
            while True:
                event = await queue.get()
                if event.kind in ("reasoning", "status"):
                    if reasoning:  # readers of thinking (the Chat API) get status notes too
                        yield event
                    continue
                if event.kind == "budget_warning":
                    yield event
                    continue
                if event.kind != "content":
                    yield event
                    return
                start = event.offset - len(event.text)
                if event.offset > offset:  # trim what the reader already has
                    text = event.text[max(0, offset - start) :]
                    yield StreamEvent("content", event.offset, text=text)
        finally:
            self._followers.discard(queue)
