"""Shared fixtures: real databases (SQLite and PostgreSQL), a mock upstream, accounts.

API tests run in-process through ``httpx.ASGITransport`` on both backends; the
schema is migrated once per backend and the rows are wiped between tests.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import delete

from chatroutes.server.app import create_app
from chatroutes.server.services.accounts import AccountService
from chatroutes.server.settings import Settings
from chatroutes.server.store.database import Database
from chatroutes.server.store.images import ChatImage
from chatroutes.server.store.migrate import upgrade
from chatroutes.server.store.openai_responses import ConversationMetadata, OpenAIResponse
from chatroutes.server.store.tables import (
    ApiKey,
    Base,
    Branch,
    Checkpoint,
    Conversation,
    IdempotencyRecord,
    Message,
    RefreshToken,
    ResponseCandidate,
    ResponseSession,
    UsageCounter,
    User,
)
from chatroutes.server.store.usage_ledger import UsageLedgerEntry
from chatroutes.server.store.webhooks import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookQuotaNotice,
)
from tests.support.mock_upstream import MockUpstream
from tests.support.postgres import PostgresServer, PostgresUnavailable, start_postgres
from tests.support.redis import ENV_URL as REDIS_ENV_URL
from tests.support.redis import RedisServer, RedisUnavailable, start_redis

BACKENDS = ["sqlite", "postgresql"]
API_PREFIX = "/api/v1"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files marked ``long`` first, the others after, each file's tests in order.

    Under ``make test`` (``--dist loadfile --no-loadscope-reorder``) a file is one worker's
    and files go out in this order: a file of minutes sent last would end the run alone.
    """
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    try:
        server = start_postgres(tmp_path_factory.mktemp("pg"))
    except PostgresUnavailable as exc:
        if os.environ.get("CHATROUTES_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL is required here: {exc}")
        pytest.skip(f"PostgreSQL not available: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A Redis server for the session; flush it between tests that share it."""
    try:
        server = start_redis(os.environ.get(REDIS_ENV_URL))
    except RedisUnavailable as exc:
        if os.environ.get("CHATROUTES_REQUIRE_REDIS"):
            pytest.fail(f"Redis is required here: {exc}")
        pytest.skip(f"Redis not available: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def upstream() -> Iterator[MockUpstream]:
    with MockUpstream(api_key="test-key") as server:
        yield server


@pytest.fixture(autouse=True)
def _fresh_upstream(request: pytest.FixtureRequest) -> None:
    if "upstream" in request.fixturenames:
        request.getfixturevalue("upstream").clear()


def provider_env(upstream: MockUpstream) -> dict[str, str]:
    return {
        "OPENAI_API_KEY": "test-key",
        "OPENAI_BASE_URL": upstream.openai_base_url,
        "ANTHROPIC_API_KEY": "test-key",
        "ANTHROPIC_BASE_URL": upstream.anthropic_base_url,
    }


_migrated: dict[str, str] = {}


async def database_url_for(backend: str, request: pytest.FixtureRequest) -> str:
    """One migrated database per backend for the whole session."""
    if backend not in _migrated:
        if backend == "sqlite":
            tmp = request.getfixturevalue("tmp_path_factory").mktemp("sqlite")
            url = f"sqlite+aiosqlite:///{tmp / 'chatroutes.db'}"
        else:
            url = request.getfixturevalue("postgres").create_database(f"api_{uuid.uuid4().hex[:8]}")
        await upgrade(url)
        _migrated[backend] = url
    return _migrated[backend]


async def wipe(url: str) -> None:
    db = Database(url)
    try:
        async with db.write() as session:
            for model in (
                WebhookAttempt,
                WebhookDelivery,
                WebhookEndpoint,
                WebhookQuotaNotice,
                OpenAIResponse,
                ConversationMetadata,
                ResponseCandidate,
                ResponseSession,
                IdempotencyRecord,
                UsageCounter,
                RefreshToken,
                Checkpoint,
                ChatImage,
                UsageLedgerEntry,
                Message,
                Branch,
                Conversation,
                ApiKey,
                User,
            ):
                await session.execute(delete(model))
    finally:
        await db.dispose()
    assert {t.name for t in Base.metadata.sorted_tables} == {
        "users",
        "api_keys",
        "conversations",
        "branches",
        "messages",
        "checkpoints",
        "refresh_tokens",
        "usage_counters",
        "idempotency_keys",
        "response_sessions",
        "response_candidates",
        "chat_images",
        "usage_ledger",
        "webhook_endpoints",
        "webhook_deliveries",
        "webhook_attempts",
        "webhook_quota_notices",
        "openai_responses",
        "conversation_metadata",
    }, "a new table needs wiping here"


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
async def settings(
    backend: str,
    request: pytest.FixtureRequest,
    upstream: MockUpstream,
    tmp_path: Path,
) -> Settings:
    url = await database_url_for(backend, request)
    await wipe(url)
    return Settings(
        data_dir=tmp_path,
        database_url=url,
        secret_key="test-secret-at-least-32-bytes-long",
        provider_env=provider_env(upstream),
        default_model="gpt-5",
    )


class Api:
    """An in-process client bound to one account, plus helpers to make more."""

    def __init__(self, app, client: httpx.AsyncClient) -> None:
        self.app = app
        self.client = client
        self.accounts = AccountService(app.state.ctx.db, app.state.ctx.secret)

    async def new_key(self, email: str | None = None, *, plan: str = "enterprise") -> str:
        """A new account's key; enterprise by default, so tests stay clear of plan limits."""
        email = email or f"user-{uuid.uuid4().hex[:10]}@example.com"
        await self.accounts.create_user(email, plan=plan)
        return (await self.accounts.create_key(email)).secret

    def headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"ApiKey {key}"}


@asynccontextmanager
async def client_for(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An app built from ``settings``, with a fresh account, behind an in-process client."""
    app = create_app(settings)
    accounts = AccountService(app.state.ctx.db, app.state.ctx.secret)
    email = f"user-{uuid.uuid4().hex[:10]}@example.com"
    await accounts.create_user(email, plan="enterprise")  # clear of plan limits
    key = (await accounts.create_key(email)).secret
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://test" + API_PREFIX,
            headers={"X-API-Key": key},
        ) as client:
            yield client
    finally:
        await app.state.ctx.http.aclose()
        await app.state.ctx.db.dispose()


@asynccontextmanager
async def api_of(settings: Settings, email: str | None = None) -> AsyncIterator[Api]:
    """The app of ``settings`` in process, its client signed in with a new account's key
    (``email``'s, if given); the app's connections closed after."""
    app = create_app(settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test" + API_PREFIX
    ) as client:
        helper = Api(app, client)
        client.headers.update(helper.headers(await helper.new_key(email)))
        yield helper
    await app.state.ctx.http.aclose()
    await app.state.ctx.db.dispose()


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[Api]:
    async with api_of(settings, "owner@example.com") as helper:
        yield helper


Factory = Callable[..., Awaitable[dict]]


@pytest.fixture
def create_conversation(api: Api) -> Factory:
    async def create(**overrides: object) -> dict:
        response = await api.client.post("/conversations", json={"title": "Test", **overrides})
        assert response.status_code == 201, response.text
        return response.json()["data"]["conversation"]

    return create


@pytest.fixture
def send(api: Api) -> Factory:
    async def do_send(conversation_id: str, content: str, **fields: object) -> dict:
        response = await api.client.post(
            f"/conversations/{conversation_id}/messages", json={"content": content, **fields}
        )
        assert response.status_code == 201, response.text
        return response.json()["data"]

    return do_send
