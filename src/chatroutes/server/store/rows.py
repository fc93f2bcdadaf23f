"""The hot paths' statements: Core, built once, run on a synchronous connection.

A send, authentication and the counters run their whole transaction as one plain
function through ``Database.run`` (one thread hop on SQLite). Statements here are
module constants with bind parameters, so SQLAlchemy computes each one's cache key
and SQL once; rows come back as light tuples, and only the few objects a response
is built from become (transient) model instances.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Connection, Row, bindparam, case, func, insert, literal, or_, select, update
from sqlalchemy.orm import aliased

from .models import ApiKey, Base, Branch, Checkpoint, Conversation, Message, User

M = TypeVar("M", bound=Base)

_conversations = Conversation.__table__
_branches = Branch.__table__
_messages = Message.__table__


@cache
def _columns(model: type[Base]) -> tuple[tuple[str, str, Any], ...]:
    """``(column key, attribute name, column)`` of each mapped column of ``model``."""
    mapper = model.__mapper__
    return tuple((prop.columns[0].key, prop.key, prop.columns[0]) for prop in mapper.column_attrs)


def instance(model: type[M], row: Row[Any]) -> M:
    """A transient model instance from a row that selected its columns by attribute name."""
    return model(**row._asdict())


def _selected(model: type[Base], *, leave_out: Collection[str] = ()) -> list[Any]:
    """The model's columns, labelled with their attribute names (``metadata`` → ``meta``)."""
    return [column.label(attr) for _, attr, column in _columns(model) if attr not in leave_out]


def insert_instance(connection: Connection, obj: Base) -> None:
    """Insert a new model instance the way a flush would, Python-side defaults included."""
    values: dict[str, Any] = {}
    for key, attr, column in _columns(type(obj)):
        if attr not in obj.__dict__ and column.default is not None:
            default = column.default
            setattr(obj, attr, default.arg(None) if default.is_callable else default.arg)
        if attr in obj.__dict__:
            values[key] = obj.__dict__[attr]
    connection.execute(insert(type(obj).__table__), values)


# -- conversations ------------------------------------------------------------------------

_OWNED_CONVERSATION = select(*_selected(Conversation)).where(
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
    row = connection.execute(_OWNED_CONVERSATION, {"id": conversation_id, "user_id": user_id})
    found = row.first()
    return instance(Conversation, found) if found is not None else None


def touch_conversation(connection: Connection, conversation_id: str, when: datetime) -> None:
    connection.execute(_TOUCH_CONVERSATION, {"conversation_id": conversation_id, "when": when})


# -- branches -----------------------------------------------------------------------------

_BRANCH_COLUMNS = _selected(Branch, leave_out={"generation_partial"})
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
    .values(generation_lease=bindparam("token"), generation_lease_until=bindparam("until"))
)
# A generation lease and what is flushed under it: cleared together when it is given up.
LEASE_COLUMNS = (
    "generation_lease",
    "generation_lease_until",
    "generation_question_id",
    "generation_partial",
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
    row = connection.execute(_BRANCH_IN, {"id": branch_id, "conversation_id": conversation_id})
    found = row.first()
    return instance(Branch, found) if found is not None else None


def main_branch(connection: Connection, conversation_id: str) -> Branch:
    found = connection.execute(_MAIN_BRANCH, {"conversation_id": conversation_id}).first()
    assert found is not None, f"conversation {conversation_id} has no main branch"
    return instance(Branch, found)


def acquire_lease(
    connection: Connection, branch_id: str, token: str, *, now: datetime, until: datetime
) -> bool:
    """Take the branch's generation lease unless a live one is held."""
    params = {"branch_id": branch_id, "token": token, "now": now, "until": until}
    return connection.execute(_ACQUIRE_LEASE, params).rowcount == 1


def release_lease(connection: Connection, branch_id: str, token: str) -> bool:
    """Give up the lease if ``token`` still holds it, with what was flushed under it."""
    params = {"branch_id": branch_id, "token": token}
    return connection.execute(_RELEASE_LEASE, params).rowcount == 1


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
        return connection.execute(_MOVE_HEAD, params).rowcount == 1
    params["lease"] = release_lease
    return connection.execute(_MOVE_HEAD_RELEASING, params).rowcount == 1


# -- messages -----------------------------------------------------------------------------

_MESSAGE_IN = select(*_selected(Message)).where(
    _messages.c.id == bindparam("id"), _messages.c.conversation_id == bindparam("conversation_id")
)
_HAS_CHILDREN = select(_messages.c.id).where(_messages.c.parent_id == bindparam("id")).limit(1)


def _path_statement() -> Any:
    """Walk ``parent_id`` up from the bound ``head``: what context assembly reads."""
    walk = (
        select(_messages.c.id, _messages.c.parent_id, literal(0).label("depth"))
        .where(_messages.c.id == bindparam("head"))
        .cte("walk", recursive=True)
    )
    parent = aliased(_messages)
    walk = walk.union_all(
        select(parent.c.id, parent.c.parent_id, walk.c.depth + 1).where(
            parent.c.id == walk.c.parent_id
        )
    )
    m = _messages.c
    return (
        select(m.id, m.parent_id, m.role, m.content, m.token_count, m.deleted_at)
        .join(walk, m.id == walk.c.id)
        .order_by(walk.c.depth.desc())
    )


_PATH = _path_statement()


def message_in(connection: Connection, message_id: str, conversation_id: str) -> Message | None:
    params = {"id": message_id, "conversation_id": conversation_id}
    found = connection.execute(_MESSAGE_IN, params).first()
    return instance(Message, found) if found is not None else None


def path(connection: Connection, head_message_id: str | None) -> list[Row[Any]]:
    """Root-to-head chain ending at ``head_message_id``: id, parent_id, role, content,
    token_count and deleted_at of each message, by index, O(depth)."""
    if head_message_id is None:
        return []
    return list(connection.execute(_PATH, {"head": head_message_id}))


def has_children(connection: Connection, message_id: str) -> bool:
    return connection.execute(_HAS_CHILDREN, {"id": message_id}).first() is not None


def own_count(connection: Connection, branch: Branch) -> int:
    """Visible messages ``branch`` holds after its fork point."""
    rows = connection.execute(_OWN_COUNT, {"branch_id": branch.id})
    return int(rows.scalar_one())


def _own_count_statement() -> Any:
    b, m = _branches.c, _messages.c
    start = (
        select(b.fork_point_message_id.label("stop_at"), m.id, m.parent_id, m.deleted_at)
        .join(_messages, m.id == b.head_message_id)
        .where(
            b.id == bindparam("branch_id"),
            b.head_message_id.is_distinct_from(b.fork_point_message_id),
        )
        .cte("own_walk", recursive=True)
    )
    parent = aliased(_messages)
    walk = start.union_all(
        select(start.c.stop_at, parent.c.id, parent.c.parent_id, parent.c.deleted_at).where(
            parent.c.id == start.c.parent_id, parent.c.id.is_distinct_from(start.c.stop_at)
        )
    )
    return select(func.count()).select_from(walk).where(walk.c.deleted_at.is_(None))


_OWN_COUNT = _own_count_statement()


# -- checkpoints --------------------------------------------------------------------------

_checkpoints = Checkpoint.__table__
_ANCHORED_ON = (
    select(
        _checkpoints.c.id,
        _checkpoints.c.anchor_message_id,
        _checkpoints.c.summary,
        _checkpoints.c.token_count,
    )
    .where(
        _checkpoints.c.conversation_id == bindparam("conversation_id"),
        _checkpoints.c.anchor_message_id.in_(bindparam("anchors", expanding=True)),
    )
    .order_by(_checkpoints.c.created_at, _checkpoints.c.id)
)


def checkpoints_anchored_on(
    connection: Connection, conversation_id: str, message_ids: Sequence[str]
) -> list[Row[Any]]:
    """id, anchor_message_id, summary and token_count of the checkpoints anchored on
    ``message_ids``, oldest first."""
    if not message_ids:
        return []
    params = {"conversation_id": conversation_id, "anchors": list(message_ids)}
    return list(connection.execute(_ANCHORED_ON, params))


# -- API keys -----------------------------------------------------------------------------

_api_keys = ApiKey.__table__
_users = User.__table__
_KEY_AND_USER = (
    select(_api_keys.c.id.label("key_id"), _api_keys.c.last_used_at, *_selected(User))
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
    found = connection.execute(_KEY_AND_USER, {"key_hash": key_hash}).first()
    if found is None:
        return None
    values = found._asdict()
    key_id, last_used = values.pop("key_id"), values.pop("last_used_at")
    return key_id, last_used, User(**values)


def touch_key(connection: Connection, key_id: str, now: datetime, stale_before: datetime) -> None:
    """Record the key's use, unless it was recorded since ``stale_before``."""
    params = {"key_id": key_id, "now": now, "stale_before": stale_before}
    connection.execute(_TOUCH_KEY, params)
