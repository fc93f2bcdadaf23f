"""The pure rules of webhooks: the Standard Webhooks signature (its published test
vector, also through the SDK's verifier), which addresses are refused, the retry
schedule, quota thresholds, and secrets sealed at rest under the server secret."""

from __future__ import annotations

import base64

import pytest

from chatroutes import WebhookVerificationError, verify_webhook
from chatroutes.server.auth.webhooks import SealedSecretInvalid, open_secret, seal_secret
from chatroutes.server.domain.webhooks import (
    crossed_thresholds,
    new_secret,
    refused_address,
    retry_delay,
    signature,
    threshold_counts,
)
from chatroutes.server.settings import Settings

# The Standard Webhooks specification's test vector.
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TIMESTAMP = 1614265330
VECTOR_BODY = b'{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_signing_reproduces_the_standard_webhooks_test_vector():
    assert signature(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY) == VECTOR_SIGNATURE


def test_the_sdk_verifies_the_test_vector_and_refuses_it_once_stale():
    headers = {
        "webhook-id": VECTOR_ID,
        "webhook-timestamp": str(VECTOR_TIMESTAMP),
        "webhook-signature": VECTOR_SIGNATURE,
    }
    forever = 10**10  # the vector was signed in 2021
    assert verify_webhook(VECTOR_BODY, headers, VECTOR_SECRET, tolerance=forever) == {
        "test": 2432232314
    }
    with pytest.raises(WebhookVerificationError, match="seconds from now"):
        verify_webhook(VECTOR_BODY, headers, VECTOR_SECRET)


def test_a_new_secret_is_whsec_and_32_random_bytes():
    first, second = new_secret(), new_secret()
    assert first.startswith("whsec_") and first != second
    assert len(base64.b64decode(first.removeprefix("whsec_"))) == 32


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.1",
        "172.31.255.255",
        "192.168.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.251",
        "255.255.255.255",
        "::1",
        "::",
        "fc00::1",
        "fd12:3456::1",
        "fe80::1%eth0",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
    ],
)
def test_private_and_special_addresses_are_refused(address):
    assert refused_address(address)


@pytest.mark.parametrize(
    "address", ["1.1.1.1", "8.8.8.8", "93.184.216.34", "2606:4700:4700::1111", "::ffff:1.1.1.1"]
)
def test_public_addresses_are_allowed(address):
    assert not refused_address(address)


def test_the_default_schedule_retries_for_more_than_a_day_even_with_jitter():
    delays = Settings().webhook_retry_delays
    assert len(delays) == 7
    shortest = sum(delays) * 0.9  # every delay drawn at its lowest
    assert shortest > 24 * 3600
    for attempts in range(1, len(delays) + 1):
        delay = retry_delay(delays, attempts)
        assert delay is not None
        assert delays[attempts - 1] * 0.9 <= delay <= delays[attempts - 1] * 1.1
    assert retry_delay(delays, len(delays) + 1) is None  # used up: failed


def test_the_schedule_setting_refuses_what_is_not_seconds():
    assert Settings(webhook_retry_schedule="0.5, 2,10").webhook_retry_delays == (0.5, 2.0, 10.0)
    assert Settings(webhook_retry_schedule="").webhook_retry_delays == ()
    for bad in ("5,x", "-1", "5;6"):
        with pytest.raises(ValueError, match="WEBHOOK_RETRY_SCHEDULE"):
            Settings(webhook_retry_schedule=bad)


def test_quota_thresholds():
    assert crossed_thresholds(799, 1000) == []
    assert crossed_thresholds(800, 1000) == [80]
    assert crossed_thresholds(1200, 1000) == [80, 100]
    assert threshold_counts(10) == {8, 10}
    assert threshold_counts(3) == {3}  # 80% of 3 calls is reached at the third
    assert threshold_counts(1_000_000) == {800_000, 1_000_000}


def test_a_sealed_secret_opens_only_under_its_server_secret_and_unaltered():
    server_secret = b"a-server-secret-of-at-least-32-bytes"
    secret = new_secret()
    sealed = seal_secret(server_secret, secret)
    assert secret not in sealed and secret.removeprefix("whsec_") not in sealed
    assert sealed != seal_secret(server_secret, secret)  # a fresh nonce each time
    assert open_secret(server_secret, sealed) == secret
    with pytest.raises(SealedSecretInvalid):
        open_secret(b"another-server-secret-of-32-bytes!!", sealed)
    version, _, encoded = sealed.partition(":")
    raw = bytearray(base64.b64decode(encoded))
    raw[20] ^= 1  # one bit of the ciphertext
    with pytest.raises(SealedSecretInvalid):
        open_secret(server_secret, f"{version}:{base64.b64encode(bytes(raw)).decode()}")
    with pytest.raises(SealedSecretInvalid):
        open_secret(server_secret, "not sealed")
