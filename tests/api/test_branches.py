"""Branches, forks and the tree over HTTP."""

from __future__ import annotations

import pytest


async def _contents(api, conversation_id: str, branch_id: str) -> list[str]:
    response = await api.client.get(
        f"/conversations/{conversation_id}/branches/{branch_id}/messages"
    )
    assert response.status_code == 200, response.text
    return [m["content"] for m in response.json()["data"]["messages"]]


@pytest.fixture
async def two_turns(create_conversation, send) -> tuple[dict, dict, dict]:
    conversation = await create_conversation()
    first = await send(conversation["id"], "first")
    second = await send(conversation["id"], "second")
    return conversation, first, second


class TestCreate:
    async def test_at_a_fork_point_inherits_the_path_up_to_it(self, api, two_turns):
        conversation, first, _ = two_turns
        response = await api.client.post(
            f"/conversations/{conversation['id']}/branches",
            json={
                "title": "Alt",
                "forkPointMessageId": first["message"]["id"],
                "contextMode": "FULL",
            },
        )
        assert response.status_code == 201, response.text
        branch = response.json()["data"]["branch"]
        assert branch["forkPointMessageId"] == first["message"]["id"]
        assert branch["isMain"] is False and branch["messageCount"] == 0
        assert await _contents(api, conversation["id"], branch["id"]) == ["first", "Echo: first"]

    async def test_base_node_id_is_a_fork_point_too(self, api, two_turns):
        conversation, first, _ = two_turns
        response = await api.client.post(
            f"/conversations/{conversation['id']}/branches",
            json={"title": "Alt", "baseNodeId": first["userMessage"]["id"]},
        )
        branch = response.json()["data"]["branch"]
        assert await _contents(api, conversation["id"], branch["id"]) == ["first"]

    async def test_without_fork_point_forks_at_the_main_head(self, api, two_turns):
        conversation, _, second = two_turns
        response = await api.client.post(
            f"/conversations/{conversation['id']}/branches", json={"title": "Later"}
        )
        branch = response.json()["data"]["branch"]
        assert branch["forkPointMessageId"] == second["message"]["id"]
        assert len(await _contents(api, conversation["id"], branch["id"])) == 4

    async def test_sending_on_a_branch_keeps_main_untouched(self, api, two_turns, upstream):
        conversation, first, _ = two_turns
        branch = (
            await api.client.post(
                f"/conversations/{conversation['id']}/fork",
                json={"forkPointMessageId": first["message"]["id"], "title": "Fork"},
            )
        ).json()["data"]["branch"]
        response = await api.client.post(
            f"/conversations/{conversation['id']}/branches/{branch['id']}/messages",
            json={"content": "branch question"},
        )
        assert response.status_code == 201
        sent = [m["content"] for m in upstream.requests[-1].json["messages"]]
        assert sent == ["first", "Echo: first", "branch question"]
        assert await _contents(api, conversation["id"], branch["id"]) == [
            "first",
            "Echo: first",
            "branch question",
            "Echo: branch question",
        ]
        main = (await api.client.get(f"/conversations/{conversation['id']}")).json()["data"]
        assert [m["content"] for m in main["conversation"]["messages"]][-1] == "Echo: second"
        listed = (await api.client.get(f"/conversations/{conversation['id']}/branches")).json()
        counts = {b["title"]: b["messageCount"] for b in listed["data"]["branches"]}
        assert counts == {"Main": 4, "Fork": 2}

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"forkPointMessageId": "msg_nope"}, "forkPointMessageId"),
            ({"baseNodeId": "msg_nope"}, "baseNodeId"),
            ({"contextMode": "SOME"}, "contextMode"),
            ({"title": 3}, "title"),
            ({"parentBranchId": "br_nope"}, "parentBranchId"),
        ],
    )
    async def test_bad_input_is_a_400(self, api, two_turns, body, field):
        conversation, _, _ = two_turns
        response = await api.client.post(f"/conversations/{conversation['id']}/branches", json=body)
        assert response.status_code == 400
        assert response.json()["details"]["field"] == field
        listed = (await api.client.get(f"/conversations/{conversation['id']}/branches")).json()
        assert len(listed["data"]["branches"]) == 1

    async def test_fork_requires_a_fork_point(self, api, two_turns):
        conversation, _, _ = two_turns
        response = await api.client.post(f"/conversations/{conversation['id']}/fork", json={})
        assert response.status_code == 400
        assert response.json()["details"]["field"] == "forkPointMessageId"


class TestUpdateDelete:
    async def test_patch_renames_and_archives(self, api, two_turns):
        conversation, _, _ = two_turns
        branch = (
            await api.client.post(
                f"/conversations/{conversation['id']}/branches", json={"title": "A"}
            )
        ).json()["data"]["branch"]
        response = await api.client.patch(
            f"/conversations/{conversation['id']}/branches/{branch['id']}",
            json={"title": "B", "description": "why", "archived": True},
        )
        updated = response.json()["data"]["branch"]
        assert (updated["title"], updated["description"], updated["isActive"]) == (
            "B",
            "why",
            False,
        )

    async def test_main_cannot_be_deleted(self, api, two_turns):
        conversation, _, _ = two_turns
        main = conversation["branches"][0]
        response = await api.client.delete(
            f"/conversations/{conversation['id']}/branches/{main['id']}"
        )
        assert response.status_code == 400

    async def test_delete_hides_own_messages_but_keeps_children_intact(self, api, two_turns):
        conversation, first, _ = two_turns
        cid = conversation["id"]
        parent = (
            await api.client.post(
                f"/conversations/{cid}/fork",
                json={"forkPointMessageId": first["message"]["id"], "title": "P"},
            )
        ).json()["data"]["branch"]
        sent = await api.client.post(
            f"/conversations/{cid}/branches/{parent['id']}/messages", json={"content": "p1"}
        )
        p1_reply = sent.json()["data"]["message"]
        child = (
            await api.client.post(
                f"/conversations/{cid}/fork",
                json={"forkPointMessageId": p1_reply["id"], "title": "C"},
            )
        ).json()["data"]["branch"]
        response = await api.client.delete(f"/conversations/{cid}/branches/{parent['id']}")
        assert response.json() == {"success": True}
        assert await _contents(api, cid, child["id"]) == ["first", "Echo: first", "p1", "Echo: p1"]
        listed = (await api.client.get(f"/conversations/{cid}/branches")).json()["data"]["branches"]
        assert {b["title"] for b in listed} == {"Main", "C"}
        [c] = [b for b in listed if b["title"] == "C"]
        assert c["parentBranchId"] == conversation["branches"][0]["id"]
        missing = await api.client.get(f"/conversations/{cid}/branches/{parent['id']}/messages")
        assert missing.status_code == 404

    async def test_another_accounts_branch_is_404(self, api, two_turns):
        conversation, _, _ = two_turns
        main = conversation["branches"][0]
        other = api.headers(await api.new_key())
        base = f"/conversations/{conversation['id']}/branches"
        for method, path in [
            ("GET", base),
            ("POST", base),
            ("PATCH", f"{base}/{main['id']}"),
            ("DELETE", f"{base}/{main['id']}"),
            ("GET", f"{base}/{main['id']}/messages"),
            ("POST", f"{base}/{main['id']}/messages"),
            ("GET", f"/conversations/{conversation['id']}/tree"),
            ("POST", f"/conversations/{conversation['id']}/fork"),
        ]:
            response = await api.client.request(
                method,
                path,
                headers=other,
                json={"title": "x", "content": "x", "forkPointMessageId": "m"},
            )
            assert response.status_code == 404, (method, path, response.text)


class TestTree:
    async def test_tree_has_the_union_of_shapes(self, api, two_turns):
        conversation, first, _ = two_turns
        cid = conversation["id"]
        await api.client.post(
            f"/conversations/{cid}/messages",
            json={"content": "other way", "parentMessageId": first["message"]["id"]},
        )
        data = (await api.client.get(f"/conversations/{cid}/tree")).json()["data"]
        assert data["conversation"]["id"] == cid
        assert data["mainBranch"]["isMain"] is True
        [main_node] = data["branches"]
        assert main_node["branch"]["_count"]["messages"] == 4
        [fork_node] = main_node["children"]
        assert fork_node["branch"]["messageCount"] == 2
        assert data["metadata"] == {"totalNodes": 6, "totalBranches": 2, "maxDepth": 4}
        [root] = data["tree"]["children"]
        assert root["content"] == "first"
        [reply] = root["children"]
        assert sorted(c["content"] for c in reply["children"]) == ["other way", "second"]
