"""Comparisons: "X vs Y", "compare X and Y", "difference between X and Y",
"choose between X and Y" (and their French, Spanish and German forms). One
suggestion per side; the group runs from the trigger word (or X) to the last side.
"""

from __future__ import annotations

import re

from .option_spans import _clause_bounds, _left_option, _parts, _right_option
from .suggestion import Option, Suggestion, split_group
from .text import _NEGATION, Span, _inside, _mentions, _option_title, _quoted, _trimmed, _words

_VS = re.compile(r"\b(?:vs\.?|versus)(?=\s)", re.I)
_COMPARE = re.compile(
    r"\b(?:compare|comparing|comparison (?:of|between)|differences? between|"
    r"(?:choose|choosing|decide|deciding|pick|picking|torn|split|undecided) between|"
    r"pros and cons of|trade-?offs? between|"
    r"comparer|comparaison entre|différences? entre|choisir entre|hésite entre|"
    r"comparar|diferencias? entre|elegir entre|decidir entre|"
    r"vergleiche?n?|unterschied(?:e)? zwischen|wählen zwischen|entscheiden zwischen)\b",
    re.I,
)
_KEYS = (
    "vs",
    "versus",
    "compar",
    "differen",
    "between",
    "pros and",
    "trade",
    "entre",
    "zwischen",
    "unterschied",
    "vergleich",
    "diferencia",
)
_JOINER = re.compile(
    r"\s(?:and|with|to|against|or|vs\.?|versus|et|avec|ou|y|e|con|o|und|mit|oder)\s", re.I
)
_SIDES = re.compile(r",?\s*\b(?:and|or|vs\.?|versus|et|ou|y|o|und|oder)\b\s*|,\s*", re.I)


def _comparisons(text: str, scan: str, sents: list[Span]) -> list[Suggestion]:
    found: list[Suggestion] = []
    quotes = _quoted(scan)
    for sentence in sents:
        if not _mentions(scan[sentence.start : sentence.end], _KEYS):
            continue
        chunk_end = sentence.end
        for match in _VS.finditer(scan[sentence.start : chunk_end]):
            at, after = sentence.start + match.start(), sentence.start + match.end()
            if _inside(quotes, at, after):
                continue
            lo, hi = _clause_bounds(scan, sentence, at, after)
            left = _left_option(scan, lo, at)
            if left is None:
                continue
            start, _ = left
            left_words = len(_words(scan[start:at]))
            end = _right_option(scan, after, hi, max(3, left_words + 2), min(left_words, 2))
            if end is None:
                continue
            sides = [(start, at), (after, end)]
            found.extend(_comparison(text, scan, start, end, sides, 0.85, match.group(0)))
        for match in _COMPARE.finditer(scan, sentence.start, chunk_end):
            if _inside(quotes, match.start(), match.end()):
                continue
            _, hi = _clause_bounds(scan, sentence, match.start(), match.end())
            if scan[hi : hi + 1] == ":":  # "compare three approaches: A, B, and C"
                sides = _parts(scan, hi + 1, sentence.end, _SIDES)
                if 2 <= len(sides) <= 6 and all(len(_words(scan[a:b])) <= 5 for a, b in sides):
                    found.extend(
                        _comparison(
                            text, scan, match.start(), sides[-1][1], sides, 0.8, match.group(0)
                        )
                    )
                continue
            rest = scan[match.end() : hi]
            joiner = _JOINER.search(rest)
            if joiner is None:
                continue
            first = rest[: joiner.start()]
            if not _words(first) or re.fullmatch(r"[\s\d:.$€£%apmh-]*", first, re.I):
                continue  # "between 2 and 5", "between 9am and noon"
            right_from = match.end() + joiner.end()
            first_words = len(_words(first))
            end = _right_option(scan, right_from, hi, max(3, first_words + 2), min(first_words, 2))
            if end is None:
                continue
            sides = [
                *_parts(scan, match.end(), match.end() + joiner.start(), _SIDES),
                (right_from, end),
            ]
            if len(sides) < 2 or any(
                re.fullmatch(r"[\d:.]+\s*(?:am|pm|h)?", scan[a:b], re.I) for a, b in sides
            ):
                continue
            if _NEGATION.search(scan[max(sentence.start, match.start() - 15) : match.start()]):
                continue
            found.extend(_comparison(text, scan, match.start(), end, sides, 0.82, match.group(0)))
    return found


def _comparison(
    text: str,
    scan: str,
    start: int,
    end: int,
    sides: list[tuple[int, int]],
    score: float,
    cue: str,
) -> list[Suggestion]:
    spans = [_trimmed(scan, a, b) for a, b in sides]
    options = [Option(a, b, _option_title(text[a:b])) for a, b in spans if b > a]
    if len(options) < 2:
        return []
    return split_group(
        text,
        kind="comparison",
        start=start,
        end=end,
        options=options,
        confidence=score,
        description=(
            "One side of a head-to-head comparison: {option} on its own branch, "
            "weighed against {others}."
        ),
        reasoning=f"Comparison cue '{cue.strip().lower()}' between {len(options)} alternatives",
        divergence="medium",
    )
