"""Usage views over HTTP: every view is the sum of the per-message records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from chatroutes.server.providers import pricing
from chatroutes.server.store.tables import Message
from tests.support.mock_upstream import Fault

pytestmark = pytest.mark.usefixtures("upstream")


def _sum(messages: list[dict]) -> dict:
    """The expected totals, from the messages API's own records."""
    replies = [m for m in messages if m["role"] == "assistant"]
    prompt = sum(m["metadata"]["prompt_tokens"] for m in replies)
    completion = sum(m["metadata"]["completionTokens"] for m in replies)
    return {
        "promptTokens": prompt,
        "completionTokens": completion,
        "totalTokens": prompt + completion,
        "cost": pytest.approx(sum(m["metadata"]["cost"] for m in replies), abs=1e-9),
        "calls": len(replies),
        "messages": len(messages),
    }


def _price(api, model: str, prompt: int, completion: int) -> float:
    info = api.app.state.ctx.registry.get(model)
    value = pricing.cost(
        price_provider=info.price_provider,
        upstream_id=info.upstream_id,
        input_price=info.input_price,
        output_price=info.output_price,
        prompt_tokens=prompt,
        completion_tokens=completion,
    )
    assert value is not None and value > 0
    return value


async def _get(api, path: str, **params) -> dict:
    response = await api.client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def _messages(api, conversation_id: str, branch_id: str | None = None) -> list[dict]:
    params = {"branchId": branch_id} if branch_id else {}
    data = await _get(api, f"/conversations/{conversation_id}/messages", **params)
    return data["messages"]


@pytest.fixture
async def history(api, upstream, create_conversation, send):
    """Two conversations, a fork, two models, exact upstream token counts."""
    upstream.enqueue(
        Fault.reply("one", prompt_tokens=11, completion_tokens=7),
        Fault.reply("two", prompt_tokens=23, completion_tokens=5),
        Fault.reply("three", prompt_tokens=31, completion_tokens=13),
        Fault.reply("four", prompt_tokens=40, completion_tokens=2),
        Fault.reply("five", prompt_tokens=3, completion_tokens=1000),
    )
    first = await create_conversation(title="first")
    a = await send(first["id"], "a")
    b = await send(first["id"], "b")
    fork = await send(
        first["id"], "c", parentMessageId=a["message"]["id"], model="claude-sonnet-4-5"
    )
    branch_id = fork["branch"]["id"]
    await send(first["id"], "d", branchId=branch_id)
    second = await create_conversation(title="second")
    await send(second["id"], "e")
    main_id = first["branches"][0]["id"]
    return {
        "first": first["id"],
        "second": second["id"],
        "main": main_id,
        "fork": branch_id,
        "b_reply": b["message"]["id"],
    }


async def _all_messages(api, history) -> tuple[list[dict], list[dict], list[dict]]:
    main = await _messages(api, history["first"])
    fork_path = await _messages(api, history["first"], history["fork"])
    main_ids = {m["id"] for m in main}
    fork_own = [m for m in fork_path if m["id"] not in main_ids]
    second = await _messages(api, history["second"])
    return main, fork_own, second


class TestViewsEqualTheMessages:
    async def test_account_and_summary_are_the_sum_of_every_message(self, api, history):
        main, fork_own, second = await _all_messages(api, history)
        everything = main + fork_own + second
        assert len(everything) == 10
        data = await _get(api, "/usage")
        assert data["timeframe"] == "month"
        assert data["totals"] == _sum(everything)
        assert data["totals"]["promptTokens"] == 11 + 23 + 31 + 40 + 3
        assert data["totals"]["completionTokens"] == 7 + 5 + 13 + 2 + 1000
        by_model = {row["model"]: row for row in data["byModel"]}
        assert set(by_model) == {"gpt-5", "claude-sonnet-4-5"}
        assert by_model["claude-sonnet-4-5"]["promptTokens"] == 31
        assert by_model["gpt-5"]["calls"] == 4
        assert len(data["byDay"]) == 1
        assert data["byDay"][0]["date"] == datetime.now(UTC).strftime("%Y-%m-%d")
        assert data["byDay"][0]["totalTokens"] == data["totals"]["totalTokens"]

        summary = await _get(api, "/usage/summary")
        assert summary["tokensUsed"] == data["totals"]["totalTokens"]
        assert summary["costThisMonth"] == pytest.approx(data["totals"]["cost"])
        assert summary["calls"] == 5
        assert summary["byModel"] == data["byModel"]

    async def test_cost_is_the_price_table_computation(self, api, history):
        expected = (
            _price(api, "gpt-5", 11, 7)
            + _price(api, "gpt-5", 23, 5)
            + _price(api, "claude-sonnet-4-5", 31, 13)
            + _price(api, "gpt-5", 40, 2)
            + _price(api, "gpt-5", 3, 1000)
        )
        data = await _get(api, "/usage", timeframe="all")
        assert data["totals"]["cost"] == pytest.approx(expected, rel=1e-6)
        message = await _get(api, f"/usage/messages/{history['b_reply']}")
        assert message["cost"] == pytest.approx(_price(api, "gpt-5", 23, 5), rel=1e-6)

    async def test_conversation_branch_and_message_views(self, api, history):
        main, fork_own, second = await _all_messages(api, history)
        whole = await _get(api, f"/usage/conversations/{history['first']}")
        assert whole["totals"] == _sum(main + fork_own)
        on_main = await _get(
            api, f"/usage/conversations/{history['first']}", branchId=history["main"]
        )
        assert on_main["totals"] == _sum(main)
        on_fork = await _get(
            api, f"/usage/conversations/{history['first']}", branchId=history["fork"]
        )
        assert on_fork["totals"] == _sum(fork_own)
        assert on_fork["totals"]["promptTokens"] == 31 + 40
        branch = await _get(api, f"/usage/branches/{history['fork']}")
        assert branch["totals"] == on_fork["totals"]
        assert branch["conversationId"] == history["first"]
        other = await _get(api, f"/usage/conversations/{history['second']}")
        assert other["totals"] == _sum(second)
        for message in main + fork_own:
            usage = await _get(api, f"/usage/messages/{message['id']}")
            if message["role"] == "assistant":
                assert usage["promptTokens"] == message["metadata"]["prompt_tokens"]
                assert usage["completionTokens"] == message["metadata"]["completionTokens"]
                assert usage["cost"] == pytest.approx(message["metadata"]["cost"])
                assert usage["model"] == message["metadata"]["model"]
            else:
                assert usage["totalTokens"] == 0

    async def test_deleted_messages_still_count(self, api, history):
        before = await _get(api, "/usage")
        response = await api.client.delete(f"/messages/{history['b_reply']}")
        assert response.status_code == 200, response.text
        after = await _get(api, "/usage")
        assert after["totals"] == before["totals"]
        usage = await _get(api, f"/usage/messages/{history['b_reply']}")
        assert usage["deleted"] is True and usage["promptTokens"] == 23


class TestTimeframes:
    async def test_filters_by_when_the_message_was_written(self, api, history):
        now = datetime.now(UTC).replace(tzinfo=None)
        ten_days_ago = now - timedelta(days=10)
        three_days_ago = now - timedelta(days=3)
        db = api.app.state.ctx.db
        async with db.write() as session:  # age the second conversation's messages
            await session.execute(
                update(Message)
                .where(Message.conversation_id == history["second"], Message.role == "user")
                .values(created_at=ten_days_ago)
            )
            await session.execute(
                update(Message)
                .where(Message.conversation_id == history["second"], Message.role == "assistant")
                .values(created_at=three_days_ago)
            )
        totals = {
            tf: (await _get(api, "/usage", timeframe=tf))["totals"]
            for tf in ("today", "week", "month", "all")
        }
        assert totals["all"]["messages"] == 10
        assert totals["today"]["messages"] == 8
        assert totals["today"]["promptTokens"] == 11 + 23 + 31 + 40
        assert totals["week"]["messages"] == 9  # the reply 3 days ago, not the question
        assert totals["week"]["promptTokens"] == 11 + 23 + 31 + 40 + 3
        month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        expected_month = 8 + (three_days_ago >= month_start) + (ten_days_ago >= month_start)
        assert totals["month"]["messages"] == expected_month
        days = (await _get(api, "/usage", timeframe="all"))["byDay"]
        assert [d["date"] for d in days] == sorted(
            {d.strftime("%Y-%m-%d") for d in (now, three_days_ago, ten_days_ago)}
        )
        assert sum(d["messages"] for d in days) == 10

    async def test_bad_timeframe_is_400_naming_it(self, api):
        response = await api.client.get("/usage", params={"timeframe": "year"})
        assert response.status_code == 400
        body = response.json()
        assert body["error"] == "VALIDATION_ERROR"
        assert body["details"]["field"] == "timeframe"
        assert "timeframe" in body["message"]


class TestIsolation:
    async def test_another_accounts_ids_are_404(self, api, history):
        stranger = api.headers(await api.new_key())
        for path in (
            f"/usage/conversations/{history['first']}",
            f"/usage/branches/{history['fork']}",
            f"/usage/messages/{history['b_reply']}",
            "/usage/branches/br_missing",
            "/usage/messages/msg_missing",
            "/usage/conversations/conv_missing",
        ):
            response = await api.client.get(path, headers=stranger)
            assert response.status_code == 404, (path, response.text)
            assert response.json()["error"] == "NOT_FOUND"
        response = await api.client.get(
            f"/usage/conversations/{history['second']}", params={"branchId": history["fork"]}
        )
        assert response.status_code == 404  # a branch of another conversation
        theirs = await api.client.get("/usage", headers=stranger)
        assert theirs.json()["data"]["totals"]["calls"] == 0

    async def test_usage_needs_a_key(self, api):
        response = await api.client.get("/usage", headers={"Authorization": ""})
        assert response.status_code == 401


class TestPricing:
    async def test_pricing_lists_models(self, api):
        data = await _get(api, "/usage/pricing")
        assert data["pricing"]["gpt-5"]["currency"] == "USD"
