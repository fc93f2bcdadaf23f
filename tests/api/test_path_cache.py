"""A send's remembered branch path (``store/paths.py``) is always the stored one.

Each test keeps a replica's memory warm with sends, changes the tree (through that replica
or another one on the same database), and checks what the next send gives the upstream.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from chatroutes.server.app import create_app
from chatroutes.server.settings import Settings
from tests.conftest import API_PREFIX


async def _send(client: httpx.AsyncClient, url: str, content: str) -> dict:
    response = await client.post(url, json={"content": content})
    assert response.status_code == 201, response.text
    return response.json()["data"]


def _context(upstream) -> list[str]:
    """What the upstream was last given: each message's content, system prompt aside."""
    messages = upstream.requests[-1].json["messages"]
    return [m["content"] for m in messages if m["role"] != "system"]


@pytest.fixture
async def replica(api, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A second app on the same database, with its own memory, as the owner."""
    app = create_app(settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://test" + API_PREFIX,
        headers=dict(api.client.headers),
    ) as client:
        yield client
    await app.state.ctx.http.aclose()
    await app.state.ctx.db.dispose()


async def test_every_send_gives_the_whole_branch_in_order(api, create_conversation, upstream):
    conversation = await create_conversation()
    url = f"/conversations/{conversation['id']}/messages"
    expected: list[str] = []
    for turn in range(6):
        data = await _send(api.client, url, f"turn {turn}")
        expected += [f"turn {turn}"]
        assert _context(upstream) == expected
        expected += [data["message"]["content"]]


async def test_a_fork_and_its_parent_each_keep_their_own_path(api, create_conversation, upstream):
    conversation = await create_conversation()
    cid = conversation["id"]
    url = f"/conversations/{cid}/messages"
    first = await _send(api.client, url, "one")
    await _send(api.client, url, "two")
    fork = await api.client.post(
        f"/conversations/{cid}/fork",
        json={"forkPointMessageId": first["message"]["id"], "title": "F"},
    )
    branch = fork.json()["data"]["branch"]["id"]
    await _send(api.client, f"/conversations/{cid}/branches/{branch}/messages", "on the fork")
    assert _context(upstream) == ["one", "Echo: one", "on the fork"]
    await _send(api.client, url, "three")
    assert _context(upstream) == ["one", "Echo: one", "two", "Echo: two", "three"]


async def test_a_deletion_through_another_replica_reaches_the_next_send(
    api, create_conversation, replica, upstream
):
    conversation = await create_conversation()
    url = f"/conversations/{conversation['id']}/messages"
    first = await _send(api.client, url, "forget me")
    await _send(api.client, url, "keep me")
    deleted = await replica.delete(f"/messages/{first['userMessage']['id']}")
    assert deleted.status_code == 200, deleted.text

    await _send(api.client, url, "and now?")

    assert _context(upstream) == ["Echo: forget me", "keep me", "Echo: keep me", "and now?"]


async def test_a_truncation_through_another_replica_reaches_the_next_send(
    api, create_conversation, replica, upstream
):
    conversation = await create_conversation()
    cid = conversation["id"]
    url = f"/conversations/{cid}/messages"
    for content in ("old", "older", "recent"):
        await _send(api.client, url, content)
    truncated = await replica.post(
        f"http://test/api/chat/conversations/{cid}/truncate", json={"keep": 2}
    )
    assert truncated.json()["deleted"] == 4, truncated.text

    await _send(api.client, url, "after")

    assert _context(upstream) == ["recent", "Echo: recent", "after"]
