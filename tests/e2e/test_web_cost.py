"""Cost control in the web UI, in a real browser (Debian's chromium driven by Playwright)
against ``chatroutes serve`` on SQLite, the providers at the mock upstream: the composer's
context gauge, the fork dialog's cost per context mode, budgets as meters and a refused send,
pin and exclude on each message, and each message's token and cost badges.

Every figure the page shows is checked against what the API answers for the same inputs.
Screenshots of these views, desktop and phone, light and dark, go to ``artifacts/screenshots/``,
or with ``CHATROUTES_UPDATE_DOCS_SCREENSHOTS=1`` to ``docs/screenshots/`` (committed).
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest

from chatroutes.server.domain.context_assembly import MESSAGE_OVERHEAD_TOKENS
from chatroutes.server.domain.tokens import estimate_tokens
from tests.e2e.conftest import DESKTOP, PHONE, REPO_ROOT, SCREENSHOTS, TIMEOUT_MS, LiveServer
from tests.support.mock_upstream import Fault, MockUpstream

pytestmark = [pytest.mark.e2e, pytest.mark.long]

# The screenshots kept in the docs change on each run (e-mail, dates): rewritten on request.
SHOTS = (
    REPO_ROOT / "docs" / "screenshots"
    if os.environ.get("CHATROUTES_UPDATE_DOCS_SCREENSHOTS")
    else SCREENSHOTS
)
OTHER_MODEL = "claude-opus-4-1"  # a context window of 200K tokens, gpt-5's is 400K


@dataclass
class Account:
    """A signed-up account, its API client, and the page signed in as it."""

    api: httpx.Client
    page: object
    server: LiveServer
    upstream: MockUpstream

    def conversation(self, title: str, *turns: str) -> str:
        """A conversation with one reply per question sent through the API; its id."""
        cid = self.api.post("/conversations", json={"title": title}).json()["data"]
        cid = cid["conversation"]["id"]
        for question in turns:
            self.send(cid, None, question)
        return cid

    def send(self, cid: str, branch_id: str | None, question: str, reply: str | None = None):
        """A send through the API (on ``branch_id``, or the main branch); its response."""
        self.upstream.enqueue(Fault.reply(reply or f"About {question.lower()}: " + "fine. " * 20))
        body: dict = {"content": question}
        if branch_id:
            body["branchId"] = branch_id
        return self.api.post(f"/conversations/{cid}/messages", json=body)

    def main_branch(self, cid: str) -> dict:
        branches = self.api.get(f"/conversations/{cid}/branches").json()["data"]["branches"]
        return next(b for b in branches if b["isMain"])

    def messages(self, cid: str, branch_id: str) -> list[dict]:
        listed = self.api.get(f"/conversations/{cid}/messages", params={"branchId": branch_id})
        return listed.json()["data"]["messages"]

    def preview(self, cid: str, branch_id: str, **params: str) -> dict:
        """The API's preview of the next send, for the same inputs the page gives."""
        answer = self.api.get(f"/conversations/{cid}/branches/{branch_id}/preview", params=params)
        assert answer.status_code == 200, answer.text
        return answer.json()["data"]

    def fork(self, cid: str, at: str, mode: str = "FULL", **extra: object) -> dict:
        body = {"forkPointMessageId": at, "contextMode": mode, "title": "Side trip", **extra}
        made = self.api.post(f"/conversations/{cid}/branches", json=body)
        assert made.status_code == 201, made.text
        return made.json()["data"]["branch"]

    def open(self, cid: str, branch_id: str | None = None) -> None:
        suffix = f"/b/{branch_id}" if branch_id else ""
        self.page.goto(f"{self.server.url}/#/c/{cid}{suffix}")
        expect(self.page.locator("#main[aria-busy]")).to_have_count(0)
        expect(self.page.locator(".gauge:not(.loading)")).to_have_count(1)


@pytest.fixture
def account(page, web_server: LiveServer, upstream: MockUpstream) -> Iterator[Account]:
    """A new account, and the page signed in as it; nothing the page does may need the
    Content-Security-Policy to stop it."""
    body = {"email": f"cost-{uuid.uuid4().hex[:8]}@example.com", "password": "long enough pw"}
    data = httpx.post(web_server.api_url + "/auth/register", json=body, timeout=10).json()["data"]
    session = {"user": data["user"], "tokens": data["tokens"]}
    page.evaluate("(s) => localStorage.setItem('chatroutes.session', s)", json.dumps(session))
    page.add_init_script(
        "window.__blocked = []; document.addEventListener('securitypolicyviolation',"
        " (e) => window.__blocked.push(e.violatedDirective + ' ' + e.blockedURI))"
    )
    page.reload()  # the app reads the session when it loads
    headers = {"Authorization": f"Bearer {data['tokens']['accessToken']}"}
    with httpx.Client(base_url=web_server.api_url, headers=headers, timeout=15) as client:
        yield Account(client, page, web_server, upstream)
    blocked = page.evaluate("window.__blocked")
    assert not blocked, f"the page's CSP had to block something: {blocked}"


def expect(target):
    from playwright.sync_api import expect as playwright_expect

    playwright_expect.set_options(timeout=TIMEOUT_MS)
    return playwright_expect(target)


@contextmanager
def counting_as_a_model(upstream: MockUpstream) -> Iterator[None]:
    """The mock upstream reports prompt tokens as a model's tokenizer counts them (by
    default it counts in mock tokens), so a send's reported tokens can meet its preview."""
    upstream.tokenizer, upstream.message_overhead = estimate_tokens, MESSAGE_OVERHEAD_TOKENS
    try:
        yield
    finally:
        upstream.tokenizer, upstream.message_overhead = None, 0


def gauge_tokens(page, tokens: int) -> None:
    """Wait until the gauge shows ``tokens`` for the next send, settled."""
    gauge = page.locator(".gauge:not(.loading)")
    expect(gauge).to_have_attribute("data-prompt-tokens", str(tokens))
    expect(gauge.locator(".gauge-tokens")).to_have_text(f"{tokens:,} tokens")


def shoot(page, name: str, *, target: str | None = None, phone: str | None = None) -> None:
    """Screenshots (into ``SHOTS``): desktop and phone, light and dark, scrolled so that
    ``target`` (a selector; on a phone ``phone``, if given) shows below the top bar."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.getElementById('toasts').replaceChildren()")
    for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        if width == "phone" and phone:
            target = phone
        if target:
            page.evaluate(
                """(selector) => {
                  const el = document.querySelector(selector);
                  const top = el.getBoundingClientRect().top + scrollY;
                  window.scrollTo(0, top - document.getElementById('topbar').offsetHeight - 12);
                }""",
                target,
            )
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            page.screenshot(path=SHOTS / f"{name}-{width}-{scheme}.png")
    page.set_viewport_size(DESKTOP)
    page.emulate_media(color_scheme="light")


def message_item(page, text: str):
    return page.locator(".msg", has=page.locator(".msg-body", has_text=text)).first


class TestGauge:
    def test_the_gauge_follows_the_text_the_context_mode_and_the_model(
        self, account: Account
    ) -> None:
        page = account.page
        cid = account.conversation(
            "Gauge", "Where should we go in May?", "What about the food there?"
        )
        main = account.main_branch(cid)
        path = account.messages(cid, main["id"])
        fork = account.fork(cid, path[-1]["id"], "FULL")
        account.send(cid, fork["id"], "And the weather on the coast?").raise_for_status()
        account.open(cid, fork["id"])

        idle = account.preview(cid, fork["id"])
        gauge_tokens(page, idle["promptTokens"])
        gauge = page.locator(".gauge")
        expect(gauge.locator(".gauge-share")).to_contain_text("of 400K")
        expect(gauge.locator(".gauge-notes")).to_contain_text(
            f"{idle['contextMessageCount']} messages in context"
        )

        # A text too long for a preview's query string: the context alone, and it says so.
        page.get_by_label("Message", exact=True).fill("very long " * 1500)
        expect(gauge.locator(".gauge-notes")).to_contain_text(
            "your long message is counted when sent"
        )
        gauge_tokens(page, idle["promptTokens"])

        question = "Is the train from Naples to Sorrento worth taking in the evening?"
        page.get_by_label("Message", exact=True).fill(question)
        typed = account.preview(cid, fork["id"], content=question)
        assert typed["promptTokens"] > idle["promptTokens"]
        gauge_tokens(page, typed["promptTokens"])

        # NONE: only the fork's own turns; the branch keeps the mode for its sends.
        page.get_by_label("Context mode").select_option("NONE")
        none = account.preview(cid, fork["id"], content=question, contextMode="NONE")
        assert none["promptTokens"] < typed["promptTokens"]
        gauge_tokens(page, none["promptTokens"])
        expect(gauge).to_have_attribute("data-context-mode", "NONE")
        expect(gauge.locator(".gauge-notes")).to_contain_text("none context")
        branches = account.api.get(f"/conversations/{cid}/branches").json()["data"]["branches"]
        assert next(b for b in branches if b["id"] == fork["id"])["contextMode"] == "NONE"

        # Another model: its own context window and price.
        page.get_by_label("Model", exact=True).select_option(OTHER_MODEL)
        other = account.preview(cid, fork["id"], content=question, model=OTHER_MODEL)
        expect(gauge).to_have_attribute("data-model", OTHER_MODEL)
        gauge_tokens(page, other["promptTokens"])
        expect(gauge.locator(".gauge-share")).to_contain_text("of 200K")
        shoot(page, "context-gauge", target=".composer")

        # The send then reports the prompt tokens the gauge showed, on its reply's badge.
        account.upstream.enqueue(Fault.reply("Yes: the evening train is quiet and cheap."))
        with counting_as_a_model(account.upstream):
            page.get_by_role("button", name="Send", exact=True).click()
            reply = message_item(page, "the evening train is quiet")
            expect(reply.locator(".cost-badge").first).to_have_text(
                re.compile(rf"^{other['promptTokens']:,} tokens in · \d+ tokens out$")
            )
        stored = account.messages(cid, fork["id"])[-1]
        assert stored["metadata"]["prompt_tokens"] == other["promptTokens"]
        # After the send the gauge previews the one after it, the reply now in context.
        after = account.preview(cid, fork["id"], model=OTHER_MODEL)
        gauge_tokens(page, after["promptTokens"])

    def test_each_message_shows_its_tokens_and_a_reply_its_price(self, account: Account) -> None:
        page = account.page
        cid = account.conversation("Badges", "Name three rivers in France.")
        main = account.main_branch(cid)
        question, reply = account.messages(cid, main["id"])
        account.open(cid)
        asked = message_item(page, "Name three rivers")
        expect(asked.locator(".cost-badge")).to_have_text(f"{question['tokenCount']:,} tokens")
        answered = message_item(page, "About name three rivers")
        meta = reply["metadata"]
        expect(answered.locator(".cost-badge")).to_have_count(2)
        expect(answered.locator(".cost-badge").first).to_have_text(
            f"{meta['prompt_tokens']:,} tokens in · {meta['completionTokens']:,} tokens out"
        )
        assert meta["cost"] > 0
        expect(answered.locator(".cost-badge.price")).to_have_text(re.compile(r"^\$0\.\d+$"))


class TestPinAndExclude:
    def test_toggles_mark_the_message_and_change_the_next_preview(self, account: Account) -> None:
        page = account.page
        cid = account.conversation("Pins", "My budget is 900 euros.", "I prefer the sea.")
        main = account.main_branch(cid)
        path = account.messages(cid, main["id"])
        # A fork that sends only its own turns: a pinned message from before it joins them.
        fork = account.fork(cid, path[1]["id"], "NONE")
        account.send(cid, fork["id"], "Which month is cheapest?").raise_for_status()
        account.open(cid, fork["id"])
        before = account.preview(cid, fork["id"])
        gauge_tokens(page, before["promptTokens"])

        first = message_item(page, "My budget is 900 euros.")
        first.get_by_role("button", name="Pin").click()
        expect(first).to_have_class(re.compile(r"\bpinned\b"))
        expect(first.locator(".flag.pinned")).to_have_text("Pinned")
        expect(first.get_by_role("button", name="Pin")).to_have_attribute("aria-pressed", "true")
        pinned = account.preview(cid, fork["id"])
        assert pinned["pinnedMessageIds"] == [path[0]["id"]]
        assert pinned["promptTokens"] > before["promptTokens"]
        gauge_tokens(page, pinned["promptTokens"])
        expect(page.locator(".gauge-notes")).to_contain_text("1 pinned")

        own = message_item(page, "Which month is cheapest?")
        own.get_by_role("button", name="Exclude").click()
        expect(own).to_have_class(re.compile(r"\bexcluded\b"))
        expect(own.locator(".flag.excluded")).to_have_text("Excluded")
        page.mouse.move(0, 0)  # an excluded message brightens under the pointer or focus
        page.evaluate("document.activeElement.blur()")
        expect(own).to_have_css("opacity", "0.55")  # dimmed
        excluded = account.preview(cid, fork["id"])
        assert excluded["promptTokens"] < pinned["promptTokens"]
        gauge_tokens(page, excluded["promptTokens"])
        expect(page.locator(".gauge-notes")).to_contain_text("1 excluded")
        shoot(page, "pin-exclude", target=".conv-head", phone=".msg.excluded")

        # Pinning the excluded message puts it back: a message is never both.
        own.get_by_role("button", name="Pin").click()
        expect(own).not_to_have_class(re.compile(r"\bexcluded\b"))
        expect(own).to_have_class(re.compile(r"\bpinned\b"))
        saved = {m["id"]: m for m in account.messages(cid, fork["id"])}
        assert [(m["pinned"], m["excluded"]) for m in saved.values() if m["pinned"]] == [
            (True, False),
            (True, False),
        ]
        first.get_by_role("button", name="Pin").click()  # unpinned
        expect(first).not_to_have_class(re.compile(r"\bpinned\b"))
        gauge_tokens(page, account.preview(cid, fork["id"])["promptTokens"])


class TestForkDialog:
    def test_each_context_mode_shows_its_first_send_cost_and_the_fork_gets_its_budget(
        self, account: Account
    ) -> None:
        page = account.page
        cid = account.conversation(
            "Fork costs",
            "Plan four days in Sicily.",
            "Add a day in Palermo.",
            "Which beaches are quiet?",
            "And where to eat fish?",
        )
        main = account.main_branch(cid)
        path = account.messages(cid, main["id"])
        account.open(cid)
        message_item(page, "And where to eat fish?").get_by_role("button", name="Fork here").click()
        dialog = page.get_by_role("dialog", name="Fork from this message")
        costs = {}
        for mode in ("FULL", "PARTIAL", "MINIMAL", "NONE"):
            expected = account.preview(
                cid, main["id"], forkPointMessageId=path[-2]["id"], contextMode=mode
            )
            option = dialog.locator(f".mode-option[data-mode='{mode}']")
            expect(option).to_have_attribute("data-prompt-tokens", str(expected["promptTokens"]))
            expect(option.locator(".mode-tokens")).to_have_text(
                f"{expected['promptTokens']:,} tokens"
            )
            costs[mode] = expected["promptTokens"]
        assert costs["FULL"] > costs["MINIMAL"] > costs["NONE"]
        assert costs["FULL"] >= costs["PARTIAL"] >= costs["MINIMAL"]
        dialog.get_by_text("Minimal", exact=True).click()
        dialog.get_by_label("Max tokens").fill("20000")
        dialog.get_by_label("Max cost (USD)").fill("0.5")
        shoot(page, "fork-dialog")
        dialog.get_by_role("button", name="Create fork").click()
        expect(page.locator(".conv-head .chip")).to_contain_text("Fork at")
        branches = account.api.get(f"/conversations/{cid}/branches").json()["data"]["branches"]
        made = next(b for b in branches if not b["isMain"])
        assert made["forkPointMessageId"] == path[-2]["id"]
        assert made["contextMode"] == "MINIMAL"
        assert made["budget"] == {"maxTokens": 20000, "maxCost": 0.5, "warnAt": 0.8}
        meter = page.locator(".budget-meter[data-budget='branch']")
        expect(meter).to_contain_text("0 tokens of 20,000 tokens")
        expect(page.get_by_label("Context mode")).to_have_value("MINIMAL")
        gauge_tokens(page, account.preview(cid, made["id"])["promptTokens"])

        # Each branch's spending and budget in the Branches panel, editable there too.
        page.get_by_role("tab", name="Branches").click()
        row = page.locator(".branch-row", has_text=made["title"])
        expect(row.locator(".spent-summary")).to_have_text("0 tokens of 20,000, $0 of $0.50")
        row.get_by_role("button", name=f"Budget of {made['title']}").click()
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_label("Max tokens")).to_have_value("20000")
        dialog.get_by_label("Max cost (USD)").fill("")
        dialog.get_by_role("button", name="Save budget").click()
        row = page.locator(".branch-row", has_text=made["title"])
        expect(row.locator(".spent-summary")).to_have_text("0 tokens of 20,000")
        expect(meter).to_contain_text("0 tokens of 20,000 tokens")
        expect(meter).not_to_contain_text("$")


class TestBudgets:
    def test_budgets_are_set_from_the_meters_and_a_reply_past_warn_at_warns(
        self, account: Account
    ) -> None:
        page = account.page
        cid = account.conversation("Budgets", "How long is the walk to the old town?")
        main = account.main_branch(cid)
        account.open(cid)
        branch_meter = page.locator(".budget-meter[data-budget='branch']")
        expect(branch_meter).to_contain_text("spent")
        branch_meter.get_by_role("button", name="Set the branch budget").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_label("Max tokens").fill("2000")
        dialog.get_by_label("Warn at (%)").fill("5")
        dialog.get_by_role("button", name="Save budget").click()
        expect(branch_meter).to_contain_text("of 2,000 tokens")
        branch = account.main_branch(cid)
        assert branch["budget"] == {"maxTokens": 2000, "maxCost": None, "warnAt": 0.05}
        assert branch["spent"]["tokens"] < 100  # the warning is still to come

        conversation_meter = page.locator(".budget-meter[data-budget='conversation']")
        conversation_meter.get_by_role("button", name="Set the conversation budget").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_label("Max cost (USD)").fill("5")
        dialog.get_by_role("button", name="Save budget").click()
        expect(conversation_meter).to_contain_text("of $5.00")

        # A send that takes the branch past 5% of its budget: the reply carries the warning.
        account.upstream.enqueue(Fault.reply("About twenty minutes, downhill all the way."))
        page.get_by_label("Message", exact=True).fill("And back up again, with a coffee stop?")
        page.get_by_role("button", name="Send", exact=True).click()
        # The stream's warning as it arrives, then the same on the stored reply.
        expect(page.locator(".toast.warn")).to_contain_text("of the branch budget used")
        reply = message_item(page, "About twenty minutes, downhill")
        warning = reply.locator(".budget-warning")
        expect(warning).to_contain_text("of the branch budget used")
        expect(warning).to_contain_text("of 2,000 tokens")
        stored = account.messages(cid, main["id"])[-1]
        assert stored["metadata"]["budgetWarning"]["budget"] == "branch"
        expect(branch_meter).to_have_class(re.compile(r"\bwarn\b"))
        shoot(page, "budget-meters", target=".conv-head")

    @pytest.mark.parametrize("kind", ["branch", "conversation"])
    def test_a_send_on_a_spent_budget_is_refused_with_a_clear_message_and_can_be_raised(
        self, account: Account, kind: str
    ) -> None:
        page = account.page
        cid = account.conversation("Spent", "Tell me about Lisbon trams.")
        main = account.main_branch(cid)
        spent = main["spent"]["tokens"]
        assert spent > 0
        owner = f"/conversations/{cid}" + (f"/branches/{main['id']}" if kind == "branch" else "")
        patched = account.api.patch(owner, json={"budget": {"maxTokens": spent}})
        assert patched.status_code == 200, patched.text
        account.open(cid)
        meter = page.locator(f".budget-meter[data-budget='{kind}']")
        expect(meter).to_have_class(re.compile(r"\bover\b"))

        question = "Which tram goes to Belém?"
        page.get_by_label("Message", exact=True).fill(question)
        page.get_by_role("button", name="Send", exact=True).click()
        refusal = page.locator(".budget-refusal")
        expect(refusal).to_have_attribute("role", "alert")
        expect(refusal).to_contain_text(
            f"Not sent: the {kind} budget has too little left for another reply."
        )
        expect(refusal).to_contain_text(f"Its limit is {spent:,} tokens")
        expect(refusal).to_contain_text(f"spent so far {spent:,} tokens")
        expect(page.get_by_label("Message", exact=True)).to_have_value(question)  # kept
        assert len(account.messages(cid, main["id"])) == 2  # nothing stored
        if kind == "branch":
            shoot(page, "budget-refusal", target=".conv-head", phone=".budget-refusal")

        refusal.get_by_role("button", name=f"Raise the {kind} budget").click()
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_label("Max tokens")).to_have_value(str(spent * 2))
        dialog.get_by_label("Max tokens").fill(str(spent * 10))
        dialog.get_by_role("button", name="Save budget").click()
        expect(refusal).to_have_count(0)
        expect(meter).not_to_have_class(re.compile(r"\bover\b"))
        account.upstream.enqueue(Fault.reply("Tram 15, from Praça da Figueira."))
        page.get_by_role("button", name="Send", exact=True).click()
        expect(message_item(page, "Tram 15, from Praça")).to_be_visible()
        raised = (
            account.main_branch(cid)
            if kind == "branch"
            else account.api.get(owner).json()["data"]["conversation"]
        )
        assert raised["budget"]["maxTokens"] == spent * 10
