"""Sending, listing, editing and deleting messages over HTTP."""

from __future__ import annotations

import pytest

from chatroutes.server.schemas.messages import MAX_CONTENT_CHARS


async def _path(api, conversation_id: str, branch_id: str | None = None) -> list[dict]:
    params = {"branchId": branch_id} if branch_id else {}
    response = await api.client.get(f"/conversations/{conversation_id}/messages", params=params)
    assert response.status_code == 200, response.text
    return response.json()["data"]["messages"]


class TestSend:
    async def test_answers_user_message_reply_and_usage(self, api, create_conversation, send):
        conversation = await create_conversation()
        data = await send(conversation["id"], "What is a fork?")
        assert data["message"] == data["assistantMessage"]
        assert data["message"]["content"] == "Echo: What is a fork?"
        assert data["userMessage"]["content"] == "What is a fork?"
        assert data["message"]["parentMessageId"] == data["userMessage"]["id"]
        usage = data["usage"]
        assert usage["totalTokens"] == usage["promptTokens"] + usage["completionTokens"] > 0
        metadata = data["message"]["metadata"]
        assert metadata["prompt_tokens"] == usage["promptTokens"]
        assert metadata["finishReason"] == "stop"
        assert metadata["cost"] > 0
        assert data["model"] == "gpt-5"
        assert "branch" not in data

    async def test_sends_system_prompt_then_path_upstream(
        self, api, create_conversation, send, upstream
    ):
        conversation = await create_conversation(systemPrompt="Answer in French")
        await send(conversation["id"], "one")
        await send(conversation["id"], "two")
        sent = upstream.requests[-1].json["messages"]
        assert sent == [
            {"role": "system", "content": "Answer in French"},
            {"role": "user", "content": "one"},
            {"role": "assistant", "content": "Echo: one"},
            {"role": "user", "content": "two"},
        ]

    async def test_anthropic_model_gets_system_as_top_level_field(
        self, api, create_conversation, send, upstream
    ):
        conversation = await create_conversation(model="claude-sonnet-4-5", systemPrompt="Be terse")
        data = await send(conversation["id"], "Hi")
        assert data["message"]["content"] == "Echo: Hi"
        request = upstream.requests[-1]
        assert request.path == "/v1/messages"
        assert request.json["system"] == "Be terse"
        assert request.json["messages"] == [{"role": "user", "content": "Hi"}]
        assert request.json["max_tokens"] == 2048

    async def test_model_override_per_message(self, api, create_conversation, send):
        conversation = await create_conversation()
        data = await send(conversation["id"], "Hi", model="claude-3-5-haiku-latest")
        assert data["model"] == "claude-3-5-haiku-latest"

    async def test_parent_that_is_not_the_head_forks_a_branch(self, api, create_conversation, send):
        conversation = await create_conversation()
        first = await send(conversation["id"], "first")
        await send(conversation["id"], "second")
        data = await send(conversation["id"], "alternative", parentMessageId=first["message"]["id"])
        branch = data["branch"]
        assert branch["forkPointMessageId"] == first["message"]["id"]
        assert branch["messageCount"] == 2
        path = await _path(api, conversation["id"], branch["id"])
        assert [m["content"] for m in path] == [
            "first",
            "Echo: first",
            "alternative",
            "Echo: alternative",
        ]
        main = await _path(api, conversation["id"])
        assert [m["content"] for m in main][-1] == "Echo: second"

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({}, "content"),
            ({"content": ""}, "content"),
            ({"content": 42}, "content"),
            ({"content": ["a"]}, "content"),
            ({"content": "x" * (MAX_CONTENT_CHARS + 1)}, "content"),
            ({"content": "x", "temperature": 3}, "temperature"),
            ({"content": "x", "maxTokens": "many"}, "maxTokens"),
            ({"content": "x", "model": "gpt-4o"}, "model"),
            ({"content": "x", "parentMessageId": "msg_nope"}, "parentMessageId"),
        ],
    )
    async def test_bad_input_is_a_400_and_stores_nothing(
        self, api, create_conversation, upstream, body, field
    ):
        conversation = await create_conversation()
        response = await api.client.post(f"/conversations/{conversation['id']}/messages", json=body)
        assert response.status_code == 400, response.text
        assert response.json()["details"]["field"] == field
        assert await _path(api, conversation["id"]) == []
        assert upstream.requests == []

    async def test_unknown_branch_is_404(self, api, create_conversation):
        conversation = await create_conversation()
        response = await api.client.post(
            f"/conversations/{conversation['id']}/branches/br_nope/messages", json={"content": "x"}
        )
        assert response.status_code == 404

    async def test_another_accounts_message_as_parent_is_rejected(
        self, api, create_conversation, send
    ):
        mine = await create_conversation()
        other_key = api.headers(await api.new_key())
        theirs = await api.client.post("/conversations", json={"title": "t"}, headers=other_key)
        their_id = theirs.json()["data"]["conversation"]["id"]
        their_reply = (
            await api.client.post(
                f"/conversations/{their_id}/messages", json={"content": "secret"}, headers=other_key
            )
        ).json()["data"]["message"]
        response = await api.client.post(
            f"/conversations/{mine['id']}/messages",
            json={"content": "x", "parentMessageId": their_reply["id"]},
        )
        assert response.status_code == 400
        sent = await api.client.post(f"/conversations/{their_id}/messages", json={"content": "x"})
        assert sent.status_code == 404

    async def test_provider_without_key_is_a_400_naming_the_setting(self, api, settings):
        from chatroutes.server.app import create_app

        bare = create_app(settings.model_copy(update={"provider_env": {}, "default_model": None}))
        ctx = bare.state.ctx
        assert ctx.registry.default_model == "chatroutes-offline"
        with pytest.raises(Exception, match="OPENAI_API_KEY"):
            ctx.registry.adapter_for("gpt-5")
        await ctx.http.aclose()
        await ctx.db.dispose()


class TestEdit:
    async def test_editing_the_head_moves_the_head(self, api, create_conversation, send):
        conversation = await create_conversation()
        reply = (await send(conversation["id"], "Hi"))["message"]
        response = await api.client.patch(f"/messages/{reply['id']}", json={"content": "Better"})
        assert response.status_code == 200, response.text
        data = response.json()["data"]
        version = data["message"]
        assert version["id"] != reply["id"] and version["editedFrom"] == reply["id"]
        assert version["parentMessageId"] == reply["parentMessageId"]
        assert "branch" not in data
        assert [m["content"] for m in await _path(api, conversation["id"])] == ["Hi", "Better"]
        tree = (await api.client.get(f"/conversations/{conversation['id']}/tree")).json()["data"]
        [question] = tree["tree"]["children"]
        assert sorted(c["content"] for c in question["children"]) == ["Better", "Echo: Hi"]

    async def test_editing_inside_the_path_makes_a_branch(self, api, create_conversation, send):
        conversation = await create_conversation()
        first = await send(conversation["id"], "first")
        await send(conversation["id"], "second")
        response = await api.client.patch(
            f"/messages/{first['userMessage']['id']}", json={"content": "first, edited"}
        )
        data = response.json()["data"]
        assert data["branch"]["messageCount"] == 1
        edited = await _path(api, conversation["id"], data["branch"]["id"])
        assert [m["content"] for m in edited] == ["first, edited"]
        main = await _path(api, conversation["id"])
        assert [m["content"] for m in main] == ["first", "Echo: first", "second", "Echo: second"]

    async def test_bad_edits(self, api, create_conversation, send):
        conversation = await create_conversation()
        reply = (await send(conversation["id"], "Hi"))["message"]
        assert (await api.client.patch(f"/messages/{reply['id']}", json={})).status_code == 400
        missing = await api.client.patch("/messages/msg_nope", json={"content": "x"})
        assert missing.status_code == 404
        other = api.headers(await api.new_key())
        theirs = await api.client.patch(
            f"/messages/{reply['id']}", json={"content": "x"}, headers=other
        )
        assert theirs.status_code == 404
        assert [m["content"] for m in await _path(api, conversation["id"])] == ["Hi", "Echo: Hi"]


class TestDelete:
    async def test_soft_delete_hides_from_listing_and_context(
        self, api, create_conversation, send, upstream
    ):
        conversation = await create_conversation()
        first = await send(conversation["id"], "forget me")
        response = await api.client.delete(f"/messages/{first['userMessage']['id']}")
        assert response.json() == {"success": True}
        assert [m["content"] for m in await _path(api, conversation["id"])] == ["Echo: forget me"]
        await send(conversation["id"], "next")
        contents = [m["content"] for m in upstream.requests[-1].json["messages"]]
        assert "forget me" not in contents
        again = await api.client.delete(f"/messages/{first['userMessage']['id']}")
        assert again.status_code == 404

    async def test_another_accounts_message_is_404(self, api, create_conversation, send):
        conversation = await create_conversation()
        reply = (await send(conversation["id"], "Hi"))["message"]
        other = api.headers(await api.new_key())
        response = await api.client.delete(f"/messages/{reply['id']}", headers=other)
        assert response.status_code == 404
        assert len(await _path(api, conversation["id"])) == 2


async def test_reply_lands_on_a_new_branch_when_the_head_moved_mid_generation(
    api, create_conversation, upstream
):
    import asyncio

    from tests.support.mock_upstream import Fault

    conversation = await create_conversation()
    cid = conversation["id"]
    upstream.enqueue(Fault.delay(0.5))
    sending = asyncio.create_task(
        api.client.post(f"/conversations/{cid}/messages", json={"content": "slow question"})
    )
    for _ in range(100):
        path = await _path(api, cid)
        if path:
            break
        await asyncio.sleep(0.01)
    [question] = path
    edited = await api.client.patch(f"/messages/{question['id']}", json={"content": "edited"})
    assert edited.status_code == 200
    response = await sending
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["branch"]["forkPointMessageId"] == question["id"]
    assert data["branch"]["messageCount"] == 1
    assert data["message"]["parentMessageId"] == question["id"]
    assert [m["content"] for m in await _path(api, cid)] == ["edited"]
    assert [m["content"] for m in await _path(api, cid, data["branch"]["id"])] == [
        "slow question",
        "Echo: slow question",
    ]
    again = await api.client.post(f"/conversations/{cid}/messages", json={"content": "next"})
    assert again.status_code == 201, "the lease was released"
