"""Pinned and excluded messages over HTTP: what the mock upstream receives afterwards."""

from __future__ import annotations

import pytest

from chatroutes.server.domain.context_assembly import SUMMARY_HEADING
from tests.api.test_transfer import export, import_, renamed
from tests.conftest import client_for


async def _set(api, message_id: str, **body: object):
    return await api.client.patch(f"/messages/{message_id}/context", json=body)


async def _turns(create_conversation, send, *texts: str, **fields) -> tuple[str, str, list]:
    conversation = await create_conversation(**fields)
    sent = [await send(conversation["id"], text) for text in texts]
    return conversation["id"], conversation["branches"][0]["id"], sent


def _upstream_texts(upstream) -> list[str]:
    return [m["content"] for m in upstream.requests[-1].json["messages"]]


class TestSetting:
    async def test_a_message_shows_its_flags_everywhere(self, api, create_conversation, send):
        cid, _, sent = await _turns(create_conversation, send, "one")
        assert sent[0]["userMessage"]["pinned"] is False
        assert sent[0]["message"]["excluded"] is False
        question = sent[0]["userMessage"]["id"]
        response = await _set(api, question, pinned=True)
        assert response.status_code == 200, response.text
        message = response.json()["data"]["message"]
        assert (message["id"], message["pinned"], message["excluded"]) == (question, True, False)
        listed = await api.client.get(f"/conversations/{cid}/messages")
        by_id = {m["id"]: m for m in listed.json()["data"]["messages"]}
        assert by_id[question]["pinned"] is True
        unpinned = (await _set(api, question, pinned=False)).json()["data"]["message"]
        assert unpinned["pinned"] is False

    async def test_pinned_and_excluded_at_once_is_refused_naming_excluded(
        self, api, create_conversation, send
    ):
        _, _, sent = await _turns(create_conversation, send, "one")
        question = sent[0]["userMessage"]["id"]
        response = await _set(api, question, pinned=True, excluded=True)
        assert response.status_code == 400
        assert response.json()["details"]["field"] == "excluded"
        assert (await _set(api, question, pinned=True)).status_code == 200
        response = await _set(api, question, excluded=True)
        assert response.status_code == 400
        assert response.json()["details"]["field"] == "excluded"

    @pytest.mark.parametrize("field", ["pinned", "excluded"])
    async def test_a_value_that_is_no_boolean_is_refused_naming_it(
        self, api, create_conversation, send, field
    ):
        _, _, sent = await _turns(create_conversation, send, "one")
        for value in ("true", 1, "yes", [True]):
            response = await _set(api, sent[0]["userMessage"]["id"], **{field: value})
            assert response.status_code == 400, response.text
            assert response.json()["details"]["field"] == field

    async def test_another_users_message_is_not_found(self, api, create_conversation, send):
        _, _, sent = await _turns(create_conversation, send, "one")
        stranger = api.headers(await api.new_key())
        response = await api.client.patch(
            f"/messages/{sent[0]['userMessage']['id']}/context",
            json={"pinned": True},
            headers=stranger,
        )
        assert response.status_code == 404
        assert (await _set(api, "msg_nope", pinned=True)).status_code == 404
        unchanged = await _set(api, sent[0]["userMessage"]["id"])  # an empty body changes nothing
        assert unchanged.json()["data"]["message"]["pinned"] is False

    async def test_an_edit_keeps_the_pin(self, api, create_conversation, send):
        _, _, sent = await _turns(create_conversation, send, "one")
        question = sent[0]["userMessage"]["id"]
        await _set(api, question, pinned=True)
        edited = await api.client.patch(f"/messages/{question}", json={"content": "uno"})
        assert edited.status_code == 200, edited.text
        assert edited.json()["data"]["message"]["pinned"] is True

    async def test_a_merged_copy_keeps_the_flags(self, api, create_conversation, send):
        cid, _, sent = await _turns(create_conversation, send, "base")
        response = await api.client.post(
            f"/conversations/{cid}/branches", json={"forkPointMessageId": sent[0]["message"]["id"]}
        )
        branch = response.json()["data"]["branch"]["id"]
        side = await send(cid, "on the side", branchId=branch)
        await _set(api, side["userMessage"]["id"], pinned=True)
        merged = await api.client.post(f"/conversations/{cid}/branches/{branch}/merge", json={})
        assert merged.status_code == 200, merged.text
        listed = await api.client.get(f"/conversations/{cid}/messages")
        copies = [m for m in listed.json()["data"]["messages"] if m["content"] == "on the side"]
        assert [m["pinned"] for m in copies] == [True]


class TestWhatIsSent:
    async def test_an_excluded_message_never_reaches_the_model(
        self, api, create_conversation, send, upstream
    ):
        cid, _, sent = await _turns(create_conversation, send, "secret 4417", "two")
        excluded = sent[0]["userMessage"]["id"]
        assert (await _set(api, excluded, excluded=True)).status_code == 200
        reply = await send(cid, "three")
        texts = _upstream_texts(upstream)
        assert "secret 4417" not in texts
        assert texts == ["Echo: secret 4417", "two", "Echo: two", "three"]
        metadata = reply["message"]["metadata"]
        assert metadata["excludedMessageIds"] == [excluded]
        assert metadata["pinnedMessageIds"] == []
        assert metadata["context_message_count"] == 4
        # and back in once it is no longer excluded
        await _set(api, excluded, excluded=False)
        await send(cid, "four")
        assert "secret 4417" in _upstream_texts(upstream)

    async def test_a_pinned_message_survives_a_checkpoint(
        self, api, create_conversation, send, upstream
    ):
        cid, main, sent = await _turns(create_conversation, send, "keep this", "b", "c")
        pinned = sent[0]["userMessage"]["id"]
        await _set(api, pinned, pinned=True)
        response = await api.client.post(
            f"/conversations/{cid}/checkpoints",
            json={"branchId": main, "anchorMessageId": sent[1]["message"]["id"]},
        )
        assert response.status_code == 201, response.text
        reply = await send(cid, "d")
        texts = _upstream_texts(upstream)
        assert texts[0].startswith(SUMMARY_HEADING)
        assert texts[1:] == ["keep this", "c", "Echo: c", "d"]
        metadata = reply["message"]["metadata"]
        assert metadata["checkpoint_used"] is True
        assert metadata["pinnedMessageIds"] == [pinned]

    async def test_a_pinned_message_is_sent_whatever_the_context_mode(
        self, api, create_conversation, send, upstream
    ):
        cid, _, sent = await _turns(create_conversation, send, "pinned fact", "b")
        await _set(api, sent[0]["userMessage"]["id"], pinned=True)
        response = await api.client.post(
            f"/conversations/{cid}/branches",
            json={"forkPointMessageId": sent[1]["message"]["id"], "contextMode": "NONE"},
        )
        branch = response.json()["data"]["branch"]["id"]
        await send(cid, "own", branchId=branch)
        assert _upstream_texts(upstream) == ["pinned fact", "own"]

    async def test_an_excluded_message_is_not_summarized(self, api, create_conversation, send):
        cid, main, sent = await _turns(
            create_conversation, send, "The vault code is 99173.", "Our lead is Priya Raman."
        )
        for message in (sent[0]["userMessage"], sent[0]["message"]):  # the reply echoes it
            await _set(api, message["id"], excluded=True)
        response = await api.client.post(
            f"/conversations/{cid}/checkpoints",
            json={"branchId": main, "anchorMessageId": sent[1]["message"]["id"]},
        )
        assert response.status_code == 201, response.text
        summary = response.json()["data"]["checkpoint"]["summary"]
        assert "99173" not in summary and "Priya" in summary


@pytest.fixture
def small_window(settings, tmp_path):
    models = tmp_path / "models.toml"
    models.write_text("[models.gpt-5]\ncontext_window = 200\nmax_output = 100\n")
    return settings.model_copy(update={"models_file": models})


async def test_over_the_window_a_pinned_turn_is_never_dropped(small_window, upstream):
    async with client_for(small_window) as client:
        created = await client.post("/conversations", json={"title": "t", "maxTokens": 100})
        cid = created.json()["data"]["conversation"]["id"]
        first = None
        for turn in range(4):
            response = await client.post(
                f"/conversations/{cid}/messages", json={"content": f"turn {turn} " + "word " * 30}
            )
            assert response.status_code == 201, response.text
            first = first or response.json()["data"]["userMessage"]["id"]
        pinned = await client.patch(f"/messages/{first}/context", json={"pinned": True})
        assert pinned.status_code == 200, pinned.text
        response = await client.post(f"/conversations/{cid}/messages", json={"content": "last"})
        metadata = response.json()["data"]["message"]["metadata"]
        assert metadata["context_truncated"] is True
        texts = _upstream_texts(upstream)
        assert texts[0].startswith("turn 0 ") and texts[-1] == "last"
        assert not any(text.startswith("turn 1 ") for text in texts)


class TestTransfer:
    async def test_flags_travel_with_an_export(self, api, create_conversation, send):
        cid, _, sent = await _turns(create_conversation, send, "one", "two")
        await _set(api, sent[0]["userMessage"]["id"], pinned=True)
        await _set(api, sent[1]["userMessage"]["id"], excluded=True)
        document = await export(api.client, cid)
        flags = {m["id"]: (m["pinned"], m["excluded"]) for m in document["messages"]}
        assert flags[sent[0]["userMessage"]["id"]] == (True, False)
        assert flags[sent[1]["userMessage"]["id"]] == (False, True)
        copy = renamed(document)
        response = await import_(api.client, copy)
        assert response.status_code == 201, response.text
        again = await export(api.client, copy["conversation"]["id"])
        assert [(m["pinned"], m["excluded"]) for m in again["messages"]] == [
            (m["pinned"], m["excluded"]) for m in document["messages"]
        ]

    async def test_a_message_both_pinned_and_excluded_is_refused(
        self, api, create_conversation, send
    ):
        cid, _, _ = await _turns(create_conversation, send, "one")
        copy = renamed(await export(api.client, cid))
        copy["messages"][0].update(pinned=True, excluded=True)
        response = await import_(api.client, copy)
        assert response.status_code == 400
        assert response.json()["details"]["field"] == "messages[0].excluded"
