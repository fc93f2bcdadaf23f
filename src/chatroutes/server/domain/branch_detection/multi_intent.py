"""Multi-intent: "I need help with X and also Y". The span is the sentence."""

from __future__ import annotations

import re

from .suggestion import Suggestion
from .text import Span, _clip, _title

_MULTI_INTENT = re.compile(
    r"\b(?:and also|as well as|and another|plus another|also (?:have|got|need|want) (?:a|another|"
    r"some)|two (?:things|questions|issues|problems|requests)|a couple of (?:things|questions|"
    r"issues)|separate (?:question|issue))\b",
    re.I,
)
_NEED = re.compile(
    r"\b(?:help|question|questions|issue|problem|need|want|ask|trouble|stuck)\b", re.I
)


def _multi_intent(text: str, scan: str, sents: list[Span]) -> list[Suggestion]:
    found: list[Suggestion] = []
    for sentence in sents:
        chunk = scan[sentence.start : sentence.end]
        match = _MULTI_INTENT.search(chunk)
        if (
            match is None
            or not _NEED.search(chunk)
            or not re.search(r"\b(?:i|we|my|our)\b", chunk, re.I)
        ):
            continue
        found.append(
            Suggestion(
                kind="multi_intent",
                start=sentence.start,
                end=sentence.end,
                trigger=text[sentence.start : sentence.end],
                confidence=0.76,
                title=_title(
                    f"Separate requests: {_clip(text[sentence.start : sentence.end], 60)}"
                ),
                description=(
                    "Several requests in one message; handle each on its own branch so "
                    "neither gets lost."
                ),
                reasoning=f"Multiple intents joined by '{match.group(0).lower()}'",
                divergence="high",
            )
        )
    return found
