"""Pure rules: hashes, timestamps, ids, tree shapes, provider message conversion."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from chatroutes.server.domain import tree
from chatroutes.server.domain.context_assembly import ChatMessage, assemble_context
from chatroutes.server.domain.hashing import content_hash, iso_timestamp
from chatroutes.server.domain.ids import new_id
from chatroutes.server.providers.anthropic_messages import to_anthropic_messages


@dataclass
class Row:
    id: str
    parent_id: str | None
    role: str = "user"
    content: str = ""
    deleted_at: object = None
    token_count: int | None = None
    pinned: bool = False
    excluded: bool = False


def test_iso_timestamp_is_utc_with_millis_and_z():
    moment = datetime(2025, 10, 10, 12, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    assert iso_timestamp(moment) == "2025-10-10T10:00:00.123Z"
    assert iso_timestamp(datetime(2025, 1, 2, 3, 4, 5)) == "2025-01-02T03:04:05.000Z"


def test_content_hash_matches_the_wire_recipe():
    created = datetime(2025, 10, 10, 10, 0, tzinfo=UTC)
    expected = hashlib.sha256(
        json.dumps(
            {
                "v": 1,
                "role": "user",
                "content": "héllo",
                "model": None,
                "parentMessageId": "msg_a",
                "branchId": "br_b",
                "createdAt": "2025-10-10T10:00:00.000Z",
            },
            separators=(",", ":"),
        ).encode()
    ).hexdigest()
    got = content_hash(
        role="user",
        content="héllo",
        model=None,
        parent_message_id="msg_a",
        branch_id="br_b",
        created_at=created,
    )
    assert got == expected


def test_ids_are_prefixed_unique_and_time_ordered():
    ids = [new_id("msg") for _ in range(200)]
    assert len(set(ids)) == 200
    assert all(i.startswith("msg_") and len(i) == 30 for i in ids)
    assert ids[0][:14] <= ids[-1][:14]


def test_own_part_is_what_follows_the_fork_point():
    path = [Row("a", None), Row("b", "a"), Row("c", "b")]
    assert [m.id for m in tree.own_part(path, "a")] == ["b", "c"]
    assert [m.id for m in tree.own_part(path, None)] == ["a", "b", "c"]
    assert tree.own_part(path, "c") == []


def test_place_reply_forks_only_away_from_the_head():
    assert tree.place_reply("h", None) == tree.Placement(fork=False, parent_id="h")
    assert tree.place_reply("h", "h") == tree.Placement(fork=False, parent_id="h")
    assert tree.place_reply("h", "x") == tree.Placement(fork=True, parent_id="x")
    assert tree.place_reply(None, None) == tree.Placement(fork=False, parent_id=None)


def test_message_tree_lifts_children_of_deleted_messages():
    rows = [Row("a", None), Row("b", "a", deleted_at=1), Row("c", "b"), Row("d", "a")]
    roots = tree.message_tree(rows, lambda m: {"id": m.id})
    assert [r["id"] for r in roots] == ["a"]
    assert [c["id"] for c in roots[0]["children"]] == ["c", "d"]
    assert tree.tree_depth(roots) == 2


def test_context_puts_system_first_and_skips_deleted():
    path = [Row("a", None, "user", "q"), Row("b", "a", "assistant", "x", deleted_at=1)]
    context = assemble_context("sys", path)
    assert context.messages == [ChatMessage("system", "sys"), ChatMessage("user", "q")]
    assert context.context_message_count == 1


def test_anthropic_conversion_lifts_system_and_alternates_roles():
    system, turns = to_anthropic_messages(
        [
            ChatMessage("system", "s"),
            ChatMessage("assistant", "hello"),
            ChatMessage("user", "a"),
            ChatMessage("user", "b"),
        ]
    )
    assert system == "s"
    assert [t["role"] for t in turns] == ["user", "assistant", "user"]
    assert turns[-1]["content"] == "a\n\nb"


def test_token_estimates_use_cl100k_offline():
    from chatroutes.server.domain.tokens import estimate_tokens

    assert estimate_tokens("hello world") == 2
    assert estimate_tokens("<|endoftext|>") > 1, "special tokens are counted as text"
