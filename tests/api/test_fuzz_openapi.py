"""Schemathesis over our own /openapi.json, on SQLite and PostgreSQL.

Every operation gets cases valid by its schema (positive); those with a query or a
body also get invalid ones (negative), and those with path ids one id a character
too long. Cases go over HTTP to uvicorn serving the app in a thread of this process
(schemathesis' own ASGI transport would keep each app's lifespan until exit). Each
response must not be a 5xx, must have a declared status code and content type and
match the declared schema (SSE streams event by event); invalid input gets a 4xx.

Path parameters, id query parameters and id fields of bodies draw from a seeded
conversation (messages, a second branch, a checkpoint, a parallel-response session)
about half of the time, so the deep routes answer more than 404. Operations that
rewrite or delete run last. Generation is derandomized (same cases every run);
``CHATROUTES_FUZZ_EXAMPLES`` sets the cases per operation and mode (default 3).

This file runs on SQLite; ``test_fuzz_openapi_postgresql.py`` runs the same test on
PostgreSQL, a file of its own so that the two runs (about a minute each) go to two
workers under ``--dist loadfile``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode, checks
from schemathesis.core import NOT_SET
from schemathesis.errors import FailureGroup
from schemathesis.hooks import HookDispatcher, HookScope

from chatroutes.server.app import create_app
from chatroutes.server.services.accounts import AccountService
from chatroutes.server.settings import Settings
from chatroutes.server.store.database import Database
from tests.conftest import API_PREFIX
from tests.support.in_thread import served_in_thread

pytestmark = [pytest.mark.long, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]

EXAMPLES = int(os.environ.get("CHATROUTES_FUZZ_EXAMPLES", "3"))
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
NEGATIVE_CHECKS = [*CHECKS, checks.negative_data_rejection]
CONFIG = {
    # The credential is the test's (``_credentials``), not a generated header.
    "generation": {"with-security-parameters": False},
    # Invalid input is refused with a 4xx: schemathesis' list without "5xx", plus 413
    # for an oversized one (10,001 ids where 10,000 is the limit).
    "checks": {
        "negative_data_rejection": {
            "expected-statuses": [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429]
        }
    },
}
# Names of path/query parameters and body fields, and the seed each draws from.
SEED_KINDS = {
    "conversation_id": "conversation",
    "conversationId": "conversation",
    "branch_id": "branch",
    "branchId": "branch",
    "parentBranchId": "branch",
    "message_id": "message",
    "parentMessageId": "message",
    "forkPointMessageId": "message",
    "baseNodeId": "message",
    "anchorMessageId": "message",
    "expectedParentHeadMessageId": "message",
    "checkpoint_id": "checkpoint",
    "session_id": "session",
    "candidateId": "candidate",
    "webhook_id": "webhook",
    "delivery_id": "delivery",
    "key_id": "key",
    "response_id": "response",
    "previous_response_id": "response",
    "item_id": "message",
    "model": "model",
}
# Operations whose credential is a guest session (API keys are refused there), or none.
GUEST_OPERATIONS = {"GET /api/v1/auth/guest", "POST /api/v1/auth/guest/convert"}
ANONYMOUS_OPERATIONS = {"POST /api/v1/auth/guest"}


@dataclass
class LiveServer:
    url: str
    api_key: str
    seeds: dict[str, list[str]]  # by kind: conversation, branch, message…
    guest_token: str


async def _new_key(settings: Settings, secret: bytes) -> str:
    """An enterprise account's key, made through its own connection (the server has its own)."""
    db = Database(settings.resolved_database_url())
    try:
        accounts = AccountService(db, secret)
        email = f"fuzz-{uuid.uuid4().hex[:10]}@example.com"
        await accounts.create_user(email, plan="enterprise")
        return (await accounts.create_key(email)).secret
    finally:
        await db.dispose()


def _seed(client: httpx.Client) -> tuple[dict[str, list[str]], str]:
    """A conversation with a reply, a fork, a checkpoint and a parallel-response session;
    a webhook and a delivery; the reply as a /v1 response, and models (an alias too)."""

    def data(response: httpx.Response, status: int = 201) -> dict[str, Any]:
        assert response.status_code == status, response.text
        return response.json()["data"]

    conversation = data(client.post("/conversations", json={"title": "Fuzz"}))["conversation"]
    cid = conversation["id"]
    sent = data(client.post(f"/conversations/{cid}/messages", json={"content": "Hello"}))
    question, answer = sent["userMessage"]["id"], sent["assistantMessage"]["id"]
    main = sent["branchId"]
    fork = data(client.post(f"/conversations/{cid}/fork", json={"forkPointMessageId": question}))[
        "branch"
    ]
    checkpoint = data(
        client.post(
            f"/conversations/{cid}/checkpoints",
            json={"branchId": main, "anchorMessageId": answer},
        )
    )["checkpoint"]
    session = data(
        client.post(f"/conversations/{cid}/parallel-responses", json={"content": "Hi", "count": 2})
    )
    key = data(client.post("/api-keys", json={"name": "fuzz"}))["apiKey"]
    webhook = data(
        client.post("/webhooks", json={"url": "https://1.1.1.1/hooks", "events": ["*"]})
    )["webhook"]
    delivery = data(client.post(f"/webhooks/{webhook['id']}/test"), 202)["delivery"]
    guest = data(httpx.post(f"{client.base_url}auth/guest"))  # a guest has no API key
    seeds = {
        "conversation": [cid],
        "branch": [main, fork["id"]],
        "message": [question, answer],
        "checkpoint": [checkpoint["id"]],
        "session": [session["id"]],
        "candidate": [c["id"] for c in session["candidates"]],
        "key": [key["id"]],
        "webhook": [webhook["id"]],
        "delivery": [delivery["id"]],
        # /v1: every reply is a response; a conversation's items are its messages
        "response": ["resp_" + answer.removeprefix("msg_")],
        "model": ["gpt-5", "gpt-4"],
    }
    return seeds, guest["tokens"]["accessToken"]


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[LiveServer]:
    app = create_app(settings)
    api_key = await _new_key(settings, app.state.ctx.secret)
    with served_in_thread(app) as url:
        with httpx.Client(base_url=url + API_PREFIX, headers={"X-API-Key": api_key}) as client:
            seeds, guest_token = _seed(client)
        yield LiveServer(url, api_key, seeds, guest_token)


def _with_seeds(values: Any, seeds: dict[str, list[str]]) -> st.SearchStrategy[Any]:
    """``values`` as generated, or with each id-named entry replaced by a seeded id."""
    if not isinstance(values, dict):
        return st.just(values)
    choices = {
        name: st.sampled_from(seeds[SEED_KINDS[name]])
        for name in values
        if name in SEED_KINDS and seeds.get(SEED_KINDS[name])
    }
    if not choices:
        return st.just(values)
    seeded = st.fixed_dictionaries(choices).map(lambda chosen: {**values, **chosen})
    return st.one_of(st.just(values), seeded)


def _seeding_hooks(seeds: dict[str, list[str]]) -> HookDispatcher:
    """Hooks for valid cases only: a seed would replace the value a negative case broke."""
    hooks = HookDispatcher(scope=HookScope.SCHEMA)
    for location in ("path_parameters", "query", "body"):
        hooks.register_hook_with_name(
            lambda _ctx, values: _with_seeds(values, seeds), f"flatmap_{location}"
        )
    return hooks


def _credentials(label: str, server: LiveServer) -> dict[str, str]:
    if label in ANONYMOUS_OPERATIONS:
        return {}
    if label in GUEST_OPERATIONS:
        return {"Authorization": f"Bearer {server.guest_token}"}
    return {"X-API-Key": server.api_key}


def _destructive_last(operation: Any) -> tuple[int, str]:
    """Reads first, then rewrites, then deletes; the seeded conversation and the account last."""
    path, method = operation.path, operation.method.upper()
    if method != "DELETE":
        rank = 1 if path.endswith(("/truncate", "/merge", "/convert")) else 0
    elif path.endswith("/account"):
        rank = 4
    else:
        rank = 3 if path.endswith("/conversations/{conversation_id}") else 2
    return (rank, operation.label)


def _fuzz(
    operation: Any, mode: GenerationMode, server: LiveServer, hooks: HookDispatcher | None
) -> set[int]:
    """Runs the cases; returns the status codes seen."""
    statuses: set[int] = set()
    headers = _credentials(operation.label, server)
    checks_for_mode = NEGATIVE_CHECKS if mode == GenerationMode.NEGATIVE else CHECKS

    @given(case=operation.as_strategy(generation_mode=mode, hooks=hooks))
    @hypothesis_settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        response = case.call(base_url=server.url, headers=headers, timeout=30)
        statuses.add(response.status_code)
        case.validate_response(response, checks=checks_for_mode, headers=headers)

    run()
    return statuses


def _operations(schema: Any) -> list[Any]:
    return sorted((result.ok() for result in schema.get_all_operations()), key=_destructive_last)


def _too_long_ids(operation: Any, server: LiveServer) -> None:
    """Every path id one character over the limit: a 400 naming it, as the schema says."""
    headers = _credentials(operation.label, server)
    params = {parameter.name: "x" * 65 for parameter in operation.path_parameters}
    case = operation.Case(path_parameters=params, body={} if len(operation.body) else NOT_SET)
    response = case.call(base_url=server.url, headers=headers, timeout=30)
    case.validate_response(response, checks=CHECKS, headers=headers)
    assert response.status_code == 400, (operation.label, response.text)


def test_every_operation_keeps_its_contract(live: LiveServer) -> None:
    schema = schemathesis.openapi.from_url(
        live.url + "/openapi.json", config=schemathesis.Config.from_dict(CONFIG)
    )
    operations = _operations(schema)
    assert len(operations) >= 60, "every route belongs in /openapi.json"
    # Invalid cases where there is a query or a body to break; invalid path ids (whose
    # generation costs seconds an operation) are the one-character-too-long ones below.
    runs = [(operation, GenerationMode.POSITIVE) for operation in operations] + [
        (operation, GenerationMode.NEGATIVE)
        for operation in operations
        if len(operation.query) or len(operation.body)
    ]
    seeding = _seeding_hooks(live.seeds)
    failures: list[str] = []
    succeeded: set[str] = set()
    for operation, mode in runs:
        try:
            hooks = seeding if mode == GenerationMode.POSITIVE else None
            if any(200 <= status < 300 for status in _fuzz(operation, mode, live, hooks)):
                succeeded.add(operation.label)
        except (Exception, FailureGroup) as exc:  # all of them, in one run
            failures.append(f"{operation.label} [{mode.value}]: {str(exc)[:3000]}")
    for operation in operations:
        if len(operation.path_parameters):
            try:
                _too_long_ids(operation, live)
            except (Exception, FailureGroup) as exc:
                failures.append(f"{operation.label} [id too long]: {str(exc)[:3000]}")
    assert not failures, "\n\n".join(failures)
    # The seeds take valid cases past "404": most operations did their job at least once.
    assert len(succeeded) >= len(operations) * 2 // 3, sorted(
        {o.label for o in operations} - succeeded
    )
