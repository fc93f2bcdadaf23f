"""Privacy: exporting a whole account, erasing it on request, purging deleted messages."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import func, or_, select

from chatroutes.server.services.privacy import purge_deleted
from chatroutes.server.services.server_context import utcnow
from chatroutes.server.store.tables import (
    ApiKey,
    Branch,
    Checkpoint,
    Conversation,
    Message,
    RefreshToken,
    UsageCounter,
    User,
)
from chatroutes.server.store.usage_ledger import UsageLedgerEntry

EMAIL = "leaving@example.com"


async def _register(api, email: str = EMAIL) -> dict[str, str]:
    """A person's account with a session: the JWT's headers."""
    response = await api.client.post(
        "/auth/register", json={"email": email, "password": "a-long-password"}
    )
    assert response.status_code == 201, response.text
    tokens = response.json()["data"]["tokens"]
    return {
        "Authorization": f"Bearer {tokens['accessToken']}",
        "refresh": tokens["refreshToken"],
    }


async def _conversation(api, headers: dict[str, str], *contents: str) -> tuple[str, list[dict]]:
    created = await api.client.post("/conversations", json={"title": "Mine"}, headers=headers)
    assert created.status_code == 201, created.text
    cid = created.json()["data"]["conversation"]["id"]
    sent = []
    for content in contents:
        response = await api.client.post(
            f"/conversations/{cid}/messages", json={"content": content}, headers=headers
        )
        assert response.status_code == 201, response.text
        sent.append(response.json()["data"])
    return cid, sent


def _auth(headers: dict[str, str]) -> dict[str, str]:
    return {"Authorization": headers["Authorization"]}


class TestExport:
    async def test_export_holds_every_conversation_of_the_caller_and_none_of_others(self, api):
        first, sent = await _conversation(api, {}, "one", "two")
        fork = await api.client.post(
            f"/conversations/{first}/messages",
            json={"content": "other way", "parentMessageId": sent[0]["message"]["id"]},
        )
        assert fork.status_code == 201 and "branch" in fork.json()["data"]
        second, _ = await _conversation(api, {}, "three")
        stranger = api.headers(await api.new_key())
        theirs, _ = await _conversation(api, stranger, "not yours")

        response = await api.client.get("/account/export")

        assert response.status_code == 200
        assert "attachment" in response.headers["content-disposition"]
        data = response.json()["data"]
        assert data["format"] == "chatroutes.account" and data["user"]["email"] == (
            "owner@example.com"
        )
        documents = {d["conversation"]["id"]: d for d in data["conversations"]}
        assert set(documents) == {first, second}
        for cid, document in documents.items():
            alone = (await api.client.get(f"/conversations/{cid}/export")).json()["data"]
            assert {**document, "exportedAt": None} == {**alone, "exportedAt": None}
        assert len(documents[first]["branches"]) == 2
        assert len(documents[first]["messages"]) == 6
        assert theirs not in response.text

    async def test_an_exported_conversation_imports_elsewhere_once_the_account_is_gone(self, api):
        leaving = await _register(api)
        cid, _ = await _conversation(api, _auth(leaving), "keep this")
        export = (await api.client.get("/account/export", headers=_auth(leaving))).json()["data"]
        erased = await api.client.request(
            "DELETE", "/account", json={"confirm": EMAIL}, headers=_auth(leaving)
        )
        assert erased.status_code == 200

        [document] = export["conversations"]
        imported = await api.client.post("/conversations/import", json=document)

        assert imported.status_code == 201, imported.text
        messages = (await api.client.get(f"/conversations/{cid}/messages")).json()["data"]
        assert [m["content"] for m in messages["messages"]] == ["keep this", "Echo: keep this"]


class TestDelete:
    @pytest.mark.parametrize(
        ("body", "why"),
        [({}, "missing"), ({"confirm": "someone@example.com"}, "another account"), ({"x": 1}, "")],
    )
    async def test_erasing_needs_the_account_named_again(self, api, body, why):
        cid, _ = await _conversation(api, {}, "still here")

        response = await api.client.request("DELETE", "/account", json=body)

        assert response.status_code == 400, why
        assert response.json()["details"]["field"] == "confirm"
        assert (await api.client.get(f"/conversations/{cid}")).status_code == 200

    async def test_erasing_removes_every_row_of_the_caller_and_nothing_else(self, api):
        own_cid, own_sent = await _conversation(api, {}, "mine stays")
        leaving = await _register(api)
        headers = _auth(leaving)
        key = await api.client.post("/api-keys", json={"name": "script"}, headers=headers)
        assert key.status_code == 201, key.text
        cid, sent = await _conversation(api, headers, "hello", "again")
        gone, _ = await _conversation(api, headers, "deleted before")
        assert (
            await api.client.delete(f"/conversations/{gone}", headers=headers)
        ).status_code == 200
        checkpoint = await api.client.post(
            f"/conversations/{cid}/checkpoints",
            json={"branchId": sent[1]["branchId"], "anchorMessageId": sent[1]["message"]["id"]},
            headers=headers,
        )
        assert checkpoint.status_code == 201, checkpoint.text
        me = (await api.client.get("/auth/me", headers=headers)).json()["data"]

        response = await api.client.request(
            "DELETE", "/account", json={"confirm": me["id"]}, headers=headers
        )

        assert response.status_code == 200, response.text
        assert (await api.client.get("/conversations", headers=headers)).status_code == 401
        with_key = api.headers(key.json()["data"]["apiKey"]["key"])
        assert (await api.client.get("/conversations", headers=with_key)).status_code == 401
        refreshed = await api.client.post(
            "/auth/refresh", json={"refreshToken": leaving["refresh"]}
        )
        assert refreshed.status_code == 401
        async with api.app.state.ctx.db.read() as session:
            counts = {
                model.__tablename__: await session.scalar(
                    select(func.count()).select_from(model).where(where)
                )
                for model, where in (
                    (User, User.id == me["id"]),
                    (ApiKey, ApiKey.user_id == me["id"]),
                    (RefreshToken, RefreshToken.user_id == me["id"]),
                    (Conversation, Conversation.user_id == me["id"]),
                    (Branch, Branch.conversation_id == cid),
                    (Message, Message.conversation_id == cid),
                    (Checkpoint, Checkpoint.conversation_id == cid),
                    (UsageCounter, UsageCounter.subject == f"user:{me['id']}"),
                    (UsageLedgerEntry, UsageLedgerEntry.user_id == me["id"]),
                )
            }
        assert counts == dict.fromkeys(counts, 0)
        own = (await api.client.get(f"/conversations/{own_cid}/messages")).json()["data"]
        assert [m["id"] for m in own["messages"]] == [
            own_sent[0]["userMessage"]["id"],
            own_sent[0]["message"]["id"],
        ]

    async def test_an_api_key_may_erase_its_account_by_email(self, api):
        key = await api.new_key("keys-only@example.com")
        cid, _ = await _conversation(api, api.headers(key), "bye")

        response = await api.client.request(
            "DELETE",
            "/account",
            json={"confirm": "Keys-Only@example.com"},
            headers=api.headers(key),
        )

        assert response.status_code == 200
        async with api.app.state.ctx.db.read() as session:
            assert await session.get(Conversation, cid) is None


class TestPurge:
    async def _tree(self, api) -> dict[str, str]:
        """main: q1 → r1 → q2 → r2, and a branch at r1 with q3 → r3; returns ids by name."""
        cid, sent = await _conversation(api, {}, "q1", "q2")
        forked = await api.client.post(
            f"/conversations/{cid}/messages",
            json={"content": "q3", "parentMessageId": sent[0]["message"]["id"]},
        )
        data = forked.json()["data"]
        return {
            "cid": cid,
            "q1": sent[0]["userMessage"]["id"],
            "r1": sent[0]["message"]["id"],
            "q2": sent[1]["userMessage"]["id"],
            "r2": sent[1]["message"]["id"],
            "q3": data["userMessage"]["id"],
            "r3": data["message"]["id"],
            "branch": data["branch"]["id"],
        }

    async def _ids(self, api, cid: str) -> set[str]:
        async with api.app.state.ctx.db.read() as session:
            rows = await session.scalars(select(Message.id).where(Message.conversation_id == cid))
            return set(rows)

    async def test_purge_removes_expired_deleted_messages_nothing_kept_needs(self, api):
        ids = await self._tree(api)
        cid = ids["cid"]
        for name in ("q1", "r2"):  # under a live message; the head of main
            assert (await api.client.delete(f"/messages/{ids[name]}")).status_code == 200
        dropped = await api.client.delete(f"/conversations/{cid}/branches/{ids['branch']}")
        assert dropped.status_code == 200  # its own messages q3, r3 are soft-deleted
        visible = (await api.client.get(f"/conversations/{cid}/messages")).json()["data"]
        usage = (await api.client.get("/usage", params={"timeframe": "all"})).json()["data"]

        purged = await purge_deleted(api.app.state.ctx.db, utcnow() + timedelta(seconds=1))

        assert purged == 2
        assert await self._ids(api, cid) == {ids[n] for n in ("q1", "r1", "q2", "r2")}
        assert (await api.client.get(f"/conversations/{cid}/messages")).json()["data"] == visible
        after = (await api.client.get("/usage", params={"timeframe": "all"})).json()["data"]
        assert after["totals"] == usage["totals"]  # the purged replies' usage is kept
        document = (await api.client.get(f"/conversations/{cid}/export")).json()["data"]
        present = {m["id"] for m in document["messages"]}
        assert all(m["parentMessageId"] in present | {None} for m in document["messages"])
        assert await purge_deleted(api.app.state.ctx.db, utcnow() + timedelta(seconds=1)) == 0

    async def test_purge_keeps_what_was_deleted_within_retention(self, api):
        ids = await self._tree(api)
        await api.client.delete(f"/conversations/{ids['cid']}/branches/{ids['branch']}")

        purged = await purge_deleted(api.app.state.ctx.db, utcnow() - timedelta(days=30))

        assert purged == 0
        assert len(await self._ids(api, ids["cid"])) == 6

    async def test_purge_leaves_other_conversations_alone(self, api):
        ids = await self._tree(api)
        other, sent = await _conversation(api, {}, "untouched")
        await api.client.delete(f"/messages/{sent[0]['message']['id']}")  # a head: kept
        await api.client.delete(f"/conversations/{ids['cid']}/branches/{ids['branch']}")

        await purge_deleted(api.app.state.ctx.db, utcnow() + timedelta(seconds=1))

        assert len(await self._ids(api, other)) == 2
        async with api.app.state.ctx.db.read() as session:
            left = await session.scalar(
                select(func.count())
                .select_from(Message)
                .where(or_(Message.id == ids["q3"], Message.id == ids["r3"]))
            )
        assert left == 0


def test_db_purge_command_purges_past_retention(tmp_path):
    """``chatroutes db purge`` on a database with a deleted branch's messages."""
    import asyncio

    from chatroutes.server.store.database import Database
    from chatroutes.server.store.migrate import upgrade

    url = f"sqlite+aiosqlite:///{tmp_path / 'purge.db'}"

    async def seed() -> None:
        await upgrade(url)
        db = Database(url)
        now = utcnow()
        async with db.write() as session:
            session.add(User(id="usr_p", email="p@example.com", plan="free", created_at=now))
            await session.flush()  # no ORM relationships: parents go first by hand
            session.add(
                Conversation(
                    id="conv_p",
                    user_id="usr_p",
                    title="t",
                    model="gpt-5",
                    archived=False,
                    created_at=now,
                    updated_at=now,
                )
            )
            await session.flush()
            session.add(
                Branch(
                    id="br_main",
                    conversation_id="conv_p",
                    head_message_id="msg_keep",
                    title="Main",
                    is_main=True,
                    archived=False,
                    created_at=now,
                    updated_at=now,
                )
            )
            for message_id, parent, deleted in (
                ("msg_keep", None, None),
                ("msg_old", "msg_keep", now - timedelta(days=40)),
                ("msg_recent", "msg_keep", now - timedelta(days=1)),
            ):
                session.add(
                    Message(
                        id=message_id,
                        conversation_id="conv_p",
                        branch_id="br_main",
                        parent_id=parent,
                        role="user",
                        content="x",
                        meta={},
                        created_at=now,
                        content_hash="0" * 64,
                        deleted_at=deleted,
                    )
                )
        await db.dispose()

    async def remaining() -> set[str]:
        db = Database(url)
        async with db.read() as session:
            found = set(await session.scalars(select(Message.id)))
        await db.dispose()
        return found

    asyncio.run(seed())
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from chatroutes.cli import main; main()",
            "db",
            "purge",
            "--database-url",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "Purged 1 soft-deleted messages" in done.stdout
    assert asyncio.run(remaining()) == {"msg_keep", "msg_recent"}
