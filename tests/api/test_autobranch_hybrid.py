"""Hybrid AutoBranch over HTTP: a model, scripted behind the mock upstream, reviews the
pattern suggestions (confirm, reject, split, merge, add); every way the review can fail
gives the pattern result and says why; the review is metered like any model call."""

from __future__ import annotations

import json

import pytest

from chatroutes.server.services.autobranch import REVIEW_MAX_TOKENS
from tests.security.metering_support import account, billed, lapi, month_tokens, reported
from tests.support.mock_upstream import Fault

__all__ = ["lapi"]  # the fixture, imported for pytest

SUPPORT = (
    "I need help with billing and also have a technical question about the API.\n"
    "Can you help with both?"
)
DB = "Should I use Postgres, MySQL, or SQLite for the new service? I need it by Friday."
TRAVEL = "Should we fly, take the train, or take the night train to Vienna?"
ASKS = "I need help with billing and also have a question about the API and the webhooks."
ACCOUNT = "I want to fix my login issue and update my credit card details."


def _answer(*operations: dict) -> Fault:
    """The model's reply: the operations, wrapped as models often wrap JSON."""
    return Fault.reply(
        "Here is my review:\n```json\n" + json.dumps({"operations": operations}) + "\n```"
    )


async def _suggest(api, text: str, **body):
    response = await api.client.post("/autobranch/suggest-branches", json={"text": text, **body})
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def _hybrid(api, text: str, **body):
    return await _suggest(api, text, hybridDetection=True, **body)


def _by_title(data) -> dict[str, dict]:
    return {s["title"]: s for s in data["suggestions"]}


def _spans_hold(text: str, data) -> None:
    for s in data["suggestions"]:
        point = s["branchPoint"]
        assert text[point["start"] : point["end"]] == s["triggerText"]
        group = s["group"]["branchPoint"]
        assert group["start"] <= point["start"] < point["end"] <= group["end"]
        assert 0 <= s["confidence"] <= 1


def _counts(**nonzero: int) -> dict[str, int]:
    keys = ("confirmed", "rejected", "split", "merged", "added", "ignored")
    return {key: nonzero.get(key, 0) for key in keys}


class TestOperations:
    async def test_split_one_suggestion_into_one_per_option(self, api, upstream):
        pattern = (await _suggest(api, ASKS))["suggestions"]
        both = next(s for s in pattern if "API and the webhooks" in s["triggerText"])
        upstream.enqueue(
            _answer(
                {
                    "op": "split",
                    "id": both["id"],
                    "into": [
                        {"triggerText": "the API", "title": "API question", "confidence": 0.9},
                        {"triggerText": "the webhooks", "title": "Webhooks question"},
                    ],
                }
            )
        )
        data = await _hybrid(api, ASKS)
        metadata = data["metadata"]
        assert metadata["detectionMethod"] == "hybrid" and metadata["modelUsed"] == "gpt-5"
        assert "fallbackReason" not in metadata
        assert metadata["review"] == _counts(split=1)
        titles = _by_title(data)
        assert set(titles) == {"Billing help", "API question", "Webhooks question"}
        api_question, webhooks = titles["API question"], titles["Webhooks question"]
        assert (api_question["triggerText"], webhooks["triggerText"]) == ("the API", "the webhooks")
        assert api_question["confidence"] == round((both["confidence"] + 0.9) / 2, 2)
        assert webhooks["confidence"] == both["confidence"]
        assert api_question["group"]["id"] == webhooks["group"]["id"] == both["group"]["id"]
        assert webhooks["options"] == ["Billing help", "API question", "Webhooks question"]
        [group] = metadata["groups"]
        assert sorted(group["suggestionIds"]) == sorted(s["id"] for s in data["suggestions"])
        _spans_hold(ASKS, data)

    async def test_add_the_intents_the_patterns_missed(self, api, upstream):
        assert (await _suggest(api, ACCOUNT))["suggestions"] == []
        upstream.enqueue(
            _answer(
                {
                    "op": "add",
                    "triggerText": "fix my login issue",
                    "title": "Login issue",
                    "type": "multi_intent",
                    "confidence": 0.9,
                    "group": "requests",
                },
                {
                    "op": "add",
                    "triggerText": "update my credit card details",
                    "title": "Card details",
                    "type": "multi_intent",
                    "confidence": 0.9,
                    "group": "requests",
                },
            )
        )
        data = await _hybrid(api, ACCOUNT)
        assert data["metadata"]["detectionMethod"] == "hybrid"
        assert data["metadata"]["review"] == _counts(added=2)
        login, card = _by_title(data)["Login issue"], _by_title(data)["Card details"]
        assert login["type"] == card["type"] == "multi_intent"
        assert login["group"] == card["group"]
        assert login["confidence"] == 0.81
        _spans_hold(ACCOUNT, data)

    async def test_merge_two_suggestions_that_are_one_option(self, api, upstream):
        pattern = {s["triggerText"]: s for s in (await _suggest(api, TRAVEL))["suggestions"]}
        train, night = pattern["take the train"], pattern["take the night train"]
        upstream.enqueue(
            _answer(
                {
                    "op": "merge",
                    "ids": [night["id"], train["id"]],
                    "title": "The train",
                    "confidence": 0.9,
                }
            )
        )
        data = await _hybrid(api, TRAVEL)
        assert data["metadata"]["review"] == _counts(merged=1)
        titles = _by_title(data)
        assert set(titles) == {pattern["fly"]["title"], "The train"}
        merged = titles["The train"]
        assert merged["triggerText"] == "take the train, or take the night train"
        assert merged["group"]["id"] == train["group"]["id"]
        assert merged["options"] == [pattern["fly"]["title"], "The train"]
        _spans_hold(TRAVEL, data)

    async def test_confirm_and_reject(self, api, upstream):
        pattern = (await _suggest(api, DB, suggestionsCount=5))["suggestions"]
        by_trigger = {s["triggerText"]: s for s in pattern}
        postgres, sqlite = by_trigger["Postgres"], by_trigger["SQLite"]
        upstream.enqueue(
            _answer(
                {"op": "confirm", "id": postgres["id"], "title": "PostgreSQL", "confidence": 0.95},
                {"op": "reject", "id": sqlite["id"], "reason": "already ruled out"},
            )
        )
        data = await _hybrid(api, DB, suggestionsCount=5)
        assert data["metadata"]["review"] == _counts(confirmed=1, rejected=1)
        out = {s["triggerText"]: s for s in data["suggestions"]}
        assert set(out) == {"Postgres", "MySQL"}
        assert out["Postgres"]["title"] == "PostgreSQL"
        assert out["Postgres"]["confidence"] == round((postgres["confidence"] + 0.95) / 2, 2)
        assert out["MySQL"]["options"] == ["PostgreSQL", "MySQL"]

    async def test_the_model_sees_the_message_and_every_suggestion(self, api, upstream):
        pattern = (await _suggest(api, DB, threshold=0.0, suggestionsCount=10))["suggestions"]
        upstream.enqueue(_answer())
        data = await _hybrid(api, DB)
        assert data["metadata"]["detectionMethod"] == "hybrid"
        assert data["metadata"]["review"] == _counts()
        sent = json.dumps(upstream.requests[-1].json)
        assert json.dumps(DB)[1:-1] in sent
        assert all(s["id"] in sent for s in pattern)
        assert upstream.requests[-1].json["temperature"] == 0.0

    async def test_an_empty_list_on_a_text_without_branch_points(self, api, upstream):
        upstream.enqueue(Fault.reply('{"operations": []}'))
        data = await _hybrid(api, "How do I reset my password?")
        assert data["metadata"]["detectionMethod"] == "hybrid"
        assert data["suggestions"] == []

    async def test_a_named_model_of_another_protocol(self, api, upstream):
        upstream.enqueue(Fault.reply('{"operations": []}'))
        data = await _hybrid(api, SUPPORT, llmModel="claude-sonnet-4-5")
        assert data["metadata"]["modelUsed"] == "claude-sonnet-4-5"
        assert upstream.requests[-1].protocol == "anthropic"

    async def test_the_callers_provider_key(self, api, upstream):
        upstream.enqueue(Fault.reply('{"operations": []}'))
        data = await _hybrid(api, SUPPORT, llmProvider="openai", llmApiKey="test-key")
        assert data["metadata"]["detectionMethod"] == "hybrid"
        response = await api.client.post(
            "/autobranch/suggest-branches",
            json={
                "text": SUPPORT,
                "hybridDetection": True,
                "llmProvider": "openai",
                "llmApiKey": "sk-wrong-key",
            },
        )
        assert response.json()["data"]["metadata"]["detectionMethod"] == "pattern"
        assert "sk-wrong-key" not in response.text


async def _fallback(api, text: str, **body) -> dict:
    """A hybrid request that must give exactly the pattern result; its metadata."""
    pattern = await _suggest(api, text, **body)
    data = await _hybrid(api, text, **body)
    metadata = data["metadata"]
    assert metadata["detectionMethod"] == "pattern" and metadata["modelUsed"] is None
    assert "review" not in metadata
    assert data["suggestions"] == pattern["suggestions"]
    assert metadata["groups"] == pattern["metadata"]["groups"]
    return metadata


class TestNeverWorseThanPatterns:
    @pytest.mark.parametrize(
        ("reply", "reason"),
        [
            ("There are two requests here, billing and the API.", "not the JSON asked for"),
            ('{"operations": "all good"}', "not the JSON asked for"),
            ('{"operations": [{"op": "reject", "id": "sug_nope_1_2"}]}', "could be applied"),
            ('{"operations": [{"op": "add", "triggerText": "not in the text"}]}', "applied"),
            ('{"operations": [{"op": "explode"}, 42, null]}', "could be applied"),
        ],
        ids=["prose", "wrong-type", "unknown-id", "span-not-in-text", "no-operation"],
    )
    async def test_an_answer_that_cannot_be_used(self, api, upstream, reply, reason):
        upstream.enqueue(Fault.reply(reply))
        metadata = await _fallback(api, SUPPORT)
        assert reason in metadata["fallbackReason"]

    async def test_rejecting_every_sure_suggestion(self, api, upstream):
        pattern = (await _suggest(api, DB, threshold=0.0, suggestionsCount=10))["suggestions"]
        upstream.enqueue(_answer(*({"op": "reject", "id": s["id"]} for s in pattern)))
        metadata = await _fallback(api, DB)
        assert "leaves no branch point" in metadata["fallbackReason"]

    async def test_leaving_a_sure_branch_point_with_one_option(self, api, upstream):
        pattern = (await _suggest(api, SUPPORT))["suggestions"]
        assert all(s["confidence"] >= 0.85 for s in pattern)
        upstream.enqueue(_answer({"op": "merge", "ids": [s["id"] for s in pattern]}))
        metadata = await _fallback(api, SUPPORT)
        assert "leaves no branch point" in metadata["fallbackReason"]

    @pytest.mark.parametrize(
        ("fault", "reason"),
        [
            (Fault.status(401), "failed"),
            (Fault.status(400), "failed"),
        ],
        ids=["bad-key", "refused"],
    )
    async def test_a_failed_call(self, api, upstream, fault, reason):
        upstream.enqueue(fault)
        metadata = await _fallback(api, SUPPORT)
        assert reason in metadata["fallbackReason"]

    async def test_a_provider_that_stays_down(self, api, upstream):
        upstream.enqueue(*[Fault.status(503)] * 3)
        metadata = await _fallback(api, SUPPORT)
        assert "failed" in metadata["fallbackReason"]

    async def test_no_usable_model(self, api):
        metadata = await _fallback(api, SUPPORT, llmModel="no-such-model")
        assert "no-such-model" in metadata["fallbackReason"]
        metadata = await _fallback(api, SUPPORT, llmModel="chatroutes-offline")
        assert "offline" in metadata["fallbackReason"]
        metadata = await _fallback(api, SUPPORT, llmProvider="nope", llmApiKey="k")
        assert "nope" in metadata["fallbackReason"]


class TestTimeout:
    @pytest.fixture
    def settings(self, settings):
        return settings.model_copy(update={"upstream_timeout_seconds": 0.5})

    async def test_a_model_that_never_answers(self, api, upstream):
        upstream.enqueue(Fault.hang(), Fault.hang(), Fault.hang())
        metadata = await _fallback(api, SUPPORT)
        assert metadata["fallbackReason"] == "the model did not answer within 0.5s"
        usage = (await api.client.get("/usage", params={"timeframe": "all"})).json()["data"]
        assert usage["totals"]["calls"] == 0  # the model answered nothing: nothing spent

    async def test_a_retry_within_the_deadline(self, api, upstream):
        upstream.enqueue(Fault.status(503), _answer())
        data = await _hybrid(api, SUPPORT)
        assert data["metadata"]["detectionMethod"] == "hybrid"


def _kinds(usage: dict) -> dict[str, int]:
    return {row["kind"]: row["totalTokens"] for row in usage["byKind"]}


class TestMetering:
    async def test_the_review_is_charged_and_shown_in_usage(self, api, upstream):
        upstream.enqueue(_answer())
        await _hybrid(api, SUPPORT)
        upstream.enqueue(Fault.reply("no JSON at all"))
        await _fallback(api, SUPPORT)  # the model answered: charged even so
        usage = (await api.client.get("/usage", params={"timeframe": "all"})).json()["data"]
        assert len(upstream.calls) == 2
        assert _kinds(usage) == {"autobranch": reported(upstream)}
        assert usage["totals"]["calls"] == 2

    async def test_pattern_mode_costs_nothing(self, api, upstream):
        await _suggest(api, SUPPORT)
        usage = (await api.client.get("/usage", params={"timeframe": "all"})).json()["data"]
        assert upstream.requests == [] and usage["totals"]["calls"] == 0

    async def test_the_review_fits_what_the_quota_leaves(self, lapi, upstream):
        user_id, headers = await account(lapi, "free", {"tokens_per_month": 1_200})
        upstream.enqueue(_answer())
        response = await lapi.client.post(
            "/autobranch/suggest-branches",
            json={"text": SUPPORT, "hybridDetection": True},
            headers=headers,
        )
        assert response.json()["data"]["metadata"]["detectionMethod"] == "hybrid"
        asked = upstream.requests[-1].json["max_tokens"]
        assert 0 < asked < REVIEW_MAX_TOKENS  # clamped to what the month leaves
        assert await month_tokens(lapi, user_id) == reported(upstream)
        assert _kinds(await billed(lapi, headers)) == {"autobranch": reported(upstream)}

    async def test_a_review_the_quota_cannot_cover_is_not_made(self, lapi, upstream):
        user_id, headers = await account(lapi, "free", {"tokens_per_month": 30})
        response = await lapi.client.post(
            "/autobranch/suggest-branches",
            json={"text": SUPPORT, "hybridDetection": True},
            headers=headers,
        )
        metadata = response.json()["data"]["metadata"]
        assert metadata["detectionMethod"] == "pattern"
        assert "quota" in metadata["fallbackReason"].lower()
        assert upstream.calls == [] and await month_tokens(lapi, user_id) == 0


async def _message_with(api, text: str) -> tuple[str, str]:
    """A conversation holding ``text`` as a question: (the url branching it, its main)."""
    created = await api.client.post("/conversations", json={"title": "Hybrid"})
    conversation = created.json()["data"]["conversation"]
    sent = await api.client.post(
        f"/conversations/{conversation['id']}/messages", json={"content": text}
    )
    assert sent.status_code == 201, sent.text
    message = sent.json()["data"]["userMessage"]["id"]
    url = f"/conversations/{conversation['id']}/messages/{message}/autobranch"
    return url, conversation["branches"][0]["id"]


class TestBranchingFromReviewedSuggestions:
    """The suggestions a review made are no detector's: sent back whole, they branch
    the message they were found in, with no second model call."""

    async def _branch_from(self, api, upstream, url: str, data: dict) -> list[dict]:
        calls = len(upstream.requests)
        response = await api.client.post(url, json={"suggestions": data["suggestions"]})
        assert response.status_code == 201, response.text
        assert len(upstream.requests) == calls  # nothing asked of the model again
        out = response.json()["data"]
        assert out["suggestions"] == data["suggestions"]  # as given, group and prompt too
        branches = out["branches"]
        assert [b["suggestionId"] for b in branches] == [s["id"] for s in data["suggestions"]]
        for suggestion, branch in zip(data["suggestions"], branches, strict=True):
            assert branch["title"] == suggestion["title"]
            assert branch["firstPrompt"] == suggestion["firstPrompt"]
        return branches

    async def test_split_ones(self, api, upstream):
        url, main = await _message_with(api, ASKS)
        pattern = (await _suggest(api, ASKS))["suggestions"]
        both = next(s for s in pattern if "API and the webhooks" in s["triggerText"])
        upstream.enqueue(
            _answer(
                {
                    "op": "split",
                    "id": both["id"],
                    "into": [
                        {"triggerText": "the API", "title": "API question"},
                        {"triggerText": "the webhooks", "title": "Webhooks question"},
                    ],
                }
            )
        )
        data = await _hybrid(api, ASKS)
        assert data["metadata"]["review"] == _counts(split=1)
        ids = [s["id"] for s in data["suggestions"]]
        refused = await api.client.post(url, json={"suggestionIds": ids})
        assert refused.status_code == 400  # the detector alone never finds them
        branches = await self._branch_from(api, upstream, url, data)
        assert {b["title"] for b in branches} == {
            "Billing help",
            "API question",
            "Webhooks question",
        }
        assert {b["parentBranchId"] for b in branches} == {main}
        listed = (await api.client.get(url.split("/messages/")[0] + "/branches")).json()
        assert len(listed["data"]["branches"]) == 4

    async def test_added_ones(self, api, upstream):
        url, _ = await _message_with(api, ACCOUNT)
        upstream.enqueue(
            _answer(
                *(
                    {
                        "op": "add",
                        "triggerText": text,
                        "title": title,
                        "confidence": 0.9,
                        "group": "requests",
                    }
                    for text, title in (
                        ("fix my login issue", "Login issue"),
                        ("update my credit card details", "Card details"),
                    )
                )
            )
        )
        data = await _hybrid(api, ACCOUNT)
        assert data["metadata"]["review"] == _counts(added=2)
        branches = await self._branch_from(api, upstream, url, data)
        assert [b["title"] for b in branches] == ["Login issue", "Card details"]

    async def test_a_merged_one(self, api, upstream):
        url, _ = await _message_with(api, TRAVEL)
        pattern = {s["triggerText"]: s for s in (await _suggest(api, TRAVEL))["suggestions"]}
        ids = [pattern["take the night train"]["id"], pattern["take the train"]["id"]]
        upstream.enqueue(_answer({"op": "merge", "ids": ids, "title": "The train"}))
        data = await _hybrid(api, TRAVEL)
        assert data["metadata"]["review"] == _counts(merged=1)
        merged = next(s for s in data["suggestions"] if s["title"] == "The train")
        [branch] = await self._branch_from(api, upstream, url, {"suggestions": [merged]})
        assert branch["suggestionId"] == merged["id"]

    async def test_suggestions_of_another_text_are_refused(self, api, upstream):
        url, _ = await _message_with(api, TRAVEL)
        upstream.enqueue(
            _answer(
                *(
                    {"op": "add", "triggerText": text, "confidence": 0.9, "group": "requests"}
                    for text in ("fix my login issue", "update my credit card details")
                )
            )
        )
        data = await _hybrid(api, ACCOUNT)
        assert len(data["suggestions"]) == 2
        response = await api.client.post(url, json={"suggestions": data["suggestions"]})
        assert response.status_code == 400, response.text
        assert response.json()["details"]["field"] == "suggestions.0.triggerText"
        listed = (await api.client.get(url.split("/messages/")[0] + "/branches")).json()
        assert len(listed["data"]["branches"]) == 1
