"""Accounts with their own token limits, and what the mock upstream and the server counted:
shared by the metering tests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import update

from chatroutes.server.app import create_app
from chatroutes.server.services.limits import LimitService
from chatroutes.server.store.models import User
from tests.conftest import API_PREFIX, Api
from tests.support.mock_upstream import MockUpstream

LONG_REPLY = " ".join(f"word{i}" for i in range(400))  # far past any allowance below


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


async def account(
    api: Api, plan: str, overrides: dict | None = None, *, guest: bool = False
) -> tuple[str, dict[str, str]]:
    """A user on ``plan`` with its own limits (no rate limit); its id and auth headers."""
    email = f"reserve-{uuid.uuid4().hex[:10]}@example.com"
    user = await api.accounts.create_user(email)
    values: dict = {
        "plan": plan,
        "quota_overrides": {"requests_per_minute": None, **(overrides or {})},
    }
    if guest:
        expires = datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=24)
        values |= {"is_guest": True, "guest_expires_at": expires}
    async with api.app.state.ctx.db.write() as session:
        await session.execute(update(User).where(User.id == user.id).values(**values))
    return user.id, api.headers((await api.accounts.create_key(email)).secret)


async def conversation(api: Api, headers: dict[str, str]) -> str:
    created = await api.client.post("/conversations", json={"title": "t"}, headers=headers)
    assert created.status_code == 201, created.text
    return created.json()["data"]["conversation"]["id"]


def reported(upstream: MockUpstream) -> int:
    """Every token the mock upstream reported (or sent, for a reply cut short)."""
    return sum(call.prompt_tokens + call.completion_tokens for call in upstream.calls)


async def month_tokens(api: Api, user_id: str) -> int:
    counts = await LimitService(api.app.state.ctx).month_counts(user_id, datetime.now(UTC))
    return counts["tokens"]


async def billed(api: Api, headers: dict[str, str]) -> dict:
    response = await api.client.get("/usage", params={"timeframe": "all"}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def assert_quota_refusal(response: httpx.Response, quota: str, limit: int) -> None:
    assert response.status_code == 429, response.text
    body = response.json()
    assert body["error"] == "QUOTA_EXCEEDED"
    assert body["details"]["quota"] == quota and body["details"]["limit"] == limit
    assert 0 <= body["details"]["remaining"] <= limit
    assert "Retry-After" in response.headers
