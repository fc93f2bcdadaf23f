"""``client.conversations``: create, list (one page or all), get, update, delete, tree,
export and import."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, cast

from .._types import (
    Conversation,
    ConversationExport,
    ConversationTree,
    CreateConversationRequest,
    ListConversationsParams,
    PaginatedResponse,
)
from ._base import AsyncAPIResource, SyncAPIResource, data_of, item_of, seg

__all__ = ["AsyncConversations", "Conversations"]

PAGE_SIZE = 100  # the server's largest page


def _page(response: dict[str, Any]) -> PaginatedResponse:
    """The official SDK's page: read at the top level of the body."""
    return {
        "data": response.get("conversations", []),
        "total": response.get("total", 0),
        "page": response.get("page", 1),
        "limit": response.get("limit", 10),
        "hasNext": response.get("hasNext", False),
    }


def _page_params(params: ListConversationsParams | None, page: int, limit: int) -> dict[str, Any]:
    return {**(params or {}), "page": page, "limit": limit}


class Conversations(SyncAPIResource):
    def create(self, data: CreateConversationRequest) -> Conversation:
        """Create a conversation (and its main branch); ``data`` needs ``title``."""
        return cast(Conversation, item_of(self._http.post("/conversations", data), "conversation"))

    def list(self, params: ListConversationsParams | None = None) -> PaginatedResponse:
        """One page of the account's conversations: ``{data, total, page, limit, hasNext}``."""
        return _page(self._http.get("/conversations", params=dict(params or {})))

    def list_all(
        self, params: ListConversationsParams | None = None, *, page_size: int = PAGE_SIZE
    ) -> Iterator[Conversation]:
        """Every conversation, fetching pages of ``page_size`` as the iteration needs them."""
        page = (params or {}).get("page") or 1
        limit = (params or {}).get("limit") or page_size
        while True:
            result = self.list(cast(ListConversationsParams, _page_params(params, page, limit)))
            yield from result["data"]
            if not result["hasNext"] or not result["data"]:
                return
            page += 1

    def get(self, conversation_id: str) -> Conversation:
        """One conversation, with its branches and main-path ``messages``."""
        response = self._http.get(f"/conversations/{seg(conversation_id)}")
        return cast(Conversation, item_of(response, "conversation"))

    def update(self, conversation_id: str, data: dict[str, Any]) -> Conversation:
        """Change title, model, systemPrompt, temperature, maxTokens or archived."""
        response = self._http.patch(f"/conversations/{seg(conversation_id)}", data)
        return cast(Conversation, item_of(response, "conversation"))

    def delete(self, conversation_id: str) -> None:
        """Delete a conversation with all its branches and messages."""
        self._http.delete(f"/conversations/{seg(conversation_id)}")

    def get_tree(self, conversation_id: str) -> ConversationTree:
        """The message tree and branch hierarchy: ``{conversation, tree, metadata, …}``."""
        response = self._http.get(f"/conversations/{seg(conversation_id)}/tree")
        return cast(ConversationTree, data_of(response))

    def export(self, conversation_id: str) -> ConversationExport:
        """The conversation as a lossless transfer document (for ``import_``)."""
        response = self._http.get(f"/conversations/{seg(conversation_id)}/export")
        return cast(ConversationExport, data_of(response))

    def import_(self, document: ConversationExport | dict[str, Any]) -> Conversation:
        """Store an exported document as a new conversation of this account."""
        response = self._http.post("/conversations/import", dict(document))
        return cast(Conversation, item_of(response, "conversation"))


class AsyncConversations(AsyncAPIResource):
    async def create(self, data: CreateConversationRequest) -> Conversation:
        """Create a conversation (and its main branch); ``data`` needs ``title``."""
        response = await self._http.post("/conversations", data)
        return cast(Conversation, item_of(response, "conversation"))

    async def list(self, params: ListConversationsParams | None = None) -> PaginatedResponse:
        """One page of the account's conversations: ``{data, total, page, limit, hasNext}``."""
        return _page(await self._http.get("/conversations", params=dict(params or {})))

    async def list_all(
        self, params: ListConversationsParams | None = None, *, page_size: int = PAGE_SIZE
    ) -> AsyncIterator[Conversation]:
        """Every conversation, fetching pages as the iteration needs them (``async for``)."""
        page = (params or {}).get("page") or 1
        limit = (params or {}).get("limit") or page_size
        while True:
            params_now = cast(ListConversationsParams, _page_params(params, page, limit))
            result = await self.list(params_now)
            for conversation in result["data"]:
                yield conversation
            if not result["hasNext"] or not result["data"]:
                return
            page += 1

    async def get(self, conversation_id: str) -> Conversation:
        """One conversation, with its branches and main-path ``messages``."""
        response = await self._http.get(f"/conversations/{seg(conversation_id)}")
        return cast(Conversation, item_of(response, "conversation"))

    async def update(self, conversation_id: str, data: dict[str, Any]) -> Conversation:
        """Change title, model, systemPrompt, temperature, maxTokens or archived."""
        response = await self._http.patch(f"/conversations/{seg(conversation_id)}", data)
        return cast(Conversation, item_of(response, "conversation"))

    async def delete(self, conversation_id: str) -> None:
        """Delete a conversation with all its branches and messages."""
        await self._http.delete(f"/conversations/{seg(conversation_id)}")

    async def get_tree(self, conversation_id: str) -> ConversationTree:
        """The message tree and branch hierarchy: ``{conversation, tree, metadata, …}``."""
        response = await self._http.get(f"/conversations/{seg(conversation_id)}/tree")
        return cast(ConversationTree, data_of(response))

    async def export(self, conversation_id: str) -> ConversationExport:
        """The conversation as a lossless transfer document (for ``import_``)."""
        response = await self._http.get(f"/conversations/{seg(conversation_id)}/export")
        return cast(ConversationExport, data_of(response))

    async def import_(self, document: ConversationExport | dict[str, Any]) -> Conversation:
        """Store an exported document as a new conversation of this account."""
        response = await self._http.post("/conversations/import", dict(document))
        return cast(Conversation, item_of(response, "conversation"))
