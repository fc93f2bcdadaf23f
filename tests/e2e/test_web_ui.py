"""The web UI in a real browser: Debian's chromium, headless, driven by Playwright, against a
``chatroutes serve`` process (SQLite) whose providers are the mock upstream.

Screenshots of each main page are written to ``artifacts/screenshots/`` at desktop and phone
widths, light and dark. Without ``/usr/bin/chromium`` the browser tests are skipped, unless
``CHATROUTES_REQUIRE_BROWSER=1`` (CI), where that is a failure.
"""

from __future__ import annotations

import re
import uuid
from importlib import resources
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import DESKTOP, KEY_RE, PHONE, SCREENSHOTS, TIMEOUT_MS, LiveServer
from tests.support.mock_upstream import Fault, MockUpstream

pytestmark = [pytest.mark.e2e, pytest.mark.long]

STATIC = Path(str(resources.files("chatroutes.server.web").joinpath("static")))


def shoot(page, name: str) -> None:
    """Full-page screenshots of what is shown, desktop and phone, light and dark."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.getElementById('toasts').replaceChildren()")  # passing notices
    for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            page.screenshot(path=SCREENSHOTS / f"{name}-{width}-{scheme}.png", full_page=True)
    page.set_viewport_size(DESKTOP)
    page.emulate_media(color_scheme="light")


def expect(target):
    from playwright.sync_api import expect as playwright_expect

    playwright_expect.set_options(timeout=TIMEOUT_MS)
    return playwright_expect(target)


def shown(page) -> None:
    """Wait until the page for the current route is rendered (no route is loading)."""
    expect(page.locator("#main[aria-busy]")).to_have_count(0)


def send(page, text: str) -> None:
    page.get_by_label("Message", exact=True).fill(text)
    page.get_by_role("button", name="Send", exact=True).click()


def wait_for_reply(page, text: str) -> None:
    stored = page.locator(".msg.assistant:not(.streaming) .msg-body", has_text=text)
    expect(stored.first).to_be_visible()


def access_token(page) -> str:
    session = page.evaluate("JSON.parse(localStorage.getItem('chatroutes.session'))")
    return session["tokens"]["accessToken"]


def actions_of(page, text: str):
    return page.locator(".msg", has=page.locator(".msg-body", has_text=text)).first


class TestServed:
    def test_page_and_modules_come_from_the_server_with_a_same_origin_policy(
        self, web_server: LiveServer
    ) -> None:
        with httpx.Client(base_url=web_server.url, timeout=5) as client:
            index = client.get("/")
            assert index.status_code == 200
            assert "default-src 'self'" in index.headers["content-security-policy"]
            assert '<script type="module" src="/static/js/app.js">' in index.text
            files = sorted(p for p in STATIC.rglob("*") if p.is_file())
            assert {p.suffix for p in files} >= {".html", ".css", ".js"}
            for path in files:
                served = client.get(f"/static/{path.relative_to(STATIC)}")
                assert served.status_code == 200, path
                if path.relative_to(STATIC).parts[0] == "vendor":
                    continue  # they name their homepages and XML namespaces (never fetched)
                # Nothing is fetched from elsewhere: no CDN, no web fonts.
                assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", served.text), path

    def test_a_missing_asset_is_404(self, web_server: LiveServer) -> None:
        assert httpx.get(web_server.url + "/static/js/nope.js", timeout=5).status_code == 404


class TestApiForTheUi:
    def test_guest_status_counts_what_the_session_used(self, web_server: LiveServer) -> None:
        api = web_server.url + "/api/v1"
        started = httpx.post(api + "/auth/guest", timeout=5).json()["data"]
        headers = {"Authorization": f"Bearer {started['tokens']['accessToken']}"}
        with httpx.Client(base_url=api, headers=headers, timeout=15) as client:
            fresh = client.get("/auth/guest").json()["data"]
            assert fresh["used"] == {"messages": 0, "branches": 0, "tokens": 0}
            assert fresh["limits"] == started["guest"]["limits"]
            assert fresh["expiresAt"] == started["guest"]["expiresAt"]
            cid = client.post("/conversations", json={"title": "g"}).json()["data"]
            cid = cid["conversation"]["id"]
            sent = client.post(f"/conversations/{cid}/messages", json={"content": "hi there"})
            reply = sent.json()["data"]
            client.post(
                f"/conversations/{cid}/fork",
                json={"forkPointMessageId": reply["message"]["id"]},
            ).raise_for_status()
            used = client.get("/auth/guest").json()["data"]["used"]
        assert used == {"messages": 1, "branches": 1, "tokens": reply["usage"]["totalTokens"]}

    def test_guest_status_is_refused_to_accounts(self, web_server: LiveServer) -> None:
        api = web_server.url + "/api/v1"
        email = f"acct-{uuid.uuid4().hex[:8]}@example.com"
        body = {"email": email, "password": "long enough pw"}
        tokens = httpx.post(api + "/auth/register", json=body, timeout=5).json()["data"]["tokens"]
        headers = {"Authorization": f"Bearer {tokens['accessToken']}"}
        refused = httpx.get(api + "/auth/guest", headers=headers, timeout=5)
        assert refused.status_code == 400
        assert refused.json()["success"] is False

    def test_usage_breaks_down_by_conversation_and_branch(self, web_server: LiveServer) -> None:
        api = web_server.url + "/api/v1"
        email = f"usage-{uuid.uuid4().hex[:8]}@example.com"
        body = {"email": email, "password": "long enough pw"}
        tokens = httpx.post(api + "/auth/register", json=body, timeout=5).json()["data"]["tokens"]
        headers = {"Authorization": f"Bearer {tokens['accessToken']}"}
        with httpx.Client(base_url=api, headers=headers, timeout=15) as client:
            totals: dict[str, int] = {}
            for title, sends in (("small", 1), ("big", 2)):
                cid = client.post("/conversations", json={"title": title}).json()["data"]
                cid = cid["conversation"]["id"]
                for i in range(sends):
                    sent = client.post(f"/conversations/{cid}/messages", json={"content": f"q{i}"})
                    totals[title] = (
                        totals.get(title, 0) + sent.json()["data"]["usage"]["totalTokens"]
                    )
            usage = client.get("/usage", params={"timeframe": "all"}).json()["data"]
        by_conversation = [
            (r["title"], r["totalTokens"], r["calls"]) for r in usage["byConversation"]
        ]
        assert by_conversation == [("big", totals["big"], 2), ("small", totals["small"], 1)]
        assert [(r["title"], r["totalTokens"]) for r in usage["byBranch"]] == [
            ("Main", totals["big"]),
            ("Main", totals["small"]),
        ]
        assert {r["conversationId"] for r in usage["byBranch"]} == {
            r["conversationId"] for r in usage["byConversation"]
        }


def test_guest_streams_forks_checkpoints_sees_usage_then_keeps_the_work(
    page, web_server: LiveServer, upstream: MockUpstream
) -> None:
    shoot(page, "landing")
    page.get_by_role("button", name="Try without an account").click()
    expect(page.get_by_role("heading", name="Conversations")).to_be_visible()
    expect(page.locator(".guest-bar")).to_contain_text("20 messages left")
    page.get_by_label("Title").fill("Trip planning")
    page.get_by_role("button", name="Create", exact=True).click()
    expect(page.get_by_role("heading", name="Trip planning")).to_be_visible()

    # A slow reply: it is seen growing, and a reload mid-stream shows it finishing.
    reply = "Rome in spring is mild and the gardens are in bloom, while Paris " * 3
    reply = reply.strip()
    upstream.enqueue(Fault.reply(reply))
    upstream.chunk_delay = 0.12
    try:
        send(page, "Should I visit Paris or Rome in spring?")
        streaming = page.locator(".msg.streaming .msg-body")
        expect(streaming).to_contain_text("Rome in spring")
        expect(page.get_by_role("button", name="Stop")).to_be_visible()
        assert len(streaming.inner_text()) < len(reply)
        page.reload()
        expect(page.locator(".msg.streaming")).to_be_visible()  # resumed, not yet finished
        wait_for_reply(page, reply)
    finally:
        upstream.chunk_delay = 0.0
    expect(page.locator(".msg.assistant .msg-body")).to_have_text([reply])
    expect(page.locator(".guest-bar")).to_contain_text("19 messages left")

    # Fork at the reply, continue there: the tree shows both branches.
    actions_of(page, reply).get_by_role("button", name="Fork here").click()
    page.get_by_role("dialog").get_by_role("button", name="Create fork").click()
    expect(page.locator(".conv-head .chip")).to_contain_text("Fork at")
    expect(page).to_have_url(re.compile(r"#/c/[^/]+/b/[^/]+$"))
    fork_url = page.url
    send(page, "What about Florence instead?")
    wait_for_reply(page, "Echo: What about Florence instead?")
    expect(page.locator(".guest-bar")).to_contain_text("2 branches left")
    nodes = page.locator(".tree .node")
    expect(nodes).to_have_count(4)
    branch_ids = set(nodes.evaluate_all("ns => ns.map(n => n.dataset.branchId)"))
    assert len(branch_ids) == 2
    expect(page.locator(".tree .legend li")).to_have_count(2)
    expect(page.locator(".tree .node.current")).to_have_count(4)  # the fork's path is all 4
    shoot(page, "conversation-tree")

    # Open the main branch, then click the fork's node in the graph to open its path.
    page.locator(".tree .legend a", has_text="Main").click()
    expect(page.locator(".tree .node.current")).to_have_count(2)
    page.locator(".tree .node[aria-label^='You: What about Florence']").focus()
    page.keyboard.press("Enter")  # the graph works from the keyboard
    expect(page).to_have_url(fork_url)
    expect(page.locator(".msg.user .msg-body").last).to_have_text("What about Florence instead?")

    # A checkpoint at the last reply: its summary and the tokens it saves.
    actions_of(page, "Echo: What about Florence").get_by_role("button", name="Checkpoint").click()
    expect(page.get_by_role("tab", name="Checkpoints")).to_have_attribute("aria-selected", "true")
    checkpoint = page.locator(".checkpoint")
    expect(checkpoint).to_have_count(1)
    expect(checkpoint).to_contain_text("tokens saved")
    expect(checkpoint.locator(".summary")).not_to_be_empty()
    shoot(page, "conversation-checkpoints")
    checkpoint.get_by_role("button", name="Recreate as branch").click()
    expect(page.locator(".tree .legend li")).to_have_count(3)
    expect(page).not_to_have_url(fork_url)
    page.goto(fork_url)
    shown(page)
    page.get_by_role("tab", name="Checkpoints").click()
    page.locator(".checkpoint").get_by_role("button", name="Delete").click()
    page.get_by_role("dialog").get_by_role("button", name="Confirm").click()
    expect(page.locator(".checkpoint")).to_have_count(0)

    # The usage page shows the tokens the two replies used, as the API counts them.
    page.get_by_role("link", name="Usage").click()
    shown(page)
    expect(page.get_by_role("heading", name="Usage")).to_be_visible()
    usage = httpx.get(
        web_server.url + "/api/v1/usage",
        headers={"Authorization": f"Bearer {access_token(page)}"},
        timeout=5,
    ).json()["data"]
    total = usage["totals"]["totalTokens"]
    assert total > 0
    expect(page.locator("[data-stat='Total tokens']")).to_have_text(f"{total:,}")
    expect(page.locator("table", has_text="By conversation")).to_contain_text("Trip planning")
    expect(page.locator(".chart-svg rect")).not_to_have_count(0)
    expect(page.locator(".guest-bar")).to_contain_text(f"{250 - total} tokens left")
    shoot(page, "usage")

    # "Keep my work": the guest becomes an account and the conversation stays.
    email = f"kept-{uuid.uuid4().hex[:8]}@example.com"
    page.get_by_role("button", name="Keep my work").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Email").fill(email)
    dialog.get_by_label("Password").fill("correct horse battery")
    dialog.get_by_role("button", name="Create account").click()
    expect(page.locator(".guest-bar")).to_have_count(0)
    expect(page.locator(".topbar")).to_contain_text(email)
    page.get_by_role("link", name="Conversations").click()
    shown(page)
    expect(page.get_by_role("option", name=re.compile("^Trip planning"))).to_be_visible()

    # Signed out and in again with the new account: still there, with its branches.
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("option", name=re.compile("^Trip planning")).click()
    shown(page)
    expect(page.locator(".tree .legend li")).to_have_count(3)
    expect(page.locator(".msg.assistant .msg-body").first).to_have_text(reply)


def test_account_compares_models_edits_regenerates_autobranches_and_manages_keys(
    page, web_server: LiveServer, upstream: MockUpstream
) -> None:
    email = f"ui-{uuid.uuid4().hex[:8]}@example.com"
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("a long password")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".topbar")).to_contain_text(email)

    page.get_by_label("Title").fill("Languages")
    page.get_by_label("Temperature").fill("0.3")
    page.get_by_label("System prompt (optional)").fill("Answer briefly.")
    page.get_by_role("button", name="Create", exact=True).click()
    expect(page.get_by_role("heading", name="Languages")).to_be_visible()
    send(page, "Hello there")
    wait_for_reply(page, "Echo: Hello there")

    # Stop: the server ends the reply where it is and keeps it, marked stopped.
    long_reply = ("word " * 60).strip()
    upstream.enqueue(Fault.reply(long_reply))
    upstream.chunk_delay = 0.1
    try:
        send(page, "Tell me a long story")
        expect(page.locator(".msg.streaming .msg-body")).to_contain_text("word")
        page.get_by_role("button", name="Stop").click()
        expect(page.get_by_role("button", name="Stop")).to_be_hidden()
        expect(page.get_by_role("button", name="Send", exact=True)).to_be_enabled()
        expect(page.locator(".msg.assistant .ending.stopped")).to_have_text("Stopped")
    finally:
        upstream.chunk_delay = 0.0
    page.reload()  # as stored: the text up to the stop, not the whole reply
    stopped = page.locator(".msg.assistant", has=page.locator(".ending.stopped"))
    expect(stopped).to_have_count(1)
    partial = stopped.locator(".msg-body").inner_text()
    assert partial.startswith("word") and len(partial) < len(long_reply)
    assert long_reply.startswith(partial)

    # Parallel responses: two models side by side, one chosen into the conversation.
    page.get_by_label("Several models").check()
    page.get_by_label("Message", exact=True).fill("Pick a language to learn")
    page.get_by_role("button", name="Send", exact=True).click()
    candidates = page.locator(".candidate")
    expect(candidates).to_have_count(2)
    expect(candidates.nth(0)).to_contain_text("Echo: Pick a language to learn")
    expect(candidates.nth(1)).to_contain_text("Echo: Pick a language to learn")
    shoot(page, "parallel")
    chosen = candidates.nth(1).get_attribute("data-model")
    page.get_by_role("button", name=f"Use {chosen}").click()
    expect(page.locator(".candidate")).to_have_count(0)
    expect(page.locator(".msg.assistant .role").last).to_have_text(chosen)
    page.get_by_label("Several models").uncheck()

    # Editing the question writes a new version on its own branch, answered there.
    question = actions_of(page, "Pick a language to learn")
    question.get_by_role("button", name="Edit").click()
    page.get_by_label("Edited message").fill("Should I learn Python or Rust or Go?")
    page.get_by_role("button", name="Save version").click()
    wait_for_reply(page, "Echo: Should I learn Python or Rust or Go?")
    expect(page.locator(".tree .legend li")).to_have_count(2)

    # Regenerate: the same question again from its parent, a sibling branch.
    actions_of(page, "Echo: Should I learn").get_by_role("button", name="Regenerate").click()
    expect(page.locator(".tree .legend li")).to_have_count(3)
    wait_for_reply(page, "Echo: Should I learn Python or Rust or Go?")

    # AutoBranch: the options in the question, offered and created in one click.
    actions_of(page, "Should I learn Python").get_by_role("button", name="Suggest branches").click()
    suggestions = page.locator(".suggestions")
    expect(suggestions).to_contain_text("AutoBranch suggestions")
    created = suggestions.locator("input[type=checkbox]").count()
    assert created >= 1
    suggestions.get_by_role("button", name=re.compile(r"Create \d+ branch")).click()
    expect(page.get_by_role("tab", name="Branches")).to_have_attribute("aria-selected", "true")
    rows = page.locator(".branch-row")
    expect(rows).to_have_count(3 + created)

    # Rename and archive a branch, then compare two side by side.
    target = rows.nth(1)
    target.get_by_role("button", name=re.compile("^Rename")).click()
    page.get_by_role("dialog").get_by_label("Title").fill("Python path")
    page.get_by_role("dialog").get_by_role("button", name="Save").click()
    expect(rows.filter(has_text="Python path")).to_have_count(1)
    rows.filter(has_text="Python path").get_by_role("button", name=re.compile("^Archive")).click()
    expect(rows.filter(has_text="Python path")).to_contain_text("archived")
    assert created == 3  # one branch per option: Python, Rust, Go
    for option in ("Python", "Rust", "Go"):
        suggested = rows.filter(has=page.get_by_role("link", name=option, exact=True))
        suggested.get_by_role("button", name=re.compile("^Delete")).click()
        page.get_by_role("dialog").get_by_role("button", name="Confirm").click()
    expect(rows).to_have_count(3)
    regenerated = rows.nth(rows.count() - 1)
    regenerated.get_by_role("button", name=re.compile("^Merge")).click()
    expect(page.locator(".toast", has_text="merged into its parent")).to_be_visible()
    page.get_by_label("Right").select_option(label="Python path")
    page.get_by_role("button", name="Compare side by side").click()
    expect(page.locator(".compare-col")).to_have_count(2)
    expect(page.locator(".compare-col").nth(1)).to_contain_text("Python path")
    shoot(page, "compare")

    page.get_by_role("link", name="Back to the conversation").click()
    shown(page)
    page.get_by_role("tab", name="Checkpoints").focus()
    page.keyboard.press("ArrowRight")  # the tabs work from the keyboard, wrapping around
    expect(page.get_by_role("tab", name="Tree")).to_have_attribute("aria-selected", "true")
    expect(page.locator(".tree .legend li")).to_have_count(3)
    shoot(page, "conversation-branches")

    # Regenerate the first reply: its question has no parent to send from, so a new version
    # of it starts a branch from the root, answered there.
    actions_of(page, "Echo: Hello there").get_by_role("button", name="Regenerate").click()
    expect(page.locator(".conv-head .chip")).to_contain_text("Regenerated")
    wait_for_reply(page, "Echo: Hello there")
    expect(page.locator(".msg .msg-body")).to_have_text(["Hello there", "Echo: Hello there"])
    expect(page.locator(".tree .legend li")).to_have_count(4)
    page.get_by_role("link", name="Conversations").click()
    expect(page.get_by_role("heading", level=1, name="Conversations")).to_be_visible()
    shown(page)
    expect(page.get_by_role("option", name=re.compile("^Languages"))).to_be_visible()
    page.get_by_label("Search conversations").fill("nothing like this")
    expect(page.get_by_role("option", name=re.compile("^Languages"))).to_be_hidden()
    page.get_by_label("Search conversations").fill("lang")
    expect(page.get_by_role("option", name=re.compile("^Languages"))).to_be_visible()
    shoot(page, "conversations")

    # API keys: the secret is shown once; a revoked key is marked so.
    page.get_by_role("link", name="API keys").click()
    shown(page)
    page.get_by_label("Name (optional)").fill("laptop")
    page.get_by_role("button", name="Create key").click()
    secret = page.locator(".reveal .secret").inner_text()
    assert KEY_RE.fullmatch(secret)
    listed = httpx.get(
        web_server.url + "/api/v1/conversations", headers={"X-API-Key": secret}, timeout=5
    )
    assert listed.json()["conversations"][0]["title"] == "Languages"
    shoot(page, "keys")
    page.get_by_role("button", name=re.compile("^Revoke")).click()
    page.get_by_role("dialog").get_by_role("button", name="Confirm").click()
    expect(page.locator("table", has_text="Your keys")).to_contain_text("revoked")
    assert page.locator(".reveal").count() == 0  # shown once: gone after the page renders again
    revoked = httpx.get(
        web_server.url + "/api/v1/conversations", headers={"X-API-Key": secret}, timeout=5
    )
    assert revoked.status_code == 401

    # The theme toggle overrides the system setting, and is remembered.
    page.emulate_media(color_scheme="light")
    page.get_by_role("button", name="Dark theme").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    page.reload()
    shown(page)
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(18, 20, 23)"
    expect(page.get_by_role("button", name="Dark theme")).to_have_attribute("aria-pressed", "true")
