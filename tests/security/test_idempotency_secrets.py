"""Answers that carry a secret are never written into an ``Idempotency-Key`` record.

A new API key and session tokens (register, login, refresh, guest start and convert)
are answered once, marked ``Cache-Control: no-store``; the record keeps only that mark
and the status, and a repeat of the key gets 409 ``IDEMPOTENCY_SECRET_NOT_REPLAYED``
instead of the secret, from this process or any other.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from chatroutes.server.app import create_app
from chatroutes.server.services.idempotency import scope_of
from chatroutes.server.settings import Settings
from chatroutes.server.store.tables import ApiKey, IdempotencyRecord, RefreshToken
from tests.conftest import API_PREFIX

PASSWORD = "a-long-password"


@dataclass
class SecretRequest:
    """One request whose answer carries secrets, sent with ``credential``."""

    path: str
    credential: str
    body: dict[str, Any] | None
    status: int

    @property
    def headers(self) -> dict[str, str]:
        scheme = "ApiKey" if self.credential.startswith("cr_prod_sk_") else "Bearer"
        return {"Authorization": f"{scheme} {self.credential}"}


def new_email() -> str:
    return f"person-{uuid.uuid4().hex[:10]}@example.com"


async def register(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.post(
        "/auth/register", json={"email": new_email(), "password": PASSWORD}
    )
    assert response.status_code == 201, response.text
    return response.json()["data"]


async def _api_key(client: httpx.AsyncClient, api_key: str) -> SecretRequest:
    return SecretRequest("/api-keys", api_key, {"name": "laptop"}, 201)


async def _register(client: httpx.AsyncClient, api_key: str) -> SecretRequest:
    body = {"email": new_email(), "password": PASSWORD}
    return SecretRequest("/auth/register", api_key, body, 201)


async def _login(client: httpx.AsyncClient, api_key: str) -> SecretRequest:
    email = new_email()
    made = await client.post("/auth/register", json={"email": email, "password": PASSWORD})
    assert made.status_code == 201, made.text
    return SecretRequest("/auth/login", api_key, {"email": email, "password": PASSWORD}, 200)


async def _refresh(client: httpx.AsyncClient, api_key: str) -> SecretRequest:
    tokens = (await register(client))["tokens"]
    body = {"refreshToken": tokens["refreshToken"]}
    return SecretRequest("/auth/refresh", tokens["accessToken"], body, 200)


async def _guest(client: httpx.AsyncClient, api_key: str) -> SecretRequest:
    signed_in = (await register(client))["tokens"]["accessToken"]
    return SecretRequest("/auth/guest", signed_in, None, 201)


async def _convert(client: httpx.AsyncClient, api_key: str) -> SecretRequest:
    guest = await client.post("/auth/guest")
    assert guest.status_code == 201, guest.text
    access = guest.json()["data"]["tokens"]["accessToken"]
    body = {"email": new_email(), "password": PASSWORD}
    return SecretRequest("/auth/guest/convert", access, body, 200)


Setup = Callable[[httpx.AsyncClient, str], Awaitable[SecretRequest]]
# Every POST under /api/v1 whose answer carries a secret, and how to make one.
SECRET_ROUTES: dict[str, Setup] = {
    "/api-keys": _api_key,
    "/auth/register": _register,
    "/auth/login": _login,
    "/auth/refresh": _refresh,
    "/auth/guest": _guest,
    "/auth/guest/convert": _convert,
}


def secrets_in(data: Any) -> list[str]:
    """Every token and API key in an answer's data."""
    found: list[str] = []
    if isinstance(data, dict):
        for name, value in data.items():
            if name in ("accessToken", "refreshToken") or (
                name == "key" and str(value).startswith("cr_prod_sk_")
            ):
                found.append(value)
            else:
                found.extend(secrets_in(value))
    return found


async def counts(api) -> tuple[int, int]:
    """API keys and refresh tokens in the database: a replay must add none."""
    async with api.app.state.ctx.db.read() as session:
        keys = await session.scalar(select(func.count()).select_from(ApiKey))
        tokens = await session.scalar(select(func.count()).select_from(RefreshToken))
    return keys, tokens


async def stored_row(api, credential: str, key: str) -> dict[str, Any]:
    async with api.app.state.ctx.db.read() as session:
        row = (
            await session.execute(
                select(IdempotencyRecord.__table__).where(
                    IdempotencyRecord.scope == scope_of(credential), IdempotencyRecord.key == key
                )
            )
        ).one()
    return dict(row._mapping)


@pytest.fixture
def client(api) -> httpx.AsyncClient:
    """The in-process client without credentials: each request names its own."""
    api.owner_key = api.client.headers.pop("Authorization").split(" ", 1)[1]
    return api.client


@pytest.mark.parametrize("route", list(SECRET_ROUTES))
async def test_a_secret_answer_is_not_stored_and_its_repeat_is_409(api, client, settings, route):
    request = await SECRET_ROUTES[route](client, api.owner_key)
    assert request.path == route
    key = f"secret-{uuid.uuid4().hex}"
    headers = {**request.headers, "Idempotency-Key": key}

    first = await client.post(request.path, json=request.body, headers=headers)

    assert first.status_code == request.status, first.text
    assert first.headers["Cache-Control"] == "no-store"
    secrets = secrets_in(first.json()["data"])
    assert secrets, first.text
    row = await stored_row(api, request.credential, key)
    assert row["state"] == "done" and row["status_code"] == request.status
    stored = repr(row)
    assert not [secret for secret in secrets if secret in stored]
    assert not row["response_body"]

    before = await counts(api)
    again = await client.post(request.path, json=request.body, headers=headers)
    elsewhere = create_app(settings)  # another process: nothing in its memory
    try:
        transport = httpx.ASGITransport(app=elsewhere)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test" + API_PREFIX
        ) as other:
            from_elsewhere = await other.post(request.path, json=request.body, headers=headers)
    finally:
        await elsewhere.state.ctx.http.aclose()
        await elsewhere.state.ctx.db.dispose()

    for repeat in (again, from_elsewhere):
        assert repeat.status_code == 409, repeat.text
        body = repeat.json()
        assert body["error"] == "IDEMPOTENCY_SECRET_NOT_REPLAYED"
        assert body["details"] == {"field": "Idempotency-Key", "status": request.status}
        assert not [secret for secret in secrets if secret in repeat.text]
    assert await counts(api) == before  # the repeats ran nothing


async def test_every_route_answering_a_secret_is_covered(tmp_path):
    """A POST under /api/v1 whose answer holds a token or a key is one of those above."""
    app = create_app(Settings(data_dir=tmp_path, secret_key="s" * 32))
    document = app.openapi()
    await app.state.ctx.http.aclose()
    await app.state.ctx.db.dispose()
    components = document["components"]["schemas"]

    def carries_secret(schema: dict[str, Any], seen: frozenset[str] = frozenset()) -> bool:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[1]
            return name not in seen and carries_secret(components[name], seen | {name})
        for name, prop in schema.get("properties", {}).items():
            if name in ("accessToken", "refreshToken"):
                return True
            if name == "key" and prop.get("pattern", "").startswith("^cr_prod_sk_"):
                return True
            if carries_secret(prop, seen):
                return True
        parts = [*schema.get("anyOf", []), *schema.get("allOf", []), *schema.get("oneOf", [])]
        if "items" in schema:
            parts.append(schema["items"])
        return any(carries_secret(part, seen) for part in parts)

    answering_secrets = {
        path.removeprefix(API_PREFIX)
        for path, operations in document["paths"].items()
        if path.startswith("/api/v1/") and "post" in operations
        for status, answer in operations["post"]["responses"].items()
        if status.startswith("2")
        for content in answer.get("content", {}).values()
        if carries_secret(content.get("schema", {}))
    }
    assert answering_secrets == set(SECRET_ROUTES)
