"""Model calls that store no reply are metered like sends: hybrid AutoBranch reviews and
model-written checkpoint summaries reserve against the token limits and show in usage."""

from __future__ import annotations

import json

import pytest

from tests.security.metering_support import (
    account,
    billed,
    conversation,
    lapi,
    month_tokens,
    reported,
)
from tests.support.mock_upstream import Fault

__all__ = ["lapi"]  # the fixture, imported for pytest

TEXT = "Should I use Postgres or MySQL for the new service? Also, can you suggest names?"
REVIEW = json.dumps({"suggestions": []})


def _kinds(usage: dict) -> dict[str, int]:
    return {row["kind"]: row["totalTokens"] for row in usage["byKind"]}


async def test_a_hybrid_autobranch_review_is_counted_and_shown_as_its_kind(lapi, upstream):
    user_id, headers = await account(lapi, "free", {"tokens_per_month": 10_000})
    upstream.enqueue(Fault.reply(REVIEW))

    response = await lapi.client.post(
        "/autobranch/suggest-branches",
        json={"text": TEXT, "hybridDetection": True},
        headers=headers,
    )

    assert response.status_code == 200, response.text
    assert response.json()["data"]["metadata"]["detectionMethod"] == "hybrid"
    spent = reported(upstream)
    assert spent > 0 and len(upstream.calls) == 1
    assert await month_tokens(lapi, user_id) == spent
    usage = await billed(lapi, headers)
    assert _kinds(usage) == {"autobranch": spent}
    assert usage["totals"]["totalTokens"] == spent and usage["totals"]["calls"] == 1


async def test_a_hybrid_review_the_quota_cannot_cover_is_not_made(lapi, upstream):
    user_id, headers = await account(lapi, "free", {"tokens_per_month": 30})

    response = await lapi.client.post(
        "/autobranch/suggest-branches",
        json={"text": TEXT, "hybridDetection": True},
        headers=headers,
    )

    assert response.status_code == 200, response.text
    metadata = response.json()["data"]["metadata"]
    assert metadata["detectionMethod"] == "pattern"
    assert "quota" in metadata["fallbackReason"].lower()
    assert upstream.calls == [] and await month_tokens(lapi, user_id) == 0


class TestModelSummaries:
    @pytest.fixture
    def settings(self, settings):
        return settings.model_copy(update={"summarizer_model": "claude-sonnet-4-5"})

    async def _checkpoint(self, api, headers: dict[str, str]):
        cid = await conversation(api, headers)
        sent = await api.client.post(
            f"/conversations/{cid}/messages", json={"content": "one"}, headers=headers
        )
        assert sent.status_code == 201, sent.text
        data = sent.json()["data"]
        return await api.client.post(
            f"/conversations/{cid}/checkpoints",
            json={
                "branchId": data["message"]["branchId"],
                "anchorMessageId": data["message"]["id"],
            },
            headers=headers,
        )

    async def test_a_model_summary_is_counted_and_shown_as_its_kind(self, lapi, upstream):
        user_id, headers = await account(lapi, "free", {"tokens_per_month": 10_000})
        upstream.enqueue(Fault.reply("Echo: one"), Fault.reply("The user said one."))

        created = await self._checkpoint(lapi, headers)

        assert created.status_code == 201, created.text
        assert created.json()["data"]["checkpoint"]["summarizer"] == "claude-sonnet-4-5"
        summary_call = upstream.calls[-1]
        summary_tokens = summary_call.prompt_tokens + summary_call.completion_tokens
        assert await month_tokens(lapi, user_id) == reported(upstream)
        usage = await billed(lapi, headers)
        assert _kinds(usage)["checkpoint"] == summary_tokens
        assert usage["totals"]["totalTokens"] == reported(upstream)

    async def test_a_summary_the_quota_cannot_cover_is_written_offline(self, lapi, upstream):
        user_id, headers = await account(lapi, "free", {"tokens_per_month": 80})
        upstream.enqueue(Fault.reply("Echo: one"))

        created = await self._checkpoint(lapi, headers)

        assert created.status_code == 201, created.text
        assert created.json()["data"]["checkpoint"]["summarizer"] == "extractive"
        assert len(upstream.calls) == 1  # the send only
        assert await month_tokens(lapi, user_id) == reported(upstream)
