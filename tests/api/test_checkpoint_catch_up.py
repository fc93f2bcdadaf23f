"""Sends that outrun the automatic checkpoints catch up with them before they go out.

A client sending back to back (a script, an agent) sends again before the background
summary of its last reply lands. Once a send would carry ``checkpoint_catchup_factor``
intervals of messages past the last checkpoint, it waits for the summary in flight
(``metadata.checkpointCatchUp: "waited"``) or writes the checkpoint itself with the
offline summarizer (``"inline"``); one checkpoint per range, whichever process writes it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from benchmarks._conversations import facts_present, generate
from chatroutes.server.app import create_app
from chatroutes.server.domain.context_assembly import SUMMARY_HEADING
from chatroutes.server.domain.tokens import estimate_tokens
from chatroutes.server.services.recovery import recover_expired
from chatroutes.server.settings import Settings
from tests.conftest import API_PREFIX, Api
from tests.support.mock_upstream import Fault
from tests.support.sse import payloads

SUMMARY_MARKER = "You write the running summary"  # in every summarizer model request
LAST_SENDS = 10


@asynccontextmanager
async def replica(api: Api, settings: Settings) -> AsyncIterator[Api]:
    """Another server process on the same database, as the same owner."""
    app = create_app(settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://test" + API_PREFIX,
        headers=dict(api.client.headers),
    ) as client:
        yield Api(app, client)
    await app.state.ctx.http.aclose()
    await app.state.ctx.db.dispose()


async def settle(api: Api) -> None:
    """Until the app's background work (automatic checkpoints) is done."""
    ctx = api.app.state.ctx
    while ctx.tasks:
        await asyncio.gather(*list(ctx.tasks))


async def _send(client: httpx.AsyncClient, cid: str, content: str, **fields) -> dict:
    response = await client.post(
        f"/conversations/{cid}/messages", json={"content": content, **fields}
    )
    assert response.status_code == 201, response.text
    return response.json()["data"]


async def _checkpoints(api, cid: str) -> list[dict]:
    response = await api.client.get(f"/conversations/{cid}/checkpoints")
    assert response.status_code == 200, response.text
    return response.json()["data"]["checkpoints"]


async def _delete_checkpoints(api, cid: str) -> None:
    for checkpoint in await _checkpoints(api, cid):
        deleted = await api.client.delete(f"/checkpoints/{checkpoint['id']}")
        assert deleted.status_code == 200, deleted.text


def _openai_texts(upstream) -> list[str]:
    """What the last send's upstream call was given, each message's content."""
    [*_, last] = (r for r in upstream.requests if r.protocol == "openai")
    return [m["content"] for m in last.json["messages"]]


class TestAgentPace:
    """120 generated turns (facts planted in the first ten), sent at a human pace and
    back to back, with the default interval (50 messages) and offline summaries."""

    async def _converse(self, api, upstream, *, paced: bool) -> tuple[float, float]:
        conversation = generate(120, seed=0)
        created = await api.client.post("/conversations", json={"title": "Launch planning"})
        cid = created.json()["data"]["conversation"]["id"]
        sent: list[int] = []
        whole: list[int] = []
        path_tokens = 0
        for user, reply in conversation.turns:
            upstream.enqueue(Fault.reply(reply))
            await _send(api.client, cid, user)
            path_tokens += estimate_tokens(user)
            sent.append(sum(estimate_tokens(text) for text in _openai_texts(upstream)))
            whole.append(path_tokens)  # the whole path, as without checkpoints
            path_tokens += estimate_tokens(reply)
            if paced:  # a person reads the reply: the checkpoint is written meanwhile
                await settle(api)
        last_prompt = "\n".join(_openai_texts(upstream))
        await settle(api)
        anchors = [c["anchorMessageId"] for c in await _checkpoints(api, cid)]
        assert len(anchors) == len(set(anchors))  # no range summarized into two checkpoints
        saved = 1 - sum(sent[-LAST_SENDS:]) / sum(whole[-LAST_SENDS:])
        return saved, facts_present(last_prompt, conversation.facts)

    async def test_back_to_back_sends_save_as_much_as_paced_ones(self, api, upstream):
        paced, paced_facts = await self._converse(api, upstream, paced=True)
        back_to_back, facts = await self._converse(api, upstream, paced=False)
        assert paced >= 0.6 and paced_facts == 1.0
        assert back_to_back >= 0.6, f"saved {back_to_back:.0%} back to back, {paced:.0%} paced"
        assert back_to_back >= paced - 0.1
        assert facts == 1.0  # every planted fact reaches the model through the summaries


class TestCatchUp:
    """A checkpoint every 4 messages: a send carrying 6 past the last one catches up."""

    @pytest.fixture
    def settings(self, settings):
        return settings.model_copy(update={"checkpoint_interval": 4})

    async def _slow_summaries(self, api, settings, upstream, seconds: float) -> Settings:
        """The summaries written by a model whose answers take ``seconds``."""
        upstream.fault_when(SUMMARY_MARKER, Fault.delay(seconds))
        return settings.model_copy(update={"summarizer_model": "claude-sonnet-4-5"})

    async def test_a_send_waits_for_the_summary_another_replica_is_writing(
        self, api, settings, upstream
    ):
        slow = await self._slow_summaries(api, settings, upstream, 2.0)
        async with (
            replica(api, slow) as first,
            replica(
                api, settings.model_copy(update={"checkpoint_catchup_wait_ms": 10_000})
            ) as second,
        ):
            created = await first.client.post("/conversations", json={"title": "t"})
            cid = created.json()["data"]["conversation"]["id"]
            replies = [
                await _send(first.client, cid, text)
                for text in ("Meet Ada Lovelace.", "The code is 7781.", "Anything else?")
            ]
            # the 4th message's checkpoint is being written (by the first replica's model)
            assert [r["message"]["metadata"]["checkpointCatchUp"] for r in replies] == [None] * 3
            caught = await _send(second.client, cid, "Recap please.")
            # its reply brings the path an interval past the waited-for checkpoint: the
            # second replica writes the next one in the background
            await settle(first)
            await settle(second)
        metadata = caught["message"]["metadata"]
        checkpoint, following = await _checkpoints(api, cid)
        assert following["anchorMessageId"] == caught["message"]["id"]
        assert following["summarizer"] == "extractive"
        assert metadata["checkpointCatchUp"] == "waited"
        assert metadata["checkpointId"] == checkpoint["id"]
        assert checkpoint["summarizer"] == "claude-sonnet-4-5"
        assert checkpoint["anchorMessageId"] == replies[1]["message"]["id"]
        assert _openai_texts(upstream) == [
            f"{SUMMARY_HEADING}\n{checkpoint['summary']}",
            "Anything else?",
            "Echo: Anything else?",
            "Recap please.",
        ]

    async def test_a_long_wait_keeps_the_sends_generation_lease(self, api, settings, upstream):
        """Waiting longer than a generation lease lasts, the send still renews it: another
        process's recovery sweep, running all along, never takes it for a dead one."""
        slow = await self._slow_summaries(api, settings, upstream, 1.5)
        short_leases = settings.model_copy(
            update={
                "checkpoint_catchup_wait_ms": 10_000,
                "generation_lease_seconds": 0.3,
                "generation_heartbeat_seconds": 0.05,
            }
        )
        async with replica(api, slow) as first, replica(api, short_leases) as second:
            created = await first.client.post("/conversations", json={"title": "t"})
            cid = created.json()["data"]["conversation"]["id"]
            for text in ("Meet Ada Lovelace.", "The code is 7781.", "Anything else?"):
                await _send(first.client, cid, text)
            taken = 0

            async def sweep() -> None:
                nonlocal taken
                while True:
                    taken += await recover_expired(first.app.state.ctx)
                    await asyncio.sleep(0.05)

            sweeper = asyncio.create_task(sweep())
            try:
                caught = await _send(second.client, cid, "Recap please.")
            finally:
                sweeper.cancel()
        assert taken == 0
        assert caught["message"]["metadata"]["checkpointCatchUp"] == "waited"
        assert caught["message"]["content"] == "Echo: Recap please."

    async def test_past_the_wait_it_writes_the_checkpoint_and_the_late_one_is_dropped(
        self, api, settings, upstream
    ):
        slow = await self._slow_summaries(api, settings, upstream, 3.0)
        async with (
            replica(api, slow) as first,
            replica(api, settings.model_copy(update={"checkpoint_catchup_wait_ms": 100})) as second,
        ):
            created = await first.client.post("/conversations", json={"title": "t"})
            cid = created.json()["data"]["conversation"]["id"]
            replies = [
                await _send(first.client, cid, text)
                for text in ("Meet Ada Lovelace.", "The code is 7781.", "Anything else?")
            ]
            caught = await _send(second.client, cid, "Recap please.")
            metadata = caught["message"]["metadata"]
            assert metadata["checkpointCatchUp"] == "inline"
            [checkpoint] = await _checkpoints(api, cid)
            assert checkpoint["summarizer"] == "extractive"
            assert checkpoint["checkpointType"] == "auto"
            assert checkpoint["anchorMessageId"] == replies[2]["message"]["id"]
            assert metadata["checkpointId"] == checkpoint["id"]
            assert "Ada Lovelace" in checkpoint["summary"] and "7781" in checkpoint["summary"]
            assert _openai_texts(upstream) == [
                f"{SUMMARY_HEADING}\n{checkpoint['summary']}",
                "Recap please.",
            ]

            async def model_summary_metered() -> bool:
                usage = await api.client.get("/usage", params={"timeframe": "all"})
                kinds = {k["kind"]: k for k in usage.json()["data"]["byKind"]}
                return "checkpoint" in kinds and kinds["checkpoint"]["calls"] == 1

            # The late summary is still paid for, as every summary is, but not kept.
            await settle(first)  # its write refused: the lease was taken over
            assert await model_summary_metered()
            assert await _checkpoints(api, cid) == [checkpoint]

    async def test_with_no_summary_in_flight_it_writes_one_at_once(self, api, upstream):
        created = await api.client.post("/conversations", json={"title": "t"})
        cid = created.json()["data"]["conversation"]["id"]
        replies = []
        for text in ("Meet Ada Lovelace.", "The code is 7781.", "Fine.", "Go on."):
            replies.append(await _send(api.client, cid, text))
            await settle(api)
        await _delete_checkpoints(api, cid)  # 8 messages, none summarized, nothing in flight
        caught = await _send(api.client, cid, "Recap please.")
        metadata = caught["message"]["metadata"]
        [checkpoint] = await _checkpoints(api, cid)
        assert metadata["checkpointCatchUp"] == "inline" and metadata["checkpoint_used"] is True
        assert checkpoint["anchorMessageId"] == replies[-1]["message"]["id"]
        assert checkpoint["sourceMessageCount"] == 8
        assert metadata["context_message_count"] == 1
        assert _openai_texts(upstream) == [
            f"{SUMMARY_HEADING}\n{checkpoint['summary']}",
            "Recap please.",
        ]
        await settle(api)
        assert await _checkpoints(api, cid) == [checkpoint]  # its reply's job found it done

    async def test_a_streamed_send_catches_up_too(self, api, upstream):
        created = await api.client.post("/conversations", json={"title": "t"})
        cid = created.json()["data"]["conversation"]["id"]
        for text in ("Meet Ada Lovelace.", "The code is 7781.", "Fine.", "Go on."):
            await _send(api.client, cid, text)
            await settle(api)
        await _delete_checkpoints(api, cid)
        response = await api.client.post(
            f"/conversations/{cid}/messages/stream",
            json={"content": "Recap please."},
            headers={"Accept": "text/event-stream"},
        )
        assert response.status_code == 200, response.text
        complete = payloads(response.text)[-2]
        assert complete["type"] == "complete"
        assert complete["message"]["metadata"]["checkpointCatchUp"] == "inline"
        [checkpoint] = await _checkpoints(api, cid)
        assert _openai_texts(upstream) == [
            f"{SUMMARY_HEADING}\n{checkpoint['summary']}",
            "Recap please.",
        ]
        await settle(api)

    async def test_below_the_factor_a_send_goes_as_it_would(self, api, upstream):
        created = await api.client.post("/conversations", json={"title": "t"})
        cid = created.json()["data"]["conversation"]["id"]
        for text in ("one", "two"):
            await _send(api.client, cid, text)
            await settle(api)
        await _delete_checkpoints(api, cid)
        reply = await _send(api.client, cid, "three")  # 5 messages past: under 1.5 intervals of 4
        assert reply["message"]["metadata"]["checkpointCatchUp"] is None
        assert reply["message"]["metadata"]["checkpoint_used"] is False
        assert len(_openai_texts(upstream)) == 5

    async def test_concurrent_sends_write_one_checkpoint_per_range(self, api, upstream):
        created = await api.client.post("/conversations", json={"title": "t"})
        cid = created.json()["data"]["conversation"]["id"]
        replies = []
        for turn in range(5):
            replies.append(await _send(api.client, cid, f"Turn {turn}: budget {turn}00 euros."))
            await settle(api)
        await _delete_checkpoints(api, cid)
        url = f"/conversations/{cid}/messages"
        fork_point = replies[3]["message"]["id"]
        responses = await asyncio.gather(
            api.client.post(url, json={"content": "On the head."}),
            api.client.post(url, json={"content": "Also on the head."}),
            api.client.post(url, json={"content": "A fork.", "parentMessageId": fork_point}),
        )
        await settle(api)
        on_head, also_on_head, fork = responses
        assert fork.status_code == 201, fork.text
        # one generation per branch: the second send on the head waits its turn or is refused
        assert sorted([on_head.status_code, also_on_head.status_code]) in ([201, 201], [201, 409])
        checkpoints = await _checkpoints(api, cid)
        anchors = [c["anchorMessageId"] for c in checkpoints]
        assert len(anchors) == len(set(anchors)), checkpoints  # no range summarized twice
        assert fork_point in anchors
        # A send on the head catches up at the head, or with the fork's checkpoint if that
        # landed first: the 3 messages past it are then well under the factor.
        on_the_head = {fork_point, replies[4]["message"]["id"]}
        anchor_of = {c["id"]: c["anchorMessageId"] for c in checkpoints}
        for response in responses:
            if response.status_code == 201:
                metadata = response.json()["data"]["message"]["metadata"]
                assert metadata["checkpoint_used"] is True
                assert metadata["checkpointId"] in anchor_of
                if response is not fork:
                    assert anchor_of[metadata["checkpointId"]] in on_the_head
        fork_metadata = fork.json()["data"]["message"]["metadata"]
        assert fork_metadata["checkpointCatchUp"] in ("waited", "inline")
