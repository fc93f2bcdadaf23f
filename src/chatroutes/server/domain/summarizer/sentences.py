"""Sentences and words: a message split into sentences (markdown markers removed,
long ones cut at their clauses), and the stemmed content words of each.
"""

from __future__ import annotations

import re

from ..tokens import estimate_tokens
from .tuning import LONG_SENTENCE_TOKENS


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOPWORDS = _word_set(
    """
    a about above after again against all almost also although always am among an and
    another any anyone anything anyway are around as ask at away back be because been
    before being below best better between both but by can cannot could did do does
    doing done down during each either else enough even ever every everything few
    finally first for from further get gets getting give go goes going good got great
    had has have having he her here hers herself him himself his how however i if in
    into is it its itself just keep know last least less let lets like likely made make
    makes many may maybe me might mine more most much must my myself need needs never
    new next no nor not now of off often oh ok okay on once one only or other others our
    ours ourselves out over own perhaps please plus quite rather really right said same
    say see she should since so some something soon still such sure take than thank
    thanks that the their theirs them themselves then there these they thing things
    think this those though through thus to too two under until up upon us use used
    using very via want was way we well were what whatever when where whether which
    while who whom whose why will with within without would yes yet you your yours
    yourself yourselves hi hello hey dear note overall also anyway actually basically
    honestly quick sounds sound look looks great awesome cool nice perfect absolutely
    definitely certainly exactly fine glad happy sorry let's i'm i'll i've i'd we're
    we'll we've we'd you're you'll you've it's that's there's here's what's don't
    doesn't didn't can't won't isn't aren't wasn't weren't should've would've could've
    step steps option options idea ideas plan plans question questions answer answers
    today tomorrow yesterday week weeks month months year years day days time times
    """
)


_ABBREVIATIONS = _word_set(
    "mr mrs ms dr prof st jr sr inc ltd co corp vs etc e.g i.e approx no fig dept est mt"
    " u.s a.m p.m cf al"
)


_WORD = re.compile(r"[^\W\d_](?:[\w'\u2019&.-]*\w)?")


_MARKUP = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|[-*•+]\s+|\d{1,3}[.)]\s+)+")
_EMPHASIS = re.compile(r"\*\*|__")
_SPLIT = re.compile(r"(?<=[.!?…])[\"'\u201d\u2019)\]]*\s+")


_CLAUSE_SPLIT = re.compile(r";\s+|\s+[\u2014\u2013]\s+|\s+-\s+")


def _sentences(text: str) -> list[str]:
    """The sentences of a message: one per line at least, markdown markers removed."""
    sentences: list[str] = []
    for raw_line in text.splitlines():
        line = _EMPHASIS.sub("", _MARKUP.sub("", raw_line)).strip()
        if not line:
            continue
        pieces = _SPLIT.split(line)
        merged: list[str] = []
        for piece in pieces:
            piece = piece.strip()
            if not piece:
                continue
            if merged and (_ends_with_abbreviation(merged[-1]) or piece[0].islower()):
                merged[-1] = f"{merged[-1]} {piece}"
            else:
                merged.append(piece)
        for sentence in merged:
            sentences.extend(_split_long(sentence))
    return sentences


def _ends_with_abbreviation(sentence: str) -> bool:
    last = sentence.rsplit(None, 1)[-1].rstrip(".").lower()
    return last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())


def _split_long(sentence: str) -> list[str]:
    """A sentence so long it would be costly to keep whole, cut at its clauses."""
    if len(sentence) < LONG_SENTENCE_TOKENS * 4:
        return [sentence]
    if estimate_tokens(sentence) <= LONG_SENTENCE_TOKENS:
        return [sentence]
    clauses = [clause.strip() for clause in _CLAUSE_SPLIT.split(sentence) if clause.strip()]
    return clauses or [sentence]


def _stem(word: str) -> str:
    word = word.lower().replace("\u2019", "'")
    if word.endswith("'s"):
        word = word[:-2]
    for suffix, replacement in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: len(word) - len(suffix)] + replacement
    return word


def _content_words(sentence: str) -> frozenset[str]:
    return frozenset(
        _stem(word)
        for word in _WORD.findall(sentence)
        if len(word) > 2 and word.lower().replace("\u2019", "'") not in _STOPWORDS
    )
