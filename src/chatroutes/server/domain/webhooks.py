"""Webhooks as pure rules: the event types, the Standard Webhooks signature, the retry
schedule, which destination addresses are refused, and the thresholds of a quota warning.

A delivery is signed per Standard Webhooks: ``webhook-signature`` is ``v1,`` and the
base64 HMAC-SHA256, keyed by the secret's bytes (base64 after ``whsec_``), of
``{webhook-id}.{webhook-timestamp}.{body}``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import random
import secrets
from collections.abc import Sequence
from urllib.parse import urlsplit

from .errors import InvalidRequest

MESSAGE_COMPLETED = "message.completed"
BRANCH_CREATED = "branch.created"
BRANCH_MERGED = "branch.merged"
CHECKPOINT_CREATED = "checkpoint.created"
CONVERSATION_DELETED = "conversation.deleted"
QUOTA_WARNING = "usage.quota_warning"
PARALLEL_COMPLETED = "parallel.completed"
BUDGET_WARNING = "budget.warning"
WEBHOOK_TEST = "webhook.test"
EVENT_TYPES = (
    MESSAGE_COMPLETED,
    BRANCH_CREATED,
    BRANCH_MERGED,
    CHECKPOINT_CREATED,
    CONVERSATION_DELETED,
    QUOTA_WARNING,
    PARALLEL_COMPLETED,
    BUDGET_WARNING,
)
ALL_EVENTS = "*"
SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
QUOTA_THRESHOLDS = (80, 100)  # percent of a monthly quota a warning is sent at
JITTER = 0.1  # each retry delay is drawn within ±10% of the schedule's
MAX_URL_CHARS = 2048


def new_secret() -> str:
    """``whsec_`` and the base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def secret_key(secret: str) -> bytes:
    """The HMAC key a secret stands for: its bytes after ``whsec_``."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(secret: str, delivery_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header of one attempt."""
    signed = f"{delivery_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def subscribed(events: Sequence[str], event_type: str) -> bool:
    """Whether an endpoint listening to ``events`` gets ``event_type``."""
    return ALL_EVENTS in events or event_type in events


def checked_events(events: Sequence[str]) -> list[str]:
    """The event list of an endpoint, without repeats; unknown types are a 400."""
    if not events:
        raise InvalidRequest("events must name at least one event type, or '*'", field="events")
    unknown = [e for e in events if e != ALL_EVENTS and e not in EVENT_TYPES]
    if unknown:
        raise InvalidRequest(
            f"Unknown event type {unknown[0]!r}; known: {', '.join(EVENT_TYPES)} or '*'",
            field="events",
        )
    return list(dict.fromkeys(events))


def url_host(url: str) -> tuple[str, int]:
    """The host and port of an http(s) destination; anything else is a 400 on ``url``."""
    if len(url) > MAX_URL_CHARS:
        raise InvalidRequest(f"url must be at most {MAX_URL_CHARS} characters", field="url")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise InvalidRequest("url is not a valid URL", field="url") from None
    if parts.scheme not in ("http", "https"):
        raise InvalidRequest("url must start with https:// (or http://)", field="url")
    if not parts.hostname:
        raise InvalidRequest("url must name a host", field="url")
    if parts.username or parts.password:
        raise InvalidRequest("url must not carry credentials", field="url")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def refused_address(address: str) -> bool:
    """Whether a destination address is one webhooks never reach unless the operator
    allows private ones: private, loopback, link-local, unique-local, multicast,
    unspecified or otherwise not global (IPv4, IPv6, IPv4-mapped IPv6 alike)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone names a link
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast or ip.is_unspecified


def retry_delay(schedule: Sequence[float], attempts: int) -> float | None:
    """Seconds until the next attempt after ``attempts`` failed ones (None: none left),
    the schedule's delay with jitter, so failures at one moment do not retry together."""
    if attempts > len(schedule):
        return None
    delay = schedule[attempts - 1]
    return delay * random.uniform(1 - JITTER, 1 + JITTER)


def threshold_counts(limit: int) -> set[int]:
    """The counts at which a quota counted one by one reaches each warning threshold."""
    return {-(-limit * percent // 100) for percent in QUOTA_THRESHOLDS}


def crossed_thresholds(used: int, limit: int) -> list[int]:
    """The warning thresholds (percent) a quota of ``limit`` has reached at ``used``."""
    if limit <= 0:
        return []
    return [percent for percent in QUOTA_THRESHOLDS if used * 100 >= limit * percent]
