"""Merging a branch back into its parent branch, in one unit of work.

- ``append`` copies the branch's own visible messages, in order, after the
  parent's head; ``cherry-pick`` copies the chosen ones in the given order.
  Copies are new immutable messages on the parent (new ids, fresh hashes) whose
  metadata names the original.
- ``replace`` moves the parent's head to the branch's head and copies nothing.
  If the parent moved since the fork, its old head is first kept reachable on
  a new "(before merge)" branch, so nothing is orphaned.

The parent's head moves by compare-and-set from the head read at the start; a
lost race is a 409 and rolls back the whole merge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from ..domain import tree
from ..domain.errors import BranchBusy, Conflict, InvalidRequest
from ..domain.webhooks import BRANCH_MERGED
from ..schemas.merge import BranchMerge
from ..store.branches import BranchRepository
from ..store.conversations import ConversationRepository
from ..store.messages import MessageRepository
from ..store.tables import Branch, Message, User
from .branches import add_branch, branch_in, build_message, new_branch
from .conversations import owned_conversation
from .limits import LimitService
from .sending import BUSY_RETRY_AFTER_SECONDS
from .server_context import ServerContext, utcnow
from .webhooks import emit_in

_PRESERVED_SUFFIX = " (before merge)"
_TITLE_MAX = 500


@dataclass
class MergeResult:
    branch: Branch  # the parent branch, merged into
    messages: list[Message]  # copies, or (replace) the messages newly on the parent's path
    merged_branch: Branch
    strategy: str
    preserved_branch: Branch | None
    counts: dict[str, int]  # own visible messages per branch id


class MergeService:
    def __init__(self, ctx: ServerContext, user_id: str, user: User | None = None) -> None:
        self.ctx = ctx
        self.user_id = user_id
        self.user = user  # as authentication read it for this request, when known

    async def merge(
        self, conversation_id: str, branch_id: str, request: BranchMerge
    ) -> MergeResult:
        picks = _requested_picks(request)
        # only "replace" may make a branch: the "(before merge)" one
        reserve = int(request.strategy == "replace")
        async with (
            LimitService(self.ctx).branch_allowance(
                self.user_id, self.user, reserve=reserve
            ) as allowance,
            self.ctx.db.write() as session,
        ):
            await owned_conversation(session, conversation_id, self.user_id)
            merged = await branch_in(session, conversation_id, branch_id)
            parent = await _parent_of(session, merged)
            now = utcnow()
            for branch in (parent, merged):
                _refuse_if_generating(branch, now)
            old_head = parent.head_message_id
            expected = request.expected_parent_head_message_id
            if expected is not None and expected != old_head:
                raise Conflict(
                    f"The head of branch {parent.id} is no longer {expected}; "
                    "reload the branch and merge again",
                    details={
                        "branchId": parent.id,
                        "expectedParentHeadMessageId": expected,
                        "parentHeadMessageId": old_head,
                    },
                )

            messages = MessageRepository(session)
            merged_path = await messages.path(merged.head_message_id)
            own = tree.visible(tree.own_part(merged_path, merged.fork_point_message_id))
            if not own:
                raise InvalidRequest(
                    f"branchId: branch {merged.id} has no messages of its own to merge",
                    field="branchId",
                )

            preserved: Branch | None = None
            if request.strategy == "replace":
                added, preserved = await _replace_plan(session, parent, merged_path)
                new_head = merged_path[-1].id
            else:
                picked = own if picks is None else _picked(own, picks)
                added = await _copy_after(
                    messages, picked, parent, old_head, merged, request.strategy
                )
                new_head = added[-1].id

            await _move_head(session, parent, old_head, new_head, now)
            if preserved is not None:
                # after the head's move: a branch's row, then the counter, the order
                # every write that takes both keeps
                await add_branch(session, preserved, allowance, owner=self.user_id)
            await ConversationRepository(session).touch(conversation_id, now)
            merged_data = {
                "conversationId": conversation_id,
                "branchId": parent.id,
                "mergedBranchId": merged.id,
                "strategy": request.strategy,
                "headMessageId": new_head,
                "messageIds": [m.id for m in added],
                "preservedBranchId": preserved.id if preserved is not None else None,
            }
            await emit_in(session, self.user_id, BRANCH_MERGED, merged_data)
            counts = await messages.own_counts(conversation_id)
        return MergeResult(
            branch=parent,
            messages=added,
            merged_branch=merged,
            strategy=request.strategy,
            preserved_branch=preserved,
            counts=counts,
        )


async def _parent_of(session: AsyncSession, branch: Branch) -> Branch:
    """The branch merged into; the main branch and parentless branches have none."""
    if branch.is_main or branch.parent_branch_id is None:
        raise InvalidRequest(
            f"branchId: branch {branch.id} has no parent branch to merge into", field="branchId"
        )
    parent = await BranchRepository(session).get_in_conversation(
        branch.parent_branch_id, branch.conversation_id
    )
    if parent is None:
        raise InvalidRequest(
            f"branchId: the parent of branch {branch.id} no longer exists", field="branchId"
        )
    return parent


def _refuse_if_generating(branch: Branch, now: datetime) -> None:
    if branch.generating(now):
        raise BranchBusy(
            f"A reply is being generated on branch {branch.id}; merge once it is stored",
            details={"branchId": branch.id},
            retry_after=BUSY_RETRY_AFTER_SECONDS,
        )


def _requested_picks(request: BranchMerge) -> list[str] | None:
    """The distinct ids a cherry-pick names; other strategies take none."""
    ids = request.message_ids
    if request.strategy != "cherry-pick":
        if ids is not None:
            raise InvalidRequest(
                f'messageIds: only the "cherry-pick" strategy takes messageIds, '
                f'not "{request.strategy}"',
                field="messageIds",
            )
        return None
    if not ids:
        raise InvalidRequest(
            'messageIds: the "cherry-pick" strategy needs a non-empty list of message ids',
            field="messageIds",
        )
    seen: set[str] = set()
    for message_id in ids:
        if message_id in seen:
            raise InvalidRequest(
                f"messageIds: {message_id} is listed more than once",
                field="messageIds",
                details={"messageId": message_id},
            )
        seen.add(message_id)
    return ids


def _picked(own: Sequence[Message], message_ids: Sequence[str]) -> list[Message]:
    """The chosen messages in the given order; each must be one of the branch's own."""
    by_id = {m.id: m for m in own}
    for message_id in message_ids:
        if message_id not in by_id:
            raise InvalidRequest(
                f"messageIds: {message_id} is not a visible message of this branch's own",
                field="messageIds",
                details={"messageId": message_id},
            )
    return [by_id[message_id] for message_id in message_ids]


async def _copy_after(
    messages: MessageRepository,
    originals: Sequence[Message],
    parent: Branch,
    head: str | None,
    merged: Branch,
    strategy: str,
) -> list[Message]:
    """New messages on ``parent``, chained after ``head``, one per original, in order."""
    copies: list[Message] = []
    previous = head
    for original in originals:
        copy = await messages.add(
            build_message(
                conversation_id=parent.conversation_id,
                branch_id=parent.id,
                parent_id=previous,
                role=original.role,
                content=original.content,
                model=original.model,
                token_count=original.token_count or 0,
                meta={
                    **(original.meta or {}),
                    "mergedFrom": original.id,
                    "mergedFromBranch": merged.id,
                    "mergeStrategy": strategy,
                },
                pinned=original.pinned,
                excluded=original.excluded,
            )
        )
        copies.append(copy)
        previous = copy.id
    return copies


async def _replace_plan(
    session: AsyncSession, parent: Branch, merged_path: Sequence[Message]
) -> tuple[list[Message], Branch | None]:
    """What ``replace`` brings onto the parent's path, and the branch (to be made) keeping
    its old head.

    The old head needs keeping only when the parent moved since the fork, i.e.
    when it is not on the merged branch's path.
    """
    parent_path = await MessageRepository(session).path(parent.head_message_id)
    on_parent = {m.id for m in parent_path}
    added = tree.visible(m for m in merged_path if m.id not in on_parent)
    if not parent_path or parent_path[-1].id in {m.id for m in merged_path}:
        return added, None
    return added, _preserving_branch(parent, parent_path, merged_path)


def _preserving_branch(
    parent: Branch, parent_path: Sequence[Message], merged_path: Sequence[Message]
) -> Branch:
    """A branch off ``parent`` holding its current head, forked where the two paths part."""
    common: str | None = None
    for ours, theirs in zip(parent_path, merged_path, strict=False):
        if ours.id != theirs.id:
            break
        common = ours.id
    title = parent.title[: _TITLE_MAX - len(_PRESERVED_SUFFIX)] + _PRESERVED_SUFFIX
    branch = new_branch(
        parent.conversation_id,
        parent=parent,
        fork_point_id=common,
        title=title,
        context_mode=parent.context_mode,
    )
    branch.head_message_id = parent_path[-1].id
    return branch


async def _move_head(
    session: AsyncSession, parent: Branch, old_head: str | None, new_head: str, now: datetime
) -> None:
    if not await BranchRepository(session).move_head(
        parent.id, expected=old_head, new=new_head, when=now
    ):
        raise Conflict(
            f"Branch {parent.id} moved while the merge was being stored; retry",
            details={"branchId": parent.id},
        )
    # The compare-and-set bypassed the session: show the loaded row what it wrote.
    parent.head_message_id = new_head
    parent.updated_at = now
