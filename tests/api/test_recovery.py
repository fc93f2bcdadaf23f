"""Generations that outlive their process: the recovery sweep and the shutdown grace.

What a killed server leaves (a question, a held lease, the flushed text) is made
here by a failed send plus the lease columns a dead process would have written;
tests/e2e/test_crash_safety.py makes it with real kill -9s.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from chatroutes.server.services.maintenance import finish_generations
from chatroutes.server.services.recovery import recover_expired
from chatroutes.server.services.server_context import utcnow
from chatroutes.server.settings import Settings
from chatroutes.server.store.tables import Branch, ResponseCandidate, ResponseSession
from tests.conftest import Api, api_of, provider_env
from tests.support.mock_upstream import Fault, MockUpstream
from tests.support.sse import payloads
from tests.support.wire import wire_hash

QUESTION = "tell me a long story about trees and their many branches please"


@pytest.fixture(scope="module")
def slow_upstream() -> Iterator[MockUpstream]:
    with MockUpstream(api_key="test-key", chunk_delay=0.05) as server:
        yield server


@pytest.fixture
async def slow_api(settings: Settings, slow_upstream: MockUpstream) -> AsyncIterator[Api]:
    """An app whose replies stream for about a second, with a short shutdown grace."""
    async with api_of(
        settings.model_copy(
            update={"provider_env": provider_env(slow_upstream), "shutdown_grace_seconds": 0.2}
        )
    ) as api:
        yield api


async def _path(api: Api, cid: str) -> list[dict]:
    response = await api.client.get(f"/conversations/{cid}/messages")
    return response.json()["data"]["messages"]


async def _leases(api: Api, cid: str) -> list[str | None]:
    async with api.app.state.ctx.db.read() as session:
        return list(
            await session.scalars(
                select(Branch.generation_lease).where(Branch.conversation_id == cid)
            )
        )


async def _unanswered_question(api: Api, upstream: MockUpstream) -> tuple[str, dict]:
    """A conversation whose head is a question whose generation never finished."""
    created = await api.client.post("/conversations", json={"title": "Crash"})
    cid = created.json()["data"]["conversation"]["id"]
    upstream.enqueue(Fault.status(400))
    failed = await api.client.post(f"/conversations/{cid}/messages", json={"content": "half"})
    assert failed.status_code >= 400
    [question] = await _path(api, cid)
    return cid, question


async def _leave_lease(
    api: Api,
    cid: str,
    question_id: str,
    *,
    expires_in: float,
    reply_id: str = "msg_unstored",
    partial: str = "Echo: ha",
) -> None:
    """The lease and flushed text a process generating ``reply_id`` left (or holds)."""
    async with api.app.state.ctx.db.write() as session:
        await session.execute(
            update(Branch)
            .where(Branch.conversation_id == cid)
            .values(
                generation_lease="gen_dead",
                generation_lease_until=utcnow() + timedelta(seconds=expires_in),
                generation_question_id=question_id,
                generation_partial=partial,
                generation_reply_id=reply_id,
            )
        )


class TestSweep:
    async def test_an_expired_lease_becomes_an_interrupted_reply_with_the_flushed_text(
        self, api, upstream
    ):
        cid, question = await _unanswered_question(api, upstream)
        await _leave_lease(api, cid, question["id"], expires_in=-1)

        assert await recover_expired(api.app.state.ctx) == 1

        [stored_question, reply] = await _path(api, cid)
        assert stored_question == question
        assert reply["role"] == "assistant" and reply["content"] == "Echo: ha"
        assert reply["parentMessageId"] == question["id"]
        assert reply["metadata"]["finishReason"] == "interrupted"
        assert reply["contentHash"] == wire_hash(reply)
        assert await _leases(api, cid) == [None]
        assert await recover_expired(api.app.state.ctx) == 0
        resent = await api.client.post(f"/conversations/{cid}/messages", json={"content": "on"})
        assert resent.status_code == 201  # the branch is free again

    async def test_an_interrupted_reply_replays_through_the_stream_endpoint(self, api, upstream):
        cid, question = await _unanswered_question(api, upstream)
        await _leave_lease(api, cid, question["id"], expires_in=-1)
        assert await recover_expired(api.app.state.ctx) == 1
        [_, reply] = await _path(api, cid)

        replayed = await api.client.get(f"/conversations/{cid}/messages/{reply['id']}/stream")
        assert replayed.status_code == 200, replayed.text
        *_, complete, done = payloads(replayed.text)
        assert complete["type"] == "complete" and done == "[DONE]"
        assert complete["message"]["content"] == "Echo: ha"
        assert complete["usage"]["promptTokens"] == 0  # not known after a crash

    async def test_a_lease_still_renewed_is_left_alone(self, api, upstream):
        cid, question = await _unanswered_question(api, upstream)
        await _leave_lease(api, cid, question["id"], expires_in=30)

        assert await recover_expired(api.app.state.ctx) == 0

        assert [m["id"] for m in await _path(api, cid)] == [question["id"]]
        assert await _leases(api, cid) == ["gen_dead"]

    async def test_a_slow_live_generation_renews_its_lease_past_expiry(
        self, settings, slow_upstream
    ):
        quick_lease = settings.model_copy(
            update={
                "provider_env": provider_env(slow_upstream),
                "generation_lease_seconds": 0.3,
                "generation_heartbeat_seconds": 0.05,
            }
        )
        async with api_of(quick_lease) as api:
            created = await api.client.post("/conversations", json={"title": "Slow"})
            cid = created.json()["data"]["conversation"]["id"]
            sending = asyncio.create_task(
                api.client.post(f"/conversations/{cid}/messages", json={"content": QUESTION})
            )
            taken = 0
            while not sending.done():  # another replica sweeping all along
                await asyncio.sleep(0.1)
                taken += await recover_expired(api.app.state.ctx)
            response = await sending
            assert response.status_code == 201, response.text
            assert taken == 0
            [_, reply] = await _path(api, cid)
            assert reply["content"] == "Echo: " + QUESTION
            assert reply["metadata"]["finishReason"] != "interrupted"


class TestShutdown:
    async def test_a_generation_past_the_grace_is_stored_as_interrupted(self, slow_api):
        api = slow_api
        created = await api.client.post("/conversations", json={"title": "Shutdown"})
        cid = created.json()["data"]["conversation"]["id"]
        reading = asyncio.create_task(
            api.client.post(
                f"/conversations/{cid}/messages/stream",
                json={"content": QUESTION},
                headers={"Accept": "text/event-stream"},
            )
        )
        for _ in range(200):
            live = list(api.app.state.ctx.live.values())
            if live and live[0].length > 10:
                break
            await asyncio.sleep(0.02)

        await finish_generations(api.app.state.ctx)

        reading.cancel()
        [question, reply] = await _path(api, cid)
        assert question["content"] == QUESTION
        assert reply["metadata"]["finishReason"] == "interrupted"
        assert 10 < len(reply["content"]) < len("Echo: " + QUESTION)
        assert ("Echo: " + QUESTION).startswith(reply["content"])
        assert reply["contentHash"] == wire_hash(reply)
        assert reply["metadata"]["prompt_tokens"] > 0
        assert await _leases(api, cid) == [None]
        billing = (await api.client.get("/billing")).json()["data"]
        spent = reply["metadata"]["prompt_tokens"] + reply["metadata"]["completionTokens"]
        assert billing["tokens"]["used"] == spent > reply["metadata"]["prompt_tokens"]

    async def test_a_generation_within_the_grace_finishes(self, settings, slow_upstream):
        patient = settings.model_copy(
            update={"provider_env": provider_env(slow_upstream), "shutdown_grace_seconds": 10}
        )
        async with api_of(patient) as api:
            created = await api.client.post("/conversations", json={"title": "Patient"})
            cid = created.json()["data"]["conversation"]["id"]
            sending = asyncio.create_task(
                api.client.post(f"/conversations/{cid}/messages", json={"content": QUESTION})
            )
            for _ in range(200):
                if await _path(api, cid):
                    break
                await asyncio.sleep(0.02)

            await finish_generations(api.app.state.ctx)

            [_, reply] = await _path(api, cid)
            assert reply["content"] == "Echo: " + QUESTION
            assert (await sending).status_code == 201


async def _parallel_session_id(api: Api, cid: str) -> str | None:
    async with api.app.state.ctx.db.read() as session:
        return await session.scalar(
            select(ResponseSession.id).where(ResponseSession.conversation_id == cid)
        )


async def _start_parallel(api: Api, models: list[str]) -> tuple[str, str, asyncio.Task]:
    """A parallel session generating in the background: (conversation, session, request)."""
    created = await api.client.post("/conversations", json={"title": "Side by side"})
    cid = created.json()["data"]["conversation"]["id"]
    request = asyncio.create_task(
        api.client.post(
            f"/conversations/{cid}/parallel-responses",
            json={"content": QUESTION, "models": models},
        )
    )
    for _ in range(200):
        session_id = await _parallel_session_id(api, cid)
        lives = list(api.app.state.ctx.live.values())
        if session_id and len(lives) == len(models) and all(lv.length > 10 for lv in lives):
            return cid, session_id, request
        await asyncio.sleep(0.02)
    raise AssertionError("the candidates never started streaming")


async def _candidates(api: Api, session_id: str) -> list[dict]:
    response = await api.client.get(f"/response-sessions/{session_id}")
    assert response.status_code == 200, response.text
    return response.json()["data"]["candidates"]


async def _replayed(api: Api, cid: str, message_id: str) -> dict:
    """A stored reply as its replayed stream's ``complete`` event gives it."""
    replayed = await api.client.get(f"/conversations/{cid}/messages/{message_id}/stream")
    assert replayed.status_code == 200, replayed.text
    *_, complete, done = payloads(replayed.text)
    assert complete["type"] == "complete" and done == "[DONE]"
    return complete["message"]


class TestParallelSessions:
    """A parallel session's candidates outlive their process like a single reply does."""

    MODELS = ["gpt-5", "claude-sonnet-4-5"]

    async def test_candidates_past_the_grace_are_stored_as_interrupted(self, slow_api):
        api = slow_api
        cid, session_id, request = await _start_parallel(api, self.MODELS)

        await finish_generations(api.app.state.ctx)

        request.cancel()
        view = (await api.client.get(f"/response-sessions/{session_id}")).json()["data"]
        assert view["status"] == "error"  # none completed
        stored = {m["id"]: m for m in await _path(api, cid)}
        for candidate in view["candidates"]:
            assert candidate["status"] == "error"
            assert candidate["error"]["error"] == "INTERRUPTED"
            assert 10 < len(candidate["content"]) < len("Echo: " + QUESTION)
            assert ("Echo: " + QUESTION).startswith(candidate["content"])
            message = await _replayed(api, cid, candidate["messageId"])
            assert message["content"] == candidate["content"]
            assert message["metadata"]["finishReason"] == "interrupted"
            assert message["parentMessageId"] == view["userMessage"]["id"]
            assert candidate["messageId"] not in stored  # beside the path, until chosen
        assert await _leases(api, cid) == [None]

    async def test_heartbeats_flush_each_candidates_text_for_other_processes(
        self, settings, slow_upstream
    ):
        beating = settings.model_copy(
            update={
                "provider_env": provider_env(slow_upstream),
                "generation_heartbeat_seconds": 0.05,
            }
        )
        async with api_of(beating) as api:
            _, session_id, request = await _start_parallel(api, self.MODELS)
            await asyncio.sleep(0.2)  # a few heartbeats
            api.app.state.ctx.live.clear()  # what a process without the generations sees

            seen = await _candidates(api, session_id)

            assert [c["status"] for c in seen] == ["streaming", "streaming"]
            for candidate in seen:
                assert len(candidate["content"]) > 10
                assert ("Echo: " + QUESTION).startswith(candidate["content"])
            finished = await request
            assert finished.status_code == 201, finished.text
            for candidate in finished.json()["data"]["candidates"]:
                assert candidate["status"] == "complete"
                assert candidate["content"] == "Echo: " + QUESTION

    async def test_a_dead_processs_session_is_closed_with_its_flushed_text(self, api, upstream):
        cid, question = await _unanswered_question(api, upstream)
        now = utcnow()
        async with api.app.state.ctx.db.write() as session:
            session.add(
                ResponseSession(
                    id="rs_dead",
                    conversation_id=cid,
                    branch_id=question["branchId"],
                    user_message_id=question["id"],
                    status="running",
                    created_at=now,
                    updated_at=now,
                )
            )
            await session.flush()
            session.add_all(
                [
                    _dead_candidate("cand_flushed", 0, "streaming", partial_text="Echo: ta"),
                    _dead_candidate("cand_silent", 1, "pending"),
                ]
            )
        await _leave_lease(api, cid, question["id"], expires_in=-1, partial="")

        assert await recover_expired(api.app.state.ctx) == 1

        view = (await api.client.get("/response-sessions/rs_dead")).json()["data"]
        assert view["status"] == "error"
        flushed, silent = view["candidates"]
        assert flushed["status"] == silent["status"] == "error"
        assert flushed["error"]["error"] == silent["error"]["error"] == "INTERRUPTED"
        assert flushed["content"] == "Echo: ta" and flushed["messageId"] != "msg_planned_0"
        assert silent["messageId"] is None and silent["content"] == ""
        message = await _replayed(api, cid, flushed["messageId"])
        assert message["parentMessageId"] == question["id"]
        assert message["metadata"]["finishReason"] == "interrupted"
        assert message["metadata"]["candidateId"] == "cand_flushed"
        assert message["contentHash"] == wire_hash(message)
        assert [m["id"] for m in await _path(api, cid)] == [question["id"]]  # head unmoved
        assert await _leases(api, cid) == [None]
        assert await recover_expired(api.app.state.ctx) == 0


def _dead_candidate(
    candidate_id: str, position: int, status: str, partial_text: str | None = None
) -> ResponseCandidate:
    return ResponseCandidate(
        id=candidate_id,
        session_id="rs_dead",
        position=position,
        model="gpt-5",
        temperature=0.7,
        status=status,
        message_id=f"msg_planned_{position}",
        partial_text=partial_text,
    )
