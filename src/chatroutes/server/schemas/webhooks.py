"""Webhooks on the wire: the create and update bodies, an endpoint (with its secret when
made or rotated), a delivery and its attempts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Annotated, Literal, Protocol

from pydantic import Field, StringConstraints
from typing_extensions import TypedDict

from ..domain.hashing import iso_timestamp
from .common import NoNul, Timestamp, WireModel, timestamp_out

Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2048), NoNul]
EventType = Annotated[str, StringConstraints(min_length=1, max_length=40), NoNul]
Description = Annotated[str, StringConstraints(max_length=1000), NoNul]
Events = Annotated[list[EventType], Field(min_length=1, max_length=20)]
DELIVERIES_PAGE = 20
MAX_DELIVERIES_PAGE = 100


class WebhookCreate(WireModel):
    url: Url
    events: Events
    description: Description | None = None
    enabled: bool = True


class WebhookUpdate(WireModel):
    url: Url | None = None
    events: Events | None = None
    description: Description | None = None
    enabled: bool | None = None


class StoredWebhook(Protocol):
    """A stored endpoint as read (a ``WebhookEndpoint`` row); its secret stays sealed."""

    @property
    def id(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def events(self) -> list[str]: ...
    @property
    def description(self) -> str | None: ...
    @property
    def enabled(self) -> bool: ...
    @property
    def disabled_reason(self) -> str | None: ...
    @property
    def disabled_at(self) -> datetime | None: ...
    @property
    def consecutive_failures(self) -> int: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...


class WebhookOut(TypedDict):
    id: str
    url: str
    events: list[str]
    description: str | None
    enabled: bool
    disabledReason: str | None
    disabledAt: Timestamp | None
    consecutiveFailures: int
    createdAt: Timestamp
    updatedAt: Timestamp


def webhook_out(endpoint: StoredWebhook) -> WebhookOut:
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "events": list(endpoint.events),
        "description": endpoint.description,
        "enabled": endpoint.enabled,
        "disabledReason": endpoint.disabled_reason,
        "disabledAt": timestamp_out(endpoint.disabled_at),
        "consecutiveFailures": endpoint.consecutive_failures,
        "createdAt": iso_timestamp(endpoint.created_at),
        "updatedAt": iso_timestamp(endpoint.updated_at),
    }


class WebhookData(TypedDict):
    webhook: WebhookOut


def webhook_data(endpoint: StoredWebhook) -> WebhookData:
    return {"webhook": webhook_out(endpoint)}


class WebhookList(TypedDict):
    webhooks: list[WebhookOut]


def webhook_list(endpoints: Iterable[StoredWebhook]) -> WebhookList:
    return {"webhooks": [webhook_out(e) for e in endpoints]}


class WebhookWithSecretOut(WebhookOut):
    secret: Annotated[str, Field(pattern=r"^whsec_[A-Za-z0-9+/]{43}=$")]


class WebhookWithSecret(TypedDict):
    webhook: WebhookWithSecretOut


def webhook_with_secret(endpoint: StoredWebhook, secret: str) -> WebhookWithSecret:
    """The endpoint with its signing secret: shown when made and when rotated, only."""
    return {"webhook": {**webhook_out(endpoint), "secret": secret}}


class StoredDelivery(Protocol):
    """A stored delivery as read (a ``WebhookDelivery`` row)."""

    @property
    def id(self) -> str: ...
    @property
    def webhook_id(self) -> str: ...
    @property
    def event_type(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def attempt_count(self) -> int: ...
    @property
    def next_attempt_at(self) -> datetime | None: ...
    @property
    def last_attempt_at(self) -> datetime | None: ...
    @property
    def last_status_code(self) -> int | None: ...
    @property
    def last_error(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def delivered_at(self) -> datetime | None: ...


class StoredAttempt(Protocol):
    @property
    def at(self) -> datetime: ...
    @property
    def status_code(self) -> int | None: ...
    @property
    def error(self) -> str | None: ...
    @property
    def duration_ms(self) -> float: ...


DeliveryStatus = Literal["pending", "delivered", "failed"]


class DeliveryOut(TypedDict):
    id: str
    webhookId: str
    eventType: str
    status: DeliveryStatus
    attemptCount: int
    nextAttemptAt: Timestamp | None
    lastAttemptAt: Timestamp | None
    lastStatusCode: int | None
    lastError: str | None
    createdAt: Timestamp
    deliveredAt: Timestamp | None


def delivery_out(delivery: StoredDelivery) -> DeliveryOut:
    return {
        "id": delivery.id,
        "webhookId": delivery.webhook_id,
        "eventType": delivery.event_type,
        "status": delivery.status,  # type: ignore[typeddict-item]
        "attemptCount": delivery.attempt_count,
        "nextAttemptAt": timestamp_out(delivery.next_attempt_at),
        "lastAttemptAt": timestamp_out(delivery.last_attempt_at),
        "lastStatusCode": delivery.last_status_code,
        "lastError": delivery.last_error,
        "createdAt": iso_timestamp(delivery.created_at),
        "deliveredAt": timestamp_out(delivery.delivered_at),
    }


class AttemptOut(TypedDict):
    at: Timestamp
    statusCode: int | None
    error: str | None
    durationMs: int


class DeliveryWithAttemptsOut(DeliveryOut):
    attempts: list[AttemptOut]


class DeliveryData(TypedDict):
    delivery: DeliveryOut


def delivery_data(delivery: StoredDelivery) -> DeliveryData:
    return {"delivery": delivery_out(delivery)}


class DeliveryDetail(TypedDict):
    delivery: DeliveryWithAttemptsOut


def delivery_detail(delivery: StoredDelivery, attempts: Sequence[StoredAttempt]) -> DeliveryDetail:
    logged: list[AttemptOut] = [
        {
            "at": iso_timestamp(a.at),
            "statusCode": a.status_code,
            "error": a.error,
            "durationMs": round(a.duration_ms),
        }
        for a in attempts
    ]
    return {"delivery": {**delivery_out(delivery), "attempts": logged}}


class DeliveryList(TypedDict):
    deliveries: list[DeliveryOut]
    nextCursor: str | None


def delivery_list(deliveries: Sequence[StoredDelivery], next_cursor: str | None) -> DeliveryList:
    return {"deliveries": [delivery_out(d) for d in deliveries], "nextCursor": next_cursor}
