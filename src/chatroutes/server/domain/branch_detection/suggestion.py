"""What the detector hands back: a suggested branch point and a detection's result.

A suggestion's ``kind`` is one of ``KINDS``; its ``confidence`` is always capped
by ``_cap`` to the range the detectors and the review may give.
"""

from __future__ import annotations

from dataclasses import dataclass

from .text import _join

KINDS = (
    "enumeration",
    "disjunction",
    "comparison",
    "conditional",
    "directive",
    "question",
    "multi_intent",
)
DEFAULT_THRESHOLD = 0.7
DEFAULT_COUNT = 3
MAX_COUNT = 10


@dataclass(frozen=True)
class Suggestion:
    kind: str
    start: int
    end: int
    trigger: str
    confidence: float
    title: str
    description: str
    reasoning: str
    divergence: str  # low | medium | high
    options: tuple[str, ...] = ()
    source: str = "pattern"  # or "llm"

    @property
    def id(self) -> str:
        return f"sug_{self.kind}_{self.start}_{self.end}"

    def first_prompt(self) -> str:
        """What a user would send first on a branch made from this suggestion."""
        if self.kind in ("disjunction", "comparison", "enumeration") and len(self.options) >= 2:
            return (
                f"Let's explore: {_join(self.options, 'or')}. Take them one at a time, "
                "with the trade-offs of each for my situation."
            )
        if self.kind == "conditional":
            return f"Let's explore each outcome of: {self.trigger}"
        if self.kind in ("question", "multi_intent"):
            return f"Let's focus on this on its own: {self.trigger}"
        return f"Let's explore: {self.trigger}"


@dataclass(frozen=True)
class Detection:
    suggestions: list[Suggestion]
    total_found: int  # branch points at or above the threshold, before the count limit


def _cap(score: float) -> float:
    return round(min(0.97, max(0.05, score)), 2)
