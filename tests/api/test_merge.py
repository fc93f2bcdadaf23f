"""Merging a branch into its parent over HTTP: append, cherry-pick, replace, and refusals."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

from tests.support.mock_upstream import Fault
from tests.support.wire import wire_hash


@dataclass
class Scene:
    """Main: first, Echo: first, second, Echo: second. Alt forks at "Echo: second"
    and adds "alt one", "Echo: alt one", "alt two", "Echo: alt two"."""

    cid: str
    main: dict
    alt: dict
    main_path: list[dict]
    alt_own: list[dict]


async def _path(api, cid: str, branch_id: str) -> list[dict]:
    response = await api.client.get(f"/conversations/{cid}/branches/{branch_id}/messages")
    assert response.status_code == 200, response.text
    return response.json()["data"]["messages"]


def _contents(messages: list[dict]) -> list[str]:
    return [m["content"] for m in messages]


async def _merge(api, scene: Scene, body: dict | None = None, branch_id: str | None = None):
    return await api.client.post(
        f"/conversations/{scene.cid}/branches/{branch_id or scene.alt['id']}/merge",
        json=body if body is not None else {},
    )


async def _conversation(api, cid: str) -> dict:
    response = await api.client.get(f"/conversations/{cid}")
    assert response.status_code == 200, response.text
    return response.json()["data"]["conversation"]


def _assert_field(response, field: str, mentions: str | None = None) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["success"] is False and body["error"] == "VALIDATION_ERROR"
    assert body["details"]["field"] == field
    if mentions is not None:
        assert mentions in body["message"]


@pytest.fixture
async def scene(api, create_conversation, send) -> Scene:
    conversation = await create_conversation()
    cid = conversation["id"]
    main = conversation["branches"][0]
    await send(cid, "first")
    fork_point = (await send(cid, "second"))["message"]["id"]
    response = await api.client.post(
        f"/conversations/{cid}/branches", json={"title": "Alt", "forkPointMessageId": fork_point}
    )
    assert response.status_code == 201, response.text
    alt = response.json()["data"]["branch"]
    assert alt["parentBranchId"] == main["id"]
    await send(cid, "alt one", branchId=alt["id"])
    await send(cid, "alt two", branchId=alt["id"])
    main_path = await _path(api, cid, main["id"])
    alt_own = (await _path(api, cid, alt["id"]))[4:]
    assert _contents(alt_own) == ["alt one", "Echo: alt one", "alt two", "Echo: alt two"]
    return Scene(cid, main, alt, main_path, alt_own)


MAIN = ["first", "Echo: first", "second", "Echo: second"]
ALT_OWN = ["alt one", "Echo: alt one", "alt two", "Echo: alt two"]


def _assert_copies(copies: list[dict], originals: list[dict], scene: Scene, strategy: str) -> None:
    """Each copy is a new message on main, chained in order, naming its original."""
    assert len(copies) == len(originals)
    previous = scene.main_path[-1]["id"]
    for copy, original in zip(copies, originals, strict=True):
        assert copy["id"] != original["id"]
        assert copy["branchId"] == scene.main["id"]
        assert copy["parentMessageId"] == previous
        for key in ("role", "content", "model", "tokenCount"):
            assert copy[key] == original[key], key
        assert copy["metadata"] == {
            **original["metadata"],
            "mergedFrom": original["id"],
            "mergedFromBranch": scene.alt["id"],
            "mergeStrategy": strategy,
        }
        assert copy["contentHash"] == wire_hash(copy) != original["contentHash"]
        previous = copy["id"]


class TestAppend:
    async def test_copies_the_branch_own_messages_after_the_parent_head(self, api, scene):
        response = await _merge(api, scene, {"strategy": "append"})

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["success"] is True
        data = body["data"]
        assert data["strategy"] == "append"
        assert data["preservedBranch"] is None
        assert data["mergedBranch"]["id"] == scene.alt["id"]
        assert data["mergedBranch"]["messageCount"] == 4
        _assert_copies(data["messages"], scene.alt_own, scene, "append")
        assert data["branch"]["id"] == scene.main["id"]
        assert data["branch"]["headMessageId"] == data["messages"][-1]["id"]
        assert data["branch"]["messageCount"] == 8
        main_path = await _path(api, scene.cid, scene.main["id"])
        assert _contents(main_path) == MAIN + ALT_OWN
        assert main_path[4:] == data["messages"]
        # The merged branch itself is untouched.
        assert _contents(await _path(api, scene.cid, scene.alt["id"])) == MAIN + ALT_OWN
        assert (await _path(api, scene.cid, scene.alt["id"]))[4:] == scene.alt_own

    async def test_an_empty_body_is_an_append(self, api, scene):
        before = await _conversation(api, scene.cid)

        response = await api.client.post(
            f"/conversations/{scene.cid}/branches/{scene.alt['id']}/merge",
            content=b"",
            headers={"Content-Type": "application/json"},
        )

        assert response.status_code == 200, response.text
        data = response.json()["data"]
        assert data["strategy"] == "append"
        assert data["branch"]["id"] == scene.main["id"]
        assert _contents(await _path(api, scene.cid, scene.main["id"])) == MAIN + ALT_OWN
        after = await _conversation(api, scene.cid)
        assert after["updatedAt"] > before["updatedAt"]
        assert after["totalMessages"] == before["totalMessages"] + 4

    async def test_goes_after_the_parent_head_when_the_parent_moved_since_the_fork(
        self, api, scene, send
    ):
        await send(scene.cid, "main later")

        response = await _merge(api, scene)

        assert response.status_code == 200, response.text
        copies = response.json()["data"]["messages"]
        path = await _path(api, scene.cid, scene.main["id"])
        assert _contents(path) == [*MAIN, "main later", "Echo: main later", *ALT_OWN]
        assert copies[0]["parentMessageId"] == path[5]["id"]

    async def test_skips_deleted_messages(self, api, scene):
        deleted = await api.client.delete(f"/messages/{scene.alt_own[1]['id']}")
        assert deleted.status_code == 200, deleted.text

        response = await _merge(api, scene)

        assert response.status_code == 200, response.text
        assert [m["metadata"]["mergedFrom"] for m in response.json()["data"]["messages"]] == [
            scene.alt_own[i]["id"] for i in (0, 2, 3)
        ]
        path = await _path(api, scene.cid, scene.main["id"])
        assert _contents(path) == [*MAIN, "alt one", "alt two", "Echo: alt two"]

    async def test_a_branch_without_messages_of_its_own_is_refused(self, api, scene):
        response = await api.client.post(
            f"/conversations/{scene.cid}/branches",
            json={"title": "Empty", "forkPointMessageId": scene.main_path[-1]["id"]},
        )
        empty = response.json()["data"]["branch"]

        _assert_field(await _merge(api, scene, branch_id=empty["id"]), "branchId")
        assert _contents(await _path(api, scene.cid, scene.main["id"])) == MAIN


class TestCherryPick:
    async def test_copies_the_chosen_messages_in_the_given_order(self, api, scene):
        picked = [scene.alt_own[3], scene.alt_own[0]]

        response = await _merge(
            api, scene, {"strategy": "cherry-pick", "messageIds": [m["id"] for m in picked]}
        )

        assert response.status_code == 200, response.text
        data = response.json()["data"]
        assert data["strategy"] == "cherry-pick"
        _assert_copies(data["messages"], picked, scene, "cherry-pick")
        assert data["branch"]["headMessageId"] == data["messages"][-1]["id"]
        path = await _path(api, scene.cid, scene.main["id"])
        assert _contents(path) == [*MAIN, "Echo: alt two", "alt one"]

    @pytest.mark.parametrize("which", ["inherited", "unknown", "deleted"])
    async def test_a_message_not_among_the_branch_own_visible_ones_is_named(
        self, api, scene, which
    ):
        if which == "inherited":
            bad = scene.main_path[1]["id"]
        elif which == "unknown":
            bad = "msg_doesnotexist"
        else:
            bad = scene.alt_own[2]["id"]
            assert (await api.client.delete(f"/messages/{bad}")).status_code == 200
        ids = [scene.alt_own[0]["id"], bad]

        response = await _merge(api, scene, {"strategy": "cherry-pick", "messageIds": ids})

        _assert_field(response, "messageIds", mentions=bad)
        assert _contents(await _path(api, scene.cid, scene.main["id"])) == MAIN

    @pytest.mark.parametrize(
        "body",
        [
            {"strategy": "cherry-pick"},
            {"strategy": "cherry-pick", "messageIds": []},
            {"strategy": "cherry-pick", "messageIds": None},
        ],
        ids=["missing", "empty", "null"],
    )
    async def test_message_ids_are_required(self, api, scene, body):
        _assert_field(await _merge(api, scene, body), "messageIds")

    async def test_a_duplicate_id_is_refused(self, api, scene):
        first = scene.alt_own[0]["id"]
        response = await _merge(
            api, scene, {"strategy": "cherry-pick", "messageIds": [first, first]}
        )
        _assert_field(response, "messageIds", mentions=first)
        assert _contents(await _path(api, scene.cid, scene.main["id"])) == MAIN

    @pytest.mark.parametrize("strategy", ["append", "replace"])
    async def test_other_strategies_refuse_message_ids(self, api, scene, strategy):
        response = await _merge(
            api, scene, {"strategy": strategy, "messageIds": [scene.alt_own[0]["id"]]}
        )
        _assert_field(response, "messageIds")
        assert _contents(await _path(api, scene.cid, scene.main["id"])) == MAIN


class TestReplace:
    async def test_moves_the_parent_head_to_the_branch_head(self, api, scene):
        response = await _merge(api, scene, {"strategy": "replace"})

        assert response.status_code == 200, response.text
        data = response.json()["data"]
        assert data["strategy"] == "replace"
        assert data["preservedBranch"] is None
        assert data["messages"] == scene.alt_own  # the originals, nothing copied
        assert data["branch"]["headMessageId"] == scene.alt_own[-1]["id"]
        assert data["branch"]["messageCount"] == 8
        path = await _path(api, scene.cid, scene.main["id"])
        assert path == await _path(api, scene.cid, scene.alt["id"])
        assert (await _conversation(api, scene.cid))["totalMessages"] == 8

    async def test_keeps_the_moved_parent_head_on_a_preserved_branch(self, api, scene, send):
        await send(scene.cid, "main later")
        old_main = await _path(api, scene.cid, scene.main["id"])

        response = await _merge(api, scene, {"strategy": "replace"})

        assert response.status_code == 200, response.text
        data = response.json()["data"]
        assert data["messages"] == scene.alt_own
        preserved = data["preservedBranch"]
        assert preserved["title"] == f"{scene.main['title']} (before merge)"
        assert preserved["parentBranchId"] == scene.main["id"]
        assert preserved["forkPointMessageId"] == scene.main_path[-1]["id"]
        assert preserved["headMessageId"] == old_main[-1]["id"]
        assert preserved["messageCount"] == 2
        assert await _path(api, scene.cid, preserved["id"]) == old_main
        assert _contents(await _path(api, scene.cid, scene.main["id"])) == MAIN + ALT_OWN
        branches = (await api.client.get(f"/conversations/{scene.cid}/branches")).json()["data"]
        assert preserved["id"] in [b["id"] for b in branches["branches"]]


class TestRefusals:
    @pytest.mark.parametrize("strategy", ["append", "replace", "cherry-pick"])
    async def test_a_stale_expected_parent_head_is_a_conflict_and_writes_nothing(
        self, api, scene, send, strategy
    ):
        stale = scene.main_path[-1]["id"]
        await send(scene.cid, "main later")
        before = await _conversation(api, scene.cid)
        main_before = await _path(api, scene.cid, scene.main["id"])
        body: dict = {"strategy": strategy, "expectedParentHeadMessageId": stale}
        if strategy == "cherry-pick":
            body["messageIds"] = [scene.alt_own[0]["id"]]

        response = await _merge(api, scene, body)

        assert response.status_code == 409, response.text
        assert response.json()["error"] == "CONFLICT"
        after = await _conversation(api, scene.cid)
        assert after["totalMessages"] == before["totalMessages"]
        assert after["branchCount"] == before["branchCount"]
        assert await _path(api, scene.cid, scene.main["id"]) == main_before

        body["expectedParentHeadMessageId"] = main_before[-1]["id"]
        assert (await _merge(api, scene, body)).status_code == 200

    async def test_the_main_branch_has_nothing_to_merge_into(self, api, scene):
        _assert_field(await _merge(api, scene, branch_id=scene.main["id"]), "branchId")

    async def test_an_unknown_strategy_is_a_400(self, api, scene):
        _assert_field(await _merge(api, scene, {"strategy": "squash"}), "strategy")

    async def test_an_unknown_branch_is_a_404(self, api, scene):
        response = await _merge(api, scene, branch_id="br_doesnotexist")
        assert response.status_code == 404, response.text
        assert response.json()["error"] == "NOT_FOUND"

    async def test_another_account_sees_a_404(self, api, scene):
        stranger = api.headers(await api.new_key())

        response = await api.client.post(
            f"/conversations/{scene.cid}/branches/{scene.alt['id']}/merge",
            json={},
            headers=stranger,
        )

        assert response.status_code == 404, response.text
        assert response.json()["error"] == "NOT_FOUND"
        assert _contents(await _path(api, scene.cid, scene.main["id"])) == MAIN

    @pytest.mark.parametrize("busy", ["parent", "merged"])
    async def test_a_branch_generating_a_reply_is_busy(self, api, scene, upstream, busy):
        busy_id = scene.main["id"] if busy == "parent" else scene.alt["id"]
        upstream.clear()
        upstream.enqueue(Fault.delay(1.0))
        generating = asyncio.create_task(
            api.client.post(
                f"/conversations/{scene.cid}/messages",
                json={"content": "slow", "branchId": busy_id},
            )
        )
        for _ in range(200):  # until the upstream holds the request: the lease is taken
            if upstream.requests:
                break
            await asyncio.sleep(0.01)
        assert upstream.requests, "the generation never reached the upstream"

        response = await _merge(api, scene)

        assert response.status_code == 409, response.text
        body = response.json()
        assert body["error"] == "BRANCH_BUSY"
        assert body["details"]["branchId"] == busy_id
        assert int(response.headers["Retry-After"]) > 0
        assert (await generating).status_code == 201
        assert _contents((await _path(api, scene.cid, scene.main["id"]))[:4]) == MAIN
        assert (await _merge(api, scene)).status_code == 200
