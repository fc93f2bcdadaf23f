"""Directives: a request to produce or explore several named alternatives ("draft two
replies: one that apologizes and one that offers a coupon", "rewrite it for a child,
for a student and as a tweet", "Dame tres opciones: una divertida, una elegante…").
One suggestion per alternative asked for; the group runs from the request's verb to
the last one. An open "brainstorm some ideas" names no alternatives: no suggestion.

Structure does the work: a verb of making, then either a list after a colon or a
coordination of parallel phrases (same first word: "one … and one …", "for … , for
…", "a … version and a … version"), with a count or "versions/ways" cue.
"""

from __future__ import annotations

import re

from .option_spans import _parts
from .suggestion import Option, Suggestion, split_group
from .text import Span, _mentions, _option_title, _trimmed, _words

_MAKE = re.compile(
    r"\b(?:write|rewrite|re-write|draft|redraft|give|create|make|produce|refactor|show|compose|"
    r"generate|suggest|propose|formulate|phrase|word|translate|explain|implement|code|design|"
    r"sketch|outline|summari[sz]e|describe|prepare|plan|build|do|"
    r"écri\w*|réécri\w*|rédig\w*|donne\w*|propose\w*|montre\w*|fais|faire|formule\w*|"
    r"dar|donner|geben|dare|dar-me|escrib\w*|escríb\w*|reescrib\w*|reescríb\w*|redact\w*|redáct\w*|da|dame|dime|propón|muestr\w*|haz|hazme|formula\w*|"
    r"schreib\w*|formulier\w*|gib|zeig\w*|mach\w*|entwirf|expliqu\w*|explica\w*|explíca\w*|"
    r"erklär\w*|spiega\w*|"
    r"scriv\w*|riscriv\w*|dammi|fammi|mostra\w*|escrev\w*|reescrev\w*|dá-me)\b",
    re.I,
)
_KEYS = (
    "two",
    "three",
    "four",
    "five",
    "fünf",
    "cinq",
    "cinco",
    "2 ",
    "3 ",
    "twice",
    "version",
    "way",
    "variant",
    "option",
    "draft",
    "once",
    "one ",
    "another",
    "deux",
    "trois",
    "fois",
    "façon",
    "manière",
    "dos ",
    "tres ",
    "forma",
    "manera",
    "opcion",
    "zwei",
    "drei",
    "zweimal",
    "variante",
    "einmal",
    "due ",
    "tre ",
    "versione",
    "modi",
    "duas",
    "três",
    "for a",
    "as a",
    " une ",
    " una ",
    " eine ",
    " with ",
    " like ",
    " comme ",
    " como ",
    " wie ",
    " avec ",
    " mit ",
    " en ",
    " in ",
)
_COUNTED = re.compile(
    r"\b(?:two|three|four|five|2|3|4|5|twice|both|cinq|cinco|fünf|cinque|versions?|ways?|variants?|variations?|options?|"
    r"drafts?|takes?|flavou?rs?|tones?|styles?|deux|trois|quatre|fois|versions?|façons|manières|"
    r"dos|tres|cuatro|versiones|formas|maneras|opciones|variantes|zwei|drei|vier|zweimal|"
    r"dreimal|varianten|versionen|arten|due|tre|versioni|versione|modi|duas|três|versões)\b",
    re.I,
)
_ITEM_SPLIT = re.compile(
    r",?\s+(?:and|or|et|ou|y|e|o|und|oder)\s+(?=\S)|,\s*|;\s*",
    re.I,
)
_LEADING_OBJECT = re.compile(
    r"(?:(?:me|us|it|this|that|them|this one|le|la|les|lui|moi|nous|lo|la|me|nos|es|mir|uns|"
    r"ihn|sie|mi|ce|ça)\s+)+",
    re.I,
)
_ONE = frozenset(
    {
        *("one", "another", "once", "other", "une", "l'autre", "una", "otra", "otro", "uno"),
        *("eine", "einmal", "andere", "anderen", "altra", "altro", "outra", "outro"),
        *("second", "third", "fourth", "last", "final", "troisième", "tercera", "tercero"),
        *("dritte", "dritten", "letzte"),
    }
)
_ARTICLES = frozenset({"a", "an", "un", "ein", "einen", "the", "le", "la", "el", "der", "die"})
_RELATIVE = re.compile(r"\b(?:that|who|which|where|qui|que|dont|die|der|das|den|cui|che)\b", re.I)
_NUMBER = {
    **dict.fromkeys(("two", "2", "twice", "both", "deux", "dos", "zwei", "zweimal"), 2),
    **dict.fromkeys(("due", "duas"), 2),
    **dict.fromkeys(("three", "3", "trois", "tres", "drei", "dreimal", "tre", "três"), 3),
    **dict.fromkeys(("four", "4", "quatre", "cuatro", "vier"), 4),
    **dict.fromkeys(("five", "5", "cinq", "cinco", "fünf", "cinque"), 5),
}
_ONE_WORD = re.compile(r"\b(?:one|once|une|una|uno|eine|einmal)\b", re.I)
_PREPOSITIONS = frozenset(
    {
        *("for", "as", "in", "with", "without", "by", "via", "en", "pour", "avec", "sans"),
        *("par", "comme", "para", "con", "sin", "por", "como", "für", "als", "mit", "ohne"),
        *("per", "senza", "plus", "more", "less", "moins", "más", "mehr", "like", "wie"),
    }
)
_TAIL = re.compile(
    r"(?:^|\s+)(?:(?:so that|so the|so i|so we|so my|because|to see|to compare|para ver|"
    r"pour voir|damit|um zu|then i|and then)\b.*|(?:please|s'il te plaît|s'il vous plaît|"
    r"por favor|bitte|per favore)\W*)$",
    re.I | re.S,
)


_REQUEST_LEAD = re.compile(
    r"\b(?:kannst du|können sie|könntest du|könnten sie|bitte|peux-tu|pouvez-vous|"
    r"pourriez-vous|puedes|podrías|can you|could you|please)\b(?:\s+(?:mir|me|us|moi|nous|"
    r"uns|es|sie|ihn|das|die|den|der|dies\w*))*",
    re.I,
)
_OF_PHRASE = re.compile(
    r"\s+(?:of|for|de|du|des|für|von|del|para|di)\s+(?:[\w'-]+\s+){0,3}?[\w'-]+"
    r"(?=\s*(?:,|:|;|\s[-\u2013\u2014]\s))",
    re.I,
)
_COUNTED_COMMA = re.compile(r",\s*|\s*[:;]\s*|\s+[-\u2013\u2014]\s+")
_NEXT_WORD = re.compile(r"\s+\w+")


def _word_end(scan: str, at: int) -> int:
    """Past the word after a count ("two ways", "zwei Varianten")."""
    word = _NEXT_WORD.match(scan, at)
    return word.end() if word else at


_OXFORD_SPLIT = re.compile(r",\s*(?:(?:and|or|et|ou|y|o|und|oder|e)\s+)?|;\s*", re.I)
_ADDITIVE = re.compile(
    r"(?:(?:then|also|again|too|aussi|también|auch|anche|ensuite|luego|dann)\b\s*)*", re.I
)


def _directives(text: str, scan: str, sents: list[Span]) -> list[Suggestion]:
    found: list[Suggestion] = []
    for index, sentence in enumerate(sents):
        chunk = scan[sentence.start : sentence.end]
        if not _mentions(chunk, _KEYS):
            continue
        verb = _MAKE.search(scan, sentence.start, sentence.end)
        if verb is None:
            continue
        items = _listed(scan, verb.end(), sentence.end)
        lead = _REQUEST_LEAD.search(scan, sentence.start, verb.start())
        if items is None and lead is not None:  # "Kannst du es einmal … und einmal … formulieren?"
            items = _listed(scan, lead.end(), verb.start())
        following = sents[index + 1] if index + 1 < len(sents) else None
        if items is None and following and _ONE_WORD.match(scan, following.start):
            items = _listed(scan, following.start, following.end)  # "… schreiben? Einmal …"
        if items is None or _describes(scan, sentence.start, items[0][1], sentence.end):
            continue
        options = [Option(a, b, _option_title(text[a:b])) for a, b in items]
        found.extend(
            split_group(
                text,
                kind="directive",
                start=verb.start(),
                end=items[-1][1],
                options=options,
                confidence=0.84,
                description=(
                    "One of the alternatives asked for: produce {option} on its own branch."
                ),
                reasoning=f"Directive: '{verb.group(0).lower()}' with {len(items)} named variants",
                divergence="high",
            )
        )
    return found


_COUNT_WORD = (
    r"(?:two|three|four|five|both|2|3|4|5|deux|trois|quatre|dos|tres|cuatro|ambos|ambas|zwei|"
    r"drei|vier|beide\w*|due|tre|duas|três)"
)
_CONTENT_COUNT = re.compile(
    rf"\b(?:about|with|between|among|to|of|featuring|involving|starring|including|from|sobre|"
    rf"avec|entre|à|con|a|mit|zwischen|über|von|an|tra|fra)\s+(?:\w+\s+)?{_COUNT_WORD}\b|"
    rf"\b{_COUNT_WORD}-\w+|\b(?:serves?|feeds?|for)\s+{_COUNT_WORD}\s*[,.;)]",
    re.I,
)


def _describes(scan: str, start: int, first_end: int, end: int) -> bool:
    """Whether the phrases describe what one piece is about rather than variants of it:
    a count inside a phrase of content, up to the end of the first phrase ("a story about
    two sisters, one a pilot and one a painter", "a plan with three sessions: one for …",
    "a 3-day trip: one day for …")."""
    return bool(_CONTENT_COUNT.search(scan, start, first_end if first_end > start else end))


def _listed(scan: str, after: int, end: int) -> list[tuple[int, int]] | None:
    """The alternatives asked for after the verb: a list after a colon, or parallel
    coordinated phrases; None when there are not two of them."""
    colon = scan.find(":", after, end)
    counted = _COUNTED.search(scan, after, colon if colon != -1 else end)
    if colon == -1 and counted and counted.group(0).lower() in _NUMBER:
        # "draft it two ways, a short … and a longer …"
        noun_end = _word_end(scan, counted.end())
        of = _OF_PHRASE.match(scan, noun_end)  # "two versions of the intro, a short …"
        stop = _COUNTED_COMMA.match(scan, of.end() if of else noun_end)
        if stop is not None and stop.group(0).strip():
            colon = stop.end() - 1
    number = _NUMBER.get(counted.group(0).lower()) if counted else None
    if colon != -1 and number:  # "in three tones: grim and foreboding, whimsical, and dry"
        listed = [_cut(scan, a, b) for a, b in _parts(scan, colon + 1, end, _OXFORD_SPLIT)]
        listed = [p for p in listed if p[1] > p[0]]
        if len(listed) == number and all(len(_words(scan[a:b])) <= 8 for a, b in listed):
            return listed
    pieces = _parts(scan, colon + 1 if colon != -1 else after, end, _ITEM_SPLIT)
    pieces = [p for p in (_cut(scan, a, b) for a, b in pieces) if p[1] > p[0]]
    pieces = [(a + len(_ADDITIVE.match(scan, a).group(0)), b) for a, b in pieces]
    if len(pieces) < 2:
        return None
    if colon == -1:
        pieces[0] = _anchor(scan, pieces[0], _head(scan, *pieces[1]))
    heads = [_head(scan, a, b) for a, b in pieces]
    if colon != -1 and number == len(pieces):
        items = pieces  # "three ways: shorter, warmer and in English"
    else:
        items = []
        for (a, b), head in zip(pieces, heads, strict=True):
            clause = (
                bool(items) and scan[items[-1][1] : a].strip() == "," and _RELATIVE.fullmatch(head)
            )
            if items and (clause or not _alike(heads[0], head, scan[items[-1][0] : items[-1][1]])):
                items[-1] = (items[-1][0], b)  # "one that apologizes and offers a refund"
            else:
                items.append((a, b))
        if colon == -1 and not (
            heads[0] in _ONE | _ARTICLES or heads[0] in _PREPOSITIONS or heads[0] in _NUMBER
        ):
            return None
    one_each = (heads[0] in _ONE or heads[0] in _ARTICLES) and sum(h in _ONE for h in heads) >= 2
    nouns = {_noun(scan[a:b]) for a, b in items}
    same_noun = len(nouns) == 1 and len(next(iter(nouns))) >= 3  # "a short one, a long one"
    same_preposition = heads[0] in _PREPOSITIONS and len(set(heads[: len(items)])) == 1
    if len(items) < 2 or not (
        counted or one_each or same_noun or same_preposition or len(items) >= 3
    ):
        return None
    if any(len(_words(scan[a:b])) > 14 for a, b in items):
        return None
    return items


def _anchor(scan: str, piece: tuple[int, int], following: str) -> tuple[int, int]:
    """The first phrase starts where the next one's opener last occurs in it ("show me
    how to do it with a loop and with a comprehension"), at its last "one"/"once"
    ("write it one way that … and another that …"), or after an object pronoun ("give
    me a … version")."""
    start, end = piece
    if following in _PREPOSITIONS:
        same = list(re.finditer(rf"\b{re.escape(following)}\b", scan[start:end], re.I))
        if same:
            return (start + same[-1].start(), end)
    ones = list(_ONE_WORD.finditer(scan, start, end))
    if ones:
        return (ones[-1].start(), end)
    lead = _LEADING_OBJECT.match(scan, start, end)
    return (lead.end(), end) if lead else piece


def _noun(phrase: str) -> str:
    """The last word before the phrase's first preposition: "an optimistic scenario for
    Q3" → "scenario"."""
    words = _words(phrase)
    for index, word in enumerate(words[1:], start=1):
        if word in _PREPOSITIONS or word in ("of", "to", "on", "at", "that", "which", "de"):
            return words[index - 1]
    return words[-1] if words else ""


def _head(scan: str, start: int, end: int) -> str:
    """The phrase's first word; "a third …" opens with "third"."""
    words = _words(scan[start:end])[:2]
    if len(words) == 2 and words[0] in _ARTICLES and words[1] in _ONE:
        return words[1]
    return (words or [""])[0]


def _alike(first: str, head: str, previous: str) -> bool:
    """Whether a phrase opens like the first one: the same opener, "one … / another
    …", two prepositions ("for a child, as a tweet"), or an article after a phrase that
    is complete ("a formal one and one with humour", not "one that offers a
    replacement and a coupon")."""
    if not first or not head:
        return False
    if first == head:
        return first in _ONE | _ARTICLES | _PREPOSITIONS or first in _NUMBER
    if first in _ONE and head in _ONE:
        return True
    if first in _PREPOSITIONS and head in _PREPOSITIONS:
        return True
    openers = _ONE | _ARTICLES
    return first in openers and head in openers and not _RELATIVE.search(previous)


def _cut(scan: str, start: int, end: int) -> tuple[int, int]:
    """An alternative without the purpose clause that may trail it ("… so the team can …");
    a piece that is only such a clause ("para ver cuál …") is empty."""
    start, end = _trimmed(scan, start, end)
    if _TAIL.match(" " + scan[start:end]):
        return start, start
    tail = _TAIL.search(scan, start, end)
    return _trimmed(scan, start, tail.start() if tail else end)
