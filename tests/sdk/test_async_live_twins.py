"""``AsyncChatRoutes`` against a real server: each test of ``test_sync_live.py``, with the
same assertions, through the async client (awaited calls, ``async for``, ``async with``)."""

from __future__ import annotations

import contextlib
import io
import json
import time
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from chatroutes import (
    AsyncChatRoutes,
    AuthenticationError,
    BudgetExceededError,
    ChatRoutesError,
    NotFoundError,
    RateLimitError,
    ValidationError,
)
from tests.e2e.conftest import LiveServer
from tests.sdk.conftest import new_account
from tests.sdk.test_sync_live import _sends

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.parametrize("live_server", ["sqlite"], indirect=True),
]


@pytest.fixture
async def cr(server: LiveServer, api_key: str) -> AsyncIterator[AsyncChatRoutes]:
    async with AsyncChatRoutes(api_key, server.api_url, retry_delay=0.05) as client:
        yield client


class TestReadmeExamples:
    """The official readme's snippets, awaited, with real ids, API key and base_url."""

    async def test_quick_start_send_and_stream(self, cr: AsyncChatRoutes) -> None:
        client = cr
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            conversation = await client.conversations.create(
                {"title": "My First Conversation", "model": "gpt-5"}
            )
            response = await client.messages.send(
                conversation["id"], {"content": "Hello, how are you?", "model": "gpt-5"}
            )
            print(response["message"]["content"])
            response = await client.messages.send(
                conversation_id=conversation["id"],
                data={
                    "content": "What are the key features?",
                    "model": "gpt-5",
                    "temperature": 0.7,
                },
            )
            print(response["message"]["content"])
            print(f"Tokens used: {response['usage']['totalTokens']}")

            def on_chunk(chunk):  # type: ignore[no-untyped-def]
                if chunk.get("type") == "content" and chunk.get("content"):
                    print(chunk["content"], end="", flush=True)

            def on_complete(message):  # type: ignore[no-untyped-def]
                print(f"\n\nMessage ID: {message['id']}")

            await client.messages.stream(
                conversation_id=conversation["id"],
                data={"content": "Tell me a story"},
                on_chunk=on_chunk,
                on_complete=on_complete,
            )
        lines = out.getvalue().splitlines()
        assert lines[0] == "Echo: Hello, how are you?"
        assert lines[1] == "Echo: What are the key features?"
        assert lines[2].startswith("Tokens used: ") and int(lines[2].split()[-1]) > 0
        assert lines[3] == "Echo: Tell me a story"
        assert lines[5].startswith("Message ID: msg_")

    async def test_branches_listing_checkpoints_and_errors(self, cr: AsyncChatRoutes) -> None:
        client = cr
        conv = await client.conversations.create({"title": "Product Discussion", "model": "gpt-5"})
        first = await client.messages.send(conv["id"], {"content": "one"})
        msg_456 = first["message"]["id"]
        branch = await client.branches.create(
            conversation_id=conv["id"],
            data={"title": "Alternative Response", "contextMode": "FULL"},
        )
        fork = await client.branches.fork(
            conversation_id=conv["id"],
            data={"forkPointMessageId": msg_456, "title": "Exploring Different Approach"},
        )
        assert branch["contextMode"] == "FULL" and fork["forkPointMessageId"] == msg_456

        result = await client.conversations.list({"page": 1, "limit": 10, "filter": "all"})
        assert all(conv_["title"] and conv_["createdAt"] for conv_ in result["data"])

        branches = await client.branches.list(conversation_id=conv["id"])
        main_branch = next(b for b in branches if b["isMain"])
        checkpoint = await client.checkpoints.create(
            conversation_id=conv["id"], branch_id=main_branch["id"], anchor_message_id=msg_456
        )
        assert checkpoint["id"] and checkpoint["summary"] and checkpoint["token_count"] > 0
        assert [cp["id"] for cp in await client.checkpoints.list(conv["id"])] == [checkpoint["id"]]
        response = await client.messages.send(
            conversation_id=conv["id"], data={"content": "Continue the conversation"}
        )
        metadata = response["message"].get("metadata", {}) or {}
        assert metadata.get("checkpoint_used") is True
        assert metadata.get("context_message_count")

        try:
            await client.conversations.get("conv_123")
        except AuthenticationError:
            pytest.fail("wrong class")
        except NotFoundError as e:
            assert e.status_code == 404
        except ChatRoutesError:
            pytest.fail("wrong class")


class TestStreaming:
    async def test_iterator_callbacks_and_plain_send_give_the_same_text(
        self, cr: AsyncChatRoutes
    ) -> None:
        text = "stream this reply word by word"
        conv = (await cr.conversations.create({"title": "Streaming"}))["id"]
        events = [e async for e in cr.messages.stream(conv, {"content": text})]
        contents = [e["content"] for e in events if e["type"] == "content"]
        assert len(contents) > 1 and events[-1]["type"] == "complete"

        chunks: list[dict] = []
        done: list[dict] = []
        assert await cr.messages.stream(conv, {"content": text}, chunks.append, done.append) is None
        async with cr.messages.stream(conv, {"content": text}) as stream:
            deltas = [delta async for delta in stream.text_stream]
        plain = (await cr.messages.send(conv, {"content": text}))["message"]["content"]

        assert "".join(contents) == plain == f"Echo: {text}"
        assert "".join(c["content"] for c in chunks if c["type"] == "content") == plain
        assert "".join(deltas) == stream.text == plain
        assert stream.message is not None and stream.usage and stream.model == "gpt-5"
        listed = await cr.messages.list(conv)
        assert [m["content"] for m in listed[1::2]] == [plain] * 4
        assert listed[3] == done[0] and listed[5] == stream.message
        assert listed[1] == events[-1]["message"]

    async def test_branch_stream(self, cr: AsyncChatRoutes) -> None:
        conv = (await cr.conversations.create({"title": "Branch stream"}))["id"]
        a1 = (await cr.messages.send(conv, {"content": "root"}))["message"]["id"]
        fork = await cr.branches.fork(conv, {"forkPointMessageId": a1})
        final = await cr.branches.stream(conv, fork["id"], {"content": "on the fork"}).until_done()
        assert final is not None and final["branchId"] == fork["id"]
        contents = [m["content"] for m in await cr.branches.get_messages(conv, fork["id"])]
        assert contents == ["root", "Echo: root", "on the fork", "Echo: on the fork"]

    async def test_leaving_a_stream_early_closes_it(self, cr: AsyncChatRoutes) -> None:
        conv = (await cr.conversations.create({"title": "Early"}))["id"]
        async with cr.messages.stream(conv, {"content": "one two three four five six"}) as stream:
            async for _event in stream:
                break
        assert stream.response is not None and stream.response.is_closed

    async def test_stream_errors_before_the_start_raise_the_mapped_class(
        self, cr: AsyncChatRoutes
    ) -> None:
        with pytest.raises(NotFoundError):
            [e async for e in cr.messages.stream("conv_nope", {"content": "x"})]
        conv = (await cr.conversations.create({"title": "Bad"}))["id"]
        with pytest.raises(ValidationError):
            await cr.messages.stream(conv, {"content": "x", "model": "nope"}).until_done()


async def test_list_all_walks_every_page(server: LiveServer) -> None:
    async with AsyncChatRoutes(new_account(server), server.api_url) as cr:
        made = {(await cr.conversations.create({"title": f"c{n}"}))["id"] for n in range(7)}
        seen = [c["id"] async for c in cr.conversations.list_all(page_size=3)]
        assert len(seen) == 7 and set(seen) == made
        page = await cr.conversations.list({"page": 3, "limit": 3})
        assert (len(page["data"]), page["hasNext"], page["total"]) == (1, False, 7)


class TestNewerResources:
    async def test_export_import_round_trip(self, cr: AsyncChatRoutes) -> None:
        conv = (await cr.conversations.create({"title": "Portable"}))["id"]
        await cr.messages.send(conv, {"content": "keep me"})
        document = await cr.conversations.export(conv)
        assert document["conversation"]["id"] == conv and len(document["messages"]) == 2
        await cr.conversations.delete(conv)
        imported = await cr.conversations.import_(document)
        assert imported["title"] == "Portable"
        contents = [m["content"] for m in await cr.messages.list(imported["id"])]
        assert contents == ["keep me", "Echo: keep me"]

    async def test_preview_pin_and_exclude(self, cr: AsyncChatRoutes) -> None:
        conv = await cr.conversations.create({"title": "Costs"})
        cid, main = conv["id"], conv["branches"][0]["id"]  # type: ignore[index]
        first = await cr.messages.send(cid, {"content": "keep me"})
        second = await cr.messages.send(cid, {"content": "leave me out"})
        before = await cr.branches.preview(cid, main, content="next")
        assert before["contextMessageCount"] == 5 and before["contextMode"] == "FULL"
        assert before["model"] == "gpt-5" and before["contextWindow"] > 0
        pinned = await cr.messages.set_context(first["userMessage"]["id"], pinned=True)
        assert (pinned["pinned"], pinned["excluded"]) == (True, False)
        excluded = second["userMessage"]["id"]
        assert (await cr.messages.set_context(excluded, excluded=True))["excluded"] is True
        after = await cr.branches.preview(cid, main, model="gpt-5", content="next")
        assert after["contextMessageCount"] == 4 and after["promptTokens"] < before["promptTokens"]
        assert after["pinnedMessageIds"] == [first["userMessage"]["id"]]
        assert after["excludedMessageIds"] == [excluded]
        fork = await cr.branches.preview(
            cid,
            main,
            fork_point_message_id=second["message"]["id"],
            context_mode="NONE",
            content="on a fork",
        )
        assert fork["contextMode"] == "NONE" and fork["contextMessageCount"] == 2  # pin, question
        with pytest.raises(ValidationError):
            await cr.messages.set_context(excluded, pinned=True)
        with pytest.raises(ValidationError):
            await cr.branches.preview(cid, main, model="no-such-model")
        with pytest.raises(ValidationError) as bad:
            await cr.branches.preview(cid, main, max_tokens=0)
        assert "maxTokens" in bad.value.message
        reply = await cr.messages.send(cid, {"content": "next"})
        assert reply["message"]["metadata"]["excludedMessageIds"] == [excluded]

    async def test_merge_strategies_and_recreate_branch(self, cr: AsyncChatRoutes) -> None:
        conv = await cr.conversations.create({"title": "Merges"})
        cid, main = conv["id"], conv["branches"][0]["id"]  # type: ignore[index]
        a1 = (await cr.messages.send(cid, {"content": "base"}))["message"]["id"]
        fork = await cr.branches.fork(cid, {"forkPointMessageId": a1})
        sent = await cr.branches.send_message(cid, fork["id"], {"content": "pick me"})
        await cr.branches.send_message(cid, fork["id"], {"content": "not me"})
        merged = await cr.branches.merge(
            cid, fork["id"], strategy="cherry-pick", message_ids=[sent["userMessage"]["id"]]
        )
        assert merged["id"] == main
        assert [m["content"] for m in await cr.messages.list(cid)][-1] == "pick me"

        checkpoint = await cr.checkpoints.create(cid, main, a1)
        result = await cr.checkpoints.recreate_branch(checkpoint["id"])
        assert result["checkpoint"]["id"] == checkpoint["id"]
        assert result["branch"]["forkPointMessageId"] == a1
        assert (await cr.checkpoints.recreate(checkpoint["id"]))["id"] == checkpoint["id"]

    async def test_usage_plans_billing_models(self, cr: AsyncChatRoutes) -> None:
        conv = (await cr.conversations.create({"title": "Metered"}))["id"]
        sent = await cr.messages.send(conv, {"content": "count these tokens"})
        models = await cr.models.list()
        assert "gpt-5" in {m["id"] for m in models}
        usage = sent["usage"]
        conversation_usage = await cr.usage.conversation(conv)
        assert conversation_usage["totals"]["totalTokens"] == usage["totalTokens"]
        branch_id = sent["message"]["branchId"]
        assert branch_id is not None
        branch_usage = await cr.usage.branch(branch_id)
        assert branch_usage["totals"]["totalTokens"] == usage["totalTokens"]
        message_usage = await cr.usage.message(sent["message"]["id"])
        assert message_usage["totalTokens"] == usage["completionTokens"] + usage["promptTokens"]  # type: ignore[typeddict-item]
        assert (await cr.usage.get("all"))["totals"]["calls"] >= 1
        assert (await cr.usage.summary())["tokensUsed"] >= usage["totalTokens"]
        assert "gpt-5" in (await cr.usage.pricing())["pricing"]
        assert {"free", "pro"} <= {p["id"] for p in await cr.plans.list()}
        assert (await cr.billing.get())["plan"] == "enterprise"

    async def test_parallel_responses(self, cr: AsyncChatRoutes) -> None:
        cid = (await cr.conversations.create({"title": "Parallel"}))["id"]
        session = await cr.parallel_responses.create(
            cid, "Name a colour", models=["gpt-5", "claude-sonnet-4-5"]
        )
        candidates = session["candidates"]
        assert [c["model"] for c in candidates] == ["gpt-5", "claude-sonnet-4-5"]
        assert all(c["content"] == "Echo: Name a colour" for c in candidates)
        assert await cr.parallel_responses.get(session["id"]) == session
        chosen = await cr.parallel_responses.choose(session["id"], candidates[1]["id"])
        assert chosen["chosenCandidateId"] == candidates[1]["id"]
        listed = await cr.messages.list(cid)
        assert [m["id"] for m in listed][-1] == candidates[1]["messageId"]
        with pytest.raises(NotFoundError):
            await cr.parallel_responses.get("rs_nope")

    async def test_autobranch(self, cr: AsyncChatRoutes) -> None:
        text = "Should we deploy on Kubernetes or a single VM? What if traffic triples?"
        result = await cr.autobranch.suggest_branches(text, suggestions_count=2)
        assert result["suggestions"] and result["metadata"]["detectionMethod"]
        assert (await cr.autobranch.health())["status"]
        cid = (await cr.conversations.create({"title": "Auto"}))["id"]
        sent = await cr.messages.send(cid, {"content": text})
        applied = await cr.autobranch.apply(cid, sent["userMessage"]["id"], suggestions_count=2)
        made = {b["id"] for b in applied["branches"]}
        assert made and made <= {b["id"] for b in await cr.branches.list(cid)}
        chosen = result["suggestions"][-1:]
        whole = await cr.autobranch.apply(cid, sent["userMessage"]["id"], suggestions=chosen)
        assert [b["suggestionId"] for b in whole["branches"]] == [chosen[0]["id"]]


class AsyncFlakyHop(httpx.AsyncBaseTransport):
    """``test_sync_live.FlakyHop`` for an ``httpx.AsyncClient``: forwards to the server, but
    answers the first matching request with a 503 (after forwarding it when
    ``forward_first``: only the idempotency key then stops a retry storing it twice)."""

    def __init__(
        self,
        match: Callable[[httpx.Request], bool],
        forward_first: bool,
        retry_after: str | None = None,
    ) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.match = match
        self.forward_first = forward_first
        self.retry_after = retry_after
        self.failed = False
        self.seen: list[httpx.Request] = []
        self.answers: list[httpx.Response] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self.match(request):
            return await self.inner.handle_async_request(request)
        self.seen.append(request)
        if not self.failed:
            self.failed = True
            if self.forward_first:
                done = await self.inner.handle_async_request(request)
                await done.aread()
                await done.aclose()
            headers = {"Retry-After": self.retry_after} if self.retry_after else {}
            body = {"success": False, "error": "BAD_GATEWAY", "message": "hop failed"}
            return httpx.Response(503, json=body, headers=headers)
        response = await self.inner.handle_async_request(request)
        self.answers.append(response)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


class TestRetriesThroughAFailingHop:
    @pytest.mark.parametrize("forward_first", [True, False], ids=["stored", "not-stored"])
    async def test_a_send_is_stored_exactly_once(
        self, server: LiveServer, api_key: str, forward_first: bool
    ) -> None:
        hop = AsyncFlakyHop(_sends, forward_first)
        async with (
            httpx.AsyncClient(transport=hop) as http,
            AsyncChatRoutes(api_key, server.api_url, retry_delay=0.01, http_client=http) as cr,
        ):
            conv = (await cr.conversations.create({"title": "Retried"}))["id"]
            sent = await cr.messages.send(conv, {"content": "only once"})
            listed = await cr.messages.list(conv)
        assert [m["content"] for m in listed] == ["only once", "Echo: only once"]
        assert listed[1]["id"] == sent["message"]["id"]
        first, second = hop.seen
        assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"]
        assert first.content == second.content
        replayed = hop.answers[0].headers.get("Idempotent-Replayed")
        assert replayed == ("true" if forward_first else None)

    async def test_the_retry_waits_for_retry_after(self, server: LiveServer, api_key: str) -> None:
        hop = AsyncFlakyHop(_sends, forward_first=False, retry_after="1")
        async with (
            httpx.AsyncClient(transport=hop) as http,
            AsyncChatRoutes(api_key, server.api_url, retry_delay=0, http_client=http) as cr,
        ):
            conv = (await cr.conversations.create({"title": "Patient"}))["id"]
            started = time.monotonic()
            await cr.messages.send(conv, {"content": "later"})
            assert time.monotonic() - started >= 0.95
        assert len(hop.seen) == 2

    async def test_a_stream_is_retried_before_it_starts(
        self, server: LiveServer, api_key: str
    ) -> None:
        hop = AsyncFlakyHop(lambda r: r.url.path.endswith("/stream"), forward_first=False)
        async with (
            httpx.AsyncClient(transport=hop) as http,
            AsyncChatRoutes(api_key, server.api_url, retry_delay=0, http_client=http) as cr,
        ):
            conv = (await cr.conversations.create({"title": "Stream retried"}))["id"]
            stream = cr.messages.stream(conv, {"content": "again"})
            assert await stream.until_done() is not None and stream.text == "Echo: again"
            assert len(await cr.messages.list(conv)) == 2
        assert len({r.headers["Idempotency-Key"] for r in hop.seen}) == 1


class TestBudgets:
    async def test_budgets_through_the_update_methods(self, cr: AsyncChatRoutes) -> None:
        conversation = await cr.conversations.create({"title": "Budgeted"})
        cid = conversation["id"]
        assert conversation["budget"] is None
        assert conversation["spent"] == {"tokens": 0, "cost": 0}
        capped = await cr.conversations.update(cid, {"budget": {"maxTokens": 100_000}})
        assert capped["budget"] == {"maxTokens": 100_000, "maxCost": None, "warnAt": 0.8}
        main = next(b for b in conversation["branches"] or [] if b["isMain"])
        branch = await cr.branches.update(
            cid, main["id"], {"budget": {"maxCost": 2, "warnAt": 0.5}}
        )
        assert branch["budget"] == {"maxTokens": None, "maxCost": 2.0, "warnAt": 0.5}
        sent = await cr.messages.send(cid, {"content": "count me"})
        seen = await cr.conversations.get(cid)
        assert seen["spent"]["tokens"] == sent["usage"]["totalTokens"]
        fork = await cr.branches.fork(
            cid, {"forkPointMessageId": sent["message"]["id"], "budget": {"maxTokens": 900}}
        )
        assert fork["budget"] == {"maxTokens": 900, "maxCost": None, "warnAt": 0.8}
        assert (await cr.conversations.update(cid, {"budget": None}))["budget"] is None
        with pytest.raises(ValidationError):
            await cr.conversations.update(cid, {"budget": {"warnAt": 2}})

    async def test_a_spent_budget_raises_budget_exceeded(self, cr: AsyncChatRoutes) -> None:
        cid = (await cr.conversations.create({"title": "Spent"}))["id"]
        sent = await cr.messages.send(cid, {"content": "first"})
        used = sent["usage"]["totalTokens"]
        await cr.conversations.update(cid, {"budget": {"maxTokens": used + 5}})
        with pytest.raises(BudgetExceededError) as refused:
            await cr.messages.send(cid, {"content": "second"})
        assert refused.value.status_code == 402 and refused.value.code == "BUDGET_EXCEEDED"
        assert refused.value.details["budget"] == "conversation"
        assert refused.value.details["spent"]["tokens"] == used

    async def test_a_stream_hears_the_warning(self, cr: AsyncChatRoutes) -> None:
        conversation = await cr.conversations.create({"title": "Warned"})
        main = next(b for b in conversation["branches"] or [] if b["isMain"])
        await cr.branches.update(
            conversation["id"], main["id"], {"budget": {"maxTokens": 2_000, "warnAt": 0.001}}
        )
        async with cr.messages.stream(conversation["id"], {"content": "warn me"}) as stream:
            reply = await stream.until_done()
        assert stream.budget_warning is not None
        assert stream.budget_warning["budget"] == "branch"
        assert stream.budget_warning["id"] == main["id"]
        assert reply is not None and reply["metadata"]["budgetWarning"] == stream.budget_warning


class TestErrorsFromTheServer:
    async def test_official_classes_and_attributes(
        self, server: LiveServer, cr: AsyncChatRoutes
    ) -> None:
        with pytest.raises(ValidationError) as bad:
            await cr.conversations.create({"title": "x", "model": "no-such-model"})
        assert bad.value.status_code == 400 and "gpt-5" in bad.value.message
        assert bad.value.error_code == "VALIDATION_ERROR" or bad.value.body
        with pytest.raises(AuthenticationError) as unauth:
            async with AsyncChatRoutes("cr_prod_sk_" + "0" * 64, server.api_url) as stranger:
                await stranger.conversations.list()
        assert unauth.value.status_code == 401 and unauth.value.code == "AUTHENTICATION_ERROR"
        with pytest.raises(NotFoundError):
            await cr.messages.update("msg_nope", "x")

    async def test_rate_limit_error_carries_retry_after(self, server: LiveServer) -> None:
        key = new_account(server, "free")
        with pytest.raises(RateLimitError) as caught:
            async with AsyncChatRoutes(key, server.api_url, retry_attempts=0) as cr:
                for _ in range(100):
                    await cr.conversations.list()
        assert caught.value.status_code == 429
        assert isinstance(caught.value.retry_after, int) and caught.value.retry_after > 0
        assert json.dumps(caught.value.body)
