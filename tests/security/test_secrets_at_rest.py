"""Secrets at rest: private files, a long enough key, expired guests purged, /metrics kept in.

- The data dir is 0700; the SQLite database, its ``-wal`` and ``-shm``, and the generated
  ``secret_key`` are 0600; looser ones found at start are tightened, and that is logged.
- ``CHATROUTES_SECRET_KEY`` shorter than 32 bytes is refused at start.
- An expired guest's data is purged (by the server's maintenance and by ``chatroutes db
  purge``); what it spent stays in the usage ledger.
- ``GET /metrics`` answers loopback clients only, unless a metrics token is set.
"""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import func, select, update

from chatroutes.server.app import create_app
from chatroutes.server.services.accounts import AccountService
from chatroutes.server.services.maintenance import run_maintenance
from chatroutes.server.services.server_context import utcnow
from chatroutes.server.settings import Settings
from chatroutes.server.store.migrate import upgrade
from chatroutes.server.store.tables import (
    Conversation,
    Message,
    RefreshToken,
    UsageCounter,
    User,
)
from chatroutes.server.store.usage_ledger import UsageLedgerEntry
from tests.conftest import API_PREFIX, provider_env
from tests.support.mock_upstream import MockUpstream

SECRET = "secrets-at-rest-at-least-32-bytes-long"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The umask most systems start with (0022: new files world-readable)."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def embedded_settings(data_dir: Path, upstream: MockUpstream, **overrides: object) -> Settings:
    """The default deployment: SQLite and a generated secret, both in the data dir."""
    return Settings(
        data_dir=data_dir,
        provider_env=provider_env(upstream),
        default_model="gpt-5",
        **overrides,
    )


async def write_something(app) -> None:
    """An account, a key and a conversation made over HTTP: the database is written."""
    accounts = AccountService(app.state.ctx.db, app.state.ctx.secret)
    email = f"files-{uuid.uuid4().hex[:8]}@example.com"
    await accounts.create_user(email, plan="enterprise")
    key = (await accounts.create_key(email)).secret
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test" + API_PREFIX, headers={"X-API-Key": key}
    ) as client:
        response = await client.post("/conversations", json={"title": "on disk"})
        assert response.status_code == 201, response.text


async def close(app) -> None:
    await app.state.ctx.http.aclose()
    await app.state.ctx.db.dispose()


class TestFiles:
    async def test_a_new_data_dir_its_database_and_secret_are_private(
        self, tmp_path, upstream, usual_umask
    ):
        data_dir = tmp_path / "data"
        settings = embedded_settings(data_dir, upstream)
        await upgrade(settings.resolved_database_url())  # as `chatroutes serve` does first
        app = create_app(settings)
        try:
            await write_something(app)
            database = data_dir / "chatroutes.db"
            files = [database, data_dir / "chatroutes.db-wal", data_dir / "chatroutes.db-shm"]
            assert all(path.exists() for path in files)  # WAL mode: both while it is open
            assert {path.name: mode(path) for path in files} == {path.name: 0o600 for path in files}
            assert mode(data_dir / "secret_key") == 0o600
            assert mode(data_dir) == 0o700
        finally:
            await close(app)

    async def test_looser_files_found_at_start_are_tightened_and_logged(
        self, tmp_path, upstream, usual_umask, caplog
    ):
        data_dir = tmp_path / "data"
        data_dir.mkdir(mode=0o755)
        os.chmod(data_dir, 0o755)
        settings = embedded_settings(data_dir, upstream)
        await upgrade(settings.resolved_database_url())
        database = data_dir / "chatroutes.db"
        secret = data_dir / "secret_key"
        secret.write_text("ab" * 32)
        for path in (database, secret):
            os.chmod(path, 0o644)  # as an older version, or a hand, left them

        with caplog.at_level(logging.WARNING, logger="chatroutes.server"):
            app = create_app(settings)
        try:
            await write_something(app)
            assert mode(data_dir) == 0o700
            assert mode(database) == mode(secret) == 0o600
            assert mode(data_dir / "chatroutes.db-wal") == 0o600
            assert app.state.ctx.secret == b"ab" * 32  # the same key, only closed
        finally:
            await close(app)
        logged = "\n".join(record.getMessage() for record in caplog.records)
        for path in (data_dir, database, secret):
            assert f"{path} was readable by others" in logged


class TestSecretKey:
    @pytest.mark.parametrize("value", ["test-secret", "x" * 31, "\u00e9" * 15 + "x", ""])
    def test_a_key_under_32_bytes_is_refused(self, value):
        with pytest.raises(ValidationError, match="at least 32 bytes"):
            Settings(secret_key=value)

    @pytest.mark.parametrize("value", ["x" * 32, "\u00e9" * 16])
    def test_a_key_of_32_bytes_is_taken(self, value):
        assert Settings(secret_key=value).secret_key == value

    def test_the_server_refuses_to_start_with_a_short_key(self, tmp_path):
        # a server that started would never return: the timeout fails the test
        done = run_cli(["serve"], tmp_path, "too-short", tmp_path)
        assert done.returncode == 2, done.stdout + done.stderr
        assert "CHATROUTES_SECRET_KEY must be at least 32 bytes" in done.stdout
        assert not (tmp_path / "chatroutes.db").exists()  # refused before anything


async def start_guest(client: httpx.AsyncClient) -> tuple[str, dict[str, str]]:
    response = await client.post("/auth/guest", headers={"Authorization": ""})
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    return data["user"]["id"], {"Authorization": f"Bearer {data['tokens']['accessToken']}"}


async def converse(client: httpx.AsyncClient, headers: dict[str, str], *texts: str) -> list[int]:
    """A conversation with a reply per text; returns (prompt, completion) tokens spent."""
    created = await client.post("/conversations", json={"title": "trying"}, headers=headers)
    assert created.status_code == 201, created.text
    cid = created.json()["data"]["conversation"]["id"]
    spent = [0, 0]
    for text in texts:
        sent = await client.post(
            f"/conversations/{cid}/messages", json={"content": text}, headers=headers
        )
        assert sent.status_code == 201, sent.text
        usage = sent.json()["data"]["usage"]
        spent[0] += usage["promptTokens"]
        spent[1] += usage["completionTokens"]
    return spent


async def expire(api, *user_ids: str) -> None:
    async with api.app.state.ctx.db.write() as session:
        await session.execute(
            update(User)
            .where(User.id.in_(user_ids))
            .values(guest_expires_at=utcnow() - timedelta(minutes=1))
        )


async def holdings(api, user_id: str) -> dict[str, int]:
    """How many rows of each kind the user still has."""
    conversations = select(Conversation.id).where(Conversation.user_id == user_id)
    queries = {
        "user": select(func.count()).select_from(User).where(User.id == user_id),
        "conversations": select(func.count()).where(Conversation.user_id == user_id),
        "messages": select(func.count()).where(Message.conversation_id.in_(conversations)),
        "tokens": select(func.count()).where(RefreshToken.user_id == user_id),
        "counters": select(func.count()).where(UsageCounter.subject == f"user:{user_id}"),
    }
    async with api.app.state.ctx.db.read() as session:
        return {name: await session.scalar(query) for name, query in queries.items()}


async def ledger(api, user_id: str) -> tuple[int, int, int]:
    async with api.app.state.ctx.db.read() as session:
        entries = list(
            await session.scalars(
                select(UsageLedgerEntry).where(UsageLedgerEntry.user_id == user_id)
            )
        )
    return (
        sum(e.prompt_tokens for e in entries),
        sum(e.completion_tokens for e in entries),
        sum(e.messages for e in entries),
    )


def run_cli(
    arguments: list[str], cwd: Path, secret: str, data_dir: Path
) -> subprocess.CompletedProcess[str]:
    """``chatroutes <arguments>`` in a process of its own, with none of the caller's
    CHATROUTES_ settings but ``secret`` and ``data_dir``; at most a minute."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATROUTES_")}
    env |= {"CHATROUTES_SECRET_KEY": secret, "CHATROUTES_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-c", "from chatroutes.cli import main; main()", *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=cwd,
        env=env,
    )


def db_purge(url: str, cwd: Path) -> str:
    done = run_cli(["db", "purge", "--database-url", url], cwd, SECRET, cwd / "data")
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.usefixtures("upstream")
class TestExpiredGuests:
    async def test_db_purge_removes_their_data_and_keeps_their_usage(self, api, settings, tmp_path):
        client = api.client
        spender, spender_auth = await start_guest(client)
        spent = await converse(client, spender_auth, "first question", "and a second one")
        idle, _ = await start_guest(client)
        live, live_auth = await start_guest(client)
        await converse(client, live_auth, "still here")
        await expire(api, spender, idle)
        before = await holdings(api, spender)
        assert before["conversations"] == 1 and before["messages"] == 4 and before["tokens"]
        assert before["counters"]

        output = db_purge(settings.resolved_database_url(), tmp_path)

        assert "Purged 2 expired guest accounts." in output
        assert await holdings(api, spender) == {
            "user": 1,  # kept: the owner of its ledger rows
            "conversations": 0,
            "messages": 0,
            "tokens": 0,
            "counters": 0,
        }
        assert await ledger(api, spender) == (spent[0], spent[1], 4)
        assert (await holdings(api, idle))["user"] == 0  # spent nothing: nothing kept
        after_live = await holdings(api, live)
        assert after_live["conversations"] == 1 and after_live["messages"] == 2
        assert (await client.get("/conversations", headers=live_auth)).status_code == 200
        assert (await client.get("/conversations")).status_code == 200  # the owner's key
        assert "Purged 0 expired guest accounts." in db_purge(
            settings.resolved_database_url(), tmp_path
        )
        assert await ledger(api, spender) == (spent[0], spent[1], 4)  # counted once

    async def test_the_servers_maintenance_purges_them(self, api, settings):
        guest, auth = await start_guest(api.client)
        spent = await converse(api.client, auth, "one question")
        await expire(api, guest)
        often = {"recovery_interval_seconds": 0.05, "purge_interval_seconds": 0.05}
        server = create_app(settings.model_copy(update=often))
        maintenance = asyncio.create_task(run_maintenance(server.state.ctx))
        try:
            for _ in range(200):
                if (await holdings(api, guest))["conversations"] == 0:
                    break
                await asyncio.sleep(0.05)
        finally:
            maintenance.cancel()
            await close(server)
        assert await holdings(api, guest) == {
            "user": 1,
            "conversations": 0,
            "messages": 0,
            "tokens": 0,
            "counters": 0,
        }
        assert await ledger(api, guest) == (spent[0], spent[1], 2)


class TestMetrics:
    @pytest.fixture
    async def make_app(self, tmp_path, upstream):
        made = []

        def make(**overrides: object):
            app = create_app(
                embedded_settings(tmp_path / "data", upstream, secret_key=SECRET, **overrides)
            )
            made.append(app)
            return app

        yield make
        for app in made:
            await close(app)

    @staticmethod
    async def scrape(app, address: str, **headers: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=(address, 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get("/metrics", headers=headers)

    async def test_without_a_token_only_loopback_clients_are_answered(self, make_app):
        app = make_app(trusted_proxies="10.0.0.0/8")
        for loopback in ("127.0.0.1", "::1"):
            assert (await self.scrape(app, loopback)).status_code == 200
        refused = await self.scrape(app, "203.0.113.9")
        assert refused.status_code == 403 and refused.json()["error"] == "FORBIDDEN"
        assert "CHATROUTES_METRICS_TOKEN" in refused.json()["message"]
        # Through a trusted proxy, it is the client that counts, not the proxy.
        proxied = await self.scrape(app, "10.0.0.2", **{"X-Forwarded-For": "203.0.113.9"})
        assert proxied.status_code == 403

    async def test_with_a_token_it_is_needed_from_anyone(self, make_app):
        app = make_app(metrics_token="scrape-me")
        bearer = {"Authorization": "Bearer scrape-me"}
        assert (await self.scrape(app, "203.0.113.9", **bearer)).status_code == 200
        assert (await self.scrape(app, "127.0.0.1")).status_code == 401
        assert (await self.scrape(app, "203.0.113.9")).status_code == 401
