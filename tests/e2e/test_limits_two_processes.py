"""Two server processes on one database (and one Redis) enforce ONE rate limit and quota.

Each case starts two ``chatroutes serve`` processes sharing a database (a SQLite file or
a PostgreSQL database), optionally with their counters in one Redis, then fires more
requests than the limit at both at once: exactly ``limit`` succeed, the rest get 429.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime

import httpx
import pytest

from tests.conftest import BACKENDS, provider_env
from tests.e2e.conftest import (
    KEY_RE,
    LiveServer,
    _database_url,
    fork_server,
    serving,
    write_tiny_plans,
)

pytestmark = pytest.mark.e2e

LIMIT = 12
REQUESTS = 40


@pytest.fixture(
    params=[
        pytest.param((backend, counters), marks=[pytest.mark.postgres] * (backend != "sqlite"))
        for backend in BACKENDS
        for counters in ("database", "redis")
    ],
    ids=lambda p: "-".join(p),
)
def two_servers(
    request, tmp_path_factory, child_env, upstream
) -> Iterator[tuple[list[LiveServer], dict[str, str]]]:
    backend, counters = request.param
    workdir = tmp_path_factory.mktemp(f"two-{backend}-{counters}")
    plans_file = write_tiny_plans(workdir / "plans.toml", LIMIT)
    env = {
        **child_env,
        **provider_env(upstream),
        "CHATROUTES_DATA_DIR": str(workdir / "data"),
        "CHATROUTES_DATABASE_URL": _database_url(backend, request, workdir),
        "CHATROUTES_SECRET_KEY": "e2e-secret-at-least-32-bytes-long",
        "CHATROUTES_DEFAULT_MODEL": "gpt-5",
        "CHATROUTES_PLANS_FILE": str(plans_file),
    }
    if counters == "redis":
        redis = request.getfixturevalue("redis")
        redis.flush()
        env["CHATROUTES_REDIS_URL"] = redis.url

    def cli(*args: str) -> str:
        done = fork_server().run(list(args), env, workdir)
        assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
        return done.stdout

    keys: dict[str, str] = {}
    for plan in ("tiny", "tiny-quota"):
        email = f"{plan}-{uuid.uuid4().hex[:8]}@example.com"
        cli("users", "create", email)
        cli("users", "set-plan", email, plan)
        keys[plan] = cli("keys", "create", email).strip().splitlines()[-1]
        assert KEY_RE.fullmatch(keys[plan])
    key = keys["tiny"]

    with ExitStack() as stack:
        servers = [
            stack.enter_context(serving(backend, workdir, env, api_key=key, logs=f"-{index}"))
            for index in range(2)
        ]
        yield servers, keys


async def _burst(
    servers: list[LiveServer], key: str, *, one_minute: bool = True
) -> list[httpx.Response]:
    second = datetime.now(UTC).second
    if one_minute and second >= 45:  # one fixed window for the whole burst
        await asyncio.sleep(60 - second + 0.5)
    headers = {"Authorization": f"ApiKey {key}"}
    limits = httpx.Limits(max_connections=REQUESTS)
    async with httpx.AsyncClient(headers=headers, timeout=60, limits=limits) as client:
        return await asyncio.gather(
            *(client.get(servers[i % 2].api_url + "/conversations") for i in range(REQUESTS))
        )


def test_two_processes_enforce_one_limit(two_servers) -> None:
    servers, keys = two_servers
    responses = asyncio.run(_burst(servers, keys["tiny"]))
    codes = [r.status_code for r in responses]
    logs = "\n".join(s.logs() for s in servers)
    assert codes.count(200) == LIMIT, (codes, logs)
    assert codes.count(429) == REQUESTS - LIMIT, (codes, logs)
    for server_index in (0, 1):  # both processes answered, both refused
        served = [codes[i] for i in range(REQUESTS) if i % 2 == server_index]
        assert 429 in served
    refused = next(r for r in responses if r.status_code == 429)
    assert refused.json()["error"] == "RATE_LIMITED"
    assert refused.headers["RateLimit-Policy"] == f'"minute";q={LIMIT};w=60'
    assert refused.headers["RateLimit"].startswith('"minute";r=0;t=')
    remaining = sorted(
        int(r.headers["RateLimit"].split(";")[1][2:]) for r in responses if r.status_code == 200
    )
    assert remaining == list(range(LIMIT))  # every slot handed out exactly once


def test_two_processes_enforce_one_monthly_quota(two_servers) -> None:
    servers, keys = two_servers
    responses = asyncio.run(_burst(servers, keys["tiny-quota"], one_minute=False))
    codes = [r.status_code for r in responses]
    assert codes.count(200) == LIMIT, codes
    assert codes.count(429) == REQUESTS - LIMIT, codes
    refused = [r.json() for r in responses if r.status_code == 429]
    assert {body["error"] for body in refused} == {"QUOTA_EXCEEDED"}
    assert all(body["retryAfter"] > 0 for body in refused)  # until the month ends
