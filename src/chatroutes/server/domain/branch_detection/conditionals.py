"""Conditionals: "if … otherwise/else", "if so … if not", two contrasting "if"
clauses, "what if …". The span runs from "if" to the end of the last clause's
sentence; polite "if you could …" is not a condition.
"""

from __future__ import annotations

import re

from .suggestion import Suggestion, _cap
from .text import Span, _clip, _strip_marker, _title

_COND_IF = re.compile(r"\b(?:what if|if|unless|in case)\b", re.I)
_POLITE_IF = re.compile(
    r"^(?:if|in case) (?:you|u) (?:can|could|would|don't mind|get a chance|are able|have (?:time|"
    r"a (?:minute|moment|second)))\b"
    r"|^(?:if|in case) (?:you|u) (?:want|wish|like|prefer|need)(?: me)?(?: to)?\s*(?:[.,;!?]|$)"
    r"|^(?:if|in case) (?:you|u) (?:want|wish|like|need) (?:anything|any|help|further|me to)\b"
    r"|^if (?:possible|necessary|needed|any|applicable|so desired)\b"
    r"|^(?:if|in case) (?:you have |there (?:is|are) )?any\b",
    re.I,
)
_ELSE = re.compile(
    r"\b(?:otherwise|else|if not|if (?:it|that|they|he|she|you|we|the \w+) (?:doesn't|does not|"
    r"isn't|is not|aren't|are not|don't|do not|won't|will not|can't|cannot|fails?|goes wrong)|"
    r"in the other case|on the other hand)\b",
    re.I,
)


def _conditionals(text: str, scan: str, sents: list[Span]) -> list[Suggestion]:
    found: list[Suggestion] = []
    taken = -1
    for index, sentence in enumerate(sents):
        if sentence.start < taken:
            continue
        body = _strip_marker(scan, sentence)
        chunk = scan[body.start : sentence.end]
        match = _COND_IF.search(chunk)
        if match is None:
            continue
        start = body.start + match.start()
        clause = scan[start : sentence.end]
        if _POLITE_IF.match(clause) or re.match(
            r"even if|as if|only if", scan[start - 5 : start + 7].strip(), re.I
        ):
            continue
        if re.search(r"\beven\s+$|\bas\s+$", scan[body.start : start], re.I):
            continue
        end = sentence.end
        score = 0.0
        reason = ""
        what_if = match.group(0).lower() == "what if"
        if _ELSE.search(scan[start + len(match.group(0)) : sentence.end]):
            score, reason = 0.82, "an 'if' with its alternative in the same sentence"
        elif index + 1 < len(sents) and _ELSE.match(
            scan[sents[index + 1].start : sents[index + 1].end].lstrip("-*• ")
        ):
            end = sents[index + 1].end
            score, reason = 0.8, "an 'if' followed by an 'otherwise' sentence"
        elif (
            index + 1 < len(sents)
            and re.match(r"(?:[-*•]\s*)?(?:but )?if\b", scan[sents[index + 1].start :], re.I)
            and not _POLITE_IF.match(
                re.sub(
                    r"^(?:[-*•]\s*)?(?:but )?",
                    "",
                    scan[sents[index + 1].start : sents[index + 1].end],
                    flags=re.I,
                )
            )
        ):
            end = sents[index + 1].end
            score, reason = 0.76, "two contrasting 'if' cases"
        elif re.search(r"\bif\b.*?[,;]\s*(?:and |but )?if\b", clause, re.I):
            score, reason = 0.76, "two contrasting 'if' cases in one sentence"
        elif what_if:
            score, reason = 0.74, "a 'what if' scenario to explore"
        elif match.group(0).lower() == "unless":
            score, reason = 0.5, "'unless' implies an alternative"
        elif re.search(r"\bthen\b", clause, re.I):
            score, reason = 0.55, "'if … then' with one outcome only"
        else:
            continue
        taken = end
        condition = re.sub(r"^(?:what if|if|unless|in case)\s+", "", scan[start:end], flags=re.I)
        condition = re.split(r"[,;]|\bthen\b", condition, maxsplit=1)[0]
        found.append(
            Suggestion(
                kind="conditional",
                start=start,
                end=end,
                trigger=text[start:end],
                confidence=_cap(score),
                title=_title(
                    f"What if {_clip(condition, 50)}"
                    if what_if
                    else f"Scenarios: if {_clip(condition, 50)}"
                ),
                description=(
                    "The outcome depends on a condition; follow each case on its own branch "
                    f"(if {_clip(condition, 60)}, and if not)."
                ),
                reasoning=f"Conditional: {reason}",
                divergence="high" if what_if else "medium",
            )
        )
    return found
