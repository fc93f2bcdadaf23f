"""Money conservation, as a property: whatever an account does, at once, it is billed exactly
what the upstream reported for its calls, and no limit is passed by a single token.

Hypothesis draws a burst of operations for one account (plain and streamed sends, streams
the client leaves, stops, deletions mid-reply, parallel responses, merges, imports) that
run concurrently against a real server (uvicorn on a socket) and the mock upstream. Once
every generation has ended:

- the account's usage (``GET /usage``) equals the usage the mock reported for the calls
  carrying the account's marker, plus, for each reply a stop cut short (the upstream
  reports nothing then), the usage the stopped reply recorded;
- the token counters the limits read hold exactly that too;
- and they are within the account's limit.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import uvicorn
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import update

from chatroutes.server.app import create_app
from chatroutes.server.auth.secret import load_or_create_secret
from chatroutes.server.services.accounts import AccountService
from chatroutes.server.services.limits import make_counters, tokens_window, user_subject
from chatroutes.server.settings import Settings
from chatroutes.server.store.database import Database
from chatroutes.server.store.tables import User
from tests.api.test_transfer import renamed
from tests.conftest import API_PREFIX
from tests.support.mock_upstream import Fault, MockUpstream

# Four runs (two counters, two backends) of a minute or more together: scheduled first.
pytestmark = pytest.mark.long

OPERATIONS = (
    "send",
    "stream",
    "leave_stream",
    "stop",
    "delete_mid_reply",
    "parallel",
    "merge",
    "import",
)
# Accounts: a free user with a small monthly quota, a guest with its session cap.
PLANS = {"free": 1_000, "guest": 250}
SETTLE_SECONDS = 30.0


@contextmanager
def serving(settings: Settings) -> Iterator[tuple[str, object]]:
    """Our app under uvicorn on a free port, in a thread of its own: its URL and the app."""
    app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@dataclass
class Burst:
    """One drawn account's run: where it sends, what it stopped, what it is owed."""

    url: str
    app: object
    upstream: MockUpstream
    marker: str
    headers: dict[str, str]
    stopped: list[dict] = field(default_factory=list)  # replies a stop cut short

    def path(self, tail: str) -> str:
        return f"{self.url}{API_PREFIX}{tail}"

    async def conversation(self, client: httpx.AsyncClient) -> str:
        created = await client.post(self.path("/conversations"), json={"title": self.marker})
        assert created.status_code == 201, created.text
        return created.json()["data"]["conversation"]["id"]

    def question(self, n: int) -> str:
        words = " ".join(f"word{i}" for i in range(20 + 7 * n))
        return f"{self.marker} question {n}: {words}"


# What the drawn bursts did, over every example: the property proves something only if
# they stopped replies and ran into the limits.
SEEN: Counter[str] = Counter()


def _assert_answered(response: httpx.Response) -> None:
    """Every answer is a success, or a refusal the rules explain; never a server error."""
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        error = response.json()["error"]
        assert error in {"QUOTA_EXCEEDED", "NOT_FOUND", "BRANCH_BUSY"}, response.text
        SEEN[error] += 1


async def _live_reply(app: object, conversation_id: str) -> str | None:
    """The id of a reply streaming in ``conversation_id`` once it has some text."""
    ctx = app.state.ctx  # type: ignore[attr-defined]
    for _ in range(500):
        for live in list(ctx.live.values()):
            if live.conversation_id == conversation_id and live.length > 0:
                return live.reply_id
        await asyncio.sleep(0.01)
    return None


async def run_operation(burst: Burst, client: httpx.AsyncClient, name: str, n: int) -> None:
    SEEN[name] += 1
    cid = await burst.conversation(client)
    messages = burst.path(f"/conversations/{cid}/messages")
    content = burst.question(n)
    if name == "send":
        _assert_answered(await client.post(messages, json={"content": content}))
    elif name == "stream":
        _assert_answered(await client.post(f"{messages}/stream", json={"content": content}))
    elif name == "leave_stream":  # the client goes after the first bytes; the reply goes on
        async with client.stream("POST", f"{messages}/stream", json={"content": content}) as r:
            async for _ in r.aiter_bytes():
                break
    elif name == "stop":
        op = f"stall{uuid.uuid4().hex[:10]}"
        burst.upstream.fault_when(op, Fault.stall_after(3))
        streaming = asyncio.create_task(
            client.post(f"{messages}/stream", json={"content": f"{content} {op}"})
        )
        reply_id = await _live_reply(burst.app, cid)
        if reply_id is None:  # refused before it started
            _assert_answered(await streaming)
            return
        stopped = await client.post(f"{messages}/{reply_id}/stop")
        assert stopped.status_code == 200, stopped.text
        burst.stopped.append(stopped.json()["data"]["message"])
        SEEN["stopped"] += 1
        _assert_answered(await streaming)
    elif name == "delete_mid_reply":
        op = f"slow{uuid.uuid4().hex[:10]}"
        burst.upstream.fault_when(op, Fault.delay(0.3))
        sending = asyncio.create_task(client.post(messages, json={"content": f"{content} {op}"}))
        await asyncio.sleep(0.1)
        deleted = await client.delete(burst.path(f"/conversations/{cid}"))
        assert deleted.status_code == 200, deleted.text
        _assert_answered(await sending)
    elif name == "parallel":
        started = await client.post(
            burst.path(f"/conversations/{cid}/parallel-responses"),
            json={"content": content, "count": 2},
        )
        _assert_answered(started)
    elif name == "merge":
        sent = await client.post(messages, json={"content": content})
        _assert_answered(sent)
        if sent.status_code != 201:
            return
        question = sent.json()["data"]["userMessage"]
        fork = await client.post(
            messages, json={"content": f"{content} again", "parentMessageId": question["id"]}
        )
        _assert_answered(fork)
        if fork.status_code == 201:
            branch_id = fork.json()["data"]["message"]["branchId"]
            merged = await client.post(
                burst.path(f"/conversations/{cid}/branches/{branch_id}/merge"),
                json={"strategy": "append"},
            )
            assert merged.status_code in (200, 201), merged.text
    elif name == "import":
        _assert_answered(await client.post(messages, json={"content": content}))
        exported = await client.get(burst.path(f"/conversations/{cid}/export"))
        assert exported.status_code == 200, exported.text
        imported = await client.post(
            burst.path("/conversations/import"), json=renamed(exported.json()["data"])
        )
        assert imported.status_code in (201, 403), imported.text  # guests cannot import


async def _settled(app: object) -> None:
    """Wait until no generation, stream or parallel candidate is running."""
    ctx = app.state.ctx  # type: ignore[attr-defined]
    deadline = time.monotonic() + SETTLE_SECONDS
    while ctx.generations or ctx.live:
        assert time.monotonic() < deadline, "generations still running"
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.2)  # a settlement after the last store


async def _new_account(settings: Settings, plan: str) -> tuple[str, str]:
    """A user on ``plan`` with no rate limit; its id and an API key."""
    db = Database(settings.resolved_database_url())
    try:
        accounts = AccountService(db, load_or_create_secret(settings.secret_key, settings.data_dir))
        email = f"money-{uuid.uuid4().hex[:12]}@example.com"
        user = await accounts.create_user(email)
        overrides: dict = {"requests_per_minute": None}
        if plan != "guest":
            overrides["tokens_per_month"] = PLANS[plan]
        values: dict = {"plan": plan, "quota_overrides": overrides}
        if plan == "guest":
            expires = datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=24)
            values |= {"is_guest": True, "guest_expires_at": expires}
        async with db.write() as session:
            await session.execute(update(User).where(User.id == user.id).values(**values))
        return user.id, (await accounts.create_key(email)).secret
    finally:
        await db.dispose()


async def _counted(settings: Settings, user_id: str, plan: str) -> int:
    """What the token counters hold for the user: the month's, or the guest session's."""
    db = Database(settings.resolved_database_url())
    counters = make_counters(settings, db)
    window = "guest:tokens" if plan == "guest" else tokens_window(datetime.now(UTC))
    try:
        return (await counters.get(user_subject(user_id), [window]))[window]
    finally:
        await counters.close()
        await db.dispose()


async def burst_of(
    settings: Settings, url: str, app: object, upstream: MockUpstream, plan: str, ops: list[str]
) -> None:
    user_id, key = await _new_account(settings, plan)
    marker = f"acct{uuid.uuid4().hex[:12]}"
    burst = Burst(url, app, upstream, marker, {"Authorization": f"ApiKey {key}"})
    async with httpx.AsyncClient(headers=burst.headers, timeout=60) as client:
        # Stops first, so that one at least starts before the limits run out.
        ordered = sorted(ops, key=lambda name: name != "stop")
        await asyncio.gather(
            *(run_operation(burst, client, name, n) for n, name in enumerate(ordered))
        )
        await _settled(app)
        usage = await client.get(burst.path("/usage"), params={"timeframe": "all"})
    assert usage.status_code == 200, usage.text
    billed = usage.json()["data"]["totals"]["totalTokens"]

    calls = [call for call in upstream.calls if marker in call.last_user]
    reported = sum(c.prompt_tokens + c.completion_tokens for c in calls if c.finished)
    stopped = sum(
        m["metadata"]["prompt_tokens"] + m["metadata"]["completionTokens"] for m in burst.stopped
    )
    assert len([c for c in calls if not c.finished]) == len(burst.stopped)
    assert billed == reported + stopped, (ops, billed, reported, stopped)
    assert await _counted(settings, user_id, plan) == billed, ops
    assert billed <= PLANS[plan], (ops, billed)


@pytest.fixture(params=["database", "redis"])
def counter_settings(request, settings: Settings) -> Settings:
    overrides: dict = {"secret_key": "money-conservation-" + "x" * 32}
    if request.param == "redis":
        server = request.getfixturevalue("redis")
        server.flush()
        overrides["redis_url"] = server.url
    return settings.model_copy(update=overrides)


def test_money_is_conserved_under_concurrent_abuse(counter_settings, upstream):
    settings = counter_settings.model_copy(update={"plans_file": None, "default_model": "gpt-5"})
    with serving(settings) as (url, app):
        SEEN.clear()

        @hypothesis_settings(
            max_examples=10,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow],
        )
        @given(
            plan=st.sampled_from(sorted(PLANS)),
            ops=st.lists(st.sampled_from(OPERATIONS), min_size=3, max_size=8),
        )
        # Two stops alone: the first admitted is stopped mid-reply whatever the timing, so
        # a stop is always among what the property covers.
        @example(plan="free", ops=["stop", "stop"])
        def conserved(plan: str, ops: list[str]) -> None:
            asyncio.run(burst_of(settings, url, app, upstream, plan, ops))

        conserved()
    assert set(OPERATIONS) <= SEEN.keys() and SEEN["stopped"] and SEEN["QUOTA_EXCEEDED"], SEEN
