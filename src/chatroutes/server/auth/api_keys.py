"""API keys: ``cr_prod_sk_`` + 64 hex digits, stored only as a keyed hash."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

KEY_PREFIX = "cr_prod_sk_"
_KEY_PATTERN = re.compile(r"^cr_prod_sk_[0-9a-f]{64}$")


def generate_api_key() -> str:
    return KEY_PREFIX + secrets.token_hex(32)


def is_well_formed(key: str) -> bool:
    return bool(_KEY_PATTERN.match(key))


def hash_api_key(secret: bytes, key: str) -> str:
    """HMAC-SHA256 under the server secret: a leaked table alone reveals nothing usable."""
    return hmac.new(secret, key.encode("ascii"), hashlib.sha256).hexdigest()


def display_prefix(key: str) -> str:
    """What listings show of a key: enough to recognise it, too little to use."""
    return key[: len(KEY_PREFIX) + 8]
