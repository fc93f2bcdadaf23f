"""Parallel responses over HTTP: candidates side by side, one failing, one chosen."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.sse import parse_events


@pytest.fixture
def settings(settings, tmp_path, upstream):
    """A third model whose provider rejects our key: it fails, deterministically."""
    models = tmp_path / "models.toml"
    models.write_text(
        "[providers.broken]\n"
        'protocol = "openai"\n'
        'api_key_env = "BROKEN_API_KEY"\n'
        f'base_url = "{upstream.openai_base_url}"\n'
        "[models.broken-model]\n"
        'provider = "broken"\n'
        'upstream_id = "broken-model"\n'
        "input_price = 1.0\n"
        "output_price = 2.0\n"
    )
    env = {**settings.provider_env, "BROKEN_API_KEY": "wrong-key"}
    return settings.model_copy(update={"models_file": models, "provider_env": env})


MODELS = ["gpt-5", "claude-sonnet-4-5", "broken-model"]


async def _start(api, cid: str, **body) -> dict:
    response = await api.client.post(
        f"/conversations/{cid}/parallel-responses", json={"content": "Name a colour", **body}
    )
    assert response.status_code == 201, response.text
    return response.json()["data"]


async def _messages(api, cid: str, branch_id: str | None = None) -> list[dict]:
    params = {"branchId": branch_id} if branch_id else {}
    response = await api.client.get(f"/conversations/{cid}/messages", params=params)
    return response.json()["data"]["messages"]


async def test_three_models_one_failing(api, create_conversation, upstream):
    conversation = await create_conversation()
    cid = conversation["id"]
    session = await _start(api, cid, models=MODELS)
    assert session["status"] == "complete"
    assert session["userMessage"]["content"] == "Name a colour"
    by_model = {c["model"]: c for c in session["candidates"]}
    assert [c["model"] for c in session["candidates"]] == MODELS
    for model in MODELS[:2]:
        candidate = by_model[model]
        assert candidate["status"] == "complete" and candidate["error"] is None
        assert candidate["content"] == "Echo: Name a colour"
        assert candidate["usage"]["totalTokens"] > 0 and candidate["latencyMs"] >= 0
        assert candidate["cost"] > 0
    failed = by_model["broken-model"]
    assert failed["status"] == "error" and failed["messageId"] is None
    assert failed["error"]["error"] == "PROVIDER_AUTH_ERROR"
    assert sorted(r.protocol for r in upstream.requests) == ["anthropic", "openai", "openai"]
    # Usage of the session is the sum of its candidates.
    for key in ("promptTokens", "completionTokens", "totalTokens"):
        assert session["usage"][key] == sum(c["usage"][key] for c in session["candidates"])
    assert session["cost"] == pytest.approx(sum(c["cost"] or 0 for c in session["candidates"]))
    # ...and so is the conversation's account of it.
    usage = (await api.client.get(f"/usage/conversations/{cid}")).json()["data"]["totals"]
    assert usage["totalTokens"] == session["usage"]["totalTokens"]
    assert usage["calls"] == 2 and usage["cost"] == pytest.approx(session["cost"])
    # Until a choice, the branch ends on the question.
    assert [m["content"] for m in await _messages(api, cid)] == ["Name a colour"]

    again = await api.client.get(f"/response-sessions/{session['id']}")
    assert again.json()["data"] == session


async def test_choose_makes_the_candidate_the_next_message_and_keeps_the_rest(
    api, create_conversation, send
):
    cid = (await create_conversation())["id"]
    session = await _start(api, cid, models=MODELS)
    chosen, other = (c for c in session["candidates"] if c["status"] == "complete")
    response = await api.client.post(
        f"/response-sessions/{session['id']}/choose", json={"candidateId": chosen["id"]}
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["status"] == "chosen" and data["chosenCandidateId"] == chosen["id"]
    assert data["message"]["id"] == chosen["messageId"]
    assert data["branch"]["headMessageId"] == chosen["messageId"]
    path = await _messages(api, cid)
    assert [m["id"] for m in path] == [session["userMessage"]["id"], chosen["messageId"]]
    assert path[-1]["metadata"]["candidateId"] == chosen["id"]

    # The others stay in the tree as siblings under the question, and can be forked.
    tree = (await api.client.get(f"/conversations/{cid}/tree")).json()["data"]["tree"]
    [question] = tree["children"]
    assert {child["id"] for child in question["children"]} == {
        chosen["messageId"],
        other["messageId"],
    }
    fork = await api.client.post(
        f"/conversations/{cid}/branches", json={"forkPointMessageId": other["messageId"]}
    )
    assert fork.status_code == 201
    alternative = fork.json()["data"]["branch"]["id"]
    reply = await send(cid, "Go on", branchId=alternative)
    assert reply["message"]["parentMessageId"] == reply["userMessage"]["id"]
    assert [m["id"] for m in await _messages(api, cid, alternative)][:2] == [
        session["userMessage"]["id"],
        other["messageId"],
    ]

    # Choosing the same again is a no-op; another one is a conflict.
    same = await api.client.post(
        f"/response-sessions/{session['id']}/choose", json={"candidateId": chosen["id"]}
    )
    assert same.status_code == 200
    second = await api.client.post(
        f"/response-sessions/{session['id']}/choose", json={"candidateId": other["id"]}
    )
    assert second.status_code == 409


async def test_choosing_a_failed_or_unknown_candidate_is_refused(api, create_conversation):
    cid = (await create_conversation())["id"]
    session = await _start(api, cid, models=MODELS)
    failed = next(c for c in session["candidates"] if c["status"] == "error")
    for candidate_id in (failed["id"], "cand_nope"):
        response = await api.client.post(
            f"/response-sessions/{session['id']}/choose", json={"candidateId": candidate_id}
        )
        assert response.status_code == 400
        assert response.json()["details"]["field"] == "candidateId"


async def test_a_branch_that_moved_on_cannot_take_the_choice(api, create_conversation, send):
    cid = (await create_conversation())["id"]
    session = await _start(api, cid, models=MODELS[:2])
    await send(cid, "Something else")  # the head moves past the question
    response = await api.client.post(
        f"/response-sessions/{session['id']}/choose",
        json={"candidateId": session["candidates"][0]["id"]},
    )
    assert response.status_code == 409


async def test_count_samples_one_model_at_spread_temperatures(api, create_conversation, upstream):
    cid = (await create_conversation(temperature=0.5))["id"]
    session = await _start(api, cid, count=3)
    assert [c["model"] for c in session["candidates"]] == ["gpt-5"] * 3
    assert [c["temperature"] for c in session["candidates"]] == [0.5, 0.9, 0.1]
    assert sorted(r.json["temperature"] for r in upstream.requests) == [0.1, 0.5, 0.9]
    assert all(c["status"] == "complete" for c in session["candidates"])


async def test_all_failing_is_an_error_session_that_keeps_the_question(api, create_conversation):
    cid = (await create_conversation())["id"]
    session = await _start(api, cid, models=["broken-model"])
    assert session["status"] == "error"
    assert [m["content"] for m in await _messages(api, cid)] == ["Name a colour"]
    # The branch is free again: a plain send goes through.
    response = await api.client.post(f"/conversations/{cid}/messages", json={"content": "x"})
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"models": ["no-such-model"]}, "models"),
        ({"models": []}, "models"),
        ({"count": 0}, "count"),
        ({"count": 6}, "count"),
        ({"content": ""}, "content"),
        ({"branchId": "br_nope"}, "branchId"),
    ],
)
async def test_bad_input_is_a_400_and_stores_nothing(api, create_conversation, body, field):
    cid = (await create_conversation())["id"]
    response = await api.client.post(
        f"/conversations/{cid}/parallel-responses", json={"content": "hi", **body}
    )
    assert response.status_code in (400, 404), response.text
    if response.status_code == 400:
        assert response.json()["details"]["field"] == field
    assert await _messages(api, cid) == []


async def test_another_account_sees_nothing(api, create_conversation):
    cid = (await create_conversation())["id"]
    session = await _start(api, cid, models=MODELS[:1])
    stranger = api.headers(await api.new_key())
    calls = [
        api.client.get(f"/response-sessions/{session['id']}", headers=stranger),
        api.client.post(
            f"/response-sessions/{session['id']}/choose",
            json={"candidateId": session["candidates"][0]["id"]},
            headers=stranger,
        ),
        api.client.post(
            f"/conversations/{cid}/parallel-responses", json={"content": "x"}, headers=stranger
        ),
    ]
    for response in await asyncio.gather(*calls):
        assert response.status_code == 404


async def test_the_stream_interleaves_candidates_tagged_by_id(api, create_conversation, upstream):
    cid = (await create_conversation())["id"]
    upstream.chunk_delay = 0.005
    try:
        response = await api.client.post(
            f"/conversations/{cid}/parallel-responses/stream",
            json={"content": "one two three four", "models": MODELS},
        )
    finally:
        upstream.chunk_delay = 0.0
    assert response.status_code == 200
    payloads = [payload for _, payload in parse_events(response.text) if payload != "[DONE]"]
    assert payloads[0]["type"] == "session" and payloads[-1]["type"] == "session"
    start, final = payloads[0]["session"], payloads[-1]["session"]
    ids = {c["id"] for c in start["candidates"]}
    assert all(c["status"] == "pending" for c in start["candidates"])
    middle = payloads[1:-1]
    assert {p["candidateId"] for p in middle} == ids
    for candidate in final["candidates"]:
        text = "".join(
            p["content"]
            for p in middle
            if p["candidateId"] == candidate["id"] and p["type"] == "content"
        )
        ends = [p["type"] for p in middle if p["candidateId"] == candidate["id"]][-1]
        if candidate["status"] == "complete":
            assert text == candidate["content"] == "Echo: one two three four"
            assert ends == "complete"
        else:
            assert ends == "error" and text == ""
    assert response.text.endswith("data: [DONE]\n\n")
