"""The MCP server, driven by the official ``mcp`` package's client.

Over stdio (a real ``chatroutes mcp`` process on the database of a running
``chatroutes serve``) and over streamable HTTP (that server's ``/mcp``), providers at the
mock upstream. What the tools do is checked through ``/api/v1``: one store, one account.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp_types import CallToolResult, TextContent

from tests.e2e.conftest import CLI, LiveServer
from tests.support.mock_upstream import count_tokens

pytestmark = [pytest.mark.e2e, pytest.mark.long]

TRANSPORTS = ["stdio", "http"]
TOOLS = {
    "list_conversations",
    "search_conversations",
    "create_conversation",
    "read_branch",
    "send_message",
    "fork",
    "list_branches",
    "create_checkpoint",
    "recreate_checkpoint",
    "read_usage",
}
WRONG_KEY = "cr_prod_sk_" + "0" * 64


@asynccontextmanager
async def connected(server: LiveServer, transport: str, key: str) -> AsyncIterator[Client]:
    """An MCP client acting for ``key``: a ``chatroutes mcp`` child, or ``/mcp``."""
    if transport == "stdio":
        params = StdioServerParameters(
            command=CLI[0],
            args=[*CLI[1:], "mcp"],
            env={**server.env, "CHATROUTES_API_KEY": key},
            cwd=server.workdir,
        )
        with (server.workdir / "mcp-stderr.log").open("a") as errlog:
            async with Client(stdio_client(params, errlog=errlog)) as client:
                yield client
        return
    headers = {"Authorization": f"Bearer {key}"}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=60) as http,
        Client(streamable_http_client(server.url + "/mcp", http_client=http)) as client,
    ):
        yield client


def _api(server: LiveServer, key: str) -> httpx.AsyncClient:
    """``/api/v1`` as ``key``'s holder."""
    return httpx.AsyncClient(
        base_url=server.api_url, headers={"Authorization": f"ApiKey {key}"}, timeout=30
    )


async def _read(server: LiveServer, key: str, path: str, **params: str) -> dict[str, Any]:
    """``data`` of a GET on ``/api/v1``."""
    async with _api(server, key) as api:
        answer = await api.get(path, params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]


async def _conversation(server: LiveServer, key: str, title: str = "MCP notes") -> str:
    async with _api(server, key) as api:
        created = await api.post("/conversations", json={"title": title})
    assert created.status_code == 201, created.text
    return created.json()["data"]["conversation"]["id"]


def _data(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, _text(result)
    assert isinstance(result.structured_content, dict), result
    return result.structured_content


def _text(result: CallToolResult) -> str:
    return "".join(block.text for block in result.content if isinstance(block, TextContent))


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_client_lists_the_tools_and_sends_with_progress_and_forks(
    live_server: LiveServer, transport: str
) -> None:
    key = live_server.new_account()
    conversation_id = await _conversation(live_server, key)
    question = "Which rivers cross Lyon and where do they meet"
    progress: list[tuple[float, str | None]] = []

    async def on_progress(value: float, _total: float | None, message: str | None) -> None:
        progress.append((value, message))

    async with connected(live_server, transport, key) as client:
        listed = await client.list_tools()
        assert {tool.name for tool in listed.tools} == TOOLS
        sent = _data(
            await client.call_tool(
                "send_message",
                {"conversation_id": conversation_id, "content": question},
                progress_callback=on_progress,
            )
        )
        reply = sent["assistantMessage"]
        assert reply["content"] == f"Echo: {question}"
        # The reply streamed: several notifications, growing, whose texts make up the reply.
        assert len(progress) > 1
        assert [value for value, _ in progress] == sorted({value for value, _ in progress})
        assert "".join(message or "" for _, message in progress) == reply["content"]

        forked = _data(
            await client.call_tool(
                "fork",
                {
                    "conversation_id": conversation_id,
                    "message_id": sent["userMessage"]["id"],
                    "title": "Another angle",
                    "context_mode": "PARTIAL",
                },
            )
        )["branch"]
        assert forked["forkPointMessageId"] == sent["userMessage"]["id"]
        assert forked["contextMode"] == "PARTIAL"
        branches = _data(
            await client.call_tool("list_branches", {"conversation_id": conversation_id})
        )["branches"]
        assert {b["id"] for b in branches} == {sent["branchId"], forked["id"]}
        path = _data(
            await client.call_tool(
                "read_branch", {"conversation_id": conversation_id, "branch_id": forked["id"]}
            )
        )["messages"]
        assert [m["id"] for m in path] == [sent["userMessage"]["id"]]

    # The reply is stored: /api/v1 sees it on the branch, and the fork beside it.
    branch_path = f"/conversations/{conversation_id}/branches/{sent['branchId']}/messages"
    messages = (await _read(live_server, key, branch_path))["messages"]
    listed_branches = await _read(live_server, key, f"/conversations/{conversation_id}/branches")
    assert [(m["role"], m["content"]) for m in messages] == [
        ("user", question),
        ("assistant", f"Echo: {question}"),
    ]
    assert messages[1]["id"] == reply["id"]
    assert forked["id"] in {b["id"] for b in listed_branches["branches"]}


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_usage_shows_the_send_metered(live_server: LiveServer, transport: str) -> None:
    key = live_server.new_account()
    conversation_id = await _conversation(live_server, key)
    question = "Count these words for the meter"
    async with connected(live_server, transport, key) as client:
        before = _data(await client.call_tool("read_usage", {"timeframe": "today"}))
        sent = _data(
            await client.call_tool(
                "send_message", {"conversation_id": conversation_id, "content": question}
            )
        )
        after = _data(await client.call_tool("read_usage", {"timeframe": "today"}))

    completion = count_tokens(f"Echo: {question}")
    assert sent["usage"]["completionTokens"] == completion
    assert before["totals"]["calls"] == 0
    assert after["totals"]["calls"] == 1
    assert after["totals"]["completionTokens"] == completion
    assert after["totals"]["promptTokens"] == sent["usage"]["promptTokens"] > 0
    over_http = await _read(live_server, key, "/usage", timeframe="today")
    assert over_http["totals"] == after["totals"]


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_another_accounts_conversation_is_not_found(
    live_server: LiveServer, transport: str
) -> None:
    owner = live_server.new_account()
    theirs = await _conversation(live_server, owner, "Private plans")
    async with connected(live_server, transport, live_server.other_key) as client:
        for tool, arguments in [
            ("read_branch", {"conversation_id": theirs}),
            ("list_branches", {"conversation_id": theirs}),
            ("send_message", {"conversation_id": theirs, "content": "Let me in"}),
        ]:
            result = await client.call_tool(tool, arguments)
            assert result.is_error, tool
            error = json.loads(_text(result))
            assert error["error"] == "NOT_FOUND", (tool, error)
        searched = _data(await client.call_tool("search_conversations", {"query": "Private"}))
        assert searched["conversations"] == []
        with pytest.raises(Exception, match="not found"):
            await client.read_resource(f"chatroutes://conversations/{theirs}")
    stored = await _read(live_server, owner, f"/conversations/{theirs}")
    assert stored["conversation"]["messages"] == []  # nothing was sent to it


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_bad_arguments_are_tool_errors_naming_the_field(
    live_server: LiveServer, transport: str
) -> None:
    key = live_server.new_account()
    conversation_id = await _conversation(live_server, key)
    async with connected(live_server, transport, key) as client:
        empty = await client.call_tool(
            "send_message", {"conversation_id": conversation_id, "content": ""}
        )
        hot = await client.call_tool(
            "send_message",
            {"conversation_id": conversation_id, "content": "Hi", "temperature": 7},
        )
        mode = await client.call_tool(
            "fork",
            {"conversation_id": conversation_id, "message_id": "msg_x", "context_mode": "MOST"},
        )
    for result, field in [(empty, "content"), (hot, "temperature")]:
        assert result.is_error
        error = json.loads(_text(result))
        assert error["error"] == "VALIDATION_ERROR"
        assert error["details"]["field"] == field
        assert error["message"].startswith(f"{field}: ")
    assert mode.is_error
    assert "context_mode" in _text(mode)
    stored = await _read(live_server, key, f"/conversations/{conversation_id}")
    assert stored["conversation"]["messages"] == []  # nothing half-written


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_resources_hold_a_conversation_and_a_branch(
    live_server: LiveServer, transport: str
) -> None:
    key = live_server.new_account()
    conversation_id = await _conversation(live_server, key, "Resource reading")
    async with connected(live_server, transport, key) as client:
        sent = _data(
            await client.call_tool(
                "send_message", {"conversation_id": conversation_id, "content": "Hello there"}
            )
        )
        conversation = await client.read_resource(f"chatroutes://conversations/{conversation_id}")
        branch = await client.read_resource(
            f"chatroutes://conversations/{conversation_id}/branches/{sent['branchId']}"
        )
    whole = json.loads(conversation.contents[0].text)["conversation"]
    assert whole["title"] == "Resource reading"
    assert [m["content"] for m in whole["messages"]] == ["Hello there", "Echo: Hello there"]
    path = json.loads(branch.contents[0].text)
    assert path["branch"]["id"] == sent["branchId"]
    assert [m["id"] for m in path["messages"]] == [
        sent["userMessage"]["id"],
        sent["assistantMessage"]["id"],
    ]


async def test_checkpoints_search_and_listing_through_the_tools(live_server: LiveServer) -> None:
    key = live_server.new_account()
    conversation_id = await _conversation(live_server, key, "Kayak routes on the Rhone")
    await _conversation(live_server, key, "Bread recipes")
    async with connected(live_server, "http", key) as client:
        sent = _data(
            await client.call_tool(
                "send_message",
                {"conversation_id": conversation_id, "content": "Plan a two-day kayak trip"},
            )
        )
        checkpoint = _data(
            await client.call_tool(
                "create_checkpoint",
                {
                    "conversation_id": conversation_id,
                    "branch_id": sent["branchId"],
                    "anchor_message_id": sent["assistantMessage"]["id"],
                },
            )
        )["checkpoint"]
        misplaced = await client.call_tool(
            "create_checkpoint",
            {
                "conversation_id": conversation_id,
                "branch_id": sent["branchId"],
                "anchor_message_id": "msg_nowhere",
            },
        )
        recreated = _data(
            await client.call_tool("recreate_checkpoint", {"checkpoint_id": checkpoint["id"]})
        )
        found = _data(await client.call_tool("search_conversations", {"query": "KAYAK"}))
        said = _data(await client.call_tool("search_conversations", {"query": "TWO-day"}))
        titled = _data(
            await client.call_tool(
                "search_conversations", {"query": "two-day", "in_messages": False}
            )
        )
        everything = _data(await client.call_tool("list_conversations", {"limit": 1}))

    assert checkpoint["anchorMessageId"] == sent["assistantMessage"]["id"]
    assert misplaced.is_error
    assert json.loads(_text(misplaced))["details"]["field"] == "anchor_message_id"
    assert recreated["branch"]["forkPointMessageId"] == sent["assistantMessage"]["id"]
    listed = await _read(live_server, key, f"/conversations/{conversation_id}/branches")
    assert recreated["branch"]["id"] in {b["id"] for b in listed["branches"]}
    assert [c["id"] for c in found["conversations"]] == [conversation_id]
    assert [c["id"] for c in said["conversations"]] == [conversation_id]  # in a message
    assert titled["conversations"] == []
    assert (everything["total"], len(everything["conversations"]), everything["hasNext"]) == (
        2,
        1,
        True,
    )


async def test_http_refuses_a_request_without_a_valid_api_key(live_server: LiveServer) -> None:
    initialize = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "test", "version": "1"},
        },
    }
    accept = {"Accept": "application/json, text/event-stream"}
    for headers in [{}, {"Authorization": f"Bearer {WRONG_KEY}"}, {"X-API-Key": "nonsense"}]:
        async with httpx.AsyncClient(timeout=10) as http:
            refused = await http.post(
                live_server.url + "/mcp", json=initialize, headers={**accept, **headers}
            )
        assert refused.status_code == 401, refused.text
        body = refused.json()
        assert body["success"] is False
        assert body["error"] == "AUTHENTICATION_ERROR"
    with pytest.raises(ExceptionGroup) as refused_client:
        async with connected(live_server, "http", WRONG_KEY) as client:
            await client.list_tools()
    assert refused_client.group_contains(MCPError, depth=None)


async def test_stdio_admits_the_key_on_every_call_so_a_revoked_key_stops_working(
    live_server: LiveServer,
) -> None:
    key = live_server.new_account()
    async with connected(live_server, "stdio", key) as client:
        _data(await client.call_tool("list_conversations", {}))
        [own] = (await _read(live_server, key, "/api-keys"))["apiKeys"]
        async with _api(live_server, key) as api:
            assert (await api.delete(f"/api-keys/{own['id']}")).status_code == 200
        refused = await client.call_tool("list_conversations", {})
    assert refused.is_error
    assert json.loads(_text(refused))["error"] == "AUTHENTICATION_ERROR"


def test_stdio_refuses_to_start_without_a_valid_api_key(live_server: LiveServer) -> None:
    for key, code, said in [(None, 2, "API key is needed"), (WRONG_KEY, 1, "API key")]:
        env = {**live_server.env}
        if key is not None:
            env["CHATROUTES_API_KEY"] = key
        done = subprocess.run(
            [*CLI, "mcp"],
            env=env,
            cwd=live_server.workdir,
            input="",
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == code, done.stderr
        assert said in done.stderr
        assert done.stdout == ""  # stdout is the MCP channel: nothing else on it
