"""What crash recovery touches beyond branches: parallel sessions cut off mid-run."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import ResponseCandidate, ResponseSession

_UNFINISHED = ("pending", "streaming")


def _running_sessions(user_message_id: str) -> Select[str]:
    return select(ResponseSession.id).where(
        ResponseSession.user_message_id == user_message_id,
        ResponseSession.status == "running",
    )


async def running_response_session(session: AsyncSession, user_message_id: str) -> bool:
    """Whether a parallel session answering this question is still marked running."""
    found = await session.scalar(_running_sessions(user_message_id).limit(1))
    return found is not None


async def unfinished_candidates(
    session: AsyncSession, user_message_id: str
) -> list[ResponseCandidate]:
    """The candidates of the question's running sessions that never finished."""
    rows = await session.scalars(
        select(ResponseCandidate)
        .where(
            ResponseCandidate.session_id.in_(_running_sessions(user_message_id)),
            ResponseCandidate.status.in_(_UNFINISHED),
        )
        .order_by(ResponseCandidate.position)
    )
    return list(rows)


async def close_running_sessions(
    session: AsyncSession, user_message_id: str, when: datetime
) -> None:
    """End the question's running sessions: ``complete`` if a candidate completed, else
    ``error``. Their unfinished candidates must have been closed first."""
    completed = exists().where(
        ResponseCandidate.session_id == ResponseSession.id,
        ResponseCandidate.status == "complete",
    )
    ids = list(await session.scalars(_running_sessions(user_message_id)))
    for status, condition in (("complete", completed), ("error", ~completed)):
        await session.execute(
            update(ResponseSession)
            .where(ResponseSession.id.in_(ids), condition)
            .values(status=status, updated_at=when)
            .execution_options(synchronize_session=False)
        )
