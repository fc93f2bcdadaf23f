"""Branches: pointers to a head message, moved only by compare-and-set."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from . import rows
from .models import Branch


class BranchRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_in_conversation(self, branch_id: str, conversation_id: str) -> Branch | None:
        return await self.session.scalar(
            select(Branch).where(Branch.id == branch_id, Branch.conversation_id == conversation_id)
        )

    async def get_main(self, conversation_id: str) -> Branch:
        branch = await self.session.scalar(
            select(Branch).where(Branch.conversation_id == conversation_id, Branch.is_main)
        )
        assert branch is not None, f"conversation {conversation_id} has no main branch"
        return branch

    async def list_for_conversations(self, conversation_ids: list[str]) -> list[Branch]:
        if not conversation_ids:
            return []
        rows = await self.session.scalars(
            select(Branch)
            .where(Branch.conversation_id.in_(conversation_ids))
            .order_by(Branch.created_at, Branch.id)
        )
        return list(rows)

    async def add(self, branch: Branch) -> Branch:
        self.session.add(branch)
        await self.session.flush()
        return branch

    async def move_head(
        self,
        branch_id: str,
        *,
        expected: str | None,
        new: str,
        when: datetime,
        release_lease: str | None = None,
    ) -> bool:
        """``rows.move_head`` in this unit of work."""
        return await self.session.run_sync(
            lambda session: rows.move_head(
                session.connection(),
                branch_id,
                expected=expected,
                new=new,
                when=when,
                release_lease=release_lease,
            )
        )

    async def release_lease(self, branch_id: str, token: str) -> bool:
        """``rows.release_lease`` in this unit of work."""
        return await self.session.run_sync(
            lambda session: rows.release_lease(session.connection(), branch_id, token)
        )

    async def take_expired(self, branch_id: str, token: str, now: datetime) -> bool:
        """Release ``token``'s lease only if it expired: its owner stopped renewing it."""
        result = await self.session.execute(
            update(Branch)
            .where(
                Branch.id == branch_id,
                Branch.generation_lease == token,
                Branch.generation_lease_until < now,
            )
            .values(dict.fromkeys(rows.LEASE_COLUMNS))
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    async def renew_lease(
        self,
        branch_id: str,
        token: str,
        *,
        until: datetime,
        question_id: str,
        partial: str | None,
    ) -> bool:
        """Extend a held lease and record the reply so far; False once the lease is gone."""
        values: dict[str, object] = {
            "generation_lease_until": until,
            "generation_question_id": question_id,
        }
        if partial is not None:
            values["generation_partial"] = partial
        result = await self.session.execute(
            update(Branch)
            .where(Branch.id == branch_id, Branch.generation_lease == token)
            .values(values)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    async def expired_leases(self, now: datetime, limit: int) -> list[tuple[str, str]]:
        """``(branch id, lease)`` of leases nobody renewed before ``now``: owners gone."""
        rows = await self.session.execute(
            select(Branch.id, Branch.generation_lease)
            .where(Branch.generation_lease.is_not(None), Branch.generation_lease_until < now)
            .order_by(Branch.generation_lease_until)
            .limit(limit)
        )
        return [(branch_id, lease) for branch_id, lease in rows]

    async def held_by(self, branch_id: str, token: str) -> Branch | None:
        """The branch, with its flushed partial reply, if ``token`` holds its lease."""
        return await self.session.scalar(
            select(Branch)
            .where(Branch.id == branch_id, Branch.generation_lease == token)
            .options(undefer(Branch.generation_partial))
            .execution_options(populate_existing=True)
        )

    async def delete(self, branch_id: str) -> None:
        await self.session.execute(delete(Branch).where(Branch.id == branch_id))
