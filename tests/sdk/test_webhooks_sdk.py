"""The SDK and webhooks: ``client.webhooks`` (sync and async) against a real server that
delivers to a receiver on 127.0.0.1, and ``verify_webhook`` on what arrived, or refusing
what was altered, replayed or signed with another secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator

import pytest

from chatroutes import (
    AsyncChatRoutes,
    ChatRoutes,
    NotFoundError,
    ValidationError,
    WebhookVerificationError,
    verify_webhook,
)
from tests.e2e.conftest import LiveServer, server_env, serving
from tests.sdk.conftest import new_account
from tests.support.mock_upstream import MockUpstream
from tests.support.webhook_receiver import WebhookReceiver, webhook_receiver

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", params=["sqlite"])
def hook_server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    child_env: dict[str, str],
    upstream: MockUpstream,
) -> Iterator[LiveServer]:
    """``chatroutes serve`` allowed to deliver to 127.0.0.1, looking for deliveries often."""
    workdir = tmp_path_factory.mktemp("webhook-sdk")
    env = server_env(
        request,
        workdir,
        child_env,
        upstream,
        CHATROUTES_WEBHOOK_ALLOW_PRIVATE="1",
        CHATROUTES_WEBHOOK_POLL_SECONDS="0.05",
        CHATROUTES_WEBHOOK_RETRY_SCHEDULE="0.1,0.1,0.1",
    )
    with serving("sqlite", workdir, env) as server:
        yield server


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with webhook_receiver() as running:
        yield running


def test_the_sync_client_manages_webhooks_and_verifies_what_arrives(
    hook_server: LiveServer, receiver: WebhookReceiver
) -> None:
    with ChatRoutes(new_account(hook_server), hook_server.api_url) as cr:
        made = cr.webhooks.create(receiver.url, events=["message.completed"], description="a")
        secret = made["secret"]
        assert made["id"].startswith("wh_") and secret.startswith("whsec_")
        assert [w["id"] for w in cr.webhooks.list()] == [made["id"]]
        assert "secret" not in cr.webhooks.get(made["id"])

        conversation = cr.conversations.create({"title": "Hooks"})
        sent = cr.messages.send(conversation["id"], {"content": "Hello"})
        [got] = receiver.wait_count(1)
        event = verify_webhook(got.body, got.headers, secret)
        assert event["type"] == "message.completed"
        assert event["data"]["messageId"] == sent["message"]["id"]

        page = cr.webhooks.list_deliveries(made["id"], limit=10)
        [delivery] = page["deliveries"]
        assert page["nextCursor"] is None and delivery["id"] == got.webhook_id
        detail = _settled(lambda: cr.webhooks.get_delivery(made["id"], delivery["id"]))
        assert detail["status"] == "delivered" and detail["attempts"][0]["statusCode"] == 200

        again = cr.webhooks.redeliver(made["id"], delivery["id"])
        assert again["id"] != delivery["id"] and again["status"] == "pending"
        assert receiver.wait_count(2)[1].body == got.body

        test = cr.webhooks.test(made["id"])
        assert test["eventType"] == "webhook.test"
        assert json.loads(receiver.wait_count(3)[2].body)["type"] == "webhook.test"

        changed = cr.webhooks.update(made["id"], events=["*"], description=None, enabled=False)
        assert changed["events"] == ["*"] and changed["description"] is None
        assert changed["enabled"] is False
        rotated = cr.webhooks.rotate_secret(made["id"])
        assert rotated["secret"] != secret

        with pytest.raises(ValidationError):
            cr.webhooks.create("ftp://example.com/", events=["*"])
        cr.webhooks.delete(made["id"])
        with pytest.raises(NotFoundError):
            cr.webhooks.get(made["id"])


async def test_the_async_client_manages_webhooks(
    hook_server: LiveServer, receiver: WebhookReceiver
) -> None:
    async with AsyncChatRoutes(new_account(hook_server), hook_server.api_url) as cr:
        made = await cr.webhooks.create(receiver.url)
        assert made["events"] == ["*"]
        test = await cr.webhooks.test(made["id"])
        got = await receiver.count(1)
        assert verify_webhook(got[0].body, got[0].headers, made["secret"])["data"] == {
            "webhookId": made["id"]
        }
        assert (await cr.webhooks.get_delivery(made["id"], test["id"]))["id"] == test["id"]
        assert (await cr.webhooks.list_deliveries(made["id"]))["deliveries"][0]["id"] == test["id"]
        assert (await cr.webhooks.update(made["id"], enabled=False))["enabled"] is False
        assert (await cr.webhooks.rotate_secret(made["id"]))["secret"].startswith("whsec_")
        assert [w["id"] for w in await cr.webhooks.list()] == [made["id"]]
        await cr.webhooks.delete(made["id"])
        assert await cr.webhooks.list() == []


SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()


def signed(body: bytes, *, secret: str = SECRET, at: int | None = None) -> dict[str, str]:
    """Headers as a ChatRoutes server signs them (Standard Webhooks)."""
    timestamp = int(time.time()) if at is None else at
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"msg_1.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return {
        "Webhook-Id": "msg_1",
        "Webhook-Timestamp": str(timestamp),
        "Webhook-Signature": "v1," + base64.b64encode(digest).decode(),
    }


BODY = b'{"type":"branch.created","timestamp":"2026-12-07T00:00:00.000Z","data":{"branchId":"b"}}'


class TestVerify:
    def test_a_signed_body_verifies_as_bytes_or_text_with_any_header_case(self) -> None:
        headers = signed(BODY)
        assert verify_webhook(BODY, headers, SECRET)["data"] == {"branchId": "b"}
        lowered = {k.lower(): v for k, v in headers.items()}
        assert verify_webhook(BODY.decode(), lowered, SECRET)["type"] == "branch.created"

    def test_one_matching_signature_among_several_is_enough(self) -> None:
        headers = signed(BODY)
        headers["Webhook-Signature"] = "v1,bm90IGl0 " + headers["Webhook-Signature"]
        assert verify_webhook(BODY, headers, SECRET)["type"] == "branch.created"

    @pytest.mark.parametrize(
        "case", ["altered", "other-secret", "stale", "future", "missing", "unsigned-version"]
    )
    def test_what_cannot_be_trusted_is_refused(self, case: str) -> None:
        body, headers = BODY, signed(BODY)
        if case == "altered":
            body = BODY.replace(b'"b"', b'"c"')
        elif case == "other-secret":
            headers = signed(BODY, secret="whsec_" + base64.b64encode(b"x" * 32).decode())
        elif case == "stale":
            headers = signed(BODY, at=int(time.time()) - 301)
        elif case == "future":
            headers = signed(BODY, at=int(time.time()) + 301)
        elif case == "missing":
            del headers["Webhook-Signature"]
        else:
            headers["Webhook-Signature"] = headers["Webhook-Signature"].replace("v1,", "v2,")
        with pytest.raises(WebhookVerificationError):
            verify_webhook(body, headers, SECRET)

    def test_the_tolerance_is_the_callers(self) -> None:
        headers = signed(BODY, at=int(time.time()) - 600)
        assert verify_webhook(BODY, headers, SECRET, tolerance=900)["type"] == "branch.created"


def _settled(read, timeout: float = 10.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        delivery = read()
        if delivery["status"] != "pending" or time.monotonic() > deadline:
            return delivery
        time.sleep(0.05)
