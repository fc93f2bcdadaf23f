"""A local stand-in for web search APIs on 127.0.0.1.

SearXNG's JSON API (``/search?q=…&format=json``) and the Brave Search API
(``/res/v1/web/search?q=…&count=N`` with the ``X-Subscription-Token`` key).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlparse

BRAVE_KEY = "brave-test-key"


class FakeSearch:
    """Answers every query with ``results`` (SearXNG's shape: title, url, content).

    Records the queries it got and, for Brave, the key each one carried.
    """

    def __init__(self, results: list[dict[str, Any]]) -> None:
        self.results = results
        self.queries: list[dict[str, list[str]]] = []
        self.keys: list[str | None] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlparse(self.path)
                fake.queries.append(parse_qs(url.query))
                status, answer = fake.answer(url.path, self.headers.get("X-Subscription-Token"))
                body = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def brave_url(self) -> str:
        """The Brave Search API base (``CHATROUTES_BRAVE_SEARCH_URL``)."""
        return self.url + "/res/v1"

    def answer(self, path: str, key: str | None) -> tuple[int, dict[str, Any]]:
        if path == "/search":
            return 200, {"results": self.results}
        if path == "/res/v1/web/search":
            self.keys.append(key)
            if key != BRAVE_KEY:
                return 401, {"error": "invalid subscription token"}
            brave = [
                {"title": r["title"], "url": r["url"], "description": r["content"]}
                for r in self.results
            ]
            return 200, {"type": "search", "web": {"type": "search", "results": brave}}
        return 404, {}

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
