"""Idempotency keys: one row per (scope, key), claimed by INSERT, finished or released by owner.

The claim's ``created_at`` is its owner's token: a claim taken over after its lock
lapsed gets a later one, so a stale owner's ``finish`` or ``release`` matches no row.

Each operation is one prebuilt Core statement on a synchronous connection, run inside
the caller's ``Database.run`` transaction (``execution.execute``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, bindparam, delete, null, select, update
from sqlalchemy.dialects import postgresql, sqlite

from .execution import execute, selected
from .tables import IdempotencyRecord

_keys = IdempotencyRecord.__table__
# not the columns' names, which an UPDATE's parameters would set
_THIS_KEY = (_keys.c.scope == bindparam("of_scope"), _keys.c.key == bindparam("of_key"))
_OWNED = (*_THIS_KEY, _keys.c.created_at == bindparam("token"))

_RECORD = select(*selected(IdempotencyRecord)).where(*_THIS_KEY)
_TAKE_OVER = (
    update(_keys)
    .where(*_OWNED)
    .values(
        request_hash=bindparam("request_hash"),
        state="running",
        status_code=null(),
        response_headers=null(),
        response_body=null(),
        created_at=bindparam("new_token"),
        locked_until=bindparam("locked_until"),
        expires_at=bindparam("expires_at"),
    )
)
_FINISH = (
    update(_keys)
    .where(*_OWNED)
    .values(
        state="done",
        status_code=bindparam("status_code"),
        response_headers=bindparam("response_headers"),
        response_body=bindparam("response_body"),
        locked_until=bindparam("locked_until"),
    )
)
_DELETE_OWNED = delete(_keys).where(*_OWNED)
_DELETE_EXPIRED = delete(_keys).where(_keys.c.expires_at <= bindparam("now"))
_NEW_ROW = ("scope", "key", "request_hash", "state", "created_at", "locked_until", "expires_at")


@cache
def _insert_if_absent(backend: str) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING RETURNING key``; built once per backend."""
    dialect_insert = postgresql.insert if backend == "postgresql" else sqlite.insert
    return (
        dialect_insert(_keys)
        .values({name: bindparam(name) for name in _NEW_ROW})
        .on_conflict_do_nothing(index_elements=[_keys.c.scope, _keys.c.key])
        .returning(_keys.c.key)
    )


def add_if_absent(connection: Connection, row: Mapping[str, Any]) -> bool:
    """Insert ``row`` (the columns of ``_NEW_ROW``) unless its key has one; the primary key
    decides between racers, in any process. A claim is a row in state ``running`` whose
    ``created_at`` is its token."""
    statement = _insert_if_absent(connection.dialect.name)
    return execute(connection, statement, row).first() is not None


def record(connection: Connection, scope: str, key: str) -> Any | None:
    """The key's row (its columns by attribute name), or None."""
    return execute(connection, _RECORD, {"of_scope": scope, "of_key": key}).first()


def take_over(
    connection: Connection,
    scope: str,
    key: str,
    *,
    expected_token: datetime,
    request_hash: str,
    token: datetime,
    locked_until: datetime,
    expires_at: datetime,
) -> bool:
    """Make the row a new running claim, if it still holds ``expected_token`` (as read)."""
    params = {
        "of_scope": scope,
        "of_key": key,
        "token": expected_token,
        "request_hash": request_hash,
        "new_token": token,
        "locked_until": locked_until,
        "expires_at": expires_at,
    }
    return execute(connection, _TAKE_OVER, params).rowcount == 1


def finish(
    connection: Connection,
    scope: str,
    key: str,
    token: datetime,
    *,
    status_code: int,
    headers: list[list[str]],
    body: bytes,
    locked_until: datetime,
) -> bool:
    """Store the answer in the claim ``token`` owns; False: it owns the row no more."""
    params = {
        "of_scope": scope,
        "of_key": key,
        "token": token,
        "status_code": status_code,
        "response_headers": headers,
        "response_body": body,
        "locked_until": locked_until,
    }
    return execute(connection, _FINISH, params).rowcount == 1


def delete_owned(connection: Connection, scope: str, key: str, token: datetime) -> None:
    execute(connection, _DELETE_OWNED, {"of_scope": scope, "of_key": key, "token": token})


def delete_expired(connection: Connection, now: datetime) -> int:
    return execute(connection, _DELETE_EXPIRED, {"now": now}).rowcount
