"""Questions: a message asking two or more real questions, each one a branch point.

Filler ("any ideas?"), tag questions (", right?") and quoted questions do not count.
"""

from __future__ import annotations

import re

from .suggestion import Suggestion, _cap
from .text import Span, _strip_marker, _title, _words, _wordset

_FILLER_QUESTION = re.compile(
    r"^(?:(?:and |so |but )?(?:can|could|would|will) you (?:please )?(?:help(?: me)?(?: with "
    r"(?:this|that|it|both|these|them))?|do that|assist)|does (?:that|this) make sense|"
    r"any (?:ideas|thoughts|suggestions|tips|advice|help)|thoughts|ideas|right|ok(?:ay)?|"
    r"you know|no|yeah|yes|huh|eh|see|get it|got it|make sense|"
    r"(?:what|how) about you|is(?:n't| not) it|(?:don't|do not) you (?:think|agree)|"
    r"(?:is that|am i) (?:right|correct|clear)|anyone|why not|really|(?:what do|wdyt|what "
    r"would) you (?:think|suggest|recommend)|where do i (?:start|begin)|"
    r"(?:can|could) you help(?: me)? (?:out|here)|is that possible|"
    r"would you like (?:me to )?(?:go on|continue|more|more details)|"
    r"(?:want|shall i|should i) (?:me to )?(?:continue|go on|elaborate))\??$",
    re.I,
)
_TAG_QUESTION = re.compile(
    r",\s*(?:isn't it|aren't they|don't you think|right|no|eh|huh|wouldn't it|doesn't it|"
    r"didn't it|won't it|isn't that so|you know|yeah|ok|okay)\?$",
    re.I,
)
_STOPWORDS = _wordset(
    "a about also an and any are as at be been but by can could did do does for from had has "
    "have he here how i if in is it me my no not of on or our she should so some that the "
    "their there these they this those to us was we were what when where which who whom why "
    "will with would you your"
)


def _questions(text: str, scan: str, sents: list[Span]) -> list[Suggestion]:
    asked: list[Span] = []
    for sentence in sents:
        body = _strip_marker(scan, sentence)
        chunk = scan[body.start : sentence.end].strip()
        if not chunk.endswith("?") or chunk.startswith(">"):
            continue
        core = chunk.rstrip("?!. ")
        if _FILLER_QUESTION.match(chunk) or _TAG_QUESTION.search(chunk):
            continue
        if len(_words(core)) < 3:
            continue
        if re.search(r"[\"“][^\"”]*\?[\"”]", chunk):
            continue  # a quoted question
        asked.append(body)
    if len(asked) < 2:
        return []
    topics = [{w for w in _words(scan[s.start : s.end]) if w not in _STOPWORDS} for s in asked]
    found = []
    for index, span in enumerate(asked):
        others: set[str] = set().union(*(t for j, t in enumerate(topics) if j != index))
        mine = topics[index]
        overlap = len(mine & others) / max(1, len(mine))
        divergence = "high" if overlap < 0.15 else "medium" if overlap < 0.4 else "low"
        score = 0.74 + (0.04 if overlap < 0.15 else 0.0) - (0.06 if overlap >= 0.5 else 0.0)
        found.append(
            Suggestion(
                kind="question",
                start=span.start,
                end=span.end,
                trigger=text[span.start : span.end],
                confidence=_cap(score),
                title=_title(text[span.start : span.end]),
                description=(
                    f"One of {len(asked)} questions in this message; answering it on its own "
                    "branch keeps each answer focused."
                ),
                reasoning=f"Question {index + 1} of {len(asked)} in one message",
                divergence=divergence,
            )
        )
    return found
