"""Webhooks delivered by a running server to a real receiver on 127.0.0.1: signed (checked
by the SDK's ``verify_webhook``), one per event type, retried, an endpoint disabled after
failing a whole schedule and enabled again, redelivered, and a destination that turns
private refused at send time."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import update

from chatroutes import WebhookVerificationError, verify_webhook
from chatroutes.server.app import create_app
from chatroutes.server.services.accounts import AccountService
from chatroutes.server.settings import Settings
from chatroutes.server.store.tables import User
from tests.conftest import API_PREFIX
from tests.support.mock_upstream import Fault
from tests.support.webhook_receiver import Received, WebhookReceiver, webhook_receiver


@dataclass
class Server:
    """A running app (its background tasks too) and a client of one enterprise account."""

    app: object
    client: httpx.AsyncClient
    user_id: str

    async def hook(self, receiver: WebhookReceiver, events: list[str] | None = None) -> dict:
        response = await self.client.post(
            "/webhooks", json={"url": receiver.url, "events": events or ["*"]}
        )
        assert response.status_code == 201, response.text
        return response.json()["data"]["webhook"]

    async def delivery(self, webhook_id: str, delivery_id: str) -> dict:
        response = await self.client.get(f"/webhooks/{webhook_id}/deliveries/{delivery_id}")
        assert response.status_code == 200, response.text
        return response.json()["data"]["delivery"]

    async def webhook(self, webhook_id: str) -> dict:
        return (await self.client.get(f"/webhooks/{webhook_id}")).json()["data"]["webhook"]


def hook_settings(settings: Settings, **changes: object) -> Settings:
    quick = {
        "webhook_allow_private": True,  # the receiver is on 127.0.0.1
        "webhook_poll_seconds": 0.05,
        "webhook_retry_schedule": "0.1,0.1,0.1",
        "webhook_timeout_seconds": 5.0,
    }
    return settings.model_copy(update=quick | changes)


@asynccontextmanager
async def serving(settings: Settings, plan: str = "enterprise", **overrides: object):
    """The app with its lifespan (so its webhook sender runs) and a client of a new account
    on ``plan`` with ``overrides`` as its own limits."""
    app = create_app(settings)
    ctx = app.state.ctx
    accounts = AccountService(ctx.db, ctx.secret)
    email = f"hooks-{uuid.uuid4().hex[:10]}@example.com"
    user = await accounts.create_user(email, plan=plan)
    if overrides:
        async with ctx.db.write() as session:
            await session.execute(
                update(User).where(User.id == user.id).values(quota_overrides=overrides)
            )
    key = (await accounts.create_key(email)).secret
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://test" + API_PREFIX,
            headers={"X-API-Key": key},
        ) as client,
    ):
        yield Server(app, client, user.id)


@pytest.fixture
async def server(settings: Settings) -> AsyncIterator[Server]:
    async with serving(hook_settings(settings)) as running:
        yield running


@pytest.fixture(params=["database", "redis"])
def counted_settings(request, settings: Settings) -> Settings:
    """Settings with the limit counters in the database (joining the transactions that
    announce quota warnings) or in Redis (warnings announced once counted)."""
    if request.param == "redis":
        server = request.getfixturevalue("redis")
        server.flush()
        return settings.model_copy(update={"redis_url": server.url})
    return settings


@pytest.fixture
def receiver():
    with webhook_receiver() as running:
        yield running


def events(received: list[Received], secret: str) -> list[dict]:
    """Each request's event, its signature checked by the SDK's helper."""
    return [verify_webhook(r.body, r.headers, secret) for r in received]


def of_type(received: list[Received], event_type: str) -> list[Received]:
    return [r for r in received if json.loads(r.body)["type"] == event_type]


async def conversation(server: Server, **fields: object) -> dict:
    response = await server.client.post("/conversations", json={"title": "Hooks", **fields})
    assert response.status_code == 201, response.text
    return response.json()["data"]["conversation"]


async def send(server: Server, cid: str, content: str, **fields: object) -> dict:
    response = await server.client.post(
        f"/conversations/{cid}/messages", json={"content": content, **fields}
    )
    assert response.status_code == 201, response.text
    return response.json()["data"]


class TestSigned:
    async def test_a_test_delivery_is_signed_and_verified_by_the_sdk(self, server, receiver):
        webhook = await server.hook(receiver)
        response = await server.client.post(f"/webhooks/{webhook['id']}/test")
        assert response.status_code == 202, response.text
        delivery = response.json()["data"]["delivery"]
        [got] = await receiver.count(1)
        assert got.headers["content-type"] == "application/json"
        assert got.webhook_id == delivery["id"]
        assert got.headers["webhook-signature"].startswith("v1,")
        assert abs(int(got.headers["webhook-timestamp"]) - datetime.now(UTC).timestamp()) < 30
        event = verify_webhook(got.body, got.headers, webhook["secret"])
        assert event["type"] == "webhook.test" and event["data"] == {"webhookId": webhook["id"]}
        assert event["timestamp"].endswith("Z")

        done = await _settled(server, webhook["id"], delivery["id"])
        assert done["status"] == "delivered" and done["attemptCount"] == 1
        assert done["lastStatusCode"] == 200 and done["deliveredAt"] is not None
        [attempt] = done["attempts"]
        assert attempt["statusCode"] == 200 and attempt["error"] is None
        assert attempt["durationMs"] >= 0

    async def test_after_rotation_deliveries_are_signed_with_the_new_secret(self, server, receiver):
        webhook = await server.hook(receiver)
        rotated = await server.client.post(f"/webhooks/{webhook['id']}/rotate-secret")
        secret = rotated.json()["data"]["webhook"]["secret"]
        await server.client.post(f"/webhooks/{webhook['id']}/test")
        [got] = await receiver.count(1)
        assert verify_webhook(got.body, got.headers, secret)["type"] == "webhook.test"
        with pytest.raises(WebhookVerificationError):
            verify_webhook(got.body, got.headers, webhook["secret"])


class TestEvents:
    async def test_a_send_announces_message_completed_with_its_usage(self, server, receiver):
        webhook = await server.hook(receiver)
        cid = (await conversation(server))["id"]
        sent = await send(server, cid, "Hello hooks")
        [event] = events(await receiver.count(1), webhook["secret"])
        reply = sent["message"]
        assert event["type"] == "message.completed"
        data = event["data"]
        assert data["conversationId"] == cid and data["messageId"] == reply["id"]
        assert data["branchId"] == reply["branchId"] and data["model"] == reply["model"]
        assert data["finishReason"] == "stop"
        assert data["usage"]["totalTokens"] == sent["usage"]["totalTokens"] > 0
        assert data["usage"]["promptTokens"] == sent["usage"]["promptTokens"]

    async def test_a_streamed_send_announces_message_completed(self, server, receiver):
        webhook = await server.hook(receiver, ["message.completed"])
        cid = (await conversation(server))["id"]
        response = await server.client.post(
            f"/conversations/{cid}/messages/stream", json={"content": "Stream it"}
        )
        assert response.status_code == 200, response.text
        [event] = events(await receiver.count(1), webhook["secret"])
        assert event["type"] == "message.completed" and event["data"]["conversationId"] == cid

    async def test_a_stopped_reply_is_announced_with_its_finish_reason(
        self, server, receiver, upstream
    ):
        webhook = await server.hook(receiver, ["message.completed"])
        cid = (await conversation(server))["id"]
        ctx = server.app.state.ctx
        upstream.chunk_delay = 0.03
        try:
            streaming = asyncio.create_task(
                server.client.post(
                    f"/conversations/{cid}/messages/stream",
                    json={"content": " ".join(f"word{i}" for i in range(40))},
                )
            )
            for _ in range(500):
                live = [r.reply_id for r in ctx.live.values() if r.length >= 12]
                if live:
                    break
                await asyncio.sleep(0.01)
            stopped = await server.client.post(f"/conversations/{cid}/messages/{live[0]}/stop")
            await streaming
        finally:
            upstream.chunk_delay = 0.0
        assert stopped.json()["data"]["stopped"] is True
        [event] = events(await receiver.count(1), webhook["secret"])
        assert event["data"]["messageId"] == live[0]
        assert event["data"]["finishReason"] == "stopped"

    async def test_branches_merges_checkpoints_and_deletion_are_announced(self, server, receiver):
        webhook = await server.hook(
            receiver,
            ["branch.created", "branch.merged", "checkpoint.created", "conversation.deleted"],
        )
        made = await conversation(server)
        cid, main = made["id"], made["branches"][0]["id"]
        first = await send(server, cid, "Our budget is 48,500 euros.")
        branch = await server.client.post(
            f"/conversations/{cid}/branches",
            json={"title": "Alt", "forkPointMessageId": first["message"]["id"]},
        )
        assert branch.status_code == 201, branch.text
        alt = branch.json()["data"]["branch"]
        await send(server, cid, "On the side", branchId=alt["id"])
        merged = await server.client.post(
            f"/conversations/{cid}/branches/{alt['id']}/merge", json={}
        )
        assert merged.status_code in (200, 201), merged.text
        checkpoint = await server.client.post(
            f"/conversations/{cid}/checkpoints",
            json={"branchId": main, "anchorMessageId": first["message"]["id"]},
        )
        assert checkpoint.status_code == 201, checkpoint.text
        deleted = await server.client.delete(f"/conversations/{cid}")
        assert deleted.status_code == 200, deleted.text

        got = events(await receiver.count(4), webhook["secret"])
        by_type = {e["type"]: e["data"] for e in got}
        assert sorted(e["type"] for e in got) == [  # sent at once: in any order
            "branch.created",
            "branch.merged",
            "checkpoint.created",
            "conversation.deleted",
        ]
        assert by_type["branch.created"] == {
            "conversationId": cid,
            "branchId": alt["id"],
            "parentBranchId": main,
            "forkPointMessageId": first["message"]["id"],
            "title": "Alt",
        }
        assert by_type["branch.merged"]["branchId"] == main
        assert by_type["branch.merged"]["mergedBranchId"] == alt["id"]
        assert by_type["branch.merged"]["messageIds"]
        created = checkpoint.json()["data"]["checkpoint"]
        assert by_type["checkpoint.created"]["checkpointId"] == created["id"]
        assert by_type["checkpoint.created"]["checkpointType"] == "manual"
        assert by_type["conversation.deleted"] == {"conversationId": cid}

    async def test_an_automatic_checkpoint_is_announced(self, settings, receiver):
        async with serving(hook_settings(settings, checkpoint_interval=2)) as server:
            webhook = await server.hook(receiver, ["checkpoint.created"])
            cid = (await conversation(server))["id"]
            sent = await send(server, cid, "Two messages make an interval")
            [event] = events(await receiver.count(1), webhook["secret"])
            assert event["data"]["checkpointType"] == "auto"
            assert event["data"]["anchorMessageId"] == sent["message"]["id"]

    async def test_parallel_responses_are_announced_and_the_chosen_one_completes(
        self, server, receiver
    ):
        webhook = await server.hook(receiver, ["parallel.completed", "message.completed"])
        cid = (await conversation(server))["id"]
        started = await server.client.post(
            f"/conversations/{cid}/parallel-responses",
            json={"content": "Name a colour", "models": ["gpt-5", "claude-sonnet-4-5"]},
        )
        assert started.status_code == 201, started.text
        session = started.json()["data"]
        [finished] = events(await receiver.count(1), webhook["secret"])
        assert finished["type"] == "parallel.completed"
        assert finished["data"]["sessionId"] == session["id"]
        assert finished["data"]["status"] == "complete"
        candidates = finished["data"]["candidates"]
        assert [c["model"] for c in candidates] == ["gpt-5", "claude-sonnet-4-5"]
        assert all(c["status"] == "complete" and c["messageId"] for c in candidates)

        chosen = candidates[1]
        response = await server.client.post(
            f"/response-sessions/{session['id']}/choose",
            json={"candidateId": chosen["candidateId"]},
        )
        assert response.status_code == 200, response.text
        got = events(await receiver.count(2), webhook["secret"])
        by_type = {e["type"]: e["data"] for e in got}  # deliveries come in any order
        assert sorted(by_type) == ["message.completed", "parallel.completed"]
        assert by_type["message.completed"]["messageId"] == chosen["messageId"]

    async def test_quota_warnings_at_80_and_100_percent_once_each(
        self, counted_settings, receiver, upstream
    ):
        upstream.fault_when(
            "first-send", Fault.reply("ok", prompt_tokens=4000, completion_tokens=4500)
        )
        upstream.fault_when(
            "second-send", Fault.reply("ok", prompt_tokens=50, completion_tokens=50)
        )
        upstream.fault_when(
            "third-send", Fault.reply("ok", prompt_tokens=700, completion_tokens=800)
        )
        settings = hook_settings(counted_settings)
        async with serving(settings, "free", tokens_per_month=10_000) as server:
            webhook = await server.hook(receiver, ["usage.quota_warning"])
            for content in ("first-send", "second-send", "third-send"):
                # each in a conversation of its own: a reply's reported tokens weigh on
                # the next prompt's estimate in the same conversation
                cid = (await conversation(server))["id"]
                await send(server, cid, content)  # 8,500, then 8,600, then 10,100 of 10,000
            got = events(await receiver.count(2), webhook["secret"])
            got.sort(key=lambda e: e["data"]["threshold"])  # deliveries come in any order
            month = datetime.now(UTC).strftime("%Y-%m")
            assert [e["data"] for e in got] == [
                {
                    "quota": "tokens",
                    "threshold": 80,
                    "used": 8500,
                    "limit": 10_000,
                    "period": month,
                },
                {
                    "quota": "tokens",
                    "threshold": 100,
                    "used": 10_100,
                    "limit": 10_000,
                    "period": month,
                },
            ]
            refused = await server.client.post(
                f"/conversations/{cid}/messages", json={"content": "no more"}
            )
            assert refused.status_code == 429
            await server.client.post(f"/webhooks/{webhook['id']}/test")
            assert len(await receiver.count(3)) == 3  # the test, and no third warning
            assert json.loads(receiver.received[2].body)["type"] == "webhook.test"

    async def test_the_monthly_calls_quota_warns_at_80_and_100_percent(
        self, counted_settings, receiver
    ):
        settings = hook_settings(counted_settings)
        async with serving(settings, "free", calls_per_month=10) as server:
            webhook = await server.hook(receiver, ["usage.quota_warning"])  # call 1
            for _ in range(9):  # calls 2 to 10
                assert (await server.client.get("/webhooks")).status_code == 200
            refused = await server.client.get("/webhooks")
            assert refused.status_code == 429 and refused.json()["error"] == "QUOTA_EXCEEDED"
            got = events(await receiver.count(2), webhook["secret"])
            month = datetime.now(UTC).strftime("%Y-%m")
            assert sorted((e["data"]["threshold"], e["data"]["used"]) for e in got) == [
                (80, 8),
                (100, 10),
            ]
            assert all(e["data"]["quota"] == "calls" and e["data"]["limit"] == 10 for e in got)
            assert all(e["data"]["period"] == month for e in got)
            await asyncio.sleep(0.3)
            assert len(receiver.received) == 2

    async def test_an_endpoint_gets_only_the_events_it_listens_to(self, server, receiver):
        with webhook_receiver() as everything:
            only_branches = await server.hook(receiver, ["branch.created"])
            await server.hook(everything, ["*"])
            made = await conversation(server)
            first = await send(server, made["id"], "hi")
            await server.client.post(
                f"/conversations/{made['id']}/branches",
                json={"title": "B", "forkPointMessageId": first["message"]["id"]},
            )
            got = await everything.count(2)
            assert sorted(json.loads(r.body)["type"] for r in got) == [
                "branch.created",
                "message.completed",
            ]
            [branch_event] = events(await receiver.count(1), only_branches["secret"])
            assert branch_event["type"] == "branch.created"
            assert len(receiver.received) == 1

    async def test_a_change_refused_announces_nothing(self, server, receiver):
        await server.hook(receiver)
        made = await conversation(server)
        refused = await server.client.post(
            f"/conversations/{made['id']}/branches",
            json={"title": "B", "forkPointMessageId": "msg_missing"},
        )
        assert refused.status_code in (400, 404)
        await server.client.delete(f"/conversations/{made['id']}")
        got = await receiver.count(1)
        assert [json.loads(r.body)["type"] for r in got] == ["conversation.deleted"]


class TestRetries:
    async def test_a_receiver_failing_three_times_gets_it_on_the_fourth(self, server):
        with webhook_receiver([500, 503, 502]) as receiver:
            webhook = await server.hook(receiver)
            delivery = (await server.client.post(f"/webhooks/{webhook['id']}/test")).json()
            delivery_id = delivery["data"]["delivery"]["id"]
            got = await receiver.count(4)
            assert {r.webhook_id for r in got} == {delivery_id}
            assert [r.status for r in got] == [500, 503, 502, 200]
            done = await _settled(server, webhook["id"], delivery_id)
            assert done["status"] == "delivered" and done["attemptCount"] == 4
            assert [a["statusCode"] for a in done["attempts"]] == [500, 503, 502, 200]
            assert [a["error"] for a in done["attempts"]] == [
                "HTTP 500",
                "HTTP 503",
                "HTTP 502",
                None,
            ]
            assert (await server.webhook(webhook["id"]))["consecutiveFailures"] == 0

    async def test_an_endpoint_failing_a_whole_schedule_is_disabled_then_enabled_again(
        self, settings
    ):
        with webhook_receiver([500] * 3) as receiver:
            async with serving(hook_settings(settings, webhook_retry_schedule="0.1,0.1")) as server:
                webhook = await server.hook(receiver)
                sent = await server.client.post(f"/webhooks/{webhook['id']}/test")
                delivery_id = sent.json()["data"]["delivery"]["id"]
                await receiver.count(3)
                done = await _settled(server, webhook["id"], delivery_id)
                assert done["status"] == "failed" and done["attemptCount"] == 3
                assert done["nextAttemptAt"] is None and done["lastError"] == "HTTP 500"
                disabled = await server.webhook(webhook["id"])
                assert disabled["enabled"] is False and disabled["disabledAt"] is not None
                assert disabled["consecutiveFailures"] == 3
                assert delivery_id in disabled["disabledReason"]
                assert "HTTP 500" in disabled["disabledReason"]

                # disabled: new events are not queued for it
                cid = (await conversation(server))["id"]
                await send(server, cid, "while disabled")

                enabled = await server.client.patch(
                    f"/webhooks/{webhook['id']}", json={"enabled": True}
                )
                data = enabled.json()["data"]["webhook"]
                assert data["enabled"] is True and data["disabledReason"] is None
                assert data["consecutiveFailures"] == 0 and data["disabledAt"] is None
                again = await server.client.post(
                    f"/webhooks/{webhook['id']}/deliveries/{delivery_id}/redeliver"
                )
                assert again.status_code == 202, again.text
                got = await receiver.count(4)
                assert got[3].status == 200 and got[3].body == got[0].body
                listed = await server.client.get(f"/webhooks/{webhook['id']}/deliveries")
                types = [d["eventType"] for d in listed.json()["data"]["deliveries"]]
                assert types == ["webhook.test", "webhook.test"]  # nothing while disabled


class TestRedeliver:
    async def test_redelivery_sends_the_same_event_under_a_new_id(self, server, receiver):
        webhook = await server.hook(receiver)
        cid = (await conversation(server))["id"]
        await send(server, cid, "once")
        [first] = await receiver.count(1)
        listed = await server.client.get(f"/webhooks/{webhook['id']}/deliveries")
        [original] = listed.json()["data"]["deliveries"]
        response = await server.client.post(
            f"/webhooks/{webhook['id']}/deliveries/{original['id']}/redeliver"
        )
        assert response.status_code == 202, response.text
        again = response.json()["data"]["delivery"]
        assert again["id"] != original["id"] and again["eventType"] == "message.completed"
        assert again["status"] == "pending" and again["attemptCount"] == 0
        second = (await receiver.count(2))[1]
        assert second.webhook_id == again["id"] and second.body == first.body
        assert verify_webhook(second.body, second.headers, webhook["secret"])


class TestDestinationCheckedAtSendTime:
    async def test_a_private_destination_is_refused_when_sending(self, settings, receiver):
        """Made where private addresses were allowed; sent by a server where they are not
        (as when a name starts resolving to a private address)."""
        async with serving(hook_settings(settings, webhook_delivery=False)) as maker:
            webhook = await maker.hook(receiver)
            sent = await maker.client.post(f"/webhooks/{webhook['id']}/test")
            delivery_id = sent.json()["data"]["delivery"]["id"]
        strict = hook_settings(settings, webhook_allow_private=False)
        async with serving(strict) as sender:
            app = sender.app
            owner = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url="http://test" + API_PREFIX,
                headers=maker.client.headers,
            )
            async with owner:
                done = await _settled(
                    Server(app, owner, maker.user_id),
                    webhook["id"],
                    delivery_id,
                    until=lambda d: d["attemptCount"] >= 1,
                )
        assert receiver.received == []
        assert "127.0.0.1" in done["lastError"] and "not a public address" in done["lastError"]
        assert done["attempts"][0]["statusCode"] is None


async def _settled(server: Server, webhook_id: str, delivery_id: str, until=None) -> dict:
    """The delivery once it is no longer pending (or ``until`` holds), within 15 s."""
    done = until or (lambda d: d["status"] != "pending")
    for _ in range(300):
        delivery = await server.delivery(webhook_id, delivery_id)
        if done(delivery):
            return delivery
        await asyncio.sleep(0.05)
    raise AssertionError(f"delivery {delivery_id} still {delivery}")
