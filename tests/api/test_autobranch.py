"""AutoBranch over HTTP: suggestions, validation, and branching a message (hybrid review:
test_autobranch_hybrid.py)."""

from __future__ import annotations

import pytest

TEXT = "Should I use Postgres, MySQL, or SQLite for the new service? I need it running by Friday."
GROUP = "Postgres, MySQL, or SQLite"
SUGGESTION_KEYS = {
    "id",
    "title",
    "description",
    "triggerText",
    "branchPoint",
    "confidence",
    "reasoning",
    "estimatedDivergence",
}


async def _suggest(api, **body):
    return await api.client.post("/autobranch/suggest-branches", json={"text": TEXT, **body})


class TestSuggest:
    async def test_health(self, api):
        response = await api.client.get("/autobranch/health")
        assert response.status_code == 200
        data = response.json()["data"]
        assert data["status"] == "healthy" and data["service"] and data["version"]

    async def test_pattern_suggestions_in_the_wire_shape(self, api):
        response = await _suggest(api)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["success"] is True
        data = body["data"]
        metadata = data["metadata"]
        assert {k: v for k, v in metadata.items() if k != "groups"} == {
            "detectionMethod": "pattern",
            "totalBranchPointsFound": 1,
            "modelUsed": None,
        }
        suggestions = data["suggestions"]
        assert len(suggestions) == 3
        for suggestion in suggestions:
            assert suggestion.keys() >= SUGGESTION_KEYS
            start, end = suggestion["branchPoint"]["start"], suggestion["branchPoint"]["end"]
            assert TEXT[start:end] == suggestion["triggerText"]
            assert 0 <= suggestion["confidence"] <= 1
            assert suggestion["estimatedDivergence"] in ("low", "medium", "high")
            group = suggestion["group"]
            assert group.keys() == {"id", "type", "triggerText", "branchPoint"}
            g_start, g_end = group["branchPoint"]["start"], group["branchPoint"]["end"]
            assert TEXT[g_start:g_end] == group["triggerText"]
            assert g_start <= start < end <= g_end and group["type"] == suggestion["type"]
        confidences = [s["confidence"] for s in suggestions]
        assert confidences == sorted(confidences, reverse=True)
        by_trigger = {s["triggerText"]: s for s in suggestions}
        assert [s["title"] for s in suggestions] == ["Postgres", "MySQL", "SQLite"]
        assert by_trigger["MySQL"]["group"]["triggerText"] == GROUP
        [group] = metadata["groups"]
        assert group["triggerText"] == GROUP and group["type"] == "disjunction"
        assert group["suggestionIds"] == [s["id"] for s in suggestions]

    async def test_the_readme_example_gives_one_suggestion_per_intent(self, api):
        text = (
            "I need help with billing and also have a technical question about the API. "
            "Can you help with both?"
        )
        response = await api.client.post("/autobranch/suggest-branches", json={"text": text})
        data = response.json()["data"]
        assert sorted(s["title"] for s in data["suggestions"]) == [
            "Billing help",
            "Technical question about the API",
        ]
        [group] = data["metadata"]["groups"]
        assert group["type"] == "multi_intent" and len(group["suggestionIds"]) == 2

    async def test_count_and_threshold(self, api):
        data = (await _suggest(api, suggestionsCount=1)).json()["data"]
        assert len(data["suggestions"]) == 1 and data["metadata"]["totalBranchPointsFound"] == 1
        assert data["suggestions"][0]["group"]["triggerText"] == GROUP
        data = (await _suggest(api, threshold=0.99)).json()["data"]
        assert data["suggestions"] == [] and data["metadata"]["totalBranchPointsFound"] == 0

    async def test_single_intent_text_has_no_suggestion(self, api):
        response = await api.client.post(
            "/autobranch/suggest-branches", json={"text": "How do I reset my password?"}
        )
        assert response.json()["data"]["suggestions"] == []

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({}, "text"),
            ({"text": ""}, "text"),
            ({"text": "   "}, "text"),
            ({"text": "a\x00b or c"}, "text"),
            ({"text": "x" * 100_001}, "text"),
            ({"text": TEXT, "suggestionsCount": 0}, "suggestionsCount"),
            ({"text": TEXT, "suggestionsCount": 11}, "suggestionsCount"),
            ({"text": TEXT, "suggestionsCount": "3"}, "suggestionsCount"),
            ({"text": TEXT, "threshold": 1.5}, "threshold"),
            ({"text": TEXT, "threshold": -0.1}, "threshold"),
            ({"text": TEXT, "hybridDetection": "yes"}, "hybridDetection"),
        ],
    )
    async def test_bad_input_is_400_naming_the_field(self, api, body, field):
        response = await api.client.post("/autobranch/suggest-branches", json=body)
        assert response.status_code == 400, response.text
        error = response.json()
        assert error["success"] is False and error["error"] == "VALIDATION_ERROR"
        assert error["details"]["field"] == field

    async def test_needs_credentials(self, api):
        api.client.headers.pop("Authorization", None)
        response = await api.client.post("/autobranch/suggest-branches", json={"text": TEXT})
        assert response.status_code == 401


async def _conversation_with(api, create_conversation, send, content):
    conversation = await create_conversation()
    sent = await send(conversation["id"], content)
    return conversation, sent["userMessage"]


class TestApplyToMessage:
    async def test_creates_one_branch_per_suggestion_at_the_message(
        self, api, create_conversation, send
    ):
        conversation, message = await _conversation_with(api, create_conversation, send, TEXT)
        cid = conversation["id"]
        response = await api.client.post(
            f"/conversations/{cid}/messages/{message['id']}/autobranch", json={}
        )
        assert response.status_code == 201, response.text
        data = response.json()["data"]
        assert len(data["suggestions"]) == len(data["branches"]) == 3
        for suggestion, branch in zip(data["suggestions"], data["branches"], strict=True):
            assert branch["title"] == suggestion["title"]
            assert branch["description"] == suggestion["description"]
            assert branch["forkPointMessageId"] == message["id"]
            assert branch["parentBranchId"] == conversation["branches"][0]["id"]
            assert branch["isMain"] is False
            assert branch["firstPrompt"].startswith("Let's")
        listed = (await api.client.get(f"/conversations/{cid}/branches")).json()["data"]
        assert len(listed["branches"]) == 4

    async def test_chosen_ids_and_an_empty_body(self, api, create_conversation, send):
        conversation, message = await _conversation_with(api, create_conversation, send, TEXT)
        url = f"/conversations/{conversation['id']}/messages/{message['id']}/autobranch"
        suggested = (await _suggest(api, threshold=0.0)).json()["data"]["suggestions"]
        wanted = [s["id"] for s in suggested if s["title"] in ("Postgres", "MySQL")]
        data = (await api.client.post(url, json={"suggestionIds": wanted})).json()["data"]
        assert [b["suggestionId"] for b in data["branches"]] == wanted
        assert "Postgres" in data["branches"][0]["firstPrompt"]
        bad = await api.client.post(url, json={"suggestionIds": ["sug_nope_1_2"]})
        assert bad.status_code == 400 and bad.json()["details"]["field"] == "suggestionIds"
        bare = await api.client.post(url, json={"threshold": 0.99})
        assert bare.status_code == 200 and bare.json()["data"]["branches"] == []
        empty = await api.client.post(
            url, content=b"", headers={"Content-Type": "application/json"}
        )
        assert empty.status_code == 201, empty.text

    async def test_suggestions_sent_whole(self, api, create_conversation, send):
        conversation, message = await _conversation_with(api, create_conversation, send, TEXT)
        url = f"/conversations/{conversation['id']}/messages/{message['id']}/autobranch"
        suggested = (await _suggest(api)).json()["data"]["suggestions"]
        data = (await api.client.post(url, json={"suggestions": suggested[1:]})).json()["data"]
        assert data["suggestions"] == suggested[1:]
        assert [b["suggestionId"] for b in data["branches"]] == [s["id"] for s in suggested[1:]]
        start = TEXT.index("Friday")
        by_hand = {
            "title": "The deadline",
            "triggerText": "Friday",
            "branchPoint": {"start": start, "end": start + 6},
            "type": "directive",
        }
        made = await api.client.post(url, json={"suggestions": [by_hand]})
        assert made.status_code == 201, made.text
        [suggestion] = made.json()["data"]["suggestions"]
        assert suggestion["id"] == f"sug_directive_{start}_{start + 6}"
        assert suggestion["confidence"] == 1.0 and suggestion["group"]["triggerText"] == "Friday"
        [branch] = made.json()["data"]["branches"]
        assert branch["title"] == "The deadline" and branch["description"] is None
        assert branch["firstPrompt"] == "Let's explore: Friday"
        typed_by_id = {**suggested[0], "type": None}
        made = await api.client.post(url, json={"suggestions": [typed_by_id]})
        assert made.status_code == 201, made.text
        assert made.json()["data"]["suggestions"][0]["type"] == suggested[0]["type"]

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"triggerText": "Oracle"}, "suggestions.0.triggerText"),
            ({"branchPoint": {"start": 5, "end": 5}}, "suggestions.0.branchPoint"),
            ({"branchPoint": {"start": 80, "end": 500}}, "suggestions.0.branchPoint"),
            ({"branchPoint": {"start": -1, "end": 3}}, "suggestions.0.branchPoint.start"),
            ({"id": "sug_disjunction_0_8"}, "suggestions.0.id"),
            ({"type": "hunch"}, "suggestions.0.type"),
            ({"type": None, "id": None}, "suggestions.0.type"),
            ({"title": ""}, "suggestions.0.title"),
            ({"title": None}, "suggestions.0.title"),
            ({"group": {"type": "disjunction", "triggerText": "Friday"}}, "suggestions.0.group"),
            (
                {
                    "group": {
                        "type": "disjunction",
                        "triggerText": "I",
                        "branchPoint": {"start": 7, "end": 8},
                    }
                },
                "suggestions.0.group.branchPoint",
            ),
        ],
        ids=[
            "trigger-not-at-span",
            "empty-span",
            "span-past-the-text",
            "negative-start",
            "id-of-another-span",
            "unknown-type",
            "no-type",
            "empty-title",
            "no-title",
            "group-without-span",
            "group-not-around-it",
        ],
    )
    async def test_a_suggestion_not_in_the_message_is_400_naming_the_field(
        self, api, create_conversation, send, change, field
    ):
        conversation, message = await _conversation_with(api, create_conversation, send, TEXT)
        url = f"/conversations/{conversation['id']}/messages/{message['id']}/autobranch"
        [suggestion] = (await _suggest(api, suggestionsCount=1)).json()["data"]["suggestions"]
        bad = {**suggestion, **change}
        response = await api.client.post(url, json={"suggestions": [bad]})
        assert response.status_code == 400, response.text
        assert response.json()["details"]["field"].startswith(field), response.json()
        twice = await api.client.post(url, json={"suggestions": [suggestion, suggestion]})
        assert twice.status_code == 400
        assert twice.json()["details"]["field"] == "suggestions.1"
        both = await api.client.post(
            url, json={"suggestions": [suggestion], "suggestionIds": [suggestion["id"]]}
        )
        assert both.status_code == 400 and both.json()["details"]["field"] == "suggestions"
        branches = (await api.client.get(f"/conversations/{conversation['id']}/branches")).json()
        assert len(branches["data"]["branches"]) == 1  # nothing made

    async def test_an_assistant_message_can_be_branched(self, api, create_conversation, send):
        conversation = await create_conversation()
        sent = await send(conversation["id"], TEXT)
        reply = sent["message"]
        url = f"/conversations/{conversation['id']}/messages/{reply['id']}/autobranch"
        response = await api.client.post(url, json={"threshold": 0.0})
        assert response.status_code in (200, 201), response.text

    async def test_another_users_message_is_404(self, api, create_conversation, send):
        conversation, message = await _conversation_with(api, create_conversation, send, TEXT)
        url = f"/conversations/{conversation['id']}/messages/{message['id']}/autobranch"
        other = api.headers(await api.new_key())
        response = await api.client.post(url, json={}, headers=other)
        assert response.status_code == 404
        missing = await api.client.post(
            f"/conversations/{conversation['id']}/messages/msg_nope/autobranch", json={}
        )
        assert missing.status_code == 404
        branches = (await api.client.get(f"/conversations/{conversation['id']}/branches")).json()
        assert len(branches["data"]["branches"]) == 1
