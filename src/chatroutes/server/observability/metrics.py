"""Prometheus metrics: what is counted, and the one-call hooks that count it.

Metrics are process-wide, as Prometheus expects. With several processes
(``chatroutes serve --workers N``) set ``PROMETHEUS_MULTIPROC_DIR`` to an empty,
writable directory before the server starts: each worker then writes its values
there and ``/metrics`` sums them across workers (prometheus-client's multiprocess
mode). Labels hold only bounded values: route templates, never raw paths or ids.
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

from ..domain.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderRateLimited,
    ProviderTimeout,
    ProviderUnavailable,
)

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
_UPSTREAM_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300)
_MAX_MODELS = 200  # distinct model labels kept; more (user-named models) count as "other"
disable_created_metrics()  # no *_created series: half the exposition, nothing lost

HTTP_REQUESTS = Counter(
    "chatroutes_http_requests",
    "HTTP requests answered, by route template and status.",
    ["method", "route", "status"],
)
HTTP_DURATION = Histogram(
    "chatroutes_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response (a whole stream for SSE).",
    ["method", "route"],
    buckets=_LATENCY_BUCKETS,
)
STREAMS_IN_FLIGHT = Gauge(
    "chatroutes_streams_in_flight",
    "Server-sent event responses being written now.",
    multiprocess_mode="livesum",
)
UPSTREAM_REQUESTS = Counter(
    "chatroutes_upstream_requests",
    "Calls to model providers, by outcome: success or the kind of failure.",
    ["provider", "model", "outcome"],
)
UPSTREAM_DURATION = Histogram(
    "chatroutes_upstream_request_duration_seconds",
    "Time of one upstream call (a whole stream when streamed).",
    ["provider"],
    buckets=_UPSTREAM_BUCKETS,
)
UPSTREAM_IN_FLIGHT = Gauge(
    "chatroutes_upstream_requests_in_flight",
    "Upstream calls (generations) in progress.",
    ["provider"],
    multiprocess_mode="livesum",
)
UPSTREAM_RETRIES = Counter(
    "chatroutes_upstream_retries",
    "Upstream attempts that failed and were retried.",
    ["provider", "reason"],
)
UPSTREAM_FALLBACKS = Counter(
    "chatroutes_upstream_fallbacks",
    "Replies served by a fallback model because the asked one failed.",
    ["from_model", "to_model"],
)
TOKENS = Counter(
    "chatroutes_tokens",
    "Tokens of stored replies, as the provider reported them.",
    ["model", "kind"],
)
COST = Counter("chatroutes_cost_usd", "USD of stored replies at known prices.", ["model"])
DB_POOL_CHECKED_OUT = Gauge(
    "chatroutes_db_pool_checked_out",
    "Database connections in use.",
    ["pool"],
    multiprocess_mode="livesum",
)
DB_POOL_SIZE = Gauge(
    "chatroutes_db_pool_size",
    "Connections one process's pool keeps open (pool_size; more may overflow under load).",
    ["pool"],
    multiprocess_mode="max",  # the same in every worker
)

_http_children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
_models_seen: set[str] = set()


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """Count one answered request; its labelled children are looked up once."""
    key = (method, route, status)
    children = _http_children.get(key)
    if children is None:
        children = (
            HTTP_REQUESTS.labels(method, route, str(status)),
            HTTP_DURATION.labels(method, route),
        )
        _http_children[key] = children
    children[0].inc()
    children[1].observe(seconds)


def bounded_model(model: object) -> str:
    """A model name fit for a label: the first ``_MAX_MODELS`` names, then ``other``."""
    name = model if isinstance(model, str) and model else "unknown"
    if name in _models_seen:
        return name
    if len(_models_seen) >= _MAX_MODELS:
        return "other"
    _models_seen.add(name)
    return name


def failure_kind(error: BaseException) -> str:
    """The outcome label of a failed upstream call."""
    for kind, cls in (
        ("rate_limited", ProviderRateLimited),
        ("timeout", ProviderTimeout),
        ("unavailable", ProviderUnavailable),
        ("auth_error", ProviderAuthError),
        ("refused", ProviderError),
    ):
        if isinstance(error, cls):
            return kind
    return "error"


@asynccontextmanager
async def upstream_call(provider: str, body: object) -> AsyncIterator[None]:
    """Time one upstream call and count its outcome (the block raises our provider errors)."""
    model = bounded_model(body.get("model") if isinstance(body, Mapping) else None)
    in_flight = UPSTREAM_IN_FLIGHT.labels(provider)
    in_flight.inc()
    started = time.perf_counter()
    outcome = "success"
    try:
        yield
    except Exception as exc:
        outcome = failure_kind(exc)
        raise
    except BaseException:  # cancelled, or the reader stopped following the stream
        outcome = "cancelled"
        raise
    finally:
        in_flight.dec()
        UPSTREAM_DURATION.labels(provider).observe(time.perf_counter() - started)
        UPSTREAM_REQUESTS.labels(provider, model, outcome).inc()


def record_retry(error: ProviderError) -> None:
    """A failed attempt that the retry policy will try again."""
    UPSTREAM_RETRIES.labels(
        str(error.details.get("provider", "unknown")), failure_kind(error)
    ).inc()


def record_reply(meta: Mapping[str, Any]) -> None:
    """A reply's usage (``reply_meta``'s keys): tokens, cost and any fallback, by model."""
    model = bounded_model(meta.get("model"))
    TOKENS.labels(model, "prompt").inc(meta.get("prompt_tokens") or 0)
    TOKENS.labels(model, "completion").inc(meta.get("completionTokens") or 0)
    if meta.get("cost"):
        COST.labels(model).inc(meta["cost"])
    if meta.get("fallbackFrom"):
        UPSTREAM_FALLBACKS.labels(bounded_model(meta["fallbackFrom"]), model).inc()


def track_pool(name: str, engine: Any) -> None:
    """Count ``engine``'s checked-out connections and publish its pool's size."""
    from sqlalchemy import event

    size = getattr(engine.sync_engine.pool, "size", None)
    if callable(size):  # a QueuePool; SQLite's and PostgreSQL's both are
        DB_POOL_SIZE.labels(name).set(size())
    checked_out = DB_POOL_CHECKED_OUT.labels(name)
    event.listen(engine.sync_engine, "checkout", lambda *_args: checked_out.inc())
    event.listen(engine.sync_engine, "checkin", lambda *_args: checked_out.dec())


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROCESS_ENV) or None


def exposition() -> tuple[bytes, str]:
    """The text exposition of every metric: this process's, or all workers' when multiprocess."""
    if multiprocess_dir() is None:
        return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return generate_latest(registry), CONTENT_TYPE_LATEST


def process_exited() -> None:
    """In multiprocess mode, drop this worker's live gauges (call at shutdown)."""
    if multiprocess_dir() is not None:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid())
