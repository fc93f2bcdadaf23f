"""Branches: pointers to a head message, moved only by compare-and-set."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from . import rows
from .tables import Branch


class Renewal(NamedTuple):
    held: bool  # False once the lease is gone: the reply was stored, or recovered
    stop_requested: bool  # a user asked, through any process, to stop the reply


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
        reservation: dict[str, Any] | None = None,
    ) -> Renewal:
        """Extend a held lease and record the reply so far (and its token reservation, when
        given); and whether a stop was asked."""
        values: dict[str, object] = {
            "generation_lease_until": until,
            "generation_question_id": question_id,
        }
        if partial is not None:
            values["generation_partial"] = partial
        if reservation is not None:
            values["generation_reservation"] = reservation
        result = await self.session.execute(
            update(Branch)
            .where(Branch.id == branch_id, Branch.generation_lease == token)
            .values(values)
            .returning(Branch.generation_stop_requested_at)
            .execution_options(synchronize_session=False)
        )
        stop_requested_at = result.first()
        if stop_requested_at is None:
            return Renewal(held=False, stop_requested=False)
        return Renewal(held=True, stop_requested=stop_requested_at[0] is not None)

    async def request_stop(self, conversation_id: str, reply_id: str, now: datetime) -> bool:
        """Ask whichever process generates ``reply_id`` to stop; False if none does."""
        result = await self.session.execute(
            update(Branch)
            .where(*_generating_reply(conversation_id, reply_id, now))
            .values(generation_stop_requested_at=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    async def reply_so_far(self, conversation_id: str, reply_id: str, now: datetime) -> str | None:
        """The text flushed so far of ``reply_id``; None unless a live lease generates it."""
        found = await self.session.execute(
            select(Branch.generation_partial).where(
                *_generating_reply(conversation_id, reply_id, now)
            )
        )
        row = found.first()
        return None if row is None else row[0] or ""

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

    async def delete(self, branch_id: str, now: datetime) -> bool:
        """Delete the branch; whether a generation held its lease as it went."""
        deleted = await self.session.execute(
            delete(Branch)
            .where(Branch.id == branch_id)
            .returning(Branch.generation_lease, Branch.generation_lease_until)
        )
        found = deleted.first()
        if found is None:
            return False
        lease, until = found
        return lease is not None and until is not None and until > now


def _generating_reply(conversation_id: str, reply_id: str, now: datetime) -> tuple[Any, ...]:
    """The branch whose live generation lease is generating ``reply_id``."""
    return (
        Branch.conversation_id == conversation_id,
        Branch.generation_reply_id == reply_id,
        Branch.generation_lease.is_not(None),
        Branch.generation_lease_until > now,
    )
