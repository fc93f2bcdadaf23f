"""Budgets per branch and per conversation over HTTP, on SQLite and PostgreSQL: set,
merged and removed; spent counted; a send clamped to what is left, refused with 402 when
nothing is; the warning in the reply, the stream and a webhook, once per crossing; a
fork's own budget; concurrent sends never passing a limit."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from chatroutes.server.services.recovery import recover_expired
from chatroutes.server.services.server_context import utcnow
from chatroutes.server.store.tables import Branch, Conversation
from tests.api.test_webhook_delivery import events, hook_settings, serving
from tests.conftest import Api, api_of
from tests.support.mock_upstream import Fault
from tests.support.webhook_receiver import webhook_receiver

LONG = " ".join(f"word{i}" for i in range(3000))  # the mock cuts it at max_tokens


def _upstream_max_tokens(upstream) -> int:
    body = upstream.requests[-1].json
    return body.get("max_completion_tokens") or body.get("max_tokens")


async def _budget(api, path: str, budget: object) -> dict:
    response = await api.client.patch(path, json={"budget": budget})
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    return data.get("conversation") or data["branch"]


async def _conversation(api, cid: str) -> dict:
    response = await api.client.get(f"/conversations/{cid}")
    assert response.status_code == 200, response.text
    return response.json()["data"]["conversation"]


def _branch(conversation: dict, branch_id: str) -> dict:
    return next(b for b in conversation["branches"] if b["id"] == branch_id)


def _main(conversation: dict) -> dict:
    return next(b for b in conversation["branches"] if b["isMain"])


class TestSetting:
    async def test_every_conversation_and_branch_shows_budget_and_spent(
        self, api, create_conversation
    ):
        conversation = await create_conversation()
        assert conversation["budget"] is None
        assert conversation["spent"] == {"tokens": 0, "cost": 0}
        assert _main(conversation)["budget"] is None
        assert _main(conversation)["spent"] == {"tokens": 0, "cost": 0}

    async def test_set_merge_and_remove(self, api, create_conversation):
        cid = (await create_conversation())["id"]
        path = f"/conversations/{cid}"
        got = await _budget(api, path, {"maxTokens": 1000})
        assert got["budget"] == {"maxTokens": 1000, "maxCost": None, "warnAt": 0.8}
        got = await _budget(api, path, {"maxCost": 2.5, "warnAt": 0.5})  # maxTokens kept
        assert got["budget"] == {"maxTokens": 1000, "maxCost": 2.5, "warnAt": 0.5}
        got = await _budget(api, path, {"maxTokens": None})  # that limit removed
        assert got["budget"] == {"maxTokens": None, "maxCost": 2.5, "warnAt": 0.5}
        renamed = await api.client.patch(path, json={"title": "Renamed"})  # budget untouched
        assert renamed.json()["data"]["conversation"]["budget"]["maxCost"] == 2.5
        got = await _budget(api, path, None)
        assert got["budget"] is None
        assert (await _conversation(api, cid))["budget"] is None

    async def test_branch_budget(self, api, create_conversation):
        conversation = await create_conversation()
        path = f"/conversations/{conversation['id']}/branches/{_main(conversation)['id']}"
        got = await _budget(api, path, {"maxTokens": 500, "warnAt": 1})
        assert got["budget"] == {"maxTokens": 500, "maxCost": None, "warnAt": 1.0}
        shown = _main(await _conversation(api, conversation["id"]))
        assert shown["budget"] == got["budget"]
        assert (await _budget(api, path, None))["budget"] is None

    @pytest.mark.parametrize(
        ("budget", "field"),
        [
            ({"maxTokens": 0}, "budget.maxTokens"),
            ({"maxTokens": -5}, "budget.maxTokens"),
            ({"maxTokens": "many"}, "budget.maxTokens"),
            ({"maxTokens": 1.5}, "budget.maxTokens"),
            ({"maxCost": 0}, "budget.maxCost"),
            ({"maxCost": -1.0}, "budget.maxCost"),
            ({"maxCost": "cheap"}, "budget.maxCost"),
            ({"warnAt": 0}, "budget.warnAt"),
            ({"warnAt": 1.5}, "budget.warnAt"),
            ({"warnAt": True}, "budget.warnAt"),
            ("lots", "budget"),
        ],
    )
    async def test_bad_budgets_are_400_naming_the_field(
        self, api, create_conversation, budget, field
    ):
        conversation = await create_conversation()
        cid = conversation["id"]
        for path in (
            f"/conversations/{cid}",
            f"/conversations/{cid}/branches/{_main(conversation)['id']}",
        ):
            response = await api.client.patch(path, json={"budget": budget})
            assert response.status_code == 400, response.text
            body = response.json()
            assert body["error"] == "VALIDATION_ERROR"
            assert body["details"]["field"] == field

    async def test_someone_elses_conversation_is_404(self, api, create_conversation):
        cid = (await create_conversation())["id"]
        other = api.headers(await api.new_key())
        response = await api.client.patch(
            f"/conversations/{cid}", json={"budget": {"maxTokens": 5}}, headers=other
        )
        assert response.status_code == 404


class TestSpent:
    async def test_a_send_is_counted_on_its_branch_and_conversation(
        self, api, create_conversation, send, upstream
    ):
        conversation = await create_conversation()
        cid, main = conversation["id"], _main(conversation)["id"]
        upstream.enqueue(Fault.reply("hello", prompt_tokens=120, completion_tokens=30))
        reply = (await send(cid, "hi"))["message"]
        cost = reply["metadata"]["cost"]
        assert cost > 0
        seen = await _conversation(api, cid)
        assert seen["spent"] == {"tokens": 150, "cost": pytest.approx(cost)}
        assert _branch(seen, main)["spent"] == {"tokens": 150, "cost": pytest.approx(cost)}
        assert "budgetWarning" not in reply["metadata"]

    async def test_a_fork_has_its_own_budget_and_spent(
        self, api, create_conversation, send, upstream
    ):
        conversation = await create_conversation()
        cid, main = conversation["id"], _main(conversation)["id"]
        upstream.enqueue(Fault.reply("first", prompt_tokens=10, completion_tokens=10))
        first = await send(cid, "hi")
        created = await api.client.post(
            f"/conversations/{cid}/branches",
            json={
                "forkPointMessageId": first["message"]["id"],
                "title": "Side",
                "budget": {"maxTokens": 40_000, "warnAt": 0.9},
            },
        )
        assert created.status_code == 201, created.text
        fork = created.json()["data"]["branch"]
        assert fork["budget"] == {"maxTokens": 40_000, "maxCost": None, "warnAt": 0.9}
        assert fork["spent"] == {"tokens": 0, "cost": 0}
        forked = await api.client.post(
            f"/conversations/{cid}/fork",
            json={"forkPointMessageId": first["message"]["id"], "budget": {"maxCost": 1}},
        )
        assert forked.json()["data"]["branch"]["budget"] == {
            "maxTokens": None,
            "maxCost": 1.0,
            "warnAt": 0.8,
        }
        upstream.enqueue(Fault.reply("side", prompt_tokens=70, completion_tokens=30))
        await send(cid, "on the side", branchId=fork["id"])
        seen = await _conversation(api, cid)
        assert _branch(seen, fork["id"])["spent"]["tokens"] == 100
        assert _branch(seen, main)["spent"]["tokens"] == 20
        assert seen["spent"]["tokens"] == 120


class TestCheckpointSummaries:
    @pytest.fixture
    def settings(self, settings):
        return settings.model_copy(update={"summarizer_model": "claude-sonnet-4-5"})

    async def test_a_summary_is_charged_and_a_spent_budget_leaves_it_to_the_offline_one(
        self, api, create_conversation, send, upstream
    ):
        conversation = await create_conversation()
        cid, main = conversation["id"], _main(conversation)["id"]
        upstream.enqueue(Fault.reply("answer", prompt_tokens=10, completion_tokens=10))
        first = await send(cid, "the colour is teal")
        upstream.enqueue(Fault.reply("Teal.", prompt_tokens=200, completion_tokens=40))
        anchor = {"branchId": main, "anchorMessageId": first["message"]["id"]}
        made = await api.client.post(f"/conversations/{cid}/checkpoints", json=anchor)
        assert made.json()["data"]["checkpoint"]["summarizer"] == "claude-sonnet-4-5"
        seen = await _conversation(api, cid)
        assert seen["spent"]["tokens"] == 20 + 240
        assert _branch(seen, main)["spent"]["tokens"] == 20 + 240
        await _budget(api, f"/conversations/{cid}/branches/{main}", {"maxTokens": 265})
        calls = len(upstream.requests)
        again = await api.client.post(f"/conversations/{cid}/checkpoints", json=anchor)
        assert again.json()["data"]["checkpoint"]["summarizer"] == "extractive"
        assert len(upstream.requests) == calls
        assert (await _conversation(api, cid))["spent"]["tokens"] == 260


class TestRedisCounters:
    """The account's counters in Redis: the budgets still hold the question's transaction."""

    @pytest.fixture
    async def api(self, settings, redis) -> AsyncIterator[Api]:
        redis.flush()
        async with api_of(settings.model_copy(update={"redis_url": redis.url})) as helper:
            yield helper
            await helper.app.state.ctx.counters.close()

    async def test_clamped_refused_and_counted(self, api, create_conversation, upstream):
        conversation = await create_conversation(maxTokens=4000)
        cid, main = conversation["id"], _main(conversation)["id"]
        await _budget(api, f"/conversations/{cid}/branches/{main}", {"maxTokens": 600})
        upstream.enqueue(Fault.reply(LONG))
        sent = await api.client.post(f"/conversations/{cid}/messages", json={"content": "go"})
        assert sent.status_code == 201, sent.text
        assert 500 < _upstream_max_tokens(upstream) < 600
        spent = _branch(await _conversation(api, cid), main)["spent"]["tokens"]
        assert spent == sent.json()["data"]["usage"]["totalTokens"] <= 600
        refused = await api.client.post(f"/conversations/{cid}/messages", json={"content": "go"})
        assert refused.status_code == 402
        messages = await api.client.get(f"/conversations/{cid}/messages")
        assert len(messages.json()["data"]["messages"]) == 2


class TestEnforced:
    async def test_a_send_is_clamped_to_what_the_budget_leaves(
        self, api, create_conversation, send, upstream
    ):
        conversation = await create_conversation(maxTokens=4000)
        cid, main = conversation["id"], _main(conversation)["id"]
        await _budget(api, f"/conversations/{cid}/branches/{main}", {"maxTokens": 600})
        upstream.enqueue(Fault.reply(LONG))
        reply = (await send(cid, "tell me everything"))["message"]
        allowed = _upstream_max_tokens(upstream)
        assert 500 < allowed < 600  # 600 less the prompt, with the metering margin
        assert reply["metadata"]["maxTokens"] == allowed
        spent = _branch(await _conversation(api, cid), main)["spent"]["tokens"]
        assert allowed < spent <= 600

    async def test_a_spent_budget_is_402_and_stores_nothing(
        self, api, create_conversation, send, upstream
    ):
        conversation = await create_conversation()
        cid, main = conversation["id"], _main(conversation)["id"]
        upstream.enqueue(Fault.reply("ok", prompt_tokens=300, completion_tokens=200))
        await send(cid, "hi")
        await _budget(api, f"/conversations/{cid}", {"maxTokens": 500, "maxCost": 100})
        before = len(upstream.requests)
        for suffix in ("messages", "messages/stream"):
            refused = await api.client.post(
                f"/conversations/{cid}/{suffix}", json={"content": "one more"}
            )
            assert refused.status_code == 402, refused.text
            body = refused.json()
            assert body["error"] == "BUDGET_EXCEEDED"
            assert body["details"] == {
                "budget": "conversation",
                "id": cid,
                "limit": {"maxTokens": 500, "maxCost": 100.0},
                "spent": {"tokens": 500, "cost": pytest.approx(body["details"]["spent"]["cost"])},
            }
        assert len(upstream.requests) == before  # nothing went upstream
        messages = await api.client.get(f"/conversations/{cid}/messages")
        assert len(messages.json()["data"]["messages"]) == 2  # the refused question not kept
        seen = await _conversation(api, cid)
        assert _branch(seen, main)["headMessageId"] == messages.json()["data"]["messages"][-1]["id"]
        # a branch budget refuses as its own
        await _budget(api, f"/conversations/{cid}", None)
        await _budget(api, f"/conversations/{cid}/branches/{main}", {"maxTokens": 100})
        refused = await api.client.post(f"/conversations/{cid}/messages", json={"content": "x"})
        assert refused.status_code == 402
        assert refused.json()["details"]["budget"] == "branch"
        assert refused.json()["details"]["id"] == main
        # removed, the send goes through again
        await _budget(api, f"/conversations/{cid}/branches/{main}", None)
        upstream.enqueue(Fault.reply("again"))
        await send(cid, "x")

    async def test_a_prompt_larger_than_what_is_left_is_402(
        self, api, create_conversation, upstream
    ):
        cid = (await create_conversation())["id"]
        await _budget(api, f"/conversations/{cid}", {"maxTokens": 50})
        refused = await api.client.post(
            f"/conversations/{cid}/messages", json={"content": LONG[:2000]}
        )
        assert refused.status_code == 402
        assert refused.json()["details"]["spent"] == {"tokens": 0, "cost": 0}
        assert upstream.requests == []

    async def test_a_cost_budget_clamps_and_refuses(self, api, create_conversation, upstream):
        cid = (await create_conversation(maxTokens=4000))["id"]
        await _budget(api, f"/conversations/{cid}", {"maxCost": 0.002})
        upstream.enqueue(Fault.reply(LONG))
        sent = await api.client.post(f"/conversations/{cid}/messages", json={"content": "go"})
        assert sent.status_code == 201, sent.text
        allowed = _upstream_max_tokens(upstream)
        assert 16 <= allowed < 4000
        spent = (await _conversation(api, cid))["spent"]
        assert spent["cost"] <= 0.002
        refused = await api.client.post(f"/conversations/{cid}/messages", json={"content": "go"})
        assert refused.status_code == 402
        assert refused.json()["details"]["limit"] == {"maxTokens": None, "maxCost": 0.002}


class TestWarning:
    async def test_once_per_crossing_in_the_reply(self, api, create_conversation, send, upstream):
        cid = (await create_conversation())["id"]
        await _budget(api, f"/conversations/{cid}", {"maxTokens": 100_000, "warnAt": 0.5})
        upstream.enqueue(Fault.reply("a", prompt_tokens=30_000, completion_tokens=10_000))
        assert "budgetWarning" not in (await send(cid, "one"))["message"]["metadata"]
        upstream.enqueue(Fault.reply("b", prompt_tokens=10_000, completion_tokens=5_000))
        warning = (await send(cid, "two"))["message"]["metadata"]["budgetWarning"]
        assert warning == {
            "budget": "conversation",
            "id": cid,
            "fraction": 0.55,
            "limit": {"maxTokens": 100_000, "maxCost": None},
            "spent": {"tokens": 55_000, "cost": pytest.approx(warning["spent"]["cost"])},
        }
        upstream.enqueue(Fault.reply("c", prompt_tokens=1_000, completion_tokens=1_000))
        assert "budgetWarning" not in (await send(cid, "three"))["message"]["metadata"]
        # a new budget is a new crossing
        await _budget(api, f"/conversations/{cid}", {"maxTokens": 200_000})
        upstream.enqueue(Fault.reply("d", prompt_tokens=40_000, completion_tokens=10_000))
        again = (await send(cid, "four"))["message"]["metadata"]["budgetWarning"]
        assert again["fraction"] == 0.535 and again["spent"]["tokens"] == 107_000

    async def test_a_stream_gets_a_status_event_before_complete(
        self, api, create_conversation, upstream
    ):
        conversation = await create_conversation()
        cid, main = conversation["id"], _main(conversation)["id"]
        await _budget(api, f"/conversations/{cid}/branches/{main}", {"maxTokens": 10_000})
        upstream.enqueue(Fault.reply("streamed", prompt_tokens=5_000, completion_tokens=4_000))
        response = await api.client.post(
            f"/conversations/{cid}/messages/stream", json={"content": "stream it"}
        )
        assert response.status_code == 200, response.text
        payloads = [
            json.loads(line[len("data: ") :])
            for line in response.text.splitlines()
            if line.startswith("data: {")
        ]
        kinds = [(p["type"], p.get("status")) for p in payloads]
        assert kinds[-2:] == [("status", "budget_warning"), ("complete", None)]
        warning = payloads[-2]["budgetWarning"]
        assert warning["budget"] == "branch" and warning["id"] == main
        assert warning["fraction"] == 0.9
        assert payloads[-1]["message"]["metadata"]["budgetWarning"] == warning

    async def test_a_webhook_announces_it(self, settings, upstream):
        upstream.enqueue(Fault.reply("a", prompt_tokens=900, completion_tokens=100))
        with webhook_receiver() as receiver:
            async with serving(hook_settings(settings)) as server:
                made = await server.client.post(
                    "/webhooks", json={"url": receiver.url, "events": ["budget.warning"]}
                )
                assert made.status_code == 201, made.text
                webhook = made.json()["data"]["webhook"]
                created = await server.client.post("/conversations", json={"title": "B"})
                cid = created.json()["data"]["conversation"]["id"]
                patched = await server.client.patch(
                    f"/conversations/{cid}", json={"budget": {"maxTokens": 1_000}}
                )
                assert patched.status_code == 200
                sent = await server.client.post(
                    f"/conversations/{cid}/messages", json={"content": "hi"}
                )
                assert sent.status_code == 201, sent.text
                [event] = events(await receiver.count(1), webhook["secret"])
        assert event["type"] == "budget.warning"
        assert event["data"]["budget"] == "conversation" and event["data"]["id"] == cid
        assert event["data"]["fraction"] == 1.0
        assert event["data"]["spent"]["tokens"] == 1_000


class TestReleased:
    async def test_a_provider_failure_gives_the_hold_back_and_charges_nothing(
        self, api, create_conversation, upstream
    ):
        conversation = await create_conversation()
        cid, main = conversation["id"], _main(conversation)["id"]
        await _budget(api, f"/conversations/{cid}", {"maxTokens": 5_000})
        await _budget(api, f"/conversations/{cid}/branches/{main}", {"maxTokens": 5_000})
        upstream.enqueue(Fault.status(400))
        failed = await api.client.post(f"/conversations/{cid}/messages", json={"content": "x"})
        assert failed.status_code >= 400 and failed.status_code != 402
        async with api.app.state.ctx.db.read() as session:
            held = [
                await session.scalar(select(table.budget_reserved_tokens).where(table.id == row))
                for table, row in ((Conversation, cid), (Branch, main))
            ]
        assert held == [0, 0]
        seen = await _conversation(api, cid)
        assert seen["spent"]["tokens"] == 0 and _branch(seen, main)["spent"]["tokens"] == 0


class TestRecovery:
    async def test_a_dead_generations_hold_is_settled_by_the_recovery(self, api, upstream):
        """What a killed process leaves: a question, its lease with the reservation's
        record (the budgets' hold in it), and the hold on the conversation's budget."""
        created = await api.client.post("/conversations", json={"title": "Crash"})
        conversation = created.json()["data"]["conversation"]
        cid, main = conversation["id"], _main(conversation)["id"]
        await _budget(api, f"/conversations/{cid}", {"maxTokens": 10_000})
        upstream.enqueue(Fault.status(400))
        failed = await api.client.post(f"/conversations/{cid}/messages", json={"content": "x"})
        assert failed.status_code >= 400
        [question] = (await api.client.get(f"/conversations/{cid}/messages")).json()["data"][
            "messages"
        ]
        held = {"conversationId": cid, "branchId": main, "tokens": 900, "cost": 0.0}
        record = {
            "userId": conversation["userId"],
            "windows": {},
            "taken": {},
            "promptTokens": 40,
            "budget": {**held, "held": ["conversation"]},
        }
        async with api.app.state.ctx.db.write() as session:
            await session.execute(
                update(Branch)
                .where(Branch.id == main)
                .values(
                    generation_lease="gen_dead",
                    generation_lease_until=utcnow() - timedelta(seconds=1),
                    generation_question_id=question["id"],
                    generation_partial="Echo: ha",
                    generation_reply_id="msg_unstored",
                    generation_reservation=record,
                )
            )
            await session.execute(
                update(Conversation)
                .where(Conversation.id == cid)
                .values(budget_reserved_tokens=900)
            )

        assert await recover_expired(api.app.state.ctx) == 1

        seen = await _conversation(api, cid)
        [_, reply] = (await api.client.get(f"/conversations/{cid}/messages")).json()["data"][
            "messages"
        ]
        written = reply["metadata"]["completionTokens"]
        assert seen["spent"]["tokens"] == 40 + written
        assert _branch(seen, main)["spent"]["tokens"] == 40 + written
        async with api.app.state.ctx.db.read() as session:
            reserved = await session.scalar(
                select(Conversation.budget_reserved_tokens).where(Conversation.id == cid)
            )
        assert reserved == 0


class TestConcurrent:
    async def test_concurrent_sends_never_pass_a_conversation_budget(
        self, api, create_conversation, upstream
    ):
        conversation = await create_conversation(maxTokens=300)
        cid = conversation["id"]
        branches = []
        for i in range(8):
            made = await api.client.post(f"/conversations/{cid}/branches", json={"title": f"{i}"})
            branches.append(made.json()["data"]["branch"]["id"])
        limit = 1_000
        await _budget(api, f"/conversations/{cid}", {"maxTokens": limit})
        upstream.fault_when("race", Fault.reply(LONG))

        async def one(branch_id: str):
            return await api.client.post(
                f"/conversations/{cid}/messages",
                json={"content": "race", "branchId": branch_id},
            )

        answers = await asyncio.gather(*(one(b) for b in branches))
        codes = sorted(a.status_code for a in answers)
        assert 201 in codes and 402 in codes, codes
        assert set(codes) <= {201, 402}
        spent = (await _conversation(api, cid))["spent"]["tokens"]
        used = sum(
            a.json()["data"]["usage"]["totalTokens"] for a in answers if a.status_code == 201
        )
        assert spent == used
        assert spent <= limit
        for answer in answers:
            if answer.status_code == 402:
                assert answer.json()["details"]["budget"] == "conversation"
