"""Branches: pointers to a head message, moved only by compare-and-set.

The reads and writes a send and the conversation pages make are prebuilt Core statements
run on a connection (``execution.execute``); the repository runs the same functions in an
async unit of work (``database.load_in``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import Connection, bindparam, case, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from .conversations import for_conversations, of_conversations
from .database import load_in, rows_matched, run_in
from .execution import execute, instance, selected
from .tables import Branch

_branches = Branch.__table__

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


def _branches_statement(*, many: bool) -> Any:
    b = _branches.c
    return (
        select(*_BRANCH_COLUMNS)
        .where(of_conversations(b.conversation_id, many=many))
        .order_by(b.created_at, b.id)
    )


_BRANCHES = _branches_statement(many=False), _branches_statement(many=True)


def branch_in(connection: Connection, branch_id: str, conversation_id: str) -> Branch | None:
    row = execute(connection, _BRANCH_IN, {"id": branch_id, "conversation_id": conversation_id})
    found = row.first()
    return instance(Branch, found) if found is not None else None


def main_branch(connection: Connection, conversation_id: str) -> Branch:
    found = execute(connection, _MAIN_BRANCH, {"conversation_id": conversation_id}).first()
    assert found is not None, f"conversation {conversation_id} has no main branch"
    return instance(Branch, found)


def branches_of(connection: Connection, conversation_ids: Sequence[str]) -> list[Branch]:
    """The branches of these conversations, oldest first."""
    return [
        instance(Branch, row) for row in for_conversations(connection, _BRANCHES, conversation_ids)
    ]


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


class Renewal(NamedTuple):
    held: bool  # False once the lease is gone: the reply was stored, or recovered
    stop_requested: bool  # a user asked, through any process, to stop the reply


class BranchRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_in_conversation(self, branch_id: str, conversation_id: str) -> Branch | None:
        """``branch_in`` in this unit of work."""
        return await load_in(
            self.session, lambda connection: branch_in(connection, branch_id, conversation_id)
        )

    async def get_main(self, conversation_id: str) -> Branch:
        """``main_branch`` in this unit of work."""
        return await load_in(
            self.session, lambda connection: main_branch(connection, conversation_id)
        )

    async def list_for_conversations(self, conversation_ids: list[str]) -> list[Branch]:
        """``branches_of`` in this unit of work."""
        return await load_in(
            self.session, lambda connection: branches_of(connection, conversation_ids)
        )

    async def move_head(
        self,
        branch_id: str,
        *,
        expected: str | None,
        new: str,
        when: datetime,
        release_lease: str | None = None,
    ) -> bool:
        """``move_head`` in this unit of work."""
        return await run_in(
            self.session,
            lambda connection: move_head(
                connection,
                branch_id,
                expected=expected,
                new=new,
                when=when,
                release_lease=release_lease,
            ),
        )

    async def release_lease(self, branch_id: str, token: str) -> bool:
        """``release_lease`` in this unit of work."""
        return await run_in(
            self.session, lambda connection: release_lease(connection, branch_id, token)
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
            .values(dict.fromkeys(LEASE_COLUMNS))
            .execution_options(synchronize_session=False)
        )
        return rows_matched(result) == 1

    async def take_checkpoint_lease(
        self, branch_id: str, token: str, *, now: datetime, until: datetime, force: bool = False
    ) -> bool:
        """Hold the branch's checkpoint lease as ``token`` until ``until``, unless a live one
        is held; ``force``: whoever holds it (its holder then keeps nothing it writes)."""
        taken = update(Branch).where(Branch.id == branch_id)
        if not force:
            taken = taken.where(
                or_(Branch.checkpoint_lease.is_(None), Branch.checkpoint_lease_until <= now)
            )
        result = await self.session.execute(
            taken.values(checkpoint_lease=token, checkpoint_lease_until=until).execution_options(
                synchronize_session=False
            )
        )
        return rows_matched(result) == 1

    async def give_up_checkpoint_lease(self, branch_id: str, token: str) -> bool:
        """Free the checkpoint lease if ``token`` still holds it; whether it did."""
        result = await self.session.execute(
            update(Branch)
            .where(Branch.id == branch_id, Branch.checkpoint_lease == token)
            .values(checkpoint_lease=None, checkpoint_lease_until=None)
            .execution_options(synchronize_session=False)
        )
        return rows_matched(result) == 1

    async def checkpoint_lease_held(self, branch_id: str, now: datetime) -> bool:
        """Whether a live checkpoint lease is held on the branch: a summary is in flight."""
        until = await self.session.scalar(
            select(Branch.checkpoint_lease_until).where(
                Branch.id == branch_id, Branch.checkpoint_lease.is_not(None)
            )
        )
        return until is not None and until > now

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
        return rows_matched(result) == 1

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
        # The WHERE leaves NULL leases out, which the selected column's type cannot say.
        return cast(list[tuple[str, str]], [(branch_id, lease) for branch_id, lease in rows])

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
