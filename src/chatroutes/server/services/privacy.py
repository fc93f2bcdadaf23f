"""An account's data on request: export it all, erase it all; retention of deleted messages.

- Export: every conversation of the caller as the document
  ``GET /conversations/{id}/export`` gives (importable one by one), plus the profile.
- Erase: conversations, branches, messages, images, checkpoints, parallel sessions,
  API keys, sessions, database counters, kept usage and the user row, in one
  transaction. The caller confirms with the account's email or user id. Redis
  counters (when configured) are left to expire with their windows.
- Retention: soft-deleted messages older than ``deleted_retention_days`` are
  purged, except those a kept message still needs (``domain/retention.py``).
  Their usage moves to the owner's usage ledger first, so account figures stay.
  A conversation that cannot be purged (a value its usage cannot be summed from) is
  logged with its id and left for the next pass; the others are purged all the same.
- Expired guests: once a guest session has expired (it cannot be converted any more),
  its conversations, messages, images, sessions and counters go, its usage moved to the
  ledger first; the user row (no personal data) stays as the ledger's owner, unless the
  guest used nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.errors import InvalidRequest, NotFound
from ..domain.retention import Node, purgeable
from ..settings import Settings
from ..store.database import Database
from ..store.privacy import AccountDataRepository
from ..store.tables import User
from ..store.users import UserRepository
from .server_context import ServerContext, utcnow
from .transfer import ConversationExport, TransferService

logger = logging.getLogger("chatroutes.server")

_PURGE_BATCH = 50  # conversations per transaction


@dataclass
class AccountExport:
    user: User
    conversations: list[ConversationExport]
    exported_at: datetime


class PrivacyService:
    def __init__(self, ctx: ServerContext, user_id: str) -> None:
        self.ctx = ctx
        self.user_id = user_id

    async def export(self) -> AccountExport:
        async with self.ctx.db.read() as session:
            user = await self._user(UserRepository(session))
            ids = await AccountDataRepository(session).conversation_ids(self.user_id)
        transfer = TransferService(self.ctx, self.user_id)
        conversations = []
        for conversation_id in ids:
            try:
                conversations.append(await transfer.export(conversation_id))
            except NotFound:  # deleted while exporting
                continue
        return AccountExport(user, conversations, utcnow())

    async def delete_account(self, confirm: str) -> None:
        """Erase everything of the account, if ``confirm`` names it (email or user id)."""
        async with self.ctx.db.write() as session:
            user = await self._user(UserRepository(session))
            if confirm.strip().lower() not in (user.email.lower(), user.id.lower()):
                raise InvalidRequest(
                    "confirm: must be the account's email or user id", field="confirm"
                )
            await AccountDataRepository(session).delete_account(user.id)

    async def _user(self, users: UserRepository) -> User:
        user = await users.get(self.user_id)
        if user is None:  # erased by a concurrent request
            raise NotFound("user", self.user_id)
        return user


def retention_cutoff(settings: Settings, now: datetime) -> datetime:
    """Messages soft-deleted before this are past retention."""
    return now - timedelta(days=settings.deleted_retention_days)


async def purge_deleted(db: Database, before: datetime) -> int:
    """Hard-delete messages soft-deleted before ``before`` that no kept message needs.

    One conversation's tree is decided whole, inside the transaction that deletes.
    Returns how many messages were purged.
    """

    async def pending(session: AsyncSession, after: str) -> list[str]:
        repository = AccountDataRepository(session)
        return await repository.conversations_with_deleted_before(before, _PURGE_BATCH, after=after)

    return await _purge_each(
        db, "conversation", pending, lambda cid: _purge_conversation(db, cid, before)
    )


async def purge_expired_guests(db: Database, now: datetime) -> int:
    """Purge every guest expired by ``now`` (``AccountDataRepository.purge_guest``), one
    transaction each. Returns how many were purged."""

    async def pending(session: AsyncSession, after: str) -> list[str]:
        return await AccountDataRepository(session).expired_guests(now, _PURGE_BATCH, after=after)

    async def purge(user_id: str) -> int:
        async with db.write() as session:
            return await AccountDataRepository(session).purge_guest(user_id, now)

    return await _purge_each(db, "expired guest", pending, purge)


async def _purge_each(
    db: Database,
    what: str,
    pending: Callable[[AsyncSession, str], Awaitable[list[str]]],
    purge: Callable[[str], Awaitable[int]],
) -> int:
    """``purge`` every id ``pending`` lists (a batch at a time, after the last one done),
    each on its own: one that fails is logged and left for the next pass, and stops no
    other. Returns the sum of what ``purge`` answered."""
    purged, done = 0, ""
    while True:
        async with db.read() as session:
            batch = await pending(session, done)
        for item in batch:
            try:
                purged += await purge(item)
            except Exception:  # rolled back; one poisoned row stops nobody else's purge
                logger.exception("could not purge %s %s; left for the next pass", what, item)
        if len(batch) < _PURGE_BATCH:
            return purged
        done = batch[-1]


async def _purge_conversation(db: Database, conversation_id: str, before: datetime) -> int:
    """Purge one conversation's expired messages in one transaction; how many went."""
    async with db.write() as session:
        data = AccountDataRepository(session)
        owner = await data.owner(conversation_id)
        if owner is None:  # deleted meanwhile
            return 0
        nodes = [
            Node(row.id, row.parent_id, row.edited_from, _expired(row.deleted_at, before))
            for row in await data.tree_rows(conversation_id)
        ]
        doomed = purgeable(nodes, await data.referenced_ids(conversation_id))
        await data.delete_messages(owner, sorted(doomed), utcnow())
    return len(doomed)


def _expired(deleted_at: datetime | None, before: datetime) -> bool:
    return deleted_at is not None and deleted_at < before
