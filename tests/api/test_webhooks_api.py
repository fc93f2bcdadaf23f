"""Webhook endpoints over HTTP: made, listed, changed, deleted, their secret shown once and
sealed at rest, bad input refused naming the field, private destinations refused, another
account's endpoint not found, guests refused."""

from __future__ import annotations

import base64

import httpx
import pytest
from sqlalchemy import select

from chatroutes.server.store.webhooks import WebhookEndpoint
from tests.conftest import API_PREFIX

PUBLIC_URL = "https://1.1.1.1/hooks"  # an IP literal: nothing to resolve offline


async def create(api, **fields) -> httpx.Response:
    body = {"url": PUBLIC_URL, "events": ["message.completed"], **fields}
    return await api.client.post("/webhooks", json=body)


async def created(api, **fields) -> dict:
    response = await create(api, **fields)
    assert response.status_code == 201, response.text
    return response.json()["data"]["webhook"]


def assert_refused(response: httpx.Response, field: str) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["success"] is False and body["error"] == "VALIDATION_ERROR"
    assert field in body["message"] or body["details"].get("field") == field, body


class TestCreate:
    async def test_create_answers_the_webhook_with_its_secret_once(self, api):
        response = await create(api, events=["*"], description="ops")
        assert response.headers["cache-control"] == "no-store"
        webhook = response.json()["data"]["webhook"]
        assert webhook["id"].startswith("wh_") and webhook["url"] == PUBLIC_URL
        assert webhook["events"] == ["*"] and webhook["description"] == "ops"
        assert webhook["enabled"] is True and webhook["disabledReason"] is None
        assert webhook["disabledAt"] is None and webhook["consecutiveFailures"] == 0
        assert webhook["createdAt"].endswith("Z") and webhook["updatedAt"].endswith("Z")
        secret = webhook["secret"]
        assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 32

        listed = (await api.client.get("/webhooks")).json()["data"]["webhooks"]
        fetched = (await api.client.get(f"/webhooks/{webhook['id']}")).json()["data"]["webhook"]
        without_secret = {k: v for k, v in webhook.items() if k != "secret"}
        assert listed == [without_secret] and fetched == without_secret

    async def test_the_secret_is_stored_sealed_not_as_given(self, api):
        webhook = await created(api)
        async with api.app.state.ctx.db.read() as session:
            stored = await session.scalar(
                select(WebhookEndpoint.secret).where(WebhookEndpoint.id == webhook["id"])
            )
        assert stored and webhook["secret"] not in stored and webhook["secret"][6:] not in stored

    async def test_a_disabled_endpoint_can_be_made(self, api):
        webhook = await created(api, enabled=False)
        assert webhook["enabled"] is False

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"events": ["message.completed"]}, "url"),
            ({"url": "ftp://1.1.1.1/x", "events": ["*"]}, "url"),
            ({"url": "not a url", "events": ["*"]}, "url"),
            ({"url": "https://user:pw@1.1.1.1/", "events": ["*"]}, "url"),
            ({"url": "https://" + "a" * 2100 + ".com/", "events": ["*"]}, "url"),
            ({"url": PUBLIC_URL}, "events"),
            ({"url": PUBLIC_URL, "events": []}, "events"),
            ({"url": PUBLIC_URL, "events": ["message.sent"]}, "events"),
            ({"url": PUBLIC_URL, "events": "message.completed"}, "events"),
            ({"url": PUBLIC_URL, "events": ["*"], "enabled": "yes"}, "enabled"),
            ({"url": PUBLIC_URL, "events": ["*"], "description": 7}, "description"),
        ],
    )
    async def test_bad_input_is_a_400_naming_the_field(self, api, body, field):
        assert_refused(await api.client.post("/webhooks", json=body), field)
        assert (await api.client.get("/webhooks")).json()["data"]["webhooks"] == []

    @pytest.mark.parametrize(
        "url",
        [
            "http://127.0.0.1:8080/hooks",
            "http://localhost/hooks",
            "http://10.1.2.3/hooks",
            "http://172.16.0.1/hooks",
            "http://192.168.1.10/hooks",
            "http://169.254.169.254/latest/meta-data",
            "http://0.0.0.0/hooks",
            "http://224.0.0.1/hooks",
            "http://100.64.0.1/hooks",
            "http://[::1]/hooks",
            "http://[fc00::1]/hooks",
            "http://[fe80::1]/hooks",
            "http://[::ffff:127.0.0.1]/hooks",
            "http://[::]/hooks",
            "http://[ff02::1]/hooks",
        ],
    )
    async def test_private_destinations_are_refused(self, api, url):
        assert_refused(await create(api, url=url), "url")
        webhook = await created(api)
        patched = await api.client.patch(f"/webhooks/{webhook['id']}", json={"url": url})
        assert_refused(patched, "url")


class TestChange:
    async def test_patch_changes_only_what_is_given(self, api):
        webhook = await created(api, description="first")
        response = await api.client.patch(
            f"/webhooks/{webhook['id']}",
            json={"events": ["branch.created", "branch.merged"], "url": "https://8.8.8.8/h"},
        )
        assert response.status_code == 200, response.text
        changed = response.json()["data"]["webhook"]
        assert changed["events"] == ["branch.created", "branch.merged"]
        assert changed["url"] == "https://8.8.8.8/h" and changed["description"] == "first"
        assert "secret" not in changed

        cleared = await api.client.patch(f"/webhooks/{webhook['id']}", json={"description": None})
        assert cleared.json()["data"]["webhook"]["description"] is None

    async def test_disabling_and_enabling_by_the_owner(self, api):
        webhook = await created(api)
        off = await api.client.patch(f"/webhooks/{webhook['id']}", json={"enabled": False})
        assert off.json()["data"]["webhook"]["enabled"] is False
        assert off.json()["data"]["webhook"]["disabledAt"] is not None
        on = await api.client.patch(f"/webhooks/{webhook['id']}", json={"enabled": True})
        data = on.json()["data"]["webhook"]
        assert data["enabled"] is True and data["disabledAt"] is None

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"url": None}, "url"),
            ({"events": None}, "events"),
            ({"enabled": None}, "enabled"),
            ({"events": ["nope"]}, "events"),
            ({"url": "gopher://1.1.1.1/"}, "url"),
        ],
    )
    async def test_bad_patch_is_a_400_and_changes_nothing(self, api, body, field):
        webhook = await created(api)
        assert_refused(await api.client.patch(f"/webhooks/{webhook['id']}", json=body), field)
        after = (await api.client.get(f"/webhooks/{webhook['id']}")).json()["data"]["webhook"]
        assert after == {k: v for k, v in webhook.items() if k != "secret"}

    async def test_rotating_the_secret_shows_a_new_one(self, api):
        webhook = await created(api)
        response = await api.client.post(f"/webhooks/{webhook['id']}/rotate-secret")
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        rotated = response.json()["data"]["webhook"]
        assert rotated["secret"].startswith("whsec_") and rotated["secret"] != webhook["secret"]

    async def test_delete_removes_it(self, api):
        webhook = await created(api)
        response = await api.client.delete(f"/webhooks/{webhook['id']}")
        assert response.status_code == 200 and response.json() == {"success": True}
        assert (await api.client.get(f"/webhooks/{webhook['id']}")).status_code == 404
        assert (await api.client.get("/webhooks")).json()["data"]["webhooks"] == []


class TestOwnership:
    async def test_another_accounts_webhook_is_not_found(self, api):
        webhook = await created(api)
        test = await api.client.post(f"/webhooks/{webhook['id']}/test")
        delivery_id = test.json()["data"]["delivery"]["id"]
        other = api.headers(await api.new_key())
        base = f"/webhooks/{webhook['id']}"
        for method, path, body in [
            ("GET", base, None),
            ("PATCH", base, {"enabled": False}),
            ("DELETE", base, None),
            ("POST", f"{base}/rotate-secret", None),
            ("POST", f"{base}/test", None),
            ("GET", f"{base}/deliveries", None),
            ("GET", f"{base}/deliveries/{delivery_id}", None),
            ("POST", f"{base}/deliveries/{delivery_id}/redeliver", None),
        ]:
            response = await api.client.request(method, path, json=body, headers=other)
            assert response.status_code == 404, (method, path, response.text)
            assert response.json()["error"] == "NOT_FOUND"
        assert (await api.client.get("/webhooks", headers=other)).json()["data"]["webhooks"] == []
        assert (await api.client.get(base)).json()["data"]["webhook"]["enabled"] is True

    async def test_a_delivery_of_another_webhook_is_not_found(self, api):
        first, second = await created(api), await created(api)
        test = await api.client.post(f"/webhooks/{first['id']}/test")
        delivery_id = test.json()["data"]["delivery"]["id"]
        response = await api.client.get(f"/webhooks/{second['id']}/deliveries/{delivery_id}")
        assert response.status_code == 404

    async def test_guests_are_refused(self, api):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=api.app), base_url="http://test" + API_PREFIX
        ) as anonymous:
            guest = (await anonymous.post("/auth/guest")).json()["data"]
            token = guest["tokens"]["accessToken"]
            headers = {"Authorization": f"Bearer {token}"}
            made = await anonymous.post(
                "/webhooks", json={"url": PUBLIC_URL, "events": ["*"]}, headers=headers
            )
            assert made.status_code == 403, made.text
            assert made.json()["error"] == "FORBIDDEN"
            assert (await anonymous.get("/webhooks", headers=headers)).status_code == 403

    async def test_without_credentials_it_is_a_401(self, api):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=api.app), base_url="http://test" + API_PREFIX
        ) as anonymous:
            assert (await anonymous.get("/webhooks")).status_code == 401


class TestDeliveries:
    async def test_test_and_the_delivery_log_page_by_cursor(self, api):
        webhook = await created(api)
        made = []
        for _ in range(3):
            response = await api.client.post(f"/webhooks/{webhook['id']}/test")
            assert response.status_code == 202, response.text
            made.append(response.json()["data"]["delivery"])
        delivery = made[0]
        assert delivery["id"].startswith("msg_") and delivery["webhookId"] == webhook["id"]
        assert delivery["eventType"] == "webhook.test" and delivery["status"] == "pending"
        assert delivery["attemptCount"] == 0 and delivery["deliveredAt"] is None

        first = await api.client.get(f"/webhooks/{webhook['id']}/deliveries", params={"limit": 2})
        page = first.json()["data"]
        assert [d["id"] for d in page["deliveries"]] == [made[2]["id"], made[1]["id"]]
        rest = await api.client.get(
            f"/webhooks/{webhook['id']}/deliveries",
            params={"limit": 2, "cursor": page["nextCursor"]},
        )
        assert [d["id"] for d in rest.json()["data"]["deliveries"]] == [made[0]["id"]]
        assert rest.json()["data"]["nextCursor"] is None

        detail = await api.client.get(f"/webhooks/{webhook['id']}/deliveries/{delivery['id']}")
        assert detail.json()["data"]["delivery"] == {**delivery, "attempts": []}

    async def test_a_bad_page_size_is_a_400(self, api):
        webhook = await created(api)
        for limit in (0, 101, "x"):
            response = await api.client.get(
                f"/webhooks/{webhook['id']}/deliveries", params={"limit": limit}
            )
            assert_refused(response, "limit")

    async def test_a_disabled_endpoint_takes_no_test_nor_redelivery(self, api):
        webhook = await created(api)
        test = await api.client.post(f"/webhooks/{webhook['id']}/test")
        delivery_id = test.json()["data"]["delivery"]["id"]
        await api.client.patch(f"/webhooks/{webhook['id']}", json={"enabled": False})
        assert (await api.client.post(f"/webhooks/{webhook['id']}/test")).status_code == 409
        redelivered = await api.client.post(
            f"/webhooks/{webhook['id']}/deliveries/{delivery_id}/redeliver"
        )
        assert redelivered.status_code == 409
