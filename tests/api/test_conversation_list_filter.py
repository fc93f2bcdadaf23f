"""``GET /conversations?filter=owned|all``: the official SDKs' list filter.

Conversations are never shared between accounts, so both list the caller's own (and
never another account's); anything else is a 400 naming ``filter``.
"""

from __future__ import annotations

import pytest


async def _titles(api, **params: str) -> list[str]:
    response = await api.client.get("/conversations", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == body["data"]["total"]
    return [c["title"] for c in body["data"]["conversations"]]


@pytest.mark.parametrize("scope", ["owned", "all"])
async def test_owned_and_all_list_the_callers_conversations_only(api, create_conversation, scope):
    await create_conversation(title="mine one")
    await create_conversation(title="mine two")
    stranger = api.headers(await api.new_key())
    await api.client.post("/conversations", json={"title": "theirs"}, headers=stranger)
    assert sorted(await _titles(api, filter=scope)) == ["mine one", "mine two"]
    assert await _titles(api, filter=scope) == await _titles(api)


async def test_filter_works_with_paging_and_search(api, create_conversation):
    for title in ("alpha", "beta", "alphabet"):
        await create_conversation(title=title)
    assert sorted(await _titles(api, filter="owned", search="alpha")) == ["alpha", "alphabet"]
    assert len(await _titles(api, filter="all", limit="2")) == 2
    assert len(await _titles(api, filter="owned", limit="2", page="2")) == 1


@pytest.mark.parametrize("value", ["shared", "mine", "", "ALL"])
async def test_another_filter_is_a_400_naming_filter(api, value):
    response = await api.client.get("/conversations", params={"filter": value})
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "VALIDATION_ERROR" and body["details"]["field"] == "filter"
    assert "owned" in body["message"] and "all" in body["message"]
