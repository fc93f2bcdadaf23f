"""Replies as Markdown, code copy, the conversation sidebar, and XSS kept out, in a real
browser (Debian's chromium driven by Playwright) against ``chatroutes serve`` on SQLite,
the providers at the mock upstream, which answers each send with the Markdown queued here.

Every request the page makes is recorded: none may go to another host. Payloads set
``window.__xss`` or open a dialog if they ever run. Screenshots of the Markdown view and the
sidebar, desktop and phone, light and dark, go to ``artifacts/screenshots/``, or with
``CHATROUTES_UPDATE_DOCS_SCREENSHOTS=1`` to ``docs/screenshots/`` (committed).
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
import pytest

from tests.e2e.conftest import DESKTOP, PHONE, REPO_ROOT, SCREENSHOTS, TIMEOUT_MS, LiveServer
from tests.support.mock_upstream import Fault, MockUpstream, split_reply

pytestmark = [pytest.mark.e2e, pytest.mark.long]

# The screenshots kept in the docs are rewritten only when asked (they change on each run:
# dates, e-mail); otherwise they go with the other test screenshots.
SHOTS = (
    REPO_ROOT / "docs" / "screenshots"
    if os.environ.get("CHATROUTES_UPDATE_DOCS_SCREENSHOTS")
    else SCREENSHOTS
)

MARKDOWN_REPLY = """## Plan for the trip

Three things to **decide** first, with *care*:

1. Where to sleep
2. How to travel
   - by train
   - by bus
3. What to eat

| City | Days | Budget |
|:-----|:----:|-------:|
| Rome | 3 | 420 € |
| Florence | 2 | 260 € |

A helper that counts the days:

```python
def total_days(stops: dict[str, int]) -> int:
    # every stop's days, added up
    return sum(stops.values())
```

Read more at https://example.org/travel and use `total_days` before booking.

> Book the trains early: prices rise.
"""

PYTHON_CODE = """def total_days(stops: dict[str, int]) -> int:
    # every stop's days, added up
    return sum(stops.values())
"""

# Each would run script, open a dialog or load from another host if rendered as HTML.
XSS_REPLY = """# Payloads

<script>window.__xss = 'script'; alert('script')</script>

<img src=x onerror="window.__xss='img'; alert('img')">

<svg onload="window.__xss='svg'; alert('svg')"><script>window.__xss='svg-script'</script></svg>

<svg><animate onbegin="window.__xss='animate'" attributeName="x" dur="1s"/></svg>

[plain js link](javascript:alert(1))

[mixed case](JaVaScRiPt:window.__xss='case')

[entity encoded](&#106;avascript:window.__xss='entity')

[tab inside](java&#09;script:window.__xss='tab')

[data url](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)

[vbscript](vbscript:msgbox(1))

<a href="javascript:window.__xss='raw-a'">raw anchor</a>

<iframe src="javascript:window.__xss='iframe'"></iframe>

<details open ontoggle="window.__xss='details'">x</details>

&lt;img src=x onerror="window.__xss='entities'"&gt;

![tracker](https://evil.example/pixel.png)

<style>body { background: url(https://evil.example/bg.png) }</style>

`<img src=x onerror="window.__xss='inline-code'">`

```html
<script>window.__xss = 'fenced'</script>
<img src=x onerror="window.__xss='fenced-img'">
```

[ok link](https://evil.example/page "title")
"""

XSS_TITLES = [
    "<script>window.__xss='title-script'</script>",
    "<img src=x onerror=\"window.__xss='title-img';alert(1)\">",
    "<svg onload=\"window.__xss='title-svg'\">",
    "[click](javascript:window.__xss='title-link')",
    "&lt;b onmouseover=alert(1)&gt;entity&lt;/b&gt;",
]


@dataclass
class Watched:
    """A page and what it did: every request, every dialog, every script error."""

    page: object
    server: LiveServer
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def foreign(self) -> list[str]:
        """The requests that went anywhere but the server."""
        ours = urlsplit(self.server.url).netloc
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in {"data"} and urlsplit(url).netloc != ours
        ]

    def assert_inert(self) -> None:
        flag = self.page.evaluate("window.__xss ?? null")
        assert flag is None, f"a payload ran: window.__xss = {flag!r}"
        blocked = self.page.evaluate("window.__violations")
        assert not blocked, f"the CSP had to block something: {blocked}"
        assert not self.dialogs, f"a dialog opened: {self.dialogs}"
        assert not self.foreign(), f"requests to another host: {self.foreign()}"


@dataclass
class Account:
    """A signed-up account: its API client, its session for the page, the mock upstream."""

    api: httpx.Client
    session: dict
    upstream: MockUpstream


@pytest.fixture
def account(web_server: LiveServer, upstream: MockUpstream) -> Iterator[Account]:
    """A new account, its session ready for the page's localStorage."""
    body = {"email": f"md-{uuid.uuid4().hex[:8]}@example.com", "password": "long enough pw"}
    data = httpx.post(web_server.api_url + "/auth/register", json=body, timeout=10).json()["data"]
    headers = {"Authorization": f"Bearer {data['tokens']['accessToken']}"}
    with httpx.Client(base_url=web_server.api_url, headers=headers, timeout=15) as client:
        yield Account(client, {"user": data["user"], "tokens": data["tokens"]}, upstream)


@pytest.fixture
def watched(browser, web_server: LiveServer, account: Account) -> Iterator[Watched]:
    """A signed-in page whose every request and dialog is recorded; requests to another
    host are refused, a script error fails the test."""
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=web_server.url)
    context.add_init_script(
        f"localStorage.setItem('chatroutes.session', {json.dumps(json.dumps(account.session))})"
    )
    # Anything the policy had to stop (an inline handler, a foreign image) is a payload
    # that got into the page: the sanitizer, not the CSP, must keep them out.
    context.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));"
    )
    page = context.new_page()
    seen = Watched(page, web_server)
    ours = urlsplit(web_server.url).netloc

    def route(route, request) -> None:
        seen.requests.append(request.url)
        if urlsplit(request.url).netloc == ours:
            route.continue_()
        else:
            route.abort()

    context.route("**/*", route)
    page.on("dialog", lambda dialog: (seen.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda exc: seen.errors.append(str(exc)))
    page.on("popup", lambda popup: seen.requests.append(popup.url))
    yield seen
    context.close()
    assert not seen.errors, f"script errors in the page: {seen.errors}\n{web_server.logs()}"


def expect(target):
    from playwright.sync_api import expect as playwright_expect

    playwright_expect.set_options(timeout=TIMEOUT_MS)
    return playwright_expect(target)


def conversation(account: Account, title: str, *replies: tuple[str, str]) -> str:
    """A conversation with (question, reply) turns sent through the API; its id."""
    cid = account.api.post("/conversations", json={"title": title}).json()["data"]
    cid = cid["conversation"]["id"]
    for question, reply in replies:
        account.upstream.enqueue(Fault.reply(reply))
        sent = account.api.post(f"/conversations/{cid}/messages", json={"content": question})
        assert sent.status_code == 201, sent.text
        assert sent.json()["data"]["message"]["content"] == reply
    return cid


def open_conversation(watched: Watched, cid: str) -> None:
    watched.page.goto(f"{watched.server.url}/#/c/{cid}")
    expect(watched.page.locator("#main[aria-busy]")).to_have_count(0)
    expect(watched.page.locator(".msg").first).to_be_visible()


def shoot(page, name: str, *, before=None) -> None:
    """Screenshots (into ``SHOTS``): desktop and phone, light and dark; ``before``
    runs after each resize (e.g. to open the folded sidebar on a phone)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.getElementById('toasts').replaceChildren()")
    for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        if before:
            before(width)
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            page.screenshot(path=SHOTS / f"{name}-{width}-{scheme}.png")
    page.set_viewport_size(DESKTOP)
    page.emulate_media(color_scheme="light")


def scroll_to(page, selector: str) -> None:
    """Scroll so that the element's top shows just below the sticky top bar."""
    page.evaluate(
        """(selector) => {
          const top = document.querySelector(selector).getBoundingClientRect().top + scrollY;
          window.scrollTo(0, top - document.getElementById('topbar').offsetHeight - 12);
        }""",
        selector,
    )


class TestMarkdown:
    def test_a_reply_shows_headings_lists_tables_links_and_highlighted_code(
        self, watched: Watched, account: Account
    ) -> None:
        cid = conversation(account, "Trip in Markdown", ("Plan my trip", MARKDOWN_REPLY))
        open_conversation(watched, cid)
        body = watched.page.locator(".msg.assistant .msg-body.md")
        expect(body.locator("h2")).to_have_text("Plan for the trip")
        expect(body.locator("strong")).to_have_text("decide")
        expect(body.locator("ol > li")).to_have_count(3)
        expect(body.locator("ol ul > li")).to_have_text(["by train", "by bus"])
        table = body.locator("table")
        expect(table.locator("th")).to_have_text(["City", "Days", "Budget"])
        expect(table.locator("tbody tr")).to_have_count(2)
        expect(table.locator("th.align-center")).to_have_text("Days")
        expect(table.locator("td.align-right").first).to_have_text("420 €")
        assert table.locator("[style]").count() == 0
        code = body.locator(".code-block code.language-python")
        expect(code).to_have_class(re.compile(r"\bhljs\b"))
        expect(code.locator(".hljs-keyword").first).to_have_text("def")
        expect(code.locator(".hljs-comment")).to_have_text("# every stop's days, added up")
        expect(body.locator(".code-lang")).to_have_text("python")
        expect(body.locator(":not(pre) > code")).to_have_text("total_days")
        link = body.locator("a", has_text="https://example.org/travel")  # linkified
        expect(link).to_have_attribute("href", "https://example.org/travel")
        expect(link).to_have_attribute("target", "_blank")
        expect(link).to_have_attribute("rel", "noopener noreferrer")
        expect(body.locator("blockquote")).to_contain_text("Book the trains early")
        keyword = code.locator(".hljs-keyword").first
        light = keyword.evaluate("k => getComputedStyle(k).color")
        watched.page.emulate_media(color_scheme="dark")
        assert keyword.evaluate("k => getComputedStyle(k).color") != light  # themed colours
        watched.page.emulate_media(color_scheme="light")
        watched.assert_inert()
        shoot(watched.page, "markdown-reply", before=lambda _: scroll_to(watched.page, ".msg.user"))

    def test_the_copy_button_puts_the_code_on_the_clipboard(
        self, watched: Watched, account: Account
    ) -> None:
        cid = conversation(account, "Copy me", ("Some code", MARKDOWN_REPLY))
        open_conversation(watched, cid)
        button = watched.page.locator(".code-block button.copy")
        expect(button).to_have_accessible_name("Copy")
        button.click()
        expect(button).to_have_text("Copied")
        assert watched.page.evaluate("navigator.clipboard.readText()") == PYTHON_CODE
        expect(button).to_have_text("Copy", timeout=5000)  # back after a moment

    def test_the_copy_button_falls_back_without_the_clipboard_api(
        self, watched: Watched, account: Account
    ) -> None:
        cid = conversation(account, "Copy without API", ("Some code", MARKDOWN_REPLY))
        open_conversation(watched, cid)
        watched.page.evaluate(
            """() => {
              Object.defineProperty(navigator, 'clipboard', { value: undefined });
              window.__copied = null;
              document.addEventListener('copy', (event) => {
                const area = event.target;
                window.__copied = area.value.slice(area.selectionStart, area.selectionEnd);
              });
            }"""
        )
        button = watched.page.locator(".code-block button.copy")
        button.click()
        expect(button).to_have_text("Copied")
        assert watched.page.evaluate("window.__copied") == PYTHON_CODE

    def test_a_streamed_reply_is_rendered_as_it_grows(
        self, watched: Watched, account: Account, upstream: MockUpstream
    ) -> None:
        cid = conversation(account, "Streaming Markdown")
        watched.page.goto(f"{watched.server.url}/#/c/{cid}")
        expect(watched.page.locator("#main[aria-busy]")).to_have_count(0)
        # Each re-render of the streaming body is one swap of its children: note when, and
        # whether the body was ever seen empty once it had shown something (a flicker).
        watched.page.evaluate(
            """() => {
              window.__renders = [];
              window.__blank = false;
              new MutationObserver((records) => {
                for (const r of records) {
                  if (!r.target.matches?.('.msg.streaming .msg-body')) continue;
                  window.__renders.push(performance.now());
                  if (r.removedNodes.length && !r.target.childNodes.length) window.__blank = true;
                }
              }).observe(document.getElementById('main'), { childList: true, subtree: true });
            }"""
        )
        upstream.enqueue(Fault.reply(MARKDOWN_REPLY))
        upstream.chunk_delay = 0.03
        try:
            watched.page.get_by_label("Message", exact=True).fill("Plan it, streamed")
            watched.page.get_by_role("button", name="Send", exact=True).click()
            streaming = watched.page.locator(".msg.streaming .msg-body.md")
            expect(streaming.locator("h2")).to_have_text("Plan for the trip")  # before the end
            expect(watched.page.locator(".msg.streaming")).to_have_count(1)
            stored = watched.page.locator(".msg.assistant:not(.streaming) .msg-body.md")
            expect(stored.locator(".hljs-keyword").first).to_have_text("def")
        finally:
            upstream.chunk_delay = 0.0
        expect(stored.locator("table tbody tr")).to_have_count(2)
        renders = watched.page.evaluate("window.__renders")
        assert len(renders) >= 3  # shown as it grew
        # Throttled: over the whole stream, no more than one render per 80 ms (the moments
        # are noted by the observer, so one may come late and the next early).
        span = renders[-1] - renders[0]
        assert len(renders) - 1 <= span / 75 + 1, (len(renders), span)
        # and chunks closer together than that share a render (however slowly the machine
        # delivers them, some of the 30 ms apart arrive within 80 ms of each other)
        assert len(renders) < len(split_reply(MARKDOWN_REPLY))
        assert watched.page.evaluate("window.__blank") is False
        watched.assert_inert()


class TestXss:
    def test_the_page_keeps_a_strict_content_security_policy(self, web_server: LiveServer) -> None:
        policy = httpx.get(web_server.url + "/", timeout=5).headers["content-security-policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["script-src"] == "'self'"  # no inline script, no eval
        assert directives["default-src"] == "'self'"
        assert directives["connect-src"] == "'self'"
        assert "unsafe-eval" not in policy

    def _check_reply(self, watched: Watched) -> None:
        body = watched.page.locator(".msg.assistant .msg-body.md").last
        expect(body.locator("h1")).to_have_text("Payloads")
        watched.page.wait_for_timeout(300)  # time for anything that would fire
        watched.assert_inert()
        for tag in ("script", "img", "svg", "iframe", "style", "details", "animate"):
            assert body.locator(tag).count() == 0, tag
        assert body.locator("[style], [onerror], [onload], [ontoggle], [onbegin]").count() == 0
        hrefs = body.locator("a[href]").evaluate_all("as => as.map(a => a.href)")
        assert "https://evil.example/page" in hrefs  # a plain link stays a link
        assert "https://evil.example/pixel.png" in hrefs  # an image becomes one
        assert all(re.match(r"https?://", href) for href in hrefs), hrefs
        for a in body.locator("a[href]").all():
            expect(a).to_have_attribute("rel", "noopener noreferrer")
            expect(a).to_have_attribute("target", "_blank")
        # The HTML is shown as text, as it was written.
        expect(body).to_contain_text("<script>window.__xss = 'script'; alert('script')</script>")
        expect(body).to_contain_text("[plain js link](javascript:alert(1))")
        expect(body.locator("pre code")).to_contain_text("<script>window.__xss = 'fenced'")
        for a in body.locator("a:not([href])").all():  # links whose target was refused
            a.click()
        watched.assert_inert()

    def test_reply_payloads_render_inert(self, watched: Watched, account: Account) -> None:
        cid = conversation(account, "Payload reply", ("Show me payloads", XSS_REPLY))
        open_conversation(watched, cid)
        self._check_reply(watched)

    def test_streamed_reply_payloads_render_inert(
        self, watched: Watched, account: Account, upstream: MockUpstream
    ) -> None:
        cid = conversation(account, "Payload stream")
        watched.page.goto(f"{watched.server.url}/#/c/{cid}")
        expect(watched.page.locator("#main[aria-busy]")).to_have_count(0)
        upstream.enqueue(Fault.reply(XSS_REPLY))
        upstream.chunk_delay = 0.01
        try:
            watched.page.get_by_label("Message", exact=True).fill("Stream payloads")
            watched.page.get_by_role("button", name="Send", exact=True).click()
            expect(watched.page.locator(".msg.streaming")).to_have_count(1)
            expect(watched.page.locator(".msg.streaming")).to_have_count(0)
        finally:
            upstream.chunk_delay = 0.0
        self._check_reply(watched)

    def test_title_payloads_render_inert(self, watched: Watched, account: Account) -> None:
        ids = [conversation(account, title, ("hi", "**hello**")) for title in XSS_TITLES]
        page = watched.page
        page.goto(watched.server.url + "/#/")
        expect(page.locator("#main[aria-busy]")).to_have_count(0)
        titles = page.locator(".conv-list .conv-title")
        expect(titles).to_have_count(len(XSS_TITLES))
        assert sorted(titles.all_inner_texts()) == sorted(XSS_TITLES)
        page.get_by_label("Search conversations").fill("<svg")
        expect(titles).to_have_text([XSS_TITLES[2]])
        page.get_by_label("Search conversations").fill("")
        expect(titles).to_have_count(len(XSS_TITLES))
        for cid, title in zip(ids, XSS_TITLES, strict=True):
            page.goto(f"{watched.server.url}/#/c/{cid}")
            expect(page.locator("#main[aria-busy]")).to_have_count(0)
            expect(page.locator(".conv-head h1")).to_have_text(title)
            expect(page.locator(".sidebar [aria-current=page] .conv-title")).to_have_text(title)
        assert page.locator(".outlet img, .outlet script, .conv-list svg").count() == 0
        page.wait_for_timeout(300)
        watched.assert_inert()


class TestSidebar:
    def test_search_filters_as_you_type_and_the_keyboard_moves_and_opens(
        self, watched: Watched, account: Account
    ) -> None:
        tag = uuid.uuid4().hex[:6]
        titles = [f"{tag} Alpha notes", f"{tag} Beta plans", f"{tag} Gamma recipes"]
        ids = {title: conversation(account, title, ("hi", "_hello_")) for title in titles}
        page = watched.page
        open_conversation(watched, ids[titles[0]])
        sidebar = page.get_by_role("navigation", name="Conversation list")
        listbox = sidebar.get_by_role("listbox", name="Conversations")
        options = listbox.get_by_role("option")
        expect(options).to_have_count(3)  # newest first
        expect(options.locator(".conv-title")).to_have_text(list(reversed(titles)))
        current = listbox.locator("[aria-current=page]")
        expect(current).to_have_attribute("aria-selected", "true")
        expect(current.locator(".conv-title")).to_have_text(titles[0])

        # "/" focuses the search; typing filters; Esc clears.
        page.locator(".msg-body").first.click()
        page.keyboard.press("/")
        search = sidebar.get_by_label("Search conversations")
        expect(search).to_be_focused()
        page.keyboard.type("beta")
        expect(options).to_have_count(1)
        expect(options.locator(".conv-title")).to_have_text([titles[1]])
        expect(options.first).to_have_attribute("aria-selected", "true")
        page.keyboard.press("Enter")  # opens the one found
        expect(page.locator(".conv-head h1")).to_have_text(titles[1])
        search = page.get_by_label("Search conversations")
        expect(search).to_have_value("beta")  # the search is kept across pages
        search.focus()
        page.keyboard.press("Escape")
        expect(search).to_have_value("")
        expect(
            page.get_by_role("listbox", name="Conversations").get_by_role("option")
        ).to_have_count(3)

        # On the list: j/k and the arrows move the selection, Enter opens, the focus stays.
        listbox = page.get_by_role("listbox", name="Conversations")
        listbox.focus()
        selected = listbox.locator("[aria-selected=true] .conv-title")
        expect(selected).to_have_text(titles[1])  # the open one
        page.keyboard.press("j")
        expect(selected).to_have_text(titles[0])
        page.keyboard.press("k")
        page.keyboard.press("k")
        expect(selected).to_have_text(titles[2])
        page.keyboard.press("ArrowDown")
        expect(selected).to_have_text(titles[1])
        expect(listbox).to_have_attribute("aria-activedescendant", re.compile(r"^conv-opt-.+"))
        page.keyboard.press("ArrowUp")
        page.keyboard.press("Enter")
        expect(page.locator(".conv-head h1")).to_have_text(titles[2])
        expect(page.get_by_role("listbox", name="Conversations")).to_be_focused()
        expect(page.locator(".sidebar [aria-current=page] .conv-title")).to_have_text(titles[2])

        # The server's search answers too (it sees every title, not only those listed).
        page.keyboard.press("/")
        page.keyboard.type("gamma")
        expect(
            page.get_by_role("listbox", name="Conversations").get_by_role("option")
        ).to_have_count(1)
        page.wait_for_timeout(400)
        searched = [u for u in watched.requests if "search=gamma" in u]
        assert searched, "the search was not asked of the server"
        page.keyboard.press("Escape")
        watched.assert_inert()

    def test_screenshots_of_the_sidebar(self, watched: Watched, account: Account) -> None:
        for title, reply in (
            ("Weekend in Lisbon", "Take the **tram 28** early."),
            ("Sourdough timings", "1. Feed\n2. Fold\n3. Bake"),
            ("Rust or Go for the CLI", "Both work; see the table."),
        ):
            cid = conversation(account, title, ("hello", reply))
        cid = conversation(account, "Quarterly report draft", ("Summarise", MARKDOWN_REPLY))
        page = watched.page
        open_conversation(watched, cid)
        page.get_by_label("Search conversations").fill("r")
        expect(
            page.get_by_role("listbox", name="Conversations").get_by_role("option")
        ).to_have_count(3)

        def unfold(width: str) -> None:
            if width == "phone" and "open" not in (page.locator(".sidebar").get_attribute("class")):
                page.get_by_role("button", name="Conversations", exact=True).click()
            page.get_by_role("listbox", name="Conversations").focus()

        shoot(page, "sidebar-search", before=unfold)
        watched.assert_inert()
