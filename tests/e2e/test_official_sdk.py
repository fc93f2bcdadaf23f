"""The unmodified official Python SDK (chatroutes==0.2.6) against our server, on both backends.

Each scenario runs once per backend in the SDK's own venv (see ``sdk_scenarios/``); the
tests below assert on what it observed and, for branch isolation, on what our server sent
to the mock upstream.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.e2e.conftest import LiveServer, ScenarioRunner
from tests.support.mock_upstream import MockUpstream, RecordedRequest

pytestmark = pytest.mark.e2e

Result = dict[str, Any]
Turn = tuple[str, str]


@pytest.fixture(scope="module")
def lifecycle(run_scenario: ScenarioRunner) -> Result:
    return run_scenario("lifecycle")


@pytest.fixture(scope="module")
def errors(run_scenario: ScenarioRunner, live_server: LiveServer) -> Result:
    return run_scenario("errors", E2E_OTHER_API_KEY=live_server.other_key)


@dataclass
class Isolation:
    """The isolation scenario's report and every upstream request made during it."""

    result: Result
    requests: list[RecordedRequest]


@pytest.fixture(scope="module")
def isolation(run_scenario: ScenarioRunner, upstream: MockUpstream) -> Isolation:
    start = len(upstream.requests)
    result = run_scenario("isolation")
    return Isolation(result, list(upstream.requests[start:]))


def _ids(messages: list[Result]) -> list[str]:
    return [m["id"] for m in messages]


def _contents(messages: list[Result]) -> list[str]:
    return [m["content"] for m in messages]


def _walk(nodes: list[Result]) -> Iterator[Result]:
    for node in nodes:
        yield node
        yield from _walk(node.get("children", []))


# --- SDK identity -----------------------------------------------------------------------


def test_scenarios_run_the_official_sdk_not_ours(lifecycle: Result) -> None:
    """The subprocess imported chatroutes 0.2.6 from .venv-sdk, not this project."""
    assert lifecycle["sdk"]["version"] == "0.2.6"
    assert "/.venv-sdk/" in lifecycle["sdk"]["file"]


# --- conversations ----------------------------------------------------------------------


def test_conversation_create_get_list_update_round_trip(lifecycle: Result) -> None:
    created = lifecycle["created"]
    assert created["title"] == "E2E lifecycle" and created["model"] == "gpt-5"
    assert [b["isMain"] for b in created["branches"]] == [True]
    assert lifecycle["got"]["id"] == created["id"]
    listed = lifecycle["listed"]
    assert created["id"] in _ids(listed["data"])
    assert listed["total"] >= 1 and listed["page"] == 1 and listed["limit"] == 100
    assert listed["hasNext"] is False
    assert lifecycle["updated"]["title"] == "E2E renamed"
    assert lifecycle["got_after_update"]["title"] == "E2E renamed"


def test_deleted_conversation_is_not_found_and_not_listed(lifecycle: Result) -> None:
    assert lifecycle["conversation_deleted"] is None
    assert lifecycle["get_after_delete"]["raised"] == "NotFoundError"
    assert lifecycle["created"]["id"] not in _ids(lifecycle["listed_after_delete"]["data"])


def test_tree_has_the_union_of_client_shapes(lifecycle: Result) -> None:
    tree = lifecycle["tree"]
    assert {"conversation", "mainBranch", "branches", "tree", "metadata"} <= tree.keys()
    assert tree["conversation"]["id"] == lifecycle["created"]["id"]
    assert tree["mainBranch"]["isMain"] is True
    nodes = list(_walk(tree["tree"]["children"]))
    assert tree["metadata"]["totalNodes"] == len(nodes)
    assert tree["metadata"]["totalBranches"] == len(lifecycle["branches_after_delete"]) + 1


# --- messages ---------------------------------------------------------------------------


def test_send_returns_the_upstream_reply_and_token_usage(lifecycle: Result) -> None:
    for key, text in (("first_send", "first question"), ("second_send", "second question")):
        sent = lifecycle[key]
        assert sent["message"]["content"] == f"Echo: {text}"
        assert sent["message"]["role"] == "assistant"
        assert sent["userMessage"]["content"] == text
        assert sent["assistantMessage"]["id"] == sent["message"]["id"]
        assert sent["model"] == "gpt-5"
        usage = sent["usage"]
        assert usage["totalTokens"] > 0
        assert usage["totalTokens"] == usage["promptTokens"] + usage["completionTokens"]


def test_messages_list_returns_the_main_path_in_order(lifecycle: Result) -> None:
    assert _contents(lifecycle["main_messages"]) == [
        "first question",
        "Echo: first question",
        "second question",
        "Echo: second question",
    ]
    assert [m["role"] for m in lifecycle["main_messages"]] == ["user", "assistant"] * 2


def test_edit_writes_a_new_version_and_keeps_the_original(lifecycle: Result) -> None:
    original = lifecycle["second_send"]["userMessage"]
    edited = lifecycle["edited"]
    assert edited["id"] != original["id"]
    assert edited["content"] == "second question, edited"
    assert edited["parentMessageId"] == original["parentMessageId"]
    assert edited["editedFrom"] == original["id"]
    # The original stays where it was: main still reads it, and the tree holds both.
    assert _contents(lifecycle["main_messages_after_edit"]) == _contents(lifecycle["main_messages"])
    by_id = {n["id"]: n for n in _walk(lifecycle["tree"]["tree"]["children"])}
    assert by_id[original["id"]]["content"] == "second question"
    assert by_id[edited["id"]]["content"] == "second question, edited"
    assert by_id[edited["id"]]["parentMessageId"] == original["parentMessageId"]


def test_deleted_message_is_gone_from_the_listing(lifecycle: Result) -> None:
    deleted = lifecycle["fork_send"]["message"]["id"]
    assert lifecycle["message_deleted"] is None
    assert deleted in _ids(lifecycle["fork_messages"])
    after = lifecycle["fork_messages_after_delete"]
    assert deleted not in _ids(after)
    assert _contents(after) == ["first question", "Echo: first question", "on the fork"]


# --- branches ---------------------------------------------------------------------------


def test_branch_create_without_fork_point_forks_at_the_main_head(lifecycle: Result) -> None:
    branch = lifecycle["branch_at_head"]
    assert branch["forkPointMessageId"] == lifecycle["second_send"]["message"]["id"]
    assert branch["isMain"] is False and branch["title"] == "At head"
    assert branch["conversationId"] == lifecycle["created"]["id"]


def test_branch_create_with_base_node_id_forks_there(lifecycle: Result) -> None:
    branch = lifecycle["branch_at_node"]
    assert branch["forkPointMessageId"] == lifecycle["first_send"]["message"]["id"]
    assert branch["isMain"] is False and branch["title"] == "At a1"


def test_fork_sends_on_the_branch_with_its_inherited_context(lifecycle: Result) -> None:
    fork = lifecycle["fork"]
    assert fork["forkPointMessageId"] == lifecycle["first_send"]["message"]["id"]
    sent = lifecycle["fork_send"]
    assert sent["message"]["content"] == "Echo: on the fork"
    assert sent["message"]["branchId"] == fork["id"]
    expected = ["first question", "Echo: first question", "on the fork", "Echo: on the fork"]
    assert _contents(lifecycle["fork_messages"]) == expected
    assert _contents(lifecycle["fork_messages_via_list"]) == expected
    assert lifecycle["main_messages_after_fork"] == lifecycle["main_messages"]


def test_branch_list_update_and_delete(lifecycle: Result) -> None:
    fork, at_head = lifecycle["fork"], lifecycle["branch_at_head"]
    listed = {b["id"]: b for b in lifecycle["branches"]}
    expected = {fork["id"], at_head["id"], lifecycle["branch_at_node"]["id"]}
    assert expected < listed.keys()
    assert [b["isMain"] for b in listed.values()].count(True) == 1
    assert listed[fork["id"]]["messageCount"] == 2
    updated = lifecycle["branch_updated"]
    assert updated["id"] == fork["id"]
    assert (updated["title"], updated["description"]) == ("Renamed fork", "set by the SDK")
    assert lifecycle["branch_deleted"] is None
    after = {b["id"]: b for b in lifecycle["branches_after_delete"]}
    assert at_head["id"] not in after
    assert after[fork["id"]]["title"] == "Renamed fork"


# --- errors -----------------------------------------------------------------------------


def _raised(cases: Result) -> dict[str, tuple[str | None, int | None]]:
    return {name: (c["raised"], c.get("status")) for name, c in cases.items()}


def test_bad_input_raises_validation_error(errors: Result) -> None:
    raised = _raised(errors["validation"])
    assert raised == dict.fromkeys(raised, ("ValidationError", 400)), errors["validation"]
    assert "gpt-5" in errors["validation"]["create with unknown model"]["message"]


def test_bad_key_raises_authentication_error(errors: Result) -> None:
    raised = _raised(errors["authentication"])
    assert raised == dict.fromkeys(raised, ("AuthenticationError", 401)), raised


def test_unknown_ids_raise_not_found_error(errors: Result) -> None:
    raised = _raised(errors["not_found"])
    assert raised == dict.fromkeys(raised, ("NotFoundError", 404)), raised


def test_another_accounts_conversation_is_not_found_and_untouched(errors: Result) -> None:
    raised = _raised(errors["cross_account"])
    assert raised == dict.fromkeys(raised, ("NotFoundError", 404)), errors["cross_account"]
    assert errors["conversation_id"] not in errors["other_list_ids"]
    assert errors["owner_after"]["title"] == "Owned by the first account"
    assert _contents(errors["owner_messages_after"]) == ["private words", "Echo: private words"]


# --- branch isolation at the upstream ---------------------------------------------------

CASES = ["openai-system", "anthropic-system", "openai-no-system"]


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "\n".join(block["text"] for block in content if block.get("type") == "text")


def _turns(request: RecordedRequest) -> list[Turn]:
    """The conversation a provider request carried, the system prompt first as a turn."""
    body = request.json
    turns: list[Turn] = []
    if request.protocol == "anthropic":
        assert all(m["role"] in ("user", "assistant") for m in body["messages"]), body
        if body.get("system"):
            turns.append(("system", _text(body["system"])))
    turns += [(m["role"], _text(m["content"])) for m in body["messages"]]
    return turns


def _request_for(isolation: Isolation, text: str) -> RecordedRequest:
    """The one upstream request whose last turn is the user message ``text``."""
    found = [r for r in isolation.requests if r.json and _turns(r)[-1] == ("user", text)]
    assert len(found) == 1, f"{len(found)} upstream requests end with {text!r}"
    return found[0]


def _exchange(text: str) -> list[Turn]:
    return [("user", text), ("assistant", f"Echo: {text}")]


@pytest.fixture(params=CASES)
def case(request: pytest.FixtureRequest, isolation: Isolation) -> Result:
    report: Result = isolation.result[request.param]
    report["protocol"] = "anthropic" if request.param.startswith("anthropic") else "openai"
    report["system"] = [("system", report["systemPrompt"])] if report["systemPrompt"] else []
    return report


def test_branch_send_carries_only_the_fork_path_and_its_own_messages(
    case: Result, isolation: Isolation
) -> None:
    """B forked at a1: upstream gets system + u1, a1 + B's own turns; no u2/a2, nothing of C."""
    t = case["text"]
    request = _request_for(isolation, t["B2"])
    assert request.protocol == case["protocol"]
    expected = case["system"] + _exchange(t["u1"]) + _exchange(t["B1"]) + [("user", t["B2"])]
    assert _turns(request) == expected
    first = _request_for(isolation, t["B1"])
    assert _turns(first) == case["system"] + _exchange(t["u1"]) + [("user", t["B1"])]


def test_sibling_branch_send_excludes_the_other_sibling(case: Result, isolation: Isolation) -> None:
    t = case["text"]
    request = _request_for(isolation, t["C2"])
    expected = case["system"] + _exchange(t["u1"]) + _exchange(t["C1"]) + [("user", t["C2"])]
    assert _turns(request) == expected


def test_main_send_after_forks_excludes_every_branch(case: Result, isolation: Isolation) -> None:
    t = case["text"]
    request = _request_for(isolation, t["u3"])
    expected = case["system"] + _exchange(t["u1"]) + _exchange(t["u2"]) + [("user", t["u3"])]
    assert _turns(request) == expected


def test_branch_replies_are_stored_on_their_branch(case: Result) -> None:
    t, branches = case["text"], case["branches"]
    assert case["replies"] == {name: f"Echo: {t[name]}" for name in case["replies"]}
    assert case["replyBranch"]["B1"] == case["replyBranch"]["B2"] == branches["B"]
    assert case["replyBranch"]["C1"] == case["replyBranch"]["C2"] == branches["C"]
    inherited = [t["u1"], f"Echo: {t['u1']}"]
    own = {
        name: [x for n in names for x in (t[n], f"Echo: {t[n]}")]
        for name, names in {"B": ["B1", "B2"], "C": ["C1", "C2"], "main": ["u2", "u3"]}.items()
    }
    assert case["branchMessages"] == {name: inherited + turns for name, turns in own.items()}
