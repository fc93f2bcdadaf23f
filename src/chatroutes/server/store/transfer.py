"""Bulk reads and writes for moving a whole conversation in or out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import Branch, Checkpoint, Conversation, Message

# Bound parameters per IN list: well under SQLite's 32,766 and asyncpg's 32,767.
_CHUNK = 5_000

Row = dict[str, Any]


class TransferRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def existing_ids(
        self, model: type[Conversation | Branch | Message | Checkpoint], ids: Sequence[str]
    ) -> set[str]:
        """Which of ``ids`` are already rows of ``model``, in any account."""
        found: set[str] = set()
        for start in range(0, len(ids), _CHUNK):
            chunk = list(ids[start : start + _CHUNK])
            found.update(await self.session.scalars(select(model.id).where(model.id.in_(chunk))))
        return found

    async def add(
        self, model: type[Conversation | Branch | Message | Checkpoint], rows: Sequence[Row]
    ) -> None:
        """Insert the rows (dicts keyed by model attribute: ``meta`` for ``metadata``) in
        one statement, many rows (no per-row flush)."""
        await self.session.execute(insert(model), list(rows))
