"""Sessions and API keys on the wire: requests, and the user, token and key shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import StringConstraints

from ..domain.hashing import iso_timestamp
from ..store.tables import ApiKey, User
from .common import NoNul, WireModel

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


class ApiKeyCreate(WireModel):
    name: Name | None = None


def _ts(moment: datetime | None) -> str | None:
    return iso_timestamp(moment) if moment is not None else None


def user_out(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "plan": user.plan,
        "isGuest": user.is_guest,
        "createdAt": _ts(user.created_at),
    }


def tokens_out(access_token: str, refresh_token: str, expires_in: int) -> dict[str, Any]:
    return {"accessToken": access_token, "refreshToken": refresh_token, "expiresIn": expires_in}


def api_key_out(key: ApiKey) -> dict[str, Any]:
    return {
        "id": key.id,
        "name": key.name,
        "prefix": key.key_prefix,
        "createdAt": _ts(key.created_at),
        "lastUsedAt": _ts(key.last_used_at),
        "revokedAt": _ts(key.revoked_at),
    }
