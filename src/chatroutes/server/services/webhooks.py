"""Webhooks: an account's endpoints, and the events written to their outbox.

Every event is written in the transaction of the change it announces (``Outbox``), one
delivery per endpoint listening to it, its body frozen then; the sender
(``webhooks_delivery.py``) posts it later, from any process. So a committed change is
always announced, even if the process dies right after, and a change rolled back never is.
When the owner has no endpoint, an event costs one indexed read in that transaction.

Events and what fires them:

- ``message.completed``: a reply stored by a send, a streamed send or a regeneration
  (``sending/reply.py``), and a parallel candidate when it is chosen (the candidates
  themselves are announced together by ``parallel.completed``);
- ``branch.created``: every branch made for a user (``branches.insert_branch``: create,
  fork, an edit's or a recreation's new branch, AutoBranch, a merge's preserved branch)
  and a reply's branch when its own moved on mid-generation;
- ``branch.merged``, ``checkpoint.created`` (manual and automatic),
  ``conversation.deleted``, ``parallel.completed`` (every candidate finished);
- ``usage.quota_warning``: the month's tokens reached 80% and 100% of the plan's quota,
  once per threshold, month and account (``webhook_quota_notices``).
- ``budget.warning``: a branch's or conversation's spent reached its budget's ``warnAt``,
  once per crossing (``budgets.settle_within``, in the transaction that settles the call).
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.webhooks import seal_secret
from ..domain.errors import Conflict, Forbidden, InvalidRequest, NotFound
from ..domain.hashing import iso_timestamp
from ..domain.ids import new_id
from ..domain.webhooks import (
    QUOTA_WARNING,
    WEBHOOK_TEST,
    checked_events,
    crossed_thresholds,
    new_secret,
    refused_address,
    subscribed,
    url_host,
)
from ..schemas.webhooks import WebhookCreate, WebhookUpdate
from ..store import webhooks as webhook_store
from ..store.database import run_in
from ..store.webhooks import (
    PENDING,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookRepository,
)
from .server_context import ServerContext, utcnow


def event_body(event_type: str, data: dict[str, Any], now: datetime) -> str:
    """What the receiver gets: ``{"type", "timestamp", "data"}``, compact JSON."""
    body = {"type": event_type, "timestamp": iso_timestamp(now), "data": data}
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def _delivery_row(
    webhook_id: str, user_id: str, event_id: str, event_type: str, payload: str, now: datetime
) -> dict[str, Any]:
    return {
        "id": new_id("msg"),
        "webhook_id": webhook_id,
        "user_id": user_id,
        "event_id": event_id,
        "event_type": event_type,
        "payload": payload,
        "status": PENDING,
        "attempt_count": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


@dataclass
class Outbox:
    """The events of one transaction for one account: its endpoints read once, at the
    first event, and each event written as a delivery to each endpoint listening."""

    connection: Connection
    user_id: str
    _endpoints: list[Any] | None = field(default=None, init=False)

    def listening(self, event_type: str) -> list[str]:
        """The ids of the account's enabled endpoints that take ``event_type``."""
        if self._endpoints is None:
            self._endpoints = webhook_store.listening(self.connection, self.user_id)
        return [e.id for e in self._endpoints if subscribed(e.events, event_type)]

    def emit(self, event_type: str, data: dict[str, Any]) -> int:
        """Write ``event_type`` for every endpoint listening; how many deliveries."""
        targets = self.listening(event_type)
        if not targets:
            return 0
        now, event_id = utcnow(), new_id("evt")
        payload = event_body(event_type, data, now)
        rows = [_delivery_row(w, self.user_id, event_id, event_type, payload, now) for w in targets]
        webhook_store.add_deliveries(self.connection, rows)
        return len(rows)

    def quota_reached(self, quota: str, period: str, used: int, limit: int) -> None:
        """Announce each warning threshold ``used`` of ``limit`` has reached, the first time
        this month (``period``, YYYY-MM) for this account and quota."""
        for threshold in crossed_thresholds(used, limit):
            row = {
                "user_id": self.user_id,
                "quota": quota,
                "period": period,
                "threshold": threshold,
                "created_at": utcnow(),
            }
            if webhook_store.add_notice_if_absent(self.connection, row):
                data = {
                    "quota": quota,
                    "threshold": threshold,
                    "used": used,
                    "limit": limit,
                    "period": period,
                }
                self.emit(QUOTA_WARNING, data)


def emit_within(connection: Connection, user_id: str, event_type: str, data: dict[str, Any]) -> int:
    """One event in the caller's transaction (see ``Outbox.emit``)."""
    return Outbox(connection, user_id).emit(event_type, data)


async def emit_in(
    session: AsyncSession, user_id: str, event_type: str, data: dict[str, Any]
) -> int:
    """``emit_within`` in an async unit of work."""
    return await run_in(session, lambda c: emit_within(c, user_id, event_type, data))


def message_data(message: Any) -> dict[str, Any]:
    """``message.completed``'s data for a stored reply (a ``Message``)."""
    meta = message.meta or {}
    prompt, completion = meta.get("prompt_tokens") or 0, meta.get("completionTokens") or 0
    return {
        "conversationId": message.conversation_id,
        "branchId": message.branch_id,
        "messageId": message.id,
        "parentMessageId": message.parent_id,
        "model": message.model,
        "finishReason": meta.get("finishReason"),
        "usage": {
            "promptTokens": prompt,
            "completionTokens": completion,
            "totalTokens": prompt + completion,
            "cost": meta.get("cost"),
        },
    }


def branch_data(branch: Any) -> dict[str, Any]:
    """``branch.created``'s data for a new branch (a ``Branch``)."""
    return {
        "conversationId": branch.conversation_id,
        "branchId": branch.id,
        "parentBranchId": branch.parent_branch_id,
        "forkPointMessageId": branch.fork_point_message_id,
        "title": branch.title,
    }


def checkpoint_data(checkpoint: Any) -> dict[str, Any]:
    """``checkpoint.created``'s data (a ``Checkpoint``)."""
    return {
        "conversationId": checkpoint.conversation_id,
        "branchId": checkpoint.branch_id,
        "checkpointId": checkpoint.id,
        "anchorMessageId": checkpoint.anchor_message_id,
        "checkpointType": checkpoint.checkpoint_type,
        "tokenCount": checkpoint.token_count,
    }


async def resolved_addresses(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (an IP literal: itself); none if it does not."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return []
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def check_destination(url: str, allow_private: bool) -> None:
    """Refuse (400 on ``url``) a destination that is not http(s), or, unless private ones
    are allowed, one that resolves to no address or to any that is not public."""
    host, port = url_host(url)
    if allow_private:
        return
    addresses = await resolved_addresses(host, port)
    if not addresses:
        raise InvalidRequest(f"url: host {host!r} does not resolve", field="url")
    refused = [a for a in addresses if refused_address(a)]
    if refused:
        raise InvalidRequest(
            f"url: {host} resolves to {refused[0]}, a private, loopback, link-local or "
            "otherwise non-public address; webhooks are sent to public addresses only "
            "(an operator may allow private ones: CHATROUTES_WEBHOOK_ALLOW_PRIVATE=1)",
            field="url",
        )


@dataclass
class DeliveryView:
    delivery: WebhookDelivery
    attempts: list[WebhookAttempt]


class WebhookService:
    """An account's endpoints, their deliveries, tests and redeliveries."""

    def __init__(self, ctx: ServerContext, user_id: str, *, guest: bool = False) -> None:
        self.ctx = ctx
        self.user_id = user_id
        self.guest = guest

    def _refuse_guests(self) -> None:
        if self.guest:
            raise Forbidden("Guest sessions cannot have webhooks: create an account first")

    async def create(self, request: WebhookCreate) -> tuple[WebhookEndpoint, str]:
        """A new endpoint and its signing secret (shown this once)."""
        self._refuse_guests()
        events = checked_events(request.events)
        await check_destination(request.url, self.ctx.settings.webhook_allow_private)
        secret, now = new_secret(), utcnow()
        endpoint = WebhookEndpoint(
            id=new_id("wh"),
            user_id=self.user_id,
            url=request.url,
            events=events,
            description=request.description,
            enabled=request.enabled,
            secret=seal_secret(self.ctx.secret, secret),
            disabled_reason=None,
            disabled_at=None,
            consecutive_failures=0,
            created_at=now,
            updated_at=now,
        )
        async with self.ctx.db.write() as session:
            await WebhookRepository(session).add(endpoint)
        return endpoint, secret

    async def list(self) -> list[WebhookEndpoint]:
        self._refuse_guests()
        async with self.ctx.db.read() as session:
            return await WebhookRepository(session).list_owned(self.user_id)

    async def get(self, webhook_id: str) -> WebhookEndpoint:
        self._refuse_guests()
        async with self.ctx.db.read() as session:
            return await self._owned(session, webhook_id)

    async def update(self, webhook_id: str, request: WebhookUpdate) -> WebhookEndpoint:
        """Change what was given; enabling clears the reason it was disabled and its
        failure streak."""
        self._refuse_guests()
        changes = request.model_dump(exclude_unset=True)
        for name in ("url", "events", "enabled"):
            if name in changes and changes[name] is None:
                raise InvalidRequest(f"{name} cannot be null", field=name)
        if "events" in changes:
            changes["events"] = checked_events(changes["events"])
        if "url" in changes:
            await check_destination(changes["url"], self.ctx.settings.webhook_allow_private)
        async with self.ctx.db.write() as session:
            endpoint = await self._owned(session, webhook_id)
            if changes.get("enabled"):
                endpoint.disabled_reason = None
                endpoint.disabled_at = None
                endpoint.consecutive_failures = 0
            elif changes.get("enabled") is False and endpoint.enabled:
                endpoint.disabled_at = utcnow()
            for name, value in changes.items():
                setattr(endpoint, name, value)
            endpoint.updated_at = utcnow()
        return endpoint

    async def delete(self, webhook_id: str) -> None:
        self._refuse_guests()
        async with self.ctx.db.write() as session:
            repo = WebhookRepository(session)
            await repo.delete(await self._owned(session, webhook_id))

    async def rotate_secret(self, webhook_id: str) -> tuple[WebhookEndpoint, str]:
        """A new signing secret (shown this once); the old one signs nothing more."""
        self._refuse_guests()
        secret = new_secret()
        async with self.ctx.db.write() as session:
            endpoint = await self._owned(session, webhook_id)
            endpoint.secret = seal_secret(self.ctx.secret, secret)
            endpoint.updated_at = utcnow()
        return endpoint, secret

    async def test(self, webhook_id: str) -> WebhookDelivery:
        """A ``webhook.test`` delivery to the endpoint, whatever events it takes."""
        body = event_body(WEBHOOK_TEST, {"webhookId": webhook_id}, utcnow())
        return await self._deliver_new(webhook_id, WEBHOOK_TEST, body, new_id("evt"))

    async def redeliver(self, webhook_id: str, delivery_id: str) -> WebhookDelivery:
        """A new delivery of a delivery's event: the same body, a new webhook-id."""
        self._refuse_guests()
        async with self.ctx.db.read() as session:
            await self._owned(session, webhook_id)
            original = await self._delivery(session, webhook_id, delivery_id)
        return await self._deliver_new(
            webhook_id, original.event_type, original.payload, original.event_id
        )

    async def deliveries(
        self, webhook_id: str, limit: int, cursor: str | None
    ) -> tuple[Sequence[WebhookDelivery], str | None]:
        """A page of deliveries, newest first, and the cursor of the next (None: the end)."""
        self._refuse_guests()
        async with self.ctx.db.read() as session:
            await self._owned(session, webhook_id)
            page = await WebhookRepository(session).deliveries(webhook_id, limit + 1, cursor)
        more = len(page) > limit
        page = page[:limit]
        return page, page[-1].id if more else None

    async def delivery(self, webhook_id: str, delivery_id: str) -> DeliveryView:
        self._refuse_guests()
        async with self.ctx.db.read() as session:
            await self._owned(session, webhook_id)
            delivery = await self._delivery(session, webhook_id, delivery_id)
            attempts = await WebhookRepository(session).attempts(delivery_id)
        return DeliveryView(delivery, attempts)

    async def _deliver_new(
        self, webhook_id: str, event_type: str, payload: str, event_id: str
    ) -> WebhookDelivery:
        """A pending delivery of ``payload`` to an enabled endpoint (409 if disabled)."""
        self._refuse_guests()
        async with self.ctx.db.write() as session:
            endpoint = await self._owned(session, webhook_id)
            if not endpoint.enabled:
                raise Conflict(
                    f"Webhook {webhook_id} is disabled; enable it first",
                    details={"disabledReason": endpoint.disabled_reason},
                )
            row = _delivery_row(endpoint.id, self.user_id, event_id, event_type, payload, utcnow())
            delivery = WebhookDelivery(**row)
            await WebhookRepository(session).add_delivery(delivery)
        return delivery

    async def _owned(self, session: AsyncSession, webhook_id: str) -> WebhookEndpoint:
        endpoint = await WebhookRepository(session).owned(self.user_id, webhook_id)
        if endpoint is None:
            raise NotFound("webhook", webhook_id)
        return endpoint

    @staticmethod
    async def _delivery(
        session: AsyncSession, webhook_id: str, delivery_id: str
    ) -> WebhookDelivery:
        delivery = await WebhookRepository(session).delivery(webhook_id, delivery_id)
        if delivery is None:
            raise NotFound("delivery", delivery_id)
        return delivery
