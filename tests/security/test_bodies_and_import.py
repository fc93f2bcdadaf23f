"""Request bodies and conversation imports, sent as a hostile client would (issue 22).

- Credentials before bodies: a body without a credential is 401 before any of it is
  read; past ``UNAUTHENTICATED_BODY_BYTES`` an invalid credential is 401 with the rest
  unread; every method has a size limit, enforced while the body is read.
- Imports are capped by plan within the server's ceiling; guests cannot import.
- Imported usage figures are bounded (400 naming the field) and never billed.
- A document is parsed in the worker process, off the event loop.
- The retention purge skips a conversation it cannot purge and purges the others.

In process (``httpx.ASGITransport`` pulls the request body chunk by chunk, as the app
asks for it, so what the server read is counted exactly), on both databases.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text, update

from chatroutes.server.api.middleware import OPEN_API_PATHS, UNAUTHENTICATED_BODY_BYTES
from chatroutes.server.services import offload
from chatroutes.server.services.privacy import purge_deleted
from chatroutes.server.services.server_context import utcnow
from chatroutes.server.store.tables import Message
from tests.conftest import API_PREFIX, Api, client_for
from tests.support.wire import wire_hash
from tests.support.worker_hold import hold_until

MB = 1_000_000
CHUNK = 64 * 1024
FORGED_KEY = "cr_prod_sk_" + "0" * 64


class Upload:
    """A request body handed over chunk by chunk, counting how much the server pulled."""

    def __init__(self, size: int, fill: bytes = b" ") -> None:
        self.size = size
        self.fill = fill
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.pulled < self.size:
            n = min(CHUNK, self.size - self.pulled)
            self.pulled += n
            yield self.fill * n


def announced(upload: Upload, **headers: str) -> dict[str, str]:
    return {"Content-Length": str(upload.size), "Content-Type": "application/json", **headers}


@pytest.fixture
async def anonymous(api: Api) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the same app that sends no credential of its own."""
    transport = httpx.ASGITransport(app=api.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test" + API_PREFIX) as c:
        yield c


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert (body["success"], body["error"]) == (False, code), body
    return body


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def document(reply_metadata: dict[str, Any], *, padding: int = 0) -> dict[str, Any]:
    """A conversation of one question and one reply written now, with fresh ids."""
    now = stamp(datetime.now(UTC))
    suffix = uuid.uuid4().hex[:20]
    branch = f"br_{suffix}"
    question: dict[str, Any] = {
        "id": f"msg_q{suffix}",
        "branchId": branch,
        "parentMessageId": None,
        "role": "user",
        "content": "What is 2 + 2?" + " " * padding,
        "model": None,
        "tokenCount": 8,
        "metadata": {},
        "createdAt": now,
        "deletedAt": None,
        "editedFrom": None,
    }
    reply: dict[str, Any] = {
        **question,
        "id": f"msg_r{suffix}",
        "parentMessageId": question["id"],
        "role": "assistant",
        "content": "4",
        "model": "gpt-5",
        "tokenCount": 1,
        "metadata": reply_metadata,
    }
    for message in (question, reply):
        message["contentHash"] = wire_hash(message)
    return {
        "format": "chatroutes.conversation",
        "version": 1,
        "conversation": {
            "id": f"conv_{suffix}",
            "title": "Imported",
            "model": "gpt-5",
            "systemPrompt": None,
            "temperature": 0.7,
            "maxTokens": 2048,
            "archived": False,
            "createdAt": now,
            "updatedAt": now,
        },
        "branches": [
            {
                "id": branch,
                "parentBranchId": None,
                "forkPointMessageId": None,
                "headMessageId": reply["id"],
                "title": "Main",
                "description": None,
                "contextMode": "FULL",
                "isMain": True,
                "archived": False,
                "createdAt": now,
                "updatedAt": now,
                "checkpointId": None,
            }
        ],
        "messages": [question, reply],
        "checkpoints": [],
    }


USAGE = {"prompt_tokens": 12, "completionTokens": 1, "cost": 0.25}


async def guest_headers(client: httpx.AsyncClient) -> dict[str, str]:
    started = await client.post("/auth/guest")
    assert started.status_code == 201, started.text
    return {"Authorization": f"Bearer {started.json()['data']['tokens']['accessToken']}"}


# ---------------------------------------------------------------------------
# Credentials before bodies


class TestCredentialsBeforeBodies:
    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("POST", "/conversations/import"),
            ("DELETE", "/account"),
            ("PATCH", "/conversations/conv_x"),
            ("PUT", "/conversations"),
            ("GET", "/conversations"),
            ("POST", "/conversations/conv_x/messages"),
        ],
    )
    async def test_a_body_without_credentials_is_401_before_any_of_it_is_read(
        self, anonymous, method, path
    ):
        for upload, headers in (
            (Upload(48 * MB), {}),  # announced: refused on sight
            (Upload(48 * MB), None),  # chunked: refused before the first chunk
            (Upload(100), {}),  # however small
        ):
            sent_headers = announced(upload) if headers is not None else {}
            response = await anonymous.request(method, path, content=upload, headers=sent_headers)
            assert_error(response, 401, "AUTHENTICATION_ERROR")
            assert response.headers["connection"] == "close"
            assert response.headers["www-authenticate"]
            assert upload.pulled <= CHUNK, (method, path, upload.pulled)

    @pytest.mark.parametrize(
        "credential",
        [
            {"Authorization": f"ApiKey {FORGED_KEY}"},
            {"X-API-Key": "not-a-key"},
            {"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.e30.forged"},
            {"Authorization": "Basic dXNlcjpwYXNz"},
        ],
        ids=["unknown key", "malformed key", "forged token", "wrong scheme"],
    )
    async def test_an_invalid_credential_is_401_before_a_large_body_is_read(
        self, anonymous, credential
    ):
        announced_upload = Upload(48 * MB)
        response = await anonymous.post(
            "/conversations/import",
            content=announced_upload,
            headers=announced(announced_upload, **credential),
        )
        assert_error(response, 401, "AUTHENTICATION_ERROR")
        assert response.headers["connection"] == "close"
        assert announced_upload.pulled <= CHUNK  # nothing read: the first chunk was pending

        chunked = Upload(48 * MB)
        response = await anonymous.request(
            "DELETE", "/account", content=chunked, headers=credential
        )
        assert_error(response, 401, "AUTHENTICATION_ERROR")
        assert chunked.pulled <= UNAUTHENTICATED_BODY_BYTES + 2 * CHUNK

    async def test_a_revoked_key_is_401_before_a_large_body_is_read(self, api, anonymous):
        key = await api.new_key()
        listed = await api.client.get("/api-keys", headers=api.headers(key))
        [mine] = listed.json()["data"]["apiKeys"]
        revoked = await api.client.delete(f"/api-keys/{mine['id']}", headers=api.headers(key))
        assert revoked.status_code == 200, revoked.text
        upload = Upload(10 * MB)
        response = await anonymous.post(
            "/conversations/import", content=upload, headers=announced(upload, **api.headers(key))
        )
        assert_error(response, 401, "AUTHENTICATION_ERROR")
        assert upload.pulled <= CHUNK

    async def test_a_valid_credential_sends_a_large_body_as_before(self, api, anonymous):
        prompt = "You answer in French. " * 2_000  # ~44 KB: past the early check
        created = await api.client.post(
            "/conversations", json={"title": "Long prompt", "systemPrompt": prompt}
        )
        assert created.status_code == 201, created.text
        cid = created.json()["data"]["conversation"]["id"]
        sent = await api.client.post(f"/conversations/{cid}/messages", json={"content": prompt})
        assert sent.status_code == 201, sent.text
        session = await guest_headers(anonymous)
        guest = await anonymous.post(
            "/conversations", json={"title": "Guest", "systemPrompt": prompt}, headers=session
        )
        assert guest.status_code == 201, guest.text

    async def test_erasing_the_account_without_valid_credentials_is_401_whatever_the_body(
        self, anonymous
    ):
        for credential in ({}, {"Authorization": f"ApiKey {FORGED_KEY}"}):
            for body in (b"{not json", b'{"confirm": "owner@example.com"}', b"", b"[]"):
                response = await anonymous.request(
                    "DELETE",
                    "/account",
                    content=body,
                    headers={"Content-Type": "application/json", **credential},
                )
                assert_error(response, 401, "AUTHENTICATION_ERROR")

    async def test_erasing_the_account_with_a_bad_body_is_still_a_400_naming_it(self, api):
        response = await api.client.request(
            "DELETE", "/account", content=b"{not json", headers={"Content-Type": "application/json"}
        )
        body = assert_error(response, 400, "VALIDATION_ERROR")
        assert body["details"]["field"] == "body"


class TestBodyLimits:
    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("POST", "/conversations"),
            ("PATCH", "/conversations/conv_x"),
            ("PUT", "/conversations"),
            ("DELETE", "/account"),
            ("GET", "/conversations"),
        ],
    )
    async def test_every_method_has_a_limit_enforced_while_reading(self, settings, method, path):
        limits = settings.model_copy(update={"max_body_bytes": 100_000})
        async with client_for(limits) as client:
            upload = Upload(5 * MB)
            response = await client.request(method, path, content=upload, headers=announced(upload))
            body = assert_error(response, 413, "PAYLOAD_TOO_LARGE")
            assert body["details"]["limit"] == 100_000
            assert response.headers["connection"] == "close"
            assert upload.pulled <= CHUNK  # announced too large: not read at all

            chunked = Upload(5 * MB)
            response = await client.request(method, path, content=chunked)
            body = assert_error(response, 413, "PAYLOAD_TOO_LARGE")
            assert 100_000 < chunked.pulled <= 100_000 + 2 * CHUNK

    @pytest.mark.parametrize(
        "path", ["/auth/register", "/auth/login", "/auth/refresh", "/auth/logout", "/auth/guest"]
    )
    async def test_routes_anyone_may_call_take_small_bodies_only(self, anonymous, path):
        upload = Upload(UNAUTHENTICATED_BODY_BYTES + 1)
        response = await anonymous.post(path, content=upload, headers=announced(upload))
        body = assert_error(response, 413, "PAYLOAD_TOO_LARGE")
        assert body["details"]["limit"] == UNAUTHENTICATED_BODY_BYTES
        assert upload.pulled <= CHUNK
        chunked = Upload(4 * MB)
        response = await anonymous.post(path, content=chunked)
        assert_error(response, 413, "PAYLOAD_TOO_LARGE")
        assert chunked.pulled <= UNAUTHENTICATED_BODY_BYTES + 2 * CHUNK
        signed_in = await anonymous.post(
            "/auth/register",
            json={"email": f"{uuid.uuid4().hex[:8]}@example.com", "password": "x" * 12},
        )
        assert signed_in.status_code == 201, signed_in.text

    async def test_the_open_routes_are_exactly_those_openapi_lists_without_credentials(
        self, anonymous
    ):
        schema = (await anonymous.get("http://test/openapi.json")).json()
        open_paths = {
            path
            for path, operations in schema["paths"].items()
            if path.startswith("/api/")
            and any("security" not in operation for operation in operations.values())
        }
        assert open_paths == OPEN_API_PATHS
        with_body = [
            (method, path)
            for path, operations in schema["paths"].items()
            for method, operation in operations.items()
            if "requestBody" in operation
        ]
        for method, path in with_body:  # a body can be too large wherever there is one
            assert "413" in schema["paths"][path][method]["responses"], (method, path)


# ---------------------------------------------------------------------------
# Import caps


class TestImportCaps:
    async def test_a_guest_cannot_import(self, api, anonymous):
        session = await guest_headers(anonymous)
        small = await anonymous.post("/conversations/import", json=document(USAGE), headers=session)
        body = assert_error(small, 403, "FORBIDDEN")
        assert "create an account" in body["message"]
        upload = Upload(48 * MB)
        large = await anonymous.post(
            "/conversations/import", content=upload, headers=announced(upload, **session)
        )
        assert_error(large, 403, "FORBIDDEN")
        assert upload.pulled <= CHUNK
        assert (await anonymous.get("/conversations", headers=session)).json()["total"] == 0

    async def test_an_import_past_the_plan_cap_is_413_naming_the_limit(self, api):
        free = api.headers(await api.new_key(plan="free"))  # the built-in table: 5 MB
        upload = Upload(5 * MB + 1)
        response = await api.client.post(
            "/conversations/import", content=upload, headers=announced(upload, **free)
        )
        body = assert_error(response, 413, "PAYLOAD_TOO_LARGE")
        assert body["details"]["limit"] == 5 * MB
        assert upload.pulled <= CHUNK
        chunked = Upload(6 * MB)
        response = await api.client.post("/conversations/import", content=chunked, headers=free)
        assert_error(response, 413, "PAYLOAD_TOO_LARGE")
        assert chunked.pulled <= 5 * MB + 2 * CHUNK
        # Under the cap, a document imports (padded past the early check on the way).
        padded = document(USAGE, padding=40_000)
        imported = await api.client.post("/conversations/import", json=padded, headers=free)
        assert imported.status_code == 201, imported.text
        # A larger plan takes more than the free one.
        pro = api.headers(await api.new_key(plan="pro"))
        upload = Upload(6 * MB)
        refused = await api.client.post(
            "/conversations/import", content=upload, headers=announced(upload, **pro)
        )
        assert_error(refused, 400, "VALIDATION_ERROR")  # read whole: 6 MB of spaces is no JSON
        assert upload.pulled == 6 * MB

    async def test_the_server_ceiling_caps_every_plan(self, api, settings):
        ceiling = settings.model_copy(update={"max_import_bytes": 1 * MB})
        async with client_for(ceiling) as client:  # an enterprise account: no plan cap
            upload = Upload(2 * MB)
            response = await client.post(
                "/conversations/import", content=upload, headers=announced(upload)
            )
            body = assert_error(response, 413, "PAYLOAD_TOO_LARGE")
            assert body["details"]["limit"] == 1 * MB


class TestImportParsesOffTheLoop:
    """A document is parsed and checked in the worker process, never on the event loop.

    Shown without timing anything: while the one worker is held busy, an import cannot
    finish, yet the server answers other requests; let go, the import completes. (A
    bound on /health during a 20 MB import would flake on a shared 2-core machine.)
    """

    async def test_an_import_waits_for_the_worker_while_the_loop_serves_others(self, api, tmp_path):
        release, started = tmp_path / "release", tmp_path / "started"
        held = asyncio.ensure_future(
            offload.in_worker(hold_until, str(release), str(started), 120.0)
        )
        try:
            for _ in range(6_000):  # the worker may be starting: a minute at most
                if started.exists():
                    break
                await asyncio.sleep(0.01)
            else:
                pytest.fail("the worker never took the holding call")
            importing = asyncio.ensure_future(
                api.client.post("/conversations/import", json=document(USAGE, padding=40_000))
            )
            for _ in range(5):
                assert (await api.client.get("/conversations")).status_code == 200
                await asyncio.sleep(0.1)
            assert not importing.done(), "the import was parsed without the worker"
        finally:
            release.touch()
            await held
        response = await importing
        assert response.status_code == 201, response.text


# ---------------------------------------------------------------------------
# Imported numbers


BAD_USAGE = {
    "negative cost": ("cost", -5.0),
    "cost as text": ("cost", "0.01"),
    "huge cost": ("cost", 1e300),
    "cost as bool": ("cost", True),
    "2^63 prompt tokens": ("prompt_tokens", 2**63),
    "negative completion tokens": ("completionTokens", -1),
    "fractional completion tokens": ("completionTokens", 1.5),
    "tokens as text": ("prompt_tokens", "12"),
    "tokens as a list": ("completionTokens", [1]),
}


class TestImportedNumbers:
    @pytest.mark.parametrize(("name", "value"), BAD_USAGE.values(), ids=BAD_USAGE.keys())
    async def test_a_usage_figure_out_of_bounds_is_a_400_naming_it(self, api, name, value):
        response = await api.client.post(
            "/conversations/import", json=document({**USAGE, name: value})
        )
        body = assert_error(response, 400, "VALIDATION_ERROR")
        assert body["details"]["field"] == f"messages[1].metadata.{name}"
        assert f"messages[1].metadata.{name}" in body["message"]
        assert (await api.client.get("/conversations")).json()["total"] == 0

    async def test_null_usage_figures_import_as_an_interrupted_reply_has_them(self, api):
        nulls = {"prompt_tokens": None, "completionTokens": 3, "cost": None}
        response = await api.client.post("/conversations/import", json=document(nulls))
        assert response.status_code == 201, response.text

    async def test_imported_replies_are_never_billed(self, api, create_conversation, send):
        cid = (await create_conversation())["id"]
        await send(cid, "Hello")  # one real call, billed
        before = await _standing(api.client)
        assert before["totals"]["calls"] == 1 and before["totals"]["cost"] > 0

        big = document({"prompt_tokens": 9_000_000, "completionTokens": 900_000, "cost": 99_000})
        imported = await api.client.post("/conversations/import", json=big)
        assert imported.status_code == 201, imported.text
        reply_id = big["messages"][1]["id"]
        assert await _standing(api.client) == before
        message = (await api.client.get(f"/usage/messages/{reply_id}")).json()["data"]
        assert (message["promptTokens"], message["completionTokens"], message["cost"]) == (
            0,
            0,
            0,
        )
        # The document still reads back as it came: the figures are kept as a record.
        exported = await api.client.get(f"/conversations/{big['conversation']['id']}/export")
        assert exported.json()["data"]["messages"][1]["metadata"] == big["messages"][1]["metadata"]

        # Deleted, the imported conversation leaves nothing in the usage ledger either.
        gone = await api.client.delete(f"/conversations/{big['conversation']['id']}")
        assert gone.status_code == 200, gone.text
        assert await _standing(api.client) == before

    async def test_merging_an_imported_reply_bills_nothing_either(self, api):
        forked = document({"prompt_tokens": 5_000, "completionTokens": 500, "cost": 40.0})
        main, question, reply = forked["branches"][0], *forked["messages"]
        alt = {**main, "id": main["id"] + "x", "title": "Alt", "isMain": False}
        alt |= {"parentBranchId": main["id"], "forkPointMessageId": question["id"]}
        alt["headMessageId"], main["headMessageId"] = reply["id"], question["id"]
        reply["branchId"] = alt["id"]
        reply["contentHash"] = wire_hash(reply)
        forked["branches"].append(alt)
        cid = forked["conversation"]["id"]
        assert (await api.client.post("/conversations/import", json=forked)).status_code == 201
        before = await _standing(api.client)

        merged = await api.client.post(f"/conversations/{cid}/branches/{alt['id']}/merge", json={})

        assert merged.status_code == 200, merged.text
        [copy] = merged.json()["data"]["messages"]
        assert copy["metadata"]["mergedFrom"] == reply["id"]
        assert await _standing(api.client) == before

    async def test_a_merged_copy_of_a_reply_is_not_billed_twice(self, api, create_conversation):
        cid = (await create_conversation())["id"]
        first = await api.client.post(f"/conversations/{cid}/messages", json={"content": "Hi"})
        question = first.json()["data"]["userMessage"]["id"]
        fork = await api.client.post(
            f"/conversations/{cid}/messages", json={"content": "Other", "parentMessageId": question}
        )
        branch = fork.json()["data"]["branch"]["id"]
        before = await _standing(api.client)
        assert before["totals"]["calls"] == 2

        merged = await api.client.post(f"/conversations/{cid}/branches/{branch}/merge", json={})

        assert merged.status_code == 200, merged.text
        assert len(merged.json()["data"]["messages"]) == 2  # the question and its reply
        assert await _standing(api.client) == before


async def _standing(client: httpx.AsyncClient) -> dict[str, Any]:
    """What the account is shown and charged: usage totals (calls, tokens, cost; not the
    count of stored messages), this month's summary, and billing's cost and tokens (its
    calls count API requests, these included)."""
    usage = (await client.get("/usage", params={"timeframe": "all"})).json()["data"]
    summary = (await client.get("/usage/summary")).json()["data"]
    billing = (await client.get("/billing")).json()["data"]
    return {
        "totals": {k: v for k, v in usage["totals"].items() if k != "messages"},
        "byModel": [{k: v for k, v in row.items() if k != "messages"} for row in usage["byModel"]],
        "summary": summary,
        "billing": {k: billing[k] for k in ("costSoFar", "tokens")},
    }


# ---------------------------------------------------------------------------
# The purge


class TestPurgeSkipsWhatItCannotPurge:
    async def test_a_poisoned_row_does_not_stop_the_purge_of_another_accounts_rows(
        self, api, backend, caplog
    ):
        stranger = api.headers(await api.new_key())
        mine = await _deleted_reply(api, {})
        theirs = await _deleted_reply(api, stranger)
        # The purge goes in conversation id order: the poisoned one comes first.
        (poisoned_cid, poisoned_reply), (_, other_reply) = sorted([mine, theirs])
        await _poison(api, backend, poisoned_reply)

        with caplog.at_level(logging.ERROR, logger="chatroutes.server"):
            purged = await purge_deleted(api.app.state.ctx.db, utcnow() + timedelta(seconds=1))

        assert purged == 2  # the other conversation's deleted question and reply
        assert await _message_ids(api, [other_reply]) == set()
        assert await _message_ids(api, [poisoned_reply]) == {poisoned_reply}
        assert any(poisoned_cid in record.getMessage() for record in caplog.records)
        # Every later pass still purges whatever else is due.
        _, later_reply = await _deleted_reply(api, stranger)
        assert await purge_deleted(api.app.state.ctx.db, utcnow() + timedelta(seconds=1)) == 2
        assert await _message_ids(api, [later_reply]) == set()
        assert await _message_ids(api, [poisoned_reply]) == {poisoned_reply}


async def _poison(api: Api, backend: str, message_id: str) -> None:
    """Usage the purge cannot sum, written past the import's checks: PostgreSQL cannot
    cast 2^63 to an integer; SQLite takes any number, but not JSON it cannot parse."""
    if backend == "postgresql":
        poison: Any = update(Message).values(meta={**USAGE, "prompt_tokens": 2**63})
        poison = poison.where(Message.id == message_id)
    else:
        poison = text("UPDATE messages SET metadata = :meta WHERE id = :id")
        poison = poison.bindparams(meta='{"prompt_tokens": 1', id=message_id)
    async with api.app.state.ctx.db.write() as session:
        await session.execute(poison)


async def _deleted_reply(api: Api, headers: dict[str, str]) -> tuple[str, str]:
    """A conversation whose forked branch (a question and its reply) was deleted, so
    both are purgeable: the conversation's id and the deleted reply's."""
    created = await api.client.post("/conversations", json={"title": "Purge"}, headers=headers)
    cid = created.json()["data"]["conversation"]["id"]
    first = await api.client.post(
        f"/conversations/{cid}/messages", json={"content": "one"}, headers=headers
    )
    question = first.json()["data"]["userMessage"]["id"]
    fork = await api.client.post(
        f"/conversations/{cid}/messages",
        json={"content": "two", "parentMessageId": question},
        headers=headers,
    )
    assert fork.status_code == 201, fork.text
    branch, reply = fork.json()["data"]["branch"]["id"], fork.json()["data"]["message"]["id"]
    dropped = await api.client.delete(f"/conversations/{cid}/branches/{branch}", headers=headers)
    assert dropped.status_code == 200, dropped.text
    return cid, reply


async def _message_ids(api: Api, ids: list[str]) -> set[str]:
    async with api.app.state.ctx.db.read() as session:
        return set(await session.scalars(select(Message.id).where(Message.id.in_(ids))))
