"""The Chat API's event stream from a real server process: text arrives while it is generated."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from tests.e2e.conftest import LiveServer
from tests.support.mock_upstream import MockUpstream

pytestmark = pytest.mark.e2e


def test_chat_stream_delivers_text_before_the_reply_is_done(
    live_server: LiveServer, upstream: MockUpstream
) -> None:
    words = " ".join(f"word{i}" for i in range(20))
    headers = {"Authorization": f"ApiKey {live_server.api_key}", "Accept": "text/event-stream"}
    arrivals: list[tuple[float, dict | str]] = []
    upstream.chunk_delay = 0.05  # about a second of generation
    try:
        with (
            httpx.Client(base_url=live_server.url, headers=headers, timeout=30) as client,
            client.stream(
                "POST", "/api/chat", json={"message": words, "provider": "claude"}
            ) as response,
        ):
            assert response.status_code == 200
            for line in response.iter_lines():
                if line.startswith("data: "):
                    data = line[6:]
                    event = data if data == "[DONE]" else json.loads(data)
                    arrivals.append((time.monotonic(), event))
    finally:
        upstream.chunk_delay = 0.0
    kinds = [e if isinstance(e, str) else e["type"] for _, e in arrivals]
    assert kinds[0] == "metadata" and kinds[-2:] == ["done", "[DONE]"], kinds
    texts = [(t, e) for t, e in arrivals if isinstance(e, dict) and e["type"] == "text"]
    assert "".join(e["content"] for _, e in texts) == f"Echo: {words}"
    done_at = arrivals[-2][0]
    assert done_at - texts[0][0] > 0.3, "the first text came well before the end, not buffered"
