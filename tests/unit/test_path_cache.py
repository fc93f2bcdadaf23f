"""``PathCache``: a remembered path is used only for its conversation at the same deletion
count, the parent's entry makes way for its child's, and the budget holds.

Paths are remembered for ids the (real, empty) database does not have, so a lookup that
reads the database answers ``[]``: that tells a remembered path from a walk.
"""

from __future__ import annotations

import pytest

from chatroutes.server.store.database import Database
from chatroutes.server.store.messages import PathRow
from chatroutes.server.store.migrate import upgrade
from chatroutes.server.store.paths import PathCache
from chatroutes.server.store.tables import Conversation

TEXT = "x" * 100
ROW_SIZE = len(TEXT) + 200  # paths.py's per-message overhead included


def _path(*ids: str) -> list[PathRow]:
    parents = [None, *ids[:-1]]
    return [PathRow(i, p, "user", TEXT, 1, None) for i, p in zip(ids, parents, strict=True)]


@pytest.fixture
async def db(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'paths.db'}"
    await upgrade(url)
    database = Database(url)
    yield database
    await database.dispose()


async def _lookup(db: Database, cache: PathCache, conversation: Conversation, head: str) -> list:
    return await db.run(lambda connection: cache.path(connection, conversation, head))


async def test_used_only_for_its_conversation_at_the_same_deletion_count(db):
    cache = PathCache(budget_bytes=10_000)
    conversation = Conversation(id="conv_a", message_deletions=3)
    cache.remember(conversation, _path("m1", "m2"))

    assert await _lookup(db, cache, conversation, "m2") == _path("m1", "m2")
    deleted_since = Conversation(id="conv_a", message_deletions=4)
    assert await _lookup(db, cache, deleted_since, "m2") == []
    other = Conversation(id="conv_b", message_deletions=3)
    assert await _lookup(db, cache, other, "m2") == []


async def test_a_lookup_hands_out_a_copy(db):
    cache = PathCache(budget_bytes=10_000)
    conversation = Conversation(id="conv_a", message_deletions=0)
    cache.remember(conversation, _path("m1"))
    (await _lookup(db, cache, conversation, "m1")).append("appended by a caller")
    assert await _lookup(db, cache, conversation, "m1") == _path("m1")


async def test_extend_moves_the_entry_to_the_child(db):
    cache = PathCache(budget_bytes=10_000)
    conversation = Conversation(id="conv_a", message_deletions=0)
    cache.remember(conversation, _path("q"))
    reply = PathRow("r", "q", "assistant", TEXT, 1, None)

    cache.extend("q", reply)
    cache.extend("nobody", PathRow("orphan", "nobody", "assistant", TEXT, 1, None))

    assert await _lookup(db, cache, conversation, "r") == [*_path("q"), reply]
    assert await _lookup(db, cache, conversation, "q") == []
    assert await _lookup(db, cache, conversation, "orphan") == []


async def test_least_recently_used_entries_go_first_past_the_budget(db):
    cache = PathCache(budget_bytes=3 * ROW_SIZE)
    conversation = Conversation(id="conv_a", message_deletions=0)
    for head in ("a", "b", "c"):
        cache.remember(conversation, _path(head))
    assert await _lookup(db, cache, conversation, "a")  # now the most recently used

    cache.remember(conversation, _path("d"))

    assert await _lookup(db, cache, conversation, "b") == []
    for head in ("a", "c", "d"):
        assert await _lookup(db, cache, conversation, head) == _path(head)


async def test_a_path_over_the_whole_budget_is_not_kept(db):
    cache = PathCache(budget_bytes=2 * ROW_SIZE)
    conversation = Conversation(id="conv_a", message_deletions=0)
    cache.remember(conversation, _path("small"))
    cache.remember(conversation, _path("m1", "m2", "m3"))

    assert await _lookup(db, cache, conversation, "m3") == []
    assert await _lookup(db, cache, conversation, "small") == _path("small")
