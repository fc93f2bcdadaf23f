"""Rate limits, quotas, guest caps and plans over HTTP, with counters in the DB and in Redis."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from chatroutes.cli import app as cli_app
from chatroutes.server.app import create_app
from chatroutes.server.services.limits import LimitService
from chatroutes.server.store.tables import Message, User
from chatroutes.server.store.users import UserRepository
from tests.conftest import API_PREFIX, Api
from tests.support.mock_upstream import Fault

_POLICY = re.compile(r'^"minute";q=(\d+);w=60$')
_STATE = re.compile(r'^"minute";r=(\d+);t=(\d+)$')


@pytest.fixture(params=["database", "redis"])
async def lapi(request, settings) -> AsyncIterator[Api]:
    """An app whose counters live in the database or in Redis; no account yet."""
    if request.param == "redis":
        server = request.getfixturevalue("redis")
        server.flush()
        settings = settings.model_copy(update={"redis_url": server.url})
    application = create_app(settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=application), base_url="http://test" + API_PREFIX
    ) as client:
        yield Api(application, client)
    await application.state.ctx.counters.close()
    await application.state.ctx.http.aclose()
    await application.state.ctx.db.dispose()


async def _account(
    api: Api,
    plan: str = "free",
    overrides: dict | None = None,
    *,
    guest: bool = False,
) -> tuple[str, dict[str, str]]:
    """A user on ``plan`` with its own limits; its id and auth headers."""
    email = f"limits-{uuid.uuid4().hex[:10]}@example.com"
    user = await api.accounts.create_user(email)
    async with api.app.state.ctx.db.write() as session:
        values: dict = {"plan": plan, "quota_overrides": overrides}
        if guest:
            values |= {"is_guest": True, "guest_expires_at": _now() + timedelta(hours=24)}
        await session.execute(update(User).where(User.id == user.id).values(**values))
    key = (await api.accounts.create_key(email)).secret
    return user.id, api.headers(key)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


async def _clear_of_minute_end(margin: float = 12.0) -> None:
    """Fixed windows: start a counted burst well inside one minute."""
    second = datetime.now(UTC).second + datetime.now(UTC).microsecond / 1e6
    if second > 60 - margin:
        await asyncio.sleep(60 - second + 0.2)


def _rate(response: httpx.Response) -> tuple[int, int, int]:
    policy = _POLICY.match(response.headers["RateLimit-Policy"])
    state = _STATE.match(response.headers["RateLimit"])
    assert policy and state, response.headers
    return int(policy[1]), int(state[1]), int(state[2])


async def _calls_used(api: Api, user_id: str) -> int:
    return (await LimitService(api.app.state.ctx).month_counts(user_id, _now()))["calls"]


class TestRateLimit:
    async def test_exactly_the_limit_passes_then_429_with_headers(self, lapi):
        user_id, headers = await _account(lapi, overrides={"requests_per_minute": 5})
        await _clear_of_minute_end()
        remaining = []
        for i in range(5):
            # errors are counted and carry the headers too
            path = "/conversations" if i % 2 == 0 else "/conversations/conv_missing"
            response = await lapi.client.get(path, headers=headers)
            assert response.status_code == (200 if i % 2 == 0 else 404), response.text
            limit, left, reset = _rate(response)
            assert limit == 5 and 0 < reset <= 60
            remaining.append(left)
        assert remaining == [4, 3, 2, 1, 0]
        refused = await lapi.client.get("/conversations", headers=headers)
        assert refused.status_code == 429
        body = refused.json()
        assert body["success"] is False and body["error"] == "RATE_LIMITED"
        limit, left, reset = _rate(refused)
        assert (limit, left) == (5, 0)
        assert body["retryAfter"] == int(refused.headers["Retry-After"]) == reset
        assert 0 < body["retryAfter"] <= 60
        assert await _calls_used(lapi, user_id) == 5  # the refused one is not a call

    async def test_limits_are_per_user(self, lapi):
        _, first = await _account(lapi, overrides={"requests_per_minute": 2})
        _, second = await _account(lapi, overrides={"requests_per_minute": 2})
        await _clear_of_minute_end()
        statuses = [(await lapi.client.get("/conversations", headers=first)).status_code]
        statuses += [(await lapi.client.get("/conversations", headers=first)).status_code]
        statuses += [(await lapi.client.get("/conversations", headers=first)).status_code]
        assert statuses == [200, 200, 429]
        assert (await lapi.client.get("/conversations", headers=second)).status_code == 200

    async def test_concurrent_requests_take_exactly_the_limit(self, lapi):
        _, headers = await _account(lapi, overrides={"requests_per_minute": 7})
        await _clear_of_minute_end()
        responses = await asyncio.gather(
            *(lapi.client.get("/conversations", headers=headers) for _ in range(15))
        )
        codes = sorted(r.status_code for r in responses)
        assert codes == [200] * 7 + [429] * 8

    async def test_sends_count_as_requests_whether_answered_failed_or_refused(self, lapi):
        user_id, headers = await _account(lapi, overrides={"requests_per_minute": 4})
        await _clear_of_minute_end()
        created = await lapi.client.post("/conversations", json={"title": "t"}, headers=headers)
        conversation_id = created.json()["data"]["conversation"]["id"]
        sends = f"/conversations/{conversation_id}/messages"
        missing = await lapi.client.post(
            "/conversations/conv_missing/messages", json={"content": "hi"}, headers=headers
        )
        assert missing.status_code == 404 and _rate(missing) == (4, 2, _rate(missing)[2])
        for left in (1, 0):
            sent = await lapi.client.post(sends, json={"content": "hi"}, headers=headers)
            assert sent.status_code == 201, sent.text
            assert _rate(sent)[1] == left
        refused = await lapi.client.post(sends, json={"content": "again"}, headers=headers)
        assert refused.status_code == 429 and refused.json()["error"] == "RATE_LIMITED"
        assert _rate(refused)[1] == 0
        messages = await lapi.client.get(sends, headers=headers)
        assert messages.status_code == 429  # still this minute
        assert await _calls_used(lapi, user_id) == 4  # the refused ones are not calls
        async with lapi.app.state.ctx.db.read() as session:
            path = await session.execute(
                select(Message.content).where(Message.conversation_id == conversation_id)
            )
            assert sorted(path.scalars()) == ["Echo: hi", "Echo: hi", "hi", "hi"]

    async def test_unauthenticated_requests_carry_no_headers(self, lapi):
        response = await lapi.client.get("/conversations")
        assert response.status_code == 401
        assert "RateLimit" not in response.headers
        health = await lapi.client.get("/health")
        assert "RateLimit" not in health.headers


class TestMonthlyCalls:
    async def test_quota_is_exact_and_refusals_are_not_calls(self, lapi):
        user_id, headers = await _account(lapi, overrides={"calls_per_month": 3})
        codes = [(await lapi.client.get("/conversations", headers=headers)).status_code]
        codes += [(await lapi.client.get("/conversations", headers=headers)).status_code]
        codes += [(await lapi.client.get("/conversations", headers=headers)).status_code]
        assert codes == [200, 200, 200]
        for _ in range(2):
            refused = await lapi.client.get("/conversations", headers=headers)
            assert refused.status_code == 429
            body = refused.json()
            assert body["error"] == "QUOTA_EXCEEDED"
            assert "3 API calls" in body["message"]
            now = _now()
            month_end = (now.replace(day=1) + timedelta(days=32)).replace(
                day=1, hour=0, minute=0, second=0, microsecond=0
            )
            expected = (month_end - now).total_seconds()
            assert abs(body["retryAfter"] - expected) <= 5
            assert refused.headers["Retry-After"] == str(body["retryAfter"])
            assert "RateLimit" in refused.headers
        assert await _calls_used(lapi, user_id) == 3

    async def test_free_plan_is_a_thousand_calls(self, lapi):
        _, headers = await _account(lapi, plan="free")
        response = await lapi.client.get("/billing", headers=headers)
        assert response.status_code == 200
        data = response.json()["data"]
        assert data["plan"] == "free"
        assert data["calls"] == {"used": 1, "limit": 1000, "left": 999}
        assert _rate(response)[0] == 60

    async def test_web_sessions_use_the_rate_but_not_the_api_calls(self, lapi):
        body = {
            "email": f"web-{uuid.uuid4().hex[:10]}@example.com",
            "password": "a long passphrase",
        }
        registered = await lapi.client.post("/auth/register", json=body)
        assert registered.status_code == 201, registered.text
        data = registered.json()["data"]
        session = {"Authorization": f"Bearer {data['tokens']['accessToken']}"}
        await _clear_of_minute_end()
        for expected_left in (59, 58, 57):
            response = await lapi.client.get("/conversations", headers=session)
            assert response.status_code == 200 and _rate(response)[1] == expected_left
        assert await _calls_used(lapi, data["user"]["id"]) == 0


class TestTokenQuota:
    async def test_send_refused_once_tokens_are_used_up(self, lapi, upstream):
        _, headers = await _account(lapi, overrides={"tokens_per_month": 50})
        created = await lapi.client.post("/conversations", json={"title": "t"}, headers=headers)
        conversation_id = created.json()["data"]["conversation"]["id"]
        upstream.enqueue(Fault.reply("big", prompt_tokens=30, completion_tokens=30))
        sent = await lapi.client.post(
            f"/conversations/{conversation_id}/messages", json={"content": "hi"}, headers=headers
        )
        assert sent.status_code == 201, sent.text
        refused = await lapi.client.post(
            f"/conversations/{conversation_id}/messages", json={"content": "more"}, headers=headers
        )
        assert refused.status_code == 429
        assert refused.json()["error"] == "QUOTA_EXCEEDED"
        assert "tokens" in refused.json()["message"]
        assert refused.json()["retryAfter"] > 0
        streamed = await lapi.client.post(
            f"/conversations/{conversation_id}/messages/stream",
            json={"content": "more"},
            headers=headers,
        )
        assert streamed.status_code == 429
        billing = (await lapi.client.get("/billing", headers=headers)).json()["data"]
        assert billing["tokens"] == {"used": 60, "limit": 50, "left": 0}
        messages = await lapi.client.get(
            f"/conversations/{conversation_id}/messages", headers=headers
        )
        assert len(messages.json()["data"]["messages"]) == 2  # nothing stored for refusals


class TestGuestCaps:
    async def test_twenty_messages_per_session(self, lapi, upstream):
        # the session's token cap would end it first: each send reserves its whole context
        overrides = {"requests_per_minute": None, "session_tokens": None}
        _, headers = await _account(lapi, "guest", overrides, guest=True)
        created = await lapi.client.post("/conversations", json={"title": "g"}, headers=headers)
        conversation_id = created.json()["data"]["conversation"]["id"]
        upstream.enqueue(*[Fault.reply("ok", prompt_tokens=1, completion_tokens=1)] * 20)
        for i in range(20):
            sent = await lapi.client.post(
                f"/conversations/{conversation_id}/messages",
                json={"content": f"m{i}"},
                headers=headers,
            )
            assert sent.status_code == 201, (i, sent.text)
        refused = await lapi.client.post(
            f"/conversations/{conversation_id}/messages", json={"content": "m20"}, headers=headers
        )
        assert refused.status_code == 429
        body = refused.json()
        assert body["error"] == "QUOTA_EXCEEDED" and "20 messages" in body["message"]
        assert 23 * 3600 < body["retryAfter"] <= 24 * 3600

    async def test_a_failed_send_does_not_use_a_message(self, lapi):
        _, headers = await _account(lapi, "guest", {"session_messages": 1}, guest=True)
        missing = await lapi.client.post(
            "/conversations/conv_missing/messages", json={"content": "x"}, headers=headers
        )
        assert missing.status_code == 404
        created = await lapi.client.post("/conversations", json={"title": "g"}, headers=headers)
        conversation_id = created.json()["data"]["conversation"]["id"]
        sent = await lapi.client.post(
            f"/conversations/{conversation_id}/messages", json={"content": "x"}, headers=headers
        )
        assert sent.status_code == 201, sent.text

    async def test_250_tokens_per_session(self, lapi, upstream):
        _, headers = await _account(lapi, "guest", guest=True)
        created = await lapi.client.post("/conversations", json={"title": "g"}, headers=headers)
        conversation_id = created.json()["data"]["conversation"]["id"]
        upstream.enqueue(Fault.reply("long", prompt_tokens=100, completion_tokens=150))
        sent = await lapi.client.post(
            f"/conversations/{conversation_id}/messages", json={"content": "a"}, headers=headers
        )
        assert sent.status_code == 201
        refused = await lapi.client.post(
            f"/conversations/{conversation_id}/messages", json={"content": "b"}, headers=headers
        )
        assert refused.status_code == 429
        assert "250 tokens" in refused.json()["message"]

    async def test_three_branches_per_session(self, lapi, upstream):
        _, headers = await _account(lapi, "guest", guest=True)
        created = await lapi.client.post("/conversations", json={"title": "g"}, headers=headers)
        conversation_id = created.json()["data"]["conversation"]["id"]
        codes = []
        for i in range(4):
            response = await lapi.client.post(
                f"/conversations/{conversation_id}/branches",
                json={"title": f"b{i}"},
                headers=headers,
            )
            codes.append(response.status_code)
        assert codes == [201, 201, 201, 429]
        assert "3 branches" in response.json()["message"]
        assert response.json()["retryAfter"] > 0

    async def test_guest_rate_limit_is_the_free_plans(self, lapi):
        _, headers = await _account(lapi, "guest", guest=True)
        response = await lapi.client.get("/conversations", headers=headers)
        assert _rate(response)[0] == 60


class TestPlansAndBilling:
    async def test_plans_are_public_and_hide_guest(self, lapi):
        response = await lapi.client.get("/plans")
        assert response.status_code == 200
        plans = {p["id"]: p for p in response.json()["data"]["plans"]}
        assert list(plans) == ["free", "starter", "pro", "enterprise"]
        assert plans["free"]["limits"]["callsPerMonth"] == 1_000
        assert plans["starter"]["limits"]["callsPerMonth"] == 100_000
        assert plans["pro"]["limits"]["callsPerMonth"] == 1_000_000
        assert plans["enterprise"]["limits"]["callsPerMonth"] is None
        assert all(p["features"] and "price" in p for p in plans.values())

    async def test_billing_reports_the_period_usage_and_cost(self, lapi, upstream):
        _, headers = await _account(lapi, "enterprise", {"calls_per_month": 500})
        created = await lapi.client.post("/conversations", json={"title": "b"}, headers=headers)
        conversation_id = created.json()["data"]["conversation"]["id"]
        upstream.enqueue(Fault.reply("x", prompt_tokens=10, completion_tokens=20))
        sent = await lapi.client.post(
            f"/conversations/{conversation_id}/messages", json={"content": "a"}, headers=headers
        )
        cost = sent.json()["data"]["message"]["metadata"]["cost"]
        data = (await lapi.client.get("/billing", headers=headers)).json()["data"]
        assert data["plan"] == "enterprise"
        assert data["calls"] == {"used": 3, "limit": 500, "left": 497}
        assert data["tokens"] == {"used": 30, "limit": None, "left": None}
        assert data["costSoFar"] == pytest.approx(cost)
        now = _now()
        assert data["period"]["start"] == now.strftime("%Y-%m-01T00:00:00.000Z")
        assert data["period"]["end"] > data["period"]["start"]
        assert data["billingCustomerId"] is None


class TestSetPlanCommand:
    def test_sets_plan_and_refuses_unknown_ones(self, tmp_path, monkeypatch):
        monkeypatch.setenv("CHATROUTES_DATA_DIR", str(tmp_path))
        monkeypatch.delenv("CHATROUTES_DATABASE_URL", raising=False)
        monkeypatch.delenv("CHATROUTES_PLANS_FILE", raising=False)
        runner = CliRunner()
        assert runner.invoke(cli_app, ["users", "create", "ada@example.com"]).exit_code == 0
        done = runner.invoke(cli_app, ["users", "set-plan", "ada@example.com", "pro"])
        assert done.exit_code == 0, done.output
        assert "pro plan" in done.output
        bad = runner.invoke(cli_app, ["users", "set-plan", "ada@example.com", "gold"])
        assert bad.exit_code == 1 and "unknown plan" in bad.output
        nobody = runner.invoke(cli_app, ["users", "set-plan", "bob@example.com", "pro"])
        assert nobody.exit_code == 1 and "not found" in nobody.output

        async def stored() -> User:
            from chatroutes.server.store.database import Database

            db = Database(f"sqlite+aiosqlite:///{tmp_path / 'chatroutes.db'}")
            try:
                async with db.read() as session:
                    return await UserRepository(session).get_by_email("ada@example.com")
            finally:
                await db.dispose()

        user = asyncio.run(stored())
        assert user.plan == "pro" and user.plan_changed_at is not None
