"""The Chat API against a real server process: every provider name, event type and endpoint.

Every chat provider name points at the mock upstream and web search at a fake backend.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.conftest import LiveServer
from tests.support.fake_search import FakeSearch
from tests.support.mock_upstream import Fault, MockUpstream
from tests.support.sse import payloads

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


PROVIDER_ENV = {"GEMINI", "GROQ", "OPENROUTER"}
RESULTS = [{"title": "Notes", "url": "https://example.org/notes", "content": "v2 is out"}]
PIXEL = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 16).decode()


@pytest.fixture(scope="module")
def search() -> Iterator[FakeSearch]:
    with FakeSearch(RESULTS) as fake:
        yield fake


@pytest.fixture(scope="module")
def child_env(
    child_env: dict[str, str],
    upstream: MockUpstream,
    search: FakeSearch,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, str]:
    """Every chat provider name reaches the mock; web search goes to the fake backend."""
    models = tmp_path_factory.mktemp("chat-models") / "models.toml"
    models.write_text('[providers.ollama]\napi_key = "test-key"\n')
    env = {**child_env, "OLLAMA_HOST": upstream.url, "CHATROUTES_MODELS_FILE": str(models)}
    for name in PROVIDER_ENV:
        env[f"{name}_API_KEY"] = "test-key"
        env[f"{name}_BASE_URL"] = upstream.openai_base_url
    env["CHATROUTES_SEARXNG_URL"] = search.url
    return env


@pytest.fixture
def client(live_server: LiveServer) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"ApiKey {live_server.api_key}"}
    with httpx.Client(base_url=live_server.url, headers=headers, timeout=30) as http:
        yield http


def _events(client: httpx.Client, **body: object) -> list:
    response = client.post("/api/chat", json=body, headers={"Accept": "text/event-stream"})
    assert response.status_code == 200, response.text
    events = payloads(response.text)
    assert events[-1] == "[DONE]" and events[0]["type"] == "metadata", events
    return events[:-1]


def _of(events: list, kind: str) -> list[dict]:
    return [e for e in events if e["type"] == kind]


def _other_account(url: str) -> dict[str, str]:
    """A second account, signed up over HTTP: its session's headers."""
    email = f"other-{uuid.uuid4().hex[:10]}@example.com"
    body = {"email": email, "password": "correct horse battery staple"}
    response = httpx.post(f"{url}/api/v1/auth/register", json=body, timeout=30)
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['data']['tokens']['accessToken']}"}


def _usage(client: httpx.Client) -> dict:
    return client.get("/api/v1/usage", params={"timeframe": "all"}).json()["data"]["totals"]


@pytest.mark.parametrize(
    "provider", ["ollama", "groq", "google", "claude", "openai", "openrouter", "default"]
)
def test_each_provider_name_streams_and_answers(
    client: httpx.Client, upstream: MockUpstream, provider: str
) -> None:
    events = _events(client, message="hello there", provider=provider)
    expected = "openai" if provider == "default" else provider  # the server's default: gpt-5
    assert events[0]["provider"] == expected and events[-1]["provider"] == expected
    assert "".join(e["content"] for e in _of(events, "text")) == "Echo: hello there"
    assert events[-1]["type"] == "done" and events[-1]["response"] == "Echo: hello there"
    body = client.post("/api/chat", json={"message": "again", "provider": provider}).json()
    assert body["response"] == "Echo: again" and body["provider"] == expected
    assert len(upstream.requests) == 2


def test_every_event_type_and_endpoint(
    client: httpx.Client, upstream: MockUpstream, search: FakeSearch, live_server: LiveServer
) -> None:
    # reasoning: Claude thinks with the registry's budget; the thinking is not stored
    upstream.enqueue(Fault.reply("It is 7.", reasoning="Seven is fine."))
    events = _events(
        client,
        message="pick",
        provider="claude",
        channel="e2e",
        image=PIXEL,
        imageMimeType="image/png",
    )
    assert "".join(e["content"] for e in _of(events, "reasoning")) == "Seven is fine."
    assert upstream.requests[-1].json["thinking"]["budget_tokens"] == 2048
    cid = events[0]["conversationId"]
    # status: the model calls web_search; the answer cites the result and carries it
    search.queries.clear()
    upstream.enqueue(Fault.tool_call("web_search", {"query": "v2"}), Fault.reply("Out [1]."))
    events = _events(client, message="news?", provider="openai", webSearch=True, conversationId=cid)
    statuses = [s["message"] for s in _of(events, "status")]
    assert statuses == ["Searching the web for: v2", "Found 1 web result"]
    assert (
        events[-1]["response"] == "Out [1]."
        and events[-1]["sources"][0]["url"] == RESULTS[0]["url"]
    )
    assert search.queries == [{"q": ["v2"], "format": ["json"]}]
    # error: the upstream cuts the stream after the first piece
    upstream.enqueue(Fault.cut_after(1))
    events = _events(client, message="tell me more", provider="groq", conversationId=cid)
    assert events[-1]["type"] == "error" and events[-1]["error"]
    partial = "".join(e["content"] for e in _of(events, "text"))
    assert partial.startswith("Echo:")

    listed = client.get("/api/chat/conversations", params={"channel": "e2e"}).json()
    assert [c["id"] for c in listed["conversations"]] == [cid]
    messages = client.get("/api/chat/messages", params={"conversationId": cid}).json()["messages"]
    assert [m["content"] for m in messages] == [
        "pick",
        "It is 7.",
        "news?",
        "Out [1].",
        "tell me more",
        partial,  # kept, marked finishReason: error
    ]
    image = messages[0]["images"][0]
    fetched = client.get(image["url"])
    assert fetched.status_code == 200 and fetched.content == base64.b64decode(PIXEL)
    other = _other_account(live_server.url)
    assert client.get(image["url"], headers=other).status_code == 403
    assert client.patch("/api/chat/settings", json={"defaultProvider": "claude"}).status_code == 200
    assert client.get("/api/chat/settings").json()["defaultProvider"] == "claude"
    client.patch("/api/chat/settings", json={"defaultProvider": None})

    # the same conversation through /api/v1: read, forked, answered there
    v1 = client.get(f"/api/v1/conversations/{cid}/messages").json()["data"]["messages"]
    assert [m["id"] for m in v1] == [m["id"] for m in messages]
    fork = client.post(
        f"/api/v1/conversations/{cid}/branches",
        json={"title": "Alt", "forkPointMessageId": v1[1]["id"]},
    ).json()["data"]["branch"]
    sent = client.post(
        f"/api/v1/conversations/{cid}/branches/{fork['id']}/messages", json={"content": "alt"}
    )
    assert sent.status_code == 201, sent.text

    # truncate keeps the N most recent of the main path; usage survives it and the delete
    usage = _usage(client)
    truncated = client.post(f"/api/chat/conversations/{cid}/truncate", json={"keep": 3}).json()
    assert (truncated["kept"], truncated["deleted"]) == (3, 3)
    main = client.get(f"/api/v1/conversations/{cid}/messages").json()["data"]["messages"]
    assert [m["content"] for m in main] == ["Out [1].", "tell me more", partial]
    assert _usage(client) == usage
    assert client.delete(f"/api/chat/conversations/{cid}").status_code == 200
    assert _usage(client) == usage and usage["calls"] >= 4
    assert client.get(f"/api/v1/conversations/{cid}").status_code == 404
    assert client.get(image["url"]).status_code == 404
