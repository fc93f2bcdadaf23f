"""Disjunctions: "X or Y", "A, B, or C", "whether/either … or …".

The span covers the options, from "whether"/"either" when present. Idioms ("more or
less"), negated choices ("not X or Y"), examples ("such as X or Y"), conditions
("if X or Y") and catch-alls ("any questions or issues") are dropped or weakened.
"""

from __future__ import annotations

import re

from .option_spans import _clause_bounds, _left_option, _right_option
from .suggestion import Suggestion, _cap
from .text import _NEGATION, Span, _join, _title, _words

_CHOICE_CUE = re.compile(
    r"\b(?:should|shall|which|better|best|prefer|preferable|choose|choosing|pick|decide|"
    r"deciding|decision|torn|option|options|go with|recommend|worth|rather|instead|vs|"
    r"versus|either|whether|trade-?offs?|could|might|would you like|do you want|"
    r"thinking (?:of|about)|considering|wondering|back and forth|more sense|smarter|easier|"
    r"cheaper|faster|safer|wiser|worse)\b",
    re.I,
)
_EXAMPLE_CUE = re.compile(
    r"\b(?:such as|e\.g|for example|for instance|including)\b"
    r"|(?<!would you )(?<!you'd )(?<!i'd )(?<!i would )(?<!we'd )\blike\b",
    re.I,
)
_IDIOMS = re.compile(
    r"\b(?:more or less|sooner or later|one (?:way )?or another|or so|or (?:more|less|fewer|"
    r"longer|later|earlier|similar|something|anything|whatever|whoever|otherwise|other|else|"
    r"not|equal|two|three|four|five|six|ten|twenty|a few|another|both|all|none|any(?:thing)?"
    r" else)\b|and/or|(?:\d+|one|two|three|four|five|a day|a week|an hour) or (?:\d+|two|three|"
    r"four|five|six|seven|ten|so)\b|whether or not|or what|rain or shine|give or take|"
    r"black or white|right or wrong|true or false|yes or no|dead or alive|now or never|"
    r"all or nothing|more or fewer)",
    re.I,
)
_ANY_CONTEXT = re.compile(
    r"\b(?:any|anything|anyone|questions|issues|problems|concerns|comments|feedback)\b", re.I
)


def _options_in(scan: str, start: int, end: int, splitter: str) -> tuple[str, ...]:
    parts = re.split(splitter, scan[start:end], flags=re.I)
    out = [p.strip(" ,.;:!?\"'") for p in parts]
    return tuple(o for o in out if o)


def _disjunctions(text: str, scan: str, sents: list[Span]) -> list[Suggestion]:
    found: list[Suggestion] = []
    for sentence in sents:
        chunk = scan[sentence.start : sentence.end]
        idioms = [(m.start(), m.end()) for m in _IDIOMS.finditer(chunk)]
        used_until = sentence.start
        for match in re.finditer(r"\bor\b", chunk):
            at = sentence.start + match.start()
            if at < used_until or any(s <= match.start() < e for s, e in idioms):
                continue
            lo, hi = _clause_bounds(scan, sentence, at, at + 2)
            clause = scan[lo:hi]
            opener = re.search(r"\b(whether|either)\b", scan[lo:at], re.I)
            left = _left_option(scan, lo, at)
            if left is None:
                continue
            start, items = left
            left_words = len(_words(scan[start:at]))
            right_limit = 8 if opener else min(8, max(3, left_words + 2))
            end = _right_option(scan, at + 2, hi, right_limit, min(left_words, 2))
            if end is None:
                continue
            kind_start = lo + opener.start() if opener else start
            before = scan[lo:kind_start]
            features: list[str] = []
            score = 0.5
            if opener:
                score += 0.25
                features.append(f"'{opener.group(1).lower()} … or'")
            if chunk.rstrip().endswith("?"):
                score += 0.2
                features.append("asked as a question")
            cue = _CHOICE_CUE.search(scan[sentence.start : sentence.end])
            if cue and not opener:
                score += 0.15
                features.append(f"choice cue '{cue.group(0).lower()}'")
            if items >= 2:
                score += 0.05
                features.append(f"{items + 1} options")
            window = " ".join(_words(scan[lo:start])[-3:])
            if (not opener and _NEGATION.search(window)) or re.search(r"\bnor\b", clause, re.I):
                continue
            if _EXAMPLE_CUE.search(scan[max(lo, start - 20) : start]):
                score -= 0.3
                features.append("examples, not a choice")
            if re.search(r"\bif\b|\bwhen(?:ever)?\b", before, re.I):
                score -= 0.25
                features.append("inside a condition")
            if _ANY_CONTEXT.search(scan[max(lo, start - 25) : end]):
                score -= 0.3
                features.append("'any … or …' catch-all")
            options = _options_in(scan, start, end, r",?\s*\bor\b\s*|,\s*")
            if len(options) < 2:
                continue
            if all(len(o) <= 2 for o in options):
                continue
            used_until = end
            trigger = text[kind_start:end]
            found.append(
                Suggestion(
                    kind="disjunction",
                    start=kind_start,
                    end=end,
                    trigger=trigger,
                    confidence=_cap(score),
                    title=_title(f"Choose: {_join(options, 'or')}"),
                    description=(
                        f"The message weighs {len(options)} alternatives ({_join(options, 'or')}); "
                        "explore each on its own branch and compare where they lead."
                    ),
                    reasoning="Disjunction: " + (", ".join(features) or "plain 'or'"),
                    divergence="high" if len(options) >= 3 or opener else "medium",
                    options=options,
                )
            )
    return found
