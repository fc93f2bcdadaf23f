"""Credentials, health, status, models and body handling."""

from __future__ import annotations

import pytest

from chatroutes.server.auth.api_keys import generate_api_key
from tests.conftest import client_for
from tests.support.sse import payloads


class TestAuth:
    async def test_both_header_forms_work(self, api):
        key = await api.new_key()
        api.client.headers.pop("Authorization")
        for headers in ({"Authorization": f"ApiKey {key}"}, {"X-API-Key": key}):
            response = await api.client.get("/conversations", headers=headers)
            assert response.status_code == 200

    @pytest.mark.parametrize(
        "headers",
        [
            {"Authorization": ""},
            {"Authorization": "ApiKey"},
            {"Authorization": "Basic dXNlcjpwYXNz"},
            {"Authorization": "ApiKey cr_prod_sk_short"},
            {"Authorization": "ApiKey " + generate_api_key()},
            {"X-API-Key": "not-a-key"},
        ],
    )
    async def test_bad_credentials_are_401_with_error_body(self, api, headers):
        api.client.headers.pop("Authorization")
        response = await api.client.get("/conversations", headers=headers)
        assert response.status_code == 401
        body = response.json()
        assert body["success"] is False and body["error"] == "AUTHENTICATION_ERROR"

    async def test_revoked_key_is_401(self, api):
        email = "revoke@example.com"
        key = await api.new_key(email)
        [listed] = await api.accounts.list_keys(email)
        assert listed.key_prefix == key[: len(listed.key_prefix)]
        await api.accounts.revoke_key(listed.id)
        api.client.headers.pop("Authorization")
        response = await api.client.get("/conversations", headers={"X-API-Key": key})
        assert response.status_code == 401

    async def test_keys_are_stored_only_as_hashes(self, api):
        key = await api.new_key("hash@example.com")
        [stored] = await api.accounts.list_keys("hash@example.com")
        assert key not in (stored.key_hash, stored.key_prefix)
        assert len(stored.key_hash) == 64


class TestMeta:
    async def test_health_and_status_need_no_auth(self, api, backend):
        api.client.headers.pop("Authorization")
        assert (await api.client.get("/health")).json()["data"]["status"] == "ok"
        status = (await api.client.get("/status")).json()["data"]
        assert status["storage"]["backend"] == backend
        assert "POST /api/v1/conversations/{conversation_id}/messages" in status["endpoints"]

    async def test_models_lists_registry_with_availability_and_price(self, api):
        models = (await api.client.get("/models")).json()["data"]["models"]
        by_name = {m["name"]: m for m in models}
        assert by_name["gpt-5"]["provider"] == "openai" and by_name["gpt-5"]["available"]
        assert by_name["claude-sonnet-4-5"]["contextWindow"] == 200000
        assert by_name["chatroutes-offline"]["pricing"]["inputPerMillionTokens"] == 0
        assert by_name["gpt-5"]["isDefault"] is True

    async def test_usage_pricing_lists_every_model(self, api):
        body = (await api.client.get("/usage/pricing")).json()["data"]
        assert body["pricing"]["gpt-5"]["inputPerMillionTokens"] == 1.25
        assert body["pricing"]["gpt-5"]["source"] == "genai-prices"
        assert body["pricing"]["chatroutes-offline"]["source"] == "registry"

    async def test_unknown_route_is_a_json_404(self, api):
        response = await api.client.get("/nothing-here")
        assert response.status_code == 404 and response.json()["success"] is False


class TestBody:
    async def test_empty_json_body_reads_as_empty_object(self, api, create_conversation):
        conversation = await create_conversation()
        response = await api.client.post(
            f"/conversations/{conversation['id']}/branches",
            content=b"",
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 201, response.text

    async def test_oversized_body_is_413_and_stores_nothing(
        self, api, settings, create_conversation
    ):
        conversation = await create_conversation()
        huge = b'{"content": "' + b"x" * (settings.max_body_bytes + 10) + b'"}'
        response = await api.client.post(
            f"/conversations/{conversation['id']}/messages",
            content=huge,
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 413
        assert response.json()["error"] == "PAYLOAD_TOO_LARGE"

    async def test_non_object_body_is_400(self, api):
        response = await api.client.post("/conversations", json=["title"])
        assert response.status_code == 400


async def test_offline_model_answers_without_any_provider(settings):
    offline = settings.model_copy(update={"provider_env": {}, "default_model": None})
    async with client_for(offline) as client:
        conversation = (await client.post("/conversations", json={"title": "t"})).json()["data"]
        cid = conversation["conversation"]["id"]
        assert conversation["conversation"]["model"] == "chatroutes-offline"
        reply = (await client.post(f"/conversations/{cid}/messages", json={"content": "hi"})).json()
        assert reply["data"]["message"]["content"].startswith("[chatroutes-offline]")
        assert '"hi"' in reply["data"]["message"]["content"]
        streamed = await client.post(
            f"/conversations/{cid}/messages/stream", json={"content": "yo"}
        )
        chunks = payloads(streamed.text)[:-1]
        assert chunks[-1]["type"] == "complete"
        text = "".join(c["content"] for c in chunks if c["type"] == "content")
        assert text == chunks[-1]["message"]["content"]
        assert text.startswith("[chatroutes-offline]")
        refused = await client.post(
            f"/conversations/{cid}/messages", json={"content": "hi", "model": "gpt-5"}
        )
        assert refused.status_code == 400 and "OPENAI_API_KEY" in refused.json()["message"]
