"""What the OpenAPI fuzzer (test_fuzz_openapi.py) found, pinned down, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from chatroutes.server.app import create_app
from chatroutes.server.settings import Settings


@pytest.fixture(scope="module")
async def openapi(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """/openapi.json as served (no backend needed: it touches no database)."""
    data_dir = tmp_path_factory.mktemp("openapi")
    app = create_app(Settings(data_dir=data_dir, secret_key="test-secret-at-least-32-bytes-long"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/openapi.json")
    await app.state.ctx.http.aclose()
    await app.state.ctx.db.dispose()
    assert response.status_code == 200
    return response.json()


async def test_a_page_past_a_64_bit_offset_is_a_400_not_a_server_error(api):
    response = await api.client.get("/conversations", params={"page": 18033599849821609394176})
    assert response.status_code == 400
    assert response.json()["details"]["field"] == "page"
    assert (await api.client.get("/conversations", params={"page": 1_000_000})).status_code == 200


async def test_openapi_declares_the_wire_errors_not_fastapis_422(openapi):
    schema = openapi
    operation = schema["paths"]["/api/v1/conversations/{conversation_id}"]["patch"]
    assert "422" not in operation["responses"]
    for status in ("400", "401", "404", "413", "429"):
        content = operation["responses"][status]["content"]
        assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    assert operation["security"], "routes that need a key say so"
    assert "security" not in schema["paths"]["/api/v1/health"]["get"]


async def test_a_last_event_id_with_a_non_ascii_digit_is_a_400_not_a_server_error(
    api, create_conversation
):
    cid = (await create_conversation())["id"]
    response = await api.client.post(
        f"/conversations/{cid}/messages/stream",
        json={"content": "x"},
        # b"\xb2" reads as "²" (latin-1): "²".isdigit(), but int("²") raises.
        headers={"Last-Event-ID": b"msg_x:\xb2"},
    )
    assert response.status_code == 400
    assert response.json()["details"]["field"] == "Last-Event-ID"


async def test_openapi_documents_what_the_routes_really_answer(openapi):
    schema = openapi
    paths = schema["paths"]
    # The stream is described event by event (OpenAPI 3.2 itemSchema), [DONE] included.
    stream = paths["/api/v1/conversations/{conversation_id}/messages/stream"]["post"]
    event = stream["responses"]["200"]["content"]["text/event-stream"]["itemSchema"]
    assert event["properties"]["data"]["anyOf"][0] == {"const": "[DONE]"}
    assert "ContentEvent" in schema["components"]["schemas"]
    # The Chat API answers 404 for a conversation id nobody has.
    assert "404" in paths["/api/chat"]["post"]["responses"]
    # Enumerations the server enforces are in the schema, so clients (and fuzzers) know them.
    [timeframe] = paths["/api/v1/usage"]["get"]["parameters"]
    assert timeframe["schema"]["enum"] == ["today", "week", "month", "all"]
    page = paths["/api/v1/conversations"]["get"]["parameters"][0]["schema"]
    assert page["maximum"] == 1_000_000


async def test_the_chat_api_answers_404_for_an_unknown_conversation(api):
    response = await api.client.post(
        "http://test/api/chat", json={"message": "hi", "conversationId": "conv_nobody"}
    )
    assert response.status_code == 404
    assert response.json()["error"] == "NOT_FOUND"


async def test_every_success_declares_its_body(openapi):
    """A route without ``response_model`` documents ``{}``: anything would conform."""
    schema = openapi
    undeclared = [
        f"{method.upper()} {path} {status} {media}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        for status, response in operation["responses"].items()
        if status.startswith("2")
        for media, content in response.get("content", {}).items()
        if media == "application/json" and not content.get("schema")
    ]
    assert not undeclared


async def test_a_nul_in_the_chat_channel_filter_is_a_400_not_a_server_error(api):
    # PostgreSQL text cannot hold NUL: the query used to fail there with a 500.
    response = await api.client.get("http://test/api/chat/conversations?channel=a%00b")
    assert response.status_code == 400
    assert response.json()["details"]["field"] == "channel"
