"""Accounts with their own token limits, and what the mock upstream and the server counted:
shared by the metering tests."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from chatroutes.server.services.limits import LimitService
from tests.api.test_limits import _account as limits_account
from tests.api.test_limits import lapi
from tests.conftest import Api
from tests.support.mock_upstream import MockUpstream

__all__ = ["lapi"]  # the fixture: counters in the database, then in Redis

LONG_REPLY = " ".join(f"word{i}" for i in range(400))  # far past any allowance below


async def account(
    api: Api, plan: str, overrides: dict | None = None, *, guest: bool = False
) -> tuple[str, dict[str, str]]:
    """A user on ``plan`` with its own limits and no rate limit; its id and auth headers."""
    return await limits_account(
        api, plan, {"requests_per_minute": None, **(overrides or {})}, guest=guest
    )


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
