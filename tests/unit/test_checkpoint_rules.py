"""When a branch is due for an automatic checkpoint, and when a send must catch one up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from chatroutes.server.domain.checkpoints import (
    catch_up_due,
    due_for_checkpoint,
    messages_since_checkpoint,
)


@dataclass(frozen=True)
class Row:
    id: str
    role: str = "user"
    content: str = ""
    token_count: int | None = None
    deleted_at: datetime | None = None


PATH = [Row(f"m{i}") for i in range(10)]


def test_messages_since_count_visible_ones_after_the_deepest_anchor():
    path = [*PATH[:8], Row("gone", deleted_at=datetime.now(UTC)), PATH[9]]
    assert messages_since_checkpoint(path, set()) == 9
    assert messages_since_checkpoint(path, {"m2", "m5"}) == 3  # m6, m7, m9
    assert messages_since_checkpoint(path, {"m9"}) == 0


def test_due_every_interval_and_never_at_zero():
    assert due_for_checkpoint(PATH, {"m5"}, 4)
    assert not due_for_checkpoint(PATH, {"m6"}, 4)
    assert not due_for_checkpoint(PATH, set(), 0)


@pytest.mark.parametrize(
    ("uncheckpointed", "interval", "factor", "due"),
    [
        (74, 50, 1.5, False),
        (75, 50, 1.5, True),
        (240, 50, 1.5, True),
        (50, 50, 1.0, True),
        (99, 50, 2.0, False),
        (1000, 0, 1.5, False),  # automatic checkpoints off: nothing to catch up
    ],
)
def test_a_send_catches_up_past_factor_intervals(uncheckpointed, interval, factor, due):
    assert catch_up_due(uncheckpointed, interval, factor) is due
