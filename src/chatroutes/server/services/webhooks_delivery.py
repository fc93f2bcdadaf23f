"""The webhook sender: a task of every server process that posts the outbox's due
deliveries, signed, and retries the failed ones on the schedule.

Each pass claims due rows with a lease (``store/webhooks.py`` ``claim_due``), so servers
sharing a database never send a row twice at once; a server that dies holding one leaves
it to another once the lease runs out (a receiver may then see an attempt again: it
dedups by ``webhook-id``). Each attempt is logged, and its outcome written, in one
transaction:

- a 2xx answer delivers it and ends the endpoint's failure streak;
- anything else (another status, a redirect, which is never followed, a timeout, a
  refused connection, a destination that now resolves to a private address) is a failed
  attempt: the next is due after the schedule's next delay (±10%), and once the schedule
  is used up the delivery is ``failed``;
- a delivery failed for good while every attempt of the endpoint failed since its first
  (no delivery succeeded in between) disables the endpoint, with the reason its owner
  sees (``disabledReason``); enabling it again clears it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from sqlalchemy import Connection

from ... import __version__
from ..auth.webhooks import SealedSecretInvalid, open_secret
from ..domain.ids import new_id
from ..domain.webhooks import refused_address, retry_delay, signature, url_host
from ..store import webhooks as webhook_store
from ..store.webhooks import DELIVERED, FAILED, PENDING
from .server_context import ServerContext, utcnow
from .webhooks import resolved_addresses

logger = logging.getLogger("chatroutes.server")

MAX_IN_FLIGHT = 32  # deliveries one process sends at once
MAX_ERROR_CHARS = 500


@dataclass(frozen=True)
class _Attempt:
    """One POST: its number (1 for the first), when, the answer's status, the error."""

    number: int
    at: datetime
    status_code: int | None
    error: str | None  # None: delivered
    duration_ms: float


class DestinationRefused(Exception):
    """The destination resolves to no public address (and private ones are not allowed)."""


async def run_webhook_sender(ctx: ServerContext) -> None:
    """Forever: send what is due, then look again every ``webhook_poll_seconds``."""
    sender = WebhookSender(ctx)
    try:
        while True:
            try:
                await sender.send_due()
            except Exception:  # the database restarting…: the next pass tries again
                logger.exception("webhook delivery pass failed")
            await asyncio.sleep(ctx.settings.webhook_poll_seconds)
    finally:
        await sender.close()


class WebhookSender:
    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx
        settings = ctx.settings
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(settings.webhook_timeout_seconds),
            follow_redirects=False,
            trust_env=False,  # never through a proxy the environment names
            limits=httpx.Limits(max_connections=MAX_IN_FLIGHT, max_keepalive_connections=8),
        )
        self.in_flight: set[asyncio.Task[None]] = set()

    async def close(self) -> None:
        for task in self.in_flight:
            task.cancel()
        await asyncio.gather(*self.in_flight, return_exceptions=True)
        await self.client.aclose()

    async def send_due(self) -> int:
        """Claim what is due (as many as there is room for) and start sending it."""
        room = MAX_IN_FLIGHT - len(self.in_flight)
        now = utcnow()
        if room <= 0 or not await self.ctx.db.run(lambda c: webhook_store.any_due(c, now)):
            return 0
        token = new_id("lease")
        until = now + timedelta(seconds=self.ctx.settings.webhook_lease_seconds)
        claimed = await self.ctx.db.run(
            lambda c: webhook_store.claim_due(c, now, until, token, room), write=True
        )
        for row in claimed:
            task = asyncio.create_task(self._deliver(row, token))
            self.in_flight.add(task)
            task.add_done_callback(self.in_flight.discard)
        return len(claimed)

    async def _deliver(self, row: Any, token: str) -> None:
        try:
            await self._attempt(row, token)
        except Exception:  # its lease runs out and the row is claimed again
            logger.exception("webhook delivery %s failed to run", row.id)

    async def _attempt(self, row: Any, token: str) -> None:
        endpoint = await self.ctx.db.run(
            lambda c: webhook_store.endpoint_for_sending(c, row.webhook_id)
        )
        if endpoint is None:  # deleted meanwhile: its deliveries went with it
            return
        if not endpoint.enabled:  # not sent: failed, for the owner to redeliver once enabled
            await self.ctx.db.run(
                lambda c: webhook_store.abandon(c, row.id, token, "the webhook is disabled"),
                write=True,
            )
            return
        at, started = utcnow(), time.perf_counter()
        status_code, error = await self._post(endpoint, row.id, row.payload)
        attempt = _Attempt(
            row.attempt_count + 1, at, status_code, error, (time.perf_counter() - started) * 1000
        )
        await self.ctx.db.run(lambda c: self._record(c, row, token, attempt), write=True)

    def _record(self, connection: Connection, row: Any, token: str, attempt: _Attempt) -> None:
        """Log the attempt and write its outcome, in the caller's transaction."""
        number, at, error = attempt.number, attempt.at, attempt.error
        delivered = error is None
        delay = None if delivered else retry_delay(self.ctx.settings.webhook_retry_delays, number)
        status = DELIVERED if delivered else PENDING if delay is not None else FAILED
        outcome = {
            "delivery_id": row.id,
            "status": status,
            "attempt_count": number,
            "next_attempt_at": at + timedelta(seconds=delay) if delay is not None else None,
            "at": at,
            "status_code": attempt.status_code,
            "error": error,
            "delivered_at": at if delivered else None,
        }
        logged = {
            "id": new_id("att"),
            "delivery_id": row.id,
            "at": at,
            "status_code": attempt.status_code,
            "error": error,
            "duration_ms": attempt.duration_ms,
        }
        if not webhook_store.record_attempt(connection, token, logged, outcome):
            return  # the lease ran out and another process has the row
        if delivered:
            webhook_store.endpoint_succeeded(connection, row.webhook_id)
            return
        streak = webhook_store.endpoint_failed(connection, row.webhook_id)
        if status == FAILED and streak >= number:
            reason = (
                f"Disabled at {at:%Y-%m-%d %H:%M} UTC: delivery {row.id} failed all "
                f"{number} attempts and no delivery succeeded meanwhile ({streak} failed "
                f"attempts in a row; last: {error}). Fix the receiver, then enable the "
                "webhook again."
            )
            webhook_store.disable_endpoint(connection, row.webhook_id, reason, at)

    async def _post(
        self, endpoint: Any, delivery_id: str, payload: str
    ) -> tuple[int | None, str | None]:
        """POST one signed attempt: the status code (if any answer came) and an error
        (None: delivered)."""
        try:
            secret = open_secret(self.ctx.secret, endpoint.secret)
        except SealedSecretInvalid:
            return None, "the signing secret cannot be read (the server secret changed); rotate it"
        body = payload.encode("utf-8")
        timestamp = int(time.time())
        headers = {
            "content-type": "application/json",
            "user-agent": f"ChatRoutes-Webhooks/{__version__}",
            "webhook-id": delivery_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature(secret, delivery_id, timestamp, body),
        }
        try:
            url, extensions = await self._destination(endpoint.url, headers)
        except DestinationRefused as refused:
            return None, str(refused)
        try:
            async with self.client.stream(
                "POST", url, content=body, headers=headers, extensions=extensions
            ) as response:
                status = response.status_code  # the body is never read
        except httpx.TimeoutException:
            return None, f"no answer within {self.ctx.settings.webhook_timeout_seconds:g} s"
        except httpx.HTTPError as failure:
            return None, _short(
                f"{type(failure).__name__}: {failure}" if str(failure) else type(failure).__name__
            )
        if 200 <= status < 300:
            return status, None
        if 300 <= status < 400:
            return status, f"HTTP {status}: redirects are not followed"
        return status, f"HTTP {status}"

    async def _destination(self, url: str, headers: dict[str, str]) -> tuple[str, dict[str, Any]]:
        """Where to connect: unless private addresses are allowed, the URL's host resolved
        now and checked, and the connection made to that checked address (so a DNS answer
        changed between check and connect cannot redirect it); ``Host`` and TLS's server
        name stay the URL's."""
        if self.ctx.settings.webhook_allow_private:
            return url, {}
        host, port = url_host(url)
        addresses = await resolved_addresses(host, port)
        public = [a for a in addresses if not refused_address(a)]
        if not public:
            where = (
                f"resolves to {addresses[0]}, not a public address"
                if addresses
                else "does not resolve"
            )
            raise DestinationRefused(f"refused: {host} {where}")
        parts = urlsplit(url)
        address = public[0]
        literal = f"[{address}]" if ":" in address else address
        netloc = literal if parts.port is None else f"{literal}:{parts.port}"
        headers["host"] = parts.netloc.rsplit("@", 1)[-1]
        extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
        return urlunsplit(parts._replace(netloc=netloc)), extensions


def _short(text: str) -> str:
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"
