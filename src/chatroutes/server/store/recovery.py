"""What crash recovery touches beyond branches: parallel sessions cut off mid-run."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .models import ResponseCandidate, ResponseSession

_INTERRUPTED = {
    "error": "INTERRUPTED",
    "message": "The server stopped while generating",
    "details": {},
}


async def running_response_session(session: AsyncSession, user_message_id: str) -> bool:
    """Whether a parallel session answering this question is still marked running."""
    found = await session.scalar(
        select(ResponseSession.id)
        .where(
            ResponseSession.user_message_id == user_message_id,
            ResponseSession.status == "running",
        )
        .limit(1)
    )
    return found is not None


async def interrupt_response_sessions(
    session: AsyncSession, user_message_id: str, when: datetime
) -> None:
    """Mark the question's running sessions, and their unfinished candidates, ``error``."""
    ids = list(
        await session.scalars(
            select(ResponseSession.id).where(
                ResponseSession.user_message_id == user_message_id,
                ResponseSession.status == "running",
            )
        )
    )
    if not ids:
        return
    await session.execute(
        update(ResponseCandidate)
        .where(
            ResponseCandidate.session_id.in_(ids),
            ResponseCandidate.status.in_(("pending", "streaming")),
        )
        .values(status="error", error=_INTERRUPTED)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(ResponseSession)
        .where(ResponseSession.id.in_(ids))
        .values(status="error", updated_at=when)
        .execution_options(synchronize_session=False)
    )
