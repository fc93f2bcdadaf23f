"""Webhook endpoints, the outbox of their deliveries, the attempts log, and the quota
warnings already announced.

The outbox is written in the transaction of the change an event announces
(``add_deliveries``), so a committed change always has its deliveries and a rolled-back
one has none. Senders claim due rows with a lease (``claim_due``): one ``UPDATE`` whose
conditions are checked again on each row it locks, so two processes never both hold a
row; a process that dies holding one lets its lease run out and the row is claimed again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    and_,
    bindparam,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from .execution import execute
from .tables import Base

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


class WebhookEndpoint(Base):
    """Where an account's events are sent, and how that has been going."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    events: Mapped[list[str]] = mapped_column(JSON)
    description: Mapped[str | None] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean)
    secret: Mapped[str] = mapped_column(String(200))  # sealed (auth/webhooks.py)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)  # failed attempts
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class WebhookDelivery(Base):
    """One event for one endpoint: its body frozen when the event happened."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_webhook", "webhook_id", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # the webhook-id header
    webhook_id: Mapped[str] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(40))
    event_id: Mapped[str] = mapped_column(String(40))  # shared by the event's deliveries
    event_type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)  # the request body, as sent
    status: Mapped[str] = mapped_column(String(10))  # pending | delivered | failed
    attempt_count: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    lease_token: Mapped[str | None] = mapped_column(String(40))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)


class WebhookAttempt(Base):
    """One POST of a delivery and how it went."""

    __tablename__ = "webhook_attempts"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    delivery_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[float] = mapped_column(Float)


class WebhookQuotaNotice(Base):
    """A quota warning announced: once per account, quota, month and threshold."""

    __tablename__ = "webhook_quota_notices"

    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    quota: Mapped[str] = mapped_column(String(20), primary_key=True)  # tokens | calls
    period: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM
    threshold: Mapped[int] = mapped_column(Integer, primary_key=True)  # percent
    created_at: Mapped[datetime] = mapped_column(DateTime)


_endpoints = WebhookEndpoint.__table__
_deliveries = WebhookDelivery.__table__
_attempts = WebhookAttempt.__table__
_notices = WebhookQuotaNotice.__table__

# What a send pays when its owner has no endpoint: this one indexed read.
_LISTENING = select(_endpoints.c.id, _endpoints.c.events).where(
    _endpoints.c.user_id == bindparam("user_id"), _endpoints.c.enabled.is_(True)
)
_ADD_DELIVERY = _deliveries.insert().values(
    {
        name: bindparam(name)
        for name in (
            "id",
            "webhook_id",
            "user_id",
            "event_id",
            "event_type",
            "payload",
            "status",
            "attempt_count",
            "next_attempt_at",
            "created_at",
        )
    }
)
_CLAIMABLE = and_(
    _deliveries.c.status == PENDING,
    _deliveries.c.next_attempt_at <= bindparam("now"),
    or_(_deliveries.c.lease_until.is_(None), _deliveries.c.lease_until < bindparam("now")),
)
_DUE = (
    select(_deliveries.c.id)
    .where(_CLAIMABLE)
    .order_by(_deliveries.c.next_attempt_at)
    .limit(bindparam("limit"))
)
# The conditions are those of ``_DUE`` again: PostgreSQL checks them anew on each row it
# locks, so a row another process claimed meanwhile is skipped.
_CLAIM = (
    update(_deliveries)
    .where(_deliveries.c.id.in_(_DUE.scalar_subquery()), _CLAIMABLE)
    .values(lease_token=bindparam("token"), lease_until=bindparam("until"))
    .returning(
        _deliveries.c.id,
        _deliveries.c.webhook_id,
        _deliveries.c.payload,
        _deliveries.c.attempt_count,
    )
)
_ENDPOINT_FOR_SENDING = select(_endpoints.c.url, _endpoints.c.secret, _endpoints.c.enabled).where(
    _endpoints.c.id == bindparam("webhook_id")
)
_ADD_ATTEMPT = _attempts.insert().values(
    {
        name: bindparam(name)
        for name in ("id", "delivery_id", "at", "status_code", "error", "duration_ms")
    }
)
_RECORD_ATTEMPT = (
    update(_deliveries)
    .where(
        _deliveries.c.id == bindparam("delivery_id"),
        _deliveries.c.lease_token == bindparam("token"),
    )
    .values(
        status=bindparam("status"),
        attempt_count=bindparam("attempt_count"),
        next_attempt_at=bindparam("next_attempt_at"),
        last_attempt_at=bindparam("at"),
        last_status_code=bindparam("status_code"),
        last_error=bindparam("error"),
        delivered_at=bindparam("delivered_at"),
        lease_token=None,
        lease_until=None,
    )
)
_ABANDON = (
    update(_deliveries)
    .where(
        _deliveries.c.id == bindparam("delivery_id"),
        _deliveries.c.lease_token == bindparam("token"),
    )
    .values(
        status=FAILED,
        next_attempt_at=None,
        last_error=bindparam("error"),
        lease_token=None,
        lease_until=None,
    )
)
_SUCCEEDED = (
    update(_endpoints)
    .where(_endpoints.c.id == bindparam("webhook_id"))
    .values(consecutive_failures=0)
)
_FAILED = (
    update(_endpoints)
    .where(_endpoints.c.id == bindparam("webhook_id"))
    .values(consecutive_failures=_endpoints.c.consecutive_failures + 1)
    .returning(_endpoints.c.consecutive_failures)
)
_DISABLE = (
    update(_endpoints)
    .where(_endpoints.c.id == bindparam("webhook_id"), _endpoints.c.enabled.is_(True))
    .values(
        enabled=False,
        disabled_reason=bindparam("reason"),
        disabled_at=bindparam("at"),
        updated_at=bindparam("at"),
    )
)
_NOTICE_COLUMNS = ("user_id", "quota", "period", "threshold", "created_at")


def listening(connection: Connection, user_id: str) -> list[Any]:
    """The id and events of each enabled endpoint of ``user_id``."""
    return list(execute(connection, _LISTENING, {"user_id": user_id}))


def add_deliveries(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """New pending deliveries (each a dict of ``_ADD_DELIVERY``'s columns)."""
    for row in rows:
        execute(connection, _ADD_DELIVERY, row)


def any_due(connection: Connection, now: datetime) -> bool:
    return execute(connection, _DUE, {"now": now, "limit": 1}).first() is not None


def claim_due(
    connection: Connection, now: datetime, until: datetime, token: str, limit: int
) -> list[Any]:
    """Lease up to ``limit`` due deliveries to ``token`` until ``until``: their id,
    webhook_id, payload and attempt_count."""
    params = {"now": now, "until": until, "token": token, "limit": limit}
    return list(execute(connection, _CLAIM, params))


def endpoint_for_sending(connection: Connection, webhook_id: str) -> Any | None:
    """url, sealed secret and enabled of an endpoint (None: deleted)."""
    return execute(connection, _ENDPOINT_FOR_SENDING, {"webhook_id": webhook_id}).first()


def record_attempt(
    connection: Connection, token: str, attempt: dict[str, Any], outcome: dict[str, Any]
) -> bool:
    """Log an attempt and write its outcome on the delivery, if ``token`` still holds its
    lease (False: it ran out and another process took the row)."""
    changed = execute(connection, _RECORD_ATTEMPT, {"token": token, **outcome}).rowcount
    if changed:
        execute(connection, _ADD_ATTEMPT, attempt)
    return bool(changed)


def abandon(connection: Connection, delivery_id: str, token: str, error: str) -> None:
    """Fail a delivery without sending it, if ``token`` still holds its lease."""
    params = {"delivery_id": delivery_id, "token": token, "error": error}
    execute(connection, _ABANDON, params)


def endpoint_succeeded(connection: Connection, webhook_id: str) -> None:
    execute(connection, _SUCCEEDED, {"webhook_id": webhook_id})


def endpoint_failed(connection: Connection, webhook_id: str) -> int:
    """One more failed attempt in the endpoint's streak; the streak's length."""
    row = execute(connection, _FAILED, {"webhook_id": webhook_id}).first()
    return 0 if row is None else int(row.consecutive_failures)


def disable_endpoint(connection: Connection, webhook_id: str, reason: str, at: datetime) -> None:
    execute(connection, _DISABLE, {"webhook_id": webhook_id, "reason": reason, "at": at})


@cache
def _notice_if_absent(backend: str) -> Any:
    dialect_insert = postgresql.insert if backend == "postgresql" else sqlite.insert
    return (
        dialect_insert(_notices)
        .values({name: bindparam(name) for name in _NOTICE_COLUMNS})
        .on_conflict_do_nothing()
        .returning(_notices.c.threshold)
    )


def add_notice_if_absent(connection: Connection, row: dict[str, Any]) -> bool:
    """Record a quota warning unless it was already announced; whether it is new."""
    statement = _notice_if_absent(connection.dialect.name)
    return execute(connection, statement, row).first() is not None


class WebhookRepository:
    """An account's endpoints and their deliveries, in an async unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def owned(self, user_id: str, webhook_id: str) -> WebhookEndpoint | None:
        endpoint = await self.session.get(WebhookEndpoint, webhook_id)
        return endpoint if endpoint is not None and endpoint.user_id == user_id else None

    async def list_owned(self, user_id: str) -> list[WebhookEndpoint]:
        statement = (
            select(WebhookEndpoint)
            .where(WebhookEndpoint.user_id == user_id)
            .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
        )
        return list((await self.session.scalars(statement)).all())

    async def add(self, endpoint: WebhookEndpoint) -> WebhookEndpoint:
        self.session.add(endpoint)
        await self.session.flush()
        return endpoint

    async def delete(self, endpoint: WebhookEndpoint) -> None:
        # Its deliveries and their attempts go with it (ON DELETE CASCADE).
        await self.session.delete(endpoint)
        await self.session.flush()

    async def add_delivery(self, delivery: WebhookDelivery) -> WebhookDelivery:
        self.session.add(delivery)
        await self.session.flush()
        return delivery

    async def deliveries(
        self, webhook_id: str, limit: int, before: str | None
    ) -> list[WebhookDelivery]:
        """Up to ``limit`` deliveries, newest first, older than the delivery ``before``."""
        statement = select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
        if before is not None:
            statement = statement.where(WebhookDelivery.id < before)
        statement = statement.order_by(WebhookDelivery.id.desc()).limit(limit)
        return list((await self.session.scalars(statement)).all())

    async def delivery(self, webhook_id: str, delivery_id: str) -> WebhookDelivery | None:
        found = await self.session.get(WebhookDelivery, delivery_id)
        return found if found is not None and found.webhook_id == webhook_id else None

    async def attempts(self, delivery_id: str) -> list[WebhookAttempt]:
        statement = (
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery_id)
            .order_by(WebhookAttempt.at, WebhookAttempt.id)
        )
        return list((await self.session.scalars(statement)).all())
