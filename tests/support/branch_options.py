"""What the branch detector finds, as the tests compare it: the text of each option."""

from __future__ import annotations

from chatroutes.server.domain.branch_detection import detect


def option_texts(text: str, kind: str) -> list[str]:
    """The span text of each suggestion of ``kind`` (up to ten), in text order."""
    found = sorted(detect(text, count=10).suggestions, key=lambda s: s.start)
    return [text[s.start : s.end] for s in found if s.kind == kind]
