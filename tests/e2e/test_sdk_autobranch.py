"""AutoBranch with the unmodified official SDK, on both backends: the readme's example,
and hybrid detection reviewed by a model scripted behind the mock upstream."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from chatroutes.server.domain.branch_detection import candidates
from tests.e2e.conftest import LiveServer, ScenarioRunner
from tests.support.mock_upstream import Fault, MockUpstream

pytestmark = pytest.mark.e2e

Result = dict[str, Any]
# The texts of sdk_scenarios/autobranch.py whose review is scripted below (that module
# runs in the SDK's venv and cannot be imported here).
ASKS = "I need help with billing and also have a question about the API and the webhooks."
ACCOUNT = "I want to fix my login issue and update my credit card details."


def _operations(*operations: dict[str, Any]) -> Fault:
    return Fault.reply(json.dumps({"operations": operations}))


@pytest.fixture(scope="module")
def result(run_scenario: ScenarioRunner, upstream: MockUpstream) -> Result:
    # The reviewing model, scripted: it splits ASKS's second request, which holds two
    # questions, and adds the two requests of ACCOUNT that no pattern finds.
    both = next(s for s in candidates(ASKS) if "API and the webhooks" in s.trigger)
    upstream.fault_when(
        "webhooks",
        _operations(
            {
                "op": "split",
                "id": both.id,
                "into": [
                    {"triggerText": "the API", "title": "API question", "confidence": 0.9},
                    {"triggerText": "the webhooks", "title": "Webhooks question"},
                ],
            }
        ),
    )
    upstream.fault_when(
        "credit card",
        _operations(
            *(
                {"op": "add", "triggerText": trigger, "title": title, "group": "requests"}
                | {"type": "multi_intent", "confidence": 0.9}
                for trigger, title in (
                    ("fix my login issue", "Login issue"),
                    ("update my credit card details", "Card details"),
                )
            )
        ),
    )
    return run_scenario("autobranch")


def test_health(result: Result) -> None:
    assert result["health"]["status"] == "healthy"
    assert result["health"]["service"] and result["health"]["version"]


def test_the_readme_example_gives_one_suggestion_per_intent(result: Result) -> None:
    data = result["support"]
    assert data["metadata"]["detectionMethod"] == "pattern"
    titles = [s["title"] for s in data["suggestions"]]
    assert sorted(titles) == ["Billing help", "Technical question about the API"]
    billing, api = sorted(data["suggestions"], key=lambda s: s["branchPoint"]["start"])
    assert "billing" in billing["triggerText"] and "API" in api["triggerText"]
    assert billing["group"]["id"] == api["group"]["id"]
    for suggestion in data["suggestions"]:
        assert 0.7 <= suggestion["confidence"] <= 1


def test_suggestions_have_the_sdk_fields_and_respect_the_count(result: Result) -> None:
    data = result["choice"]
    assert data["metadata"]["totalBranchPointsFound"] == 1  # a single "what if" is no branch point
    [suggestion] = data["suggestions"]  # the count of 1 keeps the first option
    assert suggestion["triggerText"] == "Kubernetes"
    assert suggestion["options"] == ["Kubernetes", "Single VM"]
    point = suggestion["branchPoint"]
    assert point["end"] - point["start"] == len(suggestion["triggerText"])
    assert suggestion["estimatedDivergence"] in ("low", "medium", "high")
    assert suggestion["title"] and suggestion["description"] and suggestion["reasoning"]


def test_a_single_intent_has_no_suggestion(result: Result) -> None:
    assert result["single"]["suggestions"] == []


def test_hybrid_without_a_model_says_why(result: Result) -> None:
    metadata = result["hybrid_offline"]["metadata"]
    assert metadata["detectionMethod"] == "pattern" and metadata["modelUsed"] is None
    assert "offline" in metadata["fallbackReason"]


def test_hybrid_splits_a_suggestion_into_one_per_question(result: Result) -> None:
    pattern = result["asks_pattern"]["suggestions"]
    both = next(s for s in pattern if "API and the webhooks" in s["triggerText"])
    data = result["asks_hybrid"]
    metadata = data["metadata"]
    assert metadata["detectionMethod"] == "hybrid" and metadata["modelUsed"] == "gpt-5"
    assert metadata["review"]["split"] == 1
    titles = {s["title"]: s for s in data["suggestions"]}
    assert set(titles) == {"Billing help", "API question", "Webhooks question"}
    api_question, webhooks = titles["API question"], titles["Webhooks question"]
    assert (api_question["triggerText"], webhooks["triggerText"]) == ("the API", "the webhooks")
    assert api_question["group"]["id"] == webhooks["group"]["id"] == both["group"]["id"]
    assert api_question["confidence"] == round((both["confidence"] + 0.9) / 2, 2)
    for suggestion in data["suggestions"]:
        start, end = suggestion["branchPoint"]["start"], suggestion["branchPoint"]["end"]
        assert ASKS[start:end] == suggestion["triggerText"]


def test_hybrid_adds_the_requests_the_patterns_missed(result: Result) -> None:
    assert result["account_pattern"]["suggestions"] == []
    data = result["account_hybrid"]
    assert data["metadata"]["detectionMethod"] == "hybrid"
    assert data["metadata"]["review"]["added"] == 2
    login, card = sorted(data["suggestions"], key=lambda s: s["branchPoint"]["start"])
    assert (login["title"], card["title"]) == ("Login issue", "Card details")
    assert login["group"]["id"] == card["group"]["id"]
    assert ACCOUNT[slice(*login["group"]["branchPoint"].values())] == login["group"]["triggerText"]


def test_the_reviews_are_charged_to_the_caller(result: Result, live_server: LiveServer) -> None:
    response = httpx.get(
        live_server.api_url + "/usage",
        params={"timeframe": "all"},
        headers={"Authorization": f"Bearer {live_server.api_key}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    kinds = {row["kind"]: row for row in response.json()["data"]["byKind"]}
    assert kinds["autobranch"]["calls"] >= 2 and kinds["autobranch"]["totalTokens"] > 0


def test_bad_input_is_a_validation_error(result: Result) -> None:
    assert result["bad_count"]["raised"] == "ValidationError"
    assert result["bad_text"]["raised"] == "ValidationError"
