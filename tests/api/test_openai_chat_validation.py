"""/v1/chat/completions refuses bad input the way OpenAI does: a 400 in OpenAI's error shape
naming the offending ``param``, before any upstream call; and the other errors of /v1 keep
OpenAI's shape and statuses, while /api/v1 keeps WIRE.md's."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api
from tests.support.mock_upstream import MockUpstream

CHAT = "http://test/v1/chat/completions"
USER = {"role": "user", "content": "hello"}
PNG = "data:image/png;base64,iVBORw0KGgo="
TOOL = {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}

# (what the body has instead of the valid one's fields, the param the 400 names)
BAD_BODIES: list[tuple[dict[str, Any], str]] = [
    ({"model": None}, "model"),
    ({"model": ""}, "model"),
    ({"messages": []}, "messages"),
    ({"messages": "hello"}, "messages"),
    ({"messages": [{"role": "robot", "content": "x"}]}, "messages[0].role"),
    ({"messages": [USER, {"role": "user"}]}, "messages[1].content"),
    ({"messages": [{"role": "user", "content": 5}]}, "messages[0].content"),
    ({"messages": [{"role": "user", "content": []}]}, "messages[0].content"),
    ({"messages": [{"role": "user", "content": "x", "colour": "red"}]}, "messages[0].colour"),
    (
        {"messages": [{"role": "user", "content": [{"type": "audio", "data": "x"}]}]},
        "messages[0].content[0].type",
    ),
    (
        {"messages": [{"role": "system", "content": [{"type": "image_url"}]}]},
        "messages[0].content[0].type",
    ),
    (
        {"messages": [{"role": "user", "content": [{"type": "text", "text": 1}]}]},
        "messages[0].content[0].text",
    ),
    (
        {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]},
        "messages[0].content[0].image_url.url",
    ),
    (
        {
            "messages": [
                {
                    "role": "user",
                    "content": [{"type": "image_url", "image_url": {"url": "ftp://x/y.png"}}],
                }
            ]
        },
        "messages[0].content[0].image_url.url",
    ),
    (
        {
            "messages": [
                {
                    "role": "user",
                    "content": [{"type": "image_url", "image_url": {"url": PNG + "!!"}}],
                }
            ]
        },
        "messages[0].content[0].image_url.url",
    ),
    ({"messages": [USER, {"role": "tool", "content": "42"}]}, "messages[1].tool_call_id"),
    (
        {"messages": [USER, {"role": "assistant", "content": None, "tool_calls": "x"}]},
        "messages[1].tool_calls",
    ),
    (
        {
            "messages": [
                USER,
                {"role": "assistant", "tool_calls": [{"type": "function", "function": {}}]},
            ]
        },
        "messages[1].tool_calls[0].id",
    ),
    ({"temperature": 2.5}, "temperature"),
    ({"temperature": "hot"}, "temperature"),
    ({"top_p": 1.5}, "top_p"),
    ({"max_tokens": 0}, "max_tokens"),
    ({"max_completion_tokens": -1}, "max_completion_tokens"),
    ({"stop": ["a", "b", "c", "d", "e"]}, "stop"),
    ({"stop": 7}, "stop"),
    ({"n": 0}, "n"),
    ({"n": 9}, "n"),
    ({"n": 2, "store": True}, "n"),
    ({"stream": "yes"}, "stream"),
    ({"stream_options": {"include_usage": True}}, "stream_options"),
    ({"stream": True, "stream_options": {"include_usage": 1}}, "stream_options.include_usage"),
    ({"tools": [{"type": "web_search"}]}, "tools[0].type"),
    (
        {"tools": [{"type": "function", "function": {"name": "no spaces"}}]},
        "tools[0].function.name",
    ),
    (
        {"tools": [{"type": "function", "function": {"name": "f", "parameters": []}}]},
        "tools[0].function.parameters",
    ),
    ({"tool_choice": "auto"}, "tool_choice"),
    ({"tools": [TOOL], "tool_choice": "sometimes"}, "tool_choice"),
    (
        {"tools": [TOOL], "tool_choice": {"type": "function", "function": {"name": "other"}}},
        "tool_choice.function.name",
    ),
    ({"response_format": {"type": "yaml"}}, "response_format.type"),
    ({"response_format": {"type": "json_schema"}}, "response_format.json_schema.name"),
    ({"seed": 1.5}, "seed"),
    ({"user": "u" * 300}, "user"),
    ({"metadata": {f"k{i}": "v" for i in range(17)}}, "metadata"),
    ({"metadata": {"k": "v" * 600}}, "metadata.k"),
    ({"metadata": {"k": 1}}, "metadata.k"),
    ({"frequency_penalty": 3}, "frequency_penalty"),
    ({"logprobs": True}, "logprobs"),
    ({"store": True, "messages": [{"role": "user", "content": "a\x00b"}]}, "messages[0].content"),
    ({"functions": []}, "functions"),
]


@pytest.mark.parametrize(("change", "param"), BAD_BODIES, ids=[p for _, p in BAD_BODIES])
async def test_each_bad_field_is_a_400_naming_its_param_before_any_upstream_call(
    api: Api, upstream: MockUpstream, change: dict[str, Any], param: str
):
    body = {"model": "gpt-5", "messages": [USER], **change}

    response = await api.client.post(CHAT, json=body)

    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param
    assert error["message"]
    assert upstream.requests == []


async def test_a_body_that_is_not_json_is_a_400(api: Api, upstream: MockUpstream):
    response = await api.client.post(
        CHAT, content=b"{not json", headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"


async def test_images_to_a_model_without_vision_are_refused(api: Api, upstream: MockUpstream):
    body = {
        "model": "llama-3.3-70b-versatile",
        "messages": [
            {"role": "user", "content": [{"type": "image_url", "image_url": {"url": PNG}}]}
        ],
    }

    response = await api.client.post(CHAT, json=body)

    assert response.status_code == 400
    assert response.json()["error"]["param"] == "messages[0].content[0]"


async def test_tools_to_a_model_that_calls_none_are_refused(api: Api, upstream: MockUpstream):
    body = {"model": "chatroutes-offline", "messages": [USER], "tools": [TOOL]}

    response = await api.client.post(CHAT, json=body)

    assert response.status_code == 400
    assert response.json()["error"]["param"] == "tools"


async def test_an_unknown_model_is_404_model_not_found(api: Api, upstream: MockUpstream):
    response = await api.client.post(CHAT, json={"model": "gpt-0", "messages": [USER]})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "model_not_found"
    assert upstream.requests == []


async def test_a_bad_key_is_401_invalid_api_key(api: Api):
    response = await api.client.post(
        CHAT,
        json={"model": "gpt-5", "messages": [USER]},
        headers={"Authorization": "Bearer cr_prod_sk_" + "0" * 64},
    )

    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "message": response.json()["error"]["message"],
            "type": "invalid_request_error",
            "param": None,
            "code": "invalid_api_key",
        }
    }


async def test_no_credentials_is_401_before_the_body_is_read(api: Api):
    response = await api.client.post(
        CHAT, json={"model": "gpt-5", "messages": [USER]}, headers={"Authorization": ""}
    )

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"


async def test_unknown_paths_and_methods_answer_in_openai_shape(api: Api):
    missing = await api.client.post("http://test/v1/completions", json={})
    wrong_method = await api.client.get(CHAT)

    assert missing.status_code == 404
    assert missing.json()["error"]["type"] == "invalid_request_error"
    assert wrong_method.status_code == 405
    assert set(wrong_method.json()["error"]) == {"message", "type", "param", "code"}


async def test_a_body_over_the_limit_is_413_in_openai_shape(api: Api):
    limit = api.app.state.ctx.settings.max_body_bytes
    body = {"model": "gpt-5", "messages": [{"role": "user", "content": "x" * (limit + 1)}]}

    response = await api.client.post(CHAT, json=body)

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


async def test_api_v1_errors_keep_the_wire_md_shape(api: Api):
    response = await api.client.post("/conversations", json={"title": 5})

    assert response.status_code == 400
    assert response.json()["success"] is False
    assert response.json()["error"] == "VALIDATION_ERROR"
