"""Editing and deleting messages. Sending is ``services/sending``; a reply followed again
or stopped, ``services/replies.py``; listing a branch's messages, ``services/branches.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.errors import Conflict, InvalidRequest, NotFound
from ..domain.tokens import estimate_tokens
from ..store import branches as branch_store
from ..store.branches import BranchRepository
from ..store.messages import MessageRepository
from ..store.tables import Branch, Message, User
from .branches import add_branch, build_message, new_branch
from .limits import LimitService
from .sending import check_length
from .server_context import ServerContext, utcnow


@dataclass
class EditResult:
    message: Message
    branch: Branch | None  # the new branch holding the edit, when one was made
    branch_message_count: int = 0


class MessageService:
    def __init__(self, ctx: ServerContext, user_id: str, user: User | None = None) -> None:
        self.ctx = ctx
        self.user_id = user_id
        self.user = user  # as authentication read it for this request, when known

    async def edit(self, message_id: str, content: str) -> EditResult:
        """Write a new version beside the original; the original stays in the tree."""
        check_length(self.ctx.settings, content)
        async with (
            LimitService(self.ctx).branch_allowance(self.user_id, self.user) as allowance,
            self.ctx.db.write() as session,
        ):
            original = await self._owned_visible(session, message_id)
            branches = BranchRepository(session)
            home = await branches.get_in_conversation(original.branch_id, original.conversation_id)
            new_home: Branch | None = None
            if home is not None and home.head_message_id == original.id:
                target = home
            else:
                new_home = await add_branch(
                    session,
                    new_branch(
                        original.conversation_id,
                        parent=home,
                        fork_point_id=original.parent_id,
                        title="Edited message",
                        context_mode=home.context_mode if home else "FULL",
                    ),
                    allowance,
                    owner=self.user_id,
                )
                target = new_home
            version = await MessageRepository(session).add(
                build_message(
                    conversation_id=original.conversation_id,
                    branch_id=target.id,
                    parent_id=original.parent_id,
                    role=original.role,
                    content=content,
                    model=original.model,
                    token_count=estimate_tokens(content),
                    meta={**(original.meta or {}), "editedFrom": original.id},
                    edited_from=original.id,
                    pinned=original.pinned,
                    excluded=original.excluded,
                )
            )
            expected = original.id if new_home is None else original.parent_id
            if not await branches.move_head(
                target.id, expected=expected, new=version.id, when=utcnow()
            ):
                raise Conflict("The branch moved while the edit was being stored; retry")
            if new_home is None and allowance.capped and await _generating(session, target):
                # The reply under way on this branch will need a branch of its own
                # (``store_reply_at_head``): this edit makes it, so it counts here.
                await allowance.take(session)
            counts = await MessageRepository(session).own_counts(target.conversation_id)
        return EditResult(
            message=version, branch=new_home, branch_message_count=counts.get(target.id, 0)
        )

    async def set_context(
        self, message_id: str, *, pinned: bool | None, excluded: bool | None
    ) -> Message:
        """Pin or exclude a message (None: as it is). A message pinned and excluded at once
        is refused, whichever of the two the call changes."""
        async with self.ctx.db.write() as session:
            message = await self._owned_visible(session, message_id)
            after_pinned = message.pinned if pinned is None else pinned
            after_excluded = message.excluded if excluded is None else excluded
            if after_pinned and after_excluded:
                raise InvalidRequest(
                    "excluded: a pinned message cannot be excluded; unpin it first",
                    field="excluded",
                )
            return await MessageRepository(session).set_context(
                message, pinned=pinned, excluded=excluded
            )

    async def delete(self, message_id: str) -> None:
        async with self.ctx.db.write() as session:
            await self._owned_visible(session, message_id)
            await MessageRepository(session).soft_delete(message_id, utcnow())

    async def _owned_visible(self, session: AsyncSession, message_id: str) -> Message:
        message = await MessageRepository(session).get_owned(message_id, self.user_id)
        if message is None or message.deleted_at is not None:
            raise NotFound("message", message_id)
        return message


async def _generating(session: AsyncSession, branch: Branch) -> bool:
    """Whether a generation holds ``branch``'s lease, as its row stands now (locked by the
    caller's write to it)."""
    current = await session.run_sync(
        lambda sync: branch_store.branch_in(sync.connection(), branch.id, branch.conversation_id)
    )
    return current is not None and current.generating(utcnow())
