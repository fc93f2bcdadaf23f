"""Webhook signing secrets at rest: sealed with a key derived from the server secret.

A signing secret must be read back to sign, so unlike an API key it cannot be stored as
a hash. It is stored encrypted: a keystream of HMAC-SHA256 blocks over a random nonce
(a PRF in counter mode) XORed with the secret, then an HMAC-SHA256 tag over nonce and
ciphertext (encrypt-then-MAC), each key derived from the server secret. A copy of the
database alone does not sign; a tampered or foreign value is refused, not used.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

_VERSION = "v1"
_NONCE_BYTES = 16
_TAG_BYTES = 32
_BLOCK = hashlib.sha256().digest_size


class SealedSecretInvalid(Exception):
    """A sealed secret that this server's secret did not seal (or that was altered)."""


def _key(server_secret: bytes, purpose: bytes) -> bytes:
    return hmac.new(server_secret, b"chatroutes:webhook-secret:" + purpose, hashlib.sha256).digest()


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = (length + _BLOCK - 1) // _BLOCK
    stream = b"".join(
        hmac.new(key, nonce + counter.to_bytes(4, "big"), hashlib.sha256).digest()
        for counter in range(blocks)
    )
    return stream[:length]


def seal_secret(server_secret: bytes, secret: str) -> str:
    """``secret`` encrypted and authenticated under the server secret, as text."""
    plain = secret.encode("utf-8")
    nonce = secrets.token_bytes(_NONCE_BYTES)
    stream = _keystream(_key(server_secret, b"encrypt"), nonce, len(plain))
    cipher = bytes(a ^ b for a, b in zip(plain, stream, strict=True))
    tag = hmac.new(_key(server_secret, b"tag"), nonce + cipher, hashlib.sha256).digest()
    return f"{_VERSION}:" + base64.b64encode(nonce + cipher + tag).decode("ascii")


def open_secret(server_secret: bytes, sealed: str) -> str:
    """The secret ``seal_secret`` sealed; ``SealedSecretInvalid`` if it was not this
    server's secret that sealed it, or it was altered."""
    version, _, encoded = sealed.partition(":")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except ValueError:
        raise SealedSecretInvalid("not a sealed secret") from None
    if version != _VERSION or len(raw) < _NONCE_BYTES + _TAG_BYTES:
        raise SealedSecretInvalid("not a sealed secret")
    nonce, cipher, tag = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:-_TAG_BYTES], raw[-_TAG_BYTES:]
    expected = hmac.new(_key(server_secret, b"tag"), nonce + cipher, hashlib.sha256).digest()
    if not hmac.compare_digest(tag, expected):
        raise SealedSecretInvalid("sealed under another server secret, or altered")
    stream = _keystream(_key(server_secret, b"encrypt"), nonce, len(cipher))
    return bytes(a ^ b for a, b in zip(cipher, stream, strict=True)).decode("utf-8")
