"""The Chat API (/api/chat) over HTTP: one call per turn on the /api/v1 conversation store."""

from __future__ import annotations

import base64
import dataclasses

import httpx
import pytest

from chatroutes.server.providers.registry import Registry, load_registry_data
from tests.conftest import client_for, provider_env
from tests.support.fake_search import BRAVE_KEY, FakeSearch
from tests.support.mock_upstream import Fault
from tests.support.sse import payloads

CHAT = "http://test/api/chat"

# chat provider name → (the upstream model id it reaches, the wire protocol)
PROVIDERS = {
    "openai": ("gpt-5", "openai"),
    "claude": ("claude-sonnet-4-5", "anthropic"),
    "google": ("gemini-2.5-flash", "openai"),
    "groq": ("llama-3.3-70b-versatile", "openai"),
    "openrouter": ("anthropic/claude-sonnet-4.5", "openai"),
    "ollama": ("llama3.2", "openai"),
}


@pytest.fixture
def settings(settings, upstream, tmp_path):
    """Every chat provider points at the mock; gpt-5 falls back to Claude."""
    models = tmp_path / "models.toml"
    models.write_text(
        '[providers.ollama]\napi_key = "test-key"\n\n'
        '[models.gpt-5]\nfallbacks = ["claude-sonnet-4-5"]\n'
    )
    env = dict(provider_env(upstream))
    for name in ("GEMINI", "GROQ", "OPENROUTER"):
        env[f"{name}_API_KEY"] = "test-key"
        env[f"{name}_BASE_URL"] = upstream.openai_base_url
    env["OLLAMA_HOST"] = upstream.url
    return settings.model_copy(
        update={
            "provider_env": env,
            "models_file": models,
            "upstream_retry_budget_seconds": 5.0,
            "chat_max_image_bytes": 1024,
            "max_content_chars": 5000,
        }
    )


async def _chat(api, **body):
    return await api.client.post(CHAT, json=body)


async def _chat_ok(api, **body) -> dict:
    response = await _chat(api, **body)
    assert response.status_code == 200, response.text
    return response.json()


async def _stream(api, **body) -> list:
    response = await api.client.post(CHAT, json=body, headers={"Accept": "text/event-stream"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    return payloads(response.text)


def _system_text(request) -> str:
    """The system prompt an upstream request carried, in either protocol."""
    if request.protocol == "anthropic":
        return request.json.get("system") or ""
    return "\n".join(m["content"] for m in request.json["messages"] if m["role"] == "system")


def _assert_field(response, field: str) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["success"] is False and body["error"] == "VALIDATION_ERROR"
    assert body["details"]["field"] == field, body


class TestSend:
    @pytest.mark.parametrize("provider", list(PROVIDERS))
    async def test_each_provider_answers_in_json_and_in_events(self, api, upstream, provider):
        body = await _chat_ok(api, message="hello there", provider=provider)
        assert body["response"] == "Echo: hello there"
        assert body["provider"] == provider
        assert body["conversationId"].startswith("conv")
        model, protocol = PROVIDERS[provider]
        assert upstream.requests[-1].json["model"] == model
        assert upstream.requests[-1].protocol == protocol

        events = await _stream(api, message="tell me a story please", provider=provider)
        metadata, *rest = events
        assert metadata["type"] == "metadata" and metadata["provider"] == provider
        assert metadata["conversationId"].startswith("conv") and metadata["model"]
        assert metadata["conversationId"] != body["conversationId"]  # none given: a new one
        texts = [e["content"] for e in rest if isinstance(e, dict) and e["type"] == "text"]
        assert len(texts) > 1 and "".join(texts) == "Echo: tell me a story please"
        done, end = events[-2], events[-1]
        assert end == "[DONE]"
        assert done["type"] == "done" and done["response"] == "Echo: tell me a story please"
        assert done["conversationId"] == metadata["conversationId"]
        assert done["provider"] == provider
        assert upstream.requests[-1].json["model"] == model and upstream.requests[-1].json["stream"]

    async def test_continuing_sends_the_earlier_turns(self, api, upstream):
        first = await _chat_ok(api, message="one", provider="openai")
        second = await _chat_ok(
            api, message="two", provider="claude", conversationId=first["conversationId"]
        )
        assert second["conversationId"] == first["conversationId"]
        assert second["provider"] == "claude" and second["response"] == "Echo: two"
        turns = [m["content"] for m in upstream.requests[-1].json["messages"]]
        assert turns == ["one", "Echo: one", "two"]

    async def test_mood_sets_the_tone_of_the_system_prompt(self, api, upstream):
        for mood, word in [
            ("serious", "serious"),
            ("friendly", "friendly"),
            ("normal", "balanced"),
        ]:
            await _chat_ok(api, message="hi", provider="claude", mood=mood)
            assert word in _system_text(upstream.requests[-1]), mood

    async def test_default_uses_the_server_default_then_the_users_choice(self, api, upstream):
        assert (await _chat_ok(api, message="a"))["provider"] == "openai"
        settings = await api.client.get(f"{CHAT}/settings")
        assert settings.json()["defaultProvider"] is None
        changed = await api.client.patch(f"{CHAT}/settings", json={"defaultProvider": "groq"})
        assert changed.status_code == 200 and changed.json()["defaultProvider"] == "groq"
        body = await _chat_ok(api, message="b", provider="default")
        assert body["provider"] == "groq"
        assert upstream.requests[-1].json["model"] == "llama-3.3-70b-versatile"
        assert (await api.client.get(f"{CHAT}/settings")).json()["defaultProvider"] == "groq"

    async def test_provider_is_the_one_used_after_a_fallback(self, api, upstream):
        upstream.enqueue(*[Fault.status(503)] * 3)
        body = await _chat_ok(api, message="hi", provider="openai")
        assert body["provider"] == "claude" and body["response"] == "Echo: hi"

    async def test_a_provider_without_a_key_is_400_naming_provider(self, settings, upstream):
        bare = settings.model_copy(update={"provider_env": provider_env(upstream)})
        async with client_for(bare) as client:
            response = await client.post(CHAT, json={"message": "hi", "provider": "groq"})
            _assert_field(response, "provider")
            assert response.json()["details"]["setting"] == "GROQ_API_KEY"


class TestStream:
    async def test_stream_true_in_the_body_streams_too(self, api):
        response = await api.client.post(CHAT, json={"message": "hi", "stream": True})
        assert response.headers["content-type"].startswith("text/event-stream")
        events = payloads(response.text)
        assert events[0]["type"] == "metadata"
        assert events[-2]["type"] == "done"

    async def test_a_failure_mid_stream_is_an_error_event(self, api, upstream):
        upstream.enqueue(Fault.cut_after(1))
        events = await _stream(api, message="tell me a story please", provider="openai")
        kinds = [e["type"] for e in events[:-1]]
        assert kinds[0] == "metadata" and "text" in kinds and kinds[-1] == "error"
        assert events[-2]["error"] and events[-2]["message"]
        assert events[-1] == "[DONE]"

    async def test_a_model_without_thinking_sends_no_reasoning(self, api):
        events = await _stream(api, message="think", provider="claude")
        assert not [e for e in events if isinstance(e, dict) and e["type"] == "reasoning"]

    @pytest.mark.parametrize("provider", ["openai", "claude", "openrouter"])
    async def test_thinking_streams_as_reasoning_and_is_not_stored(self, api, upstream, provider):
        thought = "The user wants a number. Seven is a fine one."
        upstream.enqueue(Fault.reply("It is 7.", reasoning=thought))
        events = await _stream(api, message="pick a number", provider=provider)
        sent = upstream.requests[-1].json
        assert upstream.requests[-1].protocol == PROVIDERS[provider][1]
        if provider == "claude":  # the registry's budget, room above it, no custom temperature
            assert sent["thinking"] == {"type": "enabled", "budget_tokens": 2048}
            assert sent["max_tokens"] > 2048 and "temperature" not in sent
        else:
            assert "thinking" not in sent
        kinds = [e["type"] for e in events[:-1]]
        assert kinds[0] == "metadata" and kinds[-1] == "done"
        assert "reasoning" in kinds and kinds.index("reasoning") < kinds.index("text")
        steps = [e for e in events[1:-2] if e["type"] in ("reasoning", "text")]
        thinking = "".join(e["content"] for e in steps if e["type"] == "reasoning")
        assert thinking == thought
        assert "".join(e["content"] for e in steps if e["type"] == "text") == "It is 7."
        done = events[-2]
        assert done["response"] == "It is 7."
        listed = await api.client.get(
            f"{CHAT}/messages", params={"conversationId": done["conversationId"]}
        )
        stored = [m["content"] for m in listed.json()["messages"]]
        assert stored == ["pick a number", "It is 7."]

    async def test_a_cut_after_thinking_is_final_not_retried(self, api, upstream):
        upstream.enqueue(dataclasses.replace(Fault.cut_after(2), reasoning="Let me think hard."))
        events = await _stream(api, message="pick a number", provider="claude")
        kinds = [e["type"] for e in events[:-1]]
        assert kinds[0] == "metadata" and kinds[-1] == "error"
        assert set(kinds[1:-1]) == {"reasoning"}  # thinking, then the cut: no text at all
        assert "".join(e["content"] for e in events[1:-2]) == "Let me "
        assert len(upstream.requests) == 1  # thinking reached the client: no retry, no fallback
        cid = events[0]["conversationId"]
        listed = await api.client.get(f"{CHAT}/messages", params={"conversationId": cid})
        assert [m["content"] for m in listed.json()["messages"]] == ["pick a number"]
        again = await _chat_ok(api, message="again", provider="claude", conversationId=cid)
        assert again["response"].endswith("again")  # the branch was freed for the next turn

    async def test_v1_sends_ask_for_no_thinking(self, api, upstream):
        created = await api.client.post(
            "/conversations", json={"title": "t", "model": "claude-sonnet-4-5"}
        )
        cid = created.json()["data"]["conversation"]["id"]
        response = await api.client.post(f"/conversations/{cid}/messages", json={"content": "hi"})
        assert response.status_code == 201, response.text
        assert "thinking" not in upstream.requests[-1].json

    async def test_v1_message_streams_leave_thinking_out(self, api, upstream):
        created = await api.client.post("/conversations", json={"title": "t", "model": "gpt-5"})
        cid = created.json()["data"]["conversation"]["id"]
        upstream.enqueue(Fault.reply("It is 7.", reasoning="Seven, I think."))
        response = await api.client.post(
            f"/conversations/{cid}/messages/stream", json={"content": "pick a number"}
        )
        events = payloads(response.text)
        assert {e["type"] for e in events[:-1]} == {"content", "complete"}
        assert "".join(
            e["content"] for e in events if e != "[DONE]" and e["type"] == "content"
        ) == ("It is 7.")
        assert events[-2]["message"]["content"] == "It is 7."

    def test_a_thinking_budget_outside_anthropics_range_is_refused(self, tmp_path):
        for budget in (512, 64000):
            models = tmp_path / "models.toml"
            models.write_text(f"[models.claude-sonnet-4-5]\nthinking_budget = {budget}\n")
            with pytest.raises(ValueError, match="thinking_budget"):
                Registry(load_registry_data(models), {}, httpx.AsyncClient())


class TestSharedStore:
    async def test_a_chat_conversation_is_read_and_forked_through_v1(self, api):
        first = await _chat_ok(api, message="one", provider="openai", channel="slack")
        cid = first["conversationId"]
        await _chat_ok(api, message="two", provider="openai", conversationId=cid)
        conversation = (await api.client.get(f"/conversations/{cid}")).json()["data"]
        assert conversation["conversation"]["channel"] == "slack"
        listed = (await api.client.get("/conversations")).json()["data"]["conversations"]
        assert [c["channel"] for c in listed if c["id"] == cid] == ["slack"]
        read = await api.client.get(f"/conversations/{cid}/messages")
        messages = read.json()["data"]["messages"]
        assert [m["content"] for m in messages] == ["one", "Echo: one", "two", "Echo: two"]
        forked = await api.client.post(
            f"/conversations/{cid}/branches",
            json={"title": "Alt", "forkPointMessageId": messages[1]["id"]},
        )
        assert forked.status_code == 201, forked.text
        branch = forked.json()["data"]["branch"]
        sent = await api.client.post(
            f"/conversations/{cid}/branches/{branch['id']}/messages", json={"content": "three"}
        )
        assert sent.status_code == 201, sent.text
        on_branch = await api.client.get(
            f"/conversations/{cid}/messages", params={"branchId": branch["id"]}
        )
        contents = [m["content"] for m in on_branch.json()["data"]["messages"]]
        assert contents == ["one", "Echo: one", "three", "Echo: three"]


class TestConversations:
    async def test_list_filters_by_channel_and_limits(self, api):
        for channel in ("web", "slack", "slack"):
            await _chat_ok(api, message=f"on {channel}", channel=channel)
        await _chat_ok(api, message="no channel")
        listed = (await api.client.get(f"{CHAT}/conversations")).json()["conversations"]
        assert len(listed) == 4
        slack = await api.client.get(f"{CHAT}/conversations", params={"channel": "slack"})
        assert [c["channel"] for c in slack.json()["conversations"]] == ["slack", "slack"]
        one = await api.client.get(f"{CHAT}/conversations", params={"limit": 1})
        assert [c["title"] for c in one.json()["conversations"]] == ["no channel"]

    async def test_messages_by_creation_time_with_a_limit(self, api):
        cid = (await _chat_ok(api, message="one"))["conversationId"]
        await _chat_ok(api, message="two", conversationId=cid)
        response = await api.client.get(f"{CHAT}/messages", params={"conversationId": cid})
        body = response.json()
        assert body["conversationId"] == cid
        assert [m["content"] for m in body["messages"]] == ["one", "Echo: one", "two", "Echo: two"]
        latest = await api.client.get(
            f"{CHAT}/messages", params={"conversationId": cid, "limit": 3}
        )
        assert [m["content"] for m in latest.json()["messages"]] == [
            "Echo: one",
            "two",
            "Echo: two",
        ]

    async def test_delete_removes_it_everywhere(self, api):
        cid = (await _chat_ok(api, message="one"))["conversationId"]
        deleted = await api.client.delete(f"{CHAT}/conversations/{cid}")
        assert deleted.status_code == 200 and deleted.json()["success"] is True
        assert (await api.client.get(f"/conversations/{cid}")).status_code == 404
        again = await api.client.delete(f"{CHAT}/conversations/{cid}")
        assert again.status_code == 404


class TestTruncate:
    async def test_keeps_the_latest_n_of_the_main_path_and_usage_survives(self, api):
        cid = (await _chat_ok(api, message="one"))["conversationId"]
        for text in ("two", "three"):
            await _chat_ok(api, message=text, conversationId=cid)
        before = (await api.client.get("/usage", params={"timeframe": "all"})).json()["data"]
        response = await api.client.post(f"{CHAT}/conversations/{cid}/truncate", json={"keep": 2})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["success"] is True and body["conversationId"] == cid
        assert (body["kept"], body["deleted"]) == (2, 4)
        listed = await api.client.get(f"{CHAT}/messages", params={"conversationId": cid})
        assert [m["content"] for m in listed.json()["messages"]] == ["three", "Echo: three"]
        v1 = (await api.client.get(f"/conversations/{cid}/messages")).json()["data"]["messages"]
        assert [m["content"] for m in v1] == ["three", "Echo: three"]
        after = (await api.client.get("/usage", params={"timeframe": "all"})).json()["data"]
        assert after["totals"] == before["totals"] and before["totals"]["totalTokens"] > 0

    async def test_keep_zero_deletes_all_and_the_conversation_goes_on(self, api, upstream):
        cid = (await _chat_ok(api, message="one"))["conversationId"]
        response = await api.client.post(f"{CHAT}/conversations/{cid}/truncate", json={"keep": 0})
        assert (response.json()["kept"], response.json()["deleted"]) == (0, 2)
        await _chat_ok(api, message="fresh", conversationId=cid)
        assert [m["content"] for m in upstream.requests[-1].json["messages"]][-1] == "fresh"
        assert "one" not in [m["content"] for m in upstream.requests[-1].json["messages"]]


class TestOwnership:
    async def test_another_users_conversation_is_403_on_every_route(self, api):
        cid = (await _chat_ok(api, message="mine"))["conversationId"]
        other = api.headers(await api.new_key())
        calls = [
            api.client.post(CHAT, json={"message": "x", "conversationId": cid}, headers=other),
            api.client.get(f"{CHAT}/messages", params={"conversationId": cid}, headers=other),
            api.client.delete(f"{CHAT}/conversations/{cid}", headers=other),
            api.client.post(
                f"{CHAT}/conversations/{cid}/truncate", json={"keep": 0}, headers=other
            ),
        ]
        for call in calls:
            response = await call
            assert response.status_code == 403, response.text
            assert response.json()["error"] == "FORBIDDEN"
        listed = await api.client.get(f"{CHAT}/conversations", headers=other)
        assert listed.json()["conversations"] == []
        still = await api.client.get(f"{CHAT}/messages", params={"conversationId": cid})
        assert len(still.json()["messages"]) == 2

    async def test_an_unknown_conversation_is_404(self, api):
        response = await _chat(api, message="x", conversationId="conv_missing")
        assert response.status_code == 404


class TestValidation:
    async def test_bad_send_is_400_naming_the_field(self, api):
        cases = [
            ({}, "message"),
            ({"message": ""}, "message"),
            ({"message": "x" * 5001}, "message"),
            ({"message": "hi", "provider": "bard"}, "provider"),
            ({"message": "hi", "mood": "angry"}, "mood"),
            ({"message": "hi", "webSearch": "yes"}, "webSearch"),
            ({"message": "hi", "channel": "x" * 41}, "channel"),
            ({"message": "hi", "conversationId": ""}, "conversationId"),
        ]
        for body, field in cases:
            _assert_field(await _chat(api, **body), field)
        assert (await api.client.get(f"{CHAT}/conversations")).json()["conversations"] == []

    async def test_bad_query_is_400_naming_the_field(self, api):
        cases = [
            ("/conversations", {"limit": 0}, "limit"),
            ("/conversations", {"limit": 101}, "limit"),
            ("/messages", {}, "conversationId"),
            ("/messages", {"conversationId": "c", "limit": 101}, "limit"),
        ]
        for path, params, field in cases:
            _assert_field(await api.client.get(CHAT + path, params=params), field)

    async def test_bad_truncate_and_settings_are_400(self, api):
        cid = (await _chat_ok(api, message="one"))["conversationId"]
        truncate = f"{CHAT}/conversations/{cid}/truncate"
        _assert_field(await api.client.post(truncate, json={"keep": -1}), "keep")
        _assert_field(await api.client.post(truncate, json={}), "keep")
        bad = await api.client.patch(f"{CHAT}/settings", json={"defaultProvider": "default"})
        _assert_field(bad, "defaultProvider")


RESULTS = [
    {"title": "Release notes", "url": "https://example.org/notes", "content": "v2 out"},
    {"title": "Blog", "url": "https://example.org/blog", "content": "we shipped"},
]
SOURCES = [
    {"title": "Release notes", "url": "https://example.org/notes"},
    {"title": "Blog", "url": "https://example.org/blog"},
]
UNCITED = "\n\nSources:\n[1] https://example.org/notes\n[2] https://example.org/blog"


def _statuses(events: list) -> list[str]:
    return [e["message"] for e in events[:-1] if e["type"] == "status"]


def _tool_names(request) -> list[str]:
    tools = request.json.get("tools") or []
    if request.protocol == "anthropic":
        return [t["name"] for t in tools]
    return [t["function"]["name"] for t in tools]


class TestWebSearch:
    async def test_without_a_backend_a_status_says_so_and_it_still_answers(self, api, upstream):
        events = await _stream(api, message="news?", webSearch=True)
        statuses = _statuses(events)
        assert len(statuses) == 1 and "not available" in statuses[0]
        assert events[-2]["type"] == "done" and events[-2]["response"] == "Echo: news?"
        assert "tools" not in upstream.requests[-1].json
        body = await _chat_ok(api, message="news?", webSearch=True)
        assert body["response"] == "Echo: news?" and "not available" in body["statuses"][0]
        assert body["sources"] == []

    async def test_a_model_without_tools_gets_results_in_its_prompt(self, settings, upstream):
        with FakeSearch(RESULTS) as search:
            configured = settings.model_copy(update={"searxng_url": search.url})
            async with client_for(configured) as client:
                response = await client.post(
                    CHAT,
                    json={"message": "what shipped?", "webSearch": True, "provider": "ollama"},
                    headers={"Accept": "text/event-stream"},
                )
        events = payloads(response.text)
        assert search.queries == [{"q": ["what shipped?"], "format": ["json"]}]
        statuses = _statuses(events)
        assert statuses[0].startswith("Searching the web") and "Found 2" in statuses[1]
        request = upstream.requests[-1]
        assert "tools" not in request.json
        system = _system_text(request)
        assert "[1] Release notes (https://example.org/notes)" in system and "v2 out" in system
        assert "cite" in system
        done = events[-2]
        assert done["type"] == "done" and done["sources"] == SOURCES
        # the mock's echo cites nothing: the sources are listed after it, streamed and stored
        assert done["response"] == "Echo: what shipped?" + UNCITED
        text = "".join(e["content"] for e in events[:-1] if e["type"] == "text")
        assert text == done["response"]

    @pytest.mark.parametrize("provider", ["openai", "claude"])
    async def test_a_tool_model_searches_when_it_calls_the_tool(self, settings, upstream, provider):
        thought = "I should look this up."
        upstream.enqueue(
            Fault.tool_call("web_search", {"query": "chatroutes release"}, reasoning=thought),
            Fault.reply("Version 2 shipped [1]."),
        )
        with FakeSearch(RESULTS) as search:
            configured = settings.model_copy(update={"searxng_url": search.url})
            async with client_for(configured) as client:
                response = await client.post(
                    CHAT,
                    json={"message": "what shipped?", "webSearch": True, "provider": provider},
                    headers={"Accept": "text/event-stream"},
                )
                events = payloads(response.text)
                done = events[-2]
                listed = await client.get(
                    f"{CHAT}/messages", params={"conversationId": done["conversationId"]}
                )
        assert search.queries == [{"q": ["chatroutes release"], "format": ["json"]}]
        first, second = upstream.requests
        assert _tool_names(first) == ["web_search"] == _tool_names(second)
        kinds = [e["type"] for e in events[:-1]]
        assert kinds.index("reasoning") < kinds.index("status") < kinds.index("text")
        assert _statuses(events) == [
            "Searching the web for: chatroutes release",
            "Found 2 web results",
        ]
        assert done["type"] == "done" and done["response"] == "Version 2 shipped [1]."
        assert done["sources"] == SOURCES
        stored = [m["content"] for m in listed.json()["messages"]]
        assert stored == ["what shipped?", "Version 2 shipped [1]."]
        turns = second.json["messages"]
        if provider == "openai":
            call = turns[-2]["tool_calls"][0]
            assert turns[-2]["role"] == "assistant" and call["function"]["name"] == "web_search"
            assert turns[-1]["role"] == "tool" and turns[-1]["tool_call_id"] == call["id"]
            result = turns[-1]["content"]
        else:  # the thinking goes back signed, ahead of the tool call (the mock checks it)
            blocks = turns[-2]["content"]
            assert [b["type"] for b in blocks] == ["thinking", "tool_use"]
            assert blocks[0]["signature"] and blocks[0]["thinking"] == thought
            assert blocks[1]["input"] == {"query": "chatroutes release"}
            (answer,) = turns[-1]["content"]
            assert answer["type"] == "tool_result" and answer["tool_use_id"] == blocks[1]["id"]
            result = answer["content"]
        assert "[1] Release notes (https://example.org/notes)\nv2 out" in result
        assert "[2] Blog (https://example.org/blog)" in result and "cite" in result

    async def test_searches_are_bounded_and_an_uncited_answer_lists_its_sources(
        self, settings, upstream
    ):
        search_for = [Fault.tool_call("web_search", {"query": f"q{n}"}) for n in range(3)]
        upstream.enqueue(*search_for, Fault.tool_call("web_search", {"query": "more"}, text="So."))
        with FakeSearch(RESULTS[:1]) as search:
            configured = settings.model_copy(update={"searxng_url": search.url})
            async with client_for(configured) as client:
                body = (
                    await client.post(
                        CHAT, json={"message": "dig", "webSearch": True, "provider": "groq"}
                    )
                ).json()
        assert [q["q"] for q in search.queries] == [["q0"], ["q1"], ["q2"]]
        assert len(upstream.requests) == 4
        assert [r.json["tool_choice"] for r in upstream.requests] == ["auto"] * 3 + ["none"]
        results = [m["content"] for m in upstream.requests[-1].json["messages"][-5::2]]
        assert [r.split("\n")[2][:3] for r in results] == ["[1]", "[2]", "[3]"]
        assert body["response"] == "So." + "\n\nSources:\n" + "\n".join(
            f"[{n}] https://example.org/notes" for n in (1, 2, 3)
        )
        assert len(body["sources"]) == 3 and len(body["statuses"]) == 6

    async def test_brave_search_with_its_key_is_used_over_searxng(self, settings, upstream):
        # Claude, not streamed: its signed thinking goes back with the tool call
        upstream.enqueue(
            Fault.tool_call("web_search", {"query": "news"}, reasoning="Search first."),
            Fault.reply("See [2]."),
        )
        with FakeSearch(RESULTS) as search:
            configured = settings.model_copy(
                update={
                    "searxng_url": "http://127.0.0.1:9",
                    "brave_search_api_key": BRAVE_KEY,
                    "brave_search_url": search.brave_url,
                }
            )
            async with client_for(configured) as client:
                body = (
                    await client.post(
                        CHAT, json={"message": "news?", "webSearch": True, "provider": "claude"}
                    )
                ).json()
        assert search.queries == [{"q": ["news"], "count": ["5"]}] and search.keys == [BRAVE_KEY]
        assert body["response"] == "See [2]." and body["sources"] == SOURCES
        blocks = upstream.requests[-1].json["messages"][-2]["content"]
        assert [b["type"] for b in blocks] == ["thinking", "tool_use"]

    async def test_a_failing_backend_is_a_status_not_a_failure(self, settings, upstream):
        configured = settings.model_copy(update={"searxng_url": "http://127.0.0.1:9"})
        async with client_for(configured) as client:
            prompt = await client.post(
                CHAT, json={"message": "q", "webSearch": True, "provider": "ollama"}
            )
            upstream.enqueue(Fault.tool_call("web_search", {"query": "q"}), Fault.reply("Unsure."))
            tool = await client.post(CHAT, json={"message": "q", "webSearch": True})
        body = prompt.json()
        assert prompt.status_code == 200 and body["response"] == "Echo: q"
        assert "web search failed" in body["statuses"][-1]
        body = tool.json()
        assert tool.status_code == 200 and body["response"] == "Unsure."
        assert "web search failed" in body["statuses"][-1] and body["sources"] == []
        assert "web search failed" in upstream.requests[-1].json["messages"][-1]["content"]


PIXEL = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 64).decode()
PIXEL_BLOCK = {
    "type": "image",
    "source": {"type": "base64", "media_type": "image/png", "data": PIXEL},
}


class TestImages:
    async def test_claude_gets_a_base64_image_block_now_and_in_later_turns(self, api, upstream):
        body = await _chat_ok(
            api, message="what is this?", provider="claude", image=PIXEL, imageMimeType="image/png"
        )
        assert body["response"] == "Echo: what is this?"
        question = upstream.requests[-1].json["messages"][-1]
        assert question["content"] == [PIXEL_BLOCK, {"type": "text", "text": "what is this?"}]
        cid = body["conversationId"]
        await _chat_ok(api, message="and now?", provider="claude", conversationId=cid)
        turns = upstream.requests[-1].json["messages"]
        assert turns[0]["content"] == [PIXEL_BLOCK, {"type": "text", "text": "what is this?"}]
        assert turns[-1]["content"] == "and now?"
        # a model without vision gets the text only
        await _chat_ok(api, message="text only", provider="groq", conversationId=cid)
        assert all(isinstance(m["content"], str) for m in upstream.requests[-1].json["messages"])

    async def test_images_are_listed_served_to_their_owner_and_deleted(self, api, upstream):
        body = await _chat_ok(
            api, message="describe", provider="openai", image=PIXEL, imageMimeType="image/png"
        )
        cid = body["conversationId"]
        listed = await api.client.get(f"{CHAT}/messages", params={"conversationId": cid})
        question, reply = listed.json()["messages"]
        assert reply["images"] == []
        (image,) = question["images"]
        assert image["mimeType"] == "image/png" and image["size"] == 72
        assert image["url"] == f"/api/chat/images/{image['id']}"
        fetched = await api.client.get(f"http://test{image['url']}")
        assert fetched.status_code == 200 and fetched.content == base64.b64decode(PIXEL)
        assert fetched.headers["content-type"] == "image/png"
        other = api.headers(await api.new_key())
        assert (
            await api.client.get(f"http://test{image['url']}", headers=other)
        ).status_code == 403
        assert (await api.client.get(f"{CHAT}/images/img_missing")).status_code == 404
        await api.client.delete(f"{CHAT}/conversations/{cid}")
        assert (await api.client.get(f"http://test{image['url']}")).status_code == 404

    @pytest.mark.parametrize("provider", ["openai", "google"])
    async def test_openai_protocol_gets_an_image_url_part(self, api, upstream, provider):
        events = await _stream(
            api, message="describe", provider=provider, image=PIXEL, imageMimeType="image/jpeg"
        )
        assert events[-2]["type"] == "done" and events[-2]["response"] == "Echo: describe"
        question = upstream.requests[-1].json["messages"][-1]
        assert question["content"] == [
            {"type": "text", "text": "describe"},
            {"type": "image_url", "image_url": {"url": f"data:image/jpeg;base64,{PIXEL}"}},
        ]

    async def test_refused_images_are_400_and_store_nothing(self, api, upstream):
        big = base64.b64encode(b"\0" * 1025).decode()
        cases = [
            ({"provider": "groq", "image": PIXEL, "imageMimeType": "image/png"}, "image"),
            ({"provider": "ollama", "image": PIXEL, "imageMimeType": "image/png"}, "image"),
            (
                {"provider": "claude", "image": PIXEL, "imageMimeType": "image/tiff"},
                "imageMimeType",
            ),
            ({"provider": "claude", "image": PIXEL}, "imageMimeType"),
            ({"provider": "claude", "imageMimeType": "image/png"}, "image"),
            ({"provider": "claude", "image": "not base64!", "imageMimeType": "image/png"}, "image"),
            ({"provider": "claude", "image": big, "imageMimeType": "image/png"}, "image"),
        ]
        for body, field in cases:
            _assert_field(await _chat(api, message="look", **body), field)
        assert (await api.client.get(f"{CHAT}/conversations")).json()["conversations"] == []
        assert upstream.requests == []


async def _usage(api) -> list:
    """Every account-wide usage figure: totals, per model and day, this month, the quota."""
    figures = []
    for path, params in [("/usage", {"timeframe": "all"}), ("/usage", {}), ("/usage/summary", {})]:
        data = (await api.client.get(path, params=params)).json()["data"]
        figures.append(
            {
                k: data.get(k)
                for k in ("totals", "byModel", "byDay", "tokensUsed", "calls", "costThisMonth")
            }
        )
    billing = (await api.client.get("/billing")).json()["data"]  # (its calls count requests)
    figures.append({"tokens": billing["tokens"], "costSoFar": billing["costSoFar"]})
    return figures


class TestUsageSurvivesDeletes:
    async def test_deleting_conversations_through_either_api_keeps_the_usage(self, api, upstream):
        upstream.enqueue(Fault.reply("Priced.", prompt_tokens=40, completion_tokens=7))
        chat = (await _chat_ok(api, message="one", provider="claude"))["conversationId"]
        await _chat_ok(api, message="two", provider="openai", conversationId=chat)
        await api.client.post(f"{CHAT}/conversations/{chat}/truncate", json={"keep": 1})
        v1 = (await _chat_ok(api, message="three", provider="groq"))["conversationId"]
        before = await _usage(api)
        assert before[0]["totals"]["totalTokens"] > 47 and before[0]["totals"]["calls"] == 3
        assert (await api.client.delete(f"{CHAT}/conversations/{chat}")).status_code == 200
        assert await _usage(api) == before
        assert (await api.client.delete(f"/conversations/{v1}")).status_code == 200
        assert await _usage(api) == before
        # and they go on counting: a new turn adds to them
        await _chat_ok(api, message="four")
        after = await _usage(api)
        assert after[0]["totals"]["calls"] == 4
