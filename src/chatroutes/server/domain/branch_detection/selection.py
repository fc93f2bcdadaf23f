"""Running every detector family and choosing among what they find: overlapping
branch points resolved (stronger first), then the suggestions above a threshold,
whole branch points kept together where the count allows, the most confident first.
"""

from __future__ import annotations

from collections.abc import Iterable

from .comparisons import _comparisons
from .conditionals import _conditionals
from .directives import _directives
from .disjunctions import _disjunctions
from .enumerations import _enumerations
from .material import without_material
from .multi_intent import _multi_intent
from .suggestion import DEFAULT_COUNT, DEFAULT_THRESHOLD, KINDS, Detection, Suggestion
from .text import masked, sentences

_DETECTORS = (
    _enumerations,
    _comparisons,
    _disjunctions,
    _conditionals,
    _directives,
    _multi_intent,
)
_PRIORITY = {kind: index for index, kind in enumerate(KINDS)}


def candidates(text: str) -> list[Suggestion]:
    """Every suggestion found, overlapping branch points resolved, in text order."""
    scan = without_material(masked(text))
    sents = sentences(scan)
    found: list[Suggestion] = []
    for detector in _DETECTORS:
        found.extend(detector(text, scan, sents))
    return one_family(resolve_overlaps(found))


def one_family(found: list[Suggestion]) -> list[Suggestion]:
    """A message is read one way: the family of its largest branch point (the most
    options; then the most confident) keeps its suggestions, the others are dropped.
    Only confident suggestions compete; weaker ones stay for a lower threshold."""
    strong = [s for s in found if s.confidence >= DEFAULT_THRESHOLD]
    if len({s.kind for s in strong}) < 2:
        return found
    best = min(_by_group(strong), key=lambda members: (-len(members), *_rank(members)))
    kind = best[0].kind
    return [s for s in found if s.kind == kind or s.confidence < DEFAULT_THRESHOLD]


def _by_group(found: Iterable[Suggestion]) -> list[list[Suggestion]]:
    groups: dict[tuple[bool, str, int, int], list[Suggestion]] = {}
    for suggestion in found:
        owner = suggestion.group or suggestion  # whose id names the group
        key = (owner is not suggestion, owner.kind, owner.start, owner.end)
        groups.setdefault(key, []).append(suggestion)
    return list(groups.values())


def _rank(members: list[Suggestion]) -> tuple[float, int, int]:
    lead = members[0]
    return (-max(s.confidence for s in members), _PRIORITY.get(lead.kind, 99), lead.extent[0])


def resolve_overlaps(found: Iterable[Suggestion]) -> list[Suggestion]:
    """Where branch points overlap, the stronger one's suggestions stay (all of them).

    Several requests are the exception: a request that holds a stronger branch point
    ("… And should we stay in Lisbon or Porto?") gives way to it, and the others stay.
    """
    taken: list[tuple[int, int]] = []
    out: list[Suggestion] = []

    def free(start: int, end: int) -> bool:
        return all(end <= t_start or start >= t_end for t_start, t_end in taken)

    def order(members: list[Suggestion]) -> tuple[bool, tuple[float, int, int]]:
        # a confident branch point inside a request goes before the requests around it
        specific = members[0].kind != "multi_intent" and members[0].confidence >= DEFAULT_THRESHOLD
        return (not specific, _rank(members))

    for members in sorted(_by_group(found), key=order):
        if members[0].kind == "multi_intent" and len(members) >= 2:
            kept = [s for s in members if free(s.start, s.end)]
            taken.extend((s.start, s.end) for s in kept)
            out.extend(kept)
            continue
        start, end = members[0].extent
        if free(start, end):
            taken.append((start, end))
            out.extend(members)
    return sorted(out, key=lambda s: (s.start, s.end))


def select(found: Iterable[Suggestion], *, threshold: float, count: int) -> Detection:
    """Those at or above ``threshold``, strongest branch point first, each whole while
    ``count`` allows (the one that does not fit gives its best options); best first."""
    passing = _by_group(s for s in found if s.confidence >= threshold)
    chosen: list[Suggestion] = []
    for members in sorted(passing, key=_rank):
        room = count - len(chosen)
        if room <= 0:
            break
        chosen.extend(sorted(members, key=lambda s: (-s.confidence, s.start))[:room])
    ranked = sorted(chosen, key=lambda s: (-s.confidence, s.start))
    return Detection(suggestions=ranked, total_found=len(passing))


def detect(
    text: str, *, threshold: float = DEFAULT_THRESHOLD, count: int = DEFAULT_COUNT
) -> Detection:
    return select(candidates(text), threshold=threshold, count=count)
