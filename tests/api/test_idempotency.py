"""POSTs with an ``Idempotency-Key``: done once, replayed after, never run twice at once.

The load test (a thousand keys, eight copies each) is in ``test_idempotency_load.py``
(SQLite) and ``test_idempotency_load_postgresql.py``: files of their own, so that under
``--dist loadfile`` each goes to a worker of its own.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta

import httpx
import pytest
from fastapi.responses import StreamingResponse
from starlette.types import Message

from chatroutes.server.app import create_app
from chatroutes.server.services.idempotency import IdempotencyService, fingerprint, scope_of
from chatroutes.server.services.server_context import utcnow
from chatroutes.server.store import idempotency as idempotency_store
from chatroutes.server.store.execution import instance
from chatroutes.server.store.tables import IdempotencyRecord
from tests.conftest import Api
from tests.support.mock_upstream import Fault
from tests.support.sse import payloads

REPLAYED = "Idempotent-Replayed"
_HOUR = timedelta(hours=1)


def keyed(key: str, **headers: str) -> dict[str, str]:
    return {"Idempotency-Key": key, **headers}


def new_key() -> str:
    return f"key-{uuid.uuid4().hex}"


def credential(api) -> str:
    return api.client.headers["Authorization"].split(" ", 1)[1]


async def messages(api, conversation_id: str) -> list[dict]:
    response = await api.client.get(f"/conversations/{conversation_id}/messages")
    assert response.status_code == 200, response.text
    return response.json()["data"]["messages"]


async def stored_record(api, key: str) -> IdempotencyRecord | None:
    scope = scope_of(credential(api))
    found = await api.app.state.ctx.db.run(
        lambda connection: idempotency_store.record(connection, scope, key)
    )
    return instance(IdempotencyRecord, found) if found is not None else None


async def plant(api, **row) -> bool:
    """An idempotency record written straight to the database; False: its key had one."""
    return await api.app.state.ctx.db.run(
        lambda connection: idempotency_store.add_if_absent(connection, row), write=True
    )


class TestReplay:
    async def test_repeat_replays_the_first_answer_and_sends_once(
        self, api, create_conversation, upstream
    ):
        conversation = await create_conversation()
        cid = conversation["id"]
        key = new_key()
        path = f"/conversations/{cid}/messages"

        first = await api.client.post(path, json={"content": "only once"}, headers=keyed(key))
        second = await api.client.post(path, json={"content": "only once"}, headers=keyed(key))

        assert first.status_code == 201, first.text
        assert REPLAYED not in first.headers
        assert second.status_code == 201
        assert second.headers[REPLAYED] == "true"
        assert second.content == first.content
        assert second.headers["content-type"] == first.headers["content-type"]
        assert len(upstream.requests) == 1
        stored = await messages(api, cid)
        assert [m["content"] for m in stored] == ["only once", "Echo: only once"]

    async def test_same_key_with_another_body_is_422_and_runs_nothing(self, api, upstream):
        key = new_key()
        first = await api.client.post("/conversations", json={"title": "a"}, headers=keyed(key))
        other = await api.client.post("/conversations", json={"title": "b"}, headers=keyed(key))

        assert first.status_code == 201
        assert other.status_code == 422
        error = other.json()
        assert error["success"] is False
        assert error["error"] == "IDEMPOTENCY_KEY_REUSED"
        assert error["details"]["field"] == "Idempotency-Key"
        listed = (await api.client.get("/conversations")).json()
        assert listed["total"] == 1

    async def test_a_revoked_key_gets_401_not_the_stored_answer(self, api):
        key = new_key()
        headers = api.headers(await api.new_key())
        first = await api.client.post(
            "/conversations", json={"title": "t"}, headers={**headers, **keyed(key)}
        )
        assert first.status_code == 201
        [listed] = (await api.client.get("/api-keys", headers=headers)).json()["data"]["apiKeys"]
        revoked = await api.client.delete(f"/api-keys/{listed['id']}", headers=headers)
        assert revoked.status_code == 200
        again = await api.client.post(
            "/conversations", json={"title": "t"}, headers={**headers, **keyed(key)}
        )
        assert again.status_code == 401 and REPLAYED not in again.headers

    async def test_same_key_of_another_account_is_independent(self, api):
        key = new_key()
        other = api.headers(await api.new_key())
        mine = await api.client.post("/conversations", json={"title": "t"}, headers=keyed(key))
        theirs = await api.client.post(
            "/conversations", json={"title": "t"}, headers={**other, **keyed(key)}
        )

        assert mine.status_code == theirs.status_code == 201
        assert REPLAYED not in theirs.headers
        mine_id = mine.json()["data"]["conversation"]["id"]
        theirs_id = theirs.json()["data"]["conversation"]["id"]
        assert mine_id != theirs_id
        again = await api.client.get(f"/conversations/{theirs_id}", headers=other)
        assert again.status_code == 200

    async def test_4xx_answer_is_stored_and_replayed(self, api, create_conversation, upstream):
        conversation = await create_conversation()
        key = new_key()
        path = f"/conversations/{conversation['id']}/messages"
        first = await api.client.post(path, json={"content": ""}, headers=keyed(key))
        second = await api.client.post(path, json={"content": ""}, headers=keyed(key))

        assert first.status_code == second.status_code == 400
        assert second.headers[REPLAYED] == "true"
        assert second.content == first.content
        assert upstream.requests == []

    async def test_without_the_header_nothing_is_kept(self, api):
        first = await api.client.post("/conversations", json={"title": "t"})
        second = await api.client.post("/conversations", json={"title": "t"})
        assert first.status_code == second.status_code == 201
        assert REPLAYED not in second.headers
        assert (
            first.json()["data"]["conversation"]["id"]
            != (second.json()["data"]["conversation"]["id"])
        )


class TestConcurrency:
    async def test_repeat_while_running_is_409_with_retry_after_then_replayed(
        self, api, create_conversation, upstream
    ):
        conversation = await create_conversation()
        cid = conversation["id"]
        key = new_key()
        path = f"/conversations/{cid}/messages"
        upstream.enqueue(Fault.delay(0.5))

        async def late_duplicate():
            await asyncio.sleep(0.2)  # the first holds the key, waiting on the upstream
            return await api.client.post(path, json={"content": "slow"}, headers=keyed(key))

        first, duplicate = await asyncio.gather(
            api.client.post(path, json={"content": "slow"}, headers=keyed(key)),
            late_duplicate(),
        )

        assert first.status_code == 201, first.text
        assert duplicate.status_code == 409, duplicate.text
        assert duplicate.json()["error"] == "IDEMPOTENCY_KEY_IN_USE"
        assert duplicate.headers["Retry-After"] == "1"
        assert duplicate.json()["retryAfter"] == 1
        replay = await api.client.post(path, json={"content": "slow"}, headers=keyed(key))
        assert replay.status_code == 201
        assert replay.headers[REPLAYED] == "true"
        assert replay.content == first.content
        assert len(upstream.requests) == 1
        assert len(await messages(api, cid)) == 2

    async def test_stale_running_claim_is_taken_over(self, api):
        key = new_key()
        body = json.dumps({"title": "after a crash"}).encode()
        now = utcnow()
        claimed = await plant(
            api,
            scope=scope_of(credential(api)),
            key=key,
            request_hash=fingerprint("POST", "/api/v1/conversations", b"", body),
            state="running",
            created_at=now - timedelta(minutes=10),
            locked_until=now - timedelta(seconds=1),
            expires_at=now + timedelta(hours=1),
        )
        assert claimed
        headers = keyed(key, **{"Content-Type": "application/json"})

        response = await api.client.post("/conversations", content=body, headers=headers)

        assert response.status_code == 201, response.text
        assert REPLAYED not in response.headers
        record = await stored_record(api, key)
        assert record is not None and record.state == "done" and record.status_code == 201
        again = await api.client.post("/conversations", content=body, headers=headers)
        assert again.headers[REPLAYED] == "true"
        assert again.content == response.content

    async def test_live_running_claim_is_not_taken_over(self, api):
        key = new_key()
        body = json.dumps({"title": "still running"}).encode()
        now = utcnow()
        await plant(
            api,
            scope=scope_of(credential(api)),
            key=key,
            request_hash=fingerprint("POST", "/api/v1/conversations", b"", body),
            state="running",
            created_at=now,
            locked_until=now + timedelta(minutes=5),
            expires_at=now + timedelta(hours=1),
        )
        headers = keyed(key, **{"Content-Type": "application/json"})
        response = await api.client.post("/conversations", content=body, headers=headers)
        assert response.status_code == 409
        assert (await api.client.get("/conversations")).json()["total"] == 0

    async def test_expired_record_is_overwritten(self, api):
        key = new_key()
        now = utcnow()
        await plant(
            api,
            scope=scope_of(credential(api)),
            key=key,
            request_hash="0" * 64,  # another request, long ago
            state="done",
            created_at=now - timedelta(days=2),
            locked_until=now - timedelta(days=2),
            expires_at=now - timedelta(days=1),
        )
        response = await api.client.post("/conversations", json={"title": "t"}, headers=keyed(key))
        assert response.status_code == 201
        assert REPLAYED not in response.headers
        record = await stored_record(api, key)
        assert record is not None and record.state == "done" and record.request_hash != "0" * 64

    async def test_purge_drops_expired_keys_only(self, api):
        now = utcnow()
        scope = scope_of(credential(api))
        for key, expires in (("old", now - timedelta(seconds=1)), ("live", now + _HOUR)):
            await plant(
                api,
                scope=scope,
                key=key,
                request_hash="0" * 64,
                state="done",
                created_at=now - timedelta(days=1),
                locked_until=now - timedelta(days=1),
                expires_at=expires,
            )
        service = IdempotencyService(api.app.state.ctx.db, api.app.state.ctx.settings)

        assert await service.purge_expired() == 1
        assert await stored_record(api, "old") is None
        assert await stored_record(api, "live") is not None


class TestFailures:
    async def test_5xx_is_not_kept_and_the_retry_sends_the_question_once(
        self, api, create_conversation, upstream
    ):
        conversation = await create_conversation()
        cid = conversation["id"]
        key = new_key()
        path = f"/conversations/{cid}/messages"
        upstream.enqueue(*[Fault.status(500)] * 3)  # every attempt of the retry policy

        failed = await api.client.post(path, json={"content": "fragile"}, headers=keyed(key))
        assert 500 <= failed.status_code < 600, failed.text
        assert await stored_record(api, key) is None

        retried = await api.client.post(path, json={"content": "fragile"}, headers=keyed(key))

        assert retried.status_code == 201, retried.text
        assert REPLAYED not in retried.headers
        assert retried.json()["data"]["message"]["content"] == "Echo: fragile"
        stored = await messages(api, cid)
        assert [m["content"] for m in stored] == ["fragile", "Echo: fragile"]
        replay = await api.client.post(path, json={"content": "fragile"}, headers=keyed(key))
        assert replay.headers[REPLAYED] == "true"
        assert replay.content == retried.content

    @pytest.mark.parametrize(
        "value",
        ["", "x" * 256, "caf\u00e9".encode(), "tab\there", b"nul\x00"],
        ids=["empty", "too-long", "non-ascii", "tab", "nul"],
    )
    async def test_invalid_key_is_a_400_naming_the_header(self, api, value):
        response = await api.client.post(
            "/conversations", json={"title": "t"}, headers={"Idempotency-Key": value}
        )
        assert response.status_code == 400, response.text
        assert response.json()["details"]["field"] == "Idempotency-Key"
        assert (await api.client.get("/conversations")).json()["total"] == 0

    async def test_key_without_credentials_is_left_to_auth(self, api):
        response = await api.client.post(
            "/conversations",
            json={"title": "t"},
            headers={"Idempotency-Key": new_key(), "Authorization": ""},
        )
        assert response.status_code == 401


class TestStreams:
    async def test_streamed_send_is_replayed_as_recorded(self, api, create_conversation, upstream):
        conversation = await create_conversation()
        cid = conversation["id"]
        key = new_key()
        path = f"/conversations/{cid}/messages/stream"
        headers = keyed(key, Accept="text/event-stream")

        first = await api.client.post(path, json={"content": "stream it"}, headers=headers)
        again = await api.client.post(path, json={"content": "stream it"}, headers=headers)

        assert first.status_code == again.status_code == 200
        assert again.headers[REPLAYED] == "true"
        assert again.headers["content-type"].startswith("text/event-stream")
        assert again.content == first.content
        events = payloads(again.text)
        assert events[-1] == "[DONE]" and events[-2]["type"] == "complete"
        assert len(upstream.requests) == 1
        assert len(await messages(api, cid)) == 2

    async def test_stream_reaches_the_client_before_it_ends(self, api):
        gate = asyncio.Event()
        _stream_route(api.app, "/api/v1/test-idempotent-stream", gate)
        key = new_key()
        sent: list[Message] = []
        first_event = asyncio.Event()
        run = asyncio.create_task(
            _drive(api, "/api/v1/test-idempotent-stream", key, sent, first_event)
        )

        await asyncio.wait_for(first_event.wait(), 5)
        assert not run.done() and (await stored_record(api, key)).state == "running"
        gate.set()
        await run

        record = await stored_record(api, key)
        assert record is not None and record.state == "done"
        replay = await api.client.post("/test-idempotent-stream", headers=keyed(key))
        assert replay.headers[REPLAYED] == "true"
        assert replay.content == b"data: one\n\ndata: two\n\n"

    async def test_client_leaving_mid_stream_keeps_the_key_until_the_answer_is_stored(self, api):
        gate = asyncio.Event()
        _stream_route(api.app, "/api/v1/test-idempotent-leave", gate)
        key = new_key()
        sent: list[Message] = []
        first_event, leave = asyncio.Event(), asyncio.Event()
        run = asyncio.create_task(
            _drive(api, "/api/v1/test-idempotent-leave", key, sent, first_event, leave)
        )

        await asyncio.wait_for(first_event.wait(), 5)
        leave.set()
        busy = await api.client.post("/test-idempotent-leave", headers=keyed(key))
        assert busy.status_code == 409 and busy.json()["error"] == "IDEMPOTENCY_KEY_IN_USE"
        assert not run.done() and (await stored_record(api, key)).state == "running"
        gate.set()
        await asyncio.wait_for(run, 5)

        assert [m.get("body") for m in sent if m["type"] == "http.response.body"] == [
            b"data: one\n\n"
        ]  # nothing went to the client after it left
        record = await stored_record(api, key)
        assert record is not None and record.state == "done"
        replay = await api.client.post("/test-idempotent-leave", headers=keyed(key))
        assert replay.headers[REPLAYED] == "true"
        assert replay.content == b"data: one\n\ndata: two\n\n"

    async def test_client_leaving_is_told_to_the_endpoint_once_the_claim_lapses(self, settings):
        app = create_app(settings.model_copy(update={"idempotency_lock_seconds": 1}))
        gate = asyncio.Event()  # never opened: the stream ends only if told the client left
        _stream_route(app, "/api/v1/test-idempotent-lapse", gate)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test/api/v1"
        ) as client:
            api = Api(app, client)
            client.headers.update(api.headers(await api.new_key()))
            key = new_key()
            first_event, leave = asyncio.Event(), asyncio.Event()
            run = asyncio.create_task(
                _drive(api, "/api/v1/test-idempotent-lapse", key, [], first_event, leave)
            )
            await asyncio.wait_for(first_event.wait(), 5)
            leave.set()

            await asyncio.wait_for(run, 5)

            assert await stored_record(api, key) is None
        await app.state.ctx.http.aclose()
        await app.state.ctx.db.dispose()


def _stream_route(app, path: str, gate: asyncio.Event) -> None:
    """A bare streaming endpoint: one event, then another once ``gate`` opens."""

    async def events():
        yield b"data: one\n\n"
        await gate.wait()
        yield b"data: two\n\n"

    async def endpoint() -> StreamingResponse:
        return StreamingResponse(events(), media_type="text/event-stream")

    app.router.add_api_route(path, endpoint, methods=["POST"])


async def _drive(
    api,
    path: str,
    key: str,
    sent: list[Message],
    first_event: asyncio.Event,
    disconnect: asyncio.Event | None = None,
) -> None:
    """Call the app as a server would, recording every message it sends as it sends it."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"authorization", api.client.headers["Authorization"].encode()),
            (b"idempotency-key", key.encode()),
            (b"content-type", b"application/json"),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("test", 80),
    }
    body_sent = False

    async def receive() -> Message:
        nonlocal body_sent
        if not body_sent:
            body_sent = True
            return {"type": "http.request", "body": b"{}", "more_body": False}
        await (disconnect or asyncio.Event()).wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)
        if message.get("body") == b"data: one\n\n":
            first_event.set()

    await api.app(scope, receive, send)
