"""CORS for the origins in ``CHATROUTES_CORS_ORIGINS``, and none for anyone else.

An allowed origin's preflight is answered with what our clients send; its answers (JSON,
errors from the middlewares, event streams) carry ``Access-Control-Allow-Origin`` and
expose the headers clients read. Other origins, and every origin when the setting is
unset, get no CORS header at all. Credentials are never allowed (they travel in headers).
"""

from __future__ import annotations

import httpx
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from chatroutes.cli import app as cli_app
from chatroutes.server.services.conversations import ConversationService
from chatroutes.server.settings import Settings
from tests.conftest import api_of
from tests.support.sse import payloads

ALLOWED = "http://app.example.test:5173"
OTHER = "https://evil.example.test"


@pytest.fixture
async def cors_api(settings):
    """The ``api`` fixture's app, with one allowed origin (and a trailing space, as typed)."""
    fields = {**settings.model_dump(), "provider_env": settings.provider_env}
    configured = Settings(**{**fields, "cors_origins": f"{ALLOWED} "})
    async with api_of(configured) as helper:
        yield helper


def _cors(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.startswith("access-control-")}


def _listed(value: str) -> set[str]:
    return {item.strip().lower() for item in value.split(",")}


async def _preflight(client: httpx.AsyncClient, origin: str, method: str = "POST"):
    return await client.options(
        "/conversations",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization,content-type,idempotency-key",
        },
    )


class TestPreflight:
    async def test_an_allowed_origin_is_told_what_our_clients_send(self, cors_api):
        response = await _preflight(cors_api.client, ALLOWED)
        assert response.status_code == 204
        headers = _cors(response)
        assert headers["access-control-allow-origin"] == ALLOWED
        assert {"get", "post", "patch", "put", "delete"} <= _listed(
            headers["access-control-allow-methods"]
        )
        assert {
            "authorization",
            "x-api-key",
            "content-type",
            "idempotency-key",
            "accept",
            "last-event-id",
        } <= _listed(headers["access-control-allow-headers"])
        assert int(headers["access-control-max-age"]) > 0
        assert "access-control-allow-credentials" not in headers
        assert "origin" in _listed(response.headers["vary"])

    async def test_the_headers_an_openai_sdk_adds_are_allowed(self, cors_api):
        response = await cors_api.client.options(
            "/conversations",
            headers={
                "Origin": ALLOWED,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,x-stainless-os,x-stainless-lang",
            },
        )
        assert response.status_code == 204
        assert {"authorization", "x-stainless-os", "x-stainless-lang"} <= _listed(
            _cors(response)["access-control-allow-headers"]
        )

    async def test_a_preflight_needs_no_credential(self, cors_api):
        cors_api.client.headers.pop("Authorization")
        response = await _preflight(cors_api.client, ALLOWED, "DELETE")
        assert response.status_code == 204
        assert _cors(response)["access-control-allow-origin"] == ALLOWED

    @pytest.mark.parametrize(
        "origin", [OTHER, ALLOWED + "/", ALLOWED.replace("5173", "5174"), "null"]
    )
    async def test_any_other_origin_gets_no_cors_header(self, cors_api, origin):
        response = await _preflight(cors_api.client, origin)
        assert _cors(response) == {}
        assert response.status_code >= 400  # OPTIONS is no route of ours


class TestAnswers:
    async def test_json_answers_expose_the_headers_clients_read(self, cors_api):
        response = await cors_api.client.get("/conversations", headers={"Origin": ALLOWED})
        assert response.status_code == 200
        headers = _cors(response)
        assert headers["access-control-allow-origin"] == ALLOWED
        exposed = _listed(headers["access-control-expose-headers"])
        assert {"ratelimit", "ratelimit-policy", "retry-after", "x-request-id"} <= exposed
        assert {"idempotent-replayed", "x-chatroutes-conversation-id"} <= exposed
        for name in ("ratelimit", "ratelimit-policy", "x-request-id"):
            assert name in response.headers, f"{name} is exposed and sent"
        assert "access-control-allow-credentials" not in headers

    async def test_errors_of_the_middlewares_carry_the_origin(self, cors_api):
        cors_api.client.headers.pop("Authorization")
        response = await cors_api.client.post(
            "/conversations", json={"title": "t"}, headers={"Origin": ALLOWED}
        )
        assert response.status_code == 401  # refused by BodyMiddleware, before any route
        assert _cors(response)["access-control-allow-origin"] == ALLOWED

    async def test_a_replayed_idempotent_answer_carries_the_origin(self, cors_api):
        headers = {"Origin": ALLOWED, "Idempotency-Key": "cors-replay-1"}
        first = await cors_api.client.post("/conversations", json={"title": "t"}, headers=headers)
        again = await cors_api.client.post("/conversations", json={"title": "t"}, headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.headers["idempotent-replayed"] == "true"
        assert _cors(again)["access-control-allow-origin"] == ALLOWED

    @pytest.mark.parametrize("path", ["/messages/stream", "/parallel-responses/stream"])
    async def test_event_streams_carry_the_origin(self, cors_api, path):
        created = await cors_api.client.post("/conversations", json={"title": "t"})
        cid = created.json()["data"]["conversation"]["id"]
        response = await cors_api.client.post(
            f"/conversations/{cid}{path}",
            json={"content": "hello", "count": 2},
            headers={"Origin": ALLOWED, "Accept": "text/event-stream"},
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/event-stream")
        assert _cors(response)["access-control-allow-origin"] == ALLOWED
        assert payloads(response.text)[-1] == "[DONE]"

    async def test_an_unexpected_error_is_the_wire_500_with_the_origin(
        self, cors_api, monkeypatch, caplog
    ):
        async def broken(*args, **kwargs):
            raise RuntimeError("connection to db-internal:5432 refused")

        monkeypatch.setattr(ConversationService, "list", broken)
        response = await cors_api.client.get(
            "/conversations", headers={"Origin": ALLOWED, "X-Request-Id": "boom-cors"}
        )
        assert response.status_code == 500
        assert response.json() == {
            "success": False,
            "error": "INTERNAL_ERROR",
            "message": "Internal server error",
            "details": {},
        }
        assert "db-internal" not in response.text
        headers = _cors(response)
        assert headers["access-control-allow-origin"] == ALLOWED
        assert "x-request-id" in _listed(headers["access-control-expose-headers"])
        assert response.headers["x-request-id"] == "boom-cors"
        [logged] = [r for r in caplog.records if r.getMessage() == "unhandled error"]
        assert "db-internal" in str(logged.exc_info[1])  # the operator still sees why

    async def test_another_origin_gets_the_answer_without_cors_headers(self, cors_api):
        response = await cors_api.client.get("/conversations", headers={"Origin": OTHER})
        assert response.status_code == 200
        assert _cors(response) == {}
        assert "origin" in _listed(response.headers["vary"])

    async def test_the_web_ui_keeps_its_content_security_policy(self, cors_api):
        response = await cors_api.client.get("http://test/", headers={"Origin": ALLOWED})
        assert response.status_code == 200
        assert "connect-src 'self'" in response.headers["content-security-policy"]


async def test_an_unexpected_error_without_the_setting_has_no_cors_header(api, monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(ConversationService, "list", broken)
    response = await api.client.get("/conversations", headers={"Origin": ALLOWED})
    assert response.status_code == 500 and response.json()["error"] == "INTERNAL_ERROR"
    assert _cors(response) == {}


async def test_without_the_setting_no_origin_gets_cors_headers(api):
    preflight = await _preflight(api.client, ALLOWED)
    assert _cors(preflight) == {}
    response = await api.client.get("/conversations", headers={"Origin": ALLOWED})
    assert response.status_code == 200 and _cors(response) == {}
    assert "vary" not in response.headers


class TestSetting:
    def test_origins_are_kept_as_browsers_write_them(self):
        settings = Settings(
            cors_origins=" HTTPS://App.Example.com:443, http://127.0.0.1:8080 ,http://[::1]:80"
        )
        assert settings.allowed_origins() == {
            "https://app.example.com",
            "http://127.0.0.1:8080",
            "http://[::1]",
        }
        assert Settings().allowed_origins() == frozenset()

    @pytest.mark.parametrize(
        ("value", "reason"),
        [
            ("*", "every site"),
            ("null", "sandboxed"),
            ("https://app.example.com/", "path"),
            ("https://app.example.com/app", "path"),
            ("app.example.com", "scheme"),
            ("ftp://app.example.com", "scheme"),
            ("https://*.example.com", "wildcard"),
            ("https://user@app.example.com", "user name"),
            ("https://app.example.com:port", "not a URL"),
        ],
    )
    def test_a_value_that_is_no_exact_origin_is_refused(self, value, reason):
        with pytest.raises(ValidationError, match="CHATROUTES_CORS_ORIGINS") as refused:
            Settings(cors_origins=f"https://ok.example.com,{value}")
        assert reason in str(refused.value)

    def test_the_server_refuses_to_start_with_one_and_says_why(self, tmp_path, monkeypatch):
        monkeypatch.setenv("CHATROUTES_DATA_DIR", str(tmp_path))
        monkeypatch.delenv("CHATROUTES_DATABASE_URL", raising=False)
        monkeypatch.setenv("CHATROUTES_CORS_ORIGINS", "https://app.example.com/")
        monkeypatch.setenv("COLUMNS", "300")
        result = CliRunner().invoke(cli_app, ["serve", "--port", "1"])
        assert result.exit_code == 2, result.output
        assert "CHATROUTES_CORS_ORIGINS: 'https://app.example.com/' is not an origin" in (
            result.output
        )
