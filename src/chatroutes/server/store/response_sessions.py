"""Parallel response sessions and their candidates."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import Conversation, ResponseCandidate, ResponseSession


class ResponseSessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self, response_session: ResponseSession, candidates: list[ResponseCandidate]
    ) -> None:
        self.session.add(response_session)
        await self.session.flush()  # the candidates' foreign key needs the session first
        self.session.add_all(candidates)
        await self.session.flush()

    async def get_owned(self, session_id: str, user_id: str) -> ResponseSession | None:
        return await self.session.scalar(
            select(ResponseSession)
            .join(Conversation, Conversation.id == ResponseSession.conversation_id)
            .where(ResponseSession.id == session_id, Conversation.user_id == user_id)
        )

    async def candidates(self, session_id: str) -> list[ResponseCandidate]:
        rows = await self.session.scalars(
            select(ResponseCandidate)
            .where(ResponseCandidate.session_id == session_id)
            .order_by(ResponseCandidate.position)
        )
        return list(rows)

    async def update_candidate(self, candidate_id: str, **values: Any) -> None:
        await self.session.execute(
            update(ResponseCandidate)
            .where(ResponseCandidate.id == candidate_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    async def update_session(self, session_id: str, **values: Any) -> None:
        await self.session.execute(
            update(ResponseSession)
            .where(ResponseSession.id == session_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
