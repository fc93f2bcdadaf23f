"""An account's data as a whole: list it, erase it; purge expired guests and expired
soft-deleted messages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, delete, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from .images import ChatImage
from .tables import (
    ApiKey,
    Branch,
    Checkpoint,
    Conversation,
    Message,
    RefreshToken,
    ResponseCandidate,
    ResponseSession,
    UsageCounter,
    User,
)
from .usage_ledger import UsageLedgerEntry, keep_usage

_DELETE_CHUNK = 500  # ids per DELETE … IN (…), well under every backend's bound


@dataclass(frozen=True)
class TreeRow:
    """What deciding a purge needs of a message."""

    id: str
    parent_id: str | None
    edited_from: str | None
    deleted_at: datetime | None


class AccountDataRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def conversation_ids(self, user_id: str) -> list[str]:
        rows = await self.session.scalars(
            select(Conversation.id)
            .where(Conversation.user_id == user_id)
            .order_by(Conversation.created_at, Conversation.id)
        )
        return list(rows)

    async def delete_account(self, user_id: str) -> None:
        """Every row of the user's, children first (whatever the backend's cascades do).

        Idempotency records are keyed by a hash of the credential, not by user: they
        expire after ``idempotency_ttl_hours`` and, every credential being gone, are
        never replayed meanwhile.
        """
        await self.delete_data(user_id)
        for statement in (
            delete(UsageLedgerEntry).where(UsageLedgerEntry.user_id == user_id),
            delete(User).where(User.id == user_id),
        ):
            await self.session.execute(statement.execution_options(synchronize_session=False))

    async def purge_guest(self, user_id: str, now: datetime) -> bool:
        """An expired guest's data, its usage moved to the ledger first; False if the user
        is no longer an expired guest (converted, or purged by another process).

        The user row stays as the owner of its ledger rows (a guest's has no personal
        data: a made-up email, no name, no password); one that used nothing goes too.
        """
        user = await self.session.get(User, user_id, with_for_update=True)
        if user is None or not user.is_guest or not _guest_session_over(user, now):
            return False
        conversations = select(Conversation.id).where(Conversation.user_id == user_id)
        await keep_usage(self.session, user_id, Message.conversation_id.in_(conversations), now)
        await self.delete_data(user_id)
        kept = await self.session.scalar(
            select(UsageLedgerEntry.id).where(UsageLedgerEntry.user_id == user_id).limit(1)
        )
        if kept is None:
            await self.session.delete(user)
        await self.session.flush()
        return True

    async def expired_guests(self, now: datetime, limit: int, *, after: str = "") -> list[str]:
        """Expired guests (ids above ``after``, in order) not purged yet: holding data, or
        a user row that no ledger row needs."""

        def held_by_user(column: InstrumentedAttribute[str]) -> ColumnElement[bool]:
            return exists().where(column == User.id)

        rows = await self.session.scalars(
            select(User.id)
            .where(
                User.is_guest.is_(True),
                or_(User.guest_expires_at.is_(None), User.guest_expires_at <= now),
                User.id > after,
                or_(
                    held_by_user(Conversation.user_id),
                    held_by_user(RefreshToken.user_id),
                    held_by_user(ApiKey.user_id),
                    held_by_user(ChatImage.user_id),
                    ~held_by_user(UsageLedgerEntry.user_id),
                ),
            )
            .order_by(User.id)
            .limit(limit)
        )
        return list(rows)

    async def delete_data(self, user_id: str) -> None:
        """Every row of the user's but the user itself and its usage ledger."""
        conversations = select(Conversation.id).where(Conversation.user_id == user_id)
        sessions = select(ResponseSession.id).where(
            ResponseSession.conversation_id.in_(conversations)
        )
        for statement in (
            delete(ChatImage).where(ChatImage.user_id == user_id),
            delete(ResponseCandidate).where(ResponseCandidate.session_id.in_(sessions)),
            delete(ResponseSession).where(ResponseSession.conversation_id.in_(conversations)),
            delete(Checkpoint).where(Checkpoint.conversation_id.in_(conversations)),
            delete(Message).where(Message.conversation_id.in_(conversations)),
            delete(Branch).where(Branch.conversation_id.in_(conversations)),
            delete(Conversation).where(Conversation.user_id == user_id),
            delete(RefreshToken).where(RefreshToken.user_id == user_id),
            delete(ApiKey).where(ApiKey.user_id == user_id),
            delete(UsageCounter).where(UsageCounter.subject == f"user:{user_id}"),
        ):
            await self.session.execute(statement.execution_options(synchronize_session=False))

    async def conversations_with_deleted_before(
        self, before: datetime, limit: int, *, after: str = ""
    ) -> list[str]:
        """Conversations (ids above ``after``, in order) holding messages deleted before then."""
        rows = await self.session.scalars(
            select(Message.conversation_id)
            .where(Message.deleted_at < before, Message.conversation_id > after)
            .group_by(Message.conversation_id)
            .order_by(Message.conversation_id)
            .limit(limit)
        )
        return list(rows)

    async def owner(self, conversation_id: str) -> str | None:
        return await self.session.scalar(
            select(Conversation.user_id).where(Conversation.id == conversation_id)
        )

    async def tree_rows(self, conversation_id: str) -> list[TreeRow]:
        rows = await self.session.execute(
            select(Message.id, Message.parent_id, Message.edited_from, Message.deleted_at).where(
                Message.conversation_id == conversation_id
            )
        )
        return [TreeRow(*row) for row in rows]

    async def referenced_ids(self, conversation_id: str) -> set[str]:
        """Messages something other than a message points at: heads, fork points, anchors…"""
        statements = (
            select(Branch.head_message_id).where(Branch.conversation_id == conversation_id),
            select(Branch.fork_point_message_id).where(Branch.conversation_id == conversation_id),
            select(Branch.generation_question_id).where(Branch.conversation_id == conversation_id),
            select(Checkpoint.anchor_message_id).where(
                Checkpoint.conversation_id == conversation_id
            ),
            select(ResponseSession.user_message_id).where(
                ResponseSession.conversation_id == conversation_id
            ),
            select(ResponseCandidate.message_id)
            .join(ResponseSession, ResponseSession.id == ResponseCandidate.session_id)
            .where(ResponseSession.conversation_id == conversation_id),
        )
        found: set[str] = set()
        for statement in statements:
            found.update(i for i in await self.session.scalars(statement) if i is not None)
        return found

    async def delete_messages(
        self, user_id: str, message_ids: Sequence[str], now: datetime
    ) -> None:
        """Hard-delete the messages; their usage stays in the owner's ledger."""
        ids = list(message_ids)
        for start in range(0, len(ids), _DELETE_CHUNK):
            chunk = Message.id.in_(ids[start : start + _DELETE_CHUNK])
            await keep_usage(self.session, user_id, chunk, now)
            await self.session.execute(
                delete(Message).where(chunk).execution_options(synchronize_session=False)
            )


def _guest_session_over(user: User, now: datetime) -> bool:
    return user.guest_expires_at is None or user.guest_expires_at <= now
