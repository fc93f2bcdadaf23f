"""Conditionals: "if … otherwise/else", "if so … if not", two contrasting "if"
clauses, "what if …" (and "si … sinon", "si … si no", "wenn … sonst"). One
suggestion per case; the group runs from "if" to the end of the last case's
sentence. Polite "if you could …" is not a condition.
"""

from __future__ import annotations

import re

from .suggestion import Option, Suggestion, split_group
from .text import Span, _clip, _mentions, _option_title, _strip_marker, _trimmed

_COND_IF = re.compile(
    r"\b(?:what if|what happens if|if|unless|in case|et si|que se passe-t-il si|si|y si|"
    r"qué pasa si|was wäre,? wenn|was passiert,? wenn|was,? wenn|wenn|falls)\b",
    re.I,
)
_KEYS = ("if", "unless", "in case", "si", "wenn", "falls")
_WHAT_IF = re.compile(r"^(?:what|et|y|qué|que|was)\b", re.I)
_POLITE_IF = re.compile(
    r"^(?:if|in case) (?:you|u) (?:can|could|would|don't mind|get a chance|are able|have (?:time|"
    r"a (?:minute|moment|second)))\b"
    r"|^(?:if|in case) (?:you|u) (?:want|wish|like|prefer|need)(?: me)?(?: to)?\s*(?:[.,;!?]|$)"
    r"|^(?:if|in case) (?:you|u) (?:want|wish|like|need) (?:anything|any|help|further|me to)\b"
    r"|^if (?:possible|necessary|needed|any|applicable|so desired)\b"
    r"|^(?:if|in case) (?:you have |there (?:is|are) )?any\b"
    r"|^si (?:vous |tu )?(?:pouvez|peux|possible|besoin|nécessaire|puedes|puede|es posible|"
    r"necesario|quieres)\b|^(?:wenn|falls) (?:möglich|nötig|du kannst|sie können)\b",
    re.I,
)
_ELSE = re.compile(
    r"\b(?:otherwise|else|if not|if (?:it|that|they|he|she|you|we|the \w+) (?:doesn't|does not|"
    r"isn't|is not|aren't|are not|don't|do not|won't|will not|can't|cannot|fails?|goes wrong)|"
    r"in the other case|on the other hand|sinon|autrement|dans le cas contraire|si non|"
    r"de lo contrario|en caso contrario|si no|sonst|andernfalls|ansonsten|"
    r"(?:wenn|falls) nicht)\b",
    re.I,
)
_SECOND_IF = re.compile(r"[,;]\s*(?:and |but |et |y |und |aber )?(?:if|si|wenn|falls)\b", re.I)
_NEXT_LEAD = re.compile(r"^(?:[-*•]\s*)?(?:but |and |mais |pero |aber )?", re.I)
_NEXT_IF = re.compile(r"(?:[-*•]\s*)?(?:but |and |mais |pero |aber )?(?:if|si|wenn|falls)\b", re.I)


def _conditionals(text: str, scan: str, sents: list[Span]) -> list[Suggestion]:
    found: list[Suggestion] = []
    taken = -1
    for index, sentence in enumerate(sents):
        if sentence.start < taken:
            continue
        body = _strip_marker(scan, sentence)
        chunk = scan[body.start : sentence.end]
        if not _mentions(chunk, _KEYS):
            continue
        match = _COND_IF.search(chunk)
        if match is None:
            continue
        start = body.start + match.start()
        clause = scan[start : sentence.end]
        if _POLITE_IF.match(clause) or re.match(
            r"even if|as if|only if|même si|como si|incluso si|auch wenn|selbst wenn|als ob",
            scan[max(0, start - 7) : start + 7].strip(),
            re.I,
        ):
            continue
        if re.search(
            r"\b(?:even|as|même|auch|selbst|incluso|como)\s+$", scan[body.start : start], re.I
        ):
            continue
        word = match.group(0).lower()
        what_if = bool(_WHAT_IF.match(word)) and word not in ("si", "wenn")
        after_if = start + len(match.group(0))
        nxt = sents[index + 1] if index + 1 < len(sents) else None
        inline_else = _ELSE.search(scan, after_if, sentence.end)
        second_if = _SECOND_IF.search(scan, after_if, sentence.end)
        cases: list[tuple[int, int]]
        if inline_else:
            cases = [(start, inline_else.start()), (inline_else.start(), sentence.end)]
            score, reason = 0.82, "an 'if' with its alternative in the same sentence"
        elif nxt and _ELSE.match(scan[nxt.start : nxt.end].lstrip("-*• ")):
            cases = [(start, sentence.end), (nxt.start, nxt.end)]
            score, reason = 0.8, "an 'if' followed by an 'otherwise' sentence"
        elif (
            nxt
            and _NEXT_IF.match(scan, nxt.start)
            and not _POLITE_IF.match(_NEXT_LEAD.sub("", scan[nxt.start : nxt.end]))
        ):
            cases = [(start, sentence.end), (nxt.start, nxt.end)]
            score, reason = 0.76, "two contrasting 'if' cases"
        elif second_if:
            cases = [(start, second_if.start()), (second_if.start(), sentence.end)]
            score, reason = 0.76, "two contrasting 'if' cases in one sentence"
        elif what_if:
            cases = [(start, sentence.end)]
            score, reason = 0.74, "a 'what if' scenario to explore"
            if re.match(r"what happens|que se passe|qué pasa|was passiert", word, re.I):
                score, reason = 0.62, "a question about one outcome"
        elif word == "unless":
            cases = [(start, sentence.end)]
            score, reason = 0.5, "'unless' implies an alternative"
        elif re.search(r"\b(?:then|alors|entonces|dann)\b", clause, re.I):
            cases = [(start, sentence.end)]
            score, reason = 0.55, "'if … then' with one outcome only"
        else:
            continue
        end = cases[-1][1]
        taken = end
        options = []
        for a, b in cases:
            a, b = _trimmed(text, a, b)
            if b > a:
                options.append(Option(a, b, _case_title(text[a:b])))
        found.extend(
            split_group(
                text,
                kind="conditional",
                start=start,
                end=end,
                options=options,
                confidence=score,
                description=(
                    "One case of a condition the outcome depends on: follow it on its own branch."
                ),
                reasoning=f"Conditional: {reason}",
                divergence="high" if what_if else "medium",
            )
        )
    return found


def _case_title(case: str) -> str:
    """ "If it rains, we stay in" → "If it rains"; "otherwise we hike" → "Otherwise we hike"."""
    head = re.split(r"[,;]|\b(?:then|alors|entonces|dann)\b", case, maxsplit=1)[0]
    return _option_title(_clip(head if len(head.split()) >= 2 else case, 60))
