"""Concurrent sends on SQLite and PostgreSQL: nothing lost, nothing doubled, no lock errors.

Many clients write to different branches of one conversation at once; two clients
racing on one branch get one reply and one ``BRANCH_BUSY``; a failed upstream call
keeps the question, and sending it again answers it without storing it twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter

import httpx
import pytest

from tests.conftest import API_PREFIX
from tests.support.mock_upstream import Fault

CLIENTS = 16


def node_messages(nodes: list[dict]) -> list[dict]:
    """Every message node of a ``/tree`` message forest."""
    return [m for node in nodes for m in [node, *node_messages(node["children"])]]


async def tree_messages(api, conversation_id: str) -> list[dict]:
    response = await api.client.get(f"/conversations/{conversation_id}/tree")
    assert response.status_code == 200, response.text
    return node_messages(response.json()["data"]["tree"]["children"])


async def branch_path(api, conversation_id: str, branch_id: str) -> list[dict]:
    response = await api.client.get(
        f"/conversations/{conversation_id}/branches/{branch_id}/messages"
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]["messages"]


def pairs(path: list[dict]) -> list[tuple[str, str]]:
    return [(m["role"], m["content"]) for m in path]


def exchange(content: str) -> list[tuple[str, str]]:
    """A question and the mock upstream's echo of it."""
    return [("user", content), ("assistant", f"Echo: {content}")]


def assert_no_lock_errors(caplog: pytest.LogCaptureFixture, bodies: list[str]) -> None:
    for text in [caplog.text, *bodies]:
        assert "database is locked" not in text.lower()
        assert "deadlock" not in text.lower()


class TestManyBranches:
    @pytest.mark.parametrize("sends_per_client", [1, 3])
    async def test_concurrent_clients_on_separate_branches_store_every_message_once(
        self, api, create_conversation, send, caplog, sends_per_client
    ):
        """16 clients, one branch each, all at once: every send lands once and in order."""
        caplog.set_level(logging.WARNING)
        conversation = await create_conversation()
        cid = conversation["id"]
        root = await send(cid, "root question")
        fork_point = root["assistantMessage"]["id"]
        branches = []
        for index in range(CLIENTS):
            response = await api.client.post(
                f"/conversations/{cid}/branches",
                json={"forkPointMessageId": fork_point, "title": f"b{index}"},
            )
            assert response.status_code == 201, response.text
            branches.append(response.json()["data"]["branch"]["id"])

        in_flight = 0
        most_in_flight = 0
        bodies: list[str] = []

        async def one_client(index: int, branch_id: str) -> list[httpx.Response]:
            nonlocal in_flight, most_in_flight
            transport = httpx.ASGITransport(app=api.app)
            async with httpx.AsyncClient(
                transport=transport,
                base_url="http://test" + API_PREFIX,
                headers=dict(api.client.headers),
            ) as client:
                responses = []
                for turn in range(sends_per_client):
                    in_flight += 1
                    most_in_flight = max(most_in_flight, in_flight)
                    response = await client.post(
                        f"/conversations/{cid}/messages",
                        json={"content": f"client {index} turn {turn}", "branchId": branch_id},
                    )
                    in_flight -= 1
                    bodies.append(response.text)
                    responses.append(response)
                return responses

        results = await asyncio.gather(
            *(one_client(index, branch) for index, branch in enumerate(branches))
        )

        assert_no_lock_errors(caplog, bodies)
        assert most_in_flight > 1
        for responses in results:
            assert [r.status_code for r in responses] == [201] * sends_per_client, [
                r.text for r in responses
            ]
        stored = Counter(m["content"] for m in await tree_messages(api, cid) if m["role"] == "user")
        expected = ["root question"] + [
            f"client {index} turn {turn}"
            for index in range(CLIENTS)
            for turn in range(sends_per_client)
        ]
        assert stored == Counter(expected)
        for index, (branch, responses) in enumerate(zip(branches, results, strict=True)):
            path = await branch_path(api, cid, branch)
            own = [
                part
                for turn in range(sends_per_client)
                for part in exchange(f"client {index} turn {turn}")
            ]
            assert pairs(path) == exchange("root question") + own
            assert [m["id"] for m in path[:2]] == [root["userMessage"]["id"], fork_point]
            sent_ids = [
                m["id"]
                for r in responses
                for m in (r.json()["data"]["userMessage"], r.json()["data"]["message"])
            ]
            assert [m["id"] for m in path[2:]] == sent_ids
            assert all(m["branchId"] == branch for m in path[2:])
        main = await branch_path(api, cid, conversation["branches"][0]["id"])
        assert pairs(main) == exchange("root question")


class TestSameBranch:
    async def test_second_concurrent_send_to_a_busy_branch_is_a_409_with_retry_after(
        self, api, create_conversation, send, upstream, caplog
    ):
        """One generation per branch: the loser is told BRANCH_BUSY and nothing of it is kept."""
        caplog.set_level(logging.WARNING)
        conversation = await create_conversation()
        cid = conversation["id"]
        main = conversation["branches"][0]["id"]
        await send(cid, "before")
        upstream.clear()
        upstream.enqueue(Fault.delay(0.5))

        first, second = await asyncio.gather(
            *(
                api.client.post(
                    f"/conversations/{cid}/messages", json={"content": content, "branchId": main}
                )
                for content in ("racer one", "racer two")
            )
        )

        assert_no_lock_errors(caplog, [first.text, second.text])
        assert sorted([first.status_code, second.status_code]) == [201, 409]
        winner, loser = (first, second) if first.status_code == 201 else (second, first)
        busy = loser.json()
        assert busy["success"] is False
        assert busy["error"] == "BRANCH_BUSY"
        assert int(loser.headers["Retry-After"]) > 0
        assert busy["retryAfter"] == int(loser.headers["Retry-After"])
        assert len(upstream.requests) == 1
        won = winner.json()["data"]["userMessage"]["content"]
        lost = "racer two" if won == "racer one" else "racer one"
        assert pairs(await branch_path(api, cid, main)) == exchange("before") + exchange(won)
        assert lost not in [m["content"] for m in await tree_messages(api, cid)]

        again = await send(cid, lost, branchId=main)
        assert again["branchId"] == main
        path = await branch_path(api, cid, main)
        assert pairs(path) == exchange("before") + exchange(won) + exchange(lost)


class TestUpstreamFailure:
    async def test_failed_send_keeps_question_and_identical_resend_answers_it_once(
        self, api, create_conversation, send, upstream
    ):
        """A 5xx upstream keeps the user message; re-sending it adds only the reply."""
        conversation = await create_conversation()
        cid = conversation["id"]
        main = conversation["branches"][0]["id"]
        await send(cid, "warm up")
        upstream.enqueue(*[Fault.status(500)] * 3)  # every attempt of the retry policy

        failed = await api.client.post(
            f"/conversations/{cid}/messages", json={"content": "fragile question"}
        )

        assert 500 <= failed.status_code < 600, failed.text
        error = failed.json()
        assert error["success"] is False
        assert isinstance(error["error"], str) and error["error"]
        assert error["message"]
        path = await branch_path(api, cid, main)
        assert pairs(path) == [*exchange("warm up"), ("user", "fragile question")]
        kept = path[-1]["id"]

        retried = await send(cid, "fragile question")

        assert retried["userMessage"]["id"] == kept
        assert retried["message"]["parentMessageId"] == kept
        path = await branch_path(api, cid, main)
        assert pairs(path) == exchange("warm up") + exchange("fragile question")
        stored = [m for m in await tree_messages(api, cid) if m["content"] == "fragile question"]
        assert len(stored) == 1
