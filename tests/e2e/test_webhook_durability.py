"""Webhooks survive kill -9: events committed to the outbox by a server that is killed
with SIGKILL before it sends them are delivered, exactly once each, by the servers that
come after, even two of them sharing the database at once."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from chatroutes import ChatRoutes, verify_webhook
from tests.e2e.conftest import KEY_RE, LiveServer, server_env, serving
from tests.support.mock_upstream import Fault, MockUpstream
from tests.support.webhook_receiver import webhook_receiver

pytestmark = [pytest.mark.e2e, pytest.mark.long]
EVENTS = 6  # replies, each announced to one endpoint


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ]
)
def environment(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    child_env: dict[str, str],
    upstream: MockUpstream,
) -> Iterator[tuple[str, dict[str, str]]]:
    """One database for every server of the test; webhooks to 127.0.0.1 allowed."""
    env = server_env(
        request,
        tmp_path,
        child_env,
        upstream,
        CHATROUTES_WEBHOOK_ALLOW_PRIVATE="1",
        CHATROUTES_WEBHOOK_POLL_SECONDS="0.05",
        CHATROUTES_WEBHOOK_RETRY_SCHEDULE="0.2,0.2,0.2",
    )
    yield request.param, env


def workdir(base: Path, name: str) -> Path:
    path = base / name
    path.mkdir()
    return path


def test_events_committed_before_a_kill_are_delivered_once_after_restart(
    environment: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    backend, env = environment
    with webhook_receiver() as receiver:
        # A server that records events but never sends them: killed, it has sent none.
        recording = {**env, "CHATROUTES_WEBHOOK_DELIVERY": "0"}
        with serving(backend, workdir(tmp_path, "first"), recording) as first:
            [key] = KEY_RE.findall(first.stdout.read_text())
            with ChatRoutes(key, first.api_url) as cr:
                webhook = cr.webhooks.create(receiver.url, events=["message.completed"])
                conversation = cr.conversations.create({"title": "Durable"})
                replies = {
                    cr.messages.send(conversation["id"], {"content": f"event {n}"})["message"]["id"]
                    for n in range(EVENTS)
                }
                page = cr.webhooks.list_deliveries(webhook["id"], limit=100)
            assert [d["status"] for d in page["deliveries"]] == ["pending"] * EVENTS
            first.process.kill()  # SIGKILL: no shutdown, nothing flushed on the way out
            first.process.wait()
        assert receiver.received == []

        # Two servers on the same database, both sending.
        with ExitStack() as stack:
            servers = [
                stack.enter_context(serving(backend, workdir(tmp_path, name), env))
                for name in ("second", "third")
            ]
            receiver.wait_count(EVENTS, timeout=30)
            time.sleep(1.0)  # long enough for a second copy to arrive, were there one
            got = list(receiver.received)
            deliveries = _deliveries(servers[1], key, webhook["id"])

    ids = [r.webhook_id for r in got]
    assert len(ids) == EVENTS and len(set(ids)) == EVENTS, ids  # each exactly once
    events = [verify_webhook(r.body, r.headers, webhook["secret"]) for r in got]
    assert {e["data"]["messageId"] for e in events} == replies
    assert {d["id"] for d in deliveries} == set(ids)
    assert all(d["status"] == "delivered" and d["attemptCount"] == 1 for d in deliveries)


def test_a_delivery_claimed_by_a_server_killed_mid_send_is_sent_again_after_its_lease(
    environment: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    """Killed while the receiver holds the request (the attempt never recorded): once the
    lease runs out another server sends it again, under the same webhook-id, so the
    receiver can tell it is the same delivery."""
    backend, env = environment
    quick_lease = {**env, "CHATROUTES_WEBHOOK_LEASE_SECONDS": "2"}
    with webhook_receiver() as receiver:
        receiver.hold = True  # keep the first request unanswered
        with serving(backend, workdir(tmp_path, "first"), quick_lease) as first:
            [key] = KEY_RE.findall(first.stdout.read_text())
            with ChatRoutes(key, first.api_url) as cr:
                webhook = cr.webhooks.create(receiver.url, events=["*"])
                test = cr.webhooks.test(webhook["id"])
            receiver.wait_count(1, timeout=15)
            first.process.kill()
            first.process.wait()
        receiver.hold = False
        with serving(backend, workdir(tmp_path, "second"), quick_lease) as second:
            got = receiver.wait_count(2, timeout=30)
            [delivery] = _deliveries(second, key, webhook["id"], until_settled=True)
    assert [r.webhook_id for r in got] == [test["id"], test["id"]]
    assert json.loads(got[1].body) == json.loads(got[0].body)
    assert delivery["status"] == "delivered" and delivery["attemptCount"] == 1


def test_a_reply_cut_by_a_kill_is_announced_once_recovery_stores_it(
    environment: tuple[str, dict[str, str]], tmp_path: Path, upstream: MockUpstream
) -> None:
    """The reply a killed server was generating is stored as interrupted by the next
    server's recovery, and that store announces it like any reply."""
    backend, env = environment
    env = {
        **env,
        "CHATROUTES_GENERATION_LEASE_SECONDS": "1",
        "CHATROUTES_GENERATION_HEARTBEAT_SECONDS": "0.2",
        "CHATROUTES_RECOVERY_INTERVAL_SECONDS": "0.3",
    }
    upstream.fault_when("cut by a kill", Fault.stall_after(3))
    with webhook_receiver() as receiver:
        with serving(backend, workdir(tmp_path, "first"), env) as first:
            [key] = KEY_RE.findall(first.stdout.read_text())
            with ChatRoutes(key, first.api_url) as cr:
                webhook = cr.webhooks.create(receiver.url, events=["message.completed"])
                cid = cr.conversations.create({"title": "Cut"})["id"]
            with httpx.stream(
                "POST",
                f"{first.api_url}/conversations/{cid}/messages/stream",
                json={"content": "please, cut by a kill"},
                headers={"X-API-Key": key},
                timeout=30,
            ) as response:
                assert response.status_code == 200
                for line in response.iter_lines():
                    if '"type":"content"' in line.replace(" ", ""):
                        break
                time.sleep(0.8)  # heartbeats flush the text so far
                first.process.kill()
                first.process.wait()
        assert receiver.received == []  # nothing was stored, so nothing announced
        with serving(backend, workdir(tmp_path, "second"), env):
            [got] = receiver.wait_count(1, timeout=30)
            time.sleep(0.5)
            assert len(receiver.received) == 1
    event = verify_webhook(got.body, got.headers, webhook["secret"])
    assert event["type"] == "message.completed" and event["data"]["conversationId"] == cid
    assert event["data"]["finishReason"] == "interrupted"


def _deliveries(
    server: LiveServer, key: str, webhook_id: str, *, until_settled: bool = True
) -> list[dict]:
    url = f"{server.api_url}/webhooks/{webhook_id}/deliveries"
    deadline = time.monotonic() + 15
    while True:
        response = httpx.get(url, params={"limit": 100}, headers={"X-API-Key": key}, timeout=5)
        assert response.status_code == 200, response.text
        deliveries = response.json()["data"]["deliveries"]
        pending = any(d["status"] == "pending" for d in deliveries)
        if not (until_settled and pending) or time.monotonic() > deadline:
            return deliveries
        time.sleep(0.05)
