"""Users and API keys: creation, listing, revocation and authentication."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from ..auth.api_keys import display_prefix, generate_api_key, hash_api_key, is_well_formed
from ..domain.errors import Conflict, Forbidden, InvalidRequest, NotFound, Unauthenticated
from ..domain.ids import new_id
from ..store import api_keys as api_key_store
from ..store.api_keys import ApiKeyRepository
from ..store.database import Database
from ..store.tables import ApiKey, User
from ..store.users import UserRepository
from .server_context import utcnow

PLANS = ("free", "starter", "pro", "enterprise")
LOCAL_USER_EMAIL = "local@localhost"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
# A key's last use is written at most this often, so a busy key costs no write per request.
LAST_USED_RESOLUTION = timedelta(seconds=60)


def normalise_email(email: str) -> str:
    """Lower-cased and stripped; 400 naming ``email`` when it is not an address."""
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise InvalidRequest(f"'{email}' is not an email address", field="email")
    return email


@dataclass(frozen=True)
class Principal:
    """Who a request acts for, and through what credential."""

    user_id: str
    plan: str
    is_guest: bool
    api_key_id: str | None  # None: a signed-in session rather than an API key
    # The account as authentication read it, so per-request limits need no second read.
    user: User | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    secret: str  # shown once, never stored


def key_holder(connection: Connection, key_hash: str, now: datetime) -> Principal:
    """Who holds the key with this hash (401 for none or a revoked one), its use recorded.

    Within the caller's write transaction (a light one: a lost last-used time costs nothing),
    so a request's admission can join it (``LimitService.admit_key``).
    """
    principal, last_used_at = _key_principal(connection, key_hash)
    stale_before = now - LAST_USED_RESOLUTION
    if last_used_at is None or last_used_at < stale_before:
        assert principal.api_key_id is not None
        api_key_store.touch_key(connection, principal.api_key_id, now, stale_before)
    return principal


def _key_principal(connection: Connection, key_hash: str) -> tuple[Principal, datetime | None]:
    """Who holds the key with this hash, and when it was last used; 401 for none."""
    found = api_key_store.active_key(connection, key_hash)
    if found is None:
        raise Unauthenticated("Invalid or revoked API key")
    key_id, last_used_at, user = found
    principal = Principal(
        user_id=user.id, plan=user.plan, is_guest=user.is_guest, api_key_id=key_id, user=user
    )
    return principal, last_used_at


def _email_taken(email: str) -> Conflict:
    return Conflict(f"a user with email {email} already exists")


async def ensure_email_free(users: UserRepository, email: str) -> None:
    """409 if a user has ``email`` (a concurrent insert: ``one_user_per_email``)."""
    if await users.get_by_email(email) is not None:
        raise _email_taken(email)


@contextmanager
def one_user_per_email(email: str) -> Iterator[None]:
    """Around a unit of work giving a user ``email``: a concurrent one that won the race
    (the unique index refuses this one) is the same 409 as ``ensure_email_free``'s."""
    try:
        yield
    except IntegrityError as exc:
        raise _email_taken(email) from exc


class AccountService:
    def __init__(self, db: Database, secret: bytes) -> None:
        self.db = db
        self.secret = secret

    async def create_user(self, email: str, *, plan: str = "free", name: str | None = None) -> User:
        email = normalise_email(email)
        if plan not in PLANS:
            raise InvalidRequest(f"plan must be one of {', '.join(PLANS)}", field="plan")
        with one_user_per_email(email):
            async with self.db.write() as session:
                users = UserRepository(session)
                await ensure_email_free(users, email)
                return await users.add(
                    User(id=new_id("usr"), email=email, name=name, plan=plan, created_at=utcnow())
                )

    async def create_key(self, email: str, *, name: str | None = None) -> NewKey:
        async with self.db.write() as session:
            user = await self._user_by_email(UserRepository(session), email)
            return await self._add_key(ApiKeyRepository(session), user.id, name)

    async def create_key_for(self, principal: Principal, *, name: str | None = None) -> NewKey:
        """A new key for the signed-in user; guests cannot hold keys."""
        if principal.is_guest:
            raise Forbidden("Guest sessions cannot create API keys: create an account first")
        async with self.db.write() as session:
            return await self._add_key(ApiKeyRepository(session), principal.user_id, name)

    async def list_keys_for(self, user_id: str) -> list[ApiKey]:
        async with self.db.read() as session:
            return await ApiKeyRepository(session).list_for_user(user_id)

    async def revoke_key_for(self, user_id: str, key_id: str) -> None:
        """Revoke one of the user's keys; another account's key is 404 like a missing one."""
        async with self.db.write() as session:
            keys = ApiKeyRepository(session)
            if await keys.get_for_user(key_id, user_id) is None:
                raise NotFound("API key", key_id)
            await keys.revoke(key_id, utcnow())  # already revoked: nothing to do

    async def _add_key(self, keys: ApiKeyRepository, user_id: str, name: str | None) -> NewKey:
        raw = generate_api_key()
        key = await keys.add(
            ApiKey(
                id=new_id("key"),
                user_id=user_id,
                name=name,
                key_hash=hash_api_key(self.secret, raw),
                key_prefix=display_prefix(raw),
                created_at=utcnow(),
            )
        )
        return NewKey(key=key, secret=raw)

    async def list_keys(self, email: str) -> list[ApiKey]:
        async with self.db.read() as session:
            user = await self._user_by_email(UserRepository(session), email)
            return await ApiKeyRepository(session).list_for_user(user.id)

    async def revoke_key(self, key_id: str) -> None:
        async with self.db.write() as session:
            if not await ApiKeyRepository(session).revoke(key_id, utcnow()):
                raise NotFound("API key", key_id)

    async def authenticate(self, raw_key: str) -> Principal:
        """Who holds ``raw_key``; 401 for a malformed, unknown or revoked key."""
        key_hash = self.key_hash(raw_key)
        now = utcnow()
        return await self.db.run(
            lambda connection: key_holder(connection, key_hash, now), write=True, durable=False
        )

    async def holder(self, raw_key: str) -> Principal:
        """Who holds ``raw_key`` (401 as ``authenticate``), read only: its use not recorded."""
        key_hash = self.key_hash(raw_key)
        principal, _ = await self.db.run(lambda connection: _key_principal(connection, key_hash))
        return principal

    def key_hash(self, raw_key: str) -> str:
        """What the database knows of ``raw_key``; 401 for a malformed one."""
        if not is_well_formed(raw_key):
            raise Unauthenticated(
                "Malformed API key: expected cr_prod_sk_ followed by 64 hex digits"
            )
        return hash_api_key(self.secret, raw_key)

    async def ensure_first_user(self) -> str | None:
        """On a server with no users, create the local user; returns its new key once."""
        async with self.db.read() as session:
            if await UserRepository(session).count():
                return None
        try:
            await self.create_user(LOCAL_USER_EMAIL, plan="enterprise", name="Local user")
        except Conflict:
            return None  # another process got there first
        return (await self.create_key(LOCAL_USER_EMAIL, name="first start")).secret

    @staticmethod
    async def _user_by_email(users: UserRepository, email: str) -> User:
        user = await users.get_by_email(email.strip().lower())
        if user is None:
            raise NotFound("user", email)
        return user
