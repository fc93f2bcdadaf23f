"""Web search for the Chat API's ``webSearch``: a SearXNG instance's JSON API."""

from __future__ import annotations

from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class SearchResult:
    title: str
    url: str
    snippet: str


class SearchFailed(Exception):
    """The backend did not answer with results; the message says why, for a status event."""


class SearxngSearch:
    """``GET {base}/search?q=…&format=json`` (the instance must enable the json format)."""

    def __init__(self, base_url: str, client: httpx.AsyncClient, *, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.client = client
        self.timeout = timeout

    async def search(self, query: str, limit: int) -> list[SearchResult]:
        try:
            response = await self.client.get(
                f"{self.base_url}/search",
                params={"q": query, "format": "json"},
                timeout=self.timeout,
            )
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise SearchFailed(f"web search failed: {type(exc).__name__}") from exc
        results: list[SearchResult] = []
        for item in body.get("results", []) if isinstance(body, dict) else []:
            if not isinstance(item, dict) or not isinstance(item.get("url"), str):
                continue
            results.append(
                SearchResult(
                    title=str(item.get("title") or item["url"]),
                    url=item["url"],
                    snippet=str(item.get("content") or ""),
                )
            )
            if len(results) == limit:
                break
        return results
