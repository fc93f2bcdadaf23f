"""``/v1/responses`` and ``/v1/conversations`` in-process on both databases: every field
validated with an OpenAI-shaped 400 naming its ``param`` and nothing stored, another
account's responses and conversations 404, and one tree behind ``/v1`` and ``/api/v1``."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.conftest import Api
from tests.support.mock_upstream import MockUpstream

V1 = "http://test/v1"
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16).decode()


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def _create(api: Api, **body: Any) -> dict[str, Any]:
    response = await api.client.post(f"{V1}/responses", json={"model": "gpt-5", **body})
    assert response.status_code == 200, response.text
    return response.json()


def _sent(upstream: MockUpstream) -> list[dict[str, Any]]:
    return [r.json for r in upstream.requests if r.json and "messages" in r.json]


def _text(response: dict[str, Any]) -> str:
    return "".join(p["text"] for item in response["output"] for p in item["content"])


async def _conversation_count(api: Api) -> int:
    listed = await api.client.get("/conversations")
    return listed.json()["data"]["total"]


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({}, "input"),
        ({"input": []}, "input"),
        ({"input": 5}, "input"),
        ({"input": ""}, "input"),
        ({"input": "x" * 100_001}, "input"),
        ({"input": [{"role": "robot", "content": "x"}]}, "input[0].role"),
        ({"input": [{"role": "user", "content": []}]}, "input[0].content"),
        ({"input": [{"role": "user", "content": 7}]}, "input[0].content"),
        (
            {"input": [{"role": "user", "content": [{"type": "input_audio", "data": "x"}]}]},
            "input[0].content[0].type",
        ),
        (
            {"input": [{"role": "user", "content": [{"type": "input_text", "text": 3}]}]},
            "input[0].content[0].text",
        ),
        (
            {
                "input": [
                    {
                        "role": "user",
                        "content": [
                            {"type": "input_text", "text": "look"},
                            {"type": "input_image", "image_url": "https://example.com/a.png"},
                        ],
                    }
                ]
            },
            "input[0].content[1].image_url",
        ),
        (
            {
                "input": [
                    {
                        "role": "user",
                        "content": [
                            {"type": "input_text", "text": "look"},
                            {"type": "input_image", "image_url": "data:image/tiff;base64,AAAA"},
                        ],
                    }
                ]
            },
            "input[0].content[1].image_url",
        ),
        (
            {"input": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]},
            "input[1].role",
        ),
        (
            {"input": [{"type": "function_call_output", "call_id": "c", "output": "o"}]},
            "input[0].type",
        ),
        ({"input": [{"role": "user", "content": "a", "name": "n"}]}, "input[0].name"),
        ({"input": "hi", "model": "no-such-model"}, "model"),
        ({"input": "hi", "model": 5}, "model"),
        ({"input": "hi", "temperature": 2.5}, "temperature"),
        ({"input": "hi", "temperature": "hot"}, "temperature"),
        ({"input": "hi", "top_p": 1.5}, "top_p"),
        ({"input": "hi", "max_output_tokens": 8}, "max_output_tokens"),
        ({"input": "hi", "instructions": 5}, "instructions"),
        ({"input": "hi", "metadata": {"k": 5}}, "metadata.k"),
        ({"input": "hi", "metadata": {f"k{i}": "v" for i in range(17)}}, "metadata"),
        ({"input": "hi", "metadata": {"k": "v" * 513}}, "metadata.k"),
        ({"input": "hi", "conversation": 5}, "conversation"),
        ({"input": "hi", "conversation": {"id": ""}}, "conversation.id"),
        (
            {"input": "hi", "conversation": "conv_x", "previous_response_id": "resp_x"},
            "previous_response_id",
        ),
        ({"input": "hi", "previous_response_id": "msg_x"}, "previous_response_id"),
        ({"input": "hi", "store": False, "background": True}, "background"),
        ({"input": "hi", "store": "no"}, "store"),
        ({"input": "hi", "stream": "yes"}, "stream"),
        ({"input": "hi", "background": 1}, "background"),
        ({"input": "hi", "tools": [{"type": "web_search"}]}, "tools"),
        ({"input": "hi", "tool_choice": "required"}, "tool_choice"),
        ({"input": "hi", "text": {"format": {"type": "json_object"}}}, "text.format.type"),
        ({"input": "hi", "truncation": "disabled"}, "truncation"),
        ({"input": "hi", "frequency_penalty": 1}, "frequency_penalty"),
    ],
)
async def test_each_bad_field_is_a_400_naming_it_and_stores_nothing(
    api: Api, body: dict[str, Any], param: str
) -> None:
    response = await api.client.post(f"{V1}/responses", json=body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param, error
    assert await _conversation_count(api) == 0


async def test_an_image_reaches_a_vision_model_and_stays_with_its_message(
    api: Api, upstream: MockUpstream
) -> None:
    image = f"data:image/png;base64,{PNG}"
    response = await _create(
        api,
        input=[
            {
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "What is this?"},
                    {"type": "input_image", "image_url": image},
                ],
            }
        ],
    )
    [call] = [r.json for r in upstream.requests if r.json and "messages" in r.json]
    parts = call["messages"][-1]["content"]
    assert {"type": "text", "text": "What is this?"} in parts
    assert any(p.get("image_url", {}).get("url") == image for p in parts)
    items = await api.client.get(f"{V1}/responses/{response['id']}/input_items")
    [item] = items.json()["data"]
    assert item["content"][1] == {"type": "input_image", "image_url": image, "detail": "auto"}
    # and it goes with its message on the next turn
    await _create(api, input="And now?", previous_response_id=response["id"])
    later = [r.json for r in upstream.requests if r.json and "messages" in r.json][-1]
    assert any(
        isinstance(m["content"], list) and any("image_url" in p for p in m["content"])
        for m in later["messages"]
    )


async def test_an_image_for_a_model_without_vision_is_refused(api: Api) -> None:
    response = await api.client.post(
        f"{V1}/responses",
        json={
            "model": "llama-3.3-70b-versatile",
            "input": [
                {
                    "role": "user",
                    "content": [
                        {"type": "input_text", "text": "look"},
                        {"type": "input_image", "image_url": f"data:image/png;base64,{PNG}"},
                    ],
                }
            ],
        },
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == "input[0].content"
    assert await _conversation_count(api) == 0


async def test_settings_metadata_and_limits_reach_the_response_and_the_model(
    api: Api, upstream: MockUpstream
) -> None:
    response = await _create(
        api,
        input="one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen",
        temperature=0.2,
        top_p=0.5,
        max_output_tokens=16,
        metadata={"ticket": "T-1"},
    )
    assert response["temperature"] == 0.2 and response["max_output_tokens"] == 16
    assert response["top_p"] == 0.5
    assert response["metadata"] == {"ticket": "T-1"}
    assert response["status"] == "incomplete"
    assert response["incomplete_details"] == {"reason": "max_output_tokens"}
    [call] = [r.json for r in upstream.requests if r.json and "messages" in r.json]
    assert call["temperature"] == 0.2 and call["top_p"] == 0.5
    assert (call.get("max_completion_tokens") or call.get("max_tokens")) == 16
    again = await api.client.get(f"{V1}/responses/{response['id']}")
    assert again.json() == response


async def _totals(api: Api) -> dict[str, int]:
    return (await api.client.get("/usage")).json()["data"]["totals"]


async def test_each_response_is_metered_in_api_v1_usage(api: Api) -> None:
    before = await _totals(api)
    response = await _create(api, input="Count me")
    after = await _totals(api)
    usage = response["usage"]
    assert after["promptTokens"] - before["promptTokens"] == usage["input_tokens"] > 0
    assert after["completionTokens"] - before["completionTokens"] == usage["output_tokens"] > 0
    assert after["calls"] - before["calls"] == 1


async def test_store_false_keeps_nothing_but_counts_its_usage(api: Api) -> None:
    before = await _totals(api)
    response = await _create(api, input="Not kept", store=False)
    assert response["store"] is False and _text(response) == "Echo: Not kept"
    missing = await api.client.get(f"{V1}/responses/{response['id']}")
    assert missing.status_code == 404
    assert await _conversation_count(api) == 0
    after = await _totals(api)
    assert after["totalTokens"] - before["totalTokens"] == response["usage"]["total_tokens"]
    assert after["calls"] - before["calls"] == 1


async def test_store_false_continues_a_response_and_leaves_no_trace_of_itself(
    api: Api, upstream: MockUpstream
) -> None:
    kept = await _create(api, input="Kept question")
    aside = await _create(
        api, input="Passing question", previous_response_id=kept["id"], store=False
    )
    assert aside["conversation"] == kept["conversation"] and aside["store"] is False
    assert [m["content"] for m in _sent(upstream)[-1]["messages"]] == [
        "Kept question",
        "Echo: Kept question",
        "Passing question",
    ]
    assert (await api.client.get(f"{V1}/responses/{aside['id']}")).status_code == 404
    items = await api.client.get(f"{V1}/conversations/{kept['conversation']['id']}/items")
    assert [i["content"][0]["text"] for i in items.json()["data"]] == [
        "Echo: Kept question",
        "Kept question",
    ]
    await _create(api, input="Next question", previous_response_id=kept["id"])
    assert "Passing question" not in [m["content"] for m in _sent(upstream)[-1]["messages"]]


async def test_a_reply_sent_through_api_v1_is_a_response_of_the_same_tree(
    api: Api, upstream: MockUpstream, create_conversation: Any
) -> None:
    conversation = await create_conversation()
    sent = await api.client.post(
        f"/conversations/{conversation['id']}/messages", json={"content": "From api v1"}
    )
    assert sent.status_code == 201, sent.text
    reply_id = sent.json()["data"]["assistantMessage"]["id"]
    response_id = "resp_" + reply_id.removeprefix("msg_")
    found = await api.client.get(f"{V1}/responses/{response_id}")
    assert found.status_code == 200, found.text
    assert found.json()["conversation"] == {"id": conversation["id"]}
    assert _text(found.json()) == "Echo: From api v1"
    follow = await _create(api, input="From v1", previous_response_id=response_id)
    assert follow["conversation"] == {"id": conversation["id"]}
    openai_view = await api.client.get(f"{V1}/conversations/{conversation['id']}/items")
    newest = openai_view.json()["data"][0]
    assert newest["id"] == follow["output"][0]["id"]
    path = await api.client.get(f"/conversations/{conversation['id']}")
    assert [m["content"] for m in path.json()["data"]["conversation"]["messages"]] == [
        "From api v1",
        "Echo: From api v1",
        "From v1",
        "Echo: From v1",
    ]


@pytest.mark.parametrize(
    ("method", "path", "body", "param"),
    [
        ("POST", "/conversations", {"items": [{"role": "robot", "content": "x"}]}, "items[0].role"),
        ("POST", "/conversations", {"items": "hello"}, "items"),
        ("POST", "/conversations", {"metadata": {"k": 1}}, "metadata.k"),
        ("POST", "/conversations", {"title": "x"}, "title"),
        ("POST", "/conversations/{id}", {}, "metadata"),
        ("POST", "/conversations/{id}/items", {"items": []}, "items"),
        (
            "POST",
            "/conversations/{id}/items",
            {"items": [{"role": "user", "content": "x"}] * 21},
            "items",
        ),
        ("GET", "/conversations/{id}/items?limit=0", None, "limit"),
        ("GET", "/conversations/{id}/items?limit=101", None, "limit"),
        ("GET", "/conversations/{id}/items?order=sideways", None, "order"),
        ("GET", "/conversations/{id}/items?after=msg_nothere", None, "after"),
        ("GET", "/conversations/{id}/items?include=file_search_call.results", None, "include"),
    ],
)
async def test_conversation_fields_are_validated_with_their_param(
    api: Api, method: str, path: str, body: dict[str, Any] | None, param: str
) -> None:
    made = await api.client.post(f"{V1}/conversations", json={})
    assert made.status_code == 200, made.text
    before = await _conversation_count(api)
    url = V1 + path.replace("{id}", made.json()["id"])
    response = await api.client.request(method, url, json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param
    assert await _conversation_count(api) == before


async def test_a_conversation_made_at_api_v1_is_an_openai_conversation(
    api: Api, create_conversation: Any
) -> None:
    conversation = await create_conversation()
    await api.client.post(
        f"/conversations/{conversation['id']}/messages", json={"content": "Hello"}
    )
    found = await api.client.get(f"{V1}/conversations/{conversation['id']}")
    assert found.json()["id"] == conversation["id"] and found.json()["metadata"] == {}
    items = await api.client.get(f"{V1}/conversations/{conversation['id']}/items?order=asc")
    assert [(i["role"], i["content"][0]["text"]) for i in items.json()["data"]] == [
        ("user", "Hello"),
        ("assistant", "Echo: Hello"),
    ]
    deleted = await api.client.delete(
        f"{V1}/conversations/{conversation['id']}/items/{items.json()['data'][1]['id']}"
    )
    assert deleted.json()["id"] == conversation["id"]
    path = await api.client.get(f"/conversations/{conversation['id']}")
    assert [m["content"] for m in path.json()["data"]["conversation"]["messages"]] == ["Hello"]


async def test_another_accounts_responses_and_conversations_are_404(api: Api) -> None:
    mine = await _create(api, input="Mine", background=False)
    conversation = (
        await api.client.post(
            f"{V1}/conversations", json={"items": [{"role": "user", "content": "Mine too"}]}
        )
    ).json()
    item_id = (await api.client.get(f"{V1}/conversations/{conversation['id']}/items")).json()[
        "data"
    ][0]["id"]
    other = _bearer(await api.new_key())
    attempts = [
        ("GET", f"/responses/{mine['id']}", None),
        ("GET", f"/responses/{mine['id']}?stream=true", None),
        ("GET", f"/responses/{mine['id']}/input_items", None),
        ("POST", f"/responses/{mine['id']}/cancel", None),
        ("DELETE", f"/responses/{mine['id']}", None),
        ("POST", "/responses", {"input": "x", "previous_response_id": mine["id"]}),
        ("POST", "/responses", {"input": "x", "conversation": conversation["id"]}),
        ("POST", "/responses", {"input": "x", "conversation": mine["conversation"]["id"]}),
        ("GET", f"/conversations/{conversation['id']}", None),
        ("POST", f"/conversations/{conversation['id']}", {"metadata": {"a": "b"}}),
        ("DELETE", f"/conversations/{conversation['id']}", None),
        ("GET", f"/conversations/{conversation['id']}/items", None),
        (
            "POST",
            f"/conversations/{conversation['id']}/items",
            {"items": [{"role": "user", "content": "x"}]},
        ),
        ("GET", f"/conversations/{conversation['id']}/items/{item_id}", None),
        ("DELETE", f"/conversations/{conversation['id']}/items/{item_id}", None),
        ("GET", "/responses/resp_doesnotexist", None),
    ]
    for method, path, body in attempts:
        response = await api.client.request(method, V1 + path, json=body, headers=other)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["error"]["type"] == "invalid_request_error"
    # nothing of the owner's changed
    assert (await api.client.get(f"{V1}/responses/{mine['id']}")).json() == mine
    items = await api.client.get(f"{V1}/conversations/{conversation['id']}/items")
    assert [i["id"] for i in items.json()["data"]] == [item_id]
    assert (await api.client.get(f"{V1}/conversations/{conversation['id']}")).json() == {
        **conversation
    }


async def test_a_response_of_a_deleted_conversation_is_gone(api: Api) -> None:
    response = await _create(api, input="Soon gone")
    deleted = await api.client.delete(f"{V1}/conversations/{response['conversation']['id']}")
    assert deleted.json() == {
        "id": response["conversation"]["id"],
        "object": "conversation.deleted",
        "deleted": True,
    }
    assert (await api.client.get(f"{V1}/responses/{response['id']}")).status_code == 404


async def test_a_guest_session_is_refused_with_403(api: Api) -> None:
    guest = await api.client.post("/auth/guest", headers={"Authorization": ""})
    assert guest.status_code == 201, guest.text
    as_guest = _bearer(guest.json()["data"]["tokens"]["accessToken"])
    for method, path, body in [
        ("POST", "/responses", {"model": "gpt-5", "input": "hi"}),
        ("POST", "/conversations", {}),
    ]:
        response = await api.client.request(method, V1 + path, json=body, headers=as_guest)
        assert response.status_code == 403, response.text
        assert response.json()["error"]["type"] == "permission_error"


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"input": "hi", "model": "gpt\u0000"}, "model"),
        ({"input": "hi", "previous_response_id": "resp_\u0000"}, "previous_response_id"),
        ({"input": "hi", "conversation": "conv_\u0000"}, "conversation"),
        ({"input": "hi", "instructions": "be\u0000"}, "instructions"),
        ({"input": "a\u0000"}, "input"),
    ],
)
async def test_nul_characters_are_refused_on_both_databases(
    api: Api, body: dict[str, Any], param: str
) -> None:
    response = await api.client.post(f"{V1}/responses", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param


async def test_earlier_input_items_after_an_older_response_fork_the_tree(
    api: Api, upstream: MockUpstream
) -> None:
    first = await _create(api, input="First question")
    await _create(api, input="Second question", previous_response_id=first["id"])
    forked = await _create(
        api,
        input=[
            {"role": "user", "content": "An aside"},
            {"role": "assistant", "content": "Noted"},
            {"role": "user", "content": "Fork question"},
        ],
        previous_response_id=first["id"],
    )
    assert forked["conversation"] == first["conversation"]
    assert [m["content"] for m in _sent(upstream)[-1]["messages"]] == [
        "First question",
        "Echo: First question",
        "An aside",
        "Noted",
        "Fork question",
    ]
    conversation_id = first["conversation"]["id"]
    branches = await api.client.get(f"/conversations/{conversation_id}/branches")
    [fork] = [b for b in branches.json()["data"]["branches"] if not b["isMain"]]
    assert fork["forkPointMessageId"] == first["output"][0]["id"]
    assert fork["headMessageId"] == forked["output"][0]["id"]
