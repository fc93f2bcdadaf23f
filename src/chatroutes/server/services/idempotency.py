"""Idempotency keys: a POST repeated with the same key is answered once, then replayed.

``begin`` either claims the key (the caller runs the request, then ``complete``s or
``release``s the claim) or answers from what is stored: the recorded response, or
an error when the first request is still running or the key was used for a
different request. Claiming is one short write transaction: an ``INSERT … ON CONFLICT
DO NOTHING``, whose refusal alone makes it read the row; the primary key of
``idempotency_keys`` decides between concurrent requests, in any process. Storing the
answer is one ``UPDATE`` of the claimed row. Each is a prebuilt statement run on a
synchronous connection in one ``Database.run`` (``store/idempotency.py``).

Responses that are worth retrying are not kept, so the retry does the work:
5xx, 401, and the transient 4xx (408, 409, 423, 425, 429).

Answers that carry a secret (a new API key, session tokens: ``Cache-Control: no-store``)
are never written down: the record keeps only their status and that mark, and a repeat
is told 409 ``IDEMPOTENCY_SECRET_NOT_REPLAYED`` instead of the secret.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import Connection

from ..domain.errors import (
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    IdempotencySecretNotReplayed,
    InvalidRequest,
)
from ..settings import Settings
from ..store import idempotency as keys
from ..store.database import Database
from .server_context import utcnow

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
PURGE_INTERVAL_SECONDS = 300.0

# Kept out of a stored response: per-connection headers, and per-request rate-limit state.
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
_TRANSIENT_STATUSES = frozenset({401, 408, 409, 423, 425, 429})
_CACHE_CONTROL, _NO_STORE = "cache-control", "no-store"
_CLAIM_ATTEMPTS = 5
_ONE_MS = timedelta(milliseconds=1)
_CACHED_ANSWERS = 2048  # finished answers this process keeps at hand, and how large each
_CACHED_BODY_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status_code: int
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def carries_secret(self) -> bool:
        """Marked ``Cache-Control: no-store``: kept by no cache, nor by this store."""
        return any(
            name.lower() == "cache-control"
            and "no-store" in (part.strip().lower() for part in value.split(","))
            for name, value in self.headers
        )

    def withheld(self) -> StoredResponse:
        """What is kept of an answer that carries a secret: its status and that mark."""
        return StoredResponse(self.status_code, [(_CACHE_CONTROL, _NO_STORE)], b"")


@dataclass(frozen=True, slots=True)
class Claim:
    """The right to run one request; ``token`` is the claim row's ``created_at``.

    Until ``locked_until`` no other request may take the key over.
    """

    scope: str
    key: str
    token: datetime
    request_hash: str
    expires_at: datetime
    locked_until: datetime


@dataclass(frozen=True, slots=True)
class _Finished:
    request_hash: str
    expires_at: datetime
    response: StoredResponse


def check_key(value: str) -> str:
    """An idempotency key is 1 to 255 printable ASCII characters."""
    if not 1 <= len(value) <= MAX_KEY_LENGTH or not all(" " <= c <= "~" for c in value):
        raise InvalidRequest(
            f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable ASCII characters", field=HEADER
        )
    return value


def scope_of(credential: str) -> str:
    """Keys belong to the credential that sent them; only its hash is kept."""
    return hashlib.sha256(credential.encode()).hexdigest()


def fingerprint(method: str, path: str, query: bytes, body: bytes) -> str:
    digest = hashlib.sha256(f"{method}\n{path}\n".encode())
    digest.update(query)
    digest.update(b"\n")
    digest.update(body)
    return digest.hexdigest()


def is_kept(status_code: int) -> bool:
    """Whether a response is the request's final answer (else the key is released)."""
    return status_code < 500 and status_code not in _TRANSIENT_STATUSES


def kept_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [
        (name, value)
        for name, value in headers
        if name.lower() not in _HOP_BY_HOP
        and not name.lower().startswith(("ratelimit", "x-ratelimit"))
    ]


class IdempotencyService:
    """One per application: it also purges expired keys now and then.

    Two things in process memory spare the database work, never replace it: the keys
    this process is claiming or running (copies that arrive together are told 409
    without queueing for the write lock), and recently finished answers (a finished
    record never changes until it expires, so any process may keep a copy).
    """

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.ttl = timedelta(hours=settings.idempotency_ttl_hours)
        self.lock = timedelta(seconds=settings.idempotency_lock_seconds)
        self._next_purge = 0.0
        self._in_flight: dict[tuple[str, str], str] = {}  # -> request hash
        self._finished: OrderedDict[tuple[str, str], _Finished] = OrderedDict()

    async def begin(self, scope: str, key: str, request_hash: str) -> Claim | StoredResponse:
        """Claim the key, or answer from the record; raises while it is in use or misused."""
        slot = (scope, key)
        finished = self._recall(slot)
        if finished is not None:
            if finished.request_hash != request_hash:
                raise _reused()
            return _replayable(finished.response)
        held = self._in_flight.get(slot)
        if held is not None:
            raise _in_use() if held == request_hash else _reused()
        self._in_flight[slot] = request_hash
        outcome: Claim | StoredResponse | None = None
        try:
            outcome = await self._begin(scope, key, request_hash)
        finally:
            if not isinstance(outcome, Claim):
                del self._in_flight[slot]
        return outcome if isinstance(outcome, Claim) else _replayable(outcome)

    async def complete(self, claim: Claim, response: StoredResponse) -> None:
        kept = StoredResponse(response.status_code, kept_headers(response.headers), response.body)
        if kept.carries_secret:
            kept = kept.withheld()
        headers = [[name, value] for name, value in kept.headers]

        def finish(connection: Connection) -> bool:
            return keys.finish(
                connection,
                claim.scope,
                claim.key,
                claim.token,
                status_code=kept.status_code,
                headers=headers,
                body=kept.body,
                locked_until=utcnow(),
            )

        try:
            # Durable: the answer must reach the disk with what the request stored durably
            # (a send's reply), or a retry after a crash would do the work again.
            if await self.db.run(finish, write=True):
                self._remember((claim.scope, claim.key), claim.request_hash, claim.expires_at, kept)
        finally:
            self._in_flight.pop((claim.scope, claim.key), None)

    async def release(self, claim: Claim) -> None:
        """Forget the claim so a retry with the same key runs the request again."""
        try:
            await self.db.run(
                lambda connection: keys.delete_owned(
                    connection, claim.scope, claim.key, claim.token
                ),
                write=True,
            )
        finally:
            self._in_flight.pop((claim.scope, claim.key), None)

    async def _begin(self, scope: str, key: str, request_hash: str) -> Claim | StoredResponse:
        # Light: a claim reaches the disk with the first durable write after it (WAL order),
        # so whatever the request stores durably is never on disk without its claim.
        attempt = partial(self._try_claim, scope=scope, key=key, request_hash=request_hash)
        for _ in range(_CLAIM_ATTEMPTS):
            outcome = await self.db.run(attempt, write=True, durable=False)
            if isinstance(outcome, _Finished):
                self._remember(
                    (scope, key), outcome.request_hash, outcome.expires_at, outcome.response
                )
                return outcome.response
            if outcome is not None:
                return outcome
        raise _in_use()  # others kept winning the row; the client retries

    def _recall(self, slot: tuple[str, str]) -> _Finished | None:
        finished = self._finished.get(slot)
        if finished is None:
            return None
        if finished.expires_at <= utcnow():
            del self._finished[slot]
            return None
        self._finished.move_to_end(slot)
        return finished

    def _remember(
        self,
        slot: tuple[str, str],
        request_hash: str,
        expires_at: datetime,
        response: StoredResponse,
    ) -> None:
        if len(response.body) > _CACHED_BODY_BYTES:
            return
        self._finished[slot] = _Finished(request_hash, expires_at, response)
        self._finished.move_to_end(slot)
        while len(self._finished) > _CACHED_ANSWERS:
            self._finished.popitem(last=False)

    def purge_due(self) -> bool:
        """True at most once per interval in this process: time to drop expired keys."""
        now = time.monotonic()
        if now < self._next_purge:
            return False
        self._next_purge = now + PURGE_INTERVAL_SECONDS
        return True

    async def purge_expired(self) -> int:
        return await self.db.run(
            lambda connection: keys.delete_expired(connection, utcnow()), write=True
        )

    def _try_claim(
        self, connection: Connection, *, scope: str, key: str, request_hash: str
    ) -> Claim | _Finished | None:
        """One attempt, in a write transaction: claim by insert, and only when the key has a
        row read it. None: the row changed under us (another process), try again."""
        now = utcnow()
        lock, expiry = now + self.lock, now + self.ttl
        row = {
            "scope": scope,
            "key": key,
            "request_hash": request_hash,
            "state": "running",
            "created_at": now,
            "locked_until": lock,
            "expires_at": expiry,
        }
        if keys.add_if_absent(connection, row):
            return Claim(scope, key, now, request_hash, expiry, lock)
        existing = keys.record(connection, scope, key)
        if existing is None:  # released since the insert was refused
            return None
        finished = self._judge(existing, request_hash, now)
        if finished is not None:
            return finished
        # Expired, or a running claim whose owner stopped renewing it: take it over.
        token = max(now, existing.created_at + _ONE_MS)  # strictly newer than the old owner's
        taken = keys.take_over(
            connection,
            scope,
            key,
            expected_token=existing.created_at,
            request_hash=request_hash,
            token=token,
            locked_until=lock,
            expires_at=expiry,
        )
        return Claim(scope, key, token, request_hash, expiry, lock) if taken else None

    @staticmethod
    def _judge(record: Any, request_hash: str, now: datetime) -> _Finished | None:
        """The stored answer of a live record; None when the record may be claimed."""
        if record.expires_at <= now:
            return None
        if record.request_hash != request_hash:
            raise _reused()
        if record.state == "done":
            response = StoredResponse(
                status_code=record.status_code or 200,
                headers=[(name, value) for name, value in record.response_headers or []],
                body=record.response_body or b"",
            )
            return _Finished(request_hash, record.expires_at, response)
        if record.locked_until > now:
            raise _in_use()
        return None


def _replayable(stored: StoredResponse) -> StoredResponse:
    """``stored``, unless it was an answer carrying a secret: that is never replayed."""
    if stored.carries_secret:
        raise IdempotencySecretNotReplayed(
            f"The request with this {HEADER} was done (status {stored.status_code}); its "
            "answer carried a secret, which is never stored, so it cannot be replayed",
            details={"field": HEADER, "status": stored.status_code},
        )
    return stored


def _reused() -> IdempotencyKeyReused:
    return IdempotencyKeyReused(
        f"This {HEADER} was already used for a different request", details={"field": HEADER}
    )


def _in_use() -> IdempotencyKeyInUse:
    return IdempotencyKeyInUse(
        f"A request with this {HEADER} is still being processed; retry shortly",
        details={"field": HEADER},
        retry_after=1,
    )
