"""Comparisons: "X vs Y", "compare X and Y", "difference between X and Y",
"choose between X and Y". The span runs from the trigger word (or X) to Y.
"""

from __future__ import annotations

import re

from .option_spans import _clause_bounds, _left_option, _right_option
from .suggestion import Suggestion, _cap
from .text import _NEGATION, Span, _join, _title, _words

_VS = re.compile(r"\b(?:vs\.?|versus)(?=\s)", re.I)
_COMPARE = re.compile(
    r"\b(?:compare|comparing|comparison (?:of|between)|differences? between|"
    r"(?:choose|choosing|decide|deciding|pick|picking|torn|split|undecided) between|"
    r"pros and cons of|trade-?offs? between)\b",
    re.I,
)


def _comparisons(text: str, scan: str, sents: list[Span]) -> list[Suggestion]:
    found: list[Suggestion] = []
    for sentence in sents:
        chunk_end = sentence.end
        for match in _VS.finditer(scan, sentence.start, chunk_end):
            lo, hi = _clause_bounds(scan, sentence, match.start(), match.end())
            left = _left_option(scan, lo, match.start())
            if left is None:
                continue
            start, _ = left
            left_words = len(_words(scan[start : match.start()]))
            end = _right_option(scan, match.end(), hi, max(3, left_words + 2), min(left_words, 2))
            if end is None:
                continue
            options = (
                scan[start : match.start()].strip(" ,"),
                scan[match.end() : end].strip(" ,."),
            )
            found.append(
                _comparison(text, start, end, options, 0.85, f"'{match.group(0).strip()}'")
            )
        for match in _COMPARE.finditer(scan, sentence.start, chunk_end):
            _, hi = _clause_bounds(scan, sentence, match.start(), match.end())
            rest = scan[match.end() : hi]
            joiner = re.search(r"\s(?:and|with|to|against|or|vs\.?|versus)\s", rest, re.I)
            if joiner is None:
                continue
            first = rest[: joiner.start()]
            if not _words(first) or re.fullmatch(r"[\s\d:.$€£%apm-]*", first, re.I):
                continue  # "between 2 and 5", "between 9am and noon"
            right_from = match.end() + joiner.end()
            first_words = len(_words(first))
            end = _right_option(scan, right_from, hi, max(3, first_words + 2), min(first_words, 2))
            if end is None:
                continue
            options = (first.strip(" ,"), scan[right_from:end].strip(" ,."))
            if any(re.fullmatch(r"[\d:.]+\s*(?:am|pm)?", o, re.I) for o in options):
                continue
            cue = match.group(0).lower()
            if _NEGATION.search(scan[max(sentence.start, match.start() - 15) : match.start()]):
                continue
            found.append(_comparison(text, match.start(), end, options, 0.82, f"'{cue}'"))
    return found


def _comparison(
    text: str, start: int, end: int, options: tuple[str, ...], score: float, cue: str
) -> Suggestion:
    options = tuple(o for o in options if o)
    return Suggestion(
        kind="comparison",
        start=start,
        end=end,
        trigger=text[start:end],
        confidence=_cap(score),
        title=_title(f"Compare {_join(options, 'and')}"),
        description=(
            f"A head-to-head comparison of {_join(options, 'and')}: one branch per side "
            "keeps each line of reasoning clean."
        ),
        reasoning=f"Comparison cue {cue} between {len(options)} named alternatives",
        divergence="medium",
        options=options,
    )
