"""Checkpoints over HTTP: what is stored, and what the upstream then receives."""

from __future__ import annotations

import asyncio

import pytest

from chatroutes.server.domain.context_assembly import SUMMARY_HEADING
from tests.conftest import client_for
from tests.support.mock_upstream import Fault


async def _conversation_with_turns(create_conversation, send, *texts: str, **fields) -> tuple:
    conversation = await create_conversation(**fields)
    sent = [await send(conversation["id"], text) for text in texts]
    main = conversation["branches"][0]["id"]
    return conversation["id"], main, sent


async def _create(api, cid: str, branch_id: str, anchor_id: str, **extra):
    return await api.client.post(
        f"/conversations/{cid}/checkpoints",
        json={"branchId": branch_id, "anchorMessageId": anchor_id, **extra},
    )


async def _checkpoints(api, cid: str, **params) -> list[dict]:
    response = await api.client.get(f"/conversations/{cid}/checkpoints", params=params)
    assert response.status_code == 200, response.text
    return response.json()["data"]["checkpoints"]


def _upstream_texts(upstream) -> list[str]:
    return [m["content"] for m in upstream.requests[-1].json["messages"]]


async def test_create_stores_a_summary_in_both_spellings(api, create_conversation, send):
    cid, main, sent = await _conversation_with_turns(
        create_conversation, send, "Our lead is Priya Raman and the budget is 48,500 euros."
    )
    anchor = sent[0]["message"]["id"]
    response = await _create(api, cid, main, anchor, metadata={"label": "before pivot"})
    assert response.status_code == 201, response.text
    checkpoint = response.json()["data"]["checkpoint"]
    assert checkpoint["id"].startswith("ckpt_")
    assert checkpoint["checkpointType"] == "manual" and checkpoint["summarizer"] == "extractive"
    assert checkpoint["metadata"] == {"label": "before pivot"}
    assert "Priya Raman" in checkpoint["summary"] and "48,500" in checkpoint["summary"]
    assert checkpoint["tokenCount"] > 0 and checkpoint["sourceMessageCount"] == 2
    for camel, snake in [
        ("conversationId", "conversation_id"),
        ("branchId", "branch_id"),
        ("anchorMessageId", "anchor_message_id"),
        ("tokenCount", "token_count"),
        ("createdAt", "created_at"),
    ]:
        assert checkpoint[camel] == checkpoint[snake]
    assert checkpoint["createdAt"].endswith("Z")
    assert await _checkpoints(api, cid) == [checkpoint]


async def test_the_next_send_gets_the_summary_instead_of_the_early_messages(
    api, create_conversation, send, upstream
):
    cid, main, sent = await _conversation_with_turns(
        create_conversation,
        send,
        "The venue is the Lisbon Congress Centre.",
        "We expect 320 guests.",
        systemPrompt="Be brief.",
    )
    response = await _create(api, cid, main, sent[0]["message"]["id"])
    summary = response.json()["data"]["checkpoint"]["summary"]
    reply = await send(cid, "What is left to book?")
    metadata = reply["message"]["metadata"]
    assert metadata["checkpoint_used"] is True
    assert metadata["checkpointId"] == response.json()["data"]["checkpoint"]["id"]
    assert metadata["context_message_count"] == 3  # the second turn and the new question
    assert _upstream_texts(upstream) == [
        "Be brief.",
        f"{SUMMARY_HEADING}\n{summary}",
        "We expect 320 guests.",
        "Echo: We expect 320 guests.",
        "What is left to book?",
    ]


async def test_list_filters_by_branch(api, create_conversation, send):
    cid, main, sent = await _conversation_with_turns(create_conversation, send, "one", "two")
    fork = await api.client.post(
        f"/conversations/{cid}/branches", json={"forkPointMessageId": sent[0]["message"]["id"]}
    )
    branch = fork.json()["data"]["branch"]["id"]
    await send(cid, "three", branchId=branch)
    on_main = (await _create(api, cid, main, sent[1]["message"]["id"])).json()["data"]
    on_branch = (await _create(api, cid, branch, sent[0]["message"]["id"])).json()["data"]
    assert [c["id"] for c in await _checkpoints(api, cid, branchId=main)] == [
        on_main["checkpoint"]["id"]
    ]
    assert [c["id"] for c in await _checkpoints(api, cid, branchId=branch)] == [
        on_branch["checkpoint"]["id"]
    ]
    assert len(await _checkpoints(api, cid)) == 2
    missing = await api.client.get(f"/conversations/{cid}/checkpoints?branchId=br_nope")
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"branchId": "br_nope"}, "branchId"),
        ({"anchorMessageId": "msg_nope"}, "anchorMessageId"),
        ({"metadata": {"note": "a\x00b"}}, "metadata"),
        ({"metadata": "text"}, "metadata"),
        ({"branchId": None}, "branchId"),
    ],
)
async def test_bad_input_is_a_400_naming_the_field(api, create_conversation, send, body, field):
    cid, main, sent = await _conversation_with_turns(create_conversation, send, "one")
    payload = {"branchId": main, "anchorMessageId": sent[0]["message"]["id"], **body}
    response = await api.client.post(f"/conversations/{cid}/checkpoints", json=payload)
    assert response.status_code == 400, response.text
    assert response.json()["details"]["field"] == field
    assert await _checkpoints(api, cid) == []


async def test_an_anchor_off_the_branch_is_refused(api, create_conversation, send):
    cid, main, _ = await _conversation_with_turns(create_conversation, send, "one")
    fork = await api.client.post(f"/conversations/{cid}/branches", json={})
    branch = fork.json()["data"]["branch"]["id"]
    other = await send(cid, "on the branch", branchId=branch)
    response = await _create(api, cid, main, other["message"]["id"])
    assert response.status_code == 400
    assert response.json()["details"]["field"] == "anchorMessageId"


async def test_another_account_sees_nothing(api, create_conversation, send):
    cid, main, sent = await _conversation_with_turns(create_conversation, send, "one")
    checkpoint = (await _create(api, cid, main, sent[0]["message"]["id"])).json()["data"]
    checkpoint_id = checkpoint["checkpoint"]["id"]
    stranger = api.headers(await api.new_key())
    calls = [
        api.client.get(f"/conversations/{cid}/checkpoints", headers=stranger),
        api.client.post(
            f"/conversations/{cid}/checkpoints",
            json={"branchId": main, "anchorMessageId": sent[0]["message"]["id"]},
            headers=stranger,
        ),
        api.client.delete(f"/checkpoints/{checkpoint_id}", headers=stranger),
        api.client.post(f"/checkpoints/{checkpoint_id}/recreate", headers=stranger),
    ]
    for response in await asyncio.gather(*calls):
        assert response.status_code == 404, response.text
    assert len(await _checkpoints(api, cid)) == 1


async def test_delete_removes_only_the_checkpoint(api, create_conversation, send):
    cid, main, sent = await _conversation_with_turns(create_conversation, send, "one")
    checkpoint = (await _create(api, cid, main, sent[0]["message"]["id"])).json()["data"]
    response = await api.client.delete(f"/checkpoints/{checkpoint['checkpoint']['id']}")
    assert response.status_code == 200 and response.json() == {"success": True}
    assert await _checkpoints(api, cid) == []
    messages = await api.client.get(f"/conversations/{cid}/messages")
    assert len(messages.json()["data"]["messages"]) == 2
    again = await api.client.delete(f"/checkpoints/{checkpoint['checkpoint']['id']}")
    assert again.status_code == 404


async def test_recreate_starts_a_branch_from_the_summary(api, create_conversation, send, upstream):
    cid, main, sent = await _conversation_with_turns(
        create_conversation, send, "Plan the launch for 14 March.", "Invite Dana Okafor."
    )
    anchor = sent[0]["message"]["id"]
    checkpoint = (await _create(api, cid, main, anchor)).json()["data"]["checkpoint"]
    response = await api.client.post(
        f"/checkpoints/{checkpoint['id']}/recreate",
        content=b"",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["checkpoint"] == checkpoint
    branch = data["branch"]
    assert branch["forkPointMessageId"] == anchor and branch["headMessageId"] == anchor
    assert branch["checkpointId"] == checkpoint["id"] and branch["parentBranchId"] == main
    assert [m["content"] for m in data["messages"]] == [
        "Plan the launch for 14 March.",
        "Echo: Plan the launch for 14 March.",
    ]
    reply = await send(cid, "Who is invited?", branchId=branch["id"])
    assert reply["message"]["metadata"]["checkpoint_used"] is True
    assert _upstream_texts(upstream) == [
        f"{SUMMARY_HEADING}\n{checkpoint['summary']}",
        "Who is invited?",
    ]
    main_path = await api.client.get(f"/conversations/{cid}/messages")
    assert len(main_path.json()["data"]["messages"]) == 4  # the original line is untouched
    await api.client.delete(f"/checkpoints/{checkpoint['id']}")
    branches = (await api.client.get(f"/conversations/{cid}/branches")).json()["data"]
    [kept] = [b for b in branches["branches"] if b["id"] == branch["id"]]
    assert kept["checkpointId"] is None  # the branch stays, without a dangling link


async def test_deleting_a_branch_keeps_checkpoints_still_reachable(api, create_conversation, send):
    cid, main, sent = await _conversation_with_turns(create_conversation, send, "one")
    fork = await api.client.post(f"/conversations/{cid}/branches", json={})
    branch = fork.json()["data"]["branch"]["id"]
    own = await send(cid, "only here", branchId=branch)
    await _create(api, cid, branch, own["message"]["id"])  # anchored on its own message
    inherited = (await _create(api, cid, branch, sent[0]["message"]["id"])).json()["data"]
    assert (await api.client.delete(f"/conversations/{cid}/branches/{branch}")).status_code == 200
    remaining = await _checkpoints(api, cid)
    assert [c["id"] for c in remaining] == [inherited["checkpoint"]["id"]]
    assert remaining[0]["branchId"] == main


class TestContextModes:
    @pytest.fixture
    def settings(self, settings):
        return settings.model_copy(update={"partial_context_messages": 2})

    async def _branch(self, api, cid: str, fork_point: str, mode: str) -> str:
        response = await api.client.post(
            f"/conversations/{cid}/branches",
            json={"forkPointMessageId": fork_point, "contextMode": mode},
        )
        return response.json()["data"]["branch"]["id"]

    @pytest.mark.parametrize(
        ("mode", "expected"),
        [
            ("FULL", ["a", "Echo: a", "b", "Echo: b", "own"]),
            ("PARTIAL", ["b", "Echo: b", "own"]),  # partial_context_messages = 2
            ("MINIMAL", ["Echo: b", "own"]),
            ("NONE", ["own"]),
        ],
    )
    async def test_each_mode_sends_its_window(
        self, api, create_conversation, send, upstream, mode, expected
    ):
        cid, _, sent = await _conversation_with_turns(create_conversation, send, "a", "b")
        branch = await self._branch(api, cid, sent[1]["message"]["id"], mode)
        reply = await send(cid, "own", branchId=branch)
        assert _upstream_texts(upstream) == expected
        assert reply["message"]["metadata"]["context_message_count"] == len(expected)


@pytest.fixture
def small_window(settings, tmp_path):
    models = tmp_path / "models.toml"
    models.write_text("[models.gpt-5]\ncontext_window = 200\nmax_output = 100\n")
    return settings.model_copy(update={"models_file": models})


async def test_over_the_window_the_oldest_turns_are_dropped(small_window):
    async with client_for(small_window) as client:
        created = await client.post("/conversations", json={"title": "t", "maxTokens": 100})
        cid = created.json()["data"]["conversation"]["id"]
        long_text = "word " * 30
        for turn in range(4):
            response = await client.post(
                f"/conversations/{cid}/messages", json={"content": f"{turn} {long_text}"}
            )
            assert response.status_code == 201, response.text
        metadata = response.json()["data"]["message"]["metadata"]
        assert metadata["context_truncated"] is True
        assert metadata["context_message_count"] < 7
        assert metadata["prompt_tokens"] <= 100


class TestAutomatic:
    @pytest.fixture
    def settings(self, settings):
        return settings.model_copy(update={"checkpoint_interval": 4})

    async def _wait_for(self, api, cid: str, count: int) -> list[dict]:
        for _ in range(200):
            checkpoints = await _checkpoints(api, cid)
            if len(checkpoints) >= count:
                return checkpoints
            await asyncio.sleep(0.01)
        raise AssertionError(f"expected {count} checkpoints, have {checkpoints}")

    async def test_every_interval_messages_a_checkpoint_is_made(
        self, api, create_conversation, send
    ):
        cid, main, sent = await _conversation_with_turns(
            create_conversation, send, "Meet Ada Lovelace.", "The code is 7781."
        )
        [first] = await self._wait_for(api, cid, 1)
        assert first["checkpointType"] == "auto" and first["branchId"] == main
        assert first["anchorMessageId"] == sent[1]["message"]["id"]
        assert first["sourceMessageCount"] == 4
        await send(cid, "Anything else?")
        assert len(await _checkpoints(api, cid)) == 1  # 2 messages since: not due yet
        await send(cid, "Fine.")
        second = (await self._wait_for(api, cid, 2))[1]
        assert second["sourceMessageCount"] == 8
        # Built on the first: its facts survive without re-reading the early turns.
        assert "Ada Lovelace" in second["summary"] and "7781" in second["summary"]
        reply = await send(cid, "Recap please.")
        assert reply["message"]["metadata"]["checkpoint_used"] is True
        assert reply["message"]["metadata"]["checkpointId"] == second["id"]


class TestSummarizerModel:
    @pytest.fixture
    def settings(self, settings):
        return settings.model_copy(update={"summarizer_model": "claude-sonnet-4-5"})

    async def test_the_configured_model_writes_the_summary(
        self, api, create_conversation, send, upstream
    ):
        cid, main, sent = await _conversation_with_turns(create_conversation, send, "one")
        upstream.enqueue(Fault.reply("The user said one."))
        response = await _create(api, cid, main, sent[0]["message"]["id"])
        checkpoint = response.json()["data"]["checkpoint"]
        assert checkpoint["summary"] == "The user said one."
        assert checkpoint["summarizer"] == "claude-sonnet-4-5"
        request = upstream.requests[-1]
        assert request.protocol == "anthropic" and "one" in str(request.json["messages"])

    async def test_a_failing_model_falls_back_to_the_extractive_summary(
        self, api, create_conversation, send, upstream
    ):
        cid, main, sent = await _conversation_with_turns(create_conversation, send, "one")
        upstream.enqueue(Fault.status(401))
        response = await _create(api, cid, main, sent[0]["message"]["id"])
        assert response.status_code == 201, response.text
        assert response.json()["data"]["checkpoint"]["summarizer"] == "extractive"
