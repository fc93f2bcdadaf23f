"""Units: each candidate sentence with its facts, words and weight multiplier."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..tokens import estimate_tokens
from .facts import _commitment, _hedged, _name_facts, _number_facts, _Vocabulary
from .sentences import _content_words, _stem
from .tuning import (
    ASSISTANT_WEIGHT,
    HEDGE_FACTOR,
    KIND_BONUS,
    KIND_FACT,
    OPENING_BONUS,
    OTHER_ROLE_WEIGHT,
    PREVIOUS_BONUS,
    USER_WEIGHT,
)

PREVIOUS, NEW = 0, 1  # the first part of a unit's order: earlier summary lines come first


@dataclass
class _Unit:
    order: tuple[int, int, int]  # (PREVIOUS or NEW, line or message index, sentence index)
    role: str
    text: str
    tokens: int
    facts: dict[str, float]  # key ("name:…", "date:…", a number…) -> weight
    words: frozenset[str]  # stemmed content words
    shape: frozenset[str]  # the content words that are not part of a fact
    commitment: float  # the weight of the decision or constraint it states, if any
    question: bool
    multiplier: float

    @property
    def line(self) -> tuple[int, int]:
        return self.order[0], self.order[1]

    @property
    def keywords(self) -> set[str]:
        return set(self.words) | set(self.facts)


def _role_weight(role: str) -> float:
    return {"user": USER_WEIGHT, "assistant": ASSISTANT_WEIGHT}.get(role, OTHER_ROLE_WEIGHT)


class _Reader:
    """Turns sentences into units, knowing which capitalised words are names."""

    def __init__(self, sentences: Iterable[str], *, opening: int | None) -> None:
        self.vocabulary = _Vocabulary()
        for sentence in sentences:
            self.vocabulary.learn(sentence)
        self.opening = opening

    def unit(self, order: tuple[int, int, int], role: str, text: str) -> _Unit:
        facts = _number_facts(text)
        figures = " ".join(facts)
        for key, weight in _name_facts(text, self.vocabulary).items():
            if key[5:] not in figures:  # "Q3" is a date already, not also a product
                facts.setdefault(key, weight)
        kind = _commitment(text, role)
        words = _content_words(text)
        multiplier = _role_weight(role)
        if order[0] == PREVIOUS:
            multiplier *= PREVIOUS_BONUS
        elif order[1] == self.opening:
            multiplier *= OPENING_BONUS
        if kind is not None:
            multiplier *= KIND_BONUS[kind]
        elif _hedged(text, facts):
            multiplier *= HEDGE_FACTOR
        fact_words = {_stem(part) for key in facts for part in key.split(":", 1)[-1].split()}
        return _Unit(
            order=order,
            role=role,
            text=text,
            tokens=estimate_tokens(text),
            facts=facts,
            words=words,
            shape=words - fact_words,
            commitment=KIND_FACT[kind] if kind else 0.0,
            question=text.endswith("?"),
            multiplier=multiplier,
        )
