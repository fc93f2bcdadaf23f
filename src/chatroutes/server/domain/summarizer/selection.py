"""Selection: what the summary already covers, and the greedy budgeted choice of
open questions and of the sentences that add most per token.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

from ..tokens import estimate_tokens
from .layout import _render
from .tuning import (
    FACT_DECAY,
    FILLER_SHARE,
    MAX_OPEN_QUESTIONS,
    NEW_WORD_WEIGHT,
    NEW_WORDS_CAP,
    OPEN_QUESTIONS_SHARE,
    REDUNDANCY_PENALTY,
    TOKEN_SMOOTHING,
)
from .units import _Unit


class _Coverage:
    """The facts, words and commitments already in the summary."""

    def __init__(self) -> None:
        self.facts: set[str] = set()
        self.name_parts: set[str] = set()
        self.words: set[str] = set()
        self.commitments: list[frozenset[str]] = []

    def covers(self, key: str) -> bool:
        """A fact already stated; "Priya" counts as stated once "Priya Raman" is."""
        return key in self.facts or (key.startswith("name:") and key[5:] in self.name_parts)

    def add(self, unit: _Unit) -> None:
        for key in unit.facts:
            self.facts.add(key)
            if key.startswith("name:"):
                self.name_parts.update(key[5:].split())
        self.words.update(unit.words)
        if unit.commitment:
            self.commitments.append(unit.words)

    def commitment_covered(self, words: frozenset[str]) -> bool:
        for covered in self.commitments:
            union = len(words | covered)
            if union and len(words & covered) / union >= 0.6:
                return True
        return False

    def gain(self, unit: _Unit) -> tuple[float, float]:
        """(fact gain, total gain) of adding ``unit``, both with its multiplier."""
        weights = sorted(
            (weight for key, weight in unit.facts.items() if not self.covers(key)), reverse=True
        )
        facts = sum(
            weight * FACT_DECAY[min(rank, len(FACT_DECAY) - 1)]
            for rank, weight in enumerate(weights)
        )
        if unit.commitment and not self.commitment_covered(unit.words):
            facts += unit.commitment
        new_words = min(len(unit.words - self.words) * NEW_WORD_WEIGHT, NEW_WORDS_CAP)
        return facts * unit.multiplier, (facts + new_words) * unit.multiplier


def _ratio(gain: float, unit: _Unit) -> float:
    return gain / (unit.tokens + TOKEN_SMOOTHING)


def _pick_questions(
    candidates: Sequence[tuple[_Unit, _Unit]], max_tokens: int, coverage: _Coverage
) -> tuple[list[_Unit], set[int]]:
    """The most recent open questions that fit their share: (listed units, asked ids)."""
    chosen: list[_Unit] = []
    asked: set[int] = set()
    share = max_tokens * OPEN_QUESTIONS_SHARE
    for listed, unit in reversed(candidates):
        if len(chosen) >= MAX_OPEN_QUESTIONS:
            break
        for version in [listed] if listed is unit else [listed, unit]:
            if estimate_tokens(_render([], [*chosen, version])) <= share:
                chosen.append(version)
                asked.add(id(unit))
                coverage.add(version)
                break
    return chosen, asked


def _select(
    candidates: Sequence[_Unit], questions: Sequence[_Unit], coverage: _Coverage, max_tokens: int
) -> list[_Unit]:
    """Greedy budgeted coverage: the sentence adding most per token, while it fits.

    Lazy greedy: a sentence's score only falls as the summary grows, so a stale score
    is an upper bound and only the top of the heap needs scoring again.
    """
    chosen: list[_Unit] = []
    remaining = sorted(
        (unit for unit in candidates if unit.tokens <= max_tokens), key=lambda unit: unit.order
    )
    size = estimate_tokens(_render([], questions)) if questions else 0
    # How much each candidate reads like one already chosen (0-1), as in maximal marginal
    # relevance: "A said X about P." after "B said X about Q." adds little.
    similarity = [0.0] * len(remaining)
    for unit in questions:
        _update_similarity(remaining, similarity, unit)

    def score(index: int) -> float:
        unit = remaining[index]
        fact_gain, total_gain = coverage.gain(unit)
        if fact_gain <= 0 and size >= max_tokens * FILLER_SHARE:
            return 0.0
        return _ratio(total_gain * (1 - REDUNDANCY_PENALTY * similarity[index]), unit)

    heap = [(-score(index), index) for index in range(len(remaining))]
    heapq.heapify(heap)
    while heap:
        _, index = heapq.heappop(heap)
        current = score(index)
        if current <= 0:
            continue
        if heap and current < -heap[0][0]:
            heapq.heappush(heap, (-current, index))
            continue
        unit = remaining[index]
        trial_size = estimate_tokens(_render([*chosen, unit], questions))
        if trial_size <= max_tokens:
            chosen.append(unit)
            size = trial_size
            coverage.add(unit)
            _update_similarity(remaining, similarity, unit)
    return chosen


def _update_similarity(remaining: Sequence[_Unit], similarity: list[float], chosen: _Unit) -> None:
    if not chosen.shape:
        return
    for index, unit in enumerate(remaining):
        if unit.shape:
            overlap = len(unit.shape & chosen.shape) / len(unit.shape | chosen.shape)
            similarity[index] = max(similarity[index], overlap)
