"""Where options start and end around "or", "vs" and "between … and": the clause
that bounds them and the words that stop a scan. Shared by the disjunction and
comparison detectors.
"""

from __future__ import annotations

import re

from .text import Span, _Searcher, _trimmed, _wordset

# Words that end an option when scanning away from "or".
_HARD_STOP = _wordset(
    "about after also am and are around as at away back be because been before between but by "
    "can choose considering could decide deciding did do does down either for from get go had "
    "has have he here how i i'd i'm i've if in into is it it's just let let's like may maybe "
    "me might must need neither never no nor not of off on or out over per perhaps pick "
    "prefer rather really recommend shall she should since so suggest than that them then "
    "there there's they think thinking believe reckon suppose this through to torn try under "
    "up us via want was we we'd "
    "we're we've were what when where whether which while who why will with without wondering "
    "would you you're"
    # French, Spanish, German function words
    " je j' tu il elle nous vous ils elles on est sont suis dois doit devrais devrait devons "
    "faut faudrait vaut mieux plutôt pour avec sans que qui quoi quel quelle quels quelles si "
    "mais donc entre choisir prendre utiliser acheter faire est-ce "
    "yo tú él ella nosotros ellos es debo debería deberíamos conviene mejor para "
    "qué cuál cuáles pero porque elegir usar comprar hacer "
    "ich du er wir ihr ist sind soll sollte sollten sollen muss müssen kann können "
    "besser lieber für mit ohne zu zum zur dass was welche welcher welches wenn aber weil "
    "zwischen nehmen wählen kaufen nutzen verwenden machen gibt sich wie wo wann warum "
    "comment où quand pourquoi cómo dónde cuándo"
)
_CHOICE_VERBS = _wordset(
    "adopt book buy cache eat hire keep learn order pay plant present rent ship stay store "
    "switch take use using visit"
)
_DETERMINERS = _wordset(
    "a an her his its my one our some that the their these this those two your "
    "le la les un une mon ma mes ton ta tes sa ses notre nos votre vos leur leurs au aux "
    "el los las una unos unas mi mis tus su sus nuestro nuestra al del "
    "der die das den dem des ein eine einen einem einer mein meine unser unsere dein deine"
)
_RIGHT_STOP = _wordset(
    "after although and are as at because before but by can could do does first for from "
    "given he here i if in instead is it next now on or she should since so than that then "
    "there they though to today tomorrow unless until versus vs was we when which while will "
    "with without would you this last year week month"
    " je nous vous il est pour avec que qui si mais parce puis aujourd'hui demain "
    "yo es para que si pero porque luego hoy mañana "
    "ich wir ist für mit dass wenn aber weil dann heute morgen"
)
# words that do not open a verb phrase before a determiner ("write the tests")
_NOT_A_VERB = _HARD_STOP | _CHOICE_VERBS | _DETERMINERS
_ALWAYS_STOP = _wordset("because since for from pour para für porque weil parce denn")
_WORD = re.compile(r"[\w'\u2019+#./-]*[\w+#]|[\w]")
_LAST_WORD = re.compile(r"([^\W\d_]+)$")
_ABBREVIATED = re.compile(r"\b(?:vs|etc|e\.g|i\.e|approx|cf|ca|bzw|z\.b)$", re.I)
_CLAUSE_END = re.compile(
    r"[.;:!?()\[\]\n\u00bf\u00a1]|,\s*(?:but|so|and|because|which|while|mais|donc|car|pero|"
    r"porque|aber|weil|denn)\b|\s[\u2014\u2013-]\s"
)


def _clause_bounds(scan: str, sentence: Span, at: int, end: int) -> tuple[int, int]:
    """The clause around ``scan[at:end]``: punctuation and joined clauses bound it."""
    left = sentence.start
    for match in _CLAUSE_END.finditer(scan, sentence.start, at):
        if not _abbreviation(scan, match.start()):
            left = match.end()
    right = sentence.end
    for after in _CLAUSE_END.finditer(scan, end, sentence.end):
        if not _abbreviation(scan, after.start()):
            right = after.start()
            break
    return left, right


def _abbreviation(scan: str, at: int) -> bool:
    """A full stop that ends no clause: "Next.js", "vs.", "e.g."."""
    if scan[at] != ".":
        return False
    return bool(
        re.match(r"\.\w", scan[at : at + 2]) or _ABBREVIATED.search(scan, max(0, at - 6), at)
    )


def _left_option(scan: str, lo: int, at: int) -> tuple[int, int] | None:
    """Start of the option(s) before ``at``, and how many comma-separated items there are."""
    words = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(scan, lo, at)]
    start: int | None = None
    count = 0
    items = 1
    after_comma = at
    index = len(words) - 1
    while index >= 0 and count < 6:
        w_start, w_end, word = words[index]
        lower = word.lower() if _plain(word, w_start, lo) else ""
        if start is not None and "," in scan[w_end:start]:
            # "A, B, or C": keep going only while the items stay short.
            if count > 3 or lower in _HARD_STOP or lower in _CHOICE_VERBS:
                break
            items += 1
            after_comma = start
        if lower in _HARD_STOP or lower in _CHOICE_VERBS:
            if count == 0 and lower not in _FUNCTION_WORDS:
                start = w_start  # a verb as the option: "buy or lease"
            elif items >= 2 and lower in _PREPOSITIONS:
                start, items = after_comma, items - 1  # "better for beginners, A or B"
            break
        start = w_start
        count += 1
        if lower in _DETERMINERS:
            previous = words[index - 1] if index > 0 else None
            if previous is None or "," in scan[previous[1] : w_start]:
                index -= 1
                continue
            before = previous[2].lower()
            if items >= 2 and before in _PREPOSITIONS:
                start, items = after_comma, items - 1  # "better for a small blog, A or B"
            elif before not in _NOT_A_VERB:
                start = previous[0]  # a verb phrase: "write the tests"
            break
        index -= 1
    if start is None:
        return None
    return start, items


_PREPOSITIONS = _wordset(
    "for to in on at with about of from into by per für pour para en con mit zu bei dans avec"
)


def _plain(word: str, at: int, clause_start: int) -> bool:
    """A word that may be a stop word: not a name ("Go", "Rust") inside a clause."""
    return word.islower() or at == clause_start or word in ("I", "I'm", "I've", "I'd")


_FUNCTION_WORDS = _HARD_STOP - _wordset(
    "choose considering decide get go have like need pick prefer recommend suggest thinking "
    "try want"
)


def _right_option(scan: str, start: int, hi: int, max_words: int, min_words: int = 1) -> int | None:
    """End of the option after ``start``: stop words end it once it has ``min_words``."""
    end: int | None = None
    for count, match in enumerate(_WORD.finditer(scan, start, hi)):
        word = match.group(0).lower() if _plain(match.group(0), match.start(), -1) else ""
        if end is not None and "," in scan[end : match.start()]:
            break
        if (count >= max(1, min_words) and word in _RIGHT_STOP) or (
            count >= 1 and word in _ALWAYS_STOP
        ):
            break
        end = match.end()
        if count + 1 >= max_words:
            break
    while end is not None:
        # no option ends on a dangling preposition ("separate repos per")
        last = _LAST_WORD.search(scan[start:end])
        if last is None or last.group(1).lower() not in _DANGLING or last.start() == 0:
            break
        end = start + last.start()
        while end > start and scan[end - 1].isspace():
            end -= 1
    return end


_DANGLING = _wordset(
    "a an the of to in on at by per for from with about into over under and or my our your "
    "their its his her de du des le la les au aux en el los las del al von vom zum zur im am "
    "der die das den dem"
)


def _parts(scan: str, start: int, end: int, splitter: _Searcher) -> list[tuple[int, int]]:
    """The pieces of ``scan[start:end]`` between ``splitter`` matches, trimmed, non-empty."""
    pieces = []
    cursor = start
    for match in splitter.finditer(scan, start, end):
        pieces.append(_trimmed(scan, cursor, match.start()))
        cursor = match.end()
    pieces.append(_trimmed(scan, cursor, end))
    return [(a, b) for a, b in pieces if b > a]
