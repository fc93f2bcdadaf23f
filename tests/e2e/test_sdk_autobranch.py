"""AutoBranch with the unmodified official SDK, on both backends."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import ScenarioRunner

pytestmark = pytest.mark.e2e

Result = dict[str, Any]


@pytest.fixture(scope="module")
def result(run_scenario: ScenarioRunner) -> Result:
    return run_scenario("autobranch")


def test_health(result: Result) -> None:
    assert result["health"]["status"] == "healthy"
    assert result["health"]["service"] and result["health"]["version"]


def test_the_readme_example_gives_one_suggestion_per_request(result: Result) -> None:
    data = result["support"]
    assert data["metadata"]["detectionMethod"] == "pattern"
    billing, api = sorted(data["suggestions"], key=lambda s: s["branchPoint"]["start"])
    assert billing["title"] == "Billing help" and "billing" in billing["triggerText"]
    assert api["title"] == "Technical question about the API" and "API" in api["triggerText"]
    for suggestion in (billing, api):
        assert 0.7 <= suggestion["confidence"] <= 1
        assert suggestion["group"]["type"] == "multi_intent"


def test_suggestions_have_the_sdk_fields_and_respect_the_count(result: Result) -> None:
    data = result["choice"]
    assert data["metadata"]["totalBranchPointsFound"] == 2
    [suggestion] = data["suggestions"]  # the count of 1 keeps the first option
    assert suggestion["triggerText"] == "Kubernetes"
    assert suggestion["group"]["triggerText"] == "Kubernetes or a single VM"
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


def test_bad_input_is_a_validation_error(result: Result) -> None:
    assert result["bad_count"]["raised"] == "ValidationError"
    assert result["bad_text"]["raised"] == "ValidationError"
