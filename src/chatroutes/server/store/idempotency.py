"""Idempotency keys: one row per (scope, key), claimed by INSERT, finished or released by owner.

The claim's ``created_at`` is its owner's token: a claim taken over after its lock
lapsed gets a later one, so a stale owner's ``finish`` or ``release`` matches no row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import IdempotencyRecord

_Record = IdempotencyRecord


class IdempotencyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, scope: str, key: str) -> IdempotencyRecord | None:
        return await self.session.scalar(
            select(_Record).where(_Record.scope == scope, _Record.key == key)
        )

    async def add_if_absent(self, record: IdempotencyRecord) -> bool:
        """Insert ``record`` unless its key exists; the primary key decides between racers."""
        values = {
            "scope": record.scope,
            "key": record.key,
            "request_hash": record.request_hash,
            "state": record.state,
            "created_at": record.created_at,
            "locked_until": record.locked_until,
            "expires_at": record.expires_at,
        }
        postgres = self.session.get_bind().dialect.name == "postgresql"
        insert = pg_insert if postgres else sqlite_insert
        statement = (
            insert(_Record)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["scope", "key"])
            .returning(_Record.key)
        )
        return (await self.session.execute(statement)).first() is not None

    async def take_over(
        self, scope: str, key: str, *, expected_created_at: datetime, values: dict[str, Any]
    ) -> bool:
        """Replace the row as it was read (compare-and-set on its claim token)."""
        return await self._update_owned(scope, key, expected_created_at, values)

    async def finish(
        self,
        scope: str,
        key: str,
        created_at: datetime,
        *,
        status_code: int,
        headers: list[list[str]],
        body: bytes,
        locked_until: datetime,
    ) -> bool:
        return await self._update_owned(
            scope,
            key,
            created_at,
            {
                "state": "done",
                "status_code": status_code,
                "response_headers": headers,
                "response_body": body,
                "locked_until": locked_until,
            },
        )

    async def delete_owned(self, scope: str, key: str, created_at: datetime) -> None:
        await self.session.execute(
            delete(_Record).where(
                _Record.scope == scope, _Record.key == key, _Record.created_at == created_at
            )
        )

    async def delete_expired(self, now: datetime) -> int:
        result = await self.session.execute(
            delete(_Record)
            .where(_Record.expires_at <= now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount or 0  # type: ignore[attr-defined]

    async def _update_owned(
        self, scope: str, key: str, created_at: datetime, values: dict[str, Any]
    ) -> bool:
        result = await self.session.execute(
            update(_Record)
            .where(_Record.scope == scope, _Record.key == key, _Record.created_at == created_at)
            .values(**values)
            .returning(_Record.key)
            .execution_options(synchronize_session=False)
        )
        return result.first() is not None
