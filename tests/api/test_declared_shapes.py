"""Every answer has exactly the fields the OpenAPI document declares for it.

A wire shape is declared once (``schemas/<noun>.py``) and the route's JSON is built from
that declaration; this holds the two together. A walk through every documented operation
checks each answer (JSON bodies, each server-sent event, error bodies) against the
operation's schema in ``app.openapi()`` with every object closed: a field the JSON sends
but the schema does not declare fails, as does a declared field it lacks or a type it
breaks. ``tests/api/test_fuzz_openapi.py`` fuzzes the same document with open objects.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import jsonschema_rs
import pytest

# A model whose provider rejects our key: a parallel candidate that fails.
from tests.api.test_parallel import settings  # noqa: F401
from tests.support.mock_upstream import Fault
from tests.support.sse import payloads

ROOT = "http://test"
CHAT = f"{ROOT}/api/chat"
PASSWORD = "correct horse battery"
PIXEL = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 64).decode()
ALTERNATIVES = "Should I use Postgres or MySQL for the new service? Also, brainstorm names."


def closed(schema: Any) -> Any:
    """``schema`` with every object that lists its properties refusing any other."""
    if isinstance(schema, dict):
        schema = {key: closed(value) for key, value in schema.items()}
        if "properties" in schema and "additionalProperties" not in schema:
            schema["additionalProperties"] = False
        return schema
    if isinstance(schema, list):
        return [closed(item) for item in schema]
    return schema


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    pattern: re.Pattern[str]
    responses: dict[str, Any]


@dataclass
class Contract:
    """The app's OpenAPI document, closed; it checks answers and records the operations."""

    document: dict[str, Any]
    operations: list[Operation] = field(default_factory=list)
    answered: set[tuple[str, str]] = field(default_factory=set)  # (method, template), 2xx

    @classmethod
    def of(cls, openapi: dict[str, Any]) -> Contract:
        contract = cls(closed(copy.deepcopy(openapi)))
        for template, methods in contract.document["paths"].items():
            pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$")
            for method, operation in methods.items():
                contract.operations.append(
                    Operation(method.upper(), template, pattern, operation["responses"])
                )
        # A literal segment wins over a parameter (``/conversations/import``).
        contract.operations.sort(key=lambda op: op.template.count("{"))
        return contract

    def operation(self, method: str, path: str) -> Operation:
        for operation in self.operations:
            if operation.method == method and operation.pattern.match(path):
                return operation
        raise AssertionError(f"{method} {path} is not in the OpenAPI document")

    def documented(self) -> set[tuple[str, str]]:
        """Operations with a JSON or event-stream success answer."""
        return {
            (op.method, op.template)
            for op in self.operations
            for status, response in op.responses.items()
            if status.startswith("2")
            and {"application/json", "text/event-stream"} & set(response.get("content", {}))
        }

    def _validator(self, schema: dict[str, Any]) -> jsonschema_rs.Validator:
        return jsonschema_rs.Draft202012Validator(
            {**schema, "components": self.document["components"]}
        )

    def check(self, response: httpx.Response) -> None:
        request = response.request
        operation = self.operation(request.method, request.url.path)
        where = f"{request.method} {request.url.path} {response.status_code}"
        declared = operation.responses.get(str(response.status_code))
        assert declared is not None, f"{where}: status not declared"
        media = response.headers.get("content-type", "").split(";")[0]
        content = declared.get("content", {}).get(media)
        assert content is not None, f"{where}: {media} not declared"
        if media == "text/event-stream":
            events = content["itemSchema"]["properties"]["data"]["anyOf"][1]["contentSchema"]
            validator = self._validator(events)
            bodies = [event for event in payloads(response.text) if event != "[DONE]"]
        elif media == "application/json":
            validator = self._validator(content["schema"])
            bodies = [response.json()]
        else:
            return  # bytes (an image): no JSON shape to hold
        for body in bodies:
            errors = [str(error) for error in validator.iter_errors(body)]
            assert not errors, f"{where}: {json.dumps(body)[:2000]}\n" + "\n".join(errors)
        if response.is_success:
            self.answered.add((operation.method, operation.template))


@pytest.fixture
def contract(api) -> Iterator[Contract]:
    """Every answer the ``api`` client (or ``anonymous``) gets is checked as it arrives."""
    checked = Contract.of(api.app.openapi())

    async def check(response: httpx.Response) -> None:
        await response.aread()
        checked.check(response)

    api.client.event_hooks["response"].append(check)
    yield checked


@pytest.fixture
async def anonymous(api, contract) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the same app with no credential, its answers checked too."""

    async def check(response: httpx.Response) -> None:
        await response.aread()
        contract.check(response)

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=api.app),
        base_url=str(api.client.base_url),
        event_hooks={"response": [check]},
    ) as client:
        yield client


def _data(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()["data"]


def _done(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    assert response.json() == {"success": True}


def _stream(client: httpx.AsyncClient, path: str, **body: Any) -> Any:
    return client.post(path, json=body, headers={"Accept": "text/event-stream"})


async def _meta(client: httpx.AsyncClient) -> None:
    for path in ("/health", "/status", "/models", "/plans", "/billing", "/autobranch/health"):
        _data(await client.get(path))
    _data(await client.get("/usage/pricing"))
    for path in ("/health", "/ready"):
        _data(await client.get(f"{ROOT}{path}"))


async def _conversation(client: httpx.AsyncClient, upstream: Any) -> dict[str, str]:
    """A conversation sent to, streamed, forked, edited, checkpointed, merged and read."""
    created = _data(await client.post("/conversations", json={"title": "Shapes"}), 201)
    cid = created["conversation"]["id"]
    _data(await client.patch(f"/conversations/{cid}", json={"title": "Shapes, renamed"}))
    first = _data(await client.post(f"/conversations/{cid}/messages", json={"content": "one"}), 201)
    main = first["branchId"]
    second = _data(
        await client.post(f"/conversations/{cid}/messages", json={"content": "two"}), 201
    )
    # A send after a message that is not the head forks: ``branch`` is in the answer.
    forked = _data(
        await client.post(
            f"/conversations/{cid}/messages",
            json={"content": "aside", "parentMessageId": first["message"]["id"]},
        ),
        201,
    )
    assert "branch" in forked
    fork = forked["branch"]["id"]
    _data(
        await client.post(f"/conversations/{cid}/branches/{fork}/messages", json={"content": "x"}),
        201,
    )
    # Streams: live, live with a fork, on a branch, a stored reply read back, a cut one.
    live = await _stream(client, f"/conversations/{cid}/messages/stream", content="three")
    assert payloads(live.text)[-2]["type"] == "complete"
    forking = await _stream(
        client,
        f"/conversations/{cid}/messages/stream",
        content="another aside",
        parentMessageId=second["message"]["id"],
    )
    assert "branch" in payloads(forking.text)[-2]
    await _stream(client, f"/conversations/{cid}/branches/{fork}/messages/stream", content="y")
    reply = second["message"]["id"]
    stored = await client.get(f"/conversations/{cid}/messages/{reply}/stream")
    assert payloads(stored.text)[-2]["type"] == "complete"
    upstream.enqueue(Fault.cut_after(2))
    cut = await _stream(client, f"/conversations/{cid}/messages/stream", content="to be cut")
    assert payloads(cut.text)[-2]["type"] == "error"
    assert (
        _data(await client.post(f"/conversations/{cid}/messages/{reply}/stop"))["stopped"] is False
    )
    # Reads.
    _data(await client.get("/conversations"))
    _data(await client.get(f"/conversations/{cid}"))
    _data(await client.get(f"/conversations/{cid}/messages", params={"branchId": fork}))
    _data(await client.get(f"/conversations/{cid}/branches"))
    _data(await client.get(f"/conversations/{cid}/branches/{fork}/messages"))
    _data(await client.get(f"/conversations/{cid}/tree"))
    # A message pinned; the next send previewed, on the branch and at a fork point.
    pin = f"/messages/{second['userMessage']['id']}/context"
    assert _data(await client.patch(pin, json={"pinned": True}))["message"]["pinned"] is True
    preview = f"/conversations/{cid}/branches/{main}/preview"
    _data(await client.get(preview, params={"content": "next"}))
    at_fork = {"forkPointMessageId": first["message"]["id"], "contextMode": "NONE"}
    _data(await client.get(preview, params=at_fork))
    # Branches made, renamed; an edit off the head makes one, an edit of the head does not.
    question = first["userMessage"]["id"]
    made = _data(
        await client.post(f"/conversations/{cid}/branches", json={"forkPointMessageId": question}),
        201,
    )["branch"]["id"]
    _data(
        await client.post(f"/conversations/{cid}/fork", json={"forkPointMessageId": question}), 201
    )
    _data(await client.patch(f"/conversations/{cid}/branches/{made}", json={"title": "Made"}))
    assert "branch" in _data(await client.patch(f"/messages/{question}", json={"content": "uno"}))
    # Checkpoints, and a branch recreated from one.
    checkpoint = _data(
        await client.post(
            f"/conversations/{cid}/checkpoints",
            json={"branchId": main, "anchorMessageId": reply},
        ),
        201,
    )["checkpoint"]["id"]
    _data(await client.get(f"/conversations/{cid}/checkpoints"))
    _data(await client.post(f"/checkpoints/{checkpoint}/recreate"), 201)
    _done(await client.delete(f"/checkpoints/{checkpoint}"))
    # The fork merged back, keeping it.
    merged = await client.post(f"/conversations/{cid}/branches/{fork}/merge", json={})
    _data(merged)
    return {"conversation": cid, "main": main, "fork": fork, "made": made, "reply": reply}


async def _autobranch(client: httpx.AsyncClient, cid: str) -> None:
    _data(await client.post("/autobranch/suggest-branches", json={"text": ALTERNATIVES}))
    sent = _data(
        await client.post(f"/conversations/{cid}/messages", json={"content": ALTERNATIVES}), 201
    )
    url = f"/conversations/{cid}/messages/{sent['userMessage']['id']}/autobranch"
    _data(await client.post(url, json={}), 201)


async def _parallel(client: httpx.AsyncClient, cid: str) -> None:
    """Two models, one failing (its ``error`` an error body), then the other chosen."""
    models = ["gpt-5", "broken-model"]
    started = await client.post(
        f"/conversations/{cid}/parallel-responses", json={"content": "Pick", "models": models}
    )
    session = _data(started, 201)
    assert any(c["error"] for c in session["candidates"])
    _data(await client.get(f"/response-sessions/{session['id']}"))
    good = next(c for c in session["candidates"] if c["status"] == "complete")
    chosen = await client.post(
        f"/response-sessions/{session['id']}/choose", json={"candidateId": good["id"]}
    )
    _data(chosen)
    streamed = await _stream(
        client, f"/conversations/{cid}/parallel-responses/stream", content="Again", count=2
    )
    assert payloads(streamed.text)[-2]["type"] == "session"


async def _usage(client: httpx.AsyncClient, ids: dict[str, str]) -> None:
    cid, fork = ids["conversation"], ids["fork"]
    for timeframe in ("month", "all"):
        _data(await client.get("/usage", params={"timeframe": timeframe}))
    _data(await client.get("/usage/summary"))
    _data(await client.get(f"/usage/conversations/{cid}", params={"branchId": fork}))
    _data(await client.get(f"/usage/branches/{fork}"))
    _data(await client.get(f"/usage/messages/{ids['reply']}"))


async def _export(client: httpx.AsyncClient, cid: str) -> dict[str, Any]:
    return _data(await client.get(f"/conversations/{cid}/export"))


async def _chat(client: httpx.AsyncClient) -> None:
    turn = {"message": "describe", "provider": "openai"}
    answer = await client.post(CHAT, json={**turn, "image": PIXEL, "imageMimeType": "image/png"})
    assert answer.status_code == 200, answer.text
    conversation = answer.json()["conversationId"]
    streamed = await client.post(
        CHAT, json={**turn, "conversationId": conversation, "stream": True}
    )
    assert payloads(streamed.text)[-2]["type"] == "done"
    await client.get(f"{CHAT}/conversations")
    listed = await client.get(f"{CHAT}/messages", params={"conversationId": conversation})
    assert any(m["images"] for m in listed.json()["messages"])
    await client.get(f"{CHAT}/settings")
    await client.patch(f"{CHAT}/settings", json={"defaultProvider": "openai"})
    truncated = await client.post(f"{CHAT}/conversations/{conversation}/truncate", json={"keep": 2})
    assert truncated.status_code == 200, truncated.text
    assert (await client.delete(f"{CHAT}/conversations/{conversation}")).status_code == 200


async def _keys(client: httpx.AsyncClient) -> None:
    _data(await client.get("/api-keys"))
    key = _data(await client.post("/api-keys", json={"name": "shapes"}), 201)["apiKey"]
    _done(await client.delete(f"/api-keys/{key['id']}"))


async def _webhooks(client: httpx.AsyncClient) -> None:
    """An endpoint made, read, changed, its secret rotated, tested, a delivery read and
    redelivered, then deleted (no server runs the sender here: deliveries stay pending)."""
    body = {"url": "https://1.1.1.1/hooks", "events": ["*"], "description": "shapes"}
    made = _data(await client.post("/webhooks", json=body), 201)["webhook"]
    hook = f"/webhooks/{made['id']}"
    _data(await client.get("/webhooks"))
    _data(await client.get(hook))
    _data(await client.patch(hook, json={"events": ["branch.created"]}))
    _data(await client.post(f"{hook}/rotate-secret"))
    delivery = _data(await client.post(f"{hook}/test"), 202)["delivery"]
    _data(await client.get(f"{hook}/deliveries", params={"limit": 5}))
    _data(await client.get(f"{hook}/deliveries/{delivery['id']}"))
    _data(await client.post(f"{hook}/deliveries/{delivery['id']}/redeliver"), 202)
    _done(await client.delete(hook))


async def _sessions(anonymous: httpx.AsyncClient) -> None:
    """Register, log in, refresh, read oneself, log out; a guest, converted; an erasure."""
    email = f"shapes-{uuid.uuid4().hex[:10]}@example.com"
    registered = _data(
        await anonymous.post("/auth/register", json={"email": email, "password": PASSWORD}), 201
    )
    login = _data(await anonymous.post("/auth/login", json={"email": email, "password": PASSWORD}))
    refresh_token = login["tokens"]["refreshToken"]
    refreshed = _data(await anonymous.post("/auth/refresh", json={"refreshToken": refresh_token}))
    bearer = {"Authorization": f"Bearer {refreshed['accessToken']}"}
    _data(await anonymous.get("/auth/me", headers=bearer))
    _done(await anonymous.post("/auth/logout", json={"refreshToken": refreshed["refreshToken"]}))
    guest = _data(await anonymous.post("/auth/guest"), 201)
    as_guest = {"Authorization": f"Bearer {guest['tokens']['accessToken']}"}
    _data(await anonymous.get("/auth/guest", headers=as_guest))
    convert = {"email": f"guest-{uuid.uuid4().hex[:10]}@example.com", "password": PASSWORD}
    _data(await anonymous.post("/auth/guest/convert", json=convert, headers=as_guest))
    # The registered account exported, then erased.
    owner = {"Authorization": f"Bearer {registered['tokens']['accessToken']}"}
    _data(await anonymous.get("/account/export", headers=owner))
    erased = await anonymous.request("DELETE", "/account", json={"confirm": email}, headers=owner)
    assert _data(erased) == {"deleted": True}


async def _openai_chat(client: httpx.AsyncClient) -> None:
    """OpenAI's models and Chat Completions at /v1, plain and streamed."""
    v1 = f"{ROOT}/v1"
    listed = await client.get(f"{v1}/models")
    assert listed.status_code == 200, listed.text
    assert (await client.get(f"{v1}/models/gpt-4")).json()["id"] == "gpt-4"
    body = {"model": "gpt-5", "messages": [{"role": "user", "content": "hi"}]}
    plain = await client.post(f"{v1}/chat/completions", json=body)
    assert plain.json()["object"] == "chat.completion", plain.text
    streamed = await client.post(
        f"{v1}/chat/completions",
        json={**body, "stream": True, "stream_options": {"include_usage": True}},
    )
    assert payloads(streamed.text)[-1] == "[DONE]", streamed.text


async def _openai_responses(client: httpx.AsyncClient) -> None:
    """OpenAI's Responses and Conversations at /v1: each operation answered, streams too."""
    v1 = f"{ROOT}/v1"

    def ok(response: httpx.Response) -> Any:
        assert response.status_code == 200, response.text
        return response.json()

    first = ok(await client.post(f"{v1}/responses", json={"model": "gpt-5", "input": "one"}))
    streamed = await client.post(
        f"{v1}/responses",
        json={"input": "two", "previous_response_id": first["id"], "stream": True},
    )
    assert payloads(streamed.text)[-1]["type"] == "response.completed"
    ok(await client.get(f"{v1}/responses/{first['id']}"))
    replayed = await client.get(
        f"{v1}/responses/{first['id']}", params={"stream": "true", "starting_after": 1}
    )
    assert payloads(replayed.text)[0]["sequence_number"] == 2
    ok(await client.get(f"{v1}/responses/{first['id']}/input_items"))
    background = ok(
        await client.post(f"{v1}/responses", json={"input": "three", "background": True})
    )
    ok(await client.post(f"{v1}/responses/{background['id']}/cancel"))
    ok(await client.delete(f"{v1}/responses/{first['id']}"))
    conversation = ok(
        await client.post(
            f"{v1}/conversations",
            json={"items": [{"role": "user", "content": "hi"}], "metadata": {"k": "v"}},
        )
    )
    cid = conversation["id"]
    ok(await client.get(f"{v1}/conversations/{cid}"))
    ok(await client.post(f"{v1}/conversations/{cid}", json={"metadata": {"k": "w"}}))
    added = ok(
        await client.post(
            f"{v1}/conversations/{cid}/items",
            json={"items": [{"role": "assistant", "content": "hello"}]},
        )
    )
    ok(await client.get(f"{v1}/conversations/{cid}/items"))
    item = added["data"][0]["id"]
    ok(await client.get(f"{v1}/conversations/{cid}/items/{item}"))
    ok(await client.delete(f"{v1}/conversations/{cid}/items/{item}"))
    ok(await client.delete(f"{v1}/conversations/{cid}"))
    # errors under /v1 have OpenAI's body, as declared
    assert (await client.get(f"{v1}/responses/resp_missing")).status_code == 404
    assert (await client.post(f"{v1}/responses", json={"input": []})).status_code == 400


async def _deletions(client: httpx.AsyncClient, ids: dict[str, str]) -> None:
    cid = ids["conversation"]
    _done(await client.delete(f"/messages/{ids['reply']}"))
    _done(await client.delete(f"/conversations/{cid}/branches/{ids['made']}"))
    _done(await client.delete(f"/conversations/{cid}"))


async def test_every_answer_has_exactly_the_fields_its_schema_declares(
    api, contract, anonymous, upstream
):
    client = api.client
    await _meta(client)
    ids = await _conversation(client, upstream)
    await _autobranch(client, ids["conversation"])
    await _parallel(client, ids["conversation"])
    await _usage(client, ids)
    document = await _export(client, ids["conversation"])
    await _chat(client)
    await _openai_chat(client)
    await _openai_responses(client)
    await _keys(client)
    await _webhooks(client)
    await _sessions(anonymous)
    await _deletions(client, ids)
    _data(await client.post("/conversations/import", json=document), 201)  # deleted: it is new
    unanswered = contract.documented() - contract.answered
    assert not unanswered, f"operations never answered here: {sorted(unanswered)}"


async def test_error_bodies_have_exactly_the_declared_fields(api, contract, anonymous):
    """Not found, invalid input (a field, a model), no credential."""
    assert (await api.client.get("/conversations/conv_missing")).status_code == 404
    assert (await api.client.post("/conversations", json={"title": ""})).status_code == 400
    assert (await anonymous.get("/conversations")).status_code == 401
    unknown = await api.client.post("/conversations", json={"title": "t", "model": "no-such"})
    assert unknown.status_code == 400
