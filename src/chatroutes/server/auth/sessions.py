"""Session tokens: short-lived JWT access tokens and opaque, rotating refresh tokens.

Access tokens are HS256 JWTs signed with a key derived from the server secret
(never the secret itself), carrying ``sub`` (user), ``sid`` (the refresh-token
family they belong to), ``typ="access"``, ``iat``, ``exp`` and ``jti``.
Verification pins the algorithm, so ``alg: none`` and algorithm swaps fail.
Refresh tokens are random strings stored only as a keyed hash.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

import jwt

from ..domain.errors import Unauthenticated

ALGORITHM = "HS256"
ACCESS_TYPE = "access"
_REQUIRED_CLAIMS = ["exp", "iat", "sub", "typ", "sid", "jti"]


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    family_id: str


def signing_key(secret: bytes) -> bytes:
    """The JWT key: a subkey of the server secret, so a JWT never exposes the secret itself."""
    return hmac.new(secret, b"chatroutes:jwt:v1", hashlib.sha256).digest()


def _refresh_key(secret: bytes) -> bytes:
    return hmac.new(secret, b"chatroutes:refresh:v1", hashlib.sha256).digest()


def issue_access_token(
    secret: bytes, user_id: str, family_id: str, ttl_seconds: int, *, now: int | None = None
) -> str:
    issued = int(time.time()) if now is None else now
    claims = {
        "sub": user_id,
        "sid": family_id,
        "typ": ACCESS_TYPE,
        "iat": issued,
        "exp": issued + ttl_seconds,
        "jti": secrets.token_hex(16),
    }
    return jwt.encode(claims, signing_key(secret), algorithm=ALGORITHM)


def verify_access_token(secret: bytes, token: str) -> AccessClaims:
    """The claims of a valid access token; 401 for anything else."""
    try:
        claims = jwt.decode(
            token,
            signing_key(secret),
            algorithms=[ALGORITHM],
            options={"require": _REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated("Access token expired: refresh the session") from exc
    except jwt.PyJWTError as exc:
        raise Unauthenticated("Invalid access token") from exc
    user_id, family_id = claims.get("sub"), claims.get("sid")
    if claims.get("typ") != ACCESS_TYPE or not isinstance(family_id, str) or not user_id:
        raise Unauthenticated("Invalid access token")
    return AccessClaims(user_id=user_id, family_id=family_id)


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def hash_refresh_token(secret: bytes, token: str) -> str:
    return hmac.new(_refresh_key(secret), token.encode("utf-8"), hashlib.sha256).hexdigest()


def looks_like_api_key(value: str) -> bool:
    """A Bearer value that is an API key (even a malformed one) rather than a JWT."""
    return value.startswith("cr_")
