"""Conditionals: a request asking for a different answer per case. One suggestion per
case: each "if …"/"when …" clause of one question ("what should I do if A, and what
if B?"), consecutive sentences that each put a case ("What if A? And if B?"), "if …
otherwise …", and "depending on whether A or B". A single condition is not a branch
point, and neither is a polite "if you could …" or "if possible …, otherwise …"; a
plan stated before a question about something else ("If it rains we eat inside,
otherwise outside. Can you plan a menu?") is weakened below the threshold, and so are
cases that tell how something behaves while the message asks elsewhere ("The job
emails us if it succeeds, otherwise it pages. … How do I debug it?"). "In case anyone
knows" appeals for help and puts no case, and a case that opens a question holding two
cases more is the premise they share.

Works the same in French, Spanish, German, Italian and Portuguese ("si", "cuando",
"wenn", "falls", "se", "sinon", "sonst", "de lo contrario").
"""

from __future__ import annotations

import re

from .suggestion import Suggestion, split_group, titled
from .text import Span, _factored, _Folding, _Keyed, _may_match, _trimmed

_CASE = _Folding(
    re.compile(
        r"\b(?:if|when|whenever|in case|in the case (?:where|that)|unless|si|s'il|s'ils|quand|"
        r"lorsque|dans le cas où|au cas où|cuando|en (?:el )?caso de que|wenn|falls|"
        r"(?:im|für den) fall,? dass|sobald|se|caso)\b",
        re.I,
    )
)
# "when" that asks when ("when should I worry?", "quand est-ce que…", "quand dois-je…"),
# and French "quand même" ("anyway"): no condition
_NOT_A_CONDITION = re.compile(
    r"(?:when|whenever|quand)\s+(?:should|do|does|did|is|are|was|were|can|could|will|would|"
    r"shall|must|may|might|est-ce|même\b|\w+-(?:je|tu|il|elle|on|nous|vous|ils|elles)\b)",
    re.I,
)
# "if" that is "whether": after a verb of knowing, asking, telling or checking ("do you
# know if", "dime si", "savoir si", "lo que quiero saber es si"), or of indifference
# ("no matter if", "da igual si", "peu importe si"): the clause is asked about, not a case
_NOT_A_CASE = re.compile(
    r"\b(?:even|as|only|what|see|know|knows|ask|asked|asking|wonder(?:ing)?|check|checking|"
    r"tell me|let me know|find out|confirm|unsure|sure|matter|même|comme|como|incluso|auch|"
    r"selbst|als|ob|sé|sais|sait|savez|savoir|demande|demander|dire|vérifier|voir|importe|"
    r"weiß|tanto|sabes|sabe|sabéis|saben|saber|decir|dime|digas|pregunto|preguntar|pregunta|"
    r"comprobar|confirmar|ver|igual|importa)(?:\s+(?:is|es|est|c'est))?\s+$",
    re.I,
)
_NOT_A_CASE = _factored(_NOT_A_CASE)  # the same matches, found faster
_POLITE = re.compile(
    r"(?:if|in case|si|wenn|falls) (?:you|u|vous|tu|du|sie|usted) (?:can|could|would|don't mind|"
    r"get a chance|are able|have time|want|wish|like|prefer|need|pouvez|peux|veux|voulez|puedes|"
    r"quieres|kannst|können|willst|möchtest)\b|(?:if|si|wenn|falls) (?:(?:it's|it is|that's|c'est|"
    r"es|es ist|das ist) )?(?:possible|necessary|needed|"
    r"any|applicable|possible|nécessaire|posible|necesario|möglich|nötig)\b|"
    r"(?:if|in case) (?:you have |there (?:is|are) )?any\b|when (?:i|we) (?:was|were)\b",
    re.I,
)
_CASE_END = _Folding(
    re.compile(
        r"[,;:?.!()\n]|\s[\u2014\u2013-]\s|\s(?:and|or|but|then|et|ou|mais|alors|y|o|pero|"
        r"entonces|und|oder|aber|dann|e|ma)\s(?=(?:what|how|where|which|who|when|why|que|qué|"
        r"cómo|cuál|cuáles|comment|quoi|quel|quelle|quels|quelles|lequel|laquelle|was|wie|"
        r"welche\w*|cosa|come|o que|como)\b)|\s(?:then|alors|entonces|dann)\s|"
        # a second case coordinated with the first: "if A and if B", "si A et s'il B"
        r"\s(?:and|or|versus|vs\.?|et|ou|y|o|und|oder|e)\s(?=(?:if|si|s'il|s'ils|when|wenn|falls|"
        r"cuando|quand|in case)\b)",
        re.I,
    )
)
_ITALIAN_OR_PORTUGUESE = re.compile(
    r"\b(?:che|il|della|dello|nel|per|non|sono|cosa|come|não|você|uma|então|também|muito|"
    r"está|fazer|devo|dovrei|posso)\b",
    re.I,
)
_ITALIAN_OR_PORTUGUESE = _factored(_ITALIAN_OR_PORTUGUESE)  # the same matches, found faster
_OPENS = re.compile(r"(?:^|[,;:.?!]|\b(?:e|ma|o|mas|ou))\s*$")  # what a clause opens after
_IF = re.compile(r"(?:if|si|s'il|s'ils|wenn|falls|se|in case|unless)\b", re.I)
_ASKING = _Folding(
    re.compile(
        r"\?|\b(?:please|can you|could you|would you|tell me|explain|walk me through|help me|"
        r"i need|i'd like|what should|how should|advise|peux-tu|pouvez-vous|puedes|podrías|"
        r"kannst du|können sie|bitte|por favor|s'il te plaît|s'il vous plaît)\b",
        re.I,
    )
)
_ELSE = _Folding(
    re.compile(
        r"\b(?:otherwise|or else|else|if not(?=\s*[,.;:!?]|\s*$)|in the other case|sinon|autrement|"
        r"dans le cas contraire|si non|de lo contrario|en caso contrario|si no(?=\s*[,.;:!?]|\s*$)|"
        r"sonst|andernfalls|ansonsten|"
        r"(?:wenn|falls) nicht|altrimenti|caso contrário|senão)\b",
        re.I,
    )
)
_ELSE_KEYS = (  # one of them is in each match of _ELSE
    *("otherwise", "else", "if not", "other case", "sinon", "autrement", "contraire", "si no"),
    *("contrario", "sonst", "andernfalls", "nicht", "altrimenti", "contrário", "senão"),
)
_DEPENDING = re.compile(
    r"\b(?:depending on (?:whether|if)|selon que|según (?:si|que)|je nachdem,? ob|"
    r"a seconda che|dependendo se)\b",
    re.I,
)
_DEPENDING_KEYS = ("depending on", "selon que", "según", "je nachdem", "seconda che", "dependendo")
_OR = re.compile(r",?\s+(?:or|ou|o|oder)\s+", re.I)
_KEYS = (
    "if",
    "when",
    "s'il",
    "sobald",
    "the case",
    "cas où",
    "fall",
    "in case",
    "unless",
    "si",
    "quand",
    "lorsque",
    "cuando",
    "wenn",
    "falls",
    "se ",
    "caso",
    "depending",
    "selon",
    "según",
    "je nachdem",
    "seconda",
    "dependendo",
)


def _conditionals(text: str, scan: str, sents: list[Span]) -> list[Suggestion]:
    found: list[Suggestion] = []
    keyed = _Keyed(scan, _KEYS)
    cases_of = [_cases(scan, s) if keyed.within(s.start, s.end) else [] for s in sents]
    depends = _may_match(scan, _DEPENDING_KEYS)
    index = 0
    while index < len(sents):
        sentence = sents[index]
        cases = _past_premise(scan, sentence, cases_of[index])
        reason = "cases of one question"
        if len(cases) < 2 and depends:
            depending = _depending(scan, sentence)
            if depending:
                cases, reason = depending, "'depending on whether' one case or another"
        if len(cases) == 1:
            other = _otherwise(scan, sentence, sents[index + 1] if index + 1 < len(sents) else None)
            if other is not None:
                cases = [cases[0], other]
                reason = "a case and its 'otherwise'"
            else:  # "What if A? And if B? And if C?"
                while index + 1 < len(sents) and len(cases_of[index + 1]) == 1:
                    cases = [*cases, cases_of[index + 1][0]]
                    reason = "consecutive sentences, one case each"
                    index += 1
        index += 1
        if len(cases) < 2:
            continue
        if not _IF.match(scan, cases[0][0]) and not _ASKING.search(
            scan, sentence.start, max(sentence.end, cases[-1][1])
        ):
            continue  # "when I was a kid, when we lived in Ohio": a story, not cases to answer
        decided = _decided(scan, sentence, cases, sents[index : index + 1])
        decided = decided or _describes(scan, sents, sents.index(sentence), index)
        options = titled(text, cases)
        found.extend(
            split_group(
                text,
                kind="conditional",
                start=cases[0][0],
                end=cases[-1][1],
                options=options,
                confidence=0.45 if decided else 0.82,
                description="One case the answer depends on: follow it on its own branch.",
                reasoning=f"Conditional: {reason}"
                + (", a plan stated, not asked" if decided else ""),
                divergence="medium",
            )
        )
    return found


# a question that comes back to the cases ("what do we need in each case?")
_EACH_CASE = re.compile(
    r"\b(?:each|both|either|either way|whichever|chaque|les deux|dans tous les cas|cada|"
    r"ambos|ambas|en cualquier caso|jeweils|beide\w*|in jedem fall|für beide)\b",
    re.I,
)


def _decided(
    scan: str, sentence: Span, cases: list[tuple[int, int]], following: list[Span]
) -> bool:
    """ "If it's sunny we'll eat outside, otherwise in the garage. Can you plan a menu?":
    the cases are a plan stated (nothing asked in their sentences), and the question
    after it asks something that does not come back to them."""
    stop = max(sentence.end, cases[-1][1])
    asked = _ASKING.search(scan, sentence.start, stop) or "\u00bf" in scan[sentence.start : stop]
    if asked or not following:
        return False
    after = scan[following[0].start : following[0].end]
    if following[0].start < stop or not _ASKING.search(after):
        return False
    return not _EACH_CASE.search(after)


_QUESTION_WORD = re.compile(
    r"\b(?:what|how|which|where|who|qué|cómo|cuál\w*|dónde|quel\w*|comment|où|que|was|wie|"
    r"welche\w*|wo)\b",
    re.I,
)


def _past_premise(scan: str, sentence: Span, cases: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """ "In case the parcel arrives damaged, what do I do if A, and what if B?": a case
    that opens the sentence before a question holding two cases more is the premise
    they share, not a case of its own."""
    if len(cases) < 3 or scan[sentence.start : cases[0][0]].strip(" ¿¡"):
        return cases
    between = _QUESTION_WORD.search(scan, cases[0][1], cases[1][0])
    return cases[1:] if between else cases


def _describes(scan: str, sents: list[Span], first: int, after: int) -> bool:
    """ "The endpoint returns 200 if the database answers, 503 otherwise. … How do I …?":
    cases that tell how something behaves. Nothing asks in their sentences (``first``
    to ``after``), nor in the sentence just before or after them, so no question or
    request is bound to the cases, and the message asks elsewhere. With no ask found
    anywhere, the cases may be the orders themselves ("If the tests pass, merge it;
    otherwise revert.")."""
    lo, hi = max(0, first - 1), after + 1
    if any(_asks(scan, s) for s in sents[lo:hi]):
        return False
    return any(_asks(scan, s) for s in sents[:lo]) or any(_asks(scan, s) for s in sents[hi:])


def _asks(scan: str, sentence: Span) -> bool:
    """A question or a request in the sentence, a wish to know included ("what I'd love
    is …", "quiero saber qué hacer si …", "ce que j'aimerais savoir, c'est …")."""
    return bool(
        _ASKING.search(scan, sentence.start, sentence.end)
        or _WANTED.search(scan, sentence.start, sentence.end)
        or "\u00bf" in scan[sentence.start : sentence.end]
    )


_WANTED = re.compile(  # not negated: "no quiero ser injusta" wishes for nothing
    r"(?<!no )(?<!not )\b(?:i'd (?:love|like|appreciate)|i would (?:love|like)|i want|"
    r"i'm wondering|i wonder|want to know|quiero|quisiera|quería|me gustaría|necesito|j'aimerais|"
    r"je voudrais|je veux|ich möchte|ich würde gern|ich hätte gern|ich will)\b(?! nicht| pas)",
    re.I,
)


# a case whose subject is anyone at all, knowing or able to help ("in case anyone knows",
# "por si alguien sabe algo", "au cas où quelqu'un aurait une idée", "falls jemand es
# weiß"): an appeal for help, not a case to answer
_APPEAL = re.compile(
    r"(?:if|in case|si|au cas où|wenn|falls)\s+(?:anyone|anybody|someone|somebody|alguien|"
    r"quelqu'un|jemand|einer|irgendwer)\s+(?:[\w']+\s+){0,2}?(?:knows|has|had|can|could|"
    r"sabe|sepa|tiene|tenga|puede|pueda|sait|saurait|a (?:une?|des|déjà)|aurait|peut|"
    r"pourrait|weiß|hat|kann|könnte)\b",
    re.I,
)


def _cases(scan: str, sentence: Span) -> list[tuple[int, int]]:
    """Each condition clause of the sentence: from its "if"/"when" to where it ends."""
    out: list[tuple[int, int]] = []
    asked_whether = False  # an "if" that means "whether" was seen in this sentence
    for match in _CASE.finditer(scan, sentence.start, sentence.end):
        if out and match.start() < out[-1][1]:
            continue
        word = match.group(0).lower()
        before = scan[max(sentence.start, match.start() - 12) : match.start()]
        if _NOT_A_CASE.search(before) and not before.lower().rstrip().endswith("what"):
            asked_whether = True
            continue
        if asked_whether and _OR_BEFORE.search(before):
            continue  # "tell me if A, or if B": the other half of the same "whether"
        if _POLITE.match(scan, match.start(), sentence.end) or _NOT_A_CONDITION.match(
            scan, match.start(), sentence.end
        ):
            continue
        if _APPEAL.match(scan, match.start(), sentence.end):
            continue  # "in case anyone knows": an appeal for help, not a case
        if word in ("se", "caso") and not (
            _OPENS.search(before)
            and _ITALIAN_OR_PORTUGUESE.search(scan, sentence.start, sentence.end)
        ):
            continue  # Italian and Portuguese "se" opens a clause; French "se" does not
        stop = _CASE_END.search(scan, match.end(), sentence.end)
        end = stop.start() if stop else sentence.end
        start, end = _trimmed(scan, match.start(), end)
        if len(scan[start:end].split()) >= 3:
            out.append((start, end))
    joined = any(_JOINED.match(scan, end) for _, end in out[:-1])
    if joined and not _ASKING.search(scan, sentence.start, sentence.end):
        return []  # "I only call if it's urgent and if nobody answers": one rule, both cases
    return out


_OR_BEFORE = re.compile(r"\b(?:or|o|ou|oder|oppure)\s*$", re.I)
_JOINED = re.compile(
    r"\s+(?:and|or|versus|vs\.?|et|ou|y|o|und|oder|e)\s+(?:if|si|s'il|s'ils|when|wenn|falls|"
    r"cuando|quand|in case)\b",
    re.I,
)


def _otherwise(scan: str, sentence: Span, following: Span | None) -> tuple[int, int] | None:
    """The "otherwise …" that answers a case, in the same sentence or the next."""
    for span in (sentence, following):
        if span is None:
            continue
        piece = scan[span.start : span.end]
        match = _ELSE.search(scan, span.start, span.end) if _may_match(piece, _ELSE_KEYS) else None
        if match and (span is following or match.start() > span.start):
            if span is following and match.start() - span.start > 12:
                return None
            stop = _CASE_END.search(scan, match.end() + 1, span.end)
            return _trimmed(scan, match.start(), stop.start() if stop else span.end)
    return None


def _depending(scan: str, sentence: Span) -> list[tuple[int, int]]:
    """ "depending on whether A or B": the two cases."""
    match = _DEPENDING.search(scan, sentence.start, sentence.end)
    if match is None:
        return []
    stop = re.compile(r"[,;:?.!()\n]").search(scan, match.end(), sentence.end)
    end = stop.start() if stop else sentence.end
    split = _OR.search(scan, match.end(), end)
    if split is None:
        return []
    return [_trimmed(scan, match.end(), split.start()), _trimmed(scan, split.end(), end)]
