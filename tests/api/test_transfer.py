"""Conversation export and import over HTTP, between two independent servers.

The second server has its own database; a conversation exported from the first
and imported there must read back identically: the same document (but for
``exportedAt``), the same branch paths and tree, and content hashes a client
recomputes per WIRE.md.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import event

from chatroutes.server.settings import Settings
from chatroutes.server.store.migrate import upgrade
from tests.conftest import client_for, wipe
from tests.support.mock_upstream import Fault
from tests.support.wire import wire_hash

OFFLINE = "chatroutes-offline"

# ---------------------------------------------------------------------------
# Helpers


async def export(client: httpx.AsyncClient, cid: str) -> dict:
    response = await client.get(f"/conversations/{cid}/export")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    return body["data"]


async def import_(client: httpx.AsyncClient, document: object) -> httpx.Response:
    return await client.post("/conversations/import", json=document)


def without_spent(value: object) -> object:
    """``value`` without what its conversations and branches spent (``spent``, at any
    depth): an import's spend starts at nothing, on the server that imports it."""
    if isinstance(value, dict):
        return {k: without_spent(v) for k, v in value.items() if k != "spent"}
    if isinstance(value, list):
        return [without_spent(v) for v in value]
    return value


def without_exported_at(document: dict) -> dict:
    return {k: v for k, v in document.items() if k != "exportedAt"}


async def branch_paths(client: httpx.AsyncClient, document: dict) -> dict[str, list[dict]]:
    """Every branch's visible path, as ``GET …/branches/{id}/messages`` answers it."""
    cid = document["conversation"]["id"]
    paths = {}
    for branch in document["branches"]:
        response = await client.get(f"/conversations/{cid}/branches/{branch['id']}/messages")
        assert response.status_code == 200, response.text
        paths[branch["id"]] = response.json()["data"]["messages"]
    return paths


async def tree_without_owner(client: httpx.AsyncClient, cid: str) -> dict:
    response = await client.get(f"/conversations/{cid}/tree")
    assert response.status_code == 200, response.text
    tree = response.json()["data"]
    del tree["conversation"]["userId"]  # the importing account owns the copy
    return without_spent(tree)  # type: ignore[return-value]


def fresh_id(old: str) -> str:
    prefix = old.split("_", 1)[0] if "_" in old else "x"
    return f"{prefix}_{uuid.uuid4().hex[:26]}"


def renamed(document: dict, keep: frozenset[str] = frozenset()) -> dict:
    """A copy with new ids everywhere (but ``keep``), hashes recomputed as a client would."""
    doc = copy.deepcopy(document)
    ids = {doc["conversation"]["id"]}
    ids |= {x["id"] for part in ("branches", "messages", "checkpoints") for x in doc[part]}
    new = {old: old if old in keep else fresh_id(old) for old in ids}

    def ref(value: str | None) -> str | None:
        return new.get(value, value) if value is not None else None

    doc["conversation"]["id"] = new[doc["conversation"]["id"]]
    for b in doc["branches"]:
        b["id"] = new[b["id"]]
        for name in ("parentBranchId", "forkPointMessageId", "headMessageId", "checkpointId"):
            b[name] = ref(b[name])
    for m in doc["messages"]:
        for name in ("id", "branchId", "parentMessageId", "editedFrom"):
            m[name] = ref(m[name])
        m["contentHash"] = wire_hash(m)
    for c in doc["checkpoints"]:
        for name in ("id", "branchId", "anchorMessageId"):
            c[name] = ref(c[name])
    return doc


def rehash(document: dict, index: int) -> None:
    message = document["messages"][index]
    message["contentHash"] = wire_hash(message)


async def build_rich_conversation(client: httpx.AsyncClient) -> str:
    """Forks of every kind, edits, deletions, a checkpoint and a branch recreated from it."""
    created = await client.post(
        "/conversations",
        json={
            "title": "Transfer ✓ test",
            "systemPrompt": "Be brief. «Ünïcode»",
            "temperature": 0.3,
            "maxTokens": 512,
        },
    )
    assert created.status_code == 201, created.text
    conversation = created.json()["data"]["conversation"]
    cid, main = conversation["id"], conversation["branches"][0]["id"]

    async def post(url: str, body: dict, status: int = 201) -> dict:
        response = await client.post(url, json=body)
        assert response.status_code == status, response.text
        return response.json().get("data", {})

    first = await post(f"/conversations/{cid}/messages", {"content": "first 🌍"})
    second = await post(f"/conversations/{cid}/messages", {"content": "second"})
    third = await post(f"/conversations/{cid}/messages", {"content": "third\nline"})
    # A send after a message that is not the head forks a branch there.
    forked = await post(
        f"/conversations/{cid}/messages",
        {"content": "another way", "parentMessageId": first["message"]["id"]},
    )
    fork_branch = forked["branch"]["id"]
    await post(f"/conversations/{cid}/branches/{fork_branch}/messages", {"content": "on the fork"})
    # A fork at a message, and a branch at a branch's head (no fork point).
    explicit = await post(
        f"/conversations/{cid}/fork",
        {"forkPointMessageId": second["userMessage"]["id"], "title": "Explicit"},
    )
    await post(
        f"/conversations/{cid}/branches/{explicit['branch']['id']}/messages",
        {"content": "explicit fork"},
    )
    at_head = await post(
        f"/conversations/{cid}/branches",
        {
            "title": "At head",
            "parentBranchId": fork_branch,
            "description": "d",
            "contextMode": "NONE",
        },
    )
    doomed = await post(
        f"/conversations/{cid}/fork", {"forkPointMessageId": first["message"]["id"]}
    )
    await post(
        f"/conversations/{cid}/branches/{doomed['branch']['id']}/messages", {"content": "doomed"}
    )
    # Edits: the head moves; elsewhere a new branch holds the edit.
    for message_id, content in (
        (third["message"]["id"], "third, edited"),
        (second["userMessage"]["id"], "second, edited"),
    ):
        edited = await client.patch(f"/messages/{message_id}", json={"content": content})
        assert edited.status_code == 200, edited.text
    deleted = await client.delete(f"/messages/{second['message']['id']}")
    assert deleted.status_code == 200, deleted.text
    # A checkpoint on main, and a branch recreated from it.
    checkpoint = await post(
        f"/conversations/{cid}/checkpoints",
        {
            "branchId": main,
            "anchorMessageId": third["userMessage"]["id"],
            "metadata": {"note": "ünïcode"},
        },
    )
    await post(f"/checkpoints/{checkpoint['checkpoint']['id']}/recreate", {})
    # Deleting a branch hides its own messages and keeps them in the tree.
    removed = await client.delete(f"/conversations/{cid}/branches/{doomed['branch']['id']}")
    assert removed.status_code == 200, removed.text
    # Settings that must travel too.
    patched = await client.patch(
        f"/conversations/{cid}/branches/{at_head['branch']['id']}", json={"archived": True}
    )
    assert patched.status_code == 200, patched.text
    patched = await client.patch(f"/conversations/{cid}", json={"archived": True})
    assert patched.status_code == 200, patched.text
    return cid


def add_checkpoint(document: dict) -> dict:
    """A hand-made checkpoint on main at the first message, and a branch starting from it."""
    doc = copy.deepcopy(document)
    main = next(b for b in doc["branches"] if b["isMain"])
    checkpoint_id = f"ckpt_{uuid.uuid4().hex[:26]}"
    doc["checkpoints"].append(
        {
            "id": checkpoint_id,
            "branchId": main["id"],
            "anchorMessageId": doc["messages"][0]["id"],
            "checkpointType": "manual",
            "summary": "A summary.",
            "tokenCount": 3,
            "sourceMessageCount": 1,
            "sourceTokenCount": 5,
            "summarizer": "extractive",
            "metadata": {"k": [1, 2.5, None, True]},
            "createdAt": doc["messages"][0]["createdAt"],
        }
    )
    doc["branches"][1]["checkpointId"] = checkpoint_id
    return doc


# ---------------------------------------------------------------------------
# A second, independent server

_other_urls: dict[str, str] = {}


@pytest.fixture
async def other_settings(
    settings: Settings, backend: str, request: pytest.FixtureRequest, tmp_path
) -> Settings:
    """The first server's settings but another database (migrated once, wiped per test)."""
    if backend not in _other_urls:
        if backend == "sqlite":
            directory = request.getfixturevalue("tmp_path_factory").mktemp("other")
            url = f"sqlite+aiosqlite:///{directory / 'other.db'}"
        else:
            url = request.getfixturevalue("postgres").create_database(
                f"other_{uuid.uuid4().hex[:8]}"
            )
        await upgrade(url)
        _other_urls[backend] = url
    await wipe(_other_urls[backend])
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    return settings.model_copy(update={"database_url": _other_urls[backend], "data_dir": other_dir})


@pytest.fixture
async def other(other_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(other_settings) as client:
        yield client


@pytest.fixture
async def document(api) -> dict:
    """An export with two turns, a fork, an edit and a deletion, plus a hand-made checkpoint."""
    created = await api.client.post("/conversations", json={"title": "Doc"})
    cid = created.json()["data"]["conversation"]["id"]
    first = (await api.client.post(f"/conversations/{cid}/messages", json={"content": "a"})).json()
    await api.client.post(f"/conversations/{cid}/messages", json={"content": "b"})
    await api.client.post(
        f"/conversations/{cid}/messages",
        json={"content": "c", "parentMessageId": first["data"]["message"]["id"]},
    )
    edited = await api.client.patch(
        f"/messages/{first['data']['userMessage']['id']}", json={"content": "a2"}
    )
    assert edited.status_code == 200, edited.text
    deleted = await api.client.delete(f"/messages/{first['data']['message']['id']}")
    assert deleted.status_code == 200, deleted.text
    doc = add_checkpoint(await export(api.client, cid))
    assert doc["branches"][1]["parentBranchId"] == doc["branches"][0]["id"]
    assert doc["messages"][2]["parentMessageId"] is not None
    return doc


# ---------------------------------------------------------------------------
# Round trips


class TestRoundTrip:
    async def test_a_rich_conversation_reads_back_identically_on_another_server(self, api, other):
        cid = await build_rich_conversation(api.client)
        response = await api.client.get(f"/conversations/{cid}/export")
        assert response.status_code == 200, response.text
        assert (
            response.headers["content-disposition"]
            == f'attachment; filename="{cid}.chatroutes.json"'
        )
        original = response.json()["data"]
        assert original["format"] == "chatroutes.conversation" and original["version"] == 1
        assert any(m["deletedAt"] for m in original["messages"])
        assert any(m["editedFrom"] for m in original["messages"])
        assert any(b["checkpointId"] for b in original["branches"])
        assert original["checkpoints"] and original["conversation"]["archived"] is True
        assert "userId" not in json.dumps(original)
        assert "generationLease" not in json.dumps(original)

        imported = await import_(other, original)
        assert imported.status_code == 201, imported.text
        copy_out = imported.json()["data"]["conversation"]
        source = (await api.client.get(f"/conversations/{cid}")).json()["data"]["conversation"]
        del source["messages"]
        assert copy_out["userId"] != source["userId"]
        # what was spent is the importing server's own: the copy starts with nothing spent
        assert copy_out["spent"] == {"tokens": 0, "cost": 0}
        assert {b["spent"]["tokens"] for b in copy_out["branches"]} == {0}
        assert source["spent"]["tokens"] > 0
        assert without_spent({**copy_out, "userId": None}) == without_spent(
            {**source, "userId": None}
        )

        again = await export(other, cid)
        assert without_exported_at(again) == without_exported_at(original)
        assert await branch_paths(other, again) == await branch_paths(api.client, original)
        assert await tree_without_owner(other, cid) == await tree_without_owner(api.client, cid)
        for message in again["messages"]:
            assert message["contentHash"] == wire_hash(message), message
        checkpoints = [
            (await c.get(f"/conversations/{cid}/checkpoints")).json()["data"]["checkpoints"]
            for c in (api.client, other)
        ]
        assert checkpoints[0] == checkpoints[1] and checkpoints[0]

        # The copy is a working conversation: a send appends at main's head.
        main = next(b for b in again["branches"] if b["isMain"])
        sent = await other.post(f"/conversations/{cid}/messages", json={"content": "more"})
        assert sent.status_code == 201, sent.text
        assert sent.json()["data"]["userMessage"]["parentMessageId"] == main["headMessageId"]

    async def test_messages_come_parents_first_with_deleted_ones(self, api, document):
        seen: set[str] = set()
        for message in document["messages"]:
            assert message["parentMessageId"] is None or message["parentMessageId"] in seen
            seen.add(message["id"])
        assert [m for m in document["messages"] if m["deletedAt"]]

    async def test_parents_come_first_even_when_ids_and_times_say_otherwise(self, api):
        doc = long_document(30, ids_descending=True)
        response = await import_(api.client, doc)
        assert response.status_code == 201, response.text
        again = await export(api.client, doc["conversation"]["id"])
        assert [m["id"] for m in again["messages"]] == [m["id"] for m in doc["messages"]]

    async def test_the_whole_export_response_is_accepted(self, api, other):
        cid = await build_rich_conversation(api.client)
        body = (await api.client.get(f"/conversations/{cid}/export")).json()
        response = await import_(other, body)
        assert response.status_code == 201, response.text
        assert without_exported_at(await export(other, cid)) == without_exported_at(body["data"])

    async def test_hand_made_checkpoints_travel_too(self, api, other, document):
        response = await import_(other, document)
        assert response.status_code == 201, response.text
        again = await export(other, document["conversation"]["id"])
        assert without_exported_at(again) == without_exported_at(document)

    async def test_a_renamed_copy_imports_beside_the_original(self, api, document):
        copy_doc = renamed(document)
        response = await import_(api.client, copy_doc)
        assert response.status_code == 201, response.text
        assert response.json()["data"]["conversation"]["id"] == copy_doc["conversation"]["id"]
        again = await export(api.client, copy_doc["conversation"]["id"])
        assert without_exported_at(again) == without_exported_at(copy_doc)
        listed = (await api.client.get("/conversations")).json()
        assert listed["total"] == 2

    async def test_the_channel_travels_with_the_conversation(self, api, other):
        created = await api.client.post(
            "/conversations", json={"title": "From Slack", "channel": "slack"}
        )
        assert created.status_code == 201, created.text
        cid = created.json()["data"]["conversation"]["id"]
        await api.client.post(f"/conversations/{cid}/messages", json={"content": "hi"})
        original = await export(api.client, cid)
        assert original["conversation"]["channel"] == "slack"
        imported = await import_(other, original)
        assert imported.status_code == 201, imported.text
        assert imported.json()["data"]["conversation"]["channel"] == "slack"
        read = (await other.get(f"/conversations/{cid}")).json()["data"]["conversation"]
        assert read["channel"] == "slack"
        again = await export(other, cid)
        assert without_exported_at(again) == without_exported_at(original)

    async def test_a_document_without_a_channel_imports_with_none(self, api, document):
        assert document["conversation"]["channel"] is None
        older = renamed(document)
        del older["conversation"]["channel"]  # written before conversations had one
        response = await import_(api.client, older)
        assert response.status_code == 201, response.text
        assert response.json()["data"]["conversation"]["channel"] is None
        again = await export(api.client, older["conversation"]["id"])
        assert again["conversation"]["channel"] is None


class TestBudgets:
    async def test_limits_travel_and_the_copy_starts_with_nothing_spent(self, api, other, upstream):
        created = await api.client.post("/conversations", json={"title": "Budgeted"})
        conversation = created.json()["data"]["conversation"]
        cid, main = conversation["id"], conversation["branches"][0]["id"]
        upstream.enqueue(Fault.reply("ok", prompt_tokens=300, completion_tokens=200))
        first = await api.client.post(f"/conversations/{cid}/messages", json={"content": "hi"})
        assert first.status_code == 201, first.text
        forked = await api.client.post(
            f"/conversations/{cid}/branches",
            json={
                "forkPointMessageId": first.json()["data"]["message"]["id"],
                "title": "Tight",
                "budget": {"maxTokens": 10},
            },
        )
        fork = forked.json()["data"]["branch"]["id"]
        limits = {"maxTokens": 100_000, "maxCost": 2.5, "warnAt": 0.5}
        patched = await api.client.patch(f"/conversations/{cid}", json={"budget": limits})
        assert patched.status_code == 200, patched.text

        original = await export(api.client, cid)
        assert original["conversation"]["budget"] == limits
        budgets = {b["id"]: b["budget"] for b in original["branches"]}
        assert budgets == {main: None, fork: {"maxTokens": 10, "maxCost": None, "warnAt": 0.8}}
        assert "spent" not in json.dumps(original)

        imported = await import_(other, original)
        assert imported.status_code == 201, imported.text
        copy_out = imported.json()["data"]["conversation"]
        assert copy_out["budget"] == limits and copy_out["spent"] == {"tokens": 0, "cost": 0}
        assert {b["id"]: b["budget"] for b in copy_out["branches"]} == budgets
        again = await export(other, cid)
        assert without_exported_at(again) == without_exported_at(original)

        # The limits hold on the copy, against what the copy spends here only.
        refused = await other.post(
            f"/conversations/{cid}/messages", json={"content": "more", "branchId": fork}
        )
        assert refused.status_code == 402, refused.text
        assert refused.json()["details"]["budget"] == "branch"
        assert refused.json()["details"]["spent"] == {"tokens": 0, "cost": 0}
        upstream.enqueue(Fault.reply("fine", prompt_tokens=40, completion_tokens=10))
        sent = await other.post(f"/conversations/{cid}/messages", json={"content": "more"})
        assert sent.status_code == 201, sent.text
        spent = (await other.get(f"/conversations/{cid}")).json()["data"]["conversation"]["spent"]
        assert spent["tokens"] == 50

    async def test_a_document_without_budgets_imports_with_none(self, api, document):
        older = renamed(document)
        for part in (older["conversation"], *older["branches"]):
            assert part.pop("budget") is None  # written before budgets travelled
        response = await import_(api.client, older)
        assert response.status_code == 201, response.text
        conversation = response.json()["data"]["conversation"]
        assert conversation["budget"] is None
        assert {b["budget"] for b in conversation["branches"]} == {None}

    async def test_an_empty_budget_is_a_budget_without_limits(self, api, document):
        doc = renamed(document)
        doc["branches"][1]["budget"] = {}
        response = await import_(api.client, doc)
        assert response.status_code == 201, response.text
        again = await export(api.client, doc["conversation"]["id"])
        assert again["branches"][1]["budget"] == {"maxTokens": None, "maxCost": None, "warnAt": 0.8}


# ---------------------------------------------------------------------------
# Random trees


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=8)
_pick = st.integers(min_value=0, max_value=1_000)
OPERATIONS = st.one_of(
    st.tuples(st.just("send"), _pick, _text),
    st.tuples(st.just("send"), _pick, _text),
    st.tuples(st.just("reply_to"), _pick, _text),
    st.tuples(st.just("fork"), _pick, _text),
    st.tuples(st.just("edit"), _pick, _text),
    st.tuples(st.just("delete_message"), _pick, _text),
    st.tuples(st.just("delete_branch"), _pick, _text),
)


async def apply(client: httpx.AsyncClient, cid: str, op: tuple, serial: int) -> None:
    """One random operation, choosing among what the current export holds."""
    kind, pick, text = op
    content = f"{serial} {text}"
    doc = await export(client, cid)
    branches = [b["id"] for b in doc["branches"]]
    visible = [m["id"] for m in doc["messages"] if m["deletedAt"] is None]
    if kind in ("reply_to", "fork", "edit", "delete_message") and not visible:
        kind = "send"
    if kind == "send":
        branch = branches[pick % len(branches)]
        response = await client.post(
            f"/conversations/{cid}/branches/{branch}/messages", json={"content": content}
        )
        expected = 201
    elif kind == "reply_to":
        body = {"content": content, "parentMessageId": visible[pick % len(visible)]}
        response = await client.post(f"/conversations/{cid}/messages", json=body)
        expected = 201
    elif kind == "fork":
        body = {"forkPointMessageId": visible[pick % len(visible)], "title": f"fork {serial}"}
        response = await client.post(f"/conversations/{cid}/fork", json=body)
        expected = 201
    elif kind == "edit":
        message = visible[pick % len(visible)]
        response = await client.patch(f"/messages/{message}", json={"content": content})
        expected = 200
    elif kind == "delete_message":
        response = await client.delete(f"/messages/{visible[pick % len(visible)]}")
        expected = 200
    else:
        others = [b["id"] for b in doc["branches"] if not b["isMain"]]
        if not others:
            return
        branch = others[pick % len(others)]
        response = await client.delete(f"/conversations/{cid}/branches/{branch}")
        expected = 200
    assert response.status_code == expected, (op, response.text)


@hypothesis_settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(OPERATIONS, min_size=1, max_size=10))
async def test_random_trees_survive_export_and_import_unchanged(api, other, operations):
    """Any tree built through the API imports into a fresh server as the very same tree."""
    created = await api.client.post("/conversations", json={"title": "t", "model": OFFLINE})
    assert created.status_code == 201, created.text
    cid = created.json()["data"]["conversation"]["id"]
    for serial, op in enumerate(operations):
        await apply(api.client, cid, op, serial)

    original = await export(api.client, cid)
    imported = await import_(other, original)
    assert imported.status_code == 201, imported.text
    again = await export(other, cid)
    assert without_exported_at(again) == without_exported_at(original)
    paths = await branch_paths(other, again)
    assert paths == await branch_paths(api.client, original)
    by_id = {m["id"]: m for m in again["messages"]}
    for branch in again["branches"]:  # each path is the parent chain from the head
        chain, at = [], branch["headMessageId"]
        while at is not None:
            chain.append(at)
            at = by_id[at]["parentMessageId"]
        visible = [i for i in reversed(chain) if by_id[i]["deletedAt"] is None]
        assert [m["id"] for m in paths[branch["id"]]] == visible
    for message in again["messages"]:
        assert message["contentHash"] == wire_hash(message)


# ---------------------------------------------------------------------------
# Validation: each bad field a 400 naming it, and nothing written

Mutation = Callable[[dict], object]


def _set(path: str, value: object, *, rehash_message: int | None = None) -> Mutation:
    """Set ``path`` (``messages.3.content`` style) to ``value``; optionally fix that hash."""

    def mutate(doc: dict) -> None:
        *parents, last = path.split(".")
        target: object = doc
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]  # type: ignore[index]
        target[int(last) if last.isdigit() else last] = value  # type: ignore[index]
        if rehash_message is not None:
            rehash(doc, rehash_message)

    return mutate


def _from(path: str, source: str, *, rehash_message: int | None = None) -> Mutation:
    """Set ``path`` to the value found at ``source`` in the same document."""

    def mutate(doc: dict) -> None:
        value: object = doc
        for part in source.split("."):
            value = value[int(part)] if part.isdigit() else value[part]  # type: ignore[index]
        _set(path, value, rehash_message=rehash_message)(doc)

    return mutate


def _drop(path: str) -> Mutation:
    def mutate(doc: dict) -> None:
        *parents, last = path.split(".")
        target: object = doc
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]  # type: ignore[index]
        del target[last]  # type: ignore[arg-type]

    return mutate


INVALID = {
    "unknown format": (_set("format", "chatroutes.other"), "format"),
    "unknown version": (_set("version", 2), "version"),
    "version as bool": (_set("version", True), "version"),
    "empty title": (_set("conversation.title", ""), "conversation.title"),
    "bad temperature": (_set("conversation.temperature", 3.5), "conversation.temperature"),
    "channel too long": (_set("conversation.channel", "c" * 41), "conversation.channel"),
    "channel not text": (_set("conversation.channel", 7), "conversation.channel"),
    "id with a slash": (_set("conversation.id", "conv/x"), "conversation.id"),
    "timestamp without Z": (
        _set("conversation.createdAt", "2025-10-10T10:00:00.000"),
        "conversation.createdAt",
    ),
    "impossible date": (
        _set("messages.0.createdAt", "2025-02-30T10:00:00.000Z"),
        "messages[0].createdAt",
    ),
    "bad deletedAt": (_set("messages.1.deletedAt", "yesterday"), "messages[1].deletedAt"),
    "unknown role": (_set("messages.0.role", "robot"), "messages[0].role"),
    "unknown context mode": (_set("branches.1.contextMode", "SOME"), "branches[1].contextMode"),
    "NUL in content": (
        _set("messages.1.content", "a\x00b", rehash_message=1),
        "messages[1].content",
    ),
    "NUL in metadata": (_set("messages.1.metadata", {"k": "\x00"}), "messages[1].metadata"),
    "metadata not an object": (_set("messages.0.metadata", [1]), "messages[0].metadata"),
    "token count as text": (_set("messages.0.tokenCount", "12"), "messages[0].tokenCount"),
    "missing content hash": (_drop("messages.0.contentHash"), "messages[0].contentHash"),
    "messages not a list": (_set("messages", {}), "messages"),
    "content too long": (
        _set("messages.2.content", "x" * 100_001, rehash_message=2),
        "messages[2].content",
    ),
    "two main branches": (_set("branches.1.isMain", True), "branches[1].isMain"),
    "no main branch": (_set("branches.0.isMain", False), "branches"),
    "parent is a later message": (
        _from("messages.0.parentMessageId", "messages.3.id", rehash_message=0),
        "messages[0].parentMessageId",
    ),
    "parent unknown": (
        _set("messages.2.parentMessageId", "msg_nope", rehash_message=2),
        "messages[2].parentMessageId",
    ),
    "parent is itself": (
        _from("messages.2.parentMessageId", "messages.2.id", rehash_message=2),
        "messages[2].parentMessageId",
    ),
    "editedFrom unknown": (_set("messages.1.editedFrom", "msg_nope"), "messages[1].editedFrom"),
    "head unknown": (_set("branches.0.headMessageId", "msg_nope"), "branches[0].headMessageId"),
    "fork point unknown": (
        _set("branches.1.forkPointMessageId", "msg_nope"),
        "branches[1].forkPointMessageId",
    ),
    "parent branch unknown": (
        _set("branches.1.parentBranchId", "br_nope"),
        "branches[1].parentBranchId",
    ),
    "branch parents cycle": (
        _from("branches.0.parentBranchId", "branches.1.id"),
        "branches[0].parentBranchId",
    ),
    "checkpoint unknown": (
        _set("branches.1.checkpointId", "ckpt_nope"),
        "branches[1].checkpointId",
    ),
    "checkpoint branch unknown": (
        _set("checkpoints.0.branchId", "br_nope"),
        "checkpoints[0].branchId",
    ),
    "checkpoint anchor unknown": (
        _set("checkpoints.0.anchorMessageId", "msg_nope"),
        "checkpoints[0].anchorMessageId",
    ),
    "checkpoint type unknown": (
        _set("checkpoints.0.checkpointType", "weekly"),
        "checkpoints[0].checkpointType",
    ),
    "duplicate message id": (_from("messages.3.id", "messages.2.id"), "messages[3].id"),
    "checkpoint id reused": (_from("checkpoints.0.id", "branches.0.id"), "checkpoints[0].id"),
    "budget tokens zero": (
        _set("conversation.budget", {"maxTokens": 0}),
        "conversation.budget.maxTokens",
    ),
    "budget tokens fractional": (
        _set("branches.1.budget", {"maxTokens": 1.5}),
        "branches[1].budget.maxTokens",
    ),
    "budget cost negative": (
        _set("branches.0.budget", {"maxCost": -1.0}),
        "branches[0].budget.maxCost",
    ),
    "budget cost a string": (
        _set("conversation.budget", {"maxCost": "cheap"}),
        "conversation.budget.maxCost",
    ),
    "budget warning past 1": (
        _set("conversation.budget", {"maxTokens": 10, "warnAt": 1.5}),
        "conversation.budget.warnAt",
    ),
    "budget not an object": (_set("branches.1.budget", "lots"), "branches[1].budget"),
    "hash altered": (_set("messages.3.contentHash", "0" * 64), "messages[3].contentHash"),
    "content altered": (_set("messages.3.content", "forged"), "messages[3].contentHash"),
    "moved to another branch": (
        _from("messages.3.branchId", "branches.1.id"),
        "messages[3].contentHash",
    ),
    "createdAt altered": (
        _set("messages.3.createdAt", "2001-01-01T00:00:00.000Z"),
        "messages[3].contentHash",
    ),
}


class TestValidation:
    @pytest.mark.parametrize(("mutate", "field"), INVALID.values(), ids=INVALID.keys())
    async def test_a_bad_field_is_a_400_naming_it_and_nothing_is_written(
        self, api, document, mutate, field
    ):
        good = renamed(document)
        bad = copy.deepcopy(good)
        mutate(bad)
        response = await import_(api.client, bad)
        assert response.status_code == 400, response.text
        error = response.json()
        assert (error["error"], error["details"]["field"]) == ("VALIDATION_ERROR", field), error
        assert field in error["message"]
        listed = (await api.client.get("/conversations")).json()
        assert listed["total"] == 1
        # Nothing of it was left behind: the intact document still imports.
        assert (await import_(api.client, good)).status_code == 201

    async def test_a_body_that_is_no_document_is_a_400(self, api):
        for body in ([1, 2], {"hello": "world"}, {"success": True, "data": {"format": 1}}):
            response = await import_(api.client, body)
            assert response.status_code == 400, response.text
            assert response.json()["error"] == "VALIDATION_ERROR"

    async def test_content_limit_follows_the_operator_setting(self, settings, other_settings):
        small = other_settings.model_copy(update={"max_content_chars": 5})
        async with client_for(settings) as source, client_for(small) as target:
            created = await source.post("/conversations", json={"title": "t", "model": OFFLINE})
            cid = created.json()["data"]["conversation"]["id"]
            await source.post(f"/conversations/{cid}/messages", json={"content": "hi"})
            response = await import_(target, await export(source, cid))
        assert response.status_code == 400, response.text
        assert response.json()["details"]["field"] == "messages[1].content"  # the long reply


# ---------------------------------------------------------------------------
# Conflicts, ownership, size


class TestConflictsAndAccess:
    async def test_reimporting_on_the_same_server_is_a_409(self, api, document):
        response = await import_(api.client, document)
        assert response.status_code == 409, response.text
        body = response.json()
        assert body["error"] == "CONFLICT"
        assert body["details"]["field"] == "conversation.id"
        assert document["conversation"]["id"] in body["message"]
        assert (await api.client.get("/conversations")).json()["total"] == 1

    async def test_one_existing_message_id_refuses_the_whole_import(self, api, document):
        kept = document["messages"][2]["id"]
        copy_doc = renamed(document, keep=frozenset({kept}))
        response = await import_(api.client, copy_doc)
        assert response.status_code == 409, response.text
        details = response.json()["details"]
        assert (details["field"], details["id"]) == ("messages[2].id", kept)
        missing = await api.client.get(f"/conversations/{copy_doc['conversation']['id']}")
        assert missing.status_code == 404
        assert (await import_(api.client, renamed(document))).status_code == 201

    async def test_another_accounts_conversation_is_not_found(self, api, document):
        cid = document["conversation"]["id"]
        stranger = api.headers(await api.new_key())
        response = await api.client.get(f"/conversations/{cid}/export", headers=stranger)
        assert response.status_code == 404, response.text
        assert response.json()["error"] == "NOT_FOUND"
        missing = await api.client.get("/conversations/conv_missing/export")
        assert missing.status_code == 404

    async def test_the_importer_owns_the_copy(self, api, document):
        stranger = api.headers(await api.new_key())
        copy_doc = renamed(document)
        response = await api.client.post("/conversations/import", json=copy_doc, headers=stranger)
        assert response.status_code == 201, response.text
        cid = copy_doc["conversation"]["id"]
        assert (await api.client.get(f"/conversations/{cid}")).status_code == 404
        mine = await api.client.get(f"/conversations/{cid}", headers=stranger)
        assert mine.status_code == 200

    async def test_import_needs_credentials(self, api, document):
        response = await api.client.post(
            "/conversations/import", json=renamed(document), headers={"Authorization": ""}
        )
        assert response.status_code == 401

    async def test_import_may_exceed_max_body_bytes_up_to_max_import_bytes(
        self, api, other_settings, document
    ):
        size = len(json.dumps(document).encode())
        limits = {"max_body_bytes": 1_024, "max_import_bytes": size * 3}
        assert size > 1_024
        async with client_for(other_settings.model_copy(update=limits)) as client:
            too_big_elsewhere = await client.post(
                "/conversations", json={"title": "t", "systemPrompt": "x" * 2_000}
            )
            assert too_big_elsewhere.status_code == 413
            accepted = await import_(client, document)
            assert accepted.status_code == 201, accepted.text
            padded = renamed(document)
            padded["padding"] = "x" * (size * 3)
            refused = await import_(client, padded)
            assert refused.status_code == 413
            assert refused.json()["error"] == "PAYLOAD_TOO_LARGE"


# ---------------------------------------------------------------------------
# Efficiency


def long_document(messages: int, *, ids_descending: bool = False) -> dict:
    """A synthetic conversation: a chain of ``messages`` with a branch every 100.

    All share one ``createdAt``; with ``ids_descending`` each child's id sorts
    before its parent's.
    """
    stamp = "2025-10-10T10:00:00.000Z"
    doc: dict = {
        "format": "chatroutes.conversation",
        "version": 1,
        "conversation": {
            "id": f"conv_{uuid.uuid4().hex[:26]}",
            "title": "Long",
            "model": OFFLINE,
            "systemPrompt": None,
            "temperature": 0.7,
            "maxTokens": 2048,
            "archived": False,
            "createdAt": stamp,
            "updatedAt": stamp,
            "channel": "api",
            "budget": None,
        },
        "branches": [],
        "messages": [],
        "checkpoints": [],
    }
    suffix = uuid.uuid4().hex[:12]
    main = f"br_000000{suffix}"  # sorts first, as the server lists branches
    parent = None
    for i in range(messages):
        message = {
            "id": f"msg_{messages - i if ids_descending else i:06d}{suffix}",
            "branchId": main,
            "parentMessageId": parent,
            "role": "user" if i % 2 == 0 else "assistant",
            "content": f"message {i} " + "lorem ipsum " * 20,
            "model": OFFLINE,
            "tokenCount": 45,  # what the server would count: an import keeps it
            "metadata": {"i": i},
            "createdAt": stamp,
            "deletedAt": None,
            "editedFrom": None,
            "pinned": False,
            "excluded": False,
        }
        message["contentHash"] = wire_hash(message)
        doc["messages"].append(message)
        parent = message["id"]
    branch = {
        "parentBranchId": None,
        "description": None,
        "contextMode": "FULL",
        "archived": False,
        "createdAt": stamp,
        "updatedAt": stamp,
        "checkpointId": None,
        "budget": None,
    }
    doc["branches"].append(
        branch
        | {"id": main, "forkPointMessageId": None, "headMessageId": parent, "title": "Main"}
        | {"isMain": True}
    )
    for i in range(100, messages, 100):
        fork_point = doc["messages"][i]["id"]
        doc["branches"].append(
            branch
            | {"id": f"br_{i:06d}{suffix}", "parentBranchId": main, "isMain": False}
            | {"forkPointMessageId": fork_point, "headMessageId": fork_point, "title": f"b{i}"}
        )
    return doc


async def test_a_2000_message_conversation_imports_in_bulk(api):
    doc = long_document(2_000)
    statements: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _executemany) -> None:
        statements.append(statement)

    engine = api.app.state.ctx.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = await import_(api.client, doc)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 201, response.text
    assert response.json()["data"]["conversation"]["totalMessages"] == 2_000
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO MESSAGES")]
    # One executemany (at most a few insertmanyvalues pages), never a statement per row.
    assert 1 <= len(inserts) <= 3, len(inserts)
    again = await export(api.client, doc["conversation"]["id"])
    assert without_exported_at(again) == without_exported_at(doc)
