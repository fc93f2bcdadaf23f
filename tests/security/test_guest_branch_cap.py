"""A guest session's branch cap holds wherever a branch is made, and guests get no AutoBranch.

Every way of making a branch (a branch or fork, a send that forks, an edit off the head,
an edit or a delete that sends a generating reply to a branch of its own, a checkpoint's
recreate, a merge that keeps the parent's old head) stops at the guest plan's
``session_branches``, with the counters in the database and in Redis, on both databases.
A refusal is 429 ``QUOTA_EXCEEDED`` and writes nothing: no branch, no message, no count.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from chatroutes.server.store.tables import Branch
from tests.api.test_limits import lapi
from tests.conftest import Api
from tests.support.mock_upstream import Fault

CAP = 3  # the guest plan's session_branches
__all__ = ["lapi"]  # the fixture, imported for pytest


@pytest.fixture
def client(lapi: Api) -> httpx.AsyncClient:
    """``lapi``'s client (counters in the database, then in Redis), no credentials; its
    app at hand."""
    lapi.client.app = lapi.app  # type: ignore[attr-defined]
    return lapi.client


class Guest:
    """One guest session of the web UI and its conversation."""

    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers
        self.conversation = ""
        self.main = ""

    @classmethod
    async def start(cls, client: httpx.AsyncClient) -> Guest:
        started = await client.post("/auth/guest")
        assert started.status_code == 201, started.text
        token = started.json()["data"]["tokens"]["accessToken"]
        guest = cls(client, {"Authorization": f"Bearer {token}"})
        created = await guest.post("/conversations", {"title": "guest"})
        assert created.status_code == 201, created.text
        conversation = created.json()["data"]["conversation"]
        guest.conversation, guest.main = conversation["id"], conversation["branches"][0]["id"]
        return guest

    async def post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return await self.client.post(path, json=body, headers=self.headers)

    async def patch(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return await self.client.patch(path, json=body, headers=self.headers)

    async def delete(self, path: str) -> httpx.Response:
        return await self.client.delete(path, headers=self.headers)

    async def get(self, path: str) -> dict[str, Any]:
        response = await self.client.get(path, headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()["data"]

    def send_path(self, branch_id: str | None = None) -> str:
        where = f"/branches/{branch_id}" if branch_id else ""
        return f"/conversations/{self.conversation}{where}/messages"

    async def send(self, content: str, branch_id: str | None = None, **fields: Any) -> dict:
        sent = await self.post(self.send_path(branch_id), {"content": content, **fields})
        assert sent.status_code == 201, sent.text
        return sent.json()["data"]

    async def make_branch(self, title: str = "b") -> dict:
        made = await self.post(f"/conversations/{self.conversation}/branches", {"title": title})
        assert made.status_code == 201, made.text
        return made.json()["data"]["branch"]

    async def branches(self) -> dict[str, dict]:
        listed = await self.get(f"/conversations/{self.conversation}/branches")
        return {b["id"]: b for b in listed["branches"]}

    async def message_count(self) -> int:
        return (await self.get(f"/conversations/{self.conversation}/tree"))["metadata"][
            "totalNodes"
        ]

    async def used(self) -> dict[str, int]:
        return (await self.get("/auth/guest"))["used"]

    async def state(self) -> tuple[dict[str, dict], int, dict[str, int]]:
        """What a refusal must leave as it was: branches, messages, counts."""
        return await self.branches(), await self.message_count(), await self.used()


def assert_cap_refusal(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    body = response.json()
    assert body["success"] is False and body["error"] == "QUOTA_EXCEEDED"
    assert body["details"] == {"quota": "guest_branches", "limit": CAP, "remaining": 0}
    assert f"limited to {CAP} branches" in body["message"]
    assert "create an account" in body["message"]
    assert 0 < body["retryAfter"] == int(response.headers["Retry-After"])


async def generating(client: httpx.AsyncClient, branch_id: str) -> None:
    """Wait until a reply is being generated on the branch (its lease is held)."""
    db = client.app.state.ctx.db  # type: ignore[attr-defined]
    for _ in range(200):
        async with db.read() as session:
            lease = await session.scalar(
                select(Branch.generation_lease).where(Branch.id == branch_id)
            )
        if lease is not None:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"no generation started on branch {branch_id}")


async def test_making_and_forking_branches_stops_at_the_cap(client):
    guest = await Guest.start(client)
    reply = (await guest.send("hello"))["message"]
    await guest.make_branch()
    await guest.make_branch()
    forked = await guest.post(
        f"/conversations/{guest.conversation}/fork", {"forkPointMessageId": reply["id"]}
    )
    assert forked.status_code == 201, forked.text
    before = await guest.state()
    assert len(before[0]) == 1 + CAP and before[2]["branches"] == CAP
    assert_cap_refusal(await guest.post(f"/conversations/{guest.conversation}/branches", {}))
    assert_cap_refusal(
        await guest.post(
            f"/conversations/{guest.conversation}/fork", {"forkPointMessageId": reply["id"]}
        )
    )
    assert await guest.state() == before


async def test_a_send_that_forks_stops_at_the_cap(client):
    guest = await Guest.start(client)
    first = await guest.send("first")
    await guest.send("second")
    await guest.make_branch()
    await guest.make_branch()
    forked = await guest.send("alternative", parentMessageId=first["message"]["id"])
    assert forked["branch"]["forkPointMessageId"] == first["message"]["id"]
    before = await guest.state()
    assert before[2]["branches"] == CAP
    for path in (guest.send_path(), guest.send_path() + "/stream"):
        refused = await guest.post(
            path, {"content": "another", "parentMessageId": first["message"]["id"]}
        )
        assert_cap_refusal(refused)
    assert await guest.state() == before  # no question stored, no message of the session used
    # a parent that is the head forks nothing: still answered at the cap
    head = await guest.send("third", parentMessageId=forked["message"]["id"])
    assert "branch" not in head
    _, _, used = await guest.state()
    assert used["branches"] == CAP and used["messages"] == before[2]["messages"] + 1


async def test_an_edit_off_the_head_stops_at_the_cap(client):
    guest = await Guest.start(client)
    first = await guest.send("first")
    second = await guest.send("second")
    await guest.make_branch()
    await guest.make_branch()
    question = first["userMessage"]["id"]
    edited = await guest.patch(f"/messages/{question}", {"content": "first, edited"})
    assert edited.status_code == 200, edited.text
    assert edited.json()["data"]["branch"]["title"] == "Edited message"
    before = await guest.state()
    assert before[2]["branches"] == CAP
    assert_cap_refusal(await guest.patch(f"/messages/{question}", {"content": "once more"}))
    assert await guest.state() == before
    # editing the head makes no branch: still allowed at the cap
    head = await guest.patch(f"/messages/{second['message']['id']}", {"content": "better"})
    assert head.status_code == 200, head.text
    assert "branch" not in head.json()["data"]
    branches, _, used = await guest.state()
    assert branches.keys() == before[0].keys() and used["branches"] == CAP


async def test_editing_a_question_while_its_reply_generates_takes_the_replys_branch(
    client, upstream
):
    guest = await Guest.start(client)
    await guest.make_branch()
    await guest.make_branch()
    upstream.enqueue(Fault.delay(1.0))
    sending = asyncio.create_task(guest.post(guest.send_path(), {"content": "slow"}))
    await generating(client, guest.main)
    question = (await guest.branches())[guest.main]["headMessageId"]
    # the edit moves the head from under the reply, which then needs a branch of its own
    edited = await guest.patch(f"/messages/{question}", {"content": "slow, edited"})
    assert edited.status_code == 200, edited.text
    sent = await sending
    assert sent.status_code == 201, sent.text
    reply_branch = sent.json()["data"]["branch"]
    assert reply_branch["title"].startswith("Reply on")
    branches, _, used = await guest.state()
    assert len(branches) == 1 + CAP and used["branches"] == CAP
    assert_cap_refusal(await guest.post(f"/conversations/{guest.conversation}/branches", {}))


async def test_editing_a_generating_question_at_the_cap_is_refused(client, upstream):
    guest = await Guest.start(client)
    for _ in range(CAP):
        await guest.make_branch()
    upstream.enqueue(Fault.delay(1.0))
    sending = asyncio.create_task(guest.post(guest.send_path(), {"content": "slow"}))
    await generating(client, guest.main)
    branches = await guest.branches()
    question = branches[guest.main]["headMessageId"]
    messages = await guest.message_count()
    assert_cap_refusal(await guest.patch(f"/messages/{question}", {"content": "edited"}))
    assert await guest.message_count() == messages
    sent = await sending
    assert sent.status_code == 201, sent.text
    assert "branch" not in sent.json()["data"]  # the reply went on its own branch
    after, _, used = await guest.state()
    assert after.keys() == branches.keys() and used["branches"] == CAP


async def test_deleting_a_branch_while_its_reply_generates_takes_the_replys_branch(
    client, upstream
):
    guest = await Guest.start(client)
    doomed = await guest.make_branch("doomed")
    await guest.make_branch()
    await guest.make_branch()
    upstream.enqueue(Fault.delay(1.0))
    sending = asyncio.create_task(guest.post(guest.send_path(doomed["id"]), {"content": "slow"}))
    await generating(client, doomed["id"])
    before = await guest.state()
    # deleted now, the reply would be stored on a new branch: one past the cap
    assert_cap_refusal(
        await guest.delete(f"/conversations/{guest.conversation}/branches/{doomed['id']}")
    )
    assert await guest.state() == before
    sent = await sending
    assert sent.status_code == 201, sent.text
    assert sent.json()["data"]["message"]["branchId"] == doomed["id"]
    # once the reply is stored, deleting the branch makes none
    deleted = await guest.delete(f"/conversations/{guest.conversation}/branches/{doomed['id']}")
    assert deleted.status_code == 200, deleted.text
    branches, _, used = await guest.state()
    assert doomed["id"] not in branches and used["branches"] == CAP


async def test_recreating_from_a_checkpoint_stops_at_the_cap(client):
    guest = await Guest.start(client)
    reply = (await guest.send("remember this"))["message"]
    made = await guest.post(
        f"/conversations/{guest.conversation}/checkpoints",
        {"branchId": guest.main, "anchorMessageId": reply["id"]},
    )
    assert made.status_code == 201, made.text
    checkpoint = made.json()["data"]["checkpoint"]["id"]
    await guest.make_branch()
    await guest.make_branch()
    recreated = await guest.post(f"/checkpoints/{checkpoint}/recreate")
    assert recreated.status_code == 201, recreated.text
    before = await guest.state()
    assert before[2]["branches"] == CAP
    assert_cap_refusal(await guest.post(f"/checkpoints/{checkpoint}/recreate"))
    assert await guest.state() == before


async def test_a_merge_that_keeps_the_parents_head_stops_at_the_cap(client):
    guest = await Guest.start(client)
    await guest.send("shared")
    first = await guest.make_branch("first")
    second = await guest.make_branch("second")
    await guest.send("on first", first["id"])
    await guest.send("on second", second["id"])
    await guest.send("main moves on")
    merges = f"/conversations/{guest.conversation}/branches"
    kept = await guest.post(f"{merges}/{first['id']}/merge", {"strategy": "replace"})
    assert kept.status_code == 200, kept.text
    assert kept.json()["data"]["preservedBranch"]["title"].endswith("(before merge)")
    before = await guest.state()
    assert before[2]["branches"] == CAP
    assert_cap_refusal(await guest.post(f"{merges}/{second['id']}/merge", {"strategy": "replace"}))
    assert await guest.state() == before  # the main branch's head did not move either
    # a merge that makes no branch is still allowed at the cap
    appended = await guest.post(f"{merges}/{second['id']}/merge", {"strategy": "append"})
    assert appended.status_code == 200, appended.text
    branches, _, used = await guest.state()
    assert branches.keys() == before[0].keys() and used["branches"] == CAP


async def test_concurrent_branchings_at_one_below_the_cap_make_exactly_one(client):
    guest = await Guest.start(client)
    first = await guest.send("first")
    await guest.send("second")
    await guest.make_branch()
    await guest.make_branch()
    before = await guest.state()
    # Short replies: the winner's reservation leaves the session's tokens for the others,
    # so what refuses them is the branch cap, whichever reserves first.
    fork = {"content": "fork", "parentMessageId": first["message"]["id"], "maxTokens": 16}
    attempts = [
        guest.post(f"/conversations/{guest.conversation}/branches", {"title": "race"}),
        guest.post(f"/conversations/{guest.conversation}/branches", {"title": "race"}),
        guest.post(guest.send_path(), fork),
        guest.post(guest.send_path(), fork),
        guest.patch(f"/messages/{first['userMessage']['id']}", {"content": "edited"}),
    ]
    responses = await asyncio.gather(*attempts)
    made = [r for r in responses if r.status_code in (200, 201)]
    assert len(made) == 1, [r.text for r in responses]
    for refused in (r for r in responses if r not in made):
        assert_cap_refusal(refused)
    branches, messages, used = await guest.state()
    assert len(branches) == len(before[0]) + 1 and used["branches"] == CAP
    sends = sum(r.request.url.path.endswith("/messages") for r in made)
    edits = sum(r.request.method == "PATCH" for r in made)
    assert messages == before[1] + 2 * sends + edits
    assert used["messages"] == before[2]["messages"] + sends


async def test_guests_cannot_use_autobranch(client):
    guest = await Guest.start(client)
    text = "Should I use Postgres or MySQL? Also, can you brainstorm a few names for it?"
    question = (await guest.send(text))["userMessage"]
    suggested = await guest.post("/autobranch/suggest-branches", {"text": text})
    applied = await guest.post(
        f"/conversations/{guest.conversation}/messages/{question['id']}/autobranch", {}
    )
    for refused in (suggested, applied):
        assert refused.status_code == 403, refused.text
        body = refused.json()
        assert body["error"] == "FORBIDDEN" and "create an account" in body["message"]
    branches, _, used = await guest.state()
    assert list(branches) == [guest.main] and used["branches"] == 0
