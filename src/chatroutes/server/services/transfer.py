"""Export a conversation as one JSON document; import such a document, all or nothing.

An import keeps every id and timestamp, so the content hashes (which cover a
message's own ``createdAt``, parent and branch) stay valid and a second export
equals the first. It is checked whole before anything is written:

- the document's shape, field by field (``schemas/transfer.py``);
- every id unique within the document; exactly one main branch;
- each message's parent is an earlier message of the document (so no cycles),
  its ``contentHash`` recomputes, its content fits ``max_content_chars``;
- branch heads, fork points, parents and checkpoints, checkpoint branches and
  anchors, and ``editedFrom`` resolve within the document; branch parents do
  not cycle. A message's ``branchId`` need not resolve: it names the branch it
  was written on, which may since have been deleted;
- no id exists on this server yet (409 naming it).

Then everything is written in one unit of work with one bulk insert per table,
owned by the importing user. The messages are marked imported: their usage metadata is
the record of calls made elsewhere (or nowhere), never billed here (``store/usage.py``).

Budgets travel as their limits (``maxTokens``, ``maxCost``, ``warnAt``), stored as
an update would store them. What a copy's budgets spent starts at nothing: ``spent``
counts the calls charged on this server, the calls ``GET /usage`` bills, and the
imported replies were paid for where they were made; carrying their spend would charge
them twice against the new limit and set ``spent`` apart from the account's usage.

The body is parsed and checked in the worker process (``offload``): a document of tens
of MB is seconds of CPU that would otherwise hold the event loop, and every request on
it. Its size is capped by the importer's plan within ``max_import_bytes``
(``import_limit``, which ``api/middleware.py`` enforces while the body is read); guests
cannot import.
"""

from __future__ import annotations

import heapq
import json
import pickle
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.errors import Conflict, Forbidden, InvalidRequest, PayloadTooLarge
from ..domain.hashing import content_hash
from ..domain.tokens import estimate_tokens
from ..schemas.budgets import BudgetSet
from ..schemas.transfer import (
    BranchDoc,
    CheckpointDoc,
    ImportedDocument,
    MessageDoc,
    parse_document,
)
from ..store.branches import BranchRepository
from ..store.checkpoints import CheckpointRepository
from ..store.messages import MessageRepository
from ..store.paths import imported_count
from ..store.tables import Branch, Checkpoint, Conversation, Message
from ..store.transfer import TransferRepository
from . import offload
from .accounts import Principal
from .budgets import new_budget_columns
from .conversations import ConversationView, load_views, owned_conversation
from .limits import LimitService
from .server_context import ServerContext, utcnow

Row = dict[str, Any]


# Rows per insert. The worker hands the rows over pickled in batches of this many, and
# each batch is unpickled and inserted apart: none holds the event loop more than a few ms.
IMPORT_BATCH_ROWS = 1_000
_TABLES: dict[str, type[Branch | Message | Checkpoint]] = {
    "branches": Branch,
    "messages": Message,
    "checkpoints": Checkpoint,
}


@dataclass(frozen=True)
class ImportRows:
    """A checked document as rows keyed by model attribute, in the document's order."""

    conversation: Row
    ids: dict[str, list[str]]  # by document field ("messages"…): every id, for the 409s
    batches: list[tuple[str, bytes]]  # (document field, pickled list of rows)

    def rows(self) -> Iterator[tuple[type[Branch | Message | Checkpoint], list[Row]]]:
        """Each batch's model and rows, unpickled one at a time (they come from our worker)."""
        for field, batch in self.batches:
            yield _TABLES[field], pickle.loads(batch)


@dataclass
class ConversationExport:
    conversation: Conversation
    branches: list[Branch]
    messages: list[Message]  # parents before children, soft-deleted ones included
    checkpoints: list[Checkpoint]
    exported_at: datetime


class TransferService:
    def __init__(self, ctx: ServerContext, user_id: str) -> None:
        self.ctx = ctx
        self.user_id = user_id

    async def export(self, conversation_id: str) -> ConversationExport:
        async with self.ctx.db.read() as session:
            conversation = await owned_conversation(session, conversation_id, self.user_id)
            branches = await BranchRepository(session).list_for_conversations([conversation_id])
            messages = await MessageRepository(session).list_for_conversation(conversation_id)
            checkpoints = await CheckpointRepository(session).list_for_conversation(conversation_id)
        return ConversationExport(
            conversation, branches, parents_first(messages), checkpoints, utcnow()
        )

    async def import_document(self, body: bytes, importer: Principal) -> ConversationView:
        """Store the document in ``body`` (JSON) as the importer's, or raise and store nothing."""
        limit = import_limit(self.ctx, importer)
        if len(body) > limit:
            raise PayloadTooLarge(
                f"Request body is larger than {limit} bytes", details={"limit": limit}
            )
        rows = await offload.in_worker(
            import_rows, body, self.user_id, utcnow(), self.ctx.settings.max_content_chars
        )
        try:
            async with self.ctx.db.write() as session:
                await _refuse_existing(session, rows)
                repo = TransferRepository(session)
                await repo.add(Conversation, [rows.conversation])
                for model, batch in rows.rows():
                    await repo.add(model, batch)
                conversation = await owned_conversation(
                    session, rows.conversation["id"], self.user_id
                )
                [view] = await load_views(session, [conversation])
        except IntegrityError as exc:  # a concurrent import of the same ids won the race
            raise Conflict(
                "An id of this document was stored by another request meanwhile",
                details={"id": rows.conversation["id"]},
            ) from exc
        return view


def import_limit(ctx: ServerContext, importer: Principal) -> int:
    """The largest document ``importer`` may import: its plan's cap, within the server's.

    Guests cannot import (403): a guest session is a short trial with small caps, and an
    import is a whole conversation of any size.
    """
    if importer.is_guest:
        raise Forbidden(
            "Guests cannot import conversations: create an account (it is free) to import"
        )
    ceiling = ctx.settings.max_import_bytes
    assert importer.user is not None  # authentication reads the account
    cap = LimitService(ctx).plan_of(importer.user).max_import_bytes
    return ceiling if cap is None else min(cap, ceiling)


def import_rows(
    body: bytes, user_id: str, imported_at: datetime, max_content_chars: int
) -> ImportRows:
    """The JSON document in ``body``, checked whole, as ``user_id``'s rows (for the worker).

    Every failure is an ``InvalidRequest`` naming the first bad field.
    """
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # not JSON (or not UTF-8), or nested past reason
        raise InvalidRequest("body: Request body is not valid JSON", field="body") from None
    document = parse_document(data)
    check_document(document, max_content_chars=max_content_chars)
    return _rows(document, user_id, imported_at)


def parents_first(messages: Sequence[Message]) -> list[Message]:
    """Oldest first by ``(created_at, id)``, but never a message before its parent.

    Timestamps have millisecond resolution, so a reply can tie with its question
    and sort before it by id; such a child waits until its parent is out.
    """
    ordered = sorted(messages, key=lambda m: (m.created_at, m.id))
    position = {m.id: i for i, m in enumerate(ordered)}
    children: dict[int, list[int]] = {}
    ready: list[int] = []
    for i, message in enumerate(ordered):
        parent = position.get(message.parent_id) if message.parent_id is not None else None
        if parent is None or parent == i:
            ready.append(i)
        else:
            children.setdefault(parent, []).append(i)
    heapq.heapify(ready)
    out: list[Message] = []
    while ready:
        i = heapq.heappop(ready)
        out.append(ordered[i])
        for child in children.get(i, ()):
            heapq.heappush(ready, child)
    if len(out) < len(ordered):  # a parent cycle cannot be stored, but lose nothing
        emitted = {m.id for m in out}
        out += [m for m in ordered if m.id not in emitted]
    return out


def _invalid(field: str, message: str) -> InvalidRequest:
    return InvalidRequest(f"{field}: {message}", field=field)


def check_document(document: ImportedDocument, *, max_content_chars: int) -> None:
    """The rules spanning several objects; the first broken one is a 400 naming its field."""
    seen: dict[str, str] = {}

    def claim(ident: str, field: str) -> None:
        if ident in seen:
            raise _invalid(field, f"id {ident} is already used by {seen[ident]}")
        seen[ident] = field

    claim(document.conversation.id, "conversation.id")
    kinds: tuple[tuple[str, Sequence[BranchDoc | MessageDoc | CheckpointDoc]], ...] = (
        ("branches", document.branches),
        ("messages", document.messages),
        ("checkpoints", document.checkpoints),
    )
    for kind, items in kinds:
        for i, item in enumerate(items):
            claim(item.id, f"{kind}[{i}].id")

    branch_ids = {b.id for b in document.branches}
    message_ids = {m.id for m in document.messages}
    checkpoint_ids = {c.id for c in document.checkpoints}

    earlier: set[str] = set()
    for i, m in enumerate(document.messages):
        at = f"messages[{i}]"
        if m.parent_message_id is not None and m.parent_message_id not in earlier:
            raise _invalid(
                f"{at}.parentMessageId",
                f"{m.parent_message_id} is not an earlier message of the document",
            )
        if m.edited_from is not None and m.edited_from not in message_ids:
            raise _invalid(f"{at}.editedFrom", f"{m.edited_from} is not a message of the document")
        if len(m.content) > max_content_chars:
            raise _invalid(f"{at}.content", f"longer than {max_content_chars} characters")
        if m.pinned and m.excluded:
            raise _invalid(f"{at}.excluded", "a pinned message cannot be excluded")
        expected = content_hash(
            role=m.role,
            content=m.content,
            model=m.model,
            parent_message_id=m.parent_message_id,
            branch_id=m.branch_id,
            created_at=m.created_at,
        )
        if m.content_hash != expected:
            raise _invalid(f"{at}.contentHash", "does not match the message's content (WIRE.md)")
        earlier.add(m.id)

    mains = [i for i, b in enumerate(document.branches) if b.is_main]
    if not mains:
        raise _invalid("branches", "exactly one branch must have isMain true; none has")
    if len(mains) > 1:
        raise _invalid(f"branches[{mains[1]}].isMain", "exactly one branch may be the main one")

    for i, b in enumerate(document.branches):
        at = f"branches[{i}]"
        for name, ref, known in (
            ("parentBranchId", b.parent_branch_id, branch_ids),
            ("forkPointMessageId", b.fork_point_message_id, message_ids),
            ("headMessageId", b.head_message_id, message_ids),
            ("checkpointId", b.checkpoint_id, checkpoint_ids),
        ):
            if ref is not None and ref not in known:
                raise _invalid(f"{at}.{name}", f"{ref} is not in the document")
    _refuse_branch_cycles(document)

    for i, c in enumerate(document.checkpoints):
        at = f"checkpoints[{i}]"
        if c.branch_id not in branch_ids:
            raise _invalid(f"{at}.branchId", f"{c.branch_id} is not a branch of the document")
        if c.anchor_message_id not in message_ids:
            raise _invalid(
                f"{at}.anchorMessageId", f"{c.anchor_message_id} is not a message of the document"
            )


def _refuse_branch_cycles(document: ImportedDocument) -> None:
    parents = {b.id: b.parent_branch_id for b in document.branches}
    index = {b.id: i for i, b in enumerate(document.branches)}
    settled: set[str] = set()
    for branch in document.branches:
        trail: set[str] = set()
        current: str | None = branch.id
        while current is not None and current not in settled:
            if current in trail:
                raise _invalid(
                    f"branches[{index[current]}].parentBranchId", "branch parents form a cycle"
                )
            trail.add(current)
            current = parents[current]
        settled |= trail


async def _refuse_existing(session: AsyncSession, rows: ImportRows) -> None:
    """409 naming the first id of the document this server already holds."""
    repo = TransferRepository(session)
    for model, kind, field, ids in (
        (Conversation, "conversation", "conversation", [rows.conversation["id"]]),
        (Branch, "branch", "branches", rows.ids["branches"]),
        (Message, "message", "messages", rows.ids["messages"]),
        (Checkpoint, "checkpoint", "checkpoints", rows.ids["checkpoints"]),
    ):
        existing = await repo.existing_ids(model, ids)
        for i, ident in enumerate(ids):
            if ident in existing:
                path = f"{field}.id" if model is Conversation else f"{field}[{i}].id"
                raise Conflict(
                    f"{kind} {ident} already exists on this server",
                    details={"field": path, "resource": kind, "id": ident},
                )


def _rows(document: ImportedDocument, user_id: str, imported_at: datetime) -> ImportRows:
    c = document.conversation
    conversation = {
        "id": c.id,
        "user_id": user_id,
        "title": c.title,
        "model": c.model,
        "system_prompt": c.system_prompt,
        "temperature": c.temperature,
        "max_tokens": c.max_tokens,
        "archived": c.archived,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "channel": c.channel,
        "message_deletions": imported_count(imported_at),
        **_budget_columns(c.id, c.budget),
    }
    branches = [
        {
            "id": b.id,
            "conversation_id": c.id,
            "parent_branch_id": b.parent_branch_id,
            "fork_point_message_id": b.fork_point_message_id,
            "head_message_id": b.head_message_id,
            "title": b.title,
            "description": b.description,
            "context_mode": b.context_mode,
            "is_main": b.is_main,
            "archived": b.archived,
            "created_at": b.created_at,
            "updated_at": b.updated_at,
            "generation_lease": None,
            "generation_lease_until": None,
            "checkpoint_id": b.checkpoint_id,
            **_budget_columns(b.id, b.budget),
        }
        for b in document.branches
    ]
    messages = [
        {
            "id": m.id,
            "conversation_id": c.id,
            "branch_id": m.branch_id,
            "parent_id": m.parent_message_id,
            "role": m.role,
            "content": m.content,
            "model": m.model,
            "token_count": _counted_fairly(m.token_count, m.content, m.role),
            "meta": m.metadata,
            "created_at": m.created_at,
            "content_hash": m.content_hash,
            "deleted_at": m.deleted_at,
            "edited_from": m.edited_from,
            "imported_at": imported_at,
            "pinned": m.pinned,
            "excluded": m.excluded,
        }
        for m in document.messages
    ]
    checkpoints = [
        {
            "id": k.id,
            "conversation_id": c.id,
            "branch_id": k.branch_id,
            "anchor_message_id": k.anchor_message_id,
            "checkpoint_type": k.checkpoint_type,
            "summary": k.summary,
            "token_count": _counted_fairly(k.token_count, k.summary, "system"),
            "source_message_count": k.source_message_count,
            "source_token_count": k.source_token_count,
            "summarizer": k.summarizer,
            "meta": k.metadata,
            "created_at": k.created_at,
        }
        for k in document.checkpoints
    ]
    tables: dict[str, list[Row]] = {
        "branches": branches,
        "messages": messages,
        "checkpoints": checkpoints,
    }
    return ImportRows(
        conversation,
        ids={field: [row["id"] for row in table] for field, table in tables.items()},
        batches=[
            (field, pickle.dumps(table[start : start + IMPORT_BATCH_ROWS]))
            for field, table in tables.items()
            for start in range(0, len(table), IMPORT_BATCH_ROWS)
        ],
    )


def _budget_columns(row_id: str, budget: BudgetSet | None) -> Row:
    """An imported row's budget columns: its limits, nothing spent (module docstring)."""
    return new_budget_columns(row_id, None if budget is None else budget.changes())


def _counted_fairly(count: int | None, text: str, role: str) -> int | None:
    """An imported token count, never far below the text's estimate: a send's context (and
    its token reservation) is sized by stored counts, so a forged low count would let a
    prompt past the limits it is reserved against.

    A question's count and a summary's are this estimate wherever ChatRoutes wrote them,
    so a genuine export keeps its own; a reply's is its provider's count, which another
    tokenizer puts within a factor of two of it.
    """
    if count is None:
        return None
    estimate = estimate_tokens(text)
    return max(count, estimate // 2 if role == "assistant" else estimate)
