"""Open directives: requests to explore, brainstorm or list alternatives. The span
is the whole sentence; a report of exploring already done is not a request.
"""

from __future__ import annotations

import re

from .suggestion import Suggestion
from .text import _NEGATION, Span, _clip, _strip_marker, _title

_DIRECTIVE = re.compile(
    r"\b(?:brainstorm\w*|explore|exploring|alternatives?\b(?: to| for)?|options (?:for|to|on)|"
    r"other (?:ways|options|approaches|ideas|angles|directions)|"
    r"different (?:ways|approaches|options|angles|directions|strategies|ideas)|"
    r"what are (?:my|our|the|some) (?:options|choices|alternatives)|ideas (?:for|on|about)|"
    r"possibilities|several (?:ways|approaches|options)|"
    r"a few (?:ways|approaches|options|ideas)|pros and cons|come up with (?:some|a few|several|"
    r"ideas|names|options)|list (?:some|a few|several) (?:ideas|options|names))",
    re.I,
)
_REQUEST = re.compile(
    r"^(?:[-*•]\s*)?(?:please |pls |ok(?:ay)?,? |so,? |now,? |also,? |and )?(?:brainstorm|explore|"
    r"list|give|suggest|show|help|let's|lets|let us|propose|come up|think of|outline|walk|tell|"
    r"find|what|which|how|are there|can you|could you|would you|will you|can we|could we|"
    r"i(?:'d| would) (?:like|love)|i want|i need|we need|we want|i'm looking|we're looking|"
    r"i am looking|looking for|need|want|any)\b",
    re.I,
)
_NARRATIVE = re.compile(
    r"\b(?:explored|brainstormed|we've|i've|already|last|yesterday|ago)\b", re.I
)


def _directives(text: str, scan: str, sents: list[Span]) -> list[Suggestion]:
    found: list[Suggestion] = []
    for sentence in sents:
        body = _strip_marker(scan, sentence)
        chunk = scan[body.start : sentence.end]
        match = _DIRECTIVE.search(chunk)
        if match is None or re.match(r"explorer", chunk[match.start() :], re.I):
            continue
        request = _REQUEST.match(chunk) or chunk.rstrip().endswith("?")
        if not request:
            continue
        if _NARRATIVE.search(chunk) or _NEGATION.search(chunk[: match.start()]):
            continue
        trigger = match.group(0).lower()
        score = 0.84 if trigger.startswith(("brainstorm", "alternative", "what are")) else 0.78
        found.append(
            Suggestion(
                kind="directive",
                start=body.start,
                end=sentence.end,
                trigger=text[body.start : sentence.end],
                confidence=score,
                title=_title(f"Explore: {_clip(text[body.start : sentence.end], 60)}"),
                description=(
                    "An open request for alternatives: each idea can grow on its own branch "
                    "instead of one long list."
                ),
                reasoning=f"Open directive '{trigger}' phrased as a request",
                divergence="high",
            )
        )
    return found
