"""The 0.1 Python SDK's readme examples run against our server, on both backends.

``sdk01_readme/readme_examples.py`` runs in ``.venv-sdk01`` (``chatroutes==0.1.0`` from
PyPI, made by ``make test``) against a live ``chatroutes serve``; the tests below check
what each example printed and got back, and what our server asked the mock upstream.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import REPO_ROOT, LiveServer, ScenarioRunner
from tests.support.mock_upstream import MockUpstream, RecordedRequest

pytestmark = pytest.mark.e2e

SDK01_PYTHON = REPO_ROOT / ".venv-sdk01" / "bin" / "python"
EXAMPLES_DIR = Path(__file__).resolve().parent / "sdk01_readme"

Result = dict[str, Any]


@pytest.fixture(scope="module")
def sdk01_python() -> Path:
    """The 0.1 SDK's interpreter; skip (or fail if the SDKs are required) without it."""
    if not SDK01_PYTHON.exists():
        reason = (
            f"the 0.1 SDK venv is missing ({SDK01_PYTHON}); create it with `make test` or "
            "`uv venv .venv-sdk01 && uv pip install --python .venv-sdk01/bin/python "
            "chatroutes==0.1.0`"
        )
        if os.environ.get("CHATROUTES_REQUIRE_SDK"):
            pytest.fail(reason)
        pytest.skip(reason)
    return SDK01_PYTHON


@pytest.fixture(scope="module")
def upstream_calls(
    sdk01_python: Path, live_server: LiveServer, upstream: MockUpstream
) -> tuple[Result, list[RecordedRequest]]:
    """The examples' report, and every request our server made upstream meanwhile."""
    start = len(upstream.requests)
    report = ScenarioRunner(sdk01_python, live_server, EXAMPLES_DIR)("readme_examples")
    return report, list(upstream.requests[start:])


@pytest.fixture(scope="module")
def report(upstream_calls: tuple[Result, list[RecordedRequest]]) -> Result:
    return upstream_calls[0]


def test_the_examples_ran_the_01_sdk_from_pypi(report: Result) -> None:
    assert report["sdk"]["version"] == "0.1.0"
    assert ".venv-sdk01" in report["sdk"]["file"]


def test_quick_start_prints_the_reply_of_gpt4_served_by_the_current_model(
    report: Result, upstream_calls: tuple[Result, list[RecordedRequest]]
) -> None:
    quick = report["quick_start"]
    assert quick["printed"] == "Echo: Hello, how are you?\n"
    assert quick["conversation"]["model"] == "gpt-5"
    assert quick["response"]["assistantMessage"]["model"] == "gpt-5"
    assert quick["response"]["model"] == "gpt-5"
    _, calls = upstream_calls
    assert calls[0].json["model"] == "gpt-5"
    assert {call.json["model"] for call in calls} == {"gpt-5"}, "gpt-4 is never sent upstream"


def test_sending_with_a_temperature(report: Result) -> None:
    sent = report["sending_messages"]["response"]
    assert sent["assistantMessage"]["content"] == "Echo: What are the key features?"
    assert sent["assistantMessage"]["metadata"]["temperature"] == 0.7


def test_streaming_prints_the_story_as_it_comes(report: Result) -> None:
    assert report["streaming_responses"]["printed"] == "Echo: Tell me a story"


def test_stream_callbacks_get_openai_chunks_and_the_completed_reply(report: Result) -> None:
    ref = report["api_reference"]
    deltas = [c["choices"][0]["delta"].get("content") for c in ref["chunks"]]
    assert "".join(d for d in deltas if d) == "Echo: And another one"
    assert len([d for d in deltas if d]) > 1, "the reply came in several chunks"
    assert [c["choices"][0]["finish_reason"] for c in ref["chunks"]][-1] == "stop"
    assert ref["chunks"][-1]["model"] == "gpt-5"
    [completed] = ref["completed"]
    assert completed["assistantMessage"]["content"] == "Echo: And another one"
    assert completed["assistantMessage"]["metadata"] == {"model": "gpt-5", "finishReason": "stop"}


def test_branches_are_created_and_forked_at_the_message(report: Result) -> None:
    quick = report["quick_start"]["response"]["assistantMessage"]
    branches = report["working_with_branches"]
    assert branches["branch"]["title"] == "Alternative Response"
    assert branches["branch"]["contextMode"] == "FULL"
    assert branches["fork"]["title"] == "Exploring Different Approach"
    assert branches["fork"]["forkPointMessageId"] == quick["id"]


def test_listing_prints_each_conversation_with_its_creation_time(report: Result) -> None:
    listed = report["listing_conversations"]
    titles = [c["title"] for c in listed["result"]["data"]]
    assert sorted(titles) == ["My First Conversation", "Product Discussion"]
    assert listed["result"]["total"] == 2 and listed["result"]["page"] == 1
    lines = listed["printed"].splitlines()
    assert sorted(line.split(" - ")[0] for line in lines) == sorted(titles)
    assert all(line.split(" - ")[1].endswith("Z") for line in lines)


def test_error_handling_reports_a_missing_conversation(report: Result) -> None:
    assert report["error_handling"]["printed"] == "Conversation not found\n"


def test_every_method_of_the_reference_works(report: Result) -> None:
    ref = report["api_reference"]
    conversation_id = report["quick_start"]["conversation"]["id"]
    fork_id = report["working_with_branches"]["fork"]["id"]
    assert ref["get"]["id"] == conversation_id
    assert ref["update"]["title"] == "Renamed"
    assert ref["tree"]["conversation"]["id"] == conversation_id
    assert ref["branch_send"]["assistantMessage"]["branchId"] == fork_id
    assert [m["content"] for m in ref["fork_messages"]][-2:] == [
        "On the fork",
        "Echo: On the fork",
    ]
    assert ref["branch_messages"] == ref["fork_messages"]
    assert ref["branch_update"]["title"] == "Kept"
    main_id = report["quick_start"]["response"]["assistantMessage"]["branchId"]
    assert ref["merge"]["id"] == main_id, "merge answers the branch merged into"
    assert ref["message_update"]["content"] == "Edited words"
    titles = [b["title"] for b in ref["branches_after_delete"]]
    assert "Alternative Response" not in titles and "Kept" in titles
    assert [c["title"] for c in ref["listed_after_delete"]["data"]] == ["Renamed"]
