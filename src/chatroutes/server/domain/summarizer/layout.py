"""The summary's text layout: units rendered as ``User: …`` lines and an
``Open questions:`` section, a previous summary read back into lines, and the
last-resort truncation to a token budget.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..tokens import estimate_tokens
from .units import _Unit

OPEN_QUESTIONS_HEADER = "Open questions:"


_LINE_ROLE = re.compile(r"^(?P<label>[A-Z][A-Za-z]{0,19}):\s+(?P<text>\S.*)$")
_QUESTION_LINE = re.compile(r"^[-*•]\s+(?:(?P<label>[A-Z][A-Za-z]{0,19}):\s+)?(?P<text>\S.*)$")


def _label(role: str) -> str:
    return role[:1].upper() + role[1:] if role else ""


def _parse_previous(previous: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """A previous summary's (role, line) body and (role, question) open questions.

    Reads this module's own format; any other text (a model's summary) is body lines
    without a role.
    """
    body: list[tuple[str, str]] = []
    questions: list[tuple[str, str]] = []
    in_questions = False
    for raw in previous.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.lower() == OPEN_QUESTIONS_HEADER.lower():
            in_questions = True
            continue
        match = (_QUESTION_LINE if in_questions else _LINE_ROLE).match(line)
        label = (match.group("label") or "").lower() if match else ""
        role = label if label in {"user", "assistant", "system"} else ""
        if match is not None and (role or in_questions):
            line = match.group("text")
        (questions if in_questions else body).append((role, line))
    return body, questions


def _render(body: Sequence[_Unit], questions: Sequence[_Unit]) -> str:
    """Body lines in conversation order (one per message or earlier line), then questions."""
    lines: list[str] = []
    current: tuple[int, int] | None = None
    for unit in sorted(body, key=lambda unit: unit.order):
        if unit.line == current:
            lines[-1] = f"{lines[-1]} {unit.text}"
            continue
        current = unit.line
        label = _label(unit.role)
        lines.append(f"{label}: {unit.text}" if label else unit.text)
    text = "\n".join(lines)
    if questions:
        items = [
            f"- {_label(unit.role)}: {unit.text}" if unit.role else f"- {unit.text}"
            for unit in sorted(questions, key=lambda unit: unit.order)
        ]
        section = "\n".join([OPEN_QUESTIONS_HEADER, *items])
        text = f"{text}\n\n{section}" if text else section
    return text


def _truncate(text: str, max_tokens: int) -> str:
    """The longest word-boundary prefix of ``text`` that, with an ellipsis, fits."""
    if estimate_tokens(text) <= max_tokens:
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if estimate_tokens(text[:middle].rstrip() + "…") <= max_tokens:
            low = middle
        else:
            high = middle - 1
    cut = text[:low]
    if low < len(text) and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    cut = cut.rstrip(" ,;:-")
    result = cut + "…" if cut else ""
    return result if estimate_tokens(result) <= max_tokens else ""
