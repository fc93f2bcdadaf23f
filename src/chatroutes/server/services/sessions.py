"""Signed-in sessions: register, login, refresh rotation, logout, guests and their conversion.

A sign-in opens a refresh-token *family*. Each refresh spends its token and
issues the next one in the same family; presenting a spent token again means
it was stolen or replayed, so the whole family is revoked. Access tokens name
their family, so ending a session (logout, reuse, conversion) ends its access
tokens too.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.passwords import hash_password, verify_password
from ..auth.sessions import (
    hash_refresh_token,
    issue_access_token,
    new_refresh_token,
    verify_access_token,
)
from ..domain.errors import Forbidden, RateLimited, Unauthenticated
from ..domain.ids import new_id
from ..store.counters import DatabaseCounters
from ..store.sessions import RefreshTokenRepository
from ..store.tables import RefreshToken, User
from ..store.users import UserRepository
from .accounts import Principal, ensure_email_free, normalise_email, one_user_per_email
from .limits import GUEST_PLAN, plan_table
from .server_context import ServerContext, utcnow

GUEST_EMAIL_DOMAIN = "guest.invalid"
GUEST_SESSIONS_PER_HOUR = 3
GUEST_SESSIONS_PER_DAY = 10
# Password guessing: attempts per client address, and per address and account, per window.
SIGN_IN_WINDOW = timedelta(minutes=15)
SIGN_INS_PER_ADDRESS = 60
SIGN_INS_PER_ACCOUNT = 10

_BAD_LOGIN = "Invalid email or password"


@dataclass(frozen=True)
class Session:
    """A signed-in user and the tokens that prove it; the refresh token is shown once."""

    user: User
    access_token: str
    refresh_token: str
    expires_in: int


def _guest_expired(user: User, now: datetime) -> bool:
    return user.is_guest and (user.guest_expires_at is None or user.guest_expires_at <= now)


class SessionService:
    def __init__(self, ctx: ServerContext) -> None:
        self.db = ctx.db
        self.secret = ctx.secret
        self.settings = ctx.settings
        self.counters = ctx.counters or DatabaseCounters(ctx.db)

    async def throttle_sign_in(self, client_ip: str, email: str) -> None:
        """Count a login or registration attempt; 429 once an address tries too often.

        Counted before the password is checked, in the counters every replica shares.
        """
        now = utcnow()
        minutes = int(SIGN_IN_WINDOW.total_seconds() // 60)
        start = now.replace(minute=now.minute - now.minute % minutes, second=0, microsecond=0)
        ends = start + SIGN_IN_WINDOW
        window = f"signin:{start:%Y-%m-%dT%H:%M}"
        account = hashlib.sha256(normalise_email(email).encode()).hexdigest()[:32]
        for subject, limit in (
            (f"ip:{client_ip}"[:80], SIGN_INS_PER_ADDRESS),
            (f"ip-account:{account}:{client_ip}"[:80], SIGN_INS_PER_ACCOUNT),
        ):
            if await self.counters.take(subject, window, 1, limit, ends) is None:
                raise RateLimited(
                    f"Too many sign-in attempts from this address; at most {limit} "
                    f"in {minutes} minutes",
                    retry_after=max(1, math.ceil((ends - now).total_seconds())),
                    details={"limit": limit},
                )

    def guest_limits(self) -> dict[str, int | None]:
        """What one guest session may use (the guest plan's caps, enforced by the limits)."""
        plan = plan_table(self.settings).get(GUEST_PLAN)
        if plan is None:
            return {"tokens": None, "branches": None, "messages": None}
        return {
            "tokens": plan.session_tokens,
            "branches": plan.session_branches,
            "messages": plan.session_messages,
        }

    async def register(self, email: str, password: str, name: str | None = None) -> Session:
        email = normalise_email(email)
        password_hash = await hash_password(password)
        with one_user_per_email(email):
            async with self.db.write() as session:
                users = UserRepository(session)
                await ensure_email_free(users, email)
                now = utcnow()
                user = await users.add(
                    User(
                        id=new_id("usr"),
                        email=email,
                        name=name,
                        plan="free",
                        created_at=now,
                        password_hash=password_hash,
                        is_guest=False,
                    )
                )
                return await self._open(session, user, now)

    async def login(self, email: str, password: str) -> Session:
        """One answer for an unknown email and a wrong password, in the same time."""
        async with self.db.read() as session:
            user = await UserRepository(session).get_by_email(email.strip().lower())
        stored = user.password_hash if user is not None and not user.is_guest else None
        if not await verify_password(password, stored) or user is None:
            raise Unauthenticated(_BAD_LOGIN)
        async with self.db.write() as session:
            return await self._open(session, user, utcnow())

    async def refresh(self, raw_token: str) -> Session:
        """Spend ``raw_token`` for a new pair in its family; a spent token revokes the family."""
        now = utcnow()
        failure: str | None = None
        async with self.db.write() as session:
            tokens = RefreshTokenRepository(session)
            token = await tokens.get_by_hash(hash_refresh_token(self.secret, raw_token))
            if token is None:
                failure = "Invalid refresh token"
            elif token.revoked_at is not None:
                failure = "Session revoked: sign in again"
            elif token.expires_at <= now:
                failure = "Refresh token expired: sign in again"
            elif token.used_at is not None or not await tokens.mark_used(token.id, now):
                # Committed below even though the request fails: the family stays dead.
                await tokens.revoke_family(token.family_id, now)
                failure = "Refresh token already used: the session was revoked; sign in again"
            else:
                user = await UserRepository(session).get(token.user_id)
                if user is None or _guest_expired(user, now):
                    failure = "Session expired: sign in again"
                else:
                    return await self._issue(session, user, token.family_id, now)
        raise Unauthenticated(failure)

    async def logout(self, raw_token: str) -> None:
        """End the session ``raw_token`` belongs to; an unknown token ends nothing."""
        async with self.db.write() as session:
            tokens = RefreshTokenRepository(session)
            token = await tokens.get_by_hash(hash_refresh_token(self.secret, raw_token))
            if token is not None:
                await tokens.revoke_family(token.family_id, utcnow())

    async def end_session(self, access_token: str) -> None:
        """End the session a valid access token belongs to: it and its refresh tokens stop
        working. Ending one already ended changes nothing; an invalid token is a 401."""
        claims = verify_access_token(self.secret, access_token)
        async with self.db.write() as session:
            await RefreshTokenRepository(session).revoke_family(claims.family_id, utcnow())

    async def me(self, user_id: str) -> User:
        async with self.db.read() as session:
            user = await UserRepository(session).get(user_id)
        if user is None:
            raise Unauthenticated("User no longer exists")
        return user

    async def authenticate(self, access_token: str) -> Principal:
        """Who a JWT access token acts for; 401 if it is invalid or its session ended."""
        claims = verify_access_token(self.secret, access_token)
        async with self.db.read() as session:
            user = await RefreshTokenRepository(session).get_session_user(
                claims.user_id, claims.family_id
            )
        if user is None:
            raise Unauthenticated("Session ended or user no longer exists: sign in again")
        if _guest_expired(user, utcnow()):
            raise Unauthenticated("Guest session expired")
        return Principal(
            user_id=user.id, plan=user.plan, is_guest=user.is_guest, api_key_id=None, user=user
        )

    async def start_guest(self, client_ip: str) -> Session:
        """A throwaway account for the web UI, at most a few per client address."""
        now = utcnow()
        await self._count_guest_start(client_ip, now)
        async with self.db.write() as session:
            user_id = new_id("usr")
            user = await UserRepository(session).add(
                User(
                    id=user_id,
                    email=f"guest-{user_id}@{GUEST_EMAIL_DOMAIN}",
                    name=None,
                    plan=GUEST_PLAN,
                    created_at=now,
                    is_guest=True,
                    guest_expires_at=now + timedelta(hours=self.settings.guest_session_hours),
                )
            )
            return await self._open(session, user, now)

    async def convert_guest(
        self, principal: Principal, email: str, password: str, name: str | None = None
    ) -> Session:
        """The guest becomes a regular account: same user id, so its conversations stay."""
        if principal.api_key_id is not None:
            raise Forbidden("Guest sessions are for the web UI: API keys cannot convert them")
        if not principal.is_guest:
            raise Forbidden("Only a guest session can be converted into an account")
        email = normalise_email(email)
        password_hash = await hash_password(password)
        with one_user_per_email(email):
            async with self.db.write() as session:
                users = UserRepository(session)
                user = await users.get(principal.user_id)
                now = utcnow()
                if user is None or _guest_expired(user, now):
                    raise Unauthenticated("Guest session expired")
                await ensure_email_free(users, email)
                user.email = email
                user.name = name
                user.password_hash = password_hash
                user.is_guest = False
                user.guest_expires_at = None
                user.plan = "free"
                user.plan_changed_at = now
                await session.flush()
                # The guest's sessions end; the account starts a fresh one.
                await RefreshTokenRepository(session).revoke_for_user(user.id, now)
                return await self._open(session, user, now)

    async def _open(self, session: AsyncSession, user: User, now: datetime) -> Session:
        return await self._issue(session, user, new_id("ses"), now)

    async def _issue(
        self, session: AsyncSession, user: User, family_id: str, now: datetime
    ) -> Session:
        raw = new_refresh_token()
        expires_at = now + timedelta(days=self.settings.refresh_token_days)
        if user.is_guest and user.guest_expires_at is not None:
            expires_at = min(expires_at, user.guest_expires_at)
        await RefreshTokenRepository(session).add(
            RefreshToken(
                id=new_id("rtk"),
                user_id=user.id,
                family_id=family_id,
                token_hash=hash_refresh_token(self.secret, raw),
                created_at=now,
                expires_at=expires_at,
            )
        )
        ttl = self.settings.access_token_seconds
        access = issue_access_token(self.secret, user.id, family_id, ttl)
        return Session(user=user, access_token=access, refresh_token=raw, expires_in=ttl)

    async def _count_guest_start(self, client_ip: str, now: datetime) -> None:
        """Count one more guest session for ``client_ip``; 429 past the hourly or daily cap.

        A refused attempt is not counted: ``take`` adds nothing past its limit, and an
        hour already taken is given back when the day refuses.
        """
        subject = f"ip:{client_ip}"[:80]
        hour = now.replace(minute=0, second=0, microsecond=0)
        day = hour.replace(hour=0)
        windows = (
            (f"guest:hour:{hour:%Y-%m-%dT%H}", hour + timedelta(hours=1), GUEST_SESSIONS_PER_HOUR),
            (f"guest:day:{day:%Y-%m-%d}", day + timedelta(days=1), GUEST_SESSIONS_PER_DAY),
        )
        taken: list[tuple[str, datetime]] = []
        for window, ends, cap in windows:
            if await self.counters.take(subject, window, 1, cap, ends) is None:
                for given_back, expires in taken:
                    await self.counters.add(subject, given_back, -1, expires)
                retry_after = max(1, math.ceil((ends - now).total_seconds()))
                raise RateLimited(
                    f"Too many guest sessions from this address: at most "
                    f"{GUEST_SESSIONS_PER_HOUR} an hour and {GUEST_SESSIONS_PER_DAY} a day",
                    retry_after=retry_after,
                    details={"limit": cap, "window": window.split(":")[1]},
                )
            taken.append((window, ends))
