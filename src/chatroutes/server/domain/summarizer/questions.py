"""Open questions: those no later message takes up, with a short question's lead-in."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .tuning import SHORT_QUESTION_WORDS
from .units import NEW, PREVIOUS, _Reader, _Unit

_OFFER = re.compile(
    r"^(?:would you like|do you want|want me to|shall i|should i|let me know|does (?:that|this)"
    r" help|would (?:that|this|it) help|anything else|any other|is there anything)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Message:
    """What a message talks about, to tell whether it answers a question."""

    index: int
    role: str
    keywords: frozenset[str]


def _messages(units: Iterable[_Unit]) -> list[_Message]:
    grouped: dict[int, tuple[str, set[str]]] = {}
    for unit in units:
        if unit.order[0] == NEW:
            grouped.setdefault(unit.order[1], (unit.role, set()))[1].update(unit.keywords)
    return [
        _Message(index, role, frozenset(keywords))
        for index, (role, keywords) in sorted(grouped.items())
    ]


def _answered(question: _Unit, messages: Iterable[_Message]) -> bool:
    """Whether a later message takes up at least half of what the question asks about."""
    keywords = question.keywords
    for message in messages:
        if message.index <= question.order[1] and question.order[0] == NEW:
            continue
        if not keywords:
            if message.role != question.role:
                return True
            continue
        shared = len(keywords & message.keywords)
        if shared and shared * 2 >= len(keywords):
            return True
    return False


def _open_questions(
    reader: _Reader,
    units: Sequence[_Unit],
    earlier: Sequence[tuple[str, str]],
) -> list[tuple[_Unit, _Unit]]:
    """Unanswered questions as (listed, asked) pairs, oldest first.

    ``listed`` is what the summary shows: a short question ("When do they open?")
    comes with the sentence before it, which says what it is about.
    """
    messages = _messages(units)
    result: list[tuple[_Unit, _Unit]] = []
    for index, (role, text) in enumerate(earlier):
        unit = reader.unit((PREVIOUS, -1, index), role, text)
        if not _answered(unit, messages):
            result.append((unit, unit))
    by_order = {unit.order: unit for unit in units}
    for unit in units:
        if unit.order[0] != NEW or not unit.question or _OFFER.match(unit.text):
            continue
        if _answered(unit, messages):
            continue
        before = by_order.get((NEW, unit.order[1], unit.order[2] - 1))
        listed = unit
        if before is not None and len(unit.keywords) <= SHORT_QUESTION_WORDS:
            listed = reader.unit(unit.order, unit.role, f"{before.text} {unit.text}")
        result.append((listed, unit))
    return result
