"""A page of another origin uses the built TypeScript SDK against a real server (CORS).

Debian's chromium, headless, driven by Playwright, loads a page from a tiny static server
on a second port (another origin) that imports ``clients/typescript/dist/index.mjs`` as
an ES module, creates a conversation and streams a reply from ``chatroutes serve`` run
with ``CHATROUTES_CORS_ORIGINS`` naming that origin. The same page from a third port,
an origin not listed, is blocked by the browser and changes nothing on the server.
"""

from __future__ import annotations

import functools
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.conftest import provider_env
from tests.e2e.conftest import REPO_ROOT, LiveServer, browser_missing, first_start_key, serving
from tests.support.mock_upstream import MockUpstream

pytestmark = pytest.mark.e2e

SDK_BUNDLE = REPO_ROOT / "clients" / "typescript" / "dist" / "index.mjs"
TIMEOUT_MS = 15_000
QUESTION = "Hello from another origin"

# The page: the SDK as an ES module, and one function the test calls with the server's
# URL and a key. It reports what a page can see: the streamed text, the stored reply,
# the headers CORS exposes, or the error the SDK threw.
PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>ChatRoutes from another origin</title></head>
<body>
<script type="module">
import { ChatRoutesClient } from './sdk/index.mjs';

window.chat = async (baseUrl, apiKey, question) => {
  const client = new ChatRoutesClient({ apiKey, baseUrl, retryAttempts: 0 });
  try {
    const conversation = await client.conversations.create({ title: 'Cross-origin' });
    const stream = client.messages.stream(conversation.id, { content: question });
    const chunks = [];
    for await (const chunk of stream) {
      if (chunk.type === 'content') chunks.push(chunk.content);
    }
    const done = await stream.done();
    const listed = await fetch(`${baseUrl}/api/v1/conversations`, {
      headers: { Authorization: `ApiKey ${apiKey}` },
    });
    const exposed = {};
    for (const name of ['ratelimit', 'ratelimit-policy', 'x-request-id', 'content-type']) {
      exposed[name] = listed.headers.get(name);
    }
    return {
      ok: true, conversationId: conversation.id, chunks, text: stream.text,
      reply: done.message.content, model: done.model, exposed,
    };
  } catch (error) {
    return { ok: false, name: error.name, message: String(error.message) };
  }
};
window.ready = true;
</script>
</body></html>
"""


class _StaticFiles(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".mjs": "text/javascript"}

    def log_message(self, format: str, *args: object) -> None:  # quiet in test output
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The page and the built SDK bundle; skip (fail in CI) when the bundle is not built."""
    if not SDK_BUNDLE.exists():
        browser_missing(
            f"{SDK_BUNDLE} is not built: cd clients/typescript && npm ci && npm run build "
            "(make test does it)"
        )
    root = tmp_path_factory.mktemp("cross-origin-site")
    (root / "sdk").mkdir()
    shutil.copy(SDK_BUNDLE, root / "sdk" / "index.mjs")
    (root / "index.html").write_text(PAGE)
    return root


def _serve_static(root: Path) -> tuple[ThreadingHTTPServer, str]:
    handler = functools.partial(_StaticFiles, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="module")
def origins(site: Path) -> Iterator[tuple[str, str]]:
    """(allowed, other): the same site served on two ports, so from two origins."""
    allowed, allowed_origin = _serve_static(site)
    other, other_origin = _serve_static(site)
    try:
        yield allowed_origin, other_origin
    finally:
        for server in (allowed, other):
            server.shutdown()
            server.server_close()


@pytest.fixture(scope="module")
def api_server(
    tmp_path_factory: pytest.TempPathFactory,
    child_env: dict[str, str],
    upstream: MockUpstream,
    origins: tuple[str, str],
) -> Iterator[LiveServer]:
    """``chatroutes serve`` (SQLite) allowing the first origin only."""
    workdir = tmp_path_factory.mktemp("cors-server")
    env = {
        **child_env,
        **provider_env(upstream),
        "CHATROUTES_DATA_DIR": str(workdir / "data"),
        "CHATROUTES_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'chatroutes.db'}",
        "CHATROUTES_SECRET_KEY": "cors-secret-at-least-32-bytes-long!",
        "CHATROUTES_DEFAULT_MODEL": "gpt-5",
        "CHATROUTES_CORS_ORIGINS": origins[0],
    }
    with serving("sqlite", workdir, env) as server:
        server.api_key = first_start_key(server)
        yield server


def _chat_from(browser, origin: str, server: LiveServer) -> tuple[dict, list[str]]:
    """Open the page at ``origin``, run its chat against ``server``: (its report, console)."""
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    console: list[str] = []
    errors: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(origin + "/index.html")
        page.wait_for_function("window.ready === true")
        report = page.evaluate(
            "([url, key, question]) => window.chat(url, key, question)",
            [server.url, server.api_key, QUESTION],
        )
    finally:
        context.close()
    assert not errors, f"script errors in the page: {errors}\n{server.logs()}"
    return report, console


def _titles(server: LiveServer) -> list[str]:
    response = httpx.get(
        server.api_url + "/conversations",
        headers={"Authorization": f"ApiKey {server.api_key}"},
        params={"limit": 100},
        timeout=10,
    )
    return [c["title"] for c in response.json()["data"]["conversations"]]


def test_a_page_of_an_allowed_origin_streams_a_reply_with_the_sdk(
    browser, api_server: LiveServer, origins: tuple[str, str]
) -> None:
    report, _ = _chat_from(browser, origins[0], api_server)
    assert report["ok"], f"{report}\n{api_server.logs()}"
    assert report["text"] == "".join(report["chunks"]) == f"Echo: {QUESTION}"
    assert len(report["chunks"]) > 1, "the reply came as a stream, chunk by chunk"
    assert report["reply"] == report["text"] and report["model"] == "gpt-5"
    exposed = report["exposed"]
    assert exposed["ratelimit"] and exposed["ratelimit-policy"] and exposed["x-request-id"]
    assert "Cross-origin" in _titles(api_server)


def test_a_page_of_another_origin_is_blocked_by_the_browser(
    browser, api_server: LiveServer, origins: tuple[str, str]
) -> None:
    before = _titles(api_server)
    report, console = _chat_from(browser, origins[1], api_server)
    assert not report["ok"]
    assert report["name"] == "NetworkError", report
    assert any("blocked by CORS policy" in line and origins[1] in line for line in console), console
    assert _titles(api_server) == before, "the preflight failed: nothing was created"
