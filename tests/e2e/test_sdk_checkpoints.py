"""Checkpoints, recreate and merge with the unmodified official SDK, on both backends."""

from __future__ import annotations

from typing import Any

import pytest

from chatroutes.server.domain.context_assembly import SUMMARY_HEADING
from tests.e2e.conftest import ScenarioRunner
from tests.support.mock_upstream import MockUpstream, RecordedRequest

pytestmark = pytest.mark.e2e

Result = dict[str, Any]


@pytest.fixture(scope="module")
def observed(run_scenario: ScenarioRunner, upstream: MockUpstream) -> tuple[Result, list]:
    start = len(upstream.requests)
    result = run_scenario("checkpoints")
    return result, list(upstream.requests[start:])


def _request_ending_with(requests: list[RecordedRequest], text: str) -> list[str]:
    [found] = [r for r in requests if r.json and r.json["messages"][-1]["content"] == text]
    return [m["content"] for m in found.json["messages"]]


def test_a_checkpoint_reads_in_both_spellings(observed) -> None:
    result, _ = observed
    created = result["created"]
    assert created["checkpointType"] == "manual"
    assert created["branch_id"] == created["branchId"]
    assert created["anchor_message_id"] == created["anchorMessageId"]
    assert created["token_count"] == created["tokenCount"] > 0
    assert created["created_at"] == created["createdAt"]
    assert "Priya Raman" in created["summary"] and "48,500" in created["summary"]
    assert result["listed"] == [created] == result["listed_on_main"]


def test_the_next_send_uses_the_summary_instead_of_the_early_messages(observed) -> None:
    result, requests = observed
    metadata = result["after"]["message"]["metadata"]
    assert metadata["checkpoint_used"] is True
    sent = _request_ending_with(requests, "What did we settle?")
    assert sent == [f"{SUMMARY_HEADING}\n{result['created']['summary']}", "What did we settle?"]
    assert not any("launch lead" in text for text in sent[1:])


def test_recreate_gives_a_new_branch_starting_from_the_summary(observed) -> None:
    result, requests = observed
    assert result["recreated"]["id"] == result["created"]["id"]
    restored = [b for b in result["branches_after_recreate"] if b.get("checkpointId")]
    assert len(restored) == 1
    assert restored[0]["forkPointMessageId"] == result["created"]["anchorMessageId"]
    assert result["restored_send"]["message"]["metadata"]["checkpoint_used"] is True
    assert _request_ending_with(requests, "Recap?")[0].startswith(SUMMARY_HEADING)


def test_merge_with_no_body_appends_the_branch_to_main(observed) -> None:
    result, _ = observed
    assert result["merged"]["isMain"] is True
    contents = [m["content"] for m in result["main_after_merge"]]
    assert contents[-2:] == ["Try a rooftop venue.", "Echo: Try a rooftop venue."]
    assert result["main_after_merge"][-1]["metadata"]["mergedFrom"]


def test_delete_removes_the_checkpoint(observed) -> None:
    result, _ = observed
    assert result["listed_after_delete"] == []
    assert result["delete_again"]["raised"] == "NotFoundError"
