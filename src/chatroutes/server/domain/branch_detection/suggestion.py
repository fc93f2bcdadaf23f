"""What the detector hands back: suggested branches, the branch point each belongs
to, and a detection's result.

A branch point (a ``Group``: "Postgres or MySQL", an "if … otherwise …", two
requests in one message) offers several options; each option is one
``Suggestion`` with its own title, span and confidence, and points back to its
group. A suggestion's ``kind`` is one of ``KINDS``; its ``confidence`` is always
capped by ``_cap`` to the range the detectors and the review may give.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .text import _clip, _join, _listed, _option_title, _trimmed

KINDS = (
    "enumeration",
    "disjunction",
    "comparison",
    "conditional",
    "directive",
    "multi_intent",
)
DEFAULT_THRESHOLD = 0.7
DEFAULT_COUNT = 3
MAX_COUNT = 10
_SUGGESTION_ID = re.compile(r"sug_(?P<kind>[a-z_]+)_[0-9]+_[0-9]+")


@dataclass(frozen=True)
class Group:
    """A branch point read as a whole: the phrase that holds all its options."""

    kind: str
    start: int
    end: int
    trigger: str

    @property
    def id(self) -> str:
        return f"grp_{self.kind}_{self.start}_{self.end}"


@dataclass(frozen=True, slots=True)  # slots: made by the tens per message, twice as fast
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
    options: tuple[str, ...] = ()  # every option of its group, this one included
    source: str = "pattern"  # or "llm"
    group: Group | None = None  # None: a suggestion that stands alone

    @property
    def id(self) -> str:
        return f"sug_{self.kind}_{self.start}_{self.end}"

    @staticmethod
    def kind_in_id(suggestion_id: str | None) -> str | None:
        """The type an ``id`` of this shape names, if it is one of ``KINDS``."""
        named = _SUGGESTION_ID.fullmatch(suggestion_id or "")
        return named["kind"] if named and named["kind"] in KINDS else None

    @property
    def extent(self) -> tuple[int, int]:
        """The span its branch point covers: its group's, or its own."""
        return (self.group.start, self.group.end) if self.group else (self.start, self.end)

    def first_prompt(self) -> str:
        """What a user would send first on a branch made from this suggestion."""
        others = [o for o in self.options if o != self.title]
        if self.kind in ("disjunction", "comparison", "enumeration") and others:
            return (
                f"Let's explore {self.title} on its own (rather than {_join(others, 'or')}): "
                "its trade-offs for my situation."
            )
        if self.kind == "conditional":
            return f"Let's explore this case: {self.trigger}"
        if self.kind == "multi_intent":
            return f"Let's focus on this on its own: {self.trigger}"
        return f"Let's explore: {self.trigger}"


@dataclass(frozen=True)
class Option:
    """One option of a branch point: where it is and what to call it."""

    start: int
    end: int
    title: str


def titled(text: str, spans: Iterable[tuple[int, int]]) -> list[Option]:
    """Each span of ``text`` as an option, titled from its words."""
    return [Option(a, b, _option_title(text[a:b])) for a, b in spans]


def split_group(
    text: str,
    *,
    kind: str,
    start: int,
    end: int,
    options: Sequence[Option],
    confidence: float,
    description: str,
    reasoning: str,
    divergence: str,
) -> list[Suggestion]:
    """One suggestion per option of the branch point ``text[start:end]``.

    Option spans are trimmed of surrounding spaces and punctuation. ``description``
    may name ``{option}`` (this option's title) and ``{others}``.
    """
    group = Group(kind, start, end, text[start:end])
    titles = tuple(o.title for o in options)
    score = calibrated(confidence)
    out = []
    # each title as a list names it, when the description names the other options
    clipped = [(t, _clip(t)) for t in titles] if "{others}" in description else []
    for option in options:
        a, b = _trimmed(text, option.start, option.end)
        if b <= a:
            continue
        others = [c for t, c in clipped if t != option.title][:3]
        out.append(
            Suggestion(
                kind=kind,
                start=a,
                end=b,
                trigger=text[a:b],
                confidence=score,
                title=option.title,
                description=description.format(
                    option=option.title, others=_listed(others, "or") if others else ""
                ),
                reasoning=reasoning,
                divergence=divergence,
                options=titles,
                group=group,
            )
        )
    return out


@dataclass(frozen=True)
class Detection:
    suggestions: list[Suggestion]
    total_found: int  # branch points with a suggestion above the threshold, before the count

    @property
    def groups(self) -> list[tuple[Group, list[Suggestion]]]:
        """The branch points of the suggestions kept, each with its kept suggestions."""
        by_id: dict[str, tuple[Group, list[Suggestion]]] = {}
        for suggestion in self.suggestions:
            group = suggestion.group or Group(
                suggestion.kind, suggestion.start, suggestion.end, suggestion.trigger
            )
            by_id.setdefault(group.id, (group, []))[1].append(suggestion)
        return list(by_id.values())


def calibrated(score: float) -> float:
    """The detector's score as the chance that a reader would mark the option too.

    Fitted on the independent set's tune split (the benchmark prints the reliability
    table): scores from 0.7 were right 96-100% of the time, scores below it about one
    time in ten. Monotone, so ranking is kept, and 0.7 still divides the two; the
    highest stay under 0.97, as every suggestion does.
    """
    if score >= DEFAULT_THRESHOLD:
        return _cap(0.94 + (score - DEFAULT_THRESHOLD) * 0.12)
    return _cap(score * 0.3)


def _cap(score: float) -> float:
    return round(min(0.97, max(0.05, score)), 2)
