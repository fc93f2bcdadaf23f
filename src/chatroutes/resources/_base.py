"""What every resource shares: its client, and the official SDK's ways of unwrapping."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from .._client import AsyncChatRoutes, ChatRoutes
    from .._http import AsyncHttpClient, HttpClient


def seg(value: str) -> str:
    """An id as one path segment (``/`` and friends escaped, so it cannot change the path)."""
    return quote(str(value), safe="")


def data_of(response: dict[str, Any]) -> Any:
    """``response.get('data', response)``, as the official resources unwrap."""
    return response.get("data", response)


def item_of(response: dict[str, Any], key: str) -> Any:
    """``response.get('data', {}).get(key, response)``: one object, or the whole body."""
    data = response.get("data", {})
    return data.get(key, response) if isinstance(data, dict) else response


def items_of(response: dict[str, Any], key: str) -> Any:
    """``response.get('data', {}).get(key, response.get(key, []))``: a list."""
    data = response.get("data", {})
    fallback = response.get(key, [])
    return data.get(key, fallback) if isinstance(data, dict) else fallback


class SyncAPIResource:
    def __init__(self, client: ChatRoutes) -> None:
        self._client = client

    @property
    def _http(self) -> HttpClient:
        return self._client._http


class AsyncAPIResource:
    def __init__(self, client: AsyncChatRoutes) -> None:
        self._client = client

    @property
    def _http(self) -> AsyncHttpClient:
        return self._client._http
