"""Conversations over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest


class TestCreate:
    async def test_returns_main_branch_and_defaults(self, api, create_conversation):
        conversation = await create_conversation(title="Research", systemPrompt="Be brief")
        assert conversation["id"].startswith("conv_")
        assert conversation["model"] == "gpt-5"
        assert conversation["temperature"] == 0.7
        assert conversation["maxTokens"] == 2048
        assert conversation["systemPrompt"] == "Be brief"
        [main] = conversation["branches"]
        assert main["isMain"] is True and main["title"] == "Main"
        assert conversation["createdAt"].endswith("Z")

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({}, "title"),
            ({"title": ""}, "title"),
            ({"title": 5}, "title"),
            ({"title": "t", "temperature": 2.5}, "temperature"),
            ({"title": "t", "temperature": "hot"}, "temperature"),
            ({"title": "t", "maxTokens": 0}, "maxTokens"),
            ({"title": "t", "maxTokens": 1.5}, "maxTokens"),
            ({"title": "t", "model": "gpt-4o"}, "model"),
            ({"title": "nul\x00byte"}, "title"),
            ({"title": "t", "systemPrompt": "\x00"}, "systemPrompt"),
        ],
    )
    async def test_bad_input_is_a_400_naming_the_field(self, api, body, field):
        response = await api.client.post("/conversations", json=body)
        assert response.status_code == 400
        error = response.json()
        assert error["success"] is False
        assert error["error"] == "VALIDATION_ERROR"
        assert error["details"]["field"] == field
        assert field in error["message"]
        listing = await api.client.get("/conversations")
        assert listing.json()["total"] == 0

    async def test_unknown_model_names_the_supported_ones(self, api):
        response = await api.client.post("/conversations", json={"title": "t", "model": "gpt-4o"})
        assert "claude-sonnet-4-5" in response.json()["message"]

    async def test_malformed_json_is_a_400(self, api):
        response = await api.client.post(
            "/conversations", content=b'{"title": ', headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400
        assert response.json()["details"]["field"] == "body"


async def test_nul_in_an_id_is_a_400_not_a_server_error(api):
    for path in ("/conversations/conv%00x", "/conversations/c/messages?branchId=b%00"):
        response = await api.client.get(path)
        assert response.status_code == 400, response.text


class TestList:
    async def test_pages_with_totals_at_top_level_and_under_data(self, api, create_conversation):
        for index in range(3):
            await create_conversation(title=f"c{index}")
        body = (await api.client.get("/conversations", params={"page": 1, "limit": 2})).json()
        assert body["total"] == 3 and body["hasNext"] is True and body["limit"] == 2
        assert len(body["conversations"]) == 2
        assert body["data"]["conversations"] == body["conversations"]
        last = (await api.client.get("/conversations", params={"page": 2, "limit": 2})).json()
        assert len(last["conversations"]) == 1 and last["hasNext"] is False

    @pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"page": 0}, {"page": "x"}])
    async def test_bad_paging_is_a_400(self, api, params):
        response = await api.client.get("/conversations", params=params)
        assert response.status_code == 400

    async def test_lists_only_own_conversations(self, api, create_conversation):
        await create_conversation()
        other = api.headers(await api.new_key())
        body = (await api.client.get("/conversations", headers=other)).json()
        assert body["total"] == 0

    async def test_search_finds_title_text_in_any_case_and_only_the_callers(
        self, api, create_conversation
    ):
        for title in ("Trip to Rome", "ROME in spring", "Budget 100% done", "Budget 1000"):
            await create_conversation(title=title)
        other = api.headers(await api.new_key())
        await api.client.post("/conversations", json={"title": "rome too"}, headers=other)

        async def titles(search: str) -> list[str]:
            response = await api.client.get("/conversations", params={"search": search})
            assert response.status_code == 200, response.text
            body = response.json()
            assert body["total"] == len(body["conversations"])
            return sorted(c["title"] for c in body["conversations"])

        assert await titles("rome") == ["ROME in spring", "Trip to Rome"]
        assert await titles("100%") == ["Budget 100% done"]  # % is a character, not a wildcard
        assert await titles("_") == []
        assert len(await titles("")) == 4

    async def test_a_too_long_search_is_a_400_naming_it(self, api):
        response = await api.client.get("/conversations", params={"search": "x" * 201})
        assert response.status_code == 400
        assert "search" in response.json()["message"]


class TestGetUpdateDelete:
    async def test_get_includes_main_branch_messages(self, api, create_conversation, send):
        conversation = await create_conversation()
        await send(conversation["id"], "Hello")
        body = (await api.client.get(f"/conversations/{conversation['id']}")).json()
        got = body["data"]["conversation"]
        assert [m["role"] for m in got["messages"]] == ["user", "assistant"]
        assert got["messageCount"] == 2 and got["totalMessages"] == 2

    async def test_patch_changes_settings_and_archives(self, api, create_conversation):
        conversation = await create_conversation()
        response = await api.client.patch(
            f"/conversations/{conversation['id']}",
            json={
                "title": "Renamed",
                "temperature": 1.2,
                "archived": True,
                "model": "claude-sonnet-4-5",
            },
        )
        updated = response.json()["data"]["conversation"]
        assert (updated["title"], updated["temperature"], updated["archived"]) == (
            "Renamed",
            1.2,
            True,
        )
        assert updated["model"] == "claude-sonnet-4-5"

    async def test_patch_rejects_bad_values_and_writes_nothing(self, api, create_conversation):
        conversation = await create_conversation()
        response = await api.client.patch(
            f"/conversations/{conversation['id']}", json={"title": "ok", "temperature": -1}
        )
        assert response.status_code == 400
        again = (await api.client.get(f"/conversations/{conversation['id']}")).json()
        assert again["data"]["conversation"]["title"] == "Test"

    async def test_delete_removes_everything(self, api, create_conversation, send):
        conversation = await create_conversation()
        reply = await send(conversation["id"], "Hi")
        response = await api.client.delete(f"/conversations/{conversation['id']}")
        assert response.status_code == 200 and response.json() == {"success": True}
        assert (await api.client.get(f"/conversations/{conversation['id']}")).status_code == 404
        gone = await api.client.patch(f"/messages/{reply['message']['id']}", json={"content": "x"})
        assert gone.status_code == 404

    async def test_another_accounts_conversation_is_404(self, api, create_conversation):
        conversation = await create_conversation()
        other = api.headers(await api.new_key())
        path = f"/conversations/{conversation['id']}"
        for method in ("GET", "PATCH", "DELETE"):
            response = await api.client.request(method, path, headers=other, json={"title": "x"})
            assert response.status_code == 404, method
            assert response.json()["error"] == "NOT_FOUND"
        missing = await api.client.get("/conversations/conv_doesnotexist")
        assert (
            missing.json()["message"].replace("conv_doesnotexist", conversation["id"])
            == ((await api.client.get(path, headers=other)).json()["message"])
        )
