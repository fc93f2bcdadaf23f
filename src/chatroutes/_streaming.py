"""Server-sent events of ``…/messages/stream`` as iterators of event dicts.

The server sends ``data: {"type": "content", "content": …}`` per delta, one
``{"type": "complete", "message", "usage", "model"}``, then ``data: [DONE]``; a failure
after the start is ``{"type": "error", "error": CODE, "message"}``. ``id:`` lines and
``: ping`` comments may come between them. The official SDK read only ``data:`` lines,
dropped undecodable ones and stopped at ``[DONE]``; so do these readers.

A stream opens its HTTP request on first use (iteration or ``with``), yields each event
dict (content and complete), raises :class:`StreamError` on an error event, and closes
its response when exhausted, closed, or left by ``break`` inside ``with``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from types import TracebackType
from typing import Any, cast

import httpx

from ._exceptions import NetworkError, StreamError
from ._types import BudgetWarning, Message, StreamChunk, Usage

__all__ = ["AsyncMessageStream", "MessageStream", "SSEDecoder"]


class SSEDecoder:
    """Line-by-line SSE parsing: yields each event's JSON payload, records the last id."""

    def __init__(self) -> None:
        self.last_event_id: str | None = None
        self.done = False
        self._data: list[str] = []

    def feed(self, line: str) -> StreamChunk | None:
        """Take one line (without its newline); return a complete event, if one ended."""
        if line == "":
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
            # The server writes one ``data:`` line per event; dispatch at once, as the
            # official SDK did, so a stream without blank lines still works.
            return self._dispatch()
        if name == "id" and "\x00" not in value:
            self.last_event_id = value
        return None

    def flush(self) -> StreamChunk | None:
        return self._dispatch()

    def _dispatch(self) -> StreamChunk | None:
        if not self._data:
            return None
        raw, self._data = "\n".join(self._data), []
        if raw == "[DONE]":
            self.done = True
            return None
        try:
            event = json.loads(raw)
        except json.JSONDecodeError:
            return None
        return cast(StreamChunk, event) if isinstance(event, dict) else None


def decode_lines(lines: Iterable[str], decoder: SSEDecoder) -> Iterator[StreamChunk]:
    for line in lines:
        event = decoder.feed(line)
        if event is not None:
            yield event
        if decoder.done:
            return
    event = decoder.flush()
    if event is not None:
        yield event


def stream_error(event: StreamChunk) -> StreamError:
    raw = cast(dict[str, Any], event)
    error = StreamError(
        str(raw.get("message") or raw.get("error") or "Stream failed"),
        raw.get("error") if isinstance(raw.get("error"), str) else None,
        raw.get("details"),
    )
    error.body = raw
    return error


class _StreamState:
    """What a stream has seen so far: text, final message, usage, model, last event id."""

    def __init__(self) -> None:
        self.decoder = SSEDecoder()
        self.text = ""
        self.message: Message | None = None
        self.usage: Usage | None = None
        self.model: str | None = None
        self.budget_warning: BudgetWarning | None = None  # a budget reached its warnAt
        self.response: httpx.Response | None = None

    def record(self, event: StreamChunk) -> None:
        kind = event.get("type")
        if kind == "content":
            self.text += event.get("content") or ""
        elif kind == "status" and event.get("status") == "budget_warning":
            self.budget_warning = event.get("budgetWarning")
        elif kind == "complete":
            self.message = cast(Message | None, event.get("message"))
            self.usage = event.get("usage")
            self.model = event.get("model")

    @property
    def last_event_id(self) -> str | None:
        return self.decoder.last_event_id


class MessageStream(_StreamState):
    """A streamed reply: iterate for event dicts; ``text``/``message`` once done.

    ::

        with client.messages.stream(conversation_id, {"content": "Hi"}) as stream:
            for event in stream:
                if event["type"] == "content":
                    print(event["content"], end="")
        print(stream.message["id"])
    """

    def __init__(self, opener: Callable[[], httpx.Response]) -> None:
        super().__init__()
        self._opener = opener
        self._iterator: Iterator[StreamChunk] | None = None
        self._closed = False

    def _events(self) -> Iterator[StreamChunk]:
        """Every event, the error event included, without raising on it."""
        if self.response is None:
            self.response = self._opener()
        try:
            for event in decode_lines(self.response.iter_lines(), self.decoder):
                self.record(event)
                yield event
        except httpx.TransportError as exc:
            raise NetworkError(f"Stream request failed: {exc}", {"error": str(exc)}) from exc
        finally:
            self.close()

    def __iter__(self) -> Iterator[StreamChunk]:
        if self._iterator is None:
            self._iterator = self._raising()
        return self._iterator

    def __next__(self) -> StreamChunk:
        return next(iter(self))

    def _raising(self) -> Iterator[StreamChunk]:
        for event in self._events():
            if event.get("type") == "error":
                raise stream_error(event)
            yield event

    @property
    def text_stream(self) -> Iterator[str]:
        """Only the text deltas, as strings."""
        for event in self:
            if event.get("type") == "content" and event.get("content"):
                yield event.get("content") or ""

    def until_done(self) -> Message | None:
        """Read the stream to its end; return the stored assistant message."""
        for _ in self:
            pass
        return self.message

    def run_callbacks(
        self,
        on_chunk: Callable[[StreamChunk], object] | None,
        on_complete: Callable[[Message], object] | None,
    ) -> None:
        """The official SDK's callback form: every event to ``on_chunk`` (errors too,
        without raising), then the final message to ``on_complete`` if there was one."""
        for event in self._events():
            if on_chunk is not None:
                on_chunk(event)
        if on_complete is not None and self.message:
            on_complete(self.message)

    def close(self) -> None:
        """Close the HTTP response (the server keeps generating and stores the reply)."""
        if self.response is not None and not self._closed:
            self._closed = True
            self.response.close()

    def __enter__(self) -> MessageStream:
        if self.response is None:
            self.response = self._opener()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncMessageStream(_StreamState):
    """The async twin of :class:`MessageStream`: ``async for`` and ``async with``."""

    def __init__(self, opener: Callable[[], Awaitable[httpx.Response]]) -> None:
        super().__init__()
        self._opener = opener
        self._iterator: AsyncIterator[StreamChunk] | None = None
        self._closed = False

    async def _events(self) -> AsyncIterator[StreamChunk]:
        if self.response is None:
            self.response = await self._opener()
        try:
            async for line in self.response.aiter_lines():
                event = self.decoder.feed(line)
                if event is not None:
                    self.record(event)
                    yield event
                if self.decoder.done:
                    return
            event = self.decoder.flush()
            if event is not None:
                self.record(event)
                yield event
        except httpx.TransportError as exc:
            raise NetworkError(f"Stream request failed: {exc}", {"error": str(exc)}) from exc
        finally:
            await self.aclose()

    async def _raising(self) -> AsyncIterator[StreamChunk]:
        async for event in self._events():
            if event.get("type") == "error":
                raise stream_error(event)
            yield event

    def __aiter__(self) -> AsyncIterator[StreamChunk]:
        if self._iterator is None:
            self._iterator = self._raising()
        return self._iterator

    async def __anext__(self) -> StreamChunk:
        return await self.__aiter__().__anext__()

    @property
    async def text_stream(self) -> AsyncIterator[str]:
        """Only the text deltas, as strings."""
        async for event in self:
            if event.get("type") == "content" and event.get("content"):
                yield event.get("content") or ""

    async def until_done(self) -> Message | None:
        """Read the stream to its end; return the stored assistant message."""
        async for _ in self:
            pass
        return self.message

    async def run_callbacks(
        self,
        on_chunk: Callable[[StreamChunk], object] | None,
        on_complete: Callable[[Message], object] | None,
    ) -> None:
        """Callback form; a callback may be a coroutine function (it is awaited)."""
        async for event in self._events():
            if on_chunk is not None:
                result = on_chunk(event)
                if isinstance(result, Awaitable):
                    await result
        if on_complete is not None and self.message:
            result = on_complete(self.message)
            if isinstance(result, Awaitable):
                await result

    async def aclose(self) -> None:
        """Close the HTTP response (the server keeps generating and stores the reply)."""
        if self.response is not None and not self._closed:
            self._closed = True
            await self.response.aclose()

    async def __aenter__(self) -> AsyncMessageStream:
        if self.response is None:
            self.response = await self._opener()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
