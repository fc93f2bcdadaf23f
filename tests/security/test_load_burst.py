"""Load: 50 guests and 20 free users burst concurrent long sends at a real server process.

Every account fires all its sends at once, each on a conversation of its own (so no branch
lease serializes them), plain and streamed, each asking for more than its share of the
account's token limit, while every other account does the same. No answer may be a 5xx;
every refusal is 429 ``QUOTA_EXCEEDED``; for every account the tokens the mock upstream
reported for its calls stay within its limit and equal what its counters, its billing and
its usage hold. On both databases.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update

from chatroutes.server.auth.secret import load_or_create_secret
from chatroutes.server.services.accounts import AccountService
from chatroutes.server.services.limits import user_subject
from chatroutes.server.store.counters import DatabaseCounters
from chatroutes.server.store.database import Database
from chatroutes.server.store.tables import User
from tests.e2e.conftest import LiveServer, child_env, live_server
from tests.security.metering_support import LONG_REPLY
from tests.support.mock_upstream import Fault, MockUpstream, UpstreamCall
from tests.support.sse import payloads

__all__ = ["child_env", "live_server"]  # the fixtures, imported for pytest

pytestmark = pytest.mark.e2e

GUESTS = 50
FREE_USERS = 20
SENDS_EACH = 3  # at once, per account
GUEST_TOKENS = 250  # the guest plan's session cap
FREE_TOKENS = 400  # each free user's own monthly limit
MAX_TOKENS = 200  # each send's ask: two of them overrun either limit
BURST = "loadburst"  # in every send: the mock answers it at length, cut at max_tokens


@dataclass
class Bursting:
    """One account of the burst: its limit, its conversations and the answers it got."""

    tag: str  # in each of its messages: tells its upstream calls from the others'
    user_id: str
    headers: dict[str, str]
    guest: bool
    limit: int
    conversations: list[str] = field(default_factory=list)
    answers: list[httpx.Response] = field(default_factory=list)

    @property
    def quota(self) -> str:
        return "guest_tokens" if self.guest else "tokens"


@pytest.fixture
async def accounts(live_server: LiveServer) -> AsyncIterator[AccountService]:
    """Accounts of the live server's database, made as its CLI makes them."""
    env = live_server.env
    db = Database(env["CHATROUTES_DATABASE_URL"])
    secret = load_or_create_secret(env["CHATROUTES_SECRET_KEY"], Path(env["CHATROUTES_DATA_DIR"]))
    yield AccountService(db, secret)
    await db.dispose()


async def new_account(accounts: AccountService, tag: str, *, guest: bool) -> Bursting:
    """A guest (a fresh session on the guest plan) or a free user with ``FREE_TOKENS`` a
    month, neither rate limited, and an API key for it."""
    email = f"burst-{uuid.uuid4().hex[:10]}@example.com"
    user = await accounts.create_user(email)
    overrides: dict = {"requests_per_minute": None}
    values: dict = {"plan": "guest" if guest else "free", "quota_overrides": overrides}
    if guest:
        expires = datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=24)
        values |= {"is_guest": True, "guest_expires_at": expires}
    else:
        overrides["tokens_per_month"] = FREE_TOKENS
    async with accounts.db.write() as session:
        await session.execute(update(User).where(User.id == user.id).values(**values))
    key = (await accounts.create_key(email)).secret
    limit = GUEST_TOKENS if guest else FREE_TOKENS
    return Bursting(tag, user.id, {"Authorization": f"ApiKey {key}"}, guest, limit)


async def open_conversations(client: httpx.AsyncClient, account: Bursting) -> None:
    for n in range(SENDS_EACH):
        created = await client.post(
            "/conversations", json={"title": f"burst {n}"}, headers=account.headers
        )
        assert created.status_code == 201, created.text
        account.conversations.append(created.json()["data"]["conversation"]["id"])


async def send(client: httpx.AsyncClient, account: Bursting, n: int) -> httpx.Response:
    """The account's ``n``-th send: odd ones streamed, the others plain."""
    body = {"content": f"{BURST} {account.tag} part {n}: tell me all", "maxTokens": MAX_TOKENS}
    path = f"/conversations/{account.conversations[n]}/messages"
    if n % 2 == 0:
        return await client.post(path, json=body, headers=account.headers)
    async with client.stream("POST", path + "/stream", json=body, headers=account.headers) as r:
        await r.aread()
        return r


def assert_answered(account: Bursting) -> int:
    """Every answer a stored reply cut at its allowance or a quota refusal; the number
    stored."""
    stored = 0
    for answer in account.answers:
        assert answer.status_code < 500, answer.text
        if answer.status_code == 429:
            refusal = answer.json()
            assert refusal["error"] == "QUOTA_EXCEEDED", refusal
            assert refusal["details"]["quota"] == account.quota, refusal
            assert refusal["details"]["limit"] == account.limit, refusal
            continue
        if answer.status_code == 201:
            reply = answer.json()["data"]["message"]
        else:
            assert answer.status_code == 200, answer.text
            events = payloads(answer.text)
            assert events[-1] == "[DONE]" and events[-2]["type"] == "complete", events[-3:]
            reply = events[-2]["assistantMessage"]
        assert reply["metadata"]["finishReason"] == "length", reply
        stored += 1
    return stored


def calls_of(upstream: MockUpstream) -> dict[str, list[UpstreamCall]]:
    """The burst's upstream calls by account tag."""
    calls: dict[str, list[UpstreamCall]] = {}
    for call in upstream.calls:
        marker, tag, *_ = call.last_user.split()
        assert marker == BURST, call.last_user
        calls.setdefault(tag, []).append(call)
    return calls


async def counted(
    client: httpx.AsyncClient, counters: DatabaseCounters, account: Bursting
) -> dict[str, int]:
    """What the server counted for the account: its month's tokens (billing), its usage
    totals and, for a guest, its session's token counter."""
    billing = await client.get("/billing", headers=account.headers)
    usage = await client.get("/usage", params={"timeframe": "all"}, headers=account.headers)
    assert billing.status_code == 200, billing.text
    assert usage.status_code == 200, usage.text
    found = {
        "billing": billing.json()["data"]["tokens"]["used"],
        "usage": usage.json()["data"]["totals"]["totalTokens"],
    }
    if account.guest:
        session = await counters.get(user_subject(account.user_id), ["guest:tokens"])
        found["guest session"] = session["guest:tokens"]
    return found


async def test_a_burst_of_guests_and_free_users_overshoots_no_quota_and_gets_no_5xx(
    live_server: LiveServer, upstream: MockUpstream, accounts: AccountService
) -> None:
    bursting = [await new_account(accounts, f"g{n}", guest=True) for n in range(GUESTS)]
    bursting += [await new_account(accounts, f"f{n}", guest=False) for n in range(FREE_USERS)]
    upstream.fault_when(BURST, Fault.reply(LONG_REPLY))
    sends = [(account, n) for account in bursting for n in range(SENDS_EACH)]
    async with httpx.AsyncClient(
        base_url=live_server.api_url,
        # Every send at once; an idle connection is dropped long before the server's
        # keep-alive timeout (5 s), which would otherwise race its reuse.
        limits=httpx.Limits(max_connections=len(sends), keepalive_expiry=1.0),
        timeout=60.0,
    ) as client:
        await asyncio.gather(*(open_conversations(client, account) for account in bursting))

        answers = await asyncio.gather(*(send(client, account, n) for account, n in sends))

        counters = DatabaseCounters(accounts.db)
        counts = await asyncio.gather(*(counted(client, counters, a) for a in bursting))

    for (account, _), answer in zip(sends, answers, strict=True):
        account.answers.append(answer)
    calls = calls_of(upstream)
    for account, found in zip(bursting, counts, strict=True):
        stored = assert_answered(account)
        mine = calls.get(account.tag, [])
        refused = SENDS_EACH - stored
        assert stored >= 1 and refused >= 1, (account.tag, [a.text for a in account.answers])
        assert len(mine) == stored and all(call.finished for call in mine), mine
        spent = sum(call.prompt_tokens + call.completion_tokens for call in mine)
        assert 0 < spent <= account.limit, (account.tag, spent)
        assert set(found.values()) == {spent}, (account.tag, spent, found)
    assert len(upstream.calls) == sum(len(mine) for mine in calls.values())
