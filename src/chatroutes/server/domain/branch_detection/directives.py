"""Open directives: requests to explore, brainstorm or list alternatives (in
English, French, Spanish or German). One suggestion, the whole sentence; a report
of exploring already done is not a request.
"""

from __future__ import annotations

import re

from .suggestion import Option, Suggestion, split_group
from .text import _NEGATION, Span, _mentions, _option_title, _strip_marker

_DIRECTIVE = re.compile(
    r"\b(?:brainstorm\w*|explore|exploring|alternatives?\b(?: to| for)?|options (?:for|to|on)|"
    r"other (?:ways|options|approaches|ideas|angles|directions)|"
    r"different (?:ways|approaches|options|angles|directions|strategies|ideas)|"
    r"what are (?:my|our|the|some) (?:options|choices|alternatives)|ideas (?:for|on|about)|"
    r"possibilities|several (?:ways|approaches|options)|"
    r"a few (?:ways|approaches|options|ideas)|pros and cons|come up with (?:some|a few|several|"
    r"ideas|names|options)|list (?:some|a few|several) (?:ideas|options|names)|"
    r"remue-méninges|idées (?:pour|de|sur)|quelles sont (?:mes|nos|les) options|"
    r"différentes (?:façons|approches|options|manières)|autres (?:options|approches|idées)|"
    r"alternatives? (?:à|pour)|pistes|"
    r"lluvia de ideas|ideas (?:para|de|sobre)|cuáles son (?:mis|nuestras|las) opciones|"
    r"diferentes (?:formas|maneras|enfoques|opciones)|otras (?:opciones|formas|ideas)|"
    r"alternativas?|"
    r"ideen (?:für|zu)|welche (?:optionen|möglichkeiten|alternativen)|alternativen|"
    r"verschiedene (?:ansätze|möglichkeiten|optionen|wege)|andere (?:ansätze|möglichkeiten|ideen)"
    r"|möglichkeiten|"
    r"(?:suggest|give me|list|propose|recommend|come up with|think of|name)\b[^.?!\n]{0,40}?"
    r"\b(?:ideas|names|options|ways|approaches|alternatives|strategies|titles|slogans|themes|"
    r"topics|angles|suggestions|possibilities))",
    re.I,
)
_KEYS = (
    "brainstorm",
    "explor",
    "alternativ",
    "option",
    "other",
    "different",
    "what are",
    "idea",
    "possibilit",
    "several",
    "few",
    "pros and",
    "come up",
    "list",
    "suggest",
    "give me",
    "propos",
    "recommend",
    "think of",
    "name",
    "remue",
    "idée",
    "quelles",
    "autres",
    "piste",
    "lluvia",
    "cuáles",
    "diferentes",
    "otras",
    "opcion",
    "ideen",
    "welche",
    "verschiedene",
    "andere",
    "möglichkeit",
)
_REQUEST = re.compile(
    r"^(?:[-*•]\s*)?(?:please |pls |ok(?:ay)?,? |so,? |now,? |also,? |and )?(?:brainstorm|explore|"
    r"list|give|suggest|show|help|let's|lets|let us|propose|come up|think of|outline|walk|tell|"
    r"find|what|which|how|are there|can you|could you|would you|will you|can we|could we|"
    r"i(?:'d| would) (?:like|love)|i want|i need|we need|we want|i'm looking|we're looking|"
    r"i am looking|looking for|need|want|any|"
    r"propose|proposez|donne|donnez|peux-tu|pouvez-vous|quelles|quels|j'aimerais|je voudrais|"
    r"dame|dime|sugiere|sugiéreme|propón|puedes|podrías|cuáles|qué|me gustaría|quiero|"
    r"gib|nenne|schlag|schlage|kannst du|können sie|welche|ich möchte|ich brauche|zeig)\b",
    re.I,
)
_NARRATIVE = re.compile(
    r"\b(?:explored|brainstormed|we've|i've|already|last|yesterday|ago|déjà|ya|schon|bereits)\b",
    re.I,
)


def _directives(text: str, scan: str, sents: list[Span]) -> list[Suggestion]:
    found: list[Suggestion] = []
    for sentence in sents:
        body = _strip_marker(scan, sentence)
        chunk = scan[body.start : sentence.end]
        if not _mentions(chunk, _KEYS):
            continue
        match = _DIRECTIVE.search(chunk)
        if match is None or re.match(r"explorer", chunk[match.start() :], re.I):
            continue
        request = _REQUEST.match(chunk.lstrip("¿¡")) or chunk.rstrip().endswith("?")
        if not request:
            continue
        if _NARRATIVE.search(chunk) or _NEGATION.search(chunk[: match.start()]):
            continue
        trigger = match.group(0).lower()
        score = 0.84 if trigger.startswith(("brainstorm", "alternative", "what are")) else 0.78
        found.extend(
            split_group(
                text,
                kind="directive",
                start=body.start,
                end=sentence.end,
                options=[
                    Option(body.start, sentence.end, _option_title(text[body.start : sentence.end]))
                ],
                confidence=score,
                description=(
                    "An open request for alternatives: each idea can grow on its own branch "
                    "instead of one long list."
                ),
                reasoning=f"Open directive '{trigger}' phrased as a request",
                divergence="high",
            )
        )
    return found
