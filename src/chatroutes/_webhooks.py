"""Verifying a webhook's signature (Standard Webhooks), for the code that receives one."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import cast

from ._types import WebhookEvent

__all__ = ["WebhookVerificationError", "verify_webhook"]

_SECRET_PREFIX = "whsec_"


class WebhookVerificationError(Exception):
    """A webhook whose signature, timestamp or body cannot be trusted."""


def verify_webhook(
    payload: str | bytes,
    headers: Mapping[str, str],
    secret: str,
    tolerance: int = 300,
) -> WebhookEvent:
    """The event a webhook request carries, once its signature is checked.

    ``payload``: the request body exactly as received (not re-encoded JSON);
    ``headers``: the request's headers (any mapping; names in any case); ``secret``: the
    endpoint's ``whsec_…`` secret. Refused (``WebhookVerificationError``): a header
    missing, a timestamp more than ``tolerance`` seconds from now (a replay), or no
    ``v1`` signature matching (compared in constant time).
    """
    body = payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)
    lowered = {name.lower(): value for name, value in headers.items()}
    delivery_id = lowered.get("webhook-id")
    timestamp = lowered.get("webhook-timestamp")
    signatures = lowered.get("webhook-signature")
    if not delivery_id or not timestamp or not signatures:
        raise WebhookVerificationError(
            "missing webhook-id, webhook-timestamp or webhook-signature header"
        )
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise WebhookVerificationError("webhook-timestamp is not a number") from None
    if abs(time.time() - sent_at) > tolerance:
        raise WebhookVerificationError(
            f"webhook-timestamp is more than {tolerance} seconds from now"
        )
    try:
        key = base64.b64decode(secret.removeprefix(_SECRET_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        raise WebhookVerificationError("the secret is not a whsec_ secret") from None
    signed = f"{delivery_id}.{sent_at}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
    matched = False
    for candidate in signatures.split():
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value.encode(), expected):
            matched = True
    if not matched:
        raise WebhookVerificationError("no signature matches")
    try:
        event = json.loads(body)
    except ValueError:
        raise WebhookVerificationError("the body is not JSON") from None
    if not isinstance(event, dict):
        raise WebhookVerificationError("the body is not a JSON object")
    return cast(WebhookEvent, event)
