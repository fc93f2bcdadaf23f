"""The deploy/ topology as plain processes: replicas behind a load balancer act as one.

Two ``chatroutes serve`` processes (the second with ``--workers 2``) start at the same
time on one PostgreSQL database and one Redis, sharing a data dir without a configured
secret key (so they race to create it), behind ``tests/support/proxy.py``, a
round-robin TCP proxy standing in for nginx. Every request below goes through the
proxy on a fresh connection, so consecutive requests land on different processes.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import yaml

from chatroutes.server.auth.secret import load_or_create_secret
from chatroutes.server.services.accounts import AccountService
from chatroutes.server.services.billing import set_plan
from chatroutes.server.services.limits import plan_table
from chatroutes.server.settings import Settings
from chatroutes.server.store.database import Database
from chatroutes.server.store.migrate import upgrade
from tests.conftest import provider_env
from tests.e2e.conftest import (
    CLI,
    KEY_RE,
    LiveServer,
    _free_port,
    _stop,
    _wait_until_up,
    write_tiny_plans,
)
from tests.support.mock_upstream import Fault, MockUpstream
from tests.support.proxy import RoundRobinProxy
from tests.support.sse import parse_events

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

LIMIT = 8
REQUESTS = 20


@dataclass
class Cluster:
    servers: list[LiveServer]
    proxy: RoundRobinProxy
    key: str  # the first-start key: an enterprise account, clear of limits
    plan_keys: dict[str, str]

    @property
    def api_url(self) -> str:
        return self.proxy.url + "/api/v1"

    def request(
        self, method: str, path: str, *, body: object = None, headers: dict[str, str] | None = None
    ) -> tuple[int, httpx.Response]:
        """One request on a new connection; returns the backend it went to and the response."""
        backend = self.proxy.next_backend()
        with httpx.Client(timeout=30) as client:
            response = client.request(
                method,
                self.api_url + path,
                json=body,
                headers={"Authorization": f"ApiKey {self.key}", **(headers or {})},
            )
        return backend, response


async def _accounts(env: dict[str, str], data_dir: Path) -> dict[str, str]:
    """Users on the test plans, made in-process on the shared database; their keys."""
    settings = Settings(
        database_url=env["CHATROUTES_DATABASE_URL"], plans_file=Path(env["CHATROUTES_PLANS_FILE"])
    )
    db = Database(settings.resolved_database_url())
    accounts = AccountService(db, load_or_create_secret(None, data_dir))
    keys = {}
    try:
        for plan in ("tiny", "tiny-quota"):
            email = f"{plan}-{uuid.uuid4().hex[:8]}@example.com"
            await accounts.create_user(email)
            await set_plan(db, plan_table(settings), email, plan)
            keys[plan] = (await accounts.create_key(email)).secret
    finally:
        await db.dispose()
    return keys


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, child_env, upstream, postgres, redis) -> Iterator[Cluster]:
    workdir = tmp_path_factory.mktemp("scale-out")
    plans_file = write_tiny_plans(workdir / "plans.toml", LIMIT)
    redis.flush()
    data_dir = workdir / "data"
    env = {
        **child_env,
        **provider_env(upstream),
        "CHATROUTES_DATA_DIR": str(data_dir),  # no CHATROUTES_SECRET_KEY: generated, shared
        "CHATROUTES_DATABASE_URL": postgres.create_database(f"scale_{uuid.uuid4().hex[:10]}"),
        "CHATROUTES_REDIS_URL": redis.url,
        "CHATROUTES_DEFAULT_MODEL": "gpt-5",
        "CHATROUTES_PLANS_FILE": str(plans_file),
        # what another process sees of a generation comes with its heartbeats
        "CHATROUTES_GENERATION_HEARTBEAT_SECONDS": "0.25",
    }
    # What the compose file's one-shot `migrate` service does before the replicas start.
    asyncio.run(upgrade(env["CHATROUTES_DATABASE_URL"]))
    servers: list[LiveServer] = []
    try:
        for index, workers in enumerate((1, 2)):  # started at once, not one after the other
            port = _free_port()
            stdout, stderr = workdir / f"stdout-{index}.log", workdir / f"stderr-{index}.log"
            with stdout.open("wb") as out, stderr.open("wb") as err:
                serve = ["serve", "--port", str(port), "--no-access-log", "--workers", str(workers)]
                process = subprocess.Popen(
                    [*CLI, *serve],
                    env=env,
                    cwd=workdir,
                    stdout=out,
                    stderr=err,
                )
            url = f"http://127.0.0.1:{port}"
            servers.append(LiveServer("postgresql", url, "", env, workdir, process, stdout, stderr))
        for server in servers:
            _wait_until_up(server)
        printed = [KEY_RE.findall(server.stdout.read_text()) for server in servers]
        keys = [key for found in printed for key in found]
        assert len(keys) == 1, f"the first-start key must be printed once, got {printed}"
        plan_keys = asyncio.run(_accounts(env, data_dir))
        backends = [("127.0.0.1", int(server.url.rsplit(":", 1)[1])) for server in servers]
        with RoundRobinProxy(backends) as proxy:
            yield Cluster(servers, proxy, keys[0], plan_keys)
    finally:
        for server in servers:
            _stop(server.process)


def _logs(cluster: Cluster) -> str:
    return "\n".join(server.logs() for server in cluster.servers)


async def _burst(cluster: Cluster, key: str, *, one_minute: bool) -> list[httpx.Response]:
    """``REQUESTS`` GETs at once, each on its own connection, so spread over both processes."""
    second = datetime.now(UTC).second
    if one_minute and second >= 45:  # one fixed rate-limit window for the whole burst
        await asyncio.sleep(60 - second + 0.5)

    async def one() -> httpx.Response:
        async with httpx.AsyncClient(timeout=30) as client:
            return await client.get(
                cluster.api_url + "/conversations", headers={"Authorization": f"ApiKey {key}"}
            )

    return await asyncio.gather(*(one() for _ in range(REQUESTS)))


def test_every_key_works_on_every_process(cluster: Cluster) -> None:
    """One secret: the key hashed by one process is recognised by the others."""
    served = {cluster.request("GET", "/conversations")[0] for _ in range(4)}
    assert served == {0, 1}
    assert (cluster.servers[0].workdir / "data" / "secret_key").exists()


@pytest.mark.parametrize(
    ("plan", "code"), [("tiny", "RATE_LIMITED"), ("tiny-quota", "QUOTA_EXCEEDED")]
)
def test_limits_are_exact_across_processes(cluster: Cluster, plan: str, code: str) -> None:
    start = len(cluster.proxy.routed)
    responses = asyncio.run(_burst(cluster, cluster.plan_keys[plan], one_minute=plan == "tiny"))
    codes = [r.status_code for r in responses]
    assert codes.count(200) == LIMIT, (codes, _logs(cluster))
    assert codes.count(429) == REQUESTS - LIMIT, codes
    assert set(cluster.proxy.routed[start:]) == {0, 1}  # both processes took part
    assert {r.json()["error"] for r in responses if r.status_code == 429} == {code}


def test_idempotent_post_is_replayed_by_the_other_process(cluster: Cluster) -> None:
    headers = {"Idempotency-Key": f"scale-{uuid.uuid4().hex}"}
    body = {"title": "Made once"}
    first_backend, first = cluster.request("POST", "/conversations", body=body, headers=headers)
    second_backend, again = cluster.request("POST", "/conversations", body=body, headers=headers)
    assert first_backend != second_backend
    assert first.status_code == again.status_code == 201, (first.text, again.text)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    _, listed = cluster.request("GET", "/conversations")
    titles = [c["title"] for c in listed.json()["data"]["conversations"]]
    assert titles.count("Made once") == 1


def _conversation(cluster: Cluster) -> str:
    _, created = cluster.request("POST", "/conversations", body={"title": "Scale-out"})
    assert created.status_code == 201, created.text
    return created.json()["data"]["conversation"]["id"]


PROMPT = " ".join(f"word{i}" for i in range(40))


def _leave_a_stream(cluster: Cluster, conversation_id: str) -> tuple[int, str, str]:
    """Start a streamed send and leave after a few chunks (the generation goes on).

    Returns the backend it went to, the text received and the last event id.
    """
    backend = cluster.proxy.next_backend()
    received, last_id = "", None
    headers = {"Authorization": f"ApiKey {cluster.key}", "Accept": "text/event-stream"}
    with (
        httpx.Client(timeout=30) as client,
        client.stream(
            "POST",
            f"{cluster.api_url}/conversations/{conversation_id}/messages/stream",
            json={"content": PROMPT},
            headers=headers,
        ) as response,
    ):
        assert response.status_code == 200
        for line in response.iter_lines():
            if line.startswith("id: "):
                last_id = line[4:]
            elif line.startswith("data: {"):
                received += json.loads(line[6:])["content"]
                if received.count(" ") >= 3:
                    break
    assert last_id is not None
    return backend, received, last_id


def test_stream_started_on_one_process_is_resumed_on_the_other(
    cluster: Cluster, upstream: MockUpstream
) -> None:
    conversation_id = _conversation(cluster)
    upstream.chunk_delay = 0.08  # ~3 s of streaming: the reader comes back mid-reply
    try:
        first_backend, received, last_id = _leave_a_stream(cluster, conversation_id)
        reply_id = last_id.rsplit(":", 1)[0]
        resumed = time.monotonic()
        second_backend, rest = cluster.request(
            "GET",
            f"/conversations/{conversation_id}/messages/{reply_id}/stream",
            headers={"Last-Event-ID": last_id, "Accept": "text/event-stream"},
        )
        waited = time.monotonic() - resumed
    finally:
        upstream.chunk_delay = 0.0
    assert first_backend != second_backend
    assert rest.status_code == 200, rest.text
    assert waited > 0.5  # it came back mid-reply and waited for the rest, not after the end
    events = [payload for _, payload in parse_events(rest.text)]
    assert events[-1] == "[DONE]"
    [complete] = [e for e in events if isinstance(e, dict) and e["type"] == "complete"]
    pieces = [e["content"] for e in events[:-1] if e["type"] == "content"]
    assert len(pieces) >= 3  # followed as the generating process flushed it, not in one go
    assert received + "".join(pieces) == "Echo: " + PROMPT == complete["message"]["content"]
    assert complete["message"]["id"] == reply_id
    _, listed = cluster.request("GET", f"/conversations/{conversation_id}/messages")
    assert [m["role"] for m in listed.json()["data"]["messages"]] == ["user", "assistant"]


def test_a_reply_generating_on_one_process_is_stopped_through_the_other(
    cluster: Cluster, upstream: MockUpstream
) -> None:
    conversation_id = _conversation(cluster)
    upstream.chunk_delay = 0.08
    try:
        first_backend, received, last_id = _leave_a_stream(cluster, conversation_id)
        reply_id = last_id.rsplit(":", 1)[0]
        second_backend, stopped = cluster.request(
            "POST", f"/conversations/{conversation_id}/messages/{reply_id}/stop"
        )
    finally:
        upstream.chunk_delay = 0.0
    assert first_backend != second_backend
    assert stopped.status_code == 200, stopped.text
    data = stopped.json()["data"]
    assert data["stopped"] is True
    kept = data["message"]["content"]
    assert kept.startswith(received) and len(kept) < len("Echo: " + PROMPT)
    assert data["message"]["id"] == reply_id
    assert data["message"]["metadata"]["finishReason"] == "stopped"
    _, listed = cluster.request("GET", f"/conversations/{conversation_id}/messages")
    assert [m["content"] for m in listed.json()["data"]["messages"]] == [PROMPT, kept]


def test_unknown_reply_on_another_process_is_not_found(cluster: Cluster) -> None:
    conversation_id = _conversation(cluster)
    _, response = cluster.request(
        "GET", f"/conversations/{conversation_id}/messages/msg_0000000000nothere/stream"
    )
    assert response.status_code == 404, response.text


def test_concurrent_sends_to_one_branch_on_two_processes(
    cluster: Cluster, upstream: MockUpstream
) -> None:
    conversation_id = _conversation(cluster)
    upstream.enqueue(Fault.delay(1.0))  # the winner holds the branch while the other arrives
    start = len(cluster.proxy.routed)

    async def send(text: str) -> httpx.Response:
        async with httpx.AsyncClient(timeout=30) as client:
            return await client.post(
                f"{cluster.api_url}/conversations/{conversation_id}/messages",
                json={"content": text},
                headers={"Authorization": f"ApiKey {cluster.key}"},
            )

    async def both() -> list[httpx.Response]:
        return await asyncio.gather(send("first"), send("second"))

    responses = asyncio.run(both())
    assert sorted(cluster.proxy.routed[start:]) == [0, 1]
    assert sorted(r.status_code for r in responses) == [201, 409], [r.text for r in responses]
    [busy] = [r for r in responses if r.status_code == 409]
    assert busy.json()["error"] == "BRANCH_BUSY"
    assert int(busy.headers["Retry-After"]) > 0
    [sent] = [r.json()["data"] for r in responses if r.status_code == 201]
    _, listed = cluster.request("GET", f"/conversations/{conversation_id}/messages")
    messages = listed.json()["data"]["messages"]
    assert [m["id"] for m in messages] == [  # nothing of the loser kept
        sent["userMessage"]["id"],
        sent["assistantMessage"]["id"],
    ]


DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_deploy_files_describe_this_topology() -> None:
    """deploy/ cannot be built here (no image registry): check what the README promises."""
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "migrate", "chatroutes", "nginx"}
    server = services["chatroutes"]
    assert server["deploy"]["replicas"] >= 2
    assert server["build"]["dockerfile"] == "deploy/Dockerfile"
    env = server["environment"]
    assert env == services["migrate"]["environment"]
    assert "@postgres:5432/" in env["CHATROUTES_DATABASE_URL"]
    assert env["CHATROUTES_REDIS_URL"].startswith("redis://redis:6379")
    assert ":?" in env["CHATROUTES_SECRET_KEY"]  # required: every replica hashes keys alike
    assert server["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["chatroutes", "db", "upgrade"]
    for name in ("chatroutes", "nginx"):
        assert any("/health" in part for part in services[name]["healthcheck"]["test"])
    assert "./nginx.conf:/etc/nginx/nginx.conf:ro" in services["nginx"]["volumes"]

    nginx = (DEPLOY / "nginx.conf").read_text()
    assert "server chatroutes:8000" in nginx
    assert "proxy_buffering off;" in nginx
    read_timeout = int(re.search(r"proxy_read_timeout (\d+)s;", nginx).group(1))
    assert read_timeout > Settings().upstream_deadline_seconds

    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert dockerfile.count("FROM python:3.12-slim") == 2
    assert re.search(r"^USER chatroutes$", dockerfile, re.M)
    assert "'.[server]'" in dockerfile
    assert '"serve", "--host", "0.0.0.0", "--port", "8000"' in dockerfile
    readme = (DEPLOY.parent / "README.md").read_text()
    assert "docker compose -f deploy/compose.yaml up" in readme
