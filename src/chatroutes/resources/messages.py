"""``client.messages``: send (plain or streamed), stop, list, edit, delete, pin or exclude."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Coroutine
from typing import Any, TypedDict, cast, overload

from .._streaming import AsyncMessageStream, MessageStream
from .._types import Message, SendMessageRequest, SendMessageResponse, StreamChunk
from ._base import AsyncAPIResource, SyncAPIResource, data_of, item_of, items_of, seg

__all__ = ["AsyncMessages", "Messages", "StopResponse"]

OnChunk = Callable[[StreamChunk], object]
OnComplete = Callable[[Message], object]
_STREAM_HEADERS = {"Accept": "text/event-stream"}


class StopResponse(TypedDict):
    """``stopped``: this call ended the generation; ``message``: the reply as stored."""

    stopped: bool
    message: Message


def stop_path(conversation_id: str, message_id: str) -> str:
    return f"/conversations/{seg(conversation_id)}/messages/{seg(message_id)}/stop"


def stream_path(conversation_id: str, branch_id: str | None = None) -> str:
    if branch_id is None:
        return f"/conversations/{seg(conversation_id)}/messages/stream"
    return f"/conversations/{seg(conversation_id)}/branches/{seg(branch_id)}/messages/stream"


class Messages(SyncAPIResource):
    def send(self, conversation_id: str, data: SendMessageRequest) -> SendMessageResponse:
        """Send a user message and wait for the reply.

        ``data``: ``content`` and optionally ``model``, ``temperature``, ``maxTokens``,
        ``branchId``, ``parentMessageId``. Returns ``{message, userMessage,
        assistantMessage, usage, model}``, ``message`` being the assistant's reply.
        """
        response = self._http.post(f"/conversations/{seg(conversation_id)}/messages", data)
        return cast(SendMessageResponse, data_of(response))

    @overload
    def stream(
        self,
        conversation_id: str,
        data: SendMessageRequest,
        on_chunk: OnChunk,
        on_complete: OnComplete | None = None,
    ) -> None: ...
    @overload
    def stream(
        self,
        conversation_id: str,
        data: SendMessageRequest,
        on_chunk: None = None,
        *,
        on_complete: OnComplete,
    ) -> None: ...
    @overload
    def stream(
        self,
        conversation_id: str,
        data: SendMessageRequest,
        on_chunk: None = None,
        on_complete: None = None,
    ) -> MessageStream: ...
    def stream(
        self,
        conversation_id: str,
        data: SendMessageRequest,
        on_chunk: OnChunk | None = None,
        on_complete: OnComplete | None = None,
    ) -> MessageStream | None:
        """Send a user message and stream the reply.

        Without callbacks, returns a :class:`MessageStream`: ``for event in stream`` gives
        each event dict (``type`` ``content`` with ``content``, then ``complete`` with
        ``message``, ``usage``, ``model``); it raises ``StreamError`` on an error event.
        With ``on_chunk``/``on_complete`` (the official SDK's form) it reads the whole
        stream, calls ``on_chunk`` for every event and ``on_complete`` with the stored
        reply, and returns ``None``.
        """
        return _sync_stream(self, stream_path(conversation_id), data, on_chunk, on_complete)

    def stop(self, conversation_id: str, message_id: str) -> StopResponse:
        """End a reply being generated (``message_id``: the id its stream announced).

        The text so far is stored as the reply (``metadata.finishReason: "stopped"``); a
        reply already finished comes back with ``stopped: False``. Raises ``ConflictError``
        if another server process is generating it.
        """
        response = self._http.post(stop_path(conversation_id, message_id))
        return cast(StopResponse, data_of(response))

    def list(self, conversation_id: str, branch_id: str | None = None) -> builtins.list[Message]:
        """The messages of the main branch's path, or of ``branch_id``'s, oldest first."""
        params = {"branchId": branch_id} if branch_id else {}
        response = self._http.get(f"/conversations/{seg(conversation_id)}/messages", params=params)
        return cast(builtins.list[Message], items_of(response, "messages"))

    def update(self, message_id: str, content: str) -> Message:
        """Edit a message: stores a new version (new id, ``editedFrom``); the original stays."""
        response = self._http.patch(f"/messages/{seg(message_id)}", {"content": content})
        return cast(Message, item_of(response, "message"))

    def delete(self, message_id: str) -> None:
        """Hide a message from listings and context (kept for audit)."""
        self._http.delete(f"/messages/{seg(message_id)}")

    def set_context(
        self, message_id: str, *, pinned: bool | None = None, excluded: bool | None = None
    ) -> Message:
        """Pin a message (always in the context of the sends after it, even under a
        checkpoint or over the context window) or exclude it (never sent to a model);
        None leaves a flag as it is. A message is never both: ``ValidationError``."""
        response = self._http.patch(
            f"/messages/{seg(message_id)}/context", _context_body(pinned, excluded)
        )
        return cast(Message, item_of(response, "message"))


def _context_body(pinned: bool | None, excluded: bool | None) -> dict[str, bool]:
    given = {"pinned": pinned, "excluded": excluded}
    return {name: value for name, value in given.items() if value is not None}


def _sync_stream(
    resource: SyncAPIResource,
    path: str,
    data: Any,
    on_chunk: OnChunk | None,
    on_complete: OnComplete | None,
) -> MessageStream | None:
    http = resource._http
    prepared = http.prepare("POST", path, data, headers=_STREAM_HEADERS)
    stream = MessageStream(lambda: http.send(prepared, stream=True))
    if on_chunk is None and on_complete is None:
        return stream
    stream.run_callbacks(on_chunk, on_complete)
    return None


def _async_stream(
    resource: AsyncAPIResource,
    path: str,
    data: Any,
    on_chunk: OnChunk | None,
    on_complete: OnComplete | None,
) -> AsyncMessageStream | Coroutine[Any, Any, None]:
    http = resource._http
    prepared = http.prepare("POST", path, data, headers=_STREAM_HEADERS)
    stream = AsyncMessageStream(lambda: http.send(prepared, stream=True))
    if on_chunk is None and on_complete is None:
        return stream
    return stream.run_callbacks(on_chunk, on_complete)


class AsyncMessages(AsyncAPIResource):
    async def send(self, conversation_id: str, data: SendMessageRequest) -> SendMessageResponse:
        """Send a user message and wait for the reply (see ``Messages.send``)."""
        response = await self._http.post(f"/conversations/{seg(conversation_id)}/messages", data)
        return cast(SendMessageResponse, data_of(response))

    @overload
    def stream(
        self,
        conversation_id: str,
        data: SendMessageRequest,
        on_chunk: OnChunk,
        on_complete: OnComplete | None = None,
    ) -> Coroutine[Any, Any, None]: ...
    @overload
    def stream(
        self,
        conversation_id: str,
        data: SendMessageRequest,
        on_chunk: None = None,
        *,
        on_complete: OnComplete,
    ) -> Coroutine[Any, Any, None]: ...
    @overload
    def stream(
        self,
        conversation_id: str,
        data: SendMessageRequest,
        on_chunk: None = None,
        on_complete: None = None,
    ) -> AsyncMessageStream: ...
    def stream(
        self,
        conversation_id: str,
        data: SendMessageRequest,
        on_chunk: OnChunk | None = None,
        on_complete: OnComplete | None = None,
    ) -> AsyncMessageStream | Coroutine[Any, Any, None]:
        """Stream the reply: ``async for event in client.messages.stream(...)``, or
        ``await client.messages.stream(..., on_chunk=..., on_complete=...)`` (callbacks may
        be coroutine functions)."""
        return _async_stream(self, stream_path(conversation_id), data, on_chunk, on_complete)

    async def stop(self, conversation_id: str, message_id: str) -> StopResponse:
        """End a reply being generated (see ``Messages.stop``)."""
        response = await self._http.post(stop_path(conversation_id, message_id))
        return cast(StopResponse, data_of(response))

    async def list(
        self, conversation_id: str, branch_id: str | None = None
    ) -> builtins.list[Message]:
        """The messages of the main branch's path, or of ``branch_id``'s, oldest first."""
        params = {"branchId": branch_id} if branch_id else {}
        response = await self._http.get(
            f"/conversations/{seg(conversation_id)}/messages", params=params
        )
        return cast(builtins.list[Message], items_of(response, "messages"))

    async def update(self, message_id: str, content: str) -> Message:
        """Edit a message: stores a new version (new id, ``editedFrom``); the original stays."""
        response = await self._http.patch(f"/messages/{seg(message_id)}", {"content": content})
        return cast(Message, item_of(response, "message"))

    async def delete(self, message_id: str) -> None:
        """Hide a message from listings and context (kept for audit)."""
        await self._http.delete(f"/messages/{seg(message_id)}")

    async def set_context(
        self, message_id: str, *, pinned: bool | None = None, excluded: bool | None = None
    ) -> Message:
        """Pin or exclude a message (see ``Messages.set_context``)."""
        response = await self._http.patch(
            f"/messages/{seg(message_id)}/context", _context_body(pinned, excluded)
        )
        return cast(Message, item_of(response, "message"))
