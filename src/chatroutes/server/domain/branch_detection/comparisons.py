"""Comparisons: "X vs Y", "compare X and Y", "difference between X and Y", "what's
different between X and Y", "choose between X and Y", "how X compares to Y" (and their
French, Spanish and German forms, German verb-last clauses among them: "worin sich X von
Y unterscheidet", "X mit Y vergleichen"), and the frames
a question weighs two things in: a comparative between them ("is X cheaper than Y?",
"is it cheaper to X than to Y?", "¿es mejor X que Y?"), one preferred over the other
("is X worth it over Y?", "the advantages of X over Y"), what one has that the other
lacks ("what does X give me that Y doesn't?"), how alike they are ("are X and Y the
same thing?", "what sets X apart from Y?"), a verb of outdoing ("does X beat Y?"), the
two ends of a switch ("what do I gain by switching from X to Y?"), the sides named first
("between X and Y, which …?", "X against Y?"), the points of one against the other
("the pros and cons of X compared to Y"), or things described one by one (as the first
and the second, or counted then listed: "two laptops:" then a line each), then weighed
as "these two", "each". One suggestion per side; the group runs from
the trigger word (or X) to the last side. A pair named inside a statement ("we watched
X vs. Y") and a comparative a question starts from ("why is X slower than Y?", "since X
is cheaper than Y, when …?") are facts, not asked: weakened below the threshold; so are
a choice told as history ("I had to choose between X and Y", "after weighing X against
Y, I took X"), amounts bracketed in a statement ("(84 $ vs 13 $/month)"), a question
someone else asked ("she asked whether X is better than Y"), and one the writer answers
or waves aside ("Is X faster than Y? Yes, …", "… ? Anyway, …").
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from dataclasses import replace

from .disjunctions import (
    _ASKED_AFTER,
    _CHOICE_CUE,
    _RHETORICAL,
    _SET_ASIDE,
    _WHY_OR_WHO,
    _short_question,
)
from .option_spans import (
    _DETERMINERS,
    _PREPOSITIONS,
    _clause_bounds,
    _left_option,
    _parts,
    _right_option,
)
from .requests import SELF_ANSWER
from .suggestion import Suggestion, calibrated, split_group, titled
from .text import (
    _NEGATION,
    Span,
    _Folding,
    _inside,
    _Keyed,
    _matches_at_keys,
    _quoted,
    _skip,
    _trimmed,
    _words,
    _wordset,
)

_VS = re.compile(r"\b(?:vs\.?|versus)(?=\s)", re.I)
_COMPARE = _Folding(
    re.compile(
        r"\b(?:compare|comparing|comparison (?:of|between)|weigh(?:s|ed|ing)?(?: up)?|"
        r"(?:rank|rate)(?:s|d|ing)?(?=\s[^.?!]{1,60}\s(?:against|versus|vs\.?)\s)|"
        r"pit(?:s|ting)?|se diferencia[n]?|unterscheidet sich|"
        r"(?:differences?|diffs?|diferencias?|différences?|unterschiede?|differenz[ae]|diferenças?)"
        r"(?:\s+[^\W\d_]+){0,3}?\s+(?:between|entre|zwischen|tra)|"
        r"differences?\s+of|unterschied(?:e)?\s+von|"
        r"what(?:'s|\s+is|\s+are)?(?:\s+[^\W\d_]+){0,2}?\s+(?:different|differs?|changes?|changed|"
        r"varies)"
        r"(?:\s+[^\W\d_]+)?\s+between|(?:qu'est-ce qui|ce qui)(?:\s+[^\W\d_]+){0,2}?\s+"
        r"(?:change|diffère|est différent)(?:\s+[^\W\d_]+)?\s+entre|qué(?:\s+[^\W\d_]+){0,2}?\s+"
        r"(?:cambia|difiere|es diferente|es distinto)(?:\s+[^\W\d_]+)?\s+entre|"
        r"was(?:\s+[^\W\d_]+){0,2}?\s+(?:ändert sich|ist anders|unterscheidet sich)"
        r"(?:\s+[^\W\d_]+)?\s+zwischen|"
        r"(?:se )?compar(?:a|an|e|ent|ando|ant)\b|unterscheide[nt] sich|"
        r"(?:choose|choosing|decide|deciding|pick|picking|torn|split|undecided|hesitating|"
        r"debating|weighing|wavering|back and forth) between|"
        r"(?:überlegen|schwanken|zögern) zwischen|(?:dudando|dudo|dudamos|estoy|estamos) entre|"
        r"(?:i'm|i am|we're|we are|still|stuck|caught) between|"
        r"(?:hésitons|hésitent) entre|(?:indecis[oi]|scegliere|decidere) tra|"
        r"pros and cons of|trade-?offs? between|side[- ]by[- ]side (?:of|for)|"
        r"comparer|comparaison (?:entre|de|d')|différences? entre|choisir entre|hésite entre|"
        r"vergleich (?:von|zwischen)|comparación (?:de|entre)|"
        r"comparar|compár(?:ame|anos|alos|alas)|compar(?:ame|anos|alos|alas)|diferencias? entre|"
        r"elegir entre|decidir entre|"
        r"vergleiche?n?|gegenüber(?:zu)?stell\w*|contrast(?:s|ing)?|contraster|contrastar|"
        r"unterschied(?:e)? zwischen|wählen zwischen|entscheiden zwischen|"
        r"diferença (?:real )?entre|differenz[ae] (?:reale )?tra|verschil tussen|confront\w*|"
        r"differs? from|different from|compared (?:to|with)|compares (?:to|with)|"
        r"in comparison (?:to|with)|"
        r"as opposed to|im vergleich (?:zu[mr]?|mit)|verglichen mit|gegenüber|"
        r"comparée?s? (?:à|au|aux|avec)|par rapport (?:à|au|aux)|face (?:à|au|aux)|"
        r"comparad[oa]s? con|frente (?:a|al)|en comparación (?:con|a|al)|rispetto (?:a|al|alla|ai)|"
        r"paragonat[oa] a|em comparação com|comparad[oa] com|"
        r"vor- und nachteile von|avantages et (?:les )?inconvénients (?:de|d'un|d'une)|"
        r"ventajas y desventajas de|pros y contras de|pro e contro di|prós e contras de)\b",
        re.I,
    )
)
_KEYS = (
    "vs",
    "versus",
    "compar",
    "differ",
    "between",
    "pros and",
    "trade",
    "side by side",
    "side-by-side",
    "entre",
    "zwischen",
    "unterschied",
    "unterscheid",
    "vergleich",
    "diferencia",
    "diferença",
    "differenz",
    "verschil",
    "confront",
    "contrast",
    "compár",
    "next to",
    "than",
    "stack",
    "fare",
    "hold up",
    "measure up",
    "perform",
    "beat",
    "outp",
    "outl",
    "outs",
    "surpass",
    "win",
    "keep",
    "compete",
    "hold",
    "rival",
    "replac",
    "différ",
    "diffèr",
    "substitut",
    "stand in",
    "how do",
    "weigh",
    " rank",
    " rate",
    " same",
    "similar",
    "alike",
    "apart",
    "distingu",
    "différencie",
    "diferencia",
    "interchangeable",
    "equivalent",
    "pit ",
    "pitting",
    " over ",
    "sobre",
    "instead",
    "rather",
    "opposed",
    "en lugar",
    "en vez",
    "au lieu",
    "statt",
    "anstelle",
    "gegenüber",
    "im vergleich",
    "par rapport",
    "frente a",
    "face à",
    "face au",
    "in comparison",
    "comparad",
    "comparé",
    "rispetto",
    "comparação",
    "nachteile",
    "inconvénients",
    "desventajas",
    "contras",
    "contro",
    "verglichen",
    " as ",
    " como ",
    " wie ",
    " que ",
    " als ",
)
# a word each of _COMPARE's cues holds
_COMPARE_KEYS = (
    "compar",
    "differ",
    "diferen",
    "différen",
    "unterschied",
    "unterscheid",
    "between",
    "entre",
    "zwischen",
    " tra ",
    "tussen",
    "side by side",
    "side-by-side",
    "pros and",
    "trade",
    "vergleich",
    "verglich",
    "confront",
    "contrast",
    "compár",
    "gegenüber",
    "rapport",
    "face ",
    "frente",
    "rispetto",
    "paragon",
    "nachteile",
    "inconvénients",
    "desventajas",
    "contras",
    "contro",
    "opposed",
    "weigh",
    "pit",
    "rank",
    "rate",
    "verschil",
)
_OVER_KEYS = (
    " over ",
    "instead",
    "rather",
    "opposed",
    "in place",
    "lugar",
    "vez de",
    "plutôt",
    "au lieu",
    "statt",
    "anstelle",
    "sobre",
)
_OUTDO_KEYS = (
    "beat",
    "outp",
    "outl",
    "outs",
    "surpass",
    "win",
    "keep",
    "compet",
    "hold",
    "rival",
    "replace",
    "substitute",
    "stand in",
)
_ALIKE_KEYS = (
    "same",
    "similar",
    "alike",
    "apart",
    "distingu",
    "différen",
    "diferen",
    "interchang",
    "equivalent",
    "different",
    "separat",
    "gleich",
    "ähnlich",
    "unterschied",
    "unterscheid",
    "pareil",
    "identique",
    "iguales",
    "mismo",
    "dasselbe",
    "diffère",
)
_JOINER = re.compile(
    r"\s(?:and|with|to|against|or|vs\.?|versus|et|avec|ou|y|e|con|o|und|mit|oder|à)\s", re.I
)
_AFTER_CUE_ADVERB = re.compile(
    r"(?:\s+(?:really|actually|truly|exactly|de verdad|realmente|en realidad|exactamente|"
    r"vraiment|réellement|exactement|concrètement|wirklich|eigentlich|genau|konkret)\b)*",
    re.I,
)
_CASE_AFTER = re.compile(r"\s*(?:if|si|wenn|falls)\b", re.I)
_NEXT_VS = re.compile(r"\s*(?:vs\.?|versus)\s+", re.I)
_DUTCH_JOINER = re.compile(r"\s(?:en|of)\s", re.I)
_FROM_JOINER = re.compile(r"\s(?:de|del|von|vom|from|and|y|und)\s", re.I)
_BETWEEN_JOINER = re.compile(r"\s(?:and|et|y|e|und|or|ou|o|oder)\s", re.I)
_THAN = _Folding(
    re.compile(r"\b(?:(?:than|que|als|di|do que|as|como|wie)\b|qu['\u2019](?=\w))", re.I)
)
_EQUATIVE = re.compile(r"\b(?:as|aussi|autant|tan|tanto|so|genauso|altrettanto)\s+\w+\s*$", re.I)
_NOT_EQUATIVE = re.compile(
    r"(?:as|so) (?:well|soon|long|far|much|many|early|late|quickly|little|often)\b", re.I
)
_COMPARATIVE = re.compile(
    r"\b(?:\w{3,}er|more|less|better|worse|plus|moins|mieux|meilleure?s?|pire|más|menos|"
    r"mejor(?:es)?|peor(?:es)?|besser|mehr|weniger|lieber|günstiger|teurer|migliore|peggio|"
    r"melhor|pior|mais)\b",
    re.I,
)
_NAMED = frozenset({"better", "worse", "günstiger", "teurer", "besser", "lieber"})
_SOFTENERS = re.compile(
    r"(?:\s+(?:really|actually|still|much|way|even|generally|truly|significantly|make|makes|"
    r"noticeably|considerably|substantially|meaningfully|slightly|somewhat|vastly|genuinely|"
    r"far|any|that|a bit|a little|a|an|the|"
    r"be|is|are|a lot|vraiment|realmente|wirklich|tatsächlich|est|sont|es|son|ist|sind|è|é|"
    r"just|as|aussi|tan|so|genauso|altrettanto))+\s*$",
    re.I,
)
_HOW_COMPARE = _Folding(
    re.compile(
        r"\bhow (?:do|does|would|did|will)\s+(.{3,160}?)\s+(?:compare|stack up|differ|fare|"
        r"hold up|measure up|match up|line up|measure|compete|perform)\b"
        r"(?:(?:\s+[\w-]+){0,2}?\s+(?:to|with|against|from)\s+)?",
        re.I,
    )
)
_TOLD = _Folding(
    re.compile(
        r"\b(?:asked(?!\s+(?:\w+\s+)?to\b)|wondered|wanted to know|was wondering|told|explained|"
        r"googled|looked up|"
        r"a demandé|demandait|preguntó|me explicó|fragte|gefragt|erklärt)\b",
        re.I,
    )
)
_ASKING_LEAD = re.compile(
    r"(?:(?:kannst du|können sie|könntest du|könnten sie|bitte|peux-tu|pouvez-vous|puedes|"
    r"podrías|can you|could you|please)\s+(?:(?:mir|uns|me|nous|moi|nos|us)\s+)?)+",
    re.I,
)
# a comma before a digit is a thousands separator ("$1,850"), not a list's
_SIDES = re.compile(r",?\s*\b(?:and|or|vs\.?|versus|et|ou|y|o|und|oder)\b\s*|,(?!\d)\s*", re.I)


# a short bracket attached to a word is part of a name ("401(k)", "f(x)"), no aside
_ATTACHED_BRACKET = re.compile(r"(?<=\w)\((\w{1,3})\)")


def _comparisons(text: str, scan: str, sents: list[Span]) -> list[Suggestion]:
    if "(" in scan:
        scan = _ATTACHED_BRACKET.sub(r"+\1+", scan)  # the same length: offsets stay
    found: list[Suggestion] = _first_and_second(text, scan, sents)
    found.extend(_announced_then_weighed(text, scan, sents))
    quotes = _quoted(scan)
    keyed = _Keyed(scan, _KEYS)
    message = scan.lower()
    mentions_between = any(map(message.__contains__, ("between", "entre", "zwischen")))
    hyphenated = "-v" in message
    for sentence in sents:
        keyed_here = keyed.within(sentence.start, sentence.end)
        if not (keyed_here or hyphenated or scan.find("?", sentence.start, sentence.end) != -1):
            continue  # none of the shapes below: the cheap tests first
        chunk = scan[sentence.start : sentence.end]
        low = chunk.lower()
        # the question-only shapes, each of which needs the "?" of its own sentence
        if "?" in chunk:
            found.extend(_what_one_has(text, scan, sentence, low))
            found.extend(_listed_then_asked(text, scan, sentence))
        if "-v" in low:
            found.extend(_hyphenated(text, scan, sentence))
        if "?" in chunk:
            if mentions_between:
                found.extend(_between_first(text, scan, sentence))
            if any(map(low.__contains__, _SWITCH_KEYS)):
                found.extend(_switching(text, scan, sentence))
            if any(map(low.__contains__, (" against ", " contre ", " gegen "))):
                found.extend(_against(text, scan, sentence))
        if not keyed_here:
            continue
        if _RHETORICAL.match(chunk.lstrip("-*•¿¡ ")):
            continue
        chunk_end = sentence.end
        used_until = sentence.start
        vs = "vs" in low or "versus" in low
        for match in _VS.finditer(scan[sentence.start : chunk_end]) if vs else ():
            at, after = sentence.start + match.start(), sentence.start + match.end()
            if at < used_until or _inside(quotes, at, after):
                continue
            if match.group(0) == "VS" and re.match(r"\s+(?:Code|Studio)\b", scan[after:]):
                continue  # the editor
            if _CASE_AFTER.match(scan, after):
                continue  # "what to do if A, versus if B": the cases of a condition
            lo, hi = _clause_bounds(scan, sentence, at, after)
            left = _left_option(scan, lo, at)
            if left is None:
                continue
            start, _ = left
            left_end = at
            parallel = _parallel_left(scan, (lo, hi), start, after, at)
            if parallel is not None:
                start, left_end = parallel
            left_words = len(_words(scan[start:left_end]))
            end = _right_option(scan, after, hi, max(3, left_words + 2), min(left_words, 2))
            if end is None:
                continue
            sides = [(start, left_end), (after, end)]
            while (more := _NEXT_VS.match(scan, end, hi)) is not None:
                further = _right_option(scan, more.end(), hi, max(3, left_words + 2), 1)
                if further is None:
                    break
                sides.append((more.end(), further))
                end = further
            names = [scan[a:b].strip(" .,").lower() for a, b in sides]
            if len(set(names)) < len(names) or all(re.fullmatch(r"[\d.,%$€£ ]+", n) for n in names):
                continue  # "Kramer vs. Kramer", "5.9 vs 6.4"
            if (_words(scan[start:at]) or [""])[-1] == (_words(scan[after:end]) or [""])[0]:
                continue  # "… quoting Kramer vs. Kramer at me": a title around the "vs."
            used_until = end
            aside = _figures_aside(scan, sentence, sides)
            stated = _stated(scan, sentence, sents, at, choice_cues=not aside)
            found.extend(
                _comparison(
                    text, scan, start, end, sides, 0.55 if stated else 0.85, match.group(0), stated
                )
            )
        how = _HOW_COMPARE.search(scan, sentence.start, chunk_end) if "how" in low else None
        asked = "?" in scan[sentence.start : chunk_end]
        compared = any(map(low.__contains__, _COMPARE_KEYS))
        for match in _COMPARE.finditer(scan, sentence.start, chunk_end) if compared else ():
            if _inside(quotes, match.start(), match.end()):
                continue
            if not asked and _TOLD.search(scan, sentence.start, match.start()):
                continue  # "she asked me what the difference is between A and B": told
            if how and how.start() <= match.start() < how.end():
                continue  # "how do A and B compare for X and Y"
            to_side = _COMPARES.fullmatch(match.group(0)) and _TO_SIDE.match(scan, match.end())
            if _MIDDLE.match(match.group(0)) or to_side:
                if _asking(scan, sentence, sents):
                    right = to_side.end() if to_side else match.end()
                    found.extend(_differs(text, scan, sentence, match, right))
                continue
            _, hi = _clause_bounds(scan, sentence, match.start(), match.end())
            named = _JOINER.search(scan[match.end() : hi])
            if scan[hi : hi + 1] == ":" and not named and not _object_given(scan, match, hi):
                # "compare three approaches: A, B, and C"
                sides = _parts(scan, hi + 1, sentence.end, _SIDES)
                if 2 <= len(sides) <= 6 and all(len(_words(scan[a:b])) <= 7 for a, b in sides):
                    found.extend(
                        _comparison(
                            text, scan, match.start(), sides[-1][1], sides, 0.8, match.group(0)
                        )
                    )
                continue
            rest = scan[match.end() : hi]
            cue = match.group(0).lower()
            if cue.startswith(("vergleich", "gegenüber")) and _CLAUSE_OVER.match(rest):
                # "Kannst du A mit B vergleichen, was Preis … angeht?": the verb comes last
                found.extend(_list_before(text, scan, sentence, match))
                continue
            if cue.startswith(_LISTS_OF_POINTS) and (middle := _IN_THE_MIDDLE.search(rest)):
                # "les avantages de A par rapport à B": the middle cue parts the sides
                found.extend(_points_of_one(text, scan, match, middle, hi))
                continue
            between = re.search(r"between|entre|zwischen|tussen|tra$| of$| von$", cue)
            if cue.startswith(("weigh", "pit", "rank", "rate")) and not re.match(
                r"\s*[a-z]*\s*[^\W\d_]", rest
            ):
                continue  # "I weigh 80 kg"
            # "se diferencian de verdad A y B": the adverb after the cue is no side
            sides_from = _skip(_AFTER_CUE_ADVERB, scan, match.end())
            joiner = (
                _DUTCH_JOINER
                if "tussen" in cue
                else _BETWEEN_JOINER
                if between
                else _FROM_JOINER
                if cue.startswith(("se dif", "unterscheidet"))
                else _JOINER
            ).search(scan, sides_from, hi)
            if joiner is None:
                found.extend(_list_before(text, scan, sentence, match))
                continue
            first = scan[sides_from : joiner.start()]
            if not _words(first) or re.fullmatch(r"[\s\d:.$€£%apmh-]*", first, re.I):
                continue  # "between 2 and 5", "between 9am and noon"
            if _for_whom(first):
                continue  # "how do they differ for someone who travels": who it is for
            right_from = joiner.end()
            first_words = len(_words(first))
            end = _right_option(scan, right_from, hi, max(3, first_words + 2), min(first_words, 2))
            if end is None:
                continue
            end = _parallel_modifier(scan, first, end, hi)
            sides = [
                *_parts(scan, sides_from, joiner.start(), _SIDES),
                (right_from, end),
            ]
            if len(sides) < 2 or any(
                re.fullmatch(r"[\d:.]+\s*(?:am|pm|h)?", scan[a:b], re.I) for a, b in sides
            ):
                continue
            if _MEASURED_BEFORE.search(scan, max(0, match.start() - 14), match.start()) or (
                _MEASURED_AFTER.match(cue)
            ):
                continue  # "the time difference between Berlin and Tokyo": a quantity
            if _NEGATION.search(scan[max(sentence.start, match.start() - 15) : match.start()]):
                continue
            stated = (
                cue.startswith(("compar", "vergl"))
                and _stated(scan, sentence, sents, match.start(), words_before=1)
            ) or _made_already(scan, sentence, sents, match)  # "was torn" tells, "torn" asks
            found.extend(
                _comparison(
                    text,
                    scan,
                    match.start(),
                    end,
                    sides,
                    0.55 if stated else 0.82,
                    match.group(0),
                    stated,
                )
            )
        if how is not None:
            found.extend(_how_compare(text, scan, sentence))
        if any(map(low.__contains__, _OVER_KEYS)):
            found.extend(_preferred_over(text, scan, sentence, sents))
        found.extend(_comparatives(text, scan, sentence, sents))
        if any(map(low.__contains__, _OUTDO_KEYS)):
            found.extend(_outdoes(text, scan, sentence))
        if any(map(low.__contains__, _ALIKE_KEYS)):
            found.extend(_alike(text, scan, sentence))
        if "unterscheid" in low and _asking(scan, sentence, sents):
            found.extend(_differ_last(text, scan, sentence))
        if "next to" in low and "?" in chunk:
            found.extend(_next_to(text, scan, sentence))
    return _without_repeats(_unanswered(scan, sents, found))


# the end of a word that waves a question aside ("Anyway, …"), not "Whatever I click …"
_ASIDE_END = re.compile(r"\s*[,.;!\u2014\u2013-]")


def _unanswered(scan: str, sents: list[Span], found: list[Suggestion]) -> list[Suggestion]:
    """Branch points of a question the writer answers or waves aside right after it ("Is
    A faster than B? Yes, by 20%.", "¿… ? Sí, …", "… ? Anyway, …") weakened: not asked."""
    if not found or "?" not in scan:
        return found
    answered = [
        (sentence.start, sentence.end)
        for sentence, following in itertools.pairwise(sents)
        if scan.find("?", sentence.start, sentence.end) != -1
        and (SELF_ANSWER.match(scan, following.start) or _waved_aside(scan, following))
    ]
    if not answered:
        return found
    weak = calibrated(0.55)
    return [
        replace(s, confidence=weak, reasoning=f"{s.reasoning}, answered")
        if s.confidence > weak and any(a <= s.extent[0] < b for a, b in answered)
        else s
        for s in found
    ]


# the word a side opens on, past one determiner
_HEAD = re.compile(r"\s*(?:[^\W\d_]+\s+){0,1}?([^\W\d_][\w'-]{3,})")


def _parallel_left(
    scan: str, clause: tuple[int, int], start: int, after: int, at: int
) -> tuple[int, int] | None:
    """ "what renting in Lisbon costs per year versus renting in Porto": the side after
    "vs" repeats a word said earlier in the clause, so the side before it starts there
    and is as long as the one after it, not the words just before "vs"."""
    lo, hi = clause
    head = _HEAD.match(scan, after)
    if head is None or head.group(1).lower() in _DETERMINERS:
        return None
    word = head.group(1).lower()
    determiner = scan[after : head.start(1)].strip().lower()
    if determiner and determiner not in _DETERMINERS:
        return None
    earlier = scan.lower().rfind(word, lo, start)
    if earlier == -1 or len(_words(scan[earlier:at])) > 8:
        return None
    if scan[earlier - 1 : earlier].isalnum() or scan[earlier + len(word)].isalnum():
        return None  # part of a longer word
    right_end = _right_option(scan, after, hi, 6, 2)
    length = len(_words(scan[after:right_end])) if right_end is not None else 0
    end = _right_option(scan, earlier, at, length, min(length, 2)) if length else None
    return (earlier, end) if end is not None else None


def _waved_aside(scan: str, following: Span) -> bool:
    """Whether a sentence opens by waving the question before it aside: "Anyway, …",
    "En fin, …", "Bref, …", "Egal, …"."""
    aside = _SET_ASIDE.match(scan, following.start, following.end)
    return aside is not None and _ASIDE_END.match(scan, aside.end()) is not None


# a difference measured in a unit asks for the amount, not for a choice
_MEASURED_BEFORE = re.compile(
    r"\b(?:time|age|height|temperature|altitude|time-zone|timezone)\s+$", re.I
)
_MEASURED_AFTER = re.compile(
    r"(?:diferencias?|différences?)\s+(?:horaria|d'âge|de edad|de hora|de température|"
    r"de temperatura)\b",
    re.I,
)
_CLAUSE_OVER = re.compile(r"\s*(?:[,;.?!]|$)")
_LISTS_OF_POINTS = (
    *("pros and cons", "avantages", "ventajas", "vor- und", "pros y", "pro e", "prós"),
)
# a cue that stands between two sides
_IN_THE_MIDDLE = re.compile(
    r"\s(?:compared (?:to|with)|as opposed to|versus|vs\.?|rather than|instead of|"
    r"par rapport (?:à|au|aux)|comparée?s? (?:à|au|aux|avec)|face (?:à|au|aux)|plutôt que|"
    r"frente (?:a|al)|comparad[oa]s? con|en comparación (?:con|a|al)|en lugar de|"
    r"im vergleich (?:zu[mr]?|mit)|gegenüber|statt)\s",
    re.I,
)


def _points_of_one(
    text: str, scan: str, cue: re.Match[str], middle: re.Match[str], hi: int
) -> list[Suggestion]:
    """ "The pros and cons of A compared to B": A up to the middle cue, B after it."""
    left = (cue.end(), cue.end() + middle.start())
    right_from = cue.end() + middle.end()
    end = _right_option(scan, right_from, hi, 6, 1)
    if end is None or not 1 <= len(_words(scan[left[0] : left[1]])) <= 8:
        return []
    sides = [left, (right_from, end)]
    return _comparison(text, scan, cue.start(), end, sides, 0.82, cue.group(0))


def _without_repeats(found: list[Suggestion]) -> list[Suggestion]:
    """Two cues that name the same sides ("compare A vs B", "A vs B — which …?") give
    one branch point, not the same one twice: of branch points each of whose sides
    overlaps a side of a more confident one, none is kept."""
    groups: dict[int, list[Suggestion]] = {}
    for suggestion in found:
        groups.setdefault(id(suggestion.group or suggestion), []).append(suggestion)
    if len(groups) < 2:
        return found
    ranked = sorted(groups.values(), key=lambda members: -max(s.confidence for s in members))
    seen: list[Suggestion] = []
    kept: set[int] = set()
    for members in ranked:
        if not all(any(s.end > t.start and s.start < t.end for t in seen) for s in members):
            kept.update(id(s) for s in members)
        seen.extend(members)
    return [s for s in found if id(s) in kept]


_NEXT_TO = re.compile(r"\s+next to\s+", re.I)


def _next_to(text: str, scan: str, sentence: Span) -> list[Suggestion]:
    """ "Is X any good next to Y?", "X next to Y — which one holds up?": "next to" sets
    two things side by side when X is judged before it or a question of which one
    follows; "is the café next to the station any good?" is a place."""
    match = _NEXT_TO.search(scan, sentence.start, sentence.end)
    if match is None:
        return []
    lo, hi = _clause_bounds(scan, sentence, match.start(), match.end())
    judged = _JUDGED.search(scan, lo, match.start())
    if judged is None and not _WEIGHING_QUESTION.search(scan, hi, sentence.end):
        return []
    return _differs(text, scan, sentence, match, match.end())


# German puts the verb last in a clause it embeds: "worin sich X von Y unterscheidet",
# "wie sich X und Y unterscheiden", "was X von Y unterscheidet"
_DIFFER_LAST = re.compile(
    r"\b(?:(?:worin|wie|inwiefern|wodurch|ob)\s+sich|was)\s+(?P<x>[^,?;:]{1,60}?)\s+"
    r"(?:von|vom|und)\s+(?P<y>[^,?;:]{1,60}?)\s+(?:(?:eigentlich|genau|wirklich|denn|konkret|"
    r"überhaupt|so|sich)\s+)*unterscheide[nt]\b",
    re.I,
)


def _differ_last(text: str, scan: str, sentence: Span) -> list[Suggestion]:
    """ "Erklär mir, worin sich X von Y unterscheidet": the two sides of an embedded
    question of difference, asked or requested."""
    match = _DIFFER_LAST.search(scan, sentence.start, sentence.end)
    if match is None:
        return []
    x, y = match.span("x"), match.span("y")
    if any(not 1 <= len(_words(scan[a:b])) <= 7 for a, b in (x, y)):
        return []
    return _comparison(text, scan, x[0], y[1], [x, y], 0.82, "unterscheidet")


# a preposition that opens what a side is described by ("workspaces under one
# organization", "one workspace with separate teams")
_MODIFIER = _wordset(
    "with without under like in on avec sans sous comme dans con sin bajo como mit ohne unter "
    "wie im"
)
_MODIFIER_AT = re.compile(r"\s+([^\W\d_]+)\s+(?=\S)")


def _parallel_modifier(scan: str, first: str, end: int, hi: int) -> int:
    """The second side carries a modifier as the first one does: "between workspaces
    under one organization and one workspace with separate teams" keeps "with separate
    teams", where a stop word would have ended it."""
    if not any(word in _MODIFIER for word in _words(first)[1:]):
        return end
    after = _MODIFIER_AT.match(scan, end, hi)
    if after is None or after.group(1).lower() not in _MODIFIER:
        return end
    return _right_option(scan, after.end(), hi, 4, 1) or end


_REQUESTING = re.compile(
    r"\b(?:please|pls|can you|could you|would you|help|need|want|i'd like|tell me|explain|"
    r"show|which|should|better|worth|s'il te plaît|s'il vous plaît|peux-tu|pouvez-vous|"
    r"explique\w*|dis-moi|por favor|puedes|podrías|explica\w*|dime|bitte|kannst|können sie|"
    r"erklär\w*|sag mir)\b|"
    # a question told as what one does not know, then what is asked: "I don't get what
    # …", "je ne comprends pas ce qui …", "no entiendo qué …", "ich verstehe nicht, was …"
    r"\b(?:(?:do not|don't|dont|can't|cannot)\s+(?:really\s+|quite\s+)?(?:get|understand|see)|"
    r"not sure|trying to (?:figure out|work out|understand|decide)|wonder(?:ing)?|"
    r"comprends? pas|sais pas|me demande|no entiendo|no sé|me pregunto|versteh\w* nicht|"
    r"weiß nicht|frage mich)(?:[\s,]+[^\W\d_]+){0,2}?[\s,]+(?:what|whether|if|which|how|"
    r"ce que|ce qui|si|quel\w*|qué|cuál|was|ob|wie|welche\w*)\b",
    re.I,
)


# a pronoun for the things compared: "compare them for my use: …" lists the uses
_THEM = _wordset("them both les los las ellos sie beide ceux eux")


def _object_given(scan: str, cue: re.Match[str], colon: int) -> bool:
    """Whether what a colon lists after a verb of comparing is not what is compared: a
    pronoun stands for the things compared, before the verb or after it ("me les
    comparer pour mon usage : …", "compare them for: …")."""
    before = _PREVIOUS.search(scan, max(0, cue.start() - 12), cue.start())
    if before is not None and before.group(1).lower() in ("les", "los", "las"):
        return True
    return any(word in _THEM for word in _words(scan[cue.end() : colon])[:2])


# a choice in the past, told: "I was torn between A and B for weeks, but …", "I had to
# choose between A and B", "j'ai dû choisir entre", "tuve que elegir entre", "ich musste
# wählen zwischen"
_PAST_CHOICE = re.compile(
    r"\b(?:was|were|had been|j'étais|j'hésitais|hésitait|estaba|estábamos|estuve|estuvimos|"
    r"dudaba|war|waren|(?:had|needed) to|j'ai dû|avons dû|a dû|je devais|nous devions|"
    r"(?:il )?(?:fallait|a fallu)|tuve que|tuvimos que|tenía que|teníamos que|hubo que|"
    r"musste|mussten)\s+"
    r"(?:\w+\s+)?$",
    re.I,
)


# a weighing done before what the sentence tells: "After weighing A against B, I took A"
_DONE_FIRST = re.compile(
    r"\b(?:after|once|having|après(?: avoir)?|después de|tras|nachdem)\s+(?:[\w']+\s+){0,2}$",
    re.I,
)


def _made_already(scan: str, sentence: Span, sents: list[Span], cue: re.Match[str]) -> bool:
    """Whether a choice between two is told in the past, in a statement that no question
    after it takes up ("… and we still can't agree. Thoughts?" asks)."""
    lead = max(sentence.start, cue.start() - 24)
    past = _PAST_CHOICE.search(scan, lead, cue.start()) or _DONE_FIRST.search(
        scan, lead, cue.start()
    )
    if past is None or "?" in scan[sentence.start : sentence.end]:
        return False
    return not _asked_after(scan, [s for s in sents if s.start >= sentence.end][:2])


def _asking(scan: str, sentence: Span, sents: list[Span]) -> bool:
    """Whether a sentence, or the one after it, asks: a question or a request. A
    comparison stated in passing ("sales are up compared to last year") offers no choice."""
    following = [s for s in sents if s.start >= sentence.end][:1]
    return any(
        "?" in scan[s.start : s.end]
        or _REQUESTING.search(scan, s.start, s.end)
        or _QUESTION_ORDER.match(scan, s.start, s.end)
        for s in (sentence, *following)
    )


# a question without its mark, in its word order: "how's uv different from pip",
# "is renting cheaper than buying in the long run"
_QUESTION_ORDER = re.compile(
    r"[\s\-*•]*(?:(?:how|what)(?:'s|\s+(?:is|are|does|do|did|would|will)\b)|whats\b|"
    r"(?:is|are|does|do|did|would|should|can|could|ist|sind|lohnt|est-ce)\b)",
    re.I,
)


def _stated(
    scan: str,
    sentence: Span,
    sents: list[Span],
    at: int,
    words_before: int = 3,
    choice_cues: bool = True,
) -> bool:
    """ "We watched Godzilla vs. Kong last night.", "After comparing A and B for weeks, I
    went with B.": a pair named inside a statement (a clause runs before the cue), with
    no question, request or choice in its sentence, and no question after it that points
    back to it ("Thoughts?", "Which would you pick?"): a title, a match, a fact, a choice
    already made. A sentence that opens on the pair ("Notion vs. Obsidian for notes.")
    or on the cue ("Compare A and B.") is the request itself. Without ``choice_cues``
    a word of choosing in the sentence ("it was cheaper") does not make it asked."""
    chunk = scan[sentence.start : sentence.end]
    if "?" in chunk or len(_words(scan[sentence.start : at])) < words_before:
        return False
    if _REQUESTING.search(chunk) or (
        choice_cues
        and any(cue.group(0).lower() not in ("vs", "versus") for cue in _CHOICE_CUE.finditer(chunk))
    ):
        return False
    following = [s for s in sents if s.start >= sentence.end][:2]
    return bool(following) and not _asked_after(scan, following)


def _asked_after(scan: str, following: list[Span]) -> bool:
    """Whether the sentences after a pair ask about it: "Je compare A et B. … Laquelle
    consomme le moins ?", "… the pros and cons of each?", "Thoughts?"."""
    if any(
        _ASKED_AFTER.match(scan, s.start, s.end) or _POINTS_BACK.search(scan, s.start, s.end)
        for s in following
    ):
        return True
    after = scan[following[0].start : following[0].end] if following else ""
    return _short_question(after) and not _ASKS_ANEW.match(after)


# a question that points back to a pair just named ("the pros and cons of each?")
_POINTS_BACK = re.compile(
    r"\b(?:each|both|either|which|the two|chacun\w*|les deux|lequel|laquelle|cada|ambos|ambas|"
    r"los dos|las dos|cuál|beide\w*|jeweils|welche\w*)\b",
    re.I,
)
# a short question that asks something new ("Who directed it?"), not "Thoughts?"
_ASKS_ANEW = re.compile(
    r"[\s¿]*(?:who|why|how|where|when|qui|pourquoi|comment|où|quand|quién|por qué|cómo|dónde|"
    r"cuándo|wer|warum|wie|wo|wann)\b",
    re.I,
)


def _how_compare(text: str, scan: str, sentence: Span) -> list[Suggestion]:
    """ "How do A, B and C compare …?", "how does A compare to B?"."""
    match = _HOW_COMPARE.search(scan, sentence.start, sentence.end)
    if match is None:
        return []
    sides = _parts(scan, match.start(1), match.end(1), _SIDES)
    if len(sides) == 1 and match.end() > match.end(1) + 8:
        _, hi = _clause_bounds(scan, sentence, match.end(), match.end())
        end = _right_option(scan, match.end(), hi, 6, 1)
        if end is not None:
            sides.append((match.end(), end))
    if len(sides) < 2:
        return []
    return _comparison(text, scan, match.start(), sides[-1][1], sides, 0.84, "how … compare")


_OVER = re.compile(
    r"\s(?:over|instead of|rather than|in place of|as opposed to|en lugar del?|en vez del?|sobre|"
    r"plutôt que|au lieu de|(?:an)?statt|anstelle von)\s+",
    re.I,
)
# What puts X first: a verb of choosing before it, a noun of advantage ("the upside of
# X"), or X judged worth it.
_PREFER_VERB = re.compile(
    r"\b(?:pick|choose|prefer|use|go (?:with|for)|going (?:with|for)|recommend|take|favou?r|"
    r"opt for|buy|get|switch to|learn|run|stick with|pay for|invest in|eleg\w*|elij\w*|"
    r"escog\w*|us(?:ar|o|aría|arías)|prefier\w*|choisi\w*|prend\w*|utilis\w*|préfér\w*|"
    r"coger|tomar|contratar|"
    r"wähl\w*|nehm\w*|nimm\w*|nutz\w*|verwend\w*|kauf\w*)"
    r"(?:s|ed|ing)?\s+",
    re.I,
)
_ADVANTAGE = re.compile(
    r"\b(?:advantages?|benefits?|upsides?|point|case|reasons?|arguments?|edge|appeal|gains?|"
    r"cons|drawbacks?|downsides?|inconvénients?|desventajas?|contras|nachteile?|"
    r"ventajas?|avantages?|intérêt|vorteile?|vorzüge|sinn)\s+(?:of|to|for|in|de|du|des|d'|"
    r"von|vom|an|does|do|would|tiene|tienen|ofrece|a|offre|hat|bietet)\s*",
    re.I,
)
_WORTH = re.compile(
    r"\s+(?:really\s+|actually\s+|still\s+)?worth(?:\s+(?:it|the\s+(?:money|price|cost|"
    r"extra(?:\s+\w+)?|upgrade|switch|hassle)))?\s*$",
    re.I,
)
_NOT_PREFERRED = re.compile(
    r"\s*(?:[\d$€£]|(?:a|an|one|two|three|four|five|six|ten|several|many|the|a few|the next|"
    r"the last)\s+(?:\w+\s+)?(?:days?|weeks?|months?|years?|decades?|hours?|minutes?|"
    r"weekends?|summer|winter|holidays?|night|phone|internet|network|air|wire|wifi)\b|"
    r"(?:time|night|email|e-mail|wifi|wi-fi|ssh|vpn|http|bluetooth|lunch|dinner|there|here)\b|"
    r"(?:the\s+)?(?:long|short|medium)(?:er)?\s+(?:term|run|haul)\b|"
    r"the\s+(?:past|coming|course|years|decades)\b)",
    re.I,
)


def _preferred_over(text: str, scan: str, sentence: Span, sents: list[Span]) -> list[Suggestion]:
    """ "Should I pick PostgreSQL over MongoDB?", "is X worth it over Y?", "the advantages
    of X over Y": X set first by what frames it, then "over" (or "instead of", "rather
    than") and Y. Asked or requested only."""
    found: list[Suggestion] = []
    for match in _OVER.finditer(scan, sentence.start, sentence.end):
        at, after = match.start(), match.end()
        if _NOT_PREFERRED.match(scan, after):
            continue  # "over the weekend", "over two years", "over ssh"
        lo, hi = _clause_bounds(scan, sentence, at, after)
        start = _framed_left(scan, lo, at)
        if start is None:
            continue
        left_end = at
        worth = _WORTH.search(scan, start, at)
        if worth is not None:
            left_end = worth.start()
        had = _HAD.search(scan[start:at])
        if had is not None:
            left_end = start + had.start()  # "what advantages does X have over Y"
        end = _right_option(scan, after, hi, 6, 1)
        if end is None or not _asking(scan, sentence, sents):
            continue
        sides = [(start, left_end), (after, end)]
        if any(not _words(scan[a:b]) or len(_words(scan[a:b])) > 8 for a, b in sides):
            continue
        found.extend(_comparison(text, scan, start, end, sides, 0.82, match.group(0)))
    return found


_DELIBERATE = re.compile(
    r"\b(?:should|shall|why|worth|better|best|smarter|wiser|sense|recommend|advise|suggest|"
    r"would you|do you|is it|was it|reason|debería|deberíamos|conviene|recomiendas|dois-je|"
    r"devrais|faut-il|conseilles|soll|sollte|sollten|lohnt|empfiehlst|por qué|pourquoi|warum|"
    r"wieso|vaut|vale|merece|compensa|lose|give up|gain|miss out)\b",
    re.I,
)


# what X has over Y: "does X have (any advantage)", "what advantages does X have"
_HAD = re.compile(
    r"\s+(?:have|has|hold|offer|offers|bring|brings|give|gives)(?:\s+(?:me|us|you))?"
    r"(?:\s+(?:any|an|a|some|the|real|big|clear))*(?:\s+(?:advantages?|benefits?|edge|"
    r"upsides?))?\s*$",
    re.I,
)
# what is judged worth it comes after the judgment in French, Spanish and German
_WORTH_LEAD = re.compile(
    r"\b(?:(?:vale|merece) la pena|vaut(?:-il)?(?: vraiment)? (?:le coup|la peine) d(?:e\s+|')|"
    r"lohnt (?:es )?sich,?)\s*",
    re.I,
)
# "does X have any advantage over Y", "would X give me an edge over Y"
_HAS_EDGE = re.compile(
    r"\b(?:does|do|did|would|will|can|could)\s+(?P<x>[^,;:?]{1,50}?)\s+(?:have|hold|offer|give)"
    r"(?:\s+(?:me|us|you))?\s+(?:any|an|a|some|the|real|big|clear|\s)*(?:advantages?|benefits?|"
    r"edge|upsides?)\s*$",
    re.I,
)
_TAKEN = re.compile(r"\s(?:with|for|on|in|into|to)\s+(?=(?:\S+\s+){0,3}\S+$)", re.I)


def _framed_left(scan: str, lo: int, at: int) -> int | None:
    """Where X starts in "… X over Y": after the noun of advantage or the verb of
    choosing (in a deliberating question: "should I …", "why …") nearest before it, or,
    with X "worth it", where its own phrase starts; or after a preposition that takes
    it ("why bother with X over Y"). "Could you use X instead of Y" is an instruction."""
    frames = [
        m.end()
        for pattern in (_PREFER_VERB, _ADVANTAGE, _WORTH_LEAD)
        for m in pattern.finditer(scan, lo, at)
        if len(_words(scan[m.end() : at])) <= 6
        and (pattern is not _PREFER_VERB or _DELIBERATE.search(scan, lo, m.start()))
    ]
    if frames:
        start = max(frames)
        return start if _words(scan[start:at]) else None
    edge = _HAS_EDGE.search(scan, lo, at)
    if edge is not None:
        return edge.start("x")  # "does X have any advantage over Y"
    worth = _WORTH.search(scan, lo, at)
    if worth is None:
        taken = _TAKEN.search(scan, lo, at)
        if taken is None or not _DELIBERATE.search(scan, lo, taken.start()):
            return None
        return taken.end() if _words(scan[taken.end() : at]) else None
    softened = _SOFTENERS.search(scan, lo, worth.start())
    left = _left_option(scan, lo, softened.start() if softened else worth.start())
    return left[0] if left else None


# a question embedded in a statement: "I'm trying to decide whether X is better than Y"
_EMBEDDED_QUESTION = re.compile(
    r"\b(?:whether|ob|(?:demande|sais pas|sé|pregunto|saber|decidir) si|"
    r"(?:figure out|work out|wonder|wondering|not sure|unsure|know|decide|see) if)\b",
    re.I,
)


def _comparatives(text: str, scan: str, sentence: Span, sents: list[Span]) -> list[Suggestion]:
    """ "Is X cheaper than Y?", "¿Es X mejor que Y?", "Ist X besser als Y?" (questions,
    asked or embedded: "… whether X makes more sense than Y")."""
    chunk = scan[sentence.start : sentence.end]
    if not (
        "?" in chunk
        or _QUESTION_ORDER.match(scan, sentence.start, sentence.end)
        or (
            any(map(chunk.lower().__contains__, ("whether", "ob ", "si ", " if ")))
            and _EMBEDDED_QUESTION.search(scan, sentence.start, sentence.end)
        )
    ):
        return []
    found: list[Suggestion] = []
    for than in _THAN.finditer(scan, sentence.start, sentence.end):
        window_start = max(sentence.start, than.start() - 40)
        if than.group(0).lower() in ("as", "como", "wie") or (
            than.group(0).lower() == "que" and _EQUATIVE.search(scan, window_start, than.start())
        ):
            equal = _EQUATIVE.search(scan, window_start, than.start())
            if equal is None or _NOT_EQUATIVE.match(scan, equal.start()):
                continue  # "as", "como", "wie" compare only after "as good", "tan bueno"
            found.extend(_sides(text, scan, sentence, equal.start(), than))
            continue
        equal = _AS_MUCH.search(scan, window_start, than.start())
        if equal is not None and than.group(0).lower() == "que":
            found.extend(_inverted(text, scan, equal, than, _clause_end(scan, sentence, than)))
            continue
        english = than.group(0).lower() in ("than", "als")
        if _CONJUNCTION_QUE.search(scan, window_start, than.end()):
            continue  # "pour que", "bien que", "para que": a conjunction, not "than"
        lo, hi = _clause_bounds(scan, sentence, than.start(), than.end())
        if scan[hi : hi + 1] == ":" and not _asks_itself(scan, lo):
            continue  # "a question more than an issue: do you …?" heads what it asks
        marks = [
            m
            for m in _COMPARATIVE.finditer(scan, max(window_start, lo), than.start())
            if (english or not m.group(0).lower().endswith("er") or m.group(0).lower() in _NAMED)
            and not (m.group(0)[0].isupper() and m.start() > sentence.start)  # "a Ledger"
            and (m.group(0).lower() != "mais" or than.group(0).lower() == "do que")  # fr "but"
            and not _NOT_COMPARATIVE.search(scan, max(sentence.start, m.start() - 5), m.start())
        ]
        if not marks:
            far = _FAR_IMPERSONAL.match(scan, lo, than.start())
            if far is not None:  # "is it cheaper in the long run to heat … than …"
                found.extend(_inverted(text, scan, far, than, hi, far.end("mark")))
            continue
        if _IMPERSONAL.search(scan, lo, marks[-1].start()) or not scan[
            lo : marks[-1].start()
        ].strip(" ¿¡"):
            inverted = _inverted(text, scan, marks[-1], than, hi)
            if inverted:
                found.extend(inverted)
                continue
        gap = scan[marks[-1].end() : than.start()].split()
        if 2 < len(gap) <= 7 and gap[0].lower() in _INVERTED_START:
            # "¿Merece la pena pagar más por X que por Y?": X follows the comparative
            found.extend(_inverted(text, scan, marks[-1], than, hi))
            continue
        if len(gap) > 2 and not (gap[0].lower() == "to" and len(gap) <= 4):
            continue  # "nicer to work with than" keeps its infinitive
        left_end = marks[-1].start()
        softened = _SOFTENERS.search(scan, lo, left_end)
        left_end = softened.start() if softened else left_end
        left = (
            _subject(scan, lo, left_end, softened)
            or _copula_subject(scan, lo, left_end, than.end())
            or _left_option(scan, lo, left_end)
        )
        if left is None:
            continue
        left_end = left[2] if len(left) > 2 else left_end
        end = _right_option(scan, than.end(), hi, 6, 1)
        if end is None or _threshold(scan, marks[-1], than, end):
            continue  # "larger than 10 MB", "mehr als eine Seite" is a threshold
        sides = [(left[0], left_end), (than.end(), end)]
        if any(len(_words(scan[a:b])) == 0 for a, b in sides):
            continue
        found.extend(_comparison(text, scan, left[0], end, sides, 0.86, "comparative"))
    if found and (
        _WHY_OR_WHO.match(scan, sentence.start)
        or _premise(scan, sentence, found)
        or _reported(scan, sentence, sents, found[0].extent[1])
    ):
        # "Why is my laptop slower than my brother's?", "Since the train is cheaper than
        # the plane, when should I book?": the comparison is a fact the question starts
        # from, not what it asks
        return [
            replace(s, confidence=calibrated(0.55), reasoning=f"{s.reasoning}, taken as given")
            for s in found
        ]
    return found


def _reported(scan: str, sentence: Span, sents: list[Span], end: int) -> bool:
    """ "My boss asked whether A is better than B.": a question someone else asked, told
    in a statement that no question after it takes up ("… Which would you say?")."""
    if "?" in scan[sentence.start : sentence.end]:
        return False
    if _TOLD.search(scan, sentence.start, end) is None:
        return False
    return not _asked_after(scan, [s for s in sents if s.start >= sentence.end][:2])


def _asks_itself(scan: str, lo: int) -> bool:
    """Whether a clause opens as a question does: on its copula or its auxiliary."""
    return bool(_COPULA_LEAD.match(scan, lo) or _AUXILIARY.match(scan, lo))


_PREMISE = re.compile(
    r"[\s\-*•]*(?:since|because|as|now that|given that|seeing that|comme|puisque|vu que|"
    r"étant donné que|maintenant que|como|ya que|puesto que|dado que|ahora que|da|weil|"
    r"nachdem|zumal|jetzt,? wo)\b",
    re.I,
)


def _premise(scan: str, sentence: Span, found: list[Suggestion]) -> bool:
    """Whether the comparison sits in a clause of reason that opens the sentence, before
    the comma that leads to what is asked ("Since A is cheaper than B, how …?")."""
    if not _PREMISE.match(scan, sentence.start):
        return False
    comma = scan.find(",", sentence.start, sentence.end)
    return comma != -1 and all(s.end <= comma for s in found)


_CONJUNCTION_QUE = re.compile(
    r"\b(?:pour|parce|bien|afin|ce|sûre?s?|dès|alors|tant|sans|avant|pendant|para|ya|así|"
    r"hasta|antes|mientras|sin|aunque|dass|so)\s+que$",
    re.I,
)
# "en plus", "de plus", "non plus" (also), "sin más" (just): the word before the
# comparative makes it a fixed phrase
_NOT_COMPARATIVE = re.compile(r"\b(?:en|de|non|sin)\s+$", re.I)


# a figure ("10 GB", "$5", "5GB"), not a name that opens on a digit ("1Password")
_FIGURE_START = r"[$€£]|\d(?![\d.,]*[^\W\d_]{4})"
# a figure or a numeral after "than" is an amount ("larger than 10 MB", "more than two
# hours"); an article that is also "one" is one only after a bare "more"/"less"
_NUMERAL = re.compile(
    rf"\s*(?:{_FIGURE_START}|"
    r"(?:one|two|three|a (?:few|couple)|deux|trois|dos|tres|zwei|drei)\b)",
    re.I,
)
_FIGURE = re.compile(rf"\s*(?:{_FIGURE_START})")
_ARTICLE_ONE = re.compile(r"\s*(?:un|une|uno|una|ein|eine|einen)\b", re.I)

# an amount, hedged or not, with its unit: "$84", "like $13/month", "about 3 h a day"
_HEDGED_FIGURE = re.compile(
    r"\s*(?:(?:like|about|around|roughly|approx\.?|approximately|nearly|almost|~|ca\.|circa|"
    r"environ|presque|unos|unas|casi|etwa|rund|ungefähr|fast)\s*)?"
    rf"(?:{_FIGURE_START})\S*(?:\s?[%$€£])?"
    r"(?:\s+(?:per|a|an|par|al|por|pro|im)\s+[^\W\d_]+|\s+[^\W\d_]{1,6}\.?)?\s*$",
    re.I,
)


def _figures_aside(scan: str, sentence: Span, sides: list[tuple[int, int]]) -> bool:
    """ "I took the yearly plan, it was cheaper ($84 vs about $13 a month).": amounts
    set against each other in brackets back a statement up; they are not options."""
    opened = scan.rfind("(", sentence.start, sides[0][0])
    if opened == -1 or scan.find(")", opened, sides[0][0]) != -1:
        return False
    return all(_HEDGED_FIGURE.match(scan, a, b) for a, b in sides)


def _threshold(scan: str, mark: re.Match[str], than: re.Match[str], end: int) -> bool:
    """Whether what follows "than" is an amount: a figure or a numeral, or an article
    that counts after a bare "more" ("mehr als eine Seite"); after a comparative of
    quality it opens a side ("günstiger als ein Kleinwagen")."""
    if _NUMERAL.match(scan, than.end(), end):
        return True
    bare = mark.group(0).lower() in _ANALYTIC and not scan[mark.end() : than.start()].strip()
    return bare and bool(_ARTICLE_ONE.match(scan, than.end(), end))


_AUXILIARY = re.compile(
    r"[\s¿]*(?:(?:what|where|how|why|in what way)\s+)?(?:does|do|did|can|could|will|would|"
    r"might)\s+",
    re.I,
)


def _subject(
    scan: str, lo: int, end: int, softened: re.Match[str] | None
) -> tuple[int, int, int] | None:
    """ "Does a gas range really cook better than …": X is the subject after the
    auxiliary, its verb and adverbs left out (start, items, end)."""
    aux = _AUXILIARY.match(scan, lo)
    if aux is None or (softened and re.search(r"\b(?:be|is|are)\b", softened.group(0), re.I)):
        return None
    verb = re.search(r"\s+[^\W\d_]+\s*$", scan[aux.end() : end])
    if verb is None:
        return None
    subject_end = aux.end() + verb.start()
    adverbs = _SOFTENERS.search(scan, aux.end(), subject_end)
    subject_end = adverbs.start() if adverbs else subject_end
    if not _words(scan[aux.end() : subject_end]):
        return None
    return aux.end(), 1, subject_end


_COPULA_LEAD = re.compile(r"[\s¿]*(?:is|are|was|were|ist|sind|war|wäre|wären|es|son)\s+", re.I)
_ADJUNCT_WORDS = (
    r"(?:for|in|on|at|with|to|from|by|für|im|bei|mit|zur|zum|auf|als|para|en|con|pour|dans|avec)"
)
_ADJUNCT = re.compile(rf"\s{_ADJUNCT_WORDS}\s", re.I)
# the other side an adjunct too ("than in France")
_ADJUNCT_SIDE = re.compile(rf"\s*{_ADJUNCT_WORDS}\s", re.I)


def _copula_subject(scan: str, lo: int, end: int, than_end: int) -> tuple[int, int, int] | None:
    """ "Ist Polars in der Praxis schneller als Pandas?": in a question that opens on
    its copula, X is the subject after it, the adjunct that follows left out (start,
    items, end). Not when the other side is an adjunct itself ("are trains in Italy
    cheaper than in France?"): there the adjuncts are compared."""
    lead = _COPULA_LEAD.match(scan, lo)
    if lead is None or _ADJUNCT_SIDE.match(scan, than_end):
        return None
    adjunct = _ADJUNCT.search(scan, lead.end(), end)
    if adjunct is None:
        return None
    words = _words(scan[lead.end() : adjunct.start()])
    if not 1 <= len(words) <= 5 or words[0] in _NOT_A_SIDE:
        return None
    return lead.end(), 1, adjunct.start()


_AS_MUCH = re.compile(r"\bigual de \w+|\baussi \w+(?=\s+(?:le|la|les|l'|un|une))", re.I)


def _clause_end(scan: str, sentence: Span, than: re.Match[str]) -> int:
    return _clause_bounds(scan, sentence, than.start(), than.end())[1]


_IMPERSONAL = re.compile(
    r"(?:\b(?:is|was|would|will|could|might)\s+it(?:\s+be)?|\bit(?:'s|\s+is|\s+would\s+be)|"
    r"\b(?:es|sería|será|sale|compensa|(?:vale|merece) la pena|est-il|est-ce|c'est|serait|"
    r"ist es|wäre es|è|sarebbe|how much|"
    r"how many times|vaut-il|il vaut|vaudrait-il|conviene|convendría|cuánto|combien))"
    r"(?:\s+(?:really|actually|much|way|a lot|vraiment|realmente|wirklich|davvero))?[\s¿]*$",
    re.I,
)
_INVERTED_START = (_DETERMINERS | _PREPOSITIONS | {"por"}) - {"of", "to"}
_ANALYTIC = frozenset({"more", "less", "plus", "moins", "más", "menos", "mais", "mehr", "weniger"})
# "how much cheaper is it to cook than …": the copula and its dummy subject
_COPULA = re.compile(
    r"\s*(?:(?:is|are|was|would be|es|est|ist|sind)\b\s*)?(?:it\b\s*(?:be\b\s*)?)?", re.I
)
_TO = re.compile(r"[\s,]*(?:(?:to|de|d'|zu)\b\s*)?", re.I)


# what a comparative's scope may open with before its infinitive
_ADVERBIAL = re.compile(
    r"(?:\s*(?:in the long run|in the long term|in the end|overall|on average|per month|"
    r"per year|a la larga|à long terme|au final|auf lange sicht|langfristig)\b,?)?",
    re.I,
)


# an impersonal comparative further from its "than" than a comparative's window
_FAR_IMPERSONAL = re.compile(
    r"[\s¿]*(?:is|would|will|was)\s+it\s+(?:(?:really|actually|still|much)\s+)?"
    r"(?P<mark>[^\W\d_]{3,}er|more \w+|less \w+|better|worse)\b",
    re.I,
)


def _inverted(
    text: str,
    scan: str,
    mark: re.Match[str],
    than: re.Match[str],
    hi: int,
    after: int | None = None,
) -> list[Suggestion]:
    """ "Is it cheaper to fly than to drive?", "¿Es mejor alquilar que comprar?",
    "¿Es más barato el tren que el avión?": X comes after the comparative (which ends at
    ``after`` when given)."""
    start = mark.end() if after is None else after
    adjective = re.match(r"\s+([^\W\d_]+)", scan[start : than.start()])
    analytic = mark.group(0).lower() in _ANALYTIC
    lower = adjective is not None and adjective.group(1)[0].islower()
    if analytic and adjective and lower and adjective.group(1).lower() not in _DETERMINERS:
        start += adjective.end()  # "más barato el tren", not "más un seguro", "más Shopify"
    start = _skip(_ADVERBIAL, scan, start)  # "cheaper in the long run to heat …"
    start = _skip(_TO, scan, start)
    start = _skip(_COPULA, scan, start)  # "how much worse is X than Y"
    if not 1 <= len(_words(scan[start : than.start()])) <= 8:
        return []
    right = _skip(_TO, scan, than.end())
    end = _right_option(scan, right, hi, 6, 1)
    if end is None or _FIGURE.match(scan, right, end):
        return []
    sides = [(start, than.start()), (right, end)]
    return _comparison(text, scan, start, end, sides, 0.84, "comparative")


_OUTDO = _Folding(
    re.compile(
        r"\b(?:beats?|outperforms?|outpaces?|outlasts?|outscales?|outsells?|surpass(?:es)?|"
        r"win (?:over|against)|wins (?:over|against)|keeps? up with|compete with|competes with|"
        r"hold (?:up|its own) against|holds (?:up|its own) against|rivals?|replaces?|"
        r"substitute for|stand in for)\s+",
        re.I,
    )
)


def _outdoes(text: str, scan: str, sentence: Span) -> list[Suggestion]:
    """ "Would a Kindle beat an iPad for PDFs?", "Does Go outperform Java?" (questions
    only): a verb of outdoing between two sides."""
    if "?" not in scan[sentence.start : sentence.end]:
        return []
    match = _OUTDO.search(scan, sentence.start, sentence.end)
    if match is None:
        return []
    lo, hi = _clause_bounds(scan, sentence, match.start(), match.end())
    if match.group(0).startswith("replace") and _replaced_by_someone(scan, match.end(), hi):
        return []
    softened = _SOFTENERS.search(scan, lo, match.start())
    left_end = softened.start() if softened else match.start()
    left = _left_option(scan, lo, left_end)
    end = _right_option(scan, match.end(), hi, 6, 1)
    if left is None or end is None or _FIGURE.match(scan, match.end(), end):
        return []
    sides = [(left[0], left_end), (match.end(), end)]
    return _comparison(text, scan, left[0], end, sides, 0.84, match.group(0))


# what marks "replace" as an act done to a thing rather than one thing standing in for
# another: a word that narrows what is replaced ("replace just the case"), or what it is
# replaced with ("replace the screen with a new one")
_NARROWED = re.compile(r"\s*(?:just|only|merely|simply)\b", re.I)
_REPLACED_WITH = re.compile(r"\s(?:with|by)\s", re.I)


def _replaced_by_someone(scan: str, after: int, hi: int) -> bool:
    """ "Does the shop replace just the lid?", "Will they replace it with a new one?":
    the one before "replace" is who does it, not a side to weigh against what follows;
    "Can an e-reader replace paper books?" weighs the two."""
    return bool(_NARROWED.match(scan, after, hi) or _REPLACED_WITH.search(scan, after, hi))


_NEG_AUX = (
    r"(?:doesn't|does not|don't|do not|didn't|can't|cannot|can not|won't|will not|wouldn't|"
    r"couldn't|isn't|is not|aren't|hasn't|haven't|lacks?|is missing|misses)"
)
_WHAT_ONE_HAS = (
    # "What does X give me that Y doesn't?", "Does X have anything Y lacks?"
    re.compile(
        r"\b(?:what\s+(?:\w+\s+)?(?:do|does|did|can|could|will|would|has|have)\s+"
        r"(?P<x>[^,?]{2,50}?)\s+(?P<v>[^\W\d_]+)(?:\s+(?:me|us|you|them|for \w+))?\s+"
        r"(?:that|which)|(?:do|does|did|can|could|will|would|has|have)\s+(?P<x2>[^,?]{2,50}?)\s+"
        r"(?P<v2>[^\W\d_]+)\s+(?:anything|something|any\s+\w+)(?:\s+(?:that|which))?)\s+"
        rf"(?P<y>[^,?]{{2,50}}?)\s+{_NEG_AUX}\b(?:\s+(?P<again>[^\W\d_]+))?",
        re.I,
    ),
    # "¿Qué tiene X que no tenga Y?", "¿Qué ofrece X que Y no ofrezca?"
    re.compile(
        r"\bqué\s+(?:\w+\s+)?(?P<v>[^\W\d_]+)\s+(?P<x>[^,?]{2,40}?)\s+que\s+(?:no\s+"
        r"(?P<again>[^\W\d_]+)\s+(?P<y>[^,?]{2,40}?)\s*(?:\?|$)|(?P<y2>[^,?]{2,40}?)\s+no\s+"
        r"(?P<again2>[^\W\d_]+))",
        re.I,
    ),
    # "Qu'est-ce que X apporte (de plus) que Y n'a pas ?"
    re.compile(
        r"\b(?:qu'est-ce qu[e']|que)\s*(?P<x>[^,?]{2,40}?)\s+[^\W\d_]+(?:\s+de plus)?\s+"
        r"qu[e']\s*(?P<y>[^,?]{2,40}?)\s+(?:ne\s+|n')\s*[^\W\d_]+\s+pas\b",
        re.I,
    ),
    # "Was kann X, was Y nicht kann?"
    re.compile(
        r"\bwas\s+(?P<v>[^\W\d_]+)\s+(?P<x>[^,?]{2,40}?),?\s+was\s+(?P<y>[^,?]{2,40}?)\s+"
        r"(?:nicht|kein\w*)\s+(?P<again>[^\W\d_]+)",
        re.I,
    ),
)
_HAS_NOT = ("n't", "not", "lack", "miss", "no ", "nicht", "kein", "pas")
_ELLIPSIS_END = re.compile(
    r"\s*(?:[?.!,;)]|$|(?:for|in|on|with|when|at|yet|already|really|though|anymore|out)\b)", re.I
)


def _what_one_has(text: str, scan: str, sentence: Span, low: str) -> list[Suggestion]:
    """ "What does X give me that Y doesn't?": what one side has and the other lacks,
    the second verb left out or repeated (questions only; ``low``: the sentence in lower
    case)."""
    if not any(map(low.__contains__, _HAS_NOT)):
        return []
    for index, pattern in enumerate(_WHAT_ONE_HAS):
        match = pattern.search(scan, sentence.start, sentence.end)
        if match is None:
            continue
        groups = {k: v for k, v in match.groupdict().items() if v}
        verb = (groups.get("v") or groups.get("v2") or "").lower()
        again = groups.get("again", "").lower()
        other_verb = index == 0 and again and again[:3] != verb[:3]
        if other_verb and not _ELLIPSIS_END.match(scan, match.start("again")):
            continue  # "what does the error mean that the docs don't mention"
        x = match.span("x" if "x" in groups else "x2")
        y = match.span("y" if "y" in groups else "y2")
        if _CONJUNCTION_QUE.search(scan[x[0] : x[1]] + " que"):
            continue  # "¿qué hago para que la app no se cierre?": "para que", no side
        if any(not set(_words(scan[a:b])) - _DETERMINERS for a, b in (x, y)):
            continue
        if any(len(_words(scan[a:b])) > 6 for a, b in (x, y)):
            continue
        return _comparison(text, scan, x[0], y[1], [x, y], 0.82, "what … lacks")
    return []


_BE = r"(?:are|is|were|was|sont|est|son|es|sind|ist)"
_SAME = (
    r"(?:the same(?: thing)?|similar|different|alike|interchangeable|equivalent|comparable|"
    r"any different|pareils?|identiques|similaires|différents?|iguales|similares|diferentes|"
    r"gleich|ähnlich|unterschiedlich|dasselbe|das gleiche)"
)
_ALIKE = (
    # "Are X and Y basically the same thing?", "Sont-ils …" left aside
    re.compile(
        rf"\b{_BE}\s+(?P<x>[^,?]{{1,50}}?)\s+(?:and|&|et|y|und)\s+(?P<y>[^,?]{{1,50}}?)\s+"
        rf"(?:(?:really|basically|actually|essentially|pretty much|just|even|vraiment|realmente|"
        rf"wirklich|eigentlich)\s+)*{_SAME}\b",
        re.I,
    ),
    # "How different are X and Y really?"
    re.compile(
        rf"\b(?:how|à quel point|qué tan|wie)\s+{_SAME}\s+{_BE}\s+(?P<x>[^,?]{{1,50}}?)\s+"
        r"(?:and|&|et|y|und)\s+(?P<y>[^,?]{1,50}?)(?=\s+(?:really|actually|in practice|"
        r"vraiment|realmente|wirklich)\b|\s*[?,]|$)",
        re.I,
    ),
    # "Is X the same as Y?", "Is X any different from Y?"
    re.compile(
        rf"\b{_BE}\s+(?P<x>[^,?]{{1,50}}?)\s+(?:(?:really|basically|actually|just)\s+)?"
        r"(?:the same as|similar to|equivalent to|interchangeable with|any different from|"
        r"different from|lo mismo que|pareil que|la même chose que|das gleiche wie|dasselbe wie)\s+"
        r"(?P<y>[^,?]{1,50}?)(?=\s+(?:for|in|when|pour|para|für)\b|\s*[?,]|$)",
        re.I,
    ),
    # "En quoi X est-il différent de Y ?"
    re.compile(
        r"\b(?:en quoi|est-ce que)?\s*(?P<x>[^,?]{1,50}?)\s+(?:est-(?:il|elle)|sont-(?:ils|elles)|"
        r"diffère(?:nt)?(?:-t-(?:il|elle)|-(?:ils|elles))?)\s+(?:vraiment\s+)?"
        r"(?:(?:différente?s?|si différente?s?)\s+)?"
        r"(?:de|d'|du)\s*(?P<y>[^,?]{1,50}?)(?=\s+(?:pour|en|quand)\b|\s*[?,]|$)",
        re.I,
    ),
    # "What sets X apart from Y?", "Qu'est-ce qui différencie X de Y ?"
    re.compile(
        r"\b(?:sets?|distinguish(?:es)?|separates?|differentiates?|différencie|distingue|"
        r"diferencia|unterscheidet)\s+(?P<x>[^,?]{1,50}?)\s+(?:apart\s+)?"
        r"(?:(?:from|de|del|von|vom)\b|d')\s*(?P<y>[^,?]{1,50}?)(?=\s+(?:for|in|when|pour|para|für)\b|\s*[?,]|$)",
        re.I,
    ),
)


# "En quoi X se distingue de Y ?", "In what way does X differ from Y?": tried only where
# its lead occurs
_IN_WHAT_WAY = re.compile(
    r"\b(?:en quoi|in what ways?|¿?en qué|inwiefern|worin)\s+(?:does\s+|do\s+)?"
    r"(?P<x>[^,?]{1,50}?)\s+(?:se (?:distingue|différencie|démarque|diferencia|distingue)|"
    r"differs?|unterscheidet sich|hebt sich)\s+(?:(?:from|de|del|von|vom|du)\b|d')\s*"
    r"(?P<y>[^,?]{1,50}?)(?=\s+(?:for|in|when|pour|para|für|ab)\b|\s*[?,]|$)",
    re.I,
)
_IN_WHAT_WAY_LEADS = ("en quoi", "in what way", "en qué", "inwiefern", "worin")


_QUANTIFIERS = _wordset(
    "any no some a the alguna ninguna una la gran mucha poca aucune une grande keine eine die große"
)
_PREVIOUS = re.compile(r"([^\W\d_]+)\s+$")


def _counted_noun(scan: str, match: re.Match[str]) -> bool:
    """Whether the cue of difference is a noun, after an article or a quantifier
    ("alguna diferencia en …", "une différence de …"), not the verb of "what
    differentiates X from Y"."""
    previous = _PREVIOUS.search(scan, max(0, match.start() - 20), match.start())
    return bool(previous and previous.group(1).lower() in _QUANTIFIERS)


def _alike(text: str, scan: str, sentence: Span) -> list[Suggestion]:
    """ "Are X and Y the same thing?", "How different are X and Y?", "Is X the same as
    Y?", "What sets X apart from Y?": how alike two things are (questions only)."""
    if "?" not in scan[sentence.start : sentence.end]:
        return []
    low = scan[sentence.start : sentence.end].lower()
    way = (_IN_WHAT_WAY,) if any(map(low.__contains__, _IN_WHAT_WAY_LEADS)) else ()
    for pattern in (*_ALIKE, *way):
        match = pattern.search(scan, sentence.start, sentence.end)
        if match is None:
            continue
        x, y = match.span("x"), match.span("y")
        if any(len(_words(scan[a:b])) > 6 for a, b in (x, y)):
            continue
        if (_words(scan[y[0] : y[1]]) or [""])[-1] in _PREPOSITIONS:
            continue  # "are the kitchen and the bathroom on the same circuit"
        if (_words(scan[x[0] : x[1]]) or [""])[0] in _PREPOSITIONS or _counted_noun(scan, match):
            continue  # "¿hay alguna diferencia en comisiones o en la fecha de cobro?"
        return _comparison(text, scan, x[0], y[1], [x, y], 0.82, "alike")
    return []


_LISTED = re.compile(r"\s*(?:\s[\u2014\u2013-]|:)\s+")
_LISTED_MARKS = (":", "-", "\u2013", "\u2014")  # one of them is in each match of _LISTED
_LISTED_ASK = re.compile(
    r"\b(?:difference|differences|différence|diferencia|unterschied|better|best|which|compare|"
    r"mieux|meilleur|lequel|mejor|cuál|besser|welche\w*)\b[^.!]*\?",
    re.I,
)


# "The first (one) is …", "La seconde, …", "El primero es …", "Die zweite ist …"
_ORDINAL_LEAD = re.compile(
    r"[\s*-]*(?:(?P<one>the first|le premier|la première|el primero|la primera|der erste|"
    r"die erste|das erste)|(?P<two>the second|le second|la seconde|le deuxième|la deuxième|"
    r"el segundo|la segunda|der zweite|die zweite|das zweite))(?:\s+one)?"
    r"(?:\s*[,:]\s*|\s+(?:is|est|es|ist)\s+)",
    re.I,
)
# a question or request that weighs the two just described
_THE_TWO = re.compile(
    r"\b(?:these two|the two|both|them|die beiden|beide|les deux|ces deux|los dos|estos dos|"
    r"estas dos|ambos|ambas)\b",
    re.I,
)
_WEIGH_PAIR = re.compile(
    r"\b(?:compar\w*|stack up|measure up|weigh\w*|differ\w*|vergleich\w*|versus|vs|better|"
    r"mieux|meilleur\w*|mejor|besser|which|lequel|laquelle|cuál|welche\w*)\b",
    re.I,
)


# where the name of a thing described ends: its clause, its verb or an aside
_DESCRIBED_END = re.compile(
    r"[,;.!?(]|\s[-\u2013\u2014]\s|\s(?:that|which|who|where|whose|is|has|can|costs?|qui|que|"
    r"dont|où|est|coûte|donde|es|tiene|cuesta|wo|ist|hat|kostet)\b",
    re.I,
)


def _first_and_second(text: str, scan: str, sents: list[Span]) -> list[Suggestion]:
    """Two things described one sentence each ("The first is a shop in Shenzhen …",
    "The second, a partner in Guadalajara, …"), then a question that weighs "these
    two": one side per thing, as the sentences name it."""
    low = scan.lower()
    if "?" not in scan and not _ASKING_LEAD.search(scan):
        return []
    if not any(a in low and b in low for a, b in _ORDINAL_PAIRS):
        return []
    leads: list[tuple[str, int, int]] = []
    for sentence in sents:
        lead = _ORDINAL_LEAD.match(scan, sentence.start, sentence.end)
        if lead is not None:
            stop = _DESCRIBED_END.search(scan, lead.end() + 1, sentence.end)
            end = _trimmed(scan, lead.end(), stop.start() if stop else sentence.end)[1]
            if len(_words(scan[lead.end() : end])) > 8:
                bounded = _right_option(scan, lead.end(), sentence.end, 8, 1)
            else:
                bounded = end
            if bounded is not None:
                leads.append(("one" if lead.group("one") else "two", lead.end(), bounded))
            continue
        if [kind for kind, _, _ in leads[-2:]] != ["one", "two"]:
            continue
        if _weighs_the_two(scan, sentence):
            sides = [(a, b) for _, a, b in leads[-2:]]
            found = _comparison(
                text, scan, sides[0][0], sides[1][1], sides, 0.82, "the first, the second"
            )
            if found:
                return found
    return []


_ORDINAL_PAIRS = (
    ("first", "second"),
    ("premi", "second"),
    ("premi", "deuxième"),
    ("primer", "segund"),
    ("erste", "zweite"),
)


def _weighs_the_two(scan: str, sentence: Span) -> bool:
    """Whether a sentence asks to weigh "these two", "les deux", "die beiden"."""
    asks = "?" in scan[sentence.start : sentence.end] or _ASKING_LEAD.search(
        scan, sentence.start, sentence.end
    )
    return bool(
        asks
        and _THE_TWO.search(scan, sentence.start, sentence.end)
        and _WEIGH_PAIR.search(scan, sentence.start, sentence.end)
    )


# "I've shortlisted two laptops:", "On compare trois modèles :", "Ich habe zwei Tools in
# der engeren Auswahl."
_ANNOUNCED = _Folding(
    re.compile(
        r"\b(?:two|three|four|deux|trois|quatre|dos|tres|cuatro|zwei|drei|vier)"
        r"(?:\s+(?:[^\W\d_]+\s+){0,4}?[^\W\d_]+)?\s*(?P<colon>:)?",
        re.I,
    )
)
_COUNTS = {
    **dict.fromkeys(("two", "deux", "dos", "zwei"), 2),
    **dict.fromkeys(("three", "trois", "tres", "drei"), 3),
    **dict.fromkeys(("four", "quatre", "cuatro", "vier"), 4),
}
# the alternatives named as such, where no colon shows that they follow
_CHOICE_NOUN = re.compile(
    r"\b(?:options?|choices?|alternatives?|offers?|finalists?|candidates?|shortlist\w*|"
    r"choix|offres?|opciones|ofertas?|alternativas?|optionen|angebote?|zusagen|auswahl|"
    r"alternativen)\b",
    re.I,
)
# a request that weighs the things just described: "compare them", "die beiden
# gegenüberstellen", "les avantages de chacune", "las ventajas de cada una"
_POINTS_BACK_TO_THEM = re.compile(
    r"\b(?:them|both|each|the two|these two|les deux|ces deux|chacune?|les (?=compar|départag)|"
    r"cada una?|cada uno|los dos|las dos|ambos|ambas|die beiden|beide|jede[nrs]?)\b",
    re.I,
)
_WEIGHS_THEM = re.compile(
    r"\b(?:compar\w*|vergleich\w*|gegenüber\w*|differ\w*|unterschied\w*|pros|cons|"
    r"trade-?offs?|avantages?|inconvénients?|ventajas?|desventajas?|vorteile?|nachteile?|"
    r"better|mieux|mejor|besser|which|lequel|laquelle|cuál|welche\w*|départag\w*)\b",
    re.I,
)
_BOLD_LINE = re.compile(r"\s*(?:\*\*|__)(?P<name>[^*_\n]{2,80})(?:\*\*|__)\s*$")
# where a described thing's name ends: an aside, a price, a description after a dash
_NAME_END = re.compile(r"\s*[(:]|\s[-\u2013\u2014]\s|\s(?:à|at|for|für|por|a)\s+[\d$€£]", re.I)


def _announced_then_weighed(text: str, scan: str, sents: list[Span]) -> list[Suggestion]:
    """Things counted, then named one per list line, bold heading, item of the
    sentence or sentence of their own, then a request that weighs them ("I found two
    laptops:" "- a … (…)" "- a … (…)" "Can you compare them for me?"): one side per
    thing, as it is named."""
    if not any(map(scan.__contains__, ("?", ":"))):
        return []
    starts = [s.start for s in sents]
    for announced in _announcements(scan):
        if announced.group("colon") is None and len(_words(announced.group(0))) == 1:
            continue  # a count that announces neither things named nor a list
        index = bisect_right(starts, announced.start()) - 1
        if index < 0 or announced.end() > sents[index].end:
            continue
        count = _COUNTS[_words(announced.group(0))[0]]
        named = _named_after(scan, sents, index, announced, count)
        if named is None:
            continue
        sides, last = named
        for weighing in sents[last + 1 : last + 5]:
            if _weighs_them(scan, weighing):
                return _comparison(
                    text, scan, sides[0][0], sides[-1][1], sides, 0.82, "described, then weighed"
                )
    return []


def _announcements(scan: str) -> list[re.Match[str]]:
    """The counts that announce things in ``scan``."""
    return _matches_at_keys(_ANNOUNCED, scan, _COUNTS)


def _named_after(
    scan: str, sents: list[Span], index: int, announced: re.Match[str], count: int
) -> tuple[list[tuple[int, int]], int] | None:
    """The things an announcement counts, and the index of the sentence that names the
    last one: after a colon, its own sentence's items or the list lines or bold headings
    that follow; without one, the subjects of as many sentences as counted."""
    sentence = sents[index]
    if announced.group("colon"):
        inline = _outside_brackets(scan, announced.end(), sentence.end)
        if len(inline) == count:
            return inline, index
        headed = [
            (index + 1 + i, m)
            for i, s in enumerate(sents[index + 1 : index + 1 + 4 * count])
            if (m := _BOLD_LINE.match(scan, s.start, s.end))
        ]
        lines = headed if len(headed) == count else _list_lines(scan, sents, index, count)
        if len(lines) != count:
            return None
        return [_name(scan, *m.span("name")) for _, m in lines], lines[-1][0]
    if not _CHOICE_NOUN.search(scan, sentence.start, sentence.end):
        return None
    described = sents[index + 1 : index + 1 + count]
    if any(_ORDINAL_LEAD.match(scan, s.start, s.end) for s in described):
        return None  # "The first is …, the second …": named by what they are
    subjects = [_subject_of(scan, s) for s in described]
    if len(described) != count or None in subjects:
        return None
    return [s for s in subjects if s is not None], index + count


_LINE_ITEM = re.compile(r"[ \t]*(?:\d{1,2}[.)]|[-*\u2022+])[ \t]+(?P<name>.+)")


def _list_lines(
    scan: str, sents: list[Span], index: int, count: int
) -> list[tuple[int, re.Match[str]]]:
    """The list lines right after an announcement, as many as it counts or none."""
    lines = []
    for at, line in enumerate(sents[index + 1 : index + 2 + count], start=index + 1):
        item = _LINE_ITEM.match(scan, line.start, line.end)
        if item is None:
            break
        lines.append((at, item))
    return lines if len(lines) == count else []


def _name(scan: str, start: int, end: int) -> tuple[int, int]:
    """A described thing's name: up to its aside, price or description."""
    stop = _NAME_END.search(scan, start, end)
    return _trimmed(scan, start, stop.start() if stop else end)


_TOP_LEVEL_SPLIT = re.compile(r",\s*(?:(?:and|et|y|und)\s+)?|\s+(?:and|et|y|und)\s+", re.I)


def _outside_brackets(scan: str, start: int, end: int) -> list[tuple[int, int]]:
    """The items of a list in a sentence, split outside brackets, each named short
    ("une Zoé d'occasion (environ 12 000 €), une Yaris … et une Spring (…)"), or a little
    longer when each opens on a determiner ("un curso de … de 12 semanas (…) y un
    máster … de un año (…)")."""
    flat = re.sub(r"\([^()]*\)", lambda m: " " * len(m.group(0)), scan[start:end])
    items = [
        _name(scan, start + a, start + b) for a, b in _parts(flat, 0, len(flat), _TOP_LEVEL_SPLIT)
    ]
    words = [_words(scan[a:b]) for a, b in items]
    parallel = all(w and w[0] in _DETERMINERS for w in words)
    if any(not 1 <= len(w) <= (10 if parallel else 6) for w in words):
        return []
    return items


_SUBJECT_END = re.compile(
    r"\s(?:is|has|costs?|offers?|est|a|coûte|offre|es|tiene|cuesta|ofrece|ist|hat|kostet|"
    r"bietet|kann)\b",
    re.I,
)


def _subject_of(scan: str, sentence: Span) -> tuple[int, int] | None:
    """The name a sentence opens on, before its verb ("Arena PLM ist …"): a few words."""
    verb = _SUBJECT_END.search(scan, sentence.start, min(sentence.end, sentence.start + 60))
    if verb is None or not 1 <= len(_words(scan[sentence.start : verb.start()])) <= 4:
        return None
    return _trimmed(scan, sentence.start, verb.start())


def _weighs_them(scan: str, sentence: Span) -> bool:
    """Whether a sentence asks to weigh things named before it: a pronoun or "each"
    for them and a word of comparing or choosing, in a question or a request."""
    asked = "?" in scan[sentence.start : sentence.end] or _ASKING_LEAD.search(
        scan, sentence.start, sentence.end
    )
    pointing = [
        m
        for m in _POINTS_BACK_TO_THEM.finditer(scan, sentence.start, sentence.end)
        if not _FOR_WHOM.search(scan, max(sentence.start, m.start() - 6), m.start())
    ]
    return bool(asked and pointing and _WEIGHS_THEM.search(scan, sentence.start, sentence.end))


# "a school for them", "pour eux": the things are who it is for, not what is weighed
_FOR_WHOM = re.compile(r"\b(?:for|to|with|pour|à|avec|para|con|für|mit|zu)\s+$", re.I)
_PURPOSE = _wordset("for pour para für")
_SOMEONE = _wordset(
    "someone somebody anyone me us you him her them alguien mí ti nosotros usted "
    "quelqu'un moi toi nous vous jemanden jemand mich dich uns sie"
)


def _for_whom(side: str) -> bool:
    """Whether what follows a cue of differing says who it is for ("for someone who
    …", "para alguien que …", "pour une famille", "für mich"), not a thing weighed."""
    words = _words(side)
    return (
        len(words) >= 2
        and words[0] in _PURPOSE
        and (words[1] in _DETERMINERS or words[1] in _SOMEONE)
    )


_SWITCH = _Folding(
    re.compile(
        r"\b(?:switch(?:ing)?|mov(?:e|ing)|go(?:ing)?|chang(?:e|ing)|passer|pasar(?:me|nos)?|"
        r"pasando|cambiar(?:me|nos)?|cambiando|wechseln|umsteigen)\s+(?:(?:from|de|del|von|vom)\s+)"
        r"(?P<x>[^,?;:]{1,50}?)\s+(?:to|à|au|a|al|zu|zum|zur|auf)\s+(?P<y>[^,?;:]{1,60})",
        re.I,
    )
)
# what weighs a switch: what one gains or loses by it, whether it pays
_GAINED = re.compile(
    r"\b(?:gain\w*|lose|losing|give up|miss|worth|better|pros|cons|upside|downside|benefits?|"
    r"advantages?|gagn\w*|perd\w*|vaut|avantages?|gan\w*|pierd\w*|vale|merece|ventajas?|"
    r"compensa|bringt|verlier\w*|lohnt|vorteile?|nachteile?)\b",
    re.I,
)
_SWITCH_KEYS = ("switch", "mov", "go", "chang", "pass", "pasa", "cambi", "wechs", "umst")


def _switching(text: str, scan: str, sentence: Span) -> list[Suggestion]:
    """ "What do I gain by switching from X to Y?", "Que gagne-t-on à passer de X à
    Y ?": the two ends of a switch, in a question of what it gains or costs."""
    match = _SWITCH.search(scan, sentence.start, sentence.end)
    if match is None or not _GAINED.search(scan, sentence.start, match.start()):
        return []  # what it gains is asked first: not "move from X to Y without losing …"
    x = match.span("x")
    y_end = _right_option(scan, match.start("y"), match.end("y"), 5, 1)
    if y_end is None or len(_words(scan[x[0] : x[1]])) > 5:
        return []
    sides = [x, (match.start("y"), y_end)]
    return _comparison(text, scan, x[0], y_end, sides, 0.82, "switching from … to")


# "Renting a car against taking taxis, which …?": two parallel sides, set against
# each other at the head of a question
_AGAINST = re.compile(
    r"(?:[^:?]{0,30}:\s*)?(?P<x>[^,?;:]{2,70}?)\s+(?:against|contre|frente a|gegen)\s+"
    r"(?P<y>[^,?;:]{2,70}?)(?=\s*(?:\?|,|\s[-\u2013\u2014]\s))",
    re.I,
)


def _against(text: str, scan: str, sentence: Span) -> list[Suggestion]:
    """ "Cycling to work against taking the tube - which is healthier?": two gerunds or
    two determiner-headed phrases set against each other, asked about as they stand or
    then weighed by the question."""
    match = _AGAINST.match(scan, sentence.start, sentence.end)
    if match is None:
        return []
    asked = scan[match.end() : match.end() + 1] == "?"
    if not asked and not _WEIGHING_QUESTION.search(scan, match.end(), sentence.end):
        return []
    x, y = _trimmed(scan, *match.span("x")), _trimmed(scan, *match.span("y"))
    xw, yw = _words(scan[x[0] : x[1]]), _words(scan[y[0] : y[1]])
    if not (xw and yw) or len(xw) > 8 or len(yw) > 8:
        return []
    yw = [w for w in yw if w not in ("just", "simply", "only")] or yw
    gerunds = xw[0].endswith("ing") and yw[0].endswith("ing")
    nouns = xw[0] in _DETERMINERS and yw[0] in _DETERMINERS
    if not (gerunds or nouns):
        return []
    return _comparison(text, scan, x[0], y[1], [x, y], 0.8, "against")


_BETWEEN_FIRST = re.compile(
    r"[\s¿¡*-]*(?:between|entre|zwischen)\s+(?P<x>[^,?;:]{1,60}?)\s+"
    r"(?:and|et|y|e|und|or|ou|o|oder)\s+(?P<y>[^,?;:]{1,80}?)\s*,\s*",
    re.I,
)
# a question that weighs: which one, or a comparative, or the difference
_WEIGHING_QUESTION = re.compile(
    r"\b(?:which|lequel|laquelle|cuál\w*|welche\w*|better|best|worse|worst|cheaper|more|less|"
    r"\w+er|sooner|mieux|meilleur\w*|moins|plus|más|menos|mejor\w*|peor\w*|besser|mehr|"
    r"weniger|günstiger|billiger|differences?|différences?|diferencias?|unterschied\w*|pick|"
    r"choose|prefer|choisir|elegir|wählen|nehmen)\b[^?]*\?",
    re.I,
)


def _between_first(text: str, scan: str, sentence: Span) -> list[Suggestion]:
    """ "Between X and Y, which one …?", "Entre X et Y, qu'est-ce qui …?": the sides
    named first, then a question that weighs them."""
    match = _BETWEEN_FIRST.match(scan, sentence.start, sentence.end)
    if match is None or not _WEIGHING_QUESTION.search(scan, match.end(), sentence.end):
        return []
    x = match.span("x")
    y_end = _right_option(scan, match.start("y"), match.end("y"), 6, 1)
    if y_end is None or len(_words(scan[x[0] : x[1]])) > 6:
        return []
    if re.fullmatch(r"[\s\d:.$€£%apmh-]*", scan[x[0] : x[1]], re.I):
        return []  # "between 9 and 5, what …"
    sides = [x, (match.start("y"), y_end)]
    return _comparison(text, scan, x[0], y_end, sides, 0.82, "between … , which")


_HYPHENATED = re.compile(r"\b([^\W_][\w+.]*)-(?:vs|versus)\.?-([^\W_][\w+]*)\b", re.I)


def _hyphenated(text: str, scan: str, sentence: Span) -> list[Suggestion]:
    """ "a quick Kindle-vs-Kobo breakdown": both sides in one compound."""
    match = _HYPHENATED.search(scan, sentence.start, sentence.end)
    if match is None:
        return []
    sides = [match.span(1), match.span(2)]
    return _comparison(text, scan, match.start(), match.end(), sides, 0.84, "x-vs-y")


def _listed_then_asked(text: str, scan: str, sentence: Span) -> list[Suggestion]:
    """ "Figma, Sketch — what's the actual difference?": named things, then a dash or
    a colon and a question that weighs them (asked sentences only)."""
    if not any(map(scan[sentence.start : sentence.end].__contains__, _LISTED_MARKS)):
        return []
    split = _LISTED.search(scan, sentence.start, sentence.end)
    if split is None or not _LISTED_ASK.search(scan, split.end(), sentence.end):
        return []
    sides = _parts(scan, sentence.start, split.start(), _SIDES)
    if not 2 <= len(sides) <= 4 or any(not 1 <= len(_words(scan[a:b])) <= 4 for a, b in sides):
        return []
    return _comparison(text, scan, sides[0][0], sides[-1][1], sides, 0.82, "listed, then asked")


def _sides(
    text: str, scan: str, sentence: Span, left_end: int, than: re.Match[str]
) -> list[Suggestion]:
    """ "Is X as good as Y?": X before the comparison, Y after it."""
    lo, hi = _clause_bounds(scan, sentence, than.start(), than.end())
    softened = _SOFTENERS.search(scan, lo, left_end)
    left_end = softened.start() if softened else left_end
    left = _left_option(scan, lo, left_end)
    end = _right_option(scan, than.end(), hi, 6, 1)
    if left is None or end is None or _FIGURE.match(scan, than.end(), end):
        return []
    sides = [(left[0], left_end), (than.end(), end)]
    return _comparison(text, scan, left[0], end, sides, 0.84, "as … as")


# "comment X se compare à Y", "cómo se compara X con Y": the verb between the sides
_COMPARES = re.compile(r"se compar(?:e|ent|a|an)", re.I)
_TO_SIDE = re.compile(r"\s+(?:à|au|aux|avec|con|a|al)\s+", re.I)


def _differs(
    text: str, scan: str, sentence: Span, match: re.Match[str], right: int
) -> list[Suggestion]:
    """ "how the Plus plan differs from the Premium plan": one side on each side of the
    cue, the second from ``right``."""
    lo, hi = _clause_bounds(scan, sentence, match.start(), match.end())
    if not scan[lo : match.start()].strip(" \t-*•¿¡"):
        return _fronted(text, scan, sentence, match, right)
    left = _left_side(scan, lo, match.start())
    end = _right_option(scan, right, hi, 5, 1)
    if left is None or end is None:
        return []
    sides = [left, (right, end)]
    return _comparison(text, scan, left[0], end, sides, 0.82, match.group(0))


# what opens the question after a fronted comparison, before its subject
_ASKED_SUBJECT = re.compile(
    r",\s*[¿]?(?:(?:is|are|was|would|will|does|do|can|could|ist|sind|wäre|lohnt sich|"
    r"est-ce que|compensa|conviene|merece la pena|vale la pena|es|son)\b\s*|est-ce qu')+",
    re.I,
)
# where the subject of that question ends: an adverb, its verb, what is said of it
_SUBJECT_STOP = _wordset(
    "really actually that much so still even wirklich eigentlich vraiment realmente vaut "
    "lohnt est ist es is are das der die den le la les el los las the a an"
)


def _fronted(
    text: str, scan: str, sentence: Span, match: re.Match[str], right: int
) -> list[Suggestion]:
    """ "Compared to X, is Y really cheaper?", "Im Vergleich zu X, ist Y …?", "Frente a
    X, ¿compensa Y?": the cue opens the sentence, X after it, Y the subject of the
    question after the comma."""
    comma = scan.find(",", right, sentence.end)
    if comma == -1 or "?" not in scan[comma : sentence.end]:
        return []
    asked = _ASKED_SUBJECT.match(scan, comma, sentence.end)
    x_end = _right_option(scan, right, comma, 6, 1)
    if asked is None or x_end is None:
        return []
    y_end = _right_option(scan, asked.end(), sentence.end, 4, 1)
    if y_end is None:
        return []
    for word in list(re.finditer(r"\S+", scan[asked.end() : y_end]))[1:]:
        if word.group(0) in _SUBJECT_STOP:  # as written: "livret A" keeps its "A"
            y_end = _trimmed(scan, asked.end(), asked.end() + word.start())[1]
            break
    sides = [(right, x_end), (asked.end(), y_end)]
    return _comparison(text, scan, match.start(), y_end, sides, 0.82, match.group(0))


_JUDGED = re.compile(
    r"(?:\s+(?:really|actually|still|any|much|a|so|that))*\s+(?:worth(?:\s+it)?|good|any good|"
    r"a good (?:choice|deal|option|pick)|vaut (?:vraiment )?(?:le coup|la peine)|"
    r"(?:vale|merece) la pena|lohnt sich|taugt|tient (?:vraiment )?(?:la route|le coup)|"
    r"se défend|se situe|aguanta|se defiende|schlägt sich|hält mit)\s*$",
    re.I,
)


# the opener of an embedded question, whose subject is the first side
_ASKED_WHAT = re.compile(r"\b(?:what|ce que|ce qui|qué|lo que)\s+", re.I)


def _left_side(scan: str, lo: int, end: int) -> tuple[int, int] | None:
    """X in "X <cue> Y": what is said of X ("is worth it", "vaut le coup", "really")
    left out, and X starting after the verb or noun that frames it ("the advantages of X")."""
    judged = _JUDGED.search(scan, lo, end)
    if judged is not None:
        end = judged.start()
    softened = _SOFTENERS.search(scan, lo, end)
    if softened is not None:
        end = softened.start()
    asked = [  # embedded after a clause ("I don't get what …"), not "In what way does …"
        m.end()
        for m in _ASKED_WHAT.finditer(scan, lo, end)
        if _words(scan[m.end() : end]) and len(_words(scan[lo : m.start()])) >= 2
    ]
    frames = [
        m.end()
        for pattern in (_PREFER_VERB, _ADVANTAGE)
        for m in pattern.finditer(scan, lo, end)
        if 0 < len(_words(scan[m.end() : end])) <= 6
    ]
    if asked:
        return asked[-1], end  # "I don't get what X means compared to Y": X
    if frames:
        return max(frames), end
    left = _left_option(scan, lo, end)
    return (left[0], end) if left else None


def _list_before(text: str, scan: str, sentence: Span, match: re.Match[str]) -> list[Suggestion]:
    """ "Kannst du A, B und C vergleichen?": the things compared come before the verb."""
    if not match.group(0).lower().startswith(("vergleich", "compar", "confront", "gegenüber")):
        return []
    lo, _ = _clause_bounds(scan, sentence, match.start(), match.end())
    lead = _ASKING_LEAD.match(scan, lo, match.start())
    start = lead.end() if lead else lo
    sides = _parts(scan, start, match.start(), _SIDES)
    if len(sides) == 1:  # "Kannst du X mit Y vergleichen?"
        sides = _parts(scan, start, match.start(), _WITH)
    if len(sides) < 2 or any(len(_words(scan[a:b])) > 5 for a, b in sides):
        return []
    return _comparison(text, scan, sides[0][0], match.end(), sides, 0.82, match.group(0))


_WITH = re.compile(r"\s(?:mit|with|avec|con)\s", re.I)


_MIDDLE = re.compile(
    r"differs? from|different from|compared|compares|in comparison|as opposed|im vergleich|"
    r"verglichen|gegenüber(?!\w)|comparée?|par rapport|face|comparad|frente|en comparación|"
    r"rispetto|paragonat|em comparação",
    re.I,
)
_DEICTIC = re.compile(
    r"(?:the two|both|these|those|them|the following|the above|les deux|ces|los dos|estos|estas|"
    r"die beiden|diese|each|chacun\w*|cada|jede[nmrs]?|jeweils)\b",
    re.I,
)
_NORMS = _wordset(
    "average normal norm median typical standard moyenne normale médiane media promedio "
    "mediana durchschnitt mittelwert"
)


def _head(side: str) -> str:
    """The first word of a side past its determiners ("la moyenne": "moyenne")."""
    return next((word for word in _words(side) if word not in _DETERMINERS), "")


_NOT_A_SIDE = frozenset(
    {
        *("it", "they", "he", "she", "i", "we", "you", "ever", "before", "usual", "expected"),
        *("that", "this", "what", "tell", "let", "give", "show", "explain", "say", "write"),
        *("make", "possible", "usual", "always", "needed", "necessary", "soon", "before"),
        *("last", "yesterday", "previous", "earlier", "there", "it's", "there's", "i'm"),
        *("most", "many", "others", "some", "all", "few", "everyone", "people", "anyone"),
        *("je", "tu", "nous", "vous", "yo", "tú", "nosotros", "ich", "du", "wir", "man"),
    }
)


# what opens an embedded question, an opinion asked for or a filler, not a side: "ob ein
# E-Auto günstiger …", "would you say X beats Y", "vergleich mal bitte X und Y"
_SUBORDINATOR = re.compile(
    r"(?:(?:whether|ob|(?:say|think|reckon|believe|guess|feel)(?:\s+that)?|mal|bitte|doch|"
    r"kurz|einfach|just|please|how's)\s+)*",
    re.I,
)


def _only_determiners(side: str) -> bool:
    """Whether a side holds determiners only, as written: "das" is none, "SES" is a name."""
    words = side.split()
    return bool(words) and all(w.lower() in _DETERMINERS and not w.isupper() for w in words)


def _comparison(
    text: str,
    scan: str,
    start: int,
    end: int,
    sides: list[tuple[int, int]],
    score: float,
    cue: str,
    stated: bool = False,
) -> list[Suggestion]:
    spans = [_trimmed(scan, _skip(_SUBORDINATOR, scan, a), b) for a, b in sides]
    if _DEICTIC.match(scan, spans[0][0]) or any(
        (_words(scan[a:b]) or [""])[0] in _NOT_A_SIDE for a, b in spans
    ):
        return []  # "compare the two paragraphs below", "cheaper than it was"
    if any(_only_determiners(scan[a:b]) for a, b in spans):
        return []  # "was das von … unterscheidet": a pronoun, no side
    if any(_head(scan[a:b]) in _NORMS for a, b in spans):
        return []  # "is my rent higher than the average?": a norm, not a side to choose
    options = titled(text, [(a, b) for a, b in spans if b > a])
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
        reasoning=f"Comparison cue '{cue.strip().lower()}' between {len(options)} alternatives"
        + (", named in a statement" if stated else ""),
        divergence="medium",
    )
