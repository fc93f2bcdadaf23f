"""Operating the server: /metrics, request ids, JSON logs, /health and /ready, traces."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import socket
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from chatroutes.server.app import create_app
from chatroutes.server.observability.logs import JsonFormatter, RequestIdFilter
from chatroutes.server.services.accounts import AccountService
from tests.conftest import client_for
from tests.e2e.conftest import _SCRUBBED, CLI, PYCACHE_PREFIX, START_TIMEOUT, _stop
from tests.support.mock_upstream import Fault

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
REQUESTS = "chatroutes_http_requests_total"
UPSTREAM = "chatroutes_upstream_requests_total"


@pytest.fixture
def settings(settings):
    """Quick retries, so failing upstreams resolve fast."""
    return settings.model_copy(update={"upstream_retry_budget_seconds": 5.0})


@asynccontextmanager
async def root_client(app) -> AsyncIterator[httpx.AsyncClient]:
    """A client for the root paths (/metrics, /ready), closing the app's resources after.

    An unhandled error reaches it as the 500 response, as a real server sends it.
    """
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
            base_url="http://test",
        ) as client:
            yield client
    finally:
        await app.state.ctx.http.aclose()
        await app.state.ctx.db.dispose()


async def scrape(client: httpx.AsyncClient, **headers: str) -> Samples:
    response = await client.get("http://test/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def growth(before: Samples, after: Samples) -> Callable[..., float]:
    """``grew(name, **labels)``: how much a sample grew from ``before`` to ``after``."""

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    return grew


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class TestMetrics:
    @sqlite_only
    async def test_requests_are_counted_by_route_template_never_by_id(
        self, api, create_conversation
    ):
        before = await scrape(api.client)
        cid = (await create_conversation())["id"]
        assert (await api.client.get(f"/conversations/{cid}")).status_code == 200
        assert (await api.client.get("/conversations/conv_missing")).status_code == 404
        assert (await api.client.get("/no/such/route")).status_code == 404
        after = await scrape(api.client)
        grew = growth(before, after)

        route = "/api/v1/conversations/{conversation_id}"
        assert grew(REQUESTS, method="GET", route=route, status="200") == 1
        assert grew(REQUESTS, method="GET", route=route, status="404") == 1
        assert grew(REQUESTS, method="POST", route="/api/v1/conversations", status="201") == 1
        assert grew(REQUESTS, method="GET", route="unmatched", status="404") == 1
        assert (
            grew("chatroutes_http_request_duration_seconds_count", method="GET", route=route) == 2
        )
        routes = {dict(labels).get("route") for _, labels in after}
        assert not any(r and (cid in r or "conv_missing" in r or "/no/" in r) for r in routes)

    async def test_database_pools_are_reported(self, api, backend):
        samples = await scrape(api.client)
        pools = ["main"] if backend == "postgresql" else ["read", "write", "light"]
        for pool in pools:
            assert value(samples, "chatroutes_db_pool_size", pool=pool) > 0
            assert ("chatroutes_db_pool_checked_out", frozenset({("pool", pool)})) in samples

    @sqlite_only
    async def test_a_send_counts_the_upstream_call_its_tokens_and_cost(
        self, api, create_conversation
    ):
        cid = (await create_conversation())["id"]
        before = await scrape(api.client)
        response = await api.client.post(f"/conversations/{cid}/messages", json={"content": "hi"})
        assert response.status_code == 201, response.text
        meta = response.json()["data"]["message"]["metadata"]
        after = await scrape(api.client)
        grew = growth(before, after)

        upstream_model = meta["upstreamModel"]
        assert grew(UPSTREAM, provider="openai", model=upstream_model, outcome="success") == 1
        assert grew("chatroutes_upstream_request_duration_seconds_count", provider="openai") == 1
        assert meta["prompt_tokens"] > 0 and meta["completionTokens"] > 0
        assert (
            grew("chatroutes_tokens_total", model="gpt-5", kind="prompt") == meta["prompt_tokens"]
        )
        assert (
            grew("chatroutes_tokens_total", model="gpt-5", kind="completion")
            == meta["completionTokens"]
        )
        assert meta["cost"] > 0
        cost = grew("chatroutes_cost_usd_total", model="gpt-5")
        assert cost == pytest.approx(meta["cost"])
        assert value(after, "chatroutes_upstream_requests_in_flight", provider="openai") == 0

    @sqlite_only
    async def test_failures_and_retries_are_counted_by_kind(
        self, api, create_conversation, upstream
    ):
        cid = (await create_conversation())["id"]
        before = await scrape(api.client)
        upstream.enqueue(*[Fault.status(503)] * 3)
        response = await api.client.post(f"/conversations/{cid}/messages", json={"content": "x"})
        assert response.status_code == 503, response.text
        upstream.enqueue(Fault.status(401))
        response = await api.client.post(f"/conversations/{cid}/messages", json={"content": "x"})
        assert response.status_code == 502, response.text
        after = await scrape(api.client)
        grew = growth(before, after)

        model = upstream.requests[-1].json["model"]
        assert grew(UPSTREAM, provider="openai", model=model, outcome="unavailable") == 3
        assert grew(UPSTREAM, provider="openai", model=model, outcome="auth_error") == 1
        assert (
            grew("chatroutes_upstream_retries_total", provider="openai", reason="unavailable") == 2
        )
        assert (
            grew(
                REQUESTS,
                method="POST",
                route="/api/v1/conversations/{conversation_id}/messages",
                status="503",
            )
            == 1
        )

    @sqlite_only
    async def test_a_fallback_is_counted(self, settings, tmp_path, upstream):
        models = tmp_path / "models.toml"
        models.write_text('[models.gpt-5]\nfallbacks = ["claude-sonnet-4-5"]\n')
        async with client_for(settings.model_copy(update={"models_file": models})) as client:
            created = await client.post("/conversations", json={"title": "t"})
            cid = created.json()["data"]["conversation"]["id"]
            before = await scrape(client)
            upstream.enqueue(*[Fault.status(503)] * 3)
            response = await client.post(f"/conversations/{cid}/messages", json={"content": "hi"})
            assert response.status_code == 201, response.text
            after = await scrape(client)
            grew = growth(before, after)
        assert (
            grew(
                "chatroutes_upstream_fallbacks_total",
                from_model="gpt-5",
                to_model="claude-sonnet-4-5",
            )
            == 1
        )
        assert (
            grew(
                UPSTREAM,
                provider="anthropic",
                model=upstream.requests[-1].json["model"],
                outcome="success",
            )
            == 1
        )

    @sqlite_only
    async def test_a_stream_is_counted_in_flight_and_then_done(self, api, create_conversation):
        cid = (await create_conversation())["id"]
        before = await scrape(api.client)
        response = await api.client.post(
            f"/conversations/{cid}/messages/stream", json={"content": "tell me"}
        )
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        after = await scrape(api.client)
        grew = growth(before, after)
        assert value(after, "chatroutes_streams_in_flight") == 0
        assert (
            grew(
                REQUESTS,
                method="POST",
                route="/api/v1/conversations/{conversation_id}/messages/stream",
                status="200",
            )
            == 1
        )

    @sqlite_only
    async def test_a_token_protects_metrics_and_they_can_be_turned_off(self, settings):
        async with client_for(
            settings.model_copy(update={"metrics_token": "s3cret-token"})
        ) as client:
            missing = await client.get("http://test/metrics")
            wrong = await client.get("http://test/metrics", headers={"Authorization": "Bearer x"})
            assert missing.status_code == wrong.status_code == 401
            assert wrong.json()["error"] == "AUTHENTICATION_ERROR"
            samples = await scrape(client, Authorization="Bearer s3cret-token")
            assert ("chatroutes_streams_in_flight", frozenset()) in samples
        async with client_for(settings.model_copy(update={"metrics_enabled": False})) as client:
            off = await client.get("http://test/metrics")
            assert off.status_code == 404 and off.json()["error"] == "NOT_FOUND"


class TestRequestIds:
    @sqlite_only
    async def test_a_valid_id_is_echoed_and_a_bad_one_replaced(self, api):
        echoed = await api.client.get("/conversations", headers={"X-Request-Id": "req-42.a:b"})
        assert echoed.headers["x-request-id"] == "req-42.a:b"
        for bad in ("x" * 129, "has space", "new\nline"):
            response = await api.client.get("/health", headers={"X-Request-Id": bad})
            assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
        first = (await api.client.get("/health")).headers["x-request-id"]
        second = (await api.client.get("/health")).headers["x-request-id"]
        assert first != second

    @sqlite_only
    async def test_errors_early_refusals_and_streams_carry_it(
        self, api, settings, create_conversation
    ):
        unauthenticated = await api.client.get(
            "/conversations", headers={"Authorization": "ApiKey bad"}
        )
        assert unauthenticated.status_code == 401 and "x-request-id" in unauthenticated.headers
        assert unauthenticated.json()["error"] == "AUTHENTICATION_ERROR"  # body per WIRE.md
        unknown = await api.client.get("/nowhere")
        assert unknown.status_code == 404 and "x-request-id" in unknown.headers
        too_big = await api.client.post(
            "/conversations", content=b"x" * (settings.max_body_bytes + 1)
        )
        assert too_big.status_code == 413 and "x-request-id" in too_big.headers
        cid = (await create_conversation())["id"]
        stream = await api.client.post(
            f"/conversations/{cid}/messages/stream",
            json={"content": "hi"},
            headers={"X-Request-Id": "stream-1"},
        )
        assert stream.status_code == 200 and stream.headers["x-request-id"] == "stream-1"


@contextmanager
def json_lines(level: int = logging.INFO) -> Iterator[io.StringIO]:
    """What the server's loggers write, as ``CHATROUTES_LOG_FORMAT=json`` formats it."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("chatroutes")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(level)
    try:
        yield buffer
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


class TestJsonLogs:
    @sqlite_only
    async def test_access_lines_are_json_with_request_id_route_and_user(self, api):
        with json_lines() as buffer:
            response = await api.client.get("/conversations", headers={"X-Request-Id": "log-me-1"})
            assert response.status_code == 200
        entries = [json.loads(line) for line in buffer.getvalue().splitlines()]
        access = [e for e in entries if e["logger"] == "chatroutes.access"]
        assert len(access) == 1
        entry = access[0]
        assert entry["request_id"] == "log-me-1"
        assert entry["method"] == "GET" and entry["route"] == "/api/v1/conversations"
        assert entry["status"] == 200 and entry["duration_ms"] > 0
        assert entry["user_id"] and entry["level"] == "INFO" and entry["time"]
        assert entry["message"] == "GET /api/v1/conversations 200"


class TestHealthAndReadiness:
    @sqlite_only
    async def test_health_and_ready_answer_200_when_all_is_well(self, api):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=api.app), base_url="http://test"
        ) as client:
            health = await client.get("/health")
            assert health.status_code == 200 and health.json()["data"]["status"] == "ok"
            ready = await client.get("/ready")
        assert ready.status_code == 200, ready.text
        assert ready.json()["data"] == {
            "status": "ready",
            "checks": {"database": "ok", "redis": "not configured"},
        }
        # The SDK's own health check stays where WIRE.md puts it.
        assert (await api.client.get("/health")).json()["data"]["status"] == "ok"

    @sqlite_only
    async def test_ready_is_503_naming_the_database_when_it_is_down(self, settings):
        down = f"postgresql://nobody@127.0.0.1:{_free_port()}/none"
        app = create_app(settings.model_copy(update={"database_url": down}))
        async with root_client(app) as client:
            with json_lines(logging.WARNING) as buffer:
                ready = await client.get("/ready", headers={"X-Request-Id": "ready-1"})
                # Unexpected failures (no database to authenticate against) keep it too.
                failed = await client.get(
                    "/api/v1/conversations",
                    headers={"X-API-Key": "cr_prod_sk_" + "0" * 64, "X-Request-Id": "boom-1"},
                )
            health = await client.get("/health")
        assert ready.status_code == 503, ready.text
        body = ready.json()
        assert body["success"] is False and body["error"] == "NOT_READY"
        assert body["details"]["checks"]["database"].startswith("failed")
        assert "database" in body["message"] and ready.headers["x-request-id"] == "ready-1"
        assert health.status_code == 200  # alive all the same
        assert failed.status_code == 500 and failed.headers["x-request-id"] == "boom-1"
        assert failed.json() == {
            "success": False,
            "error": "INTERNAL_ERROR",
            "message": "Internal server error",
            "details": {},
        }
        logged = [json.loads(line) for line in buffer.getvalue().splitlines()]
        messages = {(e["request_id"], e["message"].split(":")[0]) for e in logged}
        assert ("ready-1", "readiness check failed") in messages
        assert ("boom-1", "unhandled error") in messages

    @sqlite_only
    async def test_ready_checks_redis_when_configured(self, settings, redis):
        app = create_app(settings.model_copy(update={"redis_url": redis.url}))
        async with root_client(app) as client:
            ready = await client.get("/ready")
        assert ready.status_code == 200, ready.text
        assert ready.json()["data"]["checks"]["redis"] == "ok"
        down = f"redis://127.0.0.1:{_free_port()}/0"
        app = create_app(settings.model_copy(update={"redis_url": down}))
        async with root_client(app) as client:
            ready = await client.get("/ready")
        assert ready.status_code == 503, ready.text
        checks = ready.json()["details"]["checks"]
        assert checks["database"] == "ok" and checks["redis"].startswith("failed")


class _Collector(BaseHTTPRequestHandler):
    """An OTLP/HTTP receiver: keeps the body of every POST to /v1/traces."""

    received: list[bytes]

    def do_POST(self) -> None:  # the http.server API names it
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == "/v1/traces":
            self.received.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        return


@contextmanager
def otlp_collector() -> Iterator[tuple[str, list[bytes]]]:
    received: list[bytes] = []
    handler = type("Handler", (_Collector,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


class TestTracing:
    @sqlite_only
    async def test_spans_reach_the_collector_for_requests_upstream_calls_and_queries(
        self, settings
    ):
        pytest.importorskip("opentelemetry.sdk")
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
            ExportTraceServiceRequest,
        )

        with otlp_collector() as (endpoint, received):
            app = create_app(settings.model_copy(update={"otel_endpoint": endpoint}))
            ctx = app.state.ctx
            accounts = AccountService(ctx.db, ctx.secret)
            await accounts.create_user("traced@example.com", plan="enterprise")
            key = (await accounts.create_key("traced@example.com")).secret
            async with (
                app.router.lifespan_context(app),
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app),
                    base_url="http://test/api/v1",
                    headers={"X-API-Key": key},
                ) as client,
            ):
                created = await client.post("/conversations", json={"title": "t"})
                cid = created.json()["data"]["conversation"]["id"]
                for content in ("hi", "again"):
                    sent = await client.post(
                        f"/conversations/{cid}/messages", json={"content": content}
                    )
                    assert sent.status_code == 201, sent.text
            # Leaving the lifespan shut the tracer down, which exported every span.
            spans = []
            for body in received:
                request = ExportTraceServiceRequest.FromString(body)
                for resource in request.resource_spans:
                    for scope in resource.scope_spans:
                        spans.extend(scope.spans)
        names = {span.name for span in spans}
        assert "POST /api/v1/conversations/{conversation_id}/messages" in names, names
        assert "POST" in names  # the upstream call (httpx client span)
        assert any(name.startswith(("SELECT", "INSERT", "BEGIN")) for name in names), names
        # the send's lease, taken in a database thread's transaction (``Database.run``)
        statements = [
            attribute.value.string_value
            for span in spans
            for attribute in span.attributes
            if attribute.key in ("db.statement", "db.query.text")
        ]
        assert any("SET generation_lease=" in statement for statement in statements), statements
        assert len({span.trace_id for span in spans if span.name.startswith("POST /")}) == 3


@contextmanager
def serving(workdir: Path, env: dict[str, str]) -> Iterator[tuple[str, Path]]:
    """``chatroutes serve`` as a real process: its URL once ready, and its stderr file."""
    workdir.mkdir()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    stderr = workdir / "stderr.log"
    env = env | {"CHATROUTES_DATA_DIR": str(workdir / "data")}
    with stderr.open("wb") as err:
        process = subprocess.Popen(
            [*CLI, "serve", "--port", str(port)],
            env=env,
            cwd=workdir,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    try:
        yield url, stderr
    finally:
        _stop(process)


def wait_ready(url: str, stderr: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/ready", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    pytest.fail(f"{url} did not get ready\n{stderr.read_text()[-3000:]}")


@pytest.mark.e2e
def test_processes_sharing_a_metrics_dir_report_the_sum_and_log_json(tmp_path):
    """Two servers on one ``PROMETHEUS_MULTIPROC_DIR`` (as ``--workers`` processes are):
    either one's /metrics counts both; with ``CHATROUTES_LOG_FORMAT=json`` stderr is JSON.
    """
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(_SCRUBBED)}
    if env.pop("PYTHONDONTWRITEBYTECODE", None) and "PYTHONPYCACHEPREFIX" not in env:
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE_PREFIX)  # as the e2e servers do
    env |= {
        "CHATROUTES_SECRET_KEY": "observability-secret-32-bytes-long",
        "CHATROUTES_LOG_FORMAT": "json",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    with (
        serving(tmp_path / "a", env) as (first, first_log),
        serving(tmp_path / "b", env) as (second, second_log),
    ):
        wait_ready(first, first_log)
        wait_ready(second, second_log)
        for i, url in enumerate([first] * 5 + [second] * 7):
            response = httpx.get(url + "/health", headers={"X-Request-Id": f"mp-{i}"})
            assert response.headers["x-request-id"] == f"mp-{i}"
        body = httpx.get(first + "/metrics").text
    samples = {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }
    health = {"method": "GET", "route": "/health", "status": "200"}
    assert value(samples, REQUESTS, **health) == 12  # 5 served here, 7 by the other
    lines = [
        json.loads(line)
        for log in (first_log, second_log)
        for line in log.read_text().splitlines()
        if line.startswith("{")
    ]
    access = {e["request_id"]: e for e in lines if e["logger"] == "chatroutes.access"}
    assert {f"mp-{i}" for i in range(12)} <= access.keys()
    assert access["mp-7"]["route"] == "/health" and access["mp-7"]["status"] == 200
    assert any(e["logger"].startswith("uvicorn") for e in lines)  # uvicorn's own lines too
