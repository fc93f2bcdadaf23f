"""Server configuration, read from the environment (prefix ``CHATROUTES_``)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path(".chatroutes")
MIN_SECRET_KEY_BYTES = 32


class Settings(BaseSettings):
    """Everything an operator can set. Provider keys keep their usual names."""

    model_config = SettingsConfigDict(env_prefix="CHATROUTES_", extra="ignore")

    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str | None = None
    secret_key: str | None = Field(
        default=None,
        description="Key for hashing API keys and signing sessions; shared by every replica, "
        f"at least {MIN_SECRET_KEY_BYTES} bytes. Unset: generated once into DATA_DIR/secret_key.",
    )
    trusted_proxies: str = Field(
        default="",
        description="Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed: "
        "addresses or CIDR networks, comma separated ('*': any peer). Unset: none, so a "
        "client's address is always the connection's.",
    )
    cors_origins: str = Field(
        default="",
        description="Browser origins (scheme://host[:port]) allowed to call the API from "
        "their pages, comma separated, matched exactly. Unset: none, and no CORS headers.",
    )
    default_model: str | None = None
    models_file: Path | None = None
    # Plans and limits (services/limits.py).
    plans_file: Path | None = Field(
        default=None, description="A TOML plan table replacing the built-in domain/plans.toml."
    )
    redis_url: str | None = Field(
        default=None,
        description="Keep rate-limit and quota counters in Redis (redis://host:6379/0) "
        "instead of the database; every replica must use the same one.",
    )

    max_content_chars: int = 100_000
    max_body_bytes: int = 2 * 1024 * 1024
    max_import_bytes: int = Field(
        default=64 * 1024 * 1024,
        gt=0,
        description="The largest body POST /conversations/import accepts (a whole conversation).",
    )
    # Durability (services/recovery.py): a generation renews its branch's lease while it
    # runs; a lease left unrenewed this long belongs to a dead process and is recovered.
    generation_lease_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How long a generation lease stands unrenewed before its reply is "
        "stored as interrupted; keep it well above generation_heartbeat_seconds.",
    )
    generation_heartbeat_seconds: float = Field(
        default=1.0,
        gt=0,
        description="How often a running generation renews its lease and flushes its text.",
    )
    recovery_interval_seconds: float = Field(
        default=10.0, gt=0, description="How often expired generation leases are looked for."
    )
    shutdown_grace_seconds: float = Field(
        default=30.0,
        ge=0,
        description="On SIGTERM, how long running generations may finish; the rest are "
        "stored as interrupted.",
    )
    # Retention (services/privacy.py).
    deleted_retention_days: float = Field(
        default=30.0,
        ge=0,
        description="Soft-deleted messages older than this are purged for good.",
    )
    purge_interval_seconds: float = Field(
        default=3600.0,
        ge=0,
        description="How often the server purges expired soft-deleted messages; 0: never "
        "(then run `chatroutes db purge`).",
    )
    idempotency_ttl_hours: int = Field(
        default=24, gt=0, description="How long a POST's Idempotency-Key answer is replayed."
    )
    idempotency_lock_seconds: int = Field(
        default=300,
        gt=0,
        description="How long a running request holds its Idempotency-Key before another "
        "may take it over (a crashed server's claim); like generation_lease_seconds.",
    )
    upstream_timeout_seconds: float = Field(
        default=120.0, gt=0, description="Per attempt: the longest wait for any upstream byte."
    )
    upstream_connect_timeout_seconds: float = Field(default=10.0, gt=0)
    upstream_deadline_seconds: float = Field(
        default=300.0, gt=0, description="Overall, across every attempt of one generation."
    )
    sse_heartbeat_seconds: float = Field(
        default=15.0, gt=0, description="A comment line on a quiet stream keeps proxies open."
    )
    upstream_attempts: int = Field(default=3, ge=1)
    upstream_retry_budget_seconds: float = Field(default=20.0, ge=0)
    sqlite_busy_timeout_ms: int = 30_000
    # PostgreSQL's connection pool, per process.
    database_pool_size: int = Field(default=20, ge=1, description="Connections kept open.")
    database_pool_overflow: int = Field(
        default=40, ge=0, description="Connections opened beyond the pool under load."
    )
    database_pool_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How long a request waits for a free connection before it is answered "
        "503 SERVER_BUSY (with Retry-After), the SDKs retrying it.",
    )
    sqlite_synchronous: Literal["FULL", "NORMAL"] = Field(
        default="FULL",
        description="FULL: every stored message is on disk when the request returns. "
        "NORMAL: faster commits; a crash of the process loses nothing, a power failure "
        "may lose the last commits (the database stays consistent).",
    )

    checkpoint_interval: int = Field(
        default=50,
        ge=0,
        description="An automatic checkpoint every this many messages on a branch; 0: never.",
    )
    path_cache_megabytes: float = Field(
        default=64,
        ge=0,
        description="Message text of recent branch paths kept in memory, so a send does not "
        "read its whole branch again; 0: always read it.",
    )
    partial_context_messages: int = Field(
        default=10, ge=0, description="How many inherited messages a PARTIAL branch sends."
    )
    summarizer_model: str | None = Field(
        default=None,
        description="The model that writes checkpoint summaries; unset or failing: "
        "the offline extractive summarizer.",
    )
    checkpoint_summary_tokens: int = Field(
        default=800, gt=0, description="The most tokens a checkpoint summary may take."
    )
    checkpoint_catchup_factor: float = Field(
        default=1.5,
        ge=1,
        description="A send that would carry this many intervals of messages past the last "
        "checkpoint waits for the summary in flight, or summarizes inline, before it goes out.",
    )
    checkpoint_catchup_wait_ms: int = Field(
        default=1500,
        ge=0,
        description="How long such a send waits for a summary in flight before it writes "
        "one itself with the offline summarizer.",
    )

    access_token_seconds: int = Field(
        default=900, gt=0, description="How long a session's JWT access token is valid."
    )
    refresh_token_days: int = Field(
        default=30, gt=0, description="How long a session's refresh token is valid."
    )
    guest_session_hours: int = Field(
        default=24, gt=0, description="How long a guest session (web UI) lasts."
    )

    searxng_url: str | None = Field(
        default=None, description="A SearXNG instance for the Chat API's webSearch"
    )
    brave_search_api_key: str | None = Field(
        default=None, description="A Brave Search API key for webSearch (used over SearXNG)"
    )
    brave_search_url: str = Field(
        default="https://api.search.brave.com/res/v1", description="The Brave Search API base"
    )
    web_search_results: int = Field(default=5, ge=1, le=20)
    web_search_timeout_seconds: float = Field(default=10.0, gt=0)
    chat_max_searches: int = Field(
        default=3, ge=1, le=10, description="Web searches a model may make for one Chat API reply"
    )
    chat_context_images: int = Field(
        default=4, ge=0, description="Earlier images of a conversation sent again to vision models"
    )
    chat_max_image_bytes: int = Field(
        default=1_000_000, ge=1, description="The largest image (decoded) /api/chat accepts"
    )
    chat_ollama_model: str = Field(
        default="llama3.2", description="The model the Chat API's 'ollama' provider uses"
    )
    provider_env: dict[str, str] | None = Field(
        default=None,
        exclude=True,
        description="Where provider keys and URLs are read (OPENAI_API_KEY…); "
        "None means the process environment.",
    )

    # Webhooks (services/webhooks.py, services/webhooks_delivery.py).
    webhook_allow_private: bool = Field(
        default=False,
        description="Let webhooks reach private, loopback and link-local addresses (a "
        "receiver inside your own network); unset, such destinations are refused.",
    )
    webhook_retry_schedule: str = Field(
        default="5,300,1800,7200,18000,36000,36000",
        description="Seconds before each retry of a failed delivery, comma separated "
        "(each ±10%); a delivery that fails them all is marked failed. The default "
        "retries for about 27 hours.",
    )
    webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, description="How long a webhook receiver has to answer."
    )
    webhook_poll_seconds: float = Field(
        default=1.0, gt=0, description="How often each server looks for deliveries due."
    )
    webhook_lease_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How long a server holds a delivery it is sending; one that dies "
        "holding it leaves it to another after this long. Keep it above the timeout.",
    )
    webhook_delivery: bool = Field(
        default=True,
        description="Send webhooks from this server; off: it only records them in the "
        "outbox for the servers that send.",
    )

    # Operating (server/observability): metrics, logs, traces, readiness.
    metrics_enabled: bool = Field(default=True, description="Serve GET /metrics (Prometheus).")
    metrics_token: str | None = Field(
        default=None,
        description="When set, GET /metrics needs 'Authorization: Bearer <token>' from "
        "anyone; unset, it answers loopback clients only.",
    )
    log_format: Literal["text", "json"] = Field(
        default="text", description="'json': one JSON object per log line, with request ids."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    otel_endpoint: str | None = Field(
        default=None,
        description="An OTLP/HTTP collector (http://host:4318): export traces there. "
        "Needs the 'otel' extra; unset: OpenTelemetry is never imported.",
    )
    otel_service_name: str = "chatroutes"
    ready_timeout_seconds: float = Field(
        default=2.0, gt=0, description="How long GET /ready waits for the database and Redis."
    )

    @field_validator("secret_key")
    @classmethod
    def _long_enough(cls, value: str | None) -> str | None:
        if value is not None and len(value.encode("utf-8")) < MIN_SECRET_KEY_BYTES:
            raise ValueError(
                f"CHATROUTES_SECRET_KEY must be at least {MIN_SECRET_KEY_BYTES} bytes "
                f"(it has {len(value.encode('utf-8'))}); make one with: openssl rand -hex 32"
            )
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses_or_networks(cls, value: str) -> str:
        entries = proxy_entries(value)
        if "*" in entries and len(entries) > 1:
            raise ValueError("CHATROUTES_TRUSTED_PROXIES: '*' (any peer) stands alone")
        for entry in entries:
            if entry == "*":
                continue
            try:
                ipaddress.ip_network(entry)
            except ValueError:
                raise ValueError(
                    f"CHATROUTES_TRUSTED_PROXIES: {entry!r} is neither an IP address nor a "
                    "CIDR network with no host bits set (e.g. 172.28.0.0/16)"
                ) from None
        return ",".join(entries)

    @field_validator("cors_origins")
    @classmethod
    def _exact_origins(cls, value: str) -> str:
        return ",".join(_origin(entry) for entry in proxy_entries(value))

    def allowed_origins(self) -> frozenset[str]:
        """The origins whose pages may call the API (CORS); empty: CORS is off."""
        return frozenset(proxy_entries(self.cors_origins))

    @field_validator("webhook_retry_schedule")
    @classmethod
    def _seconds_list(cls, value: str) -> str:
        try:
            delays = [float(part) for part in value.split(",") if part.strip()]
        except ValueError:
            delays = [-1.0]
        if any(delay < 0 for delay in delays):
            raise ValueError(
                "CHATROUTES_WEBHOOK_RETRY_SCHEDULE must list seconds (>= 0), comma "
                "separated, e.g. 5,300,1800; empty: no retries"
            )
        return value

    @property
    def webhook_retry_delays(self) -> tuple[float, ...]:
        """The retry schedule in seconds, one delay per retry."""
        return tuple(float(part) for part in self.webhook_retry_schedule.split(",") if part.strip())

    def resolved_database_url(self) -> str:
        """The SQLAlchemy async URL; the embedded SQLite file by default."""
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite+aiosqlite:///{(self.data_dir / 'chatroutes.db').resolve()}"


def proxy_entries(value: str) -> list[str]:
    """The non-empty entries of a comma-separated list of addresses and networks."""
    return [entry.strip() for entry in value.split(",") if entry.strip()]


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(entry: str) -> str:
    """``entry`` as browsers write an ``Origin``: lowercase, no default port; or a
    ValueError saying what an origin is."""
    problem = _origin_problem(entry)
    if problem:
        raise ValueError(
            f"CHATROUTES_CORS_ORIGINS: {entry!r} is not an origin ({problem}); list exact "
            "origins, scheme://host[:port] with no path, e.g. https://app.example.com"
        )
    parts = urlsplit(entry)
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{host}]"
    port = parts.port
    return f"{parts.scheme.lower()}://{host}" + (
        f":{port}" if port is not None and port != _DEFAULT_PORTS[parts.scheme.lower()] else ""
    )


def _origin_problem(entry: str) -> str | None:
    if entry == "*":
        return "'*' would let every site's pages use your users' keys"
    if entry == "null":
        return "'null' is the origin of sandboxed pages and local files"
    try:
        parts = urlsplit(entry)
        parts.port  # noqa: B018 -- raises on a port that is not a number
    except ValueError:
        return "not a URL"
    if parts.scheme.lower() not in _DEFAULT_PORTS:
        return "the scheme must be http or https"
    if not parts.hostname or "*" in parts.netloc:
        return "no host, or a wildcard"
    if parts.username is not None or parts.password is not None:
        return "it has a user name"
    if parts.path or parts.query or parts.fragment or entry.endswith(("?", "#")):
        return "it has a path, even a trailing '/'"
    return None


def normalise_database_url(url: str) -> str:
    """Accept the usual spellings and pick the async driver for each backend."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    return url


@lru_cache
def get_settings() -> Settings:
    return Settings()
