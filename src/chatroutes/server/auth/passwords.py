"""Passwords: argon2id through pwdlib, hashed off the event loop.

Verifying against a missing hash still spends one argon2 verification, so a
login for an unknown email takes as long as one with a wrong password.
"""

from __future__ import annotations

import asyncio
from functools import cache

from pwdlib import PasswordHash

_hasher = PasswordHash.recommended()


@cache
def _dummy_hash() -> str:
    return _hasher.hash("chatroutes-timing-equaliser")


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password: str, password_hash: str | None) -> bool:
    """True only for a matching hash; ``None`` (no password set) costs the same and fails."""
    if password_hash is None:
        await asyncio.to_thread(_hasher.verify, password, _dummy_hash())
        return False
    try:
        return await asyncio.to_thread(_hasher.verify, password, password_hash)
    except Exception:  # an unreadable stored hash is a failed login, not a 500
        return False
