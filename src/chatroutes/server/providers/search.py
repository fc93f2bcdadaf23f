"""Web search for the Chat API's ``webSearch``: a SearXNG instance, or the Brave Search API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import httpx


@dataclass(frozen=True)
class SearchResult:
    title: str
    url: str
    snippet: str


class SearchFailed(Exception):
    """The backend did not answer with results; the message says why, for a status event."""


class SearchBackend(Protocol):
    name: str

    async def search(self, query: str, limit: int) -> list[SearchResult]: ...


async def _get_json(client: httpx.AsyncClient, url: str, **kwargs: Any) -> Any:
    """The JSON body of a GET; any failure is ``SearchFailed``."""
    try:
        response = await client.get(url, **kwargs)
        response.raise_for_status()
        return response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise SearchFailed(f"web search failed: {type(exc).__name__}") from exc


def _results(items: Any, snippet_key: str, limit: int) -> list[SearchResult]:
    """Results with a URL, up to ``limit``; a title falls back to the URL."""
    results: list[SearchResult] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("url"), str):
            continue
        title = str(item.get("title") or item["url"])
        results.append(SearchResult(title, item["url"], str(item.get(snippet_key) or "")))
        if len(results) == limit:
            break
    return results


class SearxngSearch:
    """``GET {base}/search?q=…&format=json`` (the instance must enable the json format)."""

    def __init__(self, base_url: str, client: httpx.AsyncClient, *, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.client = client
        self.timeout = timeout

    name = "SearXNG"

    async def search(self, query: str, limit: int) -> list[SearchResult]:
        body = await _get_json(
            self.client,
            f"{self.base_url}/search",
            params={"q": query, "format": "json"},
            timeout=self.timeout,
        )
        return _results(body.get("results") if isinstance(body, dict) else None, "content", limit)


class BraveSearch:
    """``GET {base}/web/search?q=…&count=N`` with the ``X-Subscription-Token`` key."""

    name = "Brave Search"

    def __init__(
        self, base_url: str, api_key: str, client: httpx.AsyncClient, *, timeout: float
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.client = client
        self.timeout = timeout

    async def search(self, query: str, limit: int) -> list[SearchResult]:
        body = await _get_json(
            self.client,
            f"{self.base_url}/web/search",
            params={"q": query, "count": limit},
            headers={"X-Subscription-Token": self.api_key, "Accept": "application/json"},
            timeout=self.timeout,
        )
        web = body.get("web") if isinstance(body, dict) else None
        return _results(web.get("results") if isinstance(web, dict) else None, "description", limit)
