"""Running every detector family and choosing among what they find: overlaps
resolved (stronger first), then those above a threshold, the most confident first.
"""

from __future__ import annotations

from collections.abc import Iterable

from .comparisons import _comparisons
from .conditionals import _conditionals
from .directives import _directives
from .disjunctions import _disjunctions
from .enumerations import _enumerations
from .multi_intent import _multi_intent
from .questions import _questions
from .suggestion import DEFAULT_COUNT, DEFAULT_THRESHOLD, KINDS, Detection, Suggestion
from .text import masked, sentences

_DETECTORS = (
    _enumerations,
    _comparisons,
    _disjunctions,
    _conditionals,
    _directives,
    _multi_intent,
    _questions,
)
_PRIORITY = {kind: index for index, kind in enumerate(KINDS)}


def candidates(text: str) -> list[Suggestion]:
    """Every branch point found, overlaps resolved (stronger first), in text order."""
    scan = masked(text)
    sents = sentences(scan)
    found: list[Suggestion] = []
    for detector in _DETECTORS:
        found.extend(detector(text, scan, sents))
    return resolve_overlaps(found)


def resolve_overlaps(found: Iterable[Suggestion]) -> list[Suggestion]:
    kept: list[Suggestion] = []
    ranked = sorted(found, key=lambda s: (-s.confidence, _PRIORITY.get(s.kind, 99), s.start))
    for suggestion in ranked:
        if all(suggestion.end <= k.start or suggestion.start >= k.end for k in kept):
            kept.append(suggestion)
    return sorted(kept, key=lambda s: (s.start, s.end))


def select(found: Iterable[Suggestion], *, threshold: float, count: int) -> Detection:
    """Those at or above ``threshold``, the ``count`` most confident, best first."""
    passing = [s for s in found if s.confidence >= threshold]
    ranked = sorted(passing, key=lambda s: (-s.confidence, s.start))
    return Detection(suggestions=ranked[:count], total_found=len(passing))


def detect(
    text: str, *, threshold: float = DEFAULT_THRESHOLD, count: int = DEFAULT_COUNT
) -> Detection:
    return select(candidates(text), threshold=threshold, count=count)
