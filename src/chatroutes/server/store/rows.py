"""The hot paths' statements: Core, built once, run on a synchronous connection.

A send, authentication, the counters and the conversation pages run their whole
transaction as one plain function through ``Database.run`` (one thread hop on SQLite).
Statements here are module constants with bind parameters, so SQLAlchemy computes each
one's cache key and SQL once (``execution.execute`` runs them); rows come back as light
tuples, and only the few objects a response is built from become (transient) model
instances.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, Row, bindparam, case, func, literal, or_, select, update
from sqlalchemy.orm import aliased

from .execution import execute, instance, selected, transient
from .tables import ApiKey, Branch, Checkpoint, Conversation, Message, User

_conversations = Conversation.__table__
_branches = Branch.__table__
_messages = Message.__table__


# -- conversations ------------------------------------------------------------------------

_OWNED_CONVERSATION = select(*selected(Conversation)).where(
    _conversations.c.id == bindparam("id"), _conversations.c.user_id == bindparam("user_id")
)
_TOUCH_CONVERSATION = (
    update(_conversations)
    .where(_conversations.c.id == bindparam("conversation_id"))
    .values(updated_at=bindparam("when"))
)


def owned_conversation(
    connection: Connection, conversation_id: str, user_id: str
) -> Conversation | None:
    row = execute(connection, _OWNED_CONVERSATION, {"id": conversation_id, "user_id": user_id})
    found = row.first()
    return instance(Conversation, found) if found is not None else None


def touch_conversation(connection: Connection, conversation_id: str, when: datetime) -> None:
    execute(connection, _TOUCH_CONVERSATION, {"conversation_id": conversation_id, "when": when})


# -- branches -----------------------------------------------------------------------------

_BRANCH_COLUMNS = selected(Branch, leave_out={"generation_partial"})
_BRANCH_IN = select(*_BRANCH_COLUMNS).where(
    _branches.c.id == bindparam("id"), _branches.c.conversation_id == bindparam("conversation_id")
)
_MAIN_BRANCH = select(*_BRANCH_COLUMNS).where(
    _branches.c.conversation_id == bindparam("conversation_id"), _branches.c.is_main
)
_ACQUIRE_LEASE = (
    update(_branches)
    .where(
        _branches.c.id == bindparam("branch_id"),
        or_(
            _branches.c.generation_lease.is_(None),
            _branches.c.generation_lease_until < bindparam("now"),
        ),
    )
    .values(
        generation_lease=bindparam("token"),
        generation_lease_until=bindparam("until"),
        generation_reply_id=bindparam("reply_id"),
        generation_stop_requested_at=None,
    )
)
# A generation lease and what is flushed under it: cleared together when it is given up.
LEASE_COLUMNS = (
    "generation_lease",
    "generation_lease_until",
    "generation_question_id",
    "generation_partial",
    "generation_reply_id",
    "generation_stop_requested_at",
    "generation_reservation",
)
_RELEASE_LEASE = (
    update(_branches)
    .where(
        _branches.c.id == bindparam("branch_id"),
        _branches.c.generation_lease == bindparam("token"),
    )
    .values(dict.fromkeys(LEASE_COLUMNS))
)
_MOVE_HEAD = (
    update(_branches)
    .where(
        _branches.c.id == bindparam("branch_id"),
        _branches.c.head_message_id.is_not_distinct_from(bindparam("expected")),
    )
    .values(head_message_id=bindparam("new"), updated_at=bindparam("when"))
)
_MOVE_HEAD_RELEASING = _MOVE_HEAD.values(
    {
        name: case((_branches.c.generation_lease == bindparam("lease"), None), else_=column)
        for name, column in ((name, _branches.c[name]) for name in LEASE_COLUMNS)
    }
)


def branch_in(connection: Connection, branch_id: str, conversation_id: str) -> Branch | None:
    row = execute(connection, _BRANCH_IN, {"id": branch_id, "conversation_id": conversation_id})
    found = row.first()
    return instance(Branch, found) if found is not None else None


def main_branch(connection: Connection, conversation_id: str) -> Branch:
    found = execute(connection, _MAIN_BRANCH, {"conversation_id": conversation_id}).first()
    assert found is not None, f"conversation {conversation_id} has no main branch"
    return instance(Branch, found)


def acquire_lease(
    connection: Connection,
    branch_id: str,
    token: str,
    *,
    reply_id: str,
    now: datetime,
    until: datetime,
) -> bool:
    """Take the branch's generation lease, for the reply ``reply_id``, unless a live one is held."""
    params = {"branch_id": branch_id, "token": token, "now": now, "until": until}
    params["reply_id"] = reply_id
    return execute(connection, _ACQUIRE_LEASE, params).rowcount == 1


def release_lease(connection: Connection, branch_id: str, token: str) -> bool:
    """Give up the lease if ``token`` still holds it, with what was flushed under it."""
    params = {"branch_id": branch_id, "token": token}
    return execute(connection, _RELEASE_LEASE, params).rowcount == 1


def move_head(
    connection: Connection,
    branch_id: str,
    *,
    expected: str | None,
    new: str,
    when: datetime,
    release_lease: str | None = None,
) -> bool:
    """Compare-and-set: move the head only if it is still ``expected``.

    With ``release_lease``, the same statement gives up that generation lease.
    """
    params = {"branch_id": branch_id, "expected": expected, "new": new, "when": when}
    if release_lease is None:
        return execute(connection, _MOVE_HEAD, params).rowcount == 1
    params["lease"] = release_lease
    return execute(connection, _MOVE_HEAD_RELEASING, params).rowcount == 1


# -- messages -----------------------------------------------------------------------------

_MESSAGE_IN = select(*selected(Message)).where(
    _messages.c.id == bindparam("id"), _messages.c.conversation_id == bindparam("conversation_id")
)
_HAS_CHILDREN = select(_messages.c.id).where(_messages.c.parent_id == bindparam("id")).limit(1)


def _walk_up() -> Any:
    """The recursive walk up ``parent_id`` from the bound ``head``, with each step's depth."""
    walk = (
        select(_messages.c.id, _messages.c.parent_id, literal(0).label("depth"))
        .where(_messages.c.id == bindparam("head"))
        .cte("walk", recursive=True)
    )
    parent = aliased(_messages)
    return walk.union_all(
        select(parent.c.id, parent.c.parent_id, walk.c.depth + 1).where(
            parent.c.id == walk.c.parent_id
        )
    )


def _path_statement() -> Any:
    """Root to the bound ``head``: what context assembly reads of each message."""
    walk, m = _walk_up(), _messages.c
    return (
        select(m.id, m.parent_id, m.role, m.content, m.token_count, m.deleted_at)
        .join(walk, m.id == walk.c.id)
        .order_by(walk.c.depth.desc())
    )


_PATH = _path_statement()


class PathRow(NamedTuple):
    """A message as ``path`` reads it, for a message just stored."""

    id: str
    parent_id: str | None
    role: str
    content: str
    token_count: int | None
    deleted_at: datetime | None

    @classmethod
    def of(cls, message: Message) -> PathRow:
        return cls(
            message.id,
            message.parent_id,
            message.role,
            message.content,
            message.token_count,
            message.deleted_at,
        )


def message_in(connection: Connection, message_id: str, conversation_id: str) -> Message | None:
    params = {"id": message_id, "conversation_id": conversation_id}
    found = execute(connection, _MESSAGE_IN, params).first()
    return instance(Message, found) if found is not None else None


def path(connection: Connection, head_message_id: str | None) -> list[Row[Any]]:
    """Root-to-head chain ending at ``head_message_id``: id, parent_id, role, content,
    token_count and deleted_at of each message, by index, O(depth)."""
    if head_message_id is None:
        return []
    return list(execute(connection, _PATH, {"head": head_message_id}))


def has_children(connection: Connection, message_id: str) -> bool:
    return execute(connection, _HAS_CHILDREN, {"id": message_id}).first() is not None


# -- checkpoints --------------------------------------------------------------------------

_checkpoints = Checkpoint.__table__


_ANCHORED_ON = (
    select(
        _checkpoints.c.id,
        _checkpoints.c.anchor_message_id,
        _checkpoints.c.summary,
        _checkpoints.c.token_count,
    )
    .where(_checkpoints.c.conversation_id == bindparam("conversation_id"))
    .order_by(_checkpoints.c.created_at, _checkpoints.c.id)
)
# An ``IN`` list is rendered anew for every call; on SQLite the ids go as one JSON array
# instead, read by ``json_each``: a statement compiled once (``execute``'s fast path).
_ANCHORED_ON_LIST = _ANCHORED_ON.where(
    _checkpoints.c.anchor_message_id.in_(bindparam("anchors", expanding=True))
)
_ANCHORED_ON_JSON = _ANCHORED_ON.where(
    _checkpoints.c.anchor_message_id.in_(
        select(func.json_each(bindparam("anchors")).table_valued("value").c.value)
    )
)


def checkpoints_anchored_on(
    connection: Connection, conversation_id: str, message_ids: Sequence[str]
) -> list[Row[Any]]:
    """id, anchor_message_id, summary and token_count of the checkpoints anchored on
    ``message_ids``, oldest first."""
    if not message_ids:
        return []
    if connection.dialect.name == "sqlite":
        anchors: object = json.dumps(list(message_ids))
        statement = _ANCHORED_ON_JSON
    else:
        anchors, statement = list(message_ids), _ANCHORED_ON_LIST
    params = {"conversation_id": conversation_id, "anchors": anchors}
    return list(execute(connection, statement, params))


# -- API keys -----------------------------------------------------------------------------

_api_keys = ApiKey.__table__
_users = User.__table__
_KEY_AND_USER = (
    select(_api_keys.c.id.label("key_id"), _api_keys.c.last_used_at, *selected(User))
    .join(_users, _users.c.id == _api_keys.c.user_id)
    .where(_api_keys.c.key_hash == bindparam("key_hash"), _api_keys.c.revoked_at.is_(None))
)
_TOUCH_KEY = (
    update(_api_keys)
    .where(
        _api_keys.c.id == bindparam("key_id"),
        or_(
            _api_keys.c.last_used_at.is_(None),
            _api_keys.c.last_used_at < bindparam("stale_before"),
        ),
    )
    .values(last_used_at=bindparam("now"))
)


def active_key(connection: Connection, key_hash: str) -> tuple[str, datetime | None, User] | None:
    """``(key id, last used, its user)`` for an unrevoked key with this hash."""
    found = execute(connection, _KEY_AND_USER, {"key_hash": key_hash}).first()
    if found is None:
        return None
    values = found._asdict()
    key_id, last_used = values.pop("key_id"), values.pop("last_used_at")
    return key_id, last_used, transient(User, **values)


def touch_key(connection: Connection, key_id: str, now: datetime, stale_before: datetime) -> None:
    """Record the key's use, unless it was recorded since ``stale_before``."""
    params = {"key_id": key_id, "now": now, "stale_before": stale_before}
    execute(connection, _TOUCH_KEY, params)


# -- reads --------------------------------------------------------------------------------
# What the conversation pages read. Statements filtered by conversation come in a pair:
# for one (``= :conversation_id``) and for several (an expanding ``IN``).


def _of_conversations(column: Any, *, many: bool) -> Any:
    if many:
        return column.in_(bindparam("conversation_ids", expanding=True))
    return column == bindparam("conversation_id")


def _for_conversations(
    connection: Connection, statements: tuple[Any, Any], conversation_ids: Sequence[str]
) -> Sequence[Row[Any]]:
    """Run the pair's statement that fits ``conversation_ids``."""
    if not conversation_ids:
        return []
    one, many = statements
    if len(conversation_ids) == 1:
        return execute(connection, one, {"conversation_id": conversation_ids[0]}).all()
    return execute(connection, many, {"conversation_ids": list(conversation_ids)}).all()


def _branches_statement(*, many: bool) -> Any:
    b = _branches.c
    return (
        select(*_BRANCH_COLUMNS)
        .where(_of_conversations(b.conversation_id, many=many))
        .order_by(b.created_at, b.id)
    )


def _own_counts_statement(*, many: bool) -> Any:
    """Per branch: the visible messages after its fork point, by one recursive walk."""
    b, m = _branches.c, _messages.c
    start = (
        select(
            b.id.label("branch_id"),
            b.fork_point_message_id.label("stop_at"),
            m.id,
            m.parent_id,
            m.deleted_at,
        )
        .join(_messages, m.id == b.head_message_id)
        .where(
            _of_conversations(b.conversation_id, many=many),
            b.head_message_id.is_distinct_from(b.fork_point_message_id),
        )
        .cte("own_walk", recursive=True)
    )
    parent = aliased(_messages)
    walk = start.union_all(
        select(
            start.c.branch_id, start.c.stop_at, parent.c.id, parent.c.parent_id, parent.c.deleted_at
        ).where(parent.c.id == start.c.parent_id, parent.c.id.is_distinct_from(start.c.stop_at))
    )
    return (
        select(walk.c.branch_id, func.count().label("messages"))
        .where(walk.c.deleted_at.is_(None))
        .group_by(walk.c.branch_id)
    )


def _visible_counts_statement(*, many: bool) -> Any:
    m = _messages.c
    return (
        select(m.conversation_id, func.count().label("messages"))
        .where(_of_conversations(m.conversation_id, many=many), m.deleted_at.is_(None))
        .group_by(m.conversation_id)
    )


def _visible_path_statement() -> Any:
    """Like ``_PATH``, with every column of the visible messages only."""
    walk = _walk_up()
    return (
        select(*selected(Message))
        .join(walk, _messages.c.id == walk.c.id)
        .where(_messages.c.deleted_at.is_(None))
        .order_by(walk.c.depth.desc())
    )


def _page_statements(*, search: bool) -> tuple[Any, Any]:
    """A user's conversations: how many, and a page of them, newest first."""
    c = _conversations.c
    where = [c.user_id == bindparam("user_id")]
    if search:
        where.append(func.lower(c.title).like(bindparam("pattern"), escape="\\"))
    count = select(func.count()).select_from(_conversations).where(*where)
    page = (
        select(*selected(Conversation))
        .where(*where)
        .order_by(c.updated_at.desc(), c.id.desc())
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )
    return count, page


_BRANCHES = _branches_statement(many=False), _branches_statement(many=True)
_OWN_COUNTS = _own_counts_statement(many=False), _own_counts_statement(many=True)
_VISIBLE_COUNTS = _visible_counts_statement(many=False), _visible_counts_statement(many=True)
_VISIBLE_PATH = _visible_path_statement()
_MESSAGES_OF = (
    select(*selected(Message))
    .where(_messages.c.conversation_id == bindparam("conversation_id"))
    .order_by(_messages.c.created_at, _messages.c.id)
)
_PAGE = _page_statements(search=False)
_PAGE_SEARCHED = _page_statements(search=True)


def branches_of(connection: Connection, conversation_ids: Sequence[str]) -> list[Branch]:
    """The branches of these conversations, oldest first."""
    return [
        instance(Branch, row) for row in _for_conversations(connection, _BRANCHES, conversation_ids)
    ]


def own_counts(connection: Connection, conversation_ids: Sequence[str]) -> dict[str, int]:
    """Visible messages each branch of these conversations holds after its fork point
    (branches holding none are left out)."""
    found = _for_conversations(connection, _OWN_COUNTS, conversation_ids)
    return {row.branch_id: row.messages for row in found}


def visible_counts(connection: Connection, conversation_ids: Sequence[str]) -> dict[str, int]:
    """Non-deleted messages per conversation, written on any branch (none: left out)."""
    found = _for_conversations(connection, _VISIBLE_COUNTS, conversation_ids)
    return {row.conversation_id: row.messages for row in found}


def visible_path(connection: Connection, head_message_id: str | None) -> Sequence[Row[Any]]:
    """The visible messages of the root-to-head chain ending at ``head_message_id``, each
    with the ``Message`` attribute names."""
    if head_message_id is None:
        return []
    return execute(connection, _VISIBLE_PATH, {"head": head_message_id}).all()


def messages_of(connection: Connection, conversation_id: str) -> Sequence[Row[Any]]:
    """Every message of the conversation, soft-deleted ones included, oldest first, each
    with the ``Message`` attribute names."""
    return execute(connection, _MESSAGES_OF, {"conversation_id": conversation_id}).all()


def conversations_page(
    connection: Connection, user_id: str, *, offset: int, limit: int, search: str | None
) -> tuple[list[Conversation], int]:
    """A page of the user's conversations, newest first, and how many there are;
    ``search``: text in the title, any case."""
    params: dict[str, Any] = {"user_id": user_id, "offset": offset, "limit": limit}
    count, page = _PAGE
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params["pattern"] = f"%{escaped.lower()}%"
        count, page = _PAGE_SEARCHED
    total = execute(connection, count, params).scalar_one()
    return [instance(Conversation, row) for row in execute(connection, page, params)], total
