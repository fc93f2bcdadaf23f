"""Branch detection: where a message offers more than one way forward.

Pure and deterministic: the same text always gives the same suggestions, with
character offsets into that text (``end`` exclusive). The detector scores each
candidate from its features; callers drop those below a threshold and keep the
strongest few.

Kinds of branch point and the span each covers:

- ``enumeration``   a list of alternatives (numbered or bulleted lines, or
                    prose "one option … another option / alternatively …"):
                    from the first item to the end of the last. Numbered steps
                    of one procedure are not alternatives.
- ``disjunction``   "X or Y", "A, B, or C", "whether/either … or …": the
                    options (from "whether"/"either" when present).
- ``comparison``    "X vs Y", "compare X and Y", "difference between X and Y",
                    "choose between X and Y": from the trigger word (or X) to Y.
- ``conditional``   "if … otherwise/else", "if so … if not", two contrasting
                    "if" clauses, "what if …": from "if" to the end of the
                    last clause's sentence.
- ``directive``     requests to explore or brainstorm: the whole sentence.
- ``question``      a message asking two or more real questions: each one.
- ``multi_intent``  "I need help with X and also Y": the sentence.

Hybrid detection (an LLM reviewing these candidates) is split the same way:
``review_prompt`` and ``apply_review`` are pure; the service makes the call.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

KINDS = (
    "enumeration",
    "disjunction",
    "comparison",
    "conditional",
    "directive",
    "question",
    "multi_intent",
)
DEFAULT_THRESHOLD = 0.7
DEFAULT_COUNT = 3
MAX_COUNT = 10
MAX_TITLE = 80


@dataclass(frozen=True)
class Suggestion:
    kind: str
    start: int
    end: int
    trigger: str
    confidence: float
    title: str
    description: str
    reasoning: str
    divergence: str  # low | medium | high
    options: tuple[str, ...] = ()
    source: str = "pattern"  # or "llm"

    @property
    def id(self) -> str:
        return f"sug_{self.kind}_{self.start}_{self.end}"

    def first_prompt(self) -> str:
        """What a user would send first on a branch made from this suggestion."""
        if self.kind in ("disjunction", "comparison", "enumeration") and len(self.options) >= 2:
            return (
                f"Let's explore: {_join(self.options, 'or')}. Take them one at a time, "
                "with the trade-offs of each for my situation."
            )
        if self.kind == "conditional":
            return f"Let's explore each outcome of: {self.trigger}"
        if self.kind in ("question", "multi_intent"):
            return f"Let's focus on this on its own: {self.trigger}"
        return f"Let's explore: {self.trigger}"


@dataclass(frozen=True)
class Detection:
    suggestions: list[Suggestion]
    total_found: int  # branch points at or above the threshold, before the count limit


# --------------------------------------------------------------------------- text


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_CODE_FENCE = re.compile(r"```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)", re.S)
_INLINE_CODE = re.compile(r"`[^`\n]+`")
_URL = re.compile(r"\b(?:https?://|www\.)\S+|\b[\w.+-]+@[\w-]+\.[\w.]+\b")
_INDENTED_CODE = re.compile(r"^(?: {4}|\t)\S.*$", re.M)
_ABBREVIATIONS = {"e.g", "i.e", "etc", "vs", "mr", "mrs", "dr", "st", "approx", "cf", "no"}


def masked(text: str) -> str:
    """``text`` with code, URLs and e-mail addresses blanked out (same length)."""
    chars = list(text)
    for pattern in (_CODE_FENCE, _INLINE_CODE, _URL, _INDENTED_CODE):
        for match in pattern.finditer(text):
            for i in range(match.start(), match.end()):
                if chars[i] != "\n":
                    chars[i] = " "
    return "".join(chars)


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def sentences(scan: str) -> list[Span]:
    """Sentence spans (terminal punctuation included, whitespace trimmed); lines split too."""
    spans: list[Span] = []
    start = 0
    i = 0
    n = len(scan)
    while i < n:
        ch = scan[i]
        if ch == "\n":
            _push(spans, scan, start, i)
            start = i + 1
        elif ch in ".!?":
            j = i
            while j + 1 < n and scan[j + 1] in ".!?\"')":
                j += 1
            at_break = j + 1 >= n or scan[j + 1].isspace()
            word = re.search(r"([A-Za-z.]+)$", scan[start:i])
            abbreviation = ch == "." and word and word.group(1).lower().strip(".") in _ABBREVIATIONS
            if at_break and not abbreviation:
                _push(spans, scan, start, j + 1)
                start = j + 1
            i = j
        i += 1
    _push(spans, scan, start, n)
    return spans


def _push(spans: list[Span], scan: str, start: int, end: int) -> None:
    while start < end and scan[start].isspace():
        start += 1
    while end > start and scan[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append(Span(start, end))


_MARKER = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*•+]|[a-hA-H][.)]|\(\w\))\s+")


def _strip_marker(scan: str, span: Span) -> Span:
    match = _MARKER.match(scan[span.start : span.end])
    return Span(span.start + match.end(), span.end) if match else span


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def _clip(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _join(options: Sequence[str], conjunction: str) -> str:
    items = [_clip(o) for o in options]
    if len(items) <= 2:
        return f" {conjunction} ".join(items)
    return ", ".join(items[:-1]) + f", {conjunction} " + items[-1]


def _title(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= MAX_TITLE:
        return text
    return text[: MAX_TITLE - 1].rstrip() + "…"


# --------------------------------------------------------------------- detection


_NEGATION = re.compile(
    r"\b(?:not|no|never|without|neither|nor|none|nothing|hardly|n't|cannot)\b|n't\b", re.I
)
_CHOICE_CUE = re.compile(
    r"\b(?:should|shall|which|better|best|prefer|preferable|choose|choosing|pick|decide|"
    r"deciding|decision|torn|option|options|go with|recommend|worth|rather|instead|vs|"
    r"versus|either|whether|trade-?offs?|could|might|would you like|do you want|"
    r"thinking (?:of|about)|considering|wondering|back and forth|more sense|smarter|easier|"
    r"cheaper|faster|safer|wiser|worse)\b",
    re.I,
)
_EXAMPLE_CUE = re.compile(
    r"\b(?:such as|e\.g|for example|for instance|including)\b"
    r"|(?<!would you )(?<!you'd )(?<!i'd )(?<!i would )(?<!we'd )\blike\b",
    re.I,
)
_IDIOMS = re.compile(
    r"\b(?:more or less|sooner or later|one (?:way )?or another|or so|or (?:more|less|fewer|"
    r"longer|later|earlier|similar|something|anything|whatever|whoever|otherwise|other|else|"
    r"not|equal|two|three|four|five|six|ten|twenty|a few|another|both|all|none|any(?:thing)?"
    r" else)\b|and/or|(?:\d+|one|two|three|four|five|a day|a week|an hour) or (?:\d+|two|three|"
    r"four|five|six|seven|ten|so)\b|whether or not|or what|rain or shine|give or take|"
    r"black or white|right or wrong|true or false|yes or no|dead or alive|now or never|"
    r"all or nothing|more or fewer)",
    re.I,
)
_ANY_CONTEXT = re.compile(
    r"\b(?:any|anything|anyone|questions|issues|problems|concerns|comments|feedback)\b", re.I
)
# Words that end an option when scanning away from "or".
_HARD_STOP = _wordset(
    "about after also am and are around as at away back be because been before between but by "
    "can choose considering could decide deciding did do does down either for from get go had "
    "has have he here how i i'd i'm i've if in into is it it's just let let's like may maybe "
    "me might must need neither never no nor not of off on or out over per perhaps pick "
    "prefer rather really recommend shall she should since so suggest than that them then "
    "there there's they thinking this through to torn try under up us via want was we we'd "
    "we're we've were what when where whether which while who why will with without wondering "
    "would you you're"
)
_CHOICE_VERBS = _wordset(
    "adopt book buy cache eat hire keep learn order pay plant present rent ship stay store "
    "switch take use using visit"
)
_DETERMINERS = _wordset("a an her his its my one our some that the their these this those two your")
_RIGHT_STOP = _wordset(
    "after although and are as at because before but by can could do does first for from "
    "given he here i if in instead is it next now on or she should since so than that then "
    "there they though to today tomorrow unless until versus vs was we when which while will "
    "with without would you"
)
_WORD = re.compile(r"[\w'\u2019+#./-]*[\w+#]|[\w]")
_CLAUSE_END = re.compile(
    r"[.;:!?()\[\]\n]|,\s*(?:but|so|and|because|which|while)\b|\s[\u2014\u2013-]\s"
)


def _clause_bounds(scan: str, sentence: Span, at: int, end: int) -> tuple[int, int]:
    """The clause around ``scan[at:end]``: punctuation and joined clauses bound it."""
    left = sentence.start
    for match in _CLAUSE_END.finditer(scan, sentence.start, at):
        if not re.match(r"\.\w", scan[match.start() : match.start() + 2]):  # not "Next.js"
            left = match.end()
    after = _CLAUSE_END.search(scan, end, sentence.end)
    return left, after.start() if after else sentence.end


def _left_option(scan: str, lo: int, at: int) -> tuple[int, int] | None:
    """Start of the option(s) before ``at``, and how many comma-separated items there are."""
    words = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(scan, lo, at)]
    start: int | None = None
    count = 0
    items = 1
    index = len(words) - 1
    while index >= 0 and count < 6:
        w_start, w_end, word = words[index]
        lower = word.lower()
        if start is not None and "," in scan[w_end:start]:
            # "A, B, or C": keep going only while the items stay short.
            if count > 3 or lower in _HARD_STOP or lower in _CHOICE_VERBS:
                break
            items += 1
        if lower in _HARD_STOP or lower in _CHOICE_VERBS:
            if count == 0 and lower not in _FUNCTION_WORDS:
                start = w_start  # a verb as the option: "buy or lease"
            break
        start = w_start
        count += 1
        if lower in _DETERMINERS:
            previous = words[index - 1] if index > 0 else None
            if previous is None or "," in scan[previous[1] : w_start]:
                index -= 1
                continue
            before = previous[2].lower()
            if before not in _HARD_STOP | _CHOICE_VERBS | _DETERMINERS:
                start = previous[0]  # a verb phrase: "write the tests"
            break
        index -= 1
    if start is None:
        return None
    return start, items


_FUNCTION_WORDS = _HARD_STOP - _wordset(
    "choose considering decide get go have like need pick prefer recommend suggest thinking "
    "try want"
)


def _right_option(scan: str, start: int, hi: int, max_words: int, min_words: int = 1) -> int | None:
    """End of the option after ``start``: stop words end it once it has ``min_words``."""
    end: int | None = None
    for count, match in enumerate(_WORD.finditer(scan, start, hi)):
        word = match.group(0).lower()
        if end is not None and "," in scan[end : match.start()]:
            break
        if count >= max(1, min_words) and word in _RIGHT_STOP:
            break
        end = match.end()
        if count + 1 >= max_words:
            break
    return end


def _options_in(scan: str, start: int, end: int, splitter: str) -> tuple[str, ...]:
    parts = re.split(splitter, scan[start:end], flags=re.I)
    out = [p.strip(" ,.;:!?\"'") for p in parts]
    return tuple(o for o in out if o)


def _disjunctions(text: str, scan: str, sents: list[Span]) -> list[Suggestion]:
    found: list[Suggestion] = []
    for sentence in sents:
        chunk = scan[sentence.start : sentence.end]
        idioms = [(m.start(), m.end()) for m in _IDIOMS.finditer(chunk)]
        used_until = sentence.start
        for match in re.finditer(r"\bor\b", chunk):
            at = sentence.start + match.start()
            if at < used_until or any(s <= match.start() < e for s, e in idioms):
                continue
            lo, hi = _clause_bounds(scan, sentence, at, at + 2)
            clause = scan[lo:hi]
            opener = re.search(r"\b(whether|either)\b", scan[lo:at], re.I)
            left = _left_option(scan, lo, at)
            if left is None:
                continue
            start, items = left
            left_words = len(_words(scan[start:at]))
            right_limit = 8 if opener else min(8, max(3, left_words + 2))
            end = _right_option(scan, at + 2, hi, right_limit, min(left_words, 2))
            if end is None:
                continue
            kind_start = lo + opener.start() if opener else start
            before = scan[lo:kind_start]
            features: list[str] = []
            score = 0.5
            if opener:
                score += 0.25
                features.append(f"'{opener.group(1).lower()} … or'")
            if chunk.rstrip().endswith("?"):
                score += 0.2
                features.append("asked as a question")
            cue = _CHOICE_CUE.search(scan[sentence.start : sentence.end])
            if cue and not opener:
                score += 0.15
                features.append(f"choice cue '{cue.group(0).lower()}'")
            if items >= 2:
                score += 0.05
                features.append(f"{items + 1} options")
            window = " ".join(_words(scan[lo:start])[-3:])
            if (not opener and _NEGATION.search(window)) or re.search(r"\bnor\b", clause, re.I):
                continue
            if _EXAMPLE_CUE.search(scan[max(lo, start - 20) : start]):
                score -= 0.3
                features.append("examples, not a choice")
            if re.search(r"\bif\b|\bwhen(?:ever)?\b", before, re.I):
                score -= 0.25
                features.append("inside a condition")
            if _ANY_CONTEXT.search(scan[max(lo, start - 25) : end]):
                score -= 0.3
                features.append("'any … or …' catch-all")
            options = _options_in(scan, start, end, r",?\s*\bor\b\s*|,\s*")
            if len(options) < 2:
                continue
            if all(len(o) <= 2 for o in options):
                continue
            used_until = end
            trigger = text[kind_start:end]
            found.append(
                Suggestion(
                    kind="disjunction",
                    start=kind_start,
                    end=end,
                    trigger=trigger,
                    confidence=_cap(score),
                    title=_title(f"Choose: {_join(options, 'or')}"),
                    description=(
                        f"The message weighs {len(options)} alternatives ({_join(options, 'or')}); "
                        "explore each on its own branch and compare where they lead."
                    ),
                    reasoning="Disjunction: " + (", ".join(features) or "plain 'or'"),
                    divergence="high" if len(options) >= 3 or opener else "medium",
                    options=options,
                )
            )
    return found


_VS = re.compile(r"\b(?:vs\.?|versus)(?=\s)", re.I)
_COMPARE = re.compile(
    r"\b(?:compare|comparing|comparison (?:of|between)|differences? between|"
    r"(?:choose|choosing|decide|deciding|pick|picking|torn|split|undecided) between|"
    r"pros and cons of|trade-?offs? between)\b",
    re.I,
)


def _comparisons(text: str, scan: str, sents: list[Span]) -> list[Suggestion]:
    found: list[Suggestion] = []
    for sentence in sents:
        chunk_end = sentence.end
        for match in _VS.finditer(scan, sentence.start, chunk_end):
            lo, hi = _clause_bounds(scan, sentence, match.start(), match.end())
            left = _left_option(scan, lo, match.start())
            if left is None:
                continue
            start, _ = left
            left_words = len(_words(scan[start : match.start()]))
            end = _right_option(scan, match.end(), hi, max(3, left_words + 2), min(left_words, 2))
            if end is None:
                continue
            options = (
                scan[start : match.start()].strip(" ,"),
                scan[match.end() : end].strip(" ,."),
            )
            found.append(
                _comparison(text, start, end, options, 0.85, f"'{match.group(0).strip()}'")
            )
        for match in _COMPARE.finditer(scan, sentence.start, chunk_end):
            _, hi = _clause_bounds(scan, sentence, match.start(), match.end())
            rest = scan[match.end() : hi]
            joiner = re.search(r"\s(?:and|with|to|against|or|vs\.?|versus)\s", rest, re.I)
            if joiner is None:
                continue
            first = rest[: joiner.start()]
            if not _words(first) or re.fullmatch(r"[\s\d:.$€£%apm-]*", first, re.I):
                continue  # "between 2 and 5", "between 9am and noon"
            right_from = match.end() + joiner.end()
            first_words = len(_words(first))
            end = _right_option(scan, right_from, hi, max(3, first_words + 2), min(first_words, 2))
            if end is None:
                continue
            options = (first.strip(" ,"), scan[right_from:end].strip(" ,."))
            if any(re.fullmatch(r"[\d:.]+\s*(?:am|pm)?", o, re.I) for o in options):
                continue
            cue = match.group(0).lower()
            if _NEGATION.search(scan[max(sentence.start, match.start() - 15) : match.start()]):
                continue
            found.append(_comparison(text, match.start(), end, options, 0.82, f"'{cue}'"))
    return found


def _comparison(
    text: str, start: int, end: int, options: tuple[str, ...], score: float, cue: str
) -> Suggestion:
    options = tuple(o for o in options if o)
    return Suggestion(
        kind="comparison",
        start=start,
        end=end,
        trigger=text[start:end],
        confidence=_cap(score),
        title=_title(f"Compare {_join(options, 'and')}"),
        description=(
            f"A head-to-head comparison of {_join(options, 'and')}: one branch per side "
            "keeps each line of reasoning clean."
        ),
        reasoning=f"Comparison cue {cue} between {len(options)} named alternatives",
        divergence="medium",
        options=options,
    )


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


_MULTI_INTENT = re.compile(
    r"\b(?:and also|as well as|and another|plus another|also (?:have|got|need|want) (?:a|another|"
    r"some)|two (?:things|questions|issues|problems|requests)|a couple of (?:things|questions|"
    r"issues)|separate (?:question|issue))\b",
    re.I,
)
_NEED = re.compile(
    r"\b(?:help|question|questions|issue|problem|need|want|ask|trouble|stuck)\b", re.I
)


def _multi_intent(text: str, scan: str, sents: list[Span]) -> list[Suggestion]:
    found: list[Suggestion] = []
    for sentence in sents:
        chunk = scan[sentence.start : sentence.end]
        match = _MULTI_INTENT.search(chunk)
        if (
            match is None
            or not _NEED.search(chunk)
            or not re.search(r"\b(?:i|we|my|our)\b", chunk, re.I)
        ):
            continue
        found.append(
            Suggestion(
                kind="multi_intent",
                start=sentence.start,
                end=sentence.end,
                trigger=text[sentence.start : sentence.end],
                confidence=0.76,
                title=_title(
                    f"Separate requests: {_clip(text[sentence.start : sentence.end], 60)}"
                ),
                description=(
                    "Several requests in one message; handle each on its own branch so "
                    "neither gets lost."
                ),
                reasoning=f"Multiple intents joined by '{match.group(0).lower()}'",
                divergence="high",
            )
        )
    return found


_STEP_VERBS = _wordset(
    "add apply attach bake boil boot bring build call cd check choose chop click clone "
    "combine commit configure confirm connect cook copy create cut delete deploy disable "
    "disconnect download drain dry edit email enable enter export fill fold go grab heat "
    "import insert install lay log loosen make measure mix mount move navigate open place "
    "plug pour preheat press pull push put read reboot remove rename restart rinse run save "
    "season select send serve set sign simmer slice start stir stop submit take tap tighten "
    "turn type unmount unplug update upload verify wait wash whisk write"
)
_ALT_INTRO = re.compile(
    r"\b(?:options?|alternatives?|approaches|choices|ways|could|might|either|which|choose|pick|"
    r"prefer|consider|candidates|possibilities|ideas|suggestions|recommend\w*|torn|deciding|"
    r"decide|shortlist\w*|contenders|paths?|routes?|strategies|scenarios|vs|versus|or|"
    r"directions|possible|one of (?:these|the following)|suggest)\b",
    re.I,
)
_STEP_INTRO = re.compile(
    r"\b(?:steps?|follow(?:ing)?|procedure|instructions|how to|here's how|to do this|process|"
    r"in order|first|then|recipe|checklist|todo|to-do|agenda|summary|notes|features|includes?|"
    r"requirements|changes|ingredients|tasks|timeline|schedule)\b",
    re.I,
)
_ALT_ITEM = re.compile(
    r"^(?:option|alternative|approach|choice|plan|path|route|scenario|strategy)\s*\w{0,3}\b|"
    r"^(?:use|go with|switch to|try|stick with|keep|move to|migrate to|hire|buy|rent|lease|"
    r"build|adopt|pick)\b",
    re.I,
)
_FOLLOW_UP = re.compile(
    r"\bwhich\b[^.]*\?|\b(?:what do you (?:think|prefer)|"
    r"let me know which|do you prefer|would you prefer|your pick|shall we|any preference)\b",
    re.I,
)


def _enumerations(text: str, scan: str, sents: list[Span]) -> list[Suggestion]:
    lines: list[tuple[int, int]] = []
    pos = 0
    for raw in scan.split("\n"):
        lines.append((pos, pos + len(raw)))
        pos += len(raw) + 1
    groups: list[list[int]] = []
    current: list[int] = []
    blank_run = 0
    for index, (start, end) in enumerate(lines):
        line = scan[start:end]
        if not line.strip():
            blank_run += 1
            if blank_run > 1 and current:
                groups.append(current)
                current = []
            continue
        blank_run = 0
        if _MARKER.match(line):
            if current and _indent(scan, lines[current[0]]) != _indent(scan, (start, end)):
                if _indent(scan, (start, end)) > _indent(scan, lines[current[0]]):
                    continue  # a nested sub-item belongs to the item above
                groups.append(current)
                current = []
            current.append(index)
        else:
            if current and scan[start].isspace():
                continue  # a continuation line of the item above
            if current:
                groups.append(current)
            current = []
    if current:
        groups.append(current)

    found: list[Suggestion] = []
    for group in groups:
        if len(group) < 2:
            continue
        first_start, _ = lines[group[0]]
        _, last_end = lines[group[-1]]
        items = [_strip_marker(scan, Span(*lines[i])) for i in group]
        labels = [text[s.start : s.end].strip() for s in items]
        if sum(label.endswith("?") for label in labels) >= len(labels) / 2:
            continue  # a list of questions: the question detector answers it
        intro = _intro(scan, lines, group[0])
        after = _after(scan, lines, group[-1])
        score = 0.42
        features: list[str] = []
        if _ALT_INTRO.search(intro):
            score += 0.3
            features.append("introduced as alternatives")
        if _FOLLOW_UP.search(after) or re.search(r"\bwhich\b|\?\s*$", intro, re.I):
            score += 0.15
            features.append("followed by a choice question")
        alt_items = sum(bool(_ALT_ITEM.match(label)) for label in labels)
        if alt_items >= 2:
            score += 0.12
            features.append("items named as options")
        first_words = [(_words(label) or [""])[0] for label in labels]
        steps = sum(word in _STEP_VERBS for word in first_words)
        if _STEP_INTRO.search(intro) and not _ALT_INTRO.search(intro):
            score -= 0.3
            features.append("introduced as steps or facts")
        if steps >= max(2, len(labels) // 2 + 1):
            score -= 0.25
            features.append("imperative steps")
        if any(re.match(r"(?:then|next|after that|finally)\b", label, re.I) for label in labels):
            score -= 0.2
            features.append("sequenced items")
        if not features:
            features.append("a plain list")
        options = tuple(_option_label(label) for label in labels)
        start = _first_marker(scan, first_start)
        end = last_end
        while end > start and scan[end - 1].isspace():
            end -= 1
        found.append(
            Suggestion(
                kind="enumeration",
                start=start,
                end=end,
                trigger=text[start:end],
                confidence=_cap(score),
                title=_title(f"Explore the {len(options)} options: {_join(options, 'or')}"),
                description=(
                    f"{len(options)} listed alternatives ({_join(options, 'or')}); give each "
                    "its own branch to develop it fully."
                ),
                reasoning="Enumeration: " + ", ".join(features),
                divergence="high" if len(options) >= 3 else "medium",
                options=options,
            )
        )
    found.extend(_prose_alternatives(text, scan, sents))
    return found


def _first_marker(scan: str, line_start: int) -> int:
    index = line_start
    while index < len(scan) and scan[index] in " \t":
        index += 1
    return index


def _indent(scan: str, line: tuple[int, int]) -> int:
    raw = scan[line[0] : line[1]]
    return len(raw) - len(raw.lstrip(" \t"))


def _option_label(label: str) -> str:
    label = re.sub(r"^\*\*|\*\*", "", label)
    head = re.split(r"\s[\u2014\u2013-]\s|:\s|\.\s|\(", label, maxsplit=1)[0]
    return _clip(head.strip(" *_"), 40)


def _intro(scan: str, lines: list[tuple[int, int]], first: int) -> str:
    for index in range(first - 1, max(-1, first - 3), -1):
        start, end = lines[index]
        if scan[start:end].strip():
            return scan[start:end]
    return ""


def _after(scan: str, lines: list[tuple[int, int]], last: int) -> str:
    for index in range(last + 1, min(len(lines), last + 3)):
        start, end = lines[index]
        if scan[start:end].strip():
            return scan[start:end]
    return ""


_PROSE_OPTION = re.compile(
    r"^(?:(?:one|the first|a first) (?:option|approach|choice|path|possibility|route|idea) "
    r"(?:is|would be|could be)|option (?:one|1|a)\b|first,? (?:you|we) could)",
    re.I,
)
_PROSE_NEXT = re.compile(
    r"^(?:alternatively|another (?:option|approach|choice|path|possibility|route|idea)|"
    r"(?:the )?(?:second|other|third|last) (?:option|approach|choice|path|possibility|idea)|"
    r"option (?:two|2|b|three|3|c)\b|or,? (?:you|we) could|second,? (?:you|we) could|"
    r"(?:a )?third,? (?:you|we) could|finally,? (?:you|we) could)",
    re.I,
)


def _prose_alternatives(text: str, scan: str, sents: list[Span]) -> list[Suggestion]:
    found: list[Suggestion] = []
    index = 0
    while index < len(sents):
        run = [index]
        nxt = index + 1
        while nxt < len(sents) and _PROSE_NEXT.match(scan[sents[nxt].start : sents[nxt].end]):
            run.append(nxt)
            nxt += 1
        head = scan[sents[index].start : sents[index].end]
        if len(run) >= 2 and (
            _PROSE_OPTION.match(head) or re.search(r"\b(?:could|might|can)\b", head, re.I)
        ):
            start, end = sents[run[0]].start, sents[run[-1]].end
            options = tuple(_clip(text[sents[i].start : sents[i].end], 40) for i in run)
            found.append(
                Suggestion(
                    kind="enumeration",
                    start=start,
                    end=end,
                    trigger=text[start:end],
                    confidence=0.8 if _PROSE_OPTION.match(head) else 0.74,
                    title=_title(f"Explore the {len(run)} approaches"),
                    description=(
                        f"{len(run)} alternative approaches described in prose; develop each "
                        "on its own branch."
                    ),
                    reasoning="Prose alternatives ('one option … alternatively …')",
                    divergence="high" if len(run) >= 3 else "medium",
                    options=options,
                )
            )
            index = nxt
        else:
            index += 1
    return found


def _cap(score: float) -> float:
    return round(min(0.97, max(0.05, score)), 2)


_DETECTORS = (
    _enumerations,
    _comparisons,
    _disjunctions,
    _conditionals,
    _directives,
    _multi_intent,
    _questions,
)
_PRIORITY = {kind: index for index, kind in enumerate(KINDS)}


def candidates(text: str) -> list[Suggestion]:
    """Every branch point found, overlaps resolved (stronger first), in text order."""
    scan = masked(text)
    sents = sentences(scan)
    found: list[Suggestion] = []
    for detector in _DETECTORS:
        found.extend(detector(text, scan, sents))
    return resolve_overlaps(found)


def resolve_overlaps(found: Iterable[Suggestion]) -> list[Suggestion]:
    kept: list[Suggestion] = []
    ranked = sorted(found, key=lambda s: (-s.confidence, _PRIORITY.get(s.kind, 99), s.start))
    for suggestion in ranked:
        if all(suggestion.end <= k.start or suggestion.start >= k.end for k in kept):
            kept.append(suggestion)
    return sorted(kept, key=lambda s: (s.start, s.end))


def select(found: Iterable[Suggestion], *, threshold: float, count: int) -> Detection:
    """Those at or above ``threshold``, the ``count`` most confident, best first."""
    passing = [s for s in found if s.confidence >= threshold]
    ranked = sorted(passing, key=lambda s: (-s.confidence, s.start))
    return Detection(suggestions=ranked[:count], total_found=len(passing))


def detect(
    text: str, *, threshold: float = DEFAULT_THRESHOLD, count: int = DEFAULT_COUNT
) -> Detection:
    return select(candidates(text), threshold=threshold, count=count)


# ------------------------------------------------------------------ LLM review


REVIEW_FLOOR = 0.4  # candidates this weak are still shown to the reviewing model
_MAX_REVIEW_TEXT = 12_000


def review_prompt(text: str, found: Sequence[Suggestion], count: int) -> list[tuple[str, str]]:
    """(role, content) turns asking a model to confirm, add and rank branch points."""
    listed = [
        {"id": s.id, "kind": s.kind, "triggerText": s.trigger, "confidence": s.confidence}
        for s in found
    ]
    system = (
        "You find branch points in a chat message: places where the conversation could "
        "usefully split into separate threads (alternatives to weigh, a comparison, "
        "conditional scenarios, open requests for ideas, or several distinct questions). "
        "A numbered list of steps for one procedure, an idiom ('more or less'), a rhetorical "
        "question or code is NOT a branch point. Answer with JSON only, no prose."
    )
    snippet = text if len(text) <= _MAX_REVIEW_TEXT else text[:_MAX_REVIEW_TEXT]
    user = (
        f"Message:\n<<<\n{snippet}\n>>>\n\n"
        f"Candidates found by pattern matching:\n{json.dumps(listed, ensure_ascii=False)}\n\n"
        "Reply with this JSON object:\n"
        '{"suggestions": [{"id": "<candidate id, or null for a new one>", '
        '"keep": true, "triggerText": "<exact substring of the message>", '
        '"title": "<short title>", "description": "<one sentence>", '
        '"confidence": 0.0, "estimatedDivergence": "low|medium|high"}]}\n'
        f"Mark rejected candidates with keep=false. Rank the best {count} first."
    )
    return [("system", system), ("user", user)]


class ReviewUnreadable(ValueError):
    """The model's answer held no usable JSON."""


def parse_review(answer: str) -> list[dict[str, Any]]:
    """The list of suggestion objects in a model's answer, however it was wrapped."""
    cleaned = re.sub(r"```(?:json)?", "", answer).strip()
    data: Any = None
    # Whichever of an object or an array opens first is the answer's JSON.
    pairs = sorted(
        (("{", "}"), ("[", "]")),
        key=lambda pair: cleaned.find(pair[0]) if pair[0] in cleaned else len(cleaned),
    )
    for opener, closer in pairs:
        first, last = cleaned.find(opener), cleaned.rfind(closer)
        if first != -1 and last > first:
            try:
                data = json.loads(cleaned[first : last + 1])
                break
            except ValueError:
                continue
    if isinstance(data, dict):
        data = data.get("suggestions", data.get("branchPoints"))
    if not isinstance(data, list):
        raise ReviewUnreadable("the model's answer was not the JSON asked for")
    return [item for item in data if isinstance(item, dict)]


@dataclass
class Review:
    suggestions: list[Suggestion] = field(default_factory=list)
    confirmed: int = 0
    rejected: int = 0
    added: int = 0


def apply_review(text: str, found: Sequence[Suggestion], items: Sequence[dict[str, Any]]) -> Review:
    """Merge a model's verdicts into the pattern candidates.

    A confirmed candidate's confidence is the mean of both; a rejected one is dropped;
    one the model did not mention keeps 90% of its own. A new one is kept only if its
    ``triggerText`` is found in ``text`` (its span is where it first occurs).
    """
    by_id = {s.id: s for s in found}
    review = Review()
    seen: set[str] = set()
    merged: list[Suggestion] = []
    for item in items:
        ident = item.get("id")
        verdict = item.get("keep", True)
        llm_conf = _as_confidence(item.get("confidence"))
        if isinstance(ident, str) and ident in by_id:
            if ident in seen:
                continue
            seen.add(ident)
            if verdict is False:
                review.rejected += 1
                continue
            base = by_id[ident]
            review.confirmed += 1
            confidence = base.confidence if llm_conf is None else (base.confidence + llm_conf) / 2
            merged.append(
                replace(
                    base,
                    confidence=_cap(max(confidence, base.confidence * 0.9)),
                    title=_text_field(item.get("title"), base.title, MAX_TITLE),
                    description=_text_field(item.get("description"), base.description, 500),
                    divergence=_divergence(item.get("estimatedDivergence"), base.divergence),
                    reasoning=base.reasoning + "; confirmed by the model",
                    source="hybrid",
                )
            )
            continue
        trigger = item.get("triggerText")
        if verdict is False or not isinstance(trigger, str) or not trigger.strip():
            continue
        start = text.find(trigger.strip())
        if start == -1:
            continue
        end = start + len(trigger.strip())
        review.added += 1
        merged.append(
            Suggestion(
                kind=str(item["kind"]) if item.get("kind") in KINDS else "directive",
                start=start,
                end=end,
                trigger=text[start:end],
                confidence=_cap(0.9 * (llm_conf if llm_conf is not None else 0.75)),
                title=_text_field(item.get("title"), _title(text[start:end]), MAX_TITLE),
                description=_text_field(
                    item.get("description"), "A branch point the model found.", 500
                ),
                reasoning="Found by the model; no pattern matched it",
                divergence=_divergence(item.get("estimatedDivergence"), "medium"),
                source="llm",
            )
        )
    for suggestion in found:
        if suggestion.id not in seen:
            merged.append(replace(suggestion, confidence=_cap(suggestion.confidence * 0.9)))
    review.suggestions = resolve_overlaps(merged)
    return review


def _as_confidence(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    if value > 1 and value <= 100:
        value /= 100  # a percentage
    return value if 0 <= value <= 1 else None


def _text_field(value: Any, default: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip() or "\x00" in value:
        return default
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _divergence(value: Any, default: str) -> str:
    return value if value in ("low", "medium", "high") else default
