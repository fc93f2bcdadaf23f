"""Recent root-to-message paths, kept in memory so a send does not walk its branch again.

A send needs the whole path from the root to the message it answers: its context. The
walk up ``parent_id`` costs a lookup per message, so a branch's every send cost more
than the one before. Yet a path never changes but for its messages' ``deleted_at``,
``pinned`` and ``excluded``: a message's id, parent, role, content and tokens are fixed
once it is stored, and every soft deletion, like every change of a pin or an exclusion,
bumps its conversation's ``message_deletions`` (``store/messages.py``).
Hard deletions take a whole conversation, or (the retention purge) only messages that no
kept message descends from, which are on no path a send can still ask for. So a path
read while a conversation had ``n`` deletions is still exact as long as it has ``n``,
whichever process reads it: a send reads the conversation in its own transaction and
uses a remembered path only at the same count.

A conversation deleted and imported again brings back the same message ids, perhaps with
other contents, while some process may still remember the old copy's paths. So an import
starts the count at its own moment in microseconds (``imported_count``): no count an
earlier copy reached can equal it, short of as many deletions as microseconds between
the two imports.

Entries are keyed by the path's last message. Only committed messages are remembered
(a question or a reply once its transaction committed; a walk reads committed rows),
so an id never stands for something that was rolled back. Least recently used entries
go first once their text passes the budget.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from . import messages
from .tables import Conversation

_ROW_OVERHEAD = 200  # bytes a remembered message costs beyond its text (tuple, ids, refs)


def imported_count(imported_at: datetime) -> int:
    """The ``message_deletions`` an imported conversation starts at (naive UTC moment)."""
    return int(imported_at.replace(tzinfo=UTC).timestamp() * 1_000_000)


@dataclass(frozen=True)
class _Entry:
    conversation_id: str
    deletions: int  # the conversation's ``message_deletions`` when the path was read
    path: tuple[Any, ...]
    size: int  # what counts against the budget: text plus a per-message overhead


class PathCache:
    """Paths by their last message's id, within ``budget_bytes`` of message text."""

    def __init__(self, budget_bytes: int) -> None:
        self.budget_bytes = budget_bytes
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()  # SQLite's writer thread and the event loop share it

    def path(
        self, connection: Connection, conversation: Conversation, head_id: str | None
    ) -> list[Any]:
        """``messages.path`` of ``head_id`` in ``conversation``, from memory when still exact."""
        if head_id is None:
            return []
        with self._lock:
            entry = self._entries.get(head_id)
            if entry is not None and self._current(entry, conversation):
                self._entries.move_to_end(head_id)
                return list(entry.path)
        walked = messages.path(connection, head_id)
        self.remember(conversation, walked)
        return walked

    def remember(self, conversation: Conversation, path: Sequence[Any]) -> None:
        """Keep ``path`` (committed rows of ``conversation``, root first) under its end."""
        if path:
            size = sum(len(message.content) + _ROW_OVERHEAD for message in path)
            entry = _Entry(conversation.id, conversation.message_deletions, tuple(path), size)
            with self._lock:
                self._put(path[-1].id, entry)

    def extend(self, parent_id: str, message: Any) -> None:
        """Remember the path to ``message`` (committed, a child of ``parent_id``) if its
        parent's is remembered: the parent's path and ``message``, read at the same count.

        The parent's entry makes way for it: the branch has moved past the parent.
        """
        with self._lock:
            parent = self._entries.pop(parent_id, None)
            if parent is None:
                return
            self._size -= parent.size
            size = parent.size + len(message.content) + _ROW_OVERHEAD
            entry = _Entry(parent.conversation_id, parent.deletions, (*parent.path, message), size)
            self._put(message.id, entry)

    def _current(self, entry: _Entry, conversation: Conversation) -> bool:
        return (
            entry.conversation_id == conversation.id
            and entry.deletions == conversation.message_deletions
        )

    def _put(self, head_id: str, entry: _Entry) -> None:
        replaced = self._entries.pop(head_id, None)
        if replaced is not None:
            self._size -= replaced.size
        if entry.size > self.budget_bytes:
            return
        self._entries[head_id] = entry
        self._size += entry.size
        while self._size > self.budget_bytes:
            _, evicted = self._entries.popitem(last=False)
            self._size -= evicted.size
