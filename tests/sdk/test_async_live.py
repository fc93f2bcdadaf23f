"""``AsyncChatRoutes`` against a real server: the same surface, concurrency, async streams."""

from __future__ import annotations

import asyncio

import pytest

from chatroutes import AsyncChatRoutes, NotFoundError, StreamChunk
from tests.e2e.conftest import LiveServer

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.parametrize("live_server", ["sqlite"], indirect=True),
]


async def test_the_async_surface_mirrors_the_sync_one(server: LiveServer, api_key: str) -> None:
    async with AsyncChatRoutes(api_key, server.api_url, retry_delay=0.05) as cr:
        conv = await cr.conversations.create({"title": "Async", "model": "gpt-5"})
        cid = conv["id"]
        assert (await cr.conversations.get(cid))["title"] == "Async"
        assert (await cr.conversations.update(cid, {"title": "Renamed"}))["title"] == "Renamed"
        sent = await cr.messages.send(cid, {"content": "hello"})
        assert sent["message"]["content"] == "Echo: hello"
        fork = await cr.branches.fork(cid, {"forkPointMessageId": sent["message"]["id"]})
        await cr.branches.send_message(cid, fork["id"], {"content": "forked"})
        contents = [m["content"] for m in await cr.branches.get_messages(cid, fork["id"])]
        assert contents == ["hello", "Echo: hello", "forked", "Echo: forked"]
        assert len(await cr.branches.list(cid)) == 2
        tree = await cr.conversations.get_tree(cid)
        assert tree["metadata"]["totalNodes"] == 4
        edited = await cr.messages.update(sent["userMessage"]["id"], "hello again")
        assert edited["content"] == "hello again"
        ids = [c["id"] async for c in cr.conversations.list_all(page_size=1)]
        assert cid in ids
        assert "gpt-5" in {m["id"] for m in await cr.models.list()}
        await cr.conversations.delete(cid)
        with pytest.raises(NotFoundError):
            await cr.conversations.get(cid)


async def test_fifty_concurrent_sends_on_fifty_branches(server: LiveServer, api_key: str) -> None:
    async with AsyncChatRoutes(api_key, server.api_url, retry_delay=0.05) as cr:
        conv = await cr.conversations.create({"title": "Fan-out"})
        cid = conv["id"]
        root = await cr.messages.send(cid, {"content": "root"})
        a1 = root["message"]["id"]
        branches = await asyncio.gather(
            *(
                cr.branches.fork(cid, {"forkPointMessageId": a1, "title": f"b{n}"})
                for n in range(50)
            )
        )
        sends = await asyncio.gather(
            *(
                cr.messages.send(cid, {"content": f"on branch {n}", "branchId": b["id"]})
                for n, b in enumerate(branches)
            )
        )
        for n, (branch, sent) in enumerate(zip(branches, sends, strict=True)):
            assert sent["message"]["content"] == f"Echo: on branch {n}"
            assert sent["message"]["branchId"] == branch["id"]
        paths = await asyncio.gather(*(cr.branches.get_messages(cid, b["id"]) for b in branches))
        for n, path in enumerate(paths):
            assert [m["content"] for m in path] == [
                "root",
                "Echo: root",
                f"on branch {n}",
                f"Echo: on branch {n}",
            ]
            assert path[2]["parentMessageId"] == a1
        listed = {b["id"]: b for b in await cr.branches.list(cid)}
        assert all(listed[b["id"]]["messageCount"] == 2 for b in branches)
        assert [m["content"] for m in await cr.messages.list(cid)] == ["root", "Echo: root"]


async def test_async_stream_iterator_and_callbacks(server: LiveServer, api_key: str) -> None:
    text = "stream this reply word by word"
    async with AsyncChatRoutes(api_key, server.api_url) as cr:
        cid = (await cr.conversations.create({"title": "Async stream"}))["id"]
        events = [e async for e in cr.messages.stream(cid, {"content": text})]
        deltas = "".join(e.get("content") or "" for e in events if e["type"] == "content")

        chunks: list[StreamChunk] = []
        completed: list[dict] = []

        async def on_complete(message: dict) -> None:
            completed.append(message)

        await cr.messages.stream(
            cid, {"content": text}, on_chunk=chunks.append, on_complete=on_complete
        )
        async with cr.messages.stream(cid, {"content": text}) as stream:
            pieces = [piece async for piece in stream.text_stream]
        plain = (await cr.messages.send(cid, {"content": text}))["message"]["content"]

        assert deltas == "".join(pieces) == stream.text == plain == f"Echo: {text}"
        assert "".join(c.get("content") or "" for c in chunks if c["type"] == "content") == plain
        listed = await cr.messages.list(cid)
        assert listed[1] == events[-1]["message"] and listed[3] == completed[0]
        assert listed[5] == stream.message
        assert stream.response is not None and stream.response.is_closed
