"""Sessions on the wire: the register, login and refresh bodies; the user, its tokens and
a guest session's caps."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Protocol

from pydantic import StringConstraints
from typing_extensions import TypedDict

from ..domain.hashing import iso_timestamp
from .common import NoNul, Timestamp, WireModel, timestamp_out

# The shape ``services.accounts.normalise_email`` accepts, declared so clients see it.
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$"
    ),
    NoNul,
]
NewPassword = Annotated[str, StringConstraints(min_length=8, max_length=128), NoNul]
# Any length a stored password could have, and no more: login never hashes megabytes.
Password = Annotated[str, StringConstraints(min_length=1, max_length=128), NoNul]
Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), NoNul]
OpaqueToken = Annotated[str, StringConstraints(min_length=1, max_length=512), NoNul]


class RegisterRequest(WireModel):
    email: Email
    password: NewPassword
    name: Name | None = None


class LoginRequest(WireModel):
    email: Email
    password: Password


class RefreshRequest(WireModel):
    refresh_token: OpaqueToken


class LogoutRequest(WireModel):
    """The session to end: ``refreshToken``'s, or without it the calling access token's."""

    refresh_token: OpaqueToken | None = None


class StoredUser(Protocol):
    """A stored user as read (a ``User`` row)."""

    @property
    def id(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def name(self) -> str | None: ...
    @property
    def plan(self) -> str: ...
    @property
    def is_guest(self) -> bool: ...
    @property
    def guest_expires_at(self) -> datetime | None: ...
    @property
    def created_at(self) -> datetime: ...


class UserOut(TypedDict):
    id: str
    email: str
    name: str | None
    plan: str
    isGuest: bool
    createdAt: Timestamp


def user_out(user: StoredUser) -> UserOut:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "plan": user.plan,
        "isGuest": user.is_guest,
        "createdAt": iso_timestamp(user.created_at),
    }


class MeOut(UserOut):
    """The user itself (the JS SDK) and under ``user``."""

    user: UserOut


def me_out(user: StoredUser) -> MeOut:
    shown = user_out(user)
    return {**shown, "user": shown}


class Tokens(TypedDict):
    accessToken: str
    refreshToken: str
    expiresIn: int


class SignedIn(Protocol):
    """A signed-in user and the tokens that prove it."""

    @property
    def user(self) -> StoredUser: ...
    @property
    def access_token(self) -> str: ...
    @property
    def refresh_token(self) -> str: ...
    @property
    def expires_in(self) -> int: ...


def tokens_out(session: SignedIn) -> Tokens:
    return {
        "accessToken": session.access_token,
        "refreshToken": session.refresh_token,
        "expiresIn": session.expires_in,
    }


class SessionOut(TypedDict):
    user: UserOut
    tokens: Tokens


def session_out(session: SignedIn) -> SessionOut:
    return {"user": user_out(session.user), "tokens": tokens_out(session)}


class RefreshedOut(Tokens):
    """The tokens at the top (the JS SDK) and under ``tokens`` (the web UI)."""

    tokens: Tokens
    user: UserOut


def refreshed_out(session: SignedIn) -> RefreshedOut:
    tokens = tokens_out(session)
    return {**tokens, "tokens": tokens, "user": user_out(session.user)}


# --- guest sessions ------------------------------------------------------------------


class GuestLimits(TypedDict):
    tokens: int | None
    branches: int | None
    messages: int | None


def guest_limits_out(limits: Mapping[str, int | None]) -> GuestLimits:
    """A guest session's caps (None: no cap), by what they count."""
    return {
        "tokens": limits["tokens"],
        "branches": limits["branches"],
        "messages": limits["messages"],
    }


class GuestInfo(TypedDict):
    expiresAt: Timestamp | None
    limits: GuestLimits


class GuestSessionOut(SessionOut):
    guest: GuestInfo


def guest_session_out(session: SignedIn, limits: Mapping[str, int | None]) -> GuestSessionOut:
    guest: GuestInfo = {
        "expiresAt": timestamp_out(session.user.guest_expires_at),
        "limits": guest_limits_out(limits),
    }
    return {**session_out(session), "guest": guest}


class GuestUsed(TypedDict):
    tokens: int
    branches: int
    messages: int


class GuestStatus(GuestInfo):
    used: GuestUsed


def guest_status_out(
    user: StoredUser, limits: Mapping[str, int | None], used: Mapping[str, int]
) -> GuestStatus:
    """A guest session's caps and how much of each is used, for the web UI's meters."""
    return {
        "expiresAt": timestamp_out(user.guest_expires_at),
        "limits": guest_limits_out(limits),
        "used": {
            "tokens": used["tokens"],
            "branches": used["branches"],
            "messages": used["messages"],
        },
    }
