"""Directives: a request to produce or explore several named alternatives ("draft two
replies: one that apologizes and one that offers a coupon", "rewrite it for a child,
for a student and as a tweet", "Dame tres opciones: una divertida, una elegante…").
One suggestion per alternative asked for; the group runs from the request's verb to
the last one. An open "brainstorm some ideas" names no alternatives: no suggestion.

Structure does the work: a verb of making, then either a list after a colon or a
coordination of parallel phrases (same first word: "one … and one …", "for … , for
…", "using … , using …", "a … version and a … version"), with a count or
"versions/ways" cue (before the verb where it comes last: "auf drei Arten umschreiben:
…"); a verb of wanting counted in times or versions ("I'd need it twice: …") reads
the same. The thing varied set off by a comma before them is no variant, unless
"one" stands in for its noun ("a quote for …, one for …"). What that
reading misses is read as phrases that open with a determiner (or a preposition and
one), split only where the next one opens ("one version that … and one that …, and a
third …", "uno …, otro … y uno …", "eine Variante mit … und eine mit …", "une version …
et une autre …", "for a … role and for a … role"), after a verb of making or wanting; a
pronoun, a contrast, a count or a word such as "version" must show they are versions of
one thing, not several things ("a summary and a title"), nor what one piece holds ("a
budget with one column for … and another for …"). Also read: the list lines under a
request that names variants ("in two flavours?" then "- a minimal one", "- a go-big
one") or whose lines each stand in for the thing ("- one for LinkedIn"), the adjectives
of one plural noun ("formal and casual versions"), variants named by labels ("Version A
should …, version B …"), variants in order in the sentence after the request ("First in
…, then in …"), and two described things followed by a question of which one. A verb is
a request only where it is not a noun ("my annual plan") nor a statement ("je fais des
portraits").
"""

from __future__ import annotations

import itertools
import re

from .option_spans import _parts
from .suggestion import Suggestion, split_group, titled
from .text import (
    Span,
    _factored,
    _Folding,
    _Keyed,
    _matches_at_keys,
    _Searcher,
    _skip,
    _trimmed,
    _words,
)

_MAKE = re.compile(
    r"\b(?:write|rewrite|re-write|draft|redraft|give|create|make|produce|refactor|show|compose|"
    r"generate|suggest|propose|formulate|phrase|word|translate|explain|implement|code|design|"
    r"sketch|outline|summari[sz]e|describe|prepare|plan|build|do|calculate|compute|"
    r"calcul\w*|berechn\w*|kalkulier\w*|"
    r"écri\w*|réécri\w*|rédig\w*|donne\w*|propose\w*|montre\w*|fais|faire|formule\w*|prépar\w*|"
    r"prepar\w*|prepár\w*|"
    r"dar|donner|geben|dare|dar-me|escrib\w*|escríb\w*|reescrib\w*|reescríb\w*|redact\w*|redáct\w*|da|dame|dime|propón|muestr\w*|haz|hazme|formula\w*|"
    r"schreib\w*|formulier\w*|umschreib\w*|umformulier\w*|ausformulier\w*|gib|zeig\w*|mach\w*|"
    r"entwirf|expliqu\w*|explica\w*|explíca\w*|"
    r"erklär\w*|spiega\w*|übersetz\w*|tradui\w*|traduc\w*|tradúc\w*|"
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
    "ones",
    "using",
    "usando",
    " als ",
    " au ",
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
    " into ",
    "and for ",
    "et pour ",
    "y para ",
    "und für ",
    "und auf ",
)
_COUNTED = _Folding(
    re.compile(
        r"\b(?:two|three|four|five|2|3|4|5|twice|both|cinq|cinco|fünf|cinque|versions?|ways?|variants?|variations?|options?|"
        r"drafts?|takes?|flavou?rs?|tones?|styles?|deux|trois|quatre|fois|versions?|façons|manières|"
        r"dos|tres|cuatro|versiones|formas|maneras|opciones|variantes|zwei|drei|vier|zweimal|"
        r"dreimal|varianten|versionen|arten|due|tre|versioni|versione|modi|duas|três|versões)\b",
        re.I,
    )
)
_ITEM_SPLIT = _Folding(
    re.compile(
        r",?\s+(?:and|or|et|ou|y|e|o|und|oder)\s+(?=\S)|,\s*|;\s*",
        re.I,
    )
)
_LEADING_OBJECT = re.compile(
    r"(?:(?:me|us|it|this|that|them|this one|le|la|les|lui|moi|nous|lo|la|me|nos|es|mir|uns|"
    r"ihn|sie|mi|ce|ça)\s+)+",
    re.I,
)
_ONE = frozenset(
    {
        *("one", "another", "once", "other", "une", "l'autre", "una", "otra", "otro", "uno"),
        *("eine", "eines", "einer", "eins", "einmal", "andere", "anderen", "altra", "altro"),
        *("outra", "outro"),
        *("second", "third", "fourth", "last", "final", "troisième", "tercera", "tercero"),
        *("dritte", "dritten", "letzte"),
    }
)
_ARTICLES = frozenset({"a", "an", "un", "ein", "einen", "the", "le", "la", "el", "der", "die"})
_RELATIVE = re.compile(
    r"\b(?:that|who|which|where|when|qui|que|dont|où|quand|donde|cuando|die|der|das|den|wo|cui|che)\b",
    re.I,
)
_NUMBER = {
    **dict.fromkeys(("two", "2", "twice", "both", "deux", "dos", "zwei", "zweimal"), 2),
    **dict.fromkeys(("due", "duas"), 2),
    **dict.fromkeys(("three", "3", "trois", "tres", "drei", "dreimal", "tre", "três"), 3),
    **dict.fromkeys(("four", "4", "quatre", "cuatro", "vier"), 4),
    **dict.fromkeys(("five", "5", "cinq", "cinco", "fünf", "cinque"), 5),
}
_ONE_WORD = re.compile(r"\b(?:one|once|une|una|uno|eine|eines|einer|eins|einmal)\b", re.I)
# a sentence that lists variants in order: "First …, then …", "D'abord …, puis …"
_FIRST = re.compile(r"(?:first|firstly|d'abord|d\u2019abord|primero|zuerst|erst)\b,?\s*", re.I)
_PREPOSITIONS = frozenset(
    {
        *("for", "as", "in", "into", "with", "without", "by", "via", "en", "pour", "avec"),
        *("sans", "auf"),
        *("par", "comme", "para", "con", "sin", "por", "como", "für", "als", "mit", "ohne"),
        *("per", "senza", "plus", "more", "less", "moins", "más", "mehr", "like", "wie"),
        *("using", "usando"),
    }
)
_TAIL = _Folding(
    re.compile(
        r"(?:^|\s+)(?:(?:so that|so the|so i|so we|so my|because|to see|to compare|para ver|"
        r"pour que|para que|pour voir|damit|um zu|then i|and then)\b.*|"
        r"(?:please|s'il te plaît|s'il vous plaît|por favor|bitte|per favore)\W*)$",
        re.I | re.S,
    )
)


_MAKE_SCAN = _Folding(_MAKE)  # the same matches, found faster
_REQUEST_LEAD = _Folding(
    re.compile(
        r"\b(?:kannst du|können sie|könntest du|könnten sie|würdest du|würden sie|bitte|peux-tu|"
        r"pouvez-vous|pourriez-vous|puedes|podrías|can you|could you|would you|please|"
        r"help me|m'aider à|m'aides à|aide-moi à|me ayudas a|ayudarme a|ayúdame a|hilf mir|"
        r"hilfst du mir)\b"
        r"(?:\s+(?:mir|me|us|moi|nous|"
        r"uns|es|sie|ihn|das|die|den|der|dies\w*))*",
        re.I,
    )
)
_OF_PHRASE = re.compile(  # "two versions of the intro", "three times over for new staff"
    r"(?:\s+[^\W\d_]+)??\s+(?:of|for|de|du|des|für|von|del|para|di)\s+(?:[\w'-]+\s+){0,3}?[\w'-]+"
    r"(?=\s*(?:,|:|;|\s[-\u2013\u2014]\s))",
    re.I,
)
_COUNTED_COMMA = re.compile(r",\s*|\s*[:;]\s*|\s+[-\u2013\u2014]\s+")
_NEXT_WORD = re.compile(r"\s+\w+")


# a verb that hands over or asks for a thing that exists already
_DELIVER = _Folding(
    re.compile(
        r"\b(?:send|resend|need|want|would like|'d like|envoie\w*|renvoie\w*|envoy\w*|"
        r"renvoy\w*|besoin|voudr\w*|envía\w*|envia\w*|manda\w*|mánda\w*|necesit\w*|"
        r"quier\w*|schick\w*|brauch\w*|bräucht\w*|hätte gern\w*)\b",
        re.I,
    )
)
# a form: "as a PDF", "au format X", or "in"/"en" with no article ("in English", "en
# PDF"; "in the kitchen" is a place)
_FORM = (
    r"(?:(?:as|au|aux|als|como)\s+|(?:in|en|im)\s+(?!(?:the|a|an|la|le|les|el|los|las|un|une|"
    r"una|der|die|das|den|dem|einem|einer)\b))[^,.;:?!]{1,40}?"
)
# "the report as a PDF and as a spreadsheet", "la facture en PDF et au format X"
_IN_TWO_FORMS = re.compile(
    rf"(?:-(?:moi|nous|lui)\b)?\s+(?P<object>(?:(?:me|moi|mir|uns|nos|nous|us)\s+)?"
    rf"(?:the|this|that|it|le|la|les|l'|ce|cette|el|la|lo|los|este|esta|das|den|die|dies\w*|"
    rf"es)\b[^,.;:?!]{{0,60}}?)\s+"
    rf"(?P<first>{_FORM})\s+(?:and|et|y|und|e)\s+(?P<second>{_FORM})(?=\s*(?:[,.;:?!]|$))",
    re.I,
)


_FORM_PAIR = _Folding(re.compile(r" (?:and|et|y|und|e) (?:as|in|en|au|aux|als|im|como) ", re.I))


def _in_two_forms(text: str, scan: str, sentence: Span) -> list[Suggestion]:
    """One thing that exists asked for in two forms after a verb of sending or needing
    ("send the report as a PDF and as a spreadsheet", "necesito el texto en español y
    en inglés"): one suggestion per form. A thing without a determiner ("help in maths
    and in physics") is no such thing."""
    if not _FORM_PAIR.search(scan, sentence.start, sentence.end):
        return []
    verb = _request_verb(_DELIVER, scan, sentence.start, sentence.end)
    if verb is None:
        return []
    match = _IN_TWO_FORMS.match(scan, verb.end(), sentence.end)
    if match is None:
        return []
    items = [_trimmed(scan, *match.span("first")), _trimmed(scan, *match.span("second"))]
    return _variant_group(text, verb.start(), items, "form")


def _wanted_count(scan: str, sentence: Span) -> tuple[re.Match[str], int] | None:
    """A verb of wanting whose thing is counted in times or in versions, then listed
    after a colon ("I'd need it twice: …", "Ich bräuchte es zweimal: …", "two versions:
    …"): the listed phrases are variants of one thing, as after a verb of making; not
    "we need two things: …". The verb, and how many variants the count says."""
    colon = scan.find(":", sentence.start, sentence.end)
    if colon == -1 or not _COUNTED.search(scan, sentence.start, colon):
        return None
    verb = _request_verb(_ASK, scan, sentence.start, colon, nearest=True)
    if verb is None or not _WANTING.match(verb.group(0)):
        return None
    count = _COUNTED.search(scan, verb.end(), colon)
    if count is None or count.group(0).lower() not in _NUMBER:
        return None
    number = _NUMBER[count.group(0).lower()]
    if _FREQUENCY.match(scan, _skip(_TIMES_WORD, scan, count.end()), colon):
        return None  # "twice a week: on Monday and …" counts occasions
    times = count.group(0).lower() in _TIMES or _TIMES_AFTER.match(scan, count.end(), colon)
    return (verb, number) if times or _COUNTED_VARIANTS.match(scan, count.end(), colon) else None


# "two times", "deux fois", "dos veces": a count of the same thing ("two things" is not)
_TIMES_AFTER = re.compile(r"\s+(?:times|fois|veces|mal)\b", re.I)
_TIMES_WORD = re.compile(r"(?:\s+(?:times|fois|veces|mal)\b)?", re.I)
# when a thing is needed, not in which form: "I need the room twice: once in May and …"
_WHEN = _Folding(
    re.compile(
        r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|"
        r"april|may|june|july|august|september|october|november|december|today|tomorrow|"
        r"tonight|morning|afternoon|evening|night|week|weekend|"
        r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|janvier|février|mars|avril|mai|"
        r"juin|juillet|août|septembre|octobre|novembre|décembre|aujourd'hui|demain|matin|soir|"
        r"semaine|lunes|martes|miércoles|jueves|viernes|sábado|domingo|enero|febrero|marzo|"
        r"abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|hoy|mañana|"
        r"tarde|noche|semana|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|"
        r"januar|februar|märz|juni|juli|oktober|dezember|heute|morgen|abend|nacht|woche)\b",
        re.I,
    )
)
# "twice a week", "deux fois par mois", "dos veces al año", "zweimal pro Woche"
_FREQUENCY = re.compile(
    r"\s+(?:a|an|per|every|par|chaque|al|a la|por|cada|pro|im|in der|am)\s", re.I
)


def _word_end(scan: str, count: re.Match[str]) -> int | None:
    """Past the word after a count ("two ways", "zwei Varianten"), or the count itself if
    it needs none ("twice"); None when a number counts nothing ("like I'm five, …")."""
    word = _NEXT_WORD.match(scan, count.end())
    if word:
        return word.end()
    return count.end() if count.group(0).lower() in _TIMES else None


_TIMES = frozenset({"twice", "zweimal", "dreimal"})


_OXFORD_SPLIT = re.compile(r",\s*(?:(?:and|or|et|ou|y|o|und|oder|e)\s+)?|;\s*", re.I)
_ADDITIVE = re.compile(
    r"(?:(?:then|also|again|too|aussi|puis|también|auch|anche|ensuite|luego|dann)\b\s*)*", re.I
)


def _directives(text: str, scan: str, sents: list[Span]) -> list[Suggestion]:
    found: list[Suggestion] = []
    keyed = _Keyed(scan, _KEYS)
    for index, sentence in enumerate(sents):
        following = sents[index + 1] if index + 1 < len(sents) else None
        if not keyed.within(sentence.start, sentence.end) and not (
            following is not None
            and keyed.within(following.start, following.end)
            and _opens_following(scan, sentence, following.start)
        ):
            continue  # the variants may come in the sentence after the request
        items = _made_variants(text, scan, sentence, following)
        found.extend(items or _in_two_forms(text, scan, sentence))
    return found + _variant_sets(text, scan, sents, found)


def _made_variants(
    text: str, scan: str, sentence: Span, following: Span | None
) -> list[Suggestion]:
    """The variants a verb of making (or of wanting, counted) names in its sentence, or
    in the one after it."""
    verb = _request_verb(_MAKE_SCAN, scan, sentence.start, sentence.end)
    wanted = _wanted_count(scan, sentence) if verb is None else None
    if wanted is not None:
        verb = wanted[0]
    if verb is None:
        return []
    items = _listed(scan, verb.end(), sentence.end, sentence.start)
    lead = _REQUEST_LEAD.search(scan, sentence.start, verb.start())
    if items is None and lead is not None:  # "Kannst du es einmal … und einmal … formulieren?"
        items = _listed(scan, lead.end(), verb.start())
    if items is None and following and _opens_following(scan, sentence, following.start):
        count = _COUNTED.search(scan, sentence.start, sentence.end)
        items = _listed(  # "… schreiben? Einmal …", "Tu m'en fais deux ? Un … et un …"
            scan, following.start, following.end, counted_before=count is not None
        )
        if items and any(_PERSONAL.intersection(_words(scan[a:b])) for a, b in items):
            items = None  # "… two posts? A friend asked me for them and …": a clause
    if items is None and following and (first := _FIRST.match(scan, following.start)):
        items = _listed(scan, first.end(), following.end)  # "… two ways? First in …, then …"
    if items is None or _describes(scan, sentence.start, items[0][1], sentence.end):
        return []
    if wanted is not None and (
        len(items) != wanted[1] or any(_WHEN.search(scan, a, b) for a, b in items)
    ):
        return []  # "three scenarios: a cautious one and a bold one", "twice: today and …"
    if _content_before(scan, verb.end(), items[0][0]) and not _each_a_version(scan, items):
        return []
    if any(_CLAUSE.match(scan, a, b) for a, b in items) or _lists_contents(scan, verb.end(), items):
        return []  # "one of them is leaving and another is unhappy"
    options = titled(text, items)
    return split_group(
        text,
        kind="directive",
        start=min(verb.start(), items[0][0]),  # the verb may come last
        end=max(items[-1][1], verb.end()),
        options=options,
        confidence=0.84,
        description="One of the alternatives asked for: produce {option} on its own branch.",
        reasoning=f"Directive: '{verb.group(0).lower()}' with {len(items)} named variants",
        divergence="high",
    )


# a person in a phrase makes it a clause of its own, not a variant asked for
_PERSONAL = frozenset(
    {
        *("i", "me", "we", "us", "he", "him", "she", "her", "they", "them", "it"),
        *("je", "moi", "il", "elle", "ils", "elles", "lui", "leur", "yo", "él", "ella"),
        *("ellos", "nosotros", "ich", "mich", "mir", "er", "ihm", "ihn", "wir", "uns"),
    }
)
_ARTICLE_OPENER = re.compile(r"(?:an?|un|ein|einen)\b", re.I)


def _opens_following(scan: str, sentence: Span, at: int) -> bool:
    """Whether the sentence at ``at`` opens on the first of the variants the request
    before it asks for: "one"/"once", or an article when the request counts them ("Tu
    m'en fais deux ? Un sobre … et un drôle …")."""
    if _ONE_WORD.match(scan, at):
        return True
    if not _ARTICLE_OPENER.match(scan, at):
        return False
    counted = _COUNTED.search(scan, sentence.start, sentence.end)
    return counted is not None and counted.group(0).lower() in _NUMBER


_COUNT_WORD = (
    r"(?:two|three|four|five|both|2|3|4|5|deux|trois|quatre|dos|tres|cuatro|ambos|ambas|zwei|"
    r"drei|vier|beide\w*|due|tre|duas|três)"
)
# an age ("a five-year-old") says who a variant is for, not what a piece holds
_NOT_AN_AGE = r"(?!-years?-olds?\b)"
_CONTENT_COUNT = re.compile(
    rf"\b(?:about|with|between|among|to|of|featuring|involving|starring|including|from|sobre|"
    rf"avec|entre|à|con|a|mit|zwischen|über|von|an|tra|fra)\s+(?:\w+\s+)?{_COUNT_WORD}\b"
    rf"{_NOT_AN_AGE}|\b{_COUNT_WORD}{_NOT_AN_AGE}-\w+|"
    rf"\b(?:serves?|feeds?|for)\s+{_COUNT_WORD}\s*[,.;)]",
    re.I,
)


_FOR_A_COUNT = re.compile(r"\b(?:for|pour|para|für)\s+$", re.I)


def _describes(scan: str, start: int, first_end: int, end: int) -> bool:
    """Whether the phrases describe what one piece is about rather than variants of it:
    a count inside a phrase of content, up to the end of the first phrase ("a story about
    two sisters, one a pilot and one a painter", "a plan with three sessions: one for …",
    "a 3-day trip: one day for …")."""
    end = first_end if first_end > start else end
    return any(
        not _COUNTED_VARIANTS.match(scan, count.end())
        for count in _CONTENT_COUNT.finditer(scan, start, end)
    )


def _listed(
    scan: str,
    after: int,
    end: int,
    clause_start: int | None = None,
    *,
    counted_before: bool = False,
) -> list[tuple[int, int]] | None:
    """The alternatives asked for after the verb: a list after a colon, or parallel
    coordinated phrases; None when there are not two of them. ``clause_start``: where the
    verb's clause starts, for a count that comes before a verb that comes last ("auf
    drei Arten umschreiben: …"); ``counted_before``: the request before these phrases
    counted them ("two posts? …")."""
    colon = scan.find(":", after, end)
    if colon != -1 and not _words(scan[colon + 1 : end]):
        colon = -1  # "… for TikTok and for LinkedIn:" then the text to rewrite
    if clause_start is not None and colon != -1 and not scan[after:colon].strip():
        counted = _COUNTED.search(scan, clause_start, after)  # the verb comes last
    else:
        counted = _COUNTED.search(scan, after, colon if colon != -1 else end)
    noun_end = _word_end(scan, counted) if counted else None
    if (
        colon == -1
        and noun_end
        and counted
        and counted.group(0).lower() in _NUMBER
        and not _FOR_A_COUNT.search(scan, after, counted.start())
    ):
        # "draft it two ways, a short … and a longer …"; not "a menu for two people, one
        # for six …", whose count says whom the first one serves
        of = _OF_PHRASE.match(scan, noun_end)  # "two versions of the intro, a short …"
        stop = _COUNTED_COMMA.match(scan, of.end() if of else noun_end)
        if stop is not None and stop.group(0).strip():
            colon = stop.end() - 1
    number = _NUMBER.get(counted.group(0).lower()) if counted else None
    if colon != -1 and number:  # "in three tones: grim and foreboding, whimsical, and dry"
        # split at commas, or also at a bare "and": "en deux versions : courte et longue"
        for_all = _FOR_ALL_TAIL.search(scan, colon + 1, end)
        end = for_all.start() if for_all else end  # "…: one …, another …, both short"
        flat = _unbracketed(scan, colon + 1, end)  # "(two rooms, a terrace, …)" is one aside
        for splitter in (_OXFORD_SPLIT, _ADJECTIVE_SPLIT):
            listed = [_cut(scan, a, b) for a, b in _parts(flat, colon + 1, end, splitter)]
            listed = _without_own_clause([p for p in listed if p[1] > p[0]], scan)
            if len(listed) == number and all(
                len(_words(scan[a:b])) <= _longest_listed(scan, listed) for a, b in listed
            ):
                return listed
    plural = _PLURAL_VARIANTS.search(scan, after, colon) if colon != -1 else None
    if plural and not number and not _of_things_that_exist(scan, after, plural.start()):
        short = _short_list(scan, colon + 1, end)  # "give me options: formal, friendly, …"
        if short:
            return short
    pieces = _parts(scan, colon + 1 if colon != -1 else after, end, _ITEM_SPLIT)
    pieces = [p for p in (_cut(scan, a, b) for a, b in pieces) if p[1] > p[0]]
    pieces = [(_skip(_ADDITIVE, scan, a), b) for a, b in pieces]
    if len(pieces) > 1 and _purpose_after(scan, pieces[-2][1], *pieces[-1]):
        pieces = pieces[:-1]  # "in PCRE and in POSIX ERE, for matching dates"
    if len(pieces) < 2:
        return None
    if (pairs := _pairs(scan, pieces)) is not None:
        return pairs
    if colon == -1 and _thing_then_variants(scan, pieces):
        pieces = pieces[1:]  # "the message for the parents, in a short … and in a long …"
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
    if len(items) >= 3 and _names_the_thing(scan, items, heads):
        items, heads = items[1:], heads[1:]  # "Rewrite the intro, once as … and once as …"
    if number and counted and len(items) > number and _counts_variants(scan, counted):
        items = _as_counted(items, number)
    one_each = (heads[0] in _ONE or heads[0] in _ARTICLES) and sum(h in _ONE for h in heads) >= 2
    nouns = {_noun(scan[a:b]) for a, b in items}
    same_noun = len(nouns) == 1 and len(next(iter(nouns))) >= 3  # "a short one, a long one"
    item_heads = {_head(scan, a, b) for a, b in items}
    same_preposition = heads[0] in _PREPOSITIONS and len(item_heads) == 1
    if len(items) < 2 or not (
        counted or counted_before or one_each or same_noun or same_preposition or len(items) >= 3
    ):
        return None
    items[-1] = _last_variant(scan, *items[-1], 14)
    if any(len(_words(scan[a:b])) > 14 for a, b in items):
        return None
    return items


_AND = re.compile(r",?\s+(?:and|et|y|e|und)\s+", re.I)
_COMMA = re.compile(r",\s+")


def _pairs(scan: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]] | None:
    """ "for the lobby, in a formal tone, and as a chat message, more relaxed": one "and"
    between two halves, each a variant and what is said of it after a comma (a list
    has its "and" before its last item, and its items open alike)."""
    if len(pieces) != 4:
        return None
    between = [scan[a[1] : b[0]] for a, b in itertools.pairwise(pieces)]
    if not (_COMMA.fullmatch(between[0]) and _AND.fullmatch(between[1])):
        return None
    if not _COMMA.fullmatch(between[2]) or _first_word(scan, pieces[3][0]) in _SUBJECTS:
        return None  # "…, and B, I'd say": a clause of its own, no half of a pair
    if {_head(scan, *pieces[1]), _head(scan, *pieces[3])} & (_ONE | _ARTICLES):
        return None  # "A, one that …, and a cheap, word-of-mouth one": variants, no pairs
    if _head(scan, *pieces[1]) == _head(scan, *pieces[2]):
        return None  # "in English, in French, and in German, if you can"
    first = _anchor(scan, pieces[0], _head(scan, *pieces[2]))
    pairs = [(first[0], pieces[1][1]), (pieces[2][0], pieces[3][1])]
    return pairs if all(len(_words(scan[a:b])) <= 14 for a, b in pairs) else None


def _counts_variants(scan: str, counted: re.Match[str]) -> bool:
    """Whether a count is of the variants ("two versions", "deux fois"), not of what one
    holds ("only two lines") or whom it serves ("a menu for two people")."""
    return bool(
        _COUNTED_VARIANTS.match(scan, counted.end()) or _TIMES_AFTER.match(scan, counted.end())
    )


def _as_counted(items: list[tuple[int, int]], number: int) -> list[tuple[int, int]]:
    """As many variants as the request counts ("two versions: a short one …, and a
    detailed one with the context and the plan"): what is split past the count belongs
    to the last one."""
    return [*items[: number - 1], (items[number - 1][0], items[-1][1])]


# what a request is for, set off by a comma after its variants: "for matching …",
# "pour vérifier …", "para comprobar …", "um … zu …"
_PURPOSE = re.compile(
    r"(?:for\s+[^\W\d_]+ing|pour\s+(?:(?:lui|leur|le|la|les|me|te|se|nous|vous|y|en)\s+)?"
    r"[^\W\d_]+(?:er|ir|re)|para\s+[^\W\d_]+(?:ar|er|ir)(?:le|les|lo|la|los|las|me|te|se|nos)?|"
    r"um\s+.+\szu\s+[^\W\d_]+)\b",
    re.I,
)


def _purpose_after(scan: str, previous_end: int, start: int, end: int) -> bool:
    """Whether the last piece, after a comma, says what the variants are for rather
    than naming one ("… in PCRE and in POSIX ERE, for matching dates")."""
    return scan[previous_end:start].strip() == "," and bool(_PURPOSE.match(scan, start, end))


_BRACKETED = re.compile(r"\([^()]*\)")


def _unbracketed(scan: str, start: int, end: int) -> str:
    """``scan`` with what brackets hold between ``start`` and ``end`` blanked, its
    offsets kept: the commas of an aside split no list."""
    if "(" not in scan[start:end]:
        return scan
    inner = _BRACKETED.sub(lambda m: " " * len(m.group(0)), scan[start:end])
    return scan[:start] + inner + scan[end:]


def _without_own_clause(listed: list[tuple[int, int]], scan: str) -> list[tuple[int, int]]:
    """The listed pieces without a last one that is a clause of its own, with its subject
    ("…: a friendly version and a firmer one, I'll pick by mood", "je choisirai …")."""
    if len(listed) > 1 and _first_word(scan, listed[-1][0]) in _SUBJECTS | _OWN_SUBJECTS:
        return listed[:-1]
    return listed


_OWN_SUBJECTS = frozenset({"i'll", "i'd", "we'll", "j'en", "je", "tu", "you", "on"})


def _thing_then_variants(scan: str, pieces: list[tuple[int, int]]) -> bool:
    """Whether the first piece names the thing varied, set off by a comma before
    phrases that open alike with a preposition or "one" ("el mensaje para los padres,
    en versión corta y en versión larga"): it holds no variant, neither one that opens
    with the same word further in ("the notice as a banner, as an email …") nor one
    that "one" stands in for ("a quote for a month, one for a year")."""
    if len(pieces) < 3 or scan[pieces[0][1] : pieces[1][0]].strip() != ",":
        return False
    heads = [_head(scan, a, b) for a, b in pieces]
    opener = heads[1]
    if (opener not in _PREPOSITIONS and opener not in _ONE) or opener not in heads[2:]:
        return False
    if _RELATIVE.match(scan, _skip(_OPENER_WORDS, scan, pieces[1][0])):
        return False  # "…, in which I ask …, and in which I mention …": what it holds
    if opener in _words(scan[pieces[0][0] : pieces[0][1]]):
        return False
    return not _framed_alike(scan, pieces[0], pieces[1][0])


_OPENER_WORDS = re.compile(r"(?:[^\W\d_]+\s+)?")


def _longest_listed(scan: str, listed: list[tuple[int, int]]) -> int:
    """How long a counted variant after a colon may be: short, unless each one opens
    the same way ("three ways: one that …, one that …, and one that …")."""
    heads = {_head(scan, a, b) for a, b in listed}
    return 20 if len(heads) == 1 and heads <= _ONE | _PREPOSITIONS else 8


def _of_things_that_exist(scan: str, start: int, noun: int) -> bool:
    """Whether a definite determiner opens the noun phrase before ``noun`` ("the settings
    options", "my draft options"): those are there already, not asked for."""
    words = _words(scan[start:noun])[-3:]
    return any(w in _DEFINITE for w in words)


def _short_list(scan: str, start: int, end: int) -> list[tuple[int, int]] | None:
    """Two to five short phrases, split by commas and a last "and"/"or", that open with
    the same word or are a word or two each ("formal, friendly, and super brief",
    "something punchy, something formal, and something with an emoji"); not clauses."""
    listed = [_cut(scan, a, b) for a, b in _parts(scan, start, end, _ADJECTIVE_SPLIT)]
    listed = [p for p in listed if p[1] > p[0]]
    words = [_words(scan[a:b]) for a, b in listed]
    if not 2 <= len(listed) <= 5 or any(not w or len(w) > 6 for w in words):
        return None
    if any(w[0] in _NOT_BEFORE_A_REQUEST for w in words):
        return None  # "options: I fly on Monday, we …"
    if len({w[0] for w in words}) == 1 or all(len(w) <= 2 for w in words):
        return listed
    return None


def _names_the_thing(scan: str, items: list[tuple[int, int]], heads: list[str]) -> bool:
    """Whether the first phrase is the thing varied, set off by a comma before the
    variants that each open with "one"/"once" ("the intro, once as a question and once
    as a claim")."""
    rest = heads[1 : len(items)]
    comma = scan[items[0][1] : items[1][0]].strip() == ","
    if not (comma and heads[0] not in _ONE and all(h in _ONE for h in rest)):
        return False
    return not _framed_alike(scan, items[0], items[1][0])


_OF_BEFORE = re.compile(r"(?:\b(?:of|de|von)\s+|\bd['\u2019])$", re.I)


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
    ones = [  # not a count inside the phrase: "a version of one line", "d'une phrase"
        one
        for one in _ONE_WORD.finditer(scan, start, end)
        if not _OF_BEFORE.search(scan, max(start, one.start() - 6), one.start())
    ]
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


_COMPOUND_HEAD = re.compile(r"\s*([^\W\d_]+-[\w-]+)")


def _head(scan: str, start: int, end: int) -> str:
    """The phrase's first word; "a third …" opens with "third"; a compound ("last-name
    basis") opens with the whole compound, no ordinal."""
    compound = _COMPOUND_HEAD.match(scan, start, end)
    if compound is not None:
        return compound.group(1).lower()
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


# Variants named as parallel determiner-headed phrases ("one version that … and one that
# …", "uno divertido, otro elegante y uno con urgencia", "eine Variante mit … und eine mit
# …"): the coordination is split only where the next phrase opens with a determiner, so
# "elegante y minimalista" or "reliability and reviews" stay inside one variant.
_OPENER = (
    r"(?:one|another|the other|a|an|uno|una|un|otro|otra|el otro|la otra|une|une autre|"
    r"l'autre|l\u2019autre|ein|eine|einen|eines|einer|eins|einmal|die andere|der andere|"
    r"das andere|"
    r"l'une|l\u2019une|l'un|l\u2019un|the first|the second|the third|the last|la primera|"
    r"la segunda|el primero|el segundo|la première|la seconde|la deuxième|le premier|"
    r"le second|le deuxième|die erste|die zweite|der erste|der zweite)"
)
_OPENER_WORD = _factored(re.compile(rf"\b{_OPENER}\b", re.I))
_FILLER = (
    r"(?:(?:then|also|maybe|finally|lastly|additionally|zwar|nämlich|namely|aussi|enfin|"
    r"también|además|luego|auch|dann|zusätzlich|noch)\s+)*"
)
# "for a beginner and for an expert": the preposition opens the next phrase.
_PREPOSITION = (
    r"(?:(?P<prep>for|with|as|in|without|para|con|sin|como|pour|avec|sans|comme|für|mit|ohne|"
    r"als)\s+)?"
)
# Two patterns, each with a literal first character, scan faster than one; they search
# the whole message, on its lower-cased copy (``_Folding``), several times faster.
_COORDINATED = (
    _Folding(
        re.compile(
            rf",\s*(?:(?:and|or|y|o|et|ou|und|oder|e)\s+)?{_FILLER}{_PREPOSITION}(?={_OPENER}\b)",
            re.I,
        )
    ),
    _Folding(re.compile(rf" (?:and|y|et|und|e)\s+{_FILLER}{_PREPOSITION}(?={_OPENER}\b)", re.I)),
)
# A request that names what it wants: a verb of making or a verb of wanting.
_ASK = _Folding(
    re.compile(
        r"\b(?:write|rewrite|draft|give|create|make|produce|compose|generate|suggest|propose|"
        r"prepare|plan|build|design|develop|sketch|outline|come up with|put together|get|"
        r"do|redo|show|rephrase|reword|rework|tailor|adapt|mock up|draw up|lay out|map out|"
        r"provide|craft|offer|send|pitch|translate|explain|love|looking for|calculate|compute|"
        r"calcul\w*|berechn\w*|kalkulier\w*|"
        r"fournis\w*|envoie\w*|proporcion\w*|envía\w*|envia\w*|liefer\w*|schick\w*|"
        r"need|want|would like|'d like|"
        "\u2019d like|"
        r"écri\w*|rédig\w*|donne\w*|propos\w*|prépar\w*|fais|faire|cré\w*|élabor\w*|"
        r"développ\w*|voudr\w*|aimerai\w*|aimerions|il me faut|il me faudrait|besoin|"
        r"imagin\w*|montre\w*|"
        r"escrib\w*|escríb\w*|redact\w*|redáct\w*|dame|da|danos|propon\w*|propón\w*|prepar\w*|"
        r"prepár\w*|haz|hazme|cre\w*|elabor\w*|diseñ\w*|necesit\w*|quier\w*|quer\w*|"
        r"quisiera\w*|gustaría|"
        r"muéstr\w*|muestr\w*|plante\w*|arm\w*|hacer|hacerme|hacernos|"
        r"schreib\w*|formulier\w*|umschreib\w*|umformulier\w*|gib|mach\w*|erstell\w*|entwirf|"
        r"entwerf\w*|entwickl\w*|"
        r"brauch\w*|bräucht\w*|möchte\w*|hätte gern\w*|zeig\w*|skizzier\w*|plan\w*|"
        r"bereite\w*|stell\w*)\b",
        re.I,
    )
)
_APPOSITION = re.compile(
    r":\s|\s[-\u2013\u2014]\s|,?\s*\b(?:und zwar|nämlich|namely|i\.e\.|es decir|à savoir|"
    r"c'est-à-dire)\b",
    re.I,
)
_RELATIVE_WORD = re.compile(
    r"\b(?:that|who|which|where|whose|qui|que|où|dont|donde|cuyo|wo|dass)\b", re.I
)
# A phrase stands for a variant, not a thing, when a pronoun stands for the thing varied
# ("one with …", "a formal one", "eine mit …", "uno corto") or it sets itself against
# another ("another …", "otro …", "einmal …", "a third …").
_CONTRAST = re.compile(
    r"(?:another|otro|otra|une autre|un autre|einmal|eine andere|einen anderen|ein anderes|"
    r"(?:an|une|una|eine)\s+(?:alternative|alternativa)|"
    r"(?:a|an|una|une|eine|ein|un)\s+(?:second|third|fourth|fifth|final|last|segunda|"
    r"segundo|tercera|tercero|cuarta|cuarto|deuxième|troisième|quatrième|zweite|dritte|"
    r"vierte|letzte))\b",
    re.I,
)
# "the other", "the second": set against a first phrase that opens with "one", "the first"
_PAIRED = re.compile(
    r"(?:the other|el otro|la otra|l'autre|l\u2019autre|die andere|der andere|das andere|"
    r"(?:the|la|el|le|die|der)\s+(?:second|third|last|segunda|segundo|seconde|deuxième|"
    r"zweite))\b",
    re.I,
)
_PAIR_OPENER = re.compile(
    r"(?:one|uno|una|l'une?|l\u2019une?|eine|eines|einer|einmal|the first|la primera|el primero|"
    r"la première|le premier|die erste|der erste)\b",
    re.I,
)
_STAND_IN = re.compile(
    r"(?:uno\b|(?:one|una|une|eine|ein|einen|eines|einer|un)\s+(?:with|for|that|which|where|who|"
    r"in|as|con|"
    r"para|que|donde|en|como|avec|pour|qui|où|comme|mit|für|die|der|das|als|wo)\b"
    r"|(?:a|an)\s+(?:[\w-]+,?\s+){1,4}one\b)",
    re.I,
)
# German writes nouns with a capital: "eine humorvolle mit …" leaves its noun out.
_ELLIPTIC = re.compile(r"[Ee]ine?n?\s+[a-zäöüß][\w-]*(?=\s*(?:,|$)|\s+(?:mit|für|ohne|als|die)\b)")
_VARIANT_WORDS = (
    r"versions?|variants?|variations?|take|drafts?|tones?|styles?|flavou?rs?|"
    r"scenarios?|options?|alternatives?|proposals?|concepts?|lengths?|"
    r"versión|versiones|variantes?|propuestas?|opciones|opción|escenarios?|tonos?|"
    r"Varianten?|Fassung\w*|Entw[üu]rf\w*|Szenarien|Szenario|Vorschl[äa]g\w*|Versionen|"
    r"propositions?|scénarios?|façons|approaches|angles|approches|enfoques|ángulos|Ansätze"
)
_VARIANT_NOUN = _Folding(_factored(re.compile(rf"\b(?:{_VARIANT_WORDS})\b", re.I)))
# "with three (different) angles": the count is of variants, not of what one piece holds
_COUNTED_VARIANTS = re.compile(rf"\s+(?:[\w-]+\s+)?(?:{_VARIANT_WORDS})\b", re.I)
# what is said of all the variants after the last one: "…, both under 300 words"
_FOR_ALL = (
    r",[^,]*\b(?:each|cada|chaque|jeweils|jede[nmrs]?|both|ambos|ambas|beide[n]?|"
    r"(?:los|las) dos|les deux|die beiden)\b"
)
_FOR_ALL_TAIL = re.compile(_FOR_ALL, re.I)
_VARIANT_END = re.compile(
    rf"{_FOR_ALL}|\s*\(|,?\s+(?:so that|pour que|afin que|afin de|para que|damit)\b",
    re.I,
)


def _coordinated(
    scan: str, sentence: Span, joins: list[re.Match[str]], until: int | None = None
) -> tuple[int, list[tuple[int, int]]] | None:
    """The request's verb and the variants it names as parallel determiner-headed
    phrases (``joins``: the coordinations in the sentence); None when the sentence asks
    for no such set."""
    if len(joins) > _MAX_VARIANTS:
        return None
    first_join = joins[0].start()
    verb = _request_verb(_ASK, scan, sentence.start, first_join, nearest=True)
    end = sentence.end
    if verb is not None:
        opens, start = verb.start(), verb.end()
    elif (lead := _REQUEST_LEAD.search(scan, sentence.start, first_join)) and (
        verb := _ASK.search(scan, joins[-1].end(), sentence.end)
    ):  # "Kannst du mir … eine …, eine … und eine … schreiben?"
        opens, start, end = verb.start(), lead.end(), verb.start()
        joins = [j for j in joins if j.end() < end]
        if not joins:
            return None
    elif _INTRODUCED.search(scan, sentence.start, first_join) and _VARIANT_NOUN.search(
        scan, sentence.start, first_join
    ):
        if _first_word(scan, sentence.start) in _SUBJECTS or any(
            _made_already(scan, max(sentence.start, made.start() - 24), made)
            for made in _MAKE_SCAN.finditer(scan, sentence.start, first_join)
        ):
            return None  # "I wrote two versions: …", "Ya escribí dos versiones: …" tell
        opens = start = sentence.start  # "Two versions please: one for …"
    else:
        return None
    verb_end = start
    for marker in _APPOSITION.finditer(scan, start, joins[0].end()):
        start = marker.end()  # "a study plan, namely one with … and one with …"
    apposed = start > verb_end
    if start > joins[0].start():
        start, joins = joins[0].end(), joins[1:]
    joins = _parallel(scan, start, joins)
    if not joins:
        return None
    bounds = [_opening(j) for j in joins]
    later = [word.group(0).lower() if (word := _WORD_AT.match(scan, b)) else "" for b in bounds]
    first = _first_variant(scan, start, joins[0], later, apposed=apposed)
    pieces = list(zip(bounds, [*[j.start() for j in joins[1:]], end], strict=True))
    # whether each phrase follows "and" (not a bare comma): "a case, one that fits, and …"
    joined = [bool(_words(scan[j.start() : b])) for j, b in zip(joins, bounds, strict=True)]
    if first is not None:
        pieces, joined = [(first, joins[0].start()), *pieces], [False, *joined]
    items: list[tuple[int, int]] = []
    after_and: list[bool] = []
    for (a, b), conjunction in zip(pieces, joined, strict=True):
        a, b = _variant_span(scan, a, b)
        if b > a:
            items.append((a, b))
            after_and.append(conjunction)
    if items:
        items[-1] = _last_variant(scan, *items[-1], 16)
    if len(items) < 2 or any(len(_words(scan[a:b])) > 16 for a, b in items):
        return None
    if any(_CLAUSE.match(scan, a, b) for a, b in items):
        return None  # "one is old and the other is a puppy": clauses, not things to make
    if _holds_variants(scan, *items[0]) or (
        _content_before(scan, start, items[0][0]) and not _each_a_version(scan, items)
    ):
        return None
    before = scan[
        verb.end() if verb and verb.end() <= items[0][0] else sentence.start : items[0][0]
    ]
    production = not _WANTING.match(verb.group(0)) if verb else False
    if not _asks_for_variants(scan, before, items, after_and, apposed, production):
        chosen = _CHOICE.search(scan, items[-1][1], until or sentence.end)
        described = all(len(_words(scan[a:b])) >= 3 for a, b in items)
        if not (production and chosen and described and len(items) == 2):
            return None
    return opens, items


# After two things described to make, a choice between them shows they are versions of
# one: "… and an aggressive two-day blitz? I'll see which one works".
_CHOICE = re.compile(
    r"\b(?:which one|which of (?:the two|them|these)|whichever|cuál|laquelle|lequel|"
    r"welche[nrs]?)\b",
    re.I,
)


_MAX_VARIANTS = 8
# a colon or a dash introduces what follows: "Two versions please - one for …"
_INTRODUCED = re.compile(r":|\s[-\u2013\u2014]\s")


def _first_word(scan: str, at: int) -> str:
    word = _WORD_AT.search(scan, at)
    return word.group(0).lower() if word else ""


_WORD_AT = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")


def _opening(join: re.Match[str]) -> int:
    """Where the phrase after a coordination opens: at its preposition, if any."""
    return join.start("prep") if join.group("prep") else join.end()


def _parallel(scan: str, start: int, joins: list[re.Match[str]]) -> list[re.Match[str]]:
    """The coordinations, without those whose preposition the phrase before does not
    open with the same way ("for a beginner and for an expert", not "with email, con un
    presupuesto …")."""
    kept = []
    for join in joins:
        prep = join.group("prep")
        if prep and not re.search(
            rf"\b{re.escape(prep)}\s+{_OPENER}\b", scan[start : join.start()], re.I
        ):
            continue
        kept.append(join)
    return kept


def _first_variant(
    scan: str, start: int, join: re.Match[str], later: list[str], *, apposed: bool
) -> int | None:
    """Where the first variant opens, before the first coordination: right after the verb
    ("get a serious version written like a proposal and a silly one"), else at the last
    opener like the second one's, else at the last opener outside a relative clause ("a
    relaxed plan where I do a little …" opens at "a relaxed"). None when it names the
    thing varied rather than a variant ("Dame el texto, uno … y otro …", "write me a
    cover letter, one formal and one casual"), unless a colon or "namely" introduces
    them ("trois titres : une sérieuse, une drôle et une …")."""
    lead = _LEADING_OBJECT.match(scan, start, join.start())
    start = _trimmed(scan, lead.end() if lead else start, join.start())[0]
    if join.group("prep"):  # the first phrase opens at the same preposition
        same = list(re.finditer(rf"\b{re.escape(later[0])}\b", scan[start : join.start()], re.I))
        return start + same[-1].start() if same else None
    openers = list(_OPENER_WORD.finditer(scan, start, join.start()))
    if openers and openers[0].start() == start:
        comma = join.group(0).lstrip().startswith(",")
        article = openers[0].group(0).lower() in _ARTICLES | {"una", "une", "eine", "einen"}
        alone = not _stands_in(scan, start, join.start())
        if comma and article and alone and not apposed and all(w in _ONE for w in later):
            return start if _framed_alike(scan, (start, join.start()), join.end()) else None
        return start
    if openers:
        relative = _RELATIVE_WORD.search(scan, openers[0].end(), join.start())
        if relative:
            openers = [o for o in openers if o.start() < relative.start()]
    same = [o for o in openers if o.group(0).lower().split()[0] == later[0]]
    chosen = same or openers
    return chosen[-1].start() if chosen else None


_STAND_IN_PREPOSITION = re.compile(r"[^\W\d_]+\s+([^\W\d_]+)")


def _framed_alike(scan: str, first: tuple[int, int], following: int) -> bool:
    """Whether the first phrase goes on with the preposition that follows "one" in the
    phrase at ``following`` ("a quote for a month, one for a year"): "one" stands in
    for its noun, and it is the first variant, not the name of the thing varied ("a
    cover letter, one formal …")."""
    after = _STAND_IN_PREPOSITION.match(scan, following)
    if after is None or after.group(1).lower() not in _PREPOSITIONS:
        return False
    return bool(re.search(rf"\s{re.escape(after.group(1))}\s", scan[first[0] : first[1]], re.I))


_CLAUSE_COMMA = re.compile(r",\s+")


def _last_variant(scan: str, start: int, end: int, longest: int) -> tuple[int, int]:
    """The last variant runs to the end of the sentence: when that is longer than a
    variant can be, it ends at its first comma, and what follows is the rest of the
    request ("… and another for five days, then I pick the one that fits my week")."""
    if len(_words(scan[start:end])) <= longest:
        return start, end
    comma = _CLAUSE_COMMA.search(scan, start, end)
    return _trimmed(scan, start, comma.start()) if comma else (start, end)


def _variant_span(scan: str, start: int, end: int) -> tuple[int, int]:
    """A variant without the words that apply to all of them ("…, with a budget for each
    one") or an aside in brackets."""
    tail = _VARIANT_END.search(scan, start, end)
    return _cut(scan, start, tail.start() if tail else end)


def _asks_for_variants(
    scan: str,
    before: str,
    items: list[tuple[int, int]],
    joined: list[bool],
    apposed: bool,
    production: bool,
) -> bool:
    """Whether the phrases are versions of one thing rather than several things ("a
    summary and a title", "a case, one that fits, and a charger", "three things: a
    summary, a reply and a list"): two stand-ins for the thing varied, or one after
    "and"; a phrase set against another; a word such as "versions" naming them, as many
    as a count before them says; or phrases that all open with "one" after the thing
    varied ("a reply - one warm, one firm", "two subject lines, one playful and one
    dry")."""
    counts = _count(before)
    if counts and counts[-1] != len(items):
        return False
    phrases = [scan[a:b] for a, b in items]
    stand_ins = [bool(_STAND_IN.match(p) or _ELLIPTIC.match(p)) for p in phrases]
    if sum(stand_ins) >= 2 or any(s and j for s, j in zip(stand_ins, joined, strict=True)):
        return True
    if any(_CONTRAST.match(p) and not _another_thing(phrases[0], p) for p in phrases[1:]):
        return True
    if _PAIR_OPENER.match(phrases[0]) and any(_PAIRED.match(p) for p in phrases[1:]):
        return True  # "l'une pour …, l'autre pour …", "the first playful, the second formal"
    if _VARIANT_NOUN.search(before):
        return True  # "three scenarios: …", "in two lengths: …"
    ones = all(_words(p)[0] in _BARE_ONE for p in phrases)
    if (counts or apposed) and (any(stand_ins) or ones):
        return True  # "in two registers: a stiff one … and a chatty note …"
    if production and (_same_head(phrases) or _same_noun_first(phrases)):
        return True  # "a formal intro and a casual intro", "un résumé court et un résumé long"
    if production and _shared_noun(phrases):
        return True  # "einen lockeren und einen förmlichen Text"
    # "a serious version … and a silly one", "a short and a long take"
    nouns = [bool(_VARIANT_NOUN.search(_RELATIVE_WORD.split(p, 1)[0])) for p in phrases]
    return any(nouns) and all(
        n or s or len(_words(p)) <= 3 for p, n, s in zip(phrases, nouns, stand_ins, strict=True)
    )


def _another_thing(first: str, phrase: str) -> bool:
    """Whether "another" names a thing of its own rather than a variant of the first:
    "a laptop and another charger", not "another for cutting", "another shorter one",
    "another version" nor "another plan" after "a plan"."""
    words = _words(phrase)
    if words[0] != "another" or len(words) < 2 or words[1] in _PREPOSITIONS:
        return False
    if _RELATIVE_WORD.match(words[1]) or "one" in words or _VARIANT_NOUN.search(phrase):
        return False
    return _noun(phrase) != _noun(first)


_CLAUSE = re.compile(
    r"[\w']+(?:\s+other)?\s+(?:is|are|was|were|has|had|does|did|es|está|era|fue|est|était|"
    r"ist|war|hat)\b",
    re.I,
)
_BARE_ONE = frozenset({"one", "uno", "einmal", "eines", "einer", "eins"})


def _count(before: str) -> list[int]:
    """The numbers spelled out just before the variants ("in three tones: …"); digits
    count things ("we are 3 founders"), not variants."""
    words = _words(before)[-6:]
    return [_NUMBER[w] for w in words if w in _NUMBER and w != "both" and not w.isdigit()]


def _same_head(phrases: list[str]) -> bool:
    """Whether short phrases end on one noun, told apart by what comes before it."""
    words = [_words(p) for p in phrases]
    last = {w[-1] for w in words if w}
    return len(last) == 1 and len(next(iter(last))) >= 3 and all(2 <= len(w) <= 5 for w in words)


def _same_noun_first(phrases: list[str]) -> bool:
    """Whether short phrases name one noun right after their article and tell it apart by
    what follows, not by a preposition ("un résumé court et un résumé détaillé", not "a
    test for the parser and a test for the lexer")."""
    words = [_words(p) for p in phrases]
    if not all(3 <= len(w) <= 5 and w[0] in _ARTICLES | {"una", "une", "eine"} for w in words):
        return False
    return (
        len({w[1] for w in words}) == 1
        and len(words[0][1]) >= 3
        and not any(w[2] in _LINKS or _RELATIVE_WORD.fullmatch(w[2]) for w in words)
    )


# what ties a noun to another thing rather than telling it apart: "un résumé du film"
_LINKS = _PREPOSITIONS | frozenset(
    {
        *("of", "to", "on", "at", "de", "du", "des", "d", "del", "al", "à", "au", "aux", "a"),
        *("von", "vom", "zum", "zur", "über"),
    }
)


def _shared_noun(phrases: list[str]) -> bool:
    """Whether the first of two phrases is an article and an adjective whose noun the
    second one ends on, as German capitals show ("einen lockeren und einen förmlichen
    Text"; English "a cat and a dog" cannot tell an adjective from a noun)."""
    if len(phrases) != 2:
        return False
    first, second = phrases[0].split(), phrases[1].split()
    return (
        len(first) == 2
        and 3 <= len(second) <= 6
        and first[0].lower() == second[0].lower()
        and first[0].lower() in {"ein", "eine", "einen", "einem", "einer"}
        and first[1][:1].islower()
        and second[1][:1].islower()
        and second[2][:1].isupper()
    )


def _stands_in(scan: str, at: int, end: int) -> bool:
    return any(p.match(scan, at, end) for p in (_STAND_IN, _CONTRAST, _PAIRED))


def _variant_sets(
    text: str, scan: str, sents: list[Span], found: list[Suggestion]
) -> list[Suggestion]:
    """The variants the phrase-list reading above misses: list lines under a request,
    adjectives of one plural noun, and parallel determiner-headed phrases, in the
    request's sentence or in the one after it ("… schreiben? Einmal … und einmal …")."""
    taken = [s.extent for s in found]
    out = _list_variants(text, scan, sents, taken) + _adjective_variants(text, scan, sents, taken)
    out += _labelled_variants(text, scan, sents, taken)
    joins = sorted(
        (j for pattern in _COORDINATED for j in pattern.finditer(scan)), key=lambda j: j.start()
    )
    if not joins:
        return out
    by_sentence = _joins_by_sentence(sents, joins)
    for index, sentence in enumerate(sents):
        following = sents[index + 1] if index + 1 < len(sents) else None
        if not by_sentence[index] and not (following and by_sentence[index + 1]):
            continue
        if any(a < sentence.end and sentence.start < b for a, b in taken):
            continue
        until = following.end if following else sentence.end
        hit = (
            _coordinated(scan, sentence, by_sentence[index], until) if by_sentence[index] else None
        )
        if hit is None and following and _opens_variants(scan, following.start):
            verb = _ASK.search(scan, sentence.start, sentence.end)
            if verb:  # "Kannst du … schreiben? Einmal … und einmal …"
                span = Span(verb.start(), following.end)
                hit = _coordinated(scan, span, by_sentence[index] + by_sentence[index + 1])
        if hit is None or _about_a_count(scan, sentence.start, hit[1]):
            continue
        verb_start, items = hit
        taken.append((verb_start, items[-1][1]))
        out.extend(_variant_group(text, verb_start, items, "parallel"))
    return out


_CONTENT = re.compile(
    r"\b(?:that|which|who|where|with|about|on|featuring|containing|mentioning|including|"
    r"highlighting|showing|qui|que|avec|sur|sobre|con|mit|über|welche\w*)\b",
    re.I,
)
_NAMED_VARIANTS = re.compile(
    rf"\b(?:{_VARIANT_WORDS}|ways|twice|fois|zweimal)\b|[:\u2013\u2014]", re.I
)


def _content_before(scan: str, after: int, first: int) -> bool:
    """Whether the phrases say what one piece holds rather than name its variants: a
    clause or a preposition of content between the request and them ("a cover letter
    that highlights one internship … and another …", "a recipe with one egg, one cup of
    …"), unless the variants are named after it ("a post about X in two tones: …")."""
    if _ONCE.match(scan, first):
        return False  # "a function that flattens it once recursively and once …"
    for named in _NAMED_VARIANTS.finditer(scan, after, first):
        after = named.end()
    return bool(_CONTENT.search(scan, after, first))


_ONCE = re.compile(r"(?:once|einmal|une fois|una vez)\b", re.I)


def _each_a_version(scan: str, items: list[tuple[int, int]]) -> bool:
    """Whether every phrase names itself a variant ("a post about my promotion, one humble
    version and one proud version"): what comes before them is then the thing varied."""
    return all(_VARIANT_NOUN.search(scan, a, b) for a, b in items)


def _holds_variants(scan: str, start: int, end: int) -> bool:
    """Whether the first phrase says what the piece holds, and the variants start inside
    it ("a dashboard that shows one chart per region, and another …")."""
    content = _CONTENT.search(scan, start, end)
    if content and content.start() == start:  # "with one egg and with two": its own
        content = _CONTENT.search(scan, content.end(), end)
    return bool(content and _COUNTED_ONE.search(scan, content.end(), end))


_COUNTED_ONE = re.compile(r"\b(?:one|uno|una|une|eine|ein)\b", re.I)


def _lists_contents(scan: str, after: int, items: list[tuple[int, int]]) -> bool:
    """Whether the first phrase names one piece and what it is about, and the others go
    on with that list ("one paragraph about the battery, the screen and the price"), the
    variants being named nowhere before them ("two ways: …")."""
    first = _words(scan[items[0][0] : items[0][1]])
    if len(first) < 3 or not _CONTENT.search(scan, items[0][0], items[0][1]):
        return False
    if _NAMED_VARIANTS.search(scan, after, items[0][0]):
        return False
    return any((_words(scan[a:b]) or [""])[0] != first[0] for a, b in items[1:])


def _opens_variants(scan: str, at: int) -> bool:
    """Whether a sentence opens like the first of several variants: "Einmal …", "Una
    para …", "The first with …"."""
    return bool(_ONE_WORD.match(scan, at) or _PAIR_OPENER.match(scan, at))


def _about_a_count(scan: str, start: int, items: list[tuple[int, int]]) -> bool:
    """Whether the phrases describe a count in what is asked for ("a fable about two
    foxes, one greedy and one generous", "a 3-day trip: one day for …"), unless the
    variants are counted as such ("a 3-day plan in two flavours: one …, one …")."""
    before = scan[start : items[0][0]]
    if not _CONTENT_COUNT.search(before):
        return False
    counts = _count(before)
    return not (counts and counts[-1] == len(items) and _VARIANT_NOUN.search(before))


def _variant_group(
    text: str, opens: int, items: list[tuple[int, int]], how: str
) -> list[Suggestion]:
    return split_group(
        text,
        kind="directive",
        start=min(opens, items[0][0]),
        end=max(items[-1][1], opens),
        options=titled(text, items),
        confidence=0.84,
        description="One of the alternatives asked for: produce {option} on its own branch.",
        reasoning=f"Directive: {len(items)} {how} variants",
        divergence="high",
    )


_LIST_LINE = re.compile(r"(?:[ \t]*\n)+[ \t]*(?:\d{1,2}[.)]|[-*\u2022+])[ \t]+([^\n]+)")
_ITEM_END = re.compile(r"\s+\(|:|\s[-\u2013\u2014]\s")


def _list_variants(
    text: str, scan: str, sents: list[Span], taken: list[tuple[int, int]]
) -> list[Suggestion]:
    """Variants as the list under a request that names them ("Can you draft the
    calendar in two flavours?" then "- a minimal one …", "- a go-big one …"): as many
    list lines as the count says, or two or more."""
    out: list[Suggestion] = []
    for sentence in sents:
        if scan[sentence.end - 1] not in ":?" or not _LIST_LINE.match(scan, sentence.end):
            continue
        if any(a < sentence.end and sentence.start < b for a, b in taken):
            continue
        named = _VARIANT_NOUN.search(scan, sentence.start, sentence.end) or _AS_FORMS.search(
            scan, sentence.start, sentence.end
        )
        if not named and not _stand_in_lines(scan, sentence.end):
            continue
        request = _request_verb(_ASK, scan, sentence.start, sentence.end) or _REQUEST_LEAD.search(
            scan, sentence.start, sentence.end
        )
        if request is None:
            continue
        items = []
        at = sentence.end
        while line := _LIST_LINE.match(scan, at):
            end = _ITEM_END.search(scan, line.start(1), line.end(1))
            items.append(_trimmed(scan, line.start(1), end.start() if end else line.end(1)))
            at = line.end()
        counts = _count(scan[sentence.start : sentence.end])
        if len(items) < 2 or (counts and counts[-1] != len(items)):
            continue
        if any(len(_words(scan[a:b])) > 30 for a, b in items):
            continue
        if _CONTENT_COUNT.search(scan, sentence.start, sentence.end):
            continue
        taken.append((request.start(), items[-1][1]))
        out.extend(_variant_group(text, request.start(), items, "listed"))
    return out


# "Version A should …, version B …", "Option 1: …", "Variante 2 …"
_LABEL = re.compile(  # the label itself a capital or a digit: not "plan a trip"
    r"\b(?i:versions?|options?|variants?|drafts?|plan|versión|opción|variante|borrador|"
    r"fassung|entwurf)\s+(?P<label>[A-D1-4])\b"
)
_LABEL_END = re.compile(r"[,;]?\s*(?:(?:and|et|y|und)\s+)?$", re.I)


_LABEL_STEMS = (
    *("version", "versión", "option", "opción", "variant", "draft", "plan", "borrador"),
    *("fassung", "entwurf"),
)


def _labels(scan: str) -> list[re.Match[str]]:
    """The labelled variants in ``scan``, found from their nouns' stems."""
    return _matches_at_keys(_LABEL, scan, _LABEL_STEMS)


_BETWEEN_BEFORE = re.compile(r"\b(?:between|entre|zwischen|from|de|von)\s+$", re.I)


def _labelled_variants(
    text: str, scan: str, sents: list[Span], taken: list[tuple[int, int]]
) -> list[Suggestion]:
    """Variants named by their labels ("Write two intros. Version A should open with a
    question. Version B should open with a statistic."): each from its label to the next
    one or its sentence's end, in or right after a request."""
    labels = [m for m in _labels(scan) if not any(a <= m.start() < b for a, b in taken)]
    if len({m.group("label").upper() for m in labels}) < 2 or len(labels) > 4:
        return []
    if len({m.group("label").upper() for m in labels}) != len(labels):
        return []  # one label twice: the options are discussed, not named
    if _BETWEEN_BEFORE.search(scan, max(0, labels[0].start() - 12), labels[0].start()):
        return []  # "what changed between version 2 and version 3": they exist already
    first = next(i for i, s in enumerate(sents) if s.start <= labels[0].start() < s.end)
    request = None
    for sentence in sents[max(0, first - 1) : first + 1]:
        request = request or _request_verb(_ASK, scan, sentence.start, labels[0].start())
    if request is None:
        return []
    items = []
    for index, label in enumerate(labels):
        sentence = next(s for s in sents if s.start <= label.start() < s.end)
        end = sentence.end
        if index + 1 < len(labels) and labels[index + 1].start() < end:
            tail = _LABEL_END.search(scan, label.end(), labels[index + 1].start())
            end = tail.start() if tail else labels[index + 1].start()  # "…, and" left out
        items.append(_trimmed(scan, label.start(), end))
    if any(len(_words(scan[a:b])) > 20 for a, b in items):
        return []
    taken.append((request.start(), items[-1][1]))
    return _variant_group(text, request.start(), items, "labelled")


def _stand_in_lines(scan: str, at: int) -> bool:
    """Whether the list lines from ``at`` each open with a stand-in for the thing asked
    for ("- one for LinkedIn", "- one for the website"; "- une courte", "- otra …"), or
    each open with "one" and one of them names itself a variant ("- eine Version für
    …", "- eine für …", "- eine kurze")."""
    lines: list[tuple[int, int]] = []
    while line := _LIST_LINE.match(scan, at):
        lines.append(line.span(1))
        at = line.end()
    if len(lines) < 2:
        return False
    if all(_stands_in(scan, start, end) for start, end in lines):
        return True
    openers = [_ONE_WORD.match(scan, start, end) for start, end in lines]
    return all(openers) and any(
        _ONE_LINE_NAMED.match(scan, opener.end(), end)
        for opener, (_, end) in zip(openers, lines, strict=True)
        if opener is not None
    )


# the line names a variant in its first words after its "one": "eine Version für
# Indeed", "una versión muy sencilla", "one short draft …"
_ONE_LINE_NAMED = re.compile(rf"(?:\s+[^\W\d_]+){{0,2}}?\s+(?:{_VARIANT_WORDS})\b", re.I)
# a request that closes on the form of what follows: "write the explanation as:"
_AS_FORMS = re.compile(r"\b(?:as|als|como|comme|sous forme de)\s*:\s*$", re.I)


def _joins_by_sentence(sents: list[Span], joins: list[re.Match[str]]) -> list[list[re.Match[str]]]:
    """The coordinations of each sentence, in order."""
    out: list[list[re.Match[str]]] = [[] for _ in sents]
    index = 0
    for join in joins:
        while index < len(sents) and sents[index].end <= join.start():
            index += 1
        if index < len(sents) and sents[index].start <= join.start():
            out[index].append(join)
    return out


_DETERMINERS = frozenset(
    {
        *("a", "an", "the", "my", "our", "your", "his", "her", "their", "its", "this", "that"),
        *("mon", "ma", "mes", "notre", "nos", "votre", "le", "la", "les", "un", "une", "des"),
        *("mi", "mis", "tu", "su", "nuestro", "nuestra", "el", "los", "las", "una"),
        *("mein", "meine", "unser", "unsere", "dein", "der", "die", "das", "ein", "eine"),
    }
)
_PREVIOUS_WORD = re.compile(r"([\w']+)\W*$")
# Before a verb of making, these words make it a noun ("my plan", "un plan") or a
# statement ("we make", "je fais", "didn't make"); verbs of wanting have a subject.
_NOT_BEFORE_A_REQUEST = frozenset(
    {
        *_DETERMINERS,
        *("i", "we", "they", "he", "she", "it", "je", "nous", "il", "elle", "ils", "on"),
        *("ich", "wir", "er", "yo", "nosotros", "ellos"),
        *("did", "didn't", "don't", "doesn't", "does", "do", "not", "never", "was", "were"),
    }
)
_SUBJECTS = frozenset({"i", "we", "je", "nous", "ich", "wir", "yo", "nosotros"})
_WANTING = re.compile(
    r"(?:need|want|would like|'d like|\u2019d like|love|looking for|voudr|aimer|besoin|"
    r"necesit|quier|quer|quisiera|gustaría|brauch|bräucht|möchte|hätte)",
    re.I,
)


def _request_verb(
    verbs: _Searcher, scan: str, start: int, end: int, *, nearest: bool = False
) -> re.Match[str] | None:
    """The first of ``verbs`` in ``scan[start:end]`` that asks for something: not a noun
    ("my annual plan") nor a statement ("we make it", "je fais des portraits"); with
    ``nearest``, the last one that opens a clause of its own, the request that governs
    what follows ("je dois écrire un mot …, tu peux m'en proposer une version … et une
    version …"), not a noun inside the first one's object ("write me a relaxed plan
    where …")."""
    if nearest:
        asked = None
        while (verb := _request_verb(verbs, scan, start, end)) is not None:
            if asked is None or _CLAUSE_BREAK.search(scan, asked.end(), verb.start()):
                asked = verb
            start = verb.end()
        return asked
    for verb in verbs.finditer(scan, start, end):
        if _FIXED_AFTER.match(scan, verb.end()):
            continue  # "da igual": it does not matter, nothing is asked
        if _made_already(scan, max(start, verb.start() - 24), verb):
            continue  # "j'ai déjà rédigé deux versions : …": made already, not asked
        previous = _PREVIOUS_WORD.search(scan, max(start, verb.start() - 30), verb.start())
        word = previous.group(1).lower() if previous else ""
        if _noun_after_adjective(scan, start, verb):
            continue
        if word not in _NOT_BEFORE_A_REQUEST or (
            word in _SUBJECTS and _WANTING.match(verb.group(0))
        ):
            return verb
        if previous and _MODAL.search(scan, max(start, previous.start() - 12), previous.start()):
            return verb  # "could she get …", "can we make …"
        if previous and scan[previous.start() - 1 : previous.start()] == "-":
            return verb  # "Peux-tu écrire …", "Pourriez-vous rédiger …"
        if previous and _asked_conditional(scan, max(start, previous.start() - 8), verb):
            return verb  # "Comment tu le formulerais …", "Vous la rédigeriez comment ?"
        if _CLITIC_PAIR.search(scan, max(start, verb.start() - 12), verb.start()):
            return verb  # "tu pourrais me le réécrire", "peux-tu nous la rédiger"
    return None


_CLAUSE_BREAK = re.compile(r"[,;:]")
_FIXED_AFTER = re.compile(r"\s+(?:igual|lo mismo)\b", re.I)
# what tells a verb of making as done: "already" before it ("ya escribí", "j'ai déjà
# rédigé"), or the perfect's auxiliary before its participle ("he preparado", "j'ai rédigé")
_ALREADY_LEAD = re.compile(
    r"\b(?:already|déjà|ya(?!\s+que\b)|schon|bereits)\s+(?:[^\W\d_]+\s+)?$", re.I
)
_PERFECT_LEAD = re.compile(
    r"\b(?:j'ai|j'avais|avons|avez|ont|avait|he|hemos|habéis|han|había|habíamos)\s+$", re.I
)
_PARTICIPLE = re.compile(r"\w+(?:é|és|ée|ées|it|its|is|ado|ados|ada|adas|ido|ida|ito|cho)", re.I)


def _made_already(scan: str, lead: int, verb: re.Match[str]) -> bool:
    """Whether a verb of making tells what was made ("j'ai déjà rédigé deux versions",
    "ya escribí", "he preparado"), not what is asked for."""
    if _ALREADY_LEAD.search(scan, lead, verb.start()):
        return True
    perfect = _PERFECT_LEAD.search(scan, lead, verb.start())
    return perfect is not None and _PARTICIPLE.fullmatch(verb.group(0)) is not None


def _noun_after_adjective(scan: str, start: int, verb: re.Match[str]) -> bool:
    """Whether a determiner comes two words before ``verb``: "my annual plan"."""
    two = _TWO_WORDS_BEFORE.search(scan, max(start, verb.start() - 40), verb.start())
    if two is None or scan[two.start(1) - 1 : two.start(1)] == "-":
        return False  # "Pourrais-tu me proposer …": a pronoun, not a determiner
    if _asked_conditional(scan, two.start(), verb):
        return False  # "tu le formulerais": "tu" is the one asked
    if _ADDRESSED_CLITIC_PAIR.match(scan, two.start(), verb.start()):
        return False  # "tu m'en prépares", "tu nous fais": "tu" is the one asked
    return two.group(1).lower() in _DETERMINERS


_TWO_WORDS_BEFORE = re.compile(r"([\w']+) [\w'-]+ $")
_ADDRESSED_CLITIC_PAIR = re.compile(
    r"tu\s+(?:m'en|m'|me|nous|lui|leur|le|la|les|l'|en)\s*$",
    re.I,
)


# "tu le …", "vous la …": the one asked, then the thing to make as an object pronoun
_ADDRESSED_CLITIC = re.compile(r"\b(?:tu|vous)\s+(?:le|la|les|l')\s*$", re.I)


def _asked_conditional(scan: str, start: int, verb: re.Match[str]) -> bool:
    """Whether ``verb`` asks how one would make it: "tu le formulerais", "vous
    l'écririez" (a conditional after the one asked and the thing as a pronoun)."""
    conditional = verb.group(0).lower().endswith(("rais", "rait", "riez"))
    return conditional and bool(_ADDRESSED_CLITIC.search(scan, start, verb.start()))


# two object pronouns before a verb: "me le", "nous la", "te les" (no determiner)
_CLITIC_PAIR = re.compile(r"\b(?:me|te|nous|vous)\s+(?:le|la|les)\s+$", re.I)
_MODAL = re.compile(r"\b(?:can|could|would|will|shall|should|may|might)\s+$", re.I)


# Variants named by their adjectives around one plural noun: "formal and casual
# versions", "short, medium and long drafts", "versiones formal e informal". Not the
# adjectives of things that exist already ("make the blue and green options bigger").
_PLURAL_VARIANTS = _factored(
    re.compile(
        r"\b(?:versions|variants|variations|drafts|takes|options|flavours|flavors|styles|"
        r"tones|varianten|versionen|fassungen|entwürfe|versiones|variantes|versioni)\b",
        re.I,
    )
)
_PLURAL_STEMS = (
    *("version", "variant", "variation", "draft", "take", "option", "flavo", "style"),
    *("tone", "fassung", "entwürf"),
)


def _plural_variants(scan: str) -> list[re.Match[str]]:
    """The plural nouns of variants in ``scan``, found from their stems."""
    return _matches_at_keys(_PLURAL_VARIANTS, scan, _PLURAL_STEMS, word_start=True)


_ADJECTIVES_BEFORE = re.compile(
    r"(?:^|\s)((?:[\w-]+,\s+)*[\w-]+,?\s+(?:and|or|und|oder)\s+[\w-]+)\s+$", re.I
)
_ADJECTIVES_AFTER = re.compile(r"\s+((?:[\w-]+,\s+)*[\w-]+,?\s+(?:et|y|e|ou|o)\s+[\w-]+)\b", re.I)
_ROMANCE = frozenset({"versiones", "variantes", "versioni", "versions"})
_ADJECTIVE_SPLIT = re.compile(
    r",\s*(?:(?:and|or|und|oder|et|y|e|ou|o)\s+)?|\s+(?:and|or|und|oder|et|y|e|ou|o)\s+", re.I
)
_DEFINITE = frozenset(
    {
        *("the", "these", "those", "my", "our", "your", "its", "their", "les", "ces", "mes"),
        *("nos", "vos", "die", "den", "meine", "unsere", "los", "las", "mis", "sus", "le", "la"),
    }
)


def _adjective_variants(
    text: str, scan: str, sents: list[Span], taken: list[tuple[int, int]]
) -> list[Suggestion]:
    """Variants named by the adjectives of one plural noun, in a request."""
    out: list[Suggestion] = []
    for noun in _plural_variants(scan):
        before = after = None
        near = scan[max(0, noun.start() - 30) : noun.start()]
        if " and " in near or " or " in near or " und " in near or " oder " in near:
            before = _ADJECTIVES_BEFORE.search(scan, max(0, noun.start() - 80), noun.start())
        if before is None and noun.group(0).lower() in _ROMANCE:
            after = _ADJECTIVES_AFTER.match(scan, noun.end(), noun.end() + 80)
        found = before or after
        if found is None or any(a < noun.end() and noun.start() < b for a, b in taken):
            continue
        start, end = found.span(1)
        previous = _PREVIOUS_WORD.search(scan, max(0, start - 20), start)
        if previous and previous.group(1).lower() in _DEFINITE:
            continue
        sentence = next((s for s in sents if s.start <= start < s.end), None)
        if sentence is None:
            continue
        verb = _request_verb(_ASK, scan, sentence.start, min(start, noun.start()))
        items = _parts(scan, start, end, _ADJECTIVE_SPLIT)
        if verb is None or not 2 <= len(items) <= 5:
            continue
        if any(len(w := _words(scan[a:b])) != 1 or w[0] in _ARTICLES for a, b in items):
            continue
        taken.append((verb.start(), max(end, noun.end())))
        out.extend(_variant_group(text, verb.start(), items, "adjective"))
    return out
