"""Checkpoint summaries: an offline extractive summarizer and the prompt for a model one.

A checkpoint stores a summary of a path up to its anchor; the next send gives the
model ``[system prompt, summary, messages after the anchor]``. Checkpoints are
chained: each summarizes the previous checkpoint's summary plus the messages since.

With no summarizer model configured, :func:`extractive_summary` writes the summary.
It is pure and deterministic, and keeps whole sentences, chosen for what they add:

1. Split every message (and the previous summary's lines) into sentences.
2. Extract *facts* from each: names (capitalised words away from a sentence's start,
   multiword names, acronyms, product-like tokens), numbers (amounts, percentages,
   versions, quantities; exact and large ones weigh more than small counts), dates,
   e-mail addresses and URLs; and *commitments*: decisions ("we decided", "let's go
   with") and the user's constraints ("we need to", "is allergic to").
3. Pick sentences greedily by the weight of the facts they add that nothing picked
   so far covers, per token. What the user said weighs more than the assistant's
   general advice, commitments more again, and lines of the previous summary most,
   so a fact, once summarized, survives checkpoint after checkpoint. Facts behind a
   hedge ("I think", "teams like") weigh less; a sentence that repeats covered facts
   adds nothing, and one shaped like a chosen one ("A said X about P." after "B said
   X about Q.") adds less.
4. Questions no later message takes up go in a closing ``Open questions:`` section,
   most recent first, within a quarter of the budget.

The output is ``User: …`` / ``Assistant: …`` lines in conversation order (one per
message) and never exceeds ``max_tokens`` by
:func:`~chatroutes.server.domain.tokens.estimate_tokens`. :func:`summary_prompt` builds
the messages that ask a summarizer model for the same summary.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from chatroutes.server.domain.tokens import estimate_tokens

__all__ = ["extractive_summary", "summary_prompt"]

OPEN_QUESTIONS_HEADER = "Open questions:"
MAX_OPEN_QUESTIONS = 5
SHORT_QUESTION_WORDS = 3  # a question with no more keywords is listed with its lead-in
OPEN_QUESTIONS_SHARE = 0.25  # of the budget, at most
FILLER_SHARE = 0.4  # sentences without any fact only while the summary is this full

# Weights. A sentence's gain is the sum of its uncovered facts' weights times its
# multiplier; sentences are picked by gain per token.
USER_WEIGHT = 1.0
ASSISTANT_WEIGHT = 0.6
OTHER_ROLE_WEIGHT = 0.8
PREVIOUS_BONUS = 1.6
# Decisions ("we decided…", "let's go with…") and the user's constraints ("we need
# to…", "has a shellfish allergy") count as a fact of their own and raise the rest.
KIND_BONUS = {"strong": 1.5, "weak": 1.25, "constraint": 1.2}
KIND_FACT = {"strong": 1.0, "weak": 0.5, "constraint": 0.6}
OPENING_BONUS = 1.3  # the first thing the user said usually states the purpose
ANSWERED_QUESTION_FACTOR = 0.7
HEDGE_FACTOR = 0.75  # opinions, hearsay and examples state facts less firmly
# A sentence's facts count in full for the first, then less and less, so a
# sentence stating one thing precisely beats one listing several in passing.
FACT_DECAY = (1.0, 0.75, 0.6, 0.5)
REDUNDANCY_PENALTY = 0.6  # times the likeness to a chosen sentence (Jaccard of words)
NEW_WORD_WEIGHT = 0.06
NEW_WORDS_CAP = 0.5
TOKEN_SMOOTHING = 6  # added to a sentence's cost, so fragments are no bargain
LONG_SENTENCE_TOKENS = 60

# ---------------------------------------------------------------------------
# Vocabulary


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOPWORDS = _word_set(
    """
    a about above after again against all almost also although always am among an and
    another any anyone anything anyway are around as ask at away back be because been
    before being below best better between both but by can cannot could did do does
    doing done down during each either else enough even ever every everything few
    finally first for from further get gets getting give go goes going good got great
    had has have having he her here hers herself him himself his how however i if in
    into is it its itself just keep know last least less let lets like likely made make
    makes many may maybe me might mine more most much must my myself need needs never
    new next no nor not now of off often oh ok okay on once one only or other others our
    ours ourselves out over own perhaps please plus quite rather really right said same
    say see she should since so some something soon still such sure take than thank
    thanks that the their theirs them themselves then there these they thing things
    think this those though through thus to too two under until up upon us use used
    using very via want was way we well were what whatever when where whether which
    while who whom whose why will with within without would yes yet you your yours
    yourself yourselves hi hello hey dear note overall also anyway actually basically
    honestly quick sounds sound look looks great awesome cool nice perfect absolutely
    definitely certainly exactly fine glad happy sorry let's i'm i'll i've i'd we're
    we'll we've we'd you're you'll you've it's that's there's here's what's don't
    doesn't didn't can't won't isn't aren't wasn't weren't should've would've could've
    step steps option options idea ideas plan plans question questions answer answers
    today tomorrow yesterday week weeks month months year years day days time times
    """
)

_MONTHS = sorted(
    _word_set(
        "january february march april may june july august september october november december"
    )
)
_MONTH_ABBREVIATIONS = [month[:3] for month in _MONTHS] + ["sept"]
_WEEKDAYS = sorted(_word_set("monday tuesday wednesday thursday friday saturday sunday"))
_CALENDAR_WORDS = frozenset(_MONTHS + _MONTH_ABBREVIATIONS + _WEEKDAYS)
_NAME_JOINERS = frozenset({"of", "de", "da", "del", "der", "di", "du", "la", "le", "van", "von"})
_ABBREVIATIONS = _word_set(
    "mr mrs ms dr prof st jr sr inc ltd co corp vs etc e.g i.e approx no fig dept est mt"
    " u.s a.m p.m cf al"
)

_MONTH_PATTERN = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
_DATE = re.compile(
    rf"\b{_MONTH_PATTERN}\.?\s+\d{{1,2}}{_ORDINAL}\b(?:,?\s+\d{{4}}\b)?"
    rf"|\b\d{{1,2}}{_ORDINAL}\s+(?:of\s+)?{_MONTH_PATTERN}\b\.?(?:,?\s+\d{{4}}\b)?"
    rf"|\b{_MONTH_PATTERN}\s+\d{{4}}\b"
    r"|\b\d{4}-\d{2}-\d{2}\b"
    r"|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
    r"|\bQ[1-4](?:\s+\d{4}\b)?"
    r"|\b\d{1,2}(?::\d{2})?\s?(?:am|pm)\b"
    r"|\b\d{1,2}:\d{2}\b",
    re.IGNORECASE,
)
_CALENDAR_WORD = re.compile(
    rf"\b(?:{_MONTH_PATTERN}|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    re.IGNORECASE,
)
_VERSION = re.compile(r"(?<![\w.])v?\d+\.\d+(?:\.\d+)+(?![\w])|(?<![\w.])v\d+(?:\.\d+)?\b")
_NUMBER = re.compile(
    r"(?<![\w.,])(?P<currency>[$€£¥₹]\s?)?"
    r"(?P<value>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<suffix>\s?(?:%|percent\b|k\b|m\b|bn\b|million\b|billion\b|thousand\b))?"
)
_LINK = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b|\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_](?:[\w'\u2019&.-]*\w)?")
_STRONG_DECISION = re.compile(
    r"\b(?:decided|decide to|decision is|final decision|agreed|agree to|settled on|"
    r"chose|chosen|opted|go with|going with|went with|signed off|approved|locked in|"
    r"committed to|confirmed|sticking with|stick with)\b",
    re.IGNORECASE,
)
_WEAK_DECISION = re.compile(r"\b(?:we'll|we will|we're going to|let's|i'll|i will)\b", re.I)
_CONSTRAINT = re.compile(
    r"\b(?:need to|needs to|must|have to|has to|required|requirement|can't|cannot|"
    r"don't want|do not want|allergic|allergy|deadline|no later than|at most|at least)\b",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"\b(?:not|never|no|haven't|hasn't|haven\u2019t|didn't|don't|won't|undecided|yet to|"
    r"whether|if|might|should we|can we|could we)\b",
    re.IGNORECASE,
)
_OFFER = re.compile(
    r"^(?:would you like|do you want|want me to|shall i|should i|let me know|does (?:that|this)"
    r" help|would (?:that|this|it) help|anything else|any other|is there anything)\b",
    re.IGNORECASE,
)
_HEDGE = re.compile(
    r"\b(?:i think|thinks|i feel|feels|seems?|seemed|probably|maybe|perhaps|i guess|"
    r"apparently|i read|i heard|someone said|for example|for instance|such as|e\.g\.|"
    r"(?:teams|companies|products|tools|apps) like)\b",
    re.IGNORECASE,
)
_MARKUP = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|[-*•+]\s+|\d{1,3}[.)]\s+)+")
_EMPHASIS = re.compile(r"\*\*|__")
_SPLIT = re.compile(r"(?<=[.!?…])[\"'\u201d\u2019)\]]*\s+")
_LINE_ROLE = re.compile(r"^(?P<label>[A-Z][A-Za-z]{0,19}):\s+(?P<text>\S.*)$")
_QUESTION_LINE = re.compile(r"^[-*•]\s+(?:(?P<label>[A-Z][A-Za-z]{0,19}):\s+)?(?P<text>\S.*)$")
_CLAUSE_SPLIT = re.compile(r";\s+|\s+[\u2014\u2013]\s+|\s+-\s+")


# ---------------------------------------------------------------------------
# Sentences


def _sentences(text: str) -> list[str]:
    """The sentences of a message: one per line at least, markdown markers removed."""
    sentences: list[str] = []
    for raw_line in text.splitlines():
        line = _EMPHASIS.sub("", _MARKUP.sub("", raw_line)).strip()
        if not line:
            continue
        pieces = _SPLIT.split(line)
        merged: list[str] = []
        for piece in pieces:
            piece = piece.strip()
            if not piece:
                continue
            if merged and (_ends_with_abbreviation(merged[-1]) or piece[0].islower()):
                merged[-1] = f"{merged[-1]} {piece}"
            else:
                merged.append(piece)
        for sentence in merged:
            sentences.extend(_split_long(sentence))
    return sentences


def _ends_with_abbreviation(sentence: str) -> bool:
    last = sentence.rsplit(None, 1)[-1].rstrip(".").lower()
    return last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())


def _split_long(sentence: str) -> list[str]:
    """A sentence so long it would be costly to keep whole, cut at its clauses."""
    if len(sentence) < LONG_SENTENCE_TOKENS * 4:
        return [sentence]
    if estimate_tokens(sentence) <= LONG_SENTENCE_TOKENS:
        return [sentence]
    clauses = [clause.strip() for clause in _CLAUSE_SPLIT.split(sentence) if clause.strip()]
    return clauses or [sentence]


def _stem(word: str) -> str:
    word = word.lower().replace("\u2019", "'")
    if word.endswith("'s"):
        word = word[:-2]
    for suffix, replacement in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: len(word) - len(suffix)] + replacement
    return word


def _content_words(sentence: str) -> frozenset[str]:
    return frozenset(
        _stem(word)
        for word in _WORD.findall(sentence)
        if len(word) > 2 and word.lower().replace("\u2019", "'") not in _STOPWORDS
    )


# ---------------------------------------------------------------------------
# Facts


@dataclass
class _Vocabulary:
    """What the whole input says about which capitalised words are names."""

    known_names: set[str] = field(default_factory=set)
    lowercase_words: set[str] = field(default_factory=set)

    def learn(self, sentence: str) -> None:
        tokens = sentence.split()
        for position, token in enumerate(tokens):
            word = _strip_token(token)
            if not word:
                continue
            if word[0].islower():
                self.lowercase_words.add(word.lower())
            elif (
                position > 0
                and word[0].isupper()
                and not _ends_clause(tokens[position - 1])
                and word.lower() not in _STOPWORDS
            ):
                self.known_names.add(word.lower())


def _strip_token(token: str) -> str:
    token = token.strip("\"'\u201c\u201d\u2018\u2019()[]{}<>*_`,;:!?.…")
    if token.lower().endswith(("'s", "\u2019s")):
        token = token[:-2]
    return token


def _ends_clause(token: str) -> bool:
    return token.endswith(
        (":", ".", "!", "?", "…", '"', "\u201c", "(", "\u2014", "\u2013")
    ) or token in {"-"}


def _looks_like_product(word: str) -> bool:
    """``GPT-4o``, ``iOS``, ``HubSpot``, ``B2B``: mixed case or letters with digits."""
    has_digit = any(char.isdigit() for char in word)
    has_alpha = any(char.isalpha() for char in word)
    inner_upper = any(char.isupper() for char in word[1:]) and any(char.islower() for char in word)
    return has_alpha and (has_digit or inner_upper)


def _name_facts(sentence: str, vocabulary: _Vocabulary) -> dict[str, float]:
    facts: dict[str, float] = {}
    run: list[str] = []
    run_starts_sentence = False

    def close() -> None:
        nonlocal run
        words = list(run)
        run = []
        while words and words[-1].lower() in _NAME_JOINERS:
            words.pop()
        if run_starts_sentence and words:
            first = words[0].lower()
            if first in _STOPWORDS or (
                first not in vocabulary.known_names and first in vocabulary.lowercase_words
            ):
                words = words[1:]
            elif len(words) == 1 and first not in vocabulary.known_names:
                words = []
        while words and words[0].lower() in _NAME_JOINERS | _STOPWORDS:
            words = words[1:]
        if not words:
            return
        key = "name:" + " ".join(words).lower()
        if len(words) > 1:
            weight = 1.0
        elif words[0].isupper() and len(words[0]) > 1:
            weight = 0.6  # an acronym
        else:
            weight = 0.7
        facts[key] = max(facts.get(key, 0.0), weight)

    tokens = sentence.split()
    for position, token in enumerate(tokens):
        word = _strip_token(token)
        starts = position == 0 or _ends_clause(tokens[position - 1])
        lower = word.lower()
        is_capitalised = (
            bool(word)
            and word[0].isupper()
            and any(char.isalpha() for char in word)
            and lower not in _CALENDAR_WORDS
            and lower not in {"i", "i'm", "i'll", "i've", "i'd"}
        )
        if is_capitalised and not (not starts and lower in _STOPWORDS):
            if not run:
                run_starts_sentence = starts
            elif starts:
                close()
                run_starts_sentence = True
            run.append(word)
        elif run and lower in _NAME_JOINERS and not starts:
            run.append(word)
        else:
            if run:
                close()
            if word and _looks_like_product(word) and not word[0].isdigit():
                facts.setdefault("name:" + lower, 0.7)
        if run and token.rstrip("\"')]\u201d\u2019").endswith((",", ".", ";", ":", "!", "?", "…")):
            close()
    if run:
        close()
    return facts


def _number_facts(sentence: str) -> dict[str, float]:
    facts: dict[str, float] = {}
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= low or start >= high for low, high in taken)

    for match in _LINK.finditer(sentence):
        taken.append(match.span())
        facts["link:" + match.group().lower().rstrip(".,)")] = 1.0
    for match in _DATE.finditer(sentence):
        if free(*match.span()):
            taken.append(match.span())
            text = " ".join(match.group().lower().replace(",", "").split())
            digits = re.findall(r"\d+", text)
            if len(digits) >= 2 and _CALENDAR_WORD.search(text):
                weight = 1.1  # day, month and year
            elif _CALENDAR_WORD.search(text) or len(digits) >= 3:
                weight = 1.0 if len(digits) != 1 or len(digits[0]) < 4 else 0.8
            else:
                weight = 0.6  # a quarter or a time of day
            facts["date:" + text] = weight
    for match in _CALENDAR_WORD.finditer(sentence):
        word = match.group()
        if free(*match.span()) and word[0].isupper():  # "may" the verb is no month
            facts.setdefault("date:" + word.lower(), 0.4)
    for match in _VERSION.finditer(sentence):
        if free(*match.span()):
            taken.append(match.span())
            facts[match.group().lower()] = 1.0 if match.group().count(".") >= 2 else 0.8
    for match in _NUMBER.finditer(sentence):
        if free(*match.span()):
            taken.append(match.span())
            key, weight = _number_fact(sentence, match)
            facts[key] = max(facts.get(key, 0.0), weight)
    return facts


def _number_fact(sentence: str, match: re.Match[str]) -> tuple[str, float]:
    """A number's key and weight: exact and large figures say more than small counts."""
    value = match.group("value")
    currency = (match.group("currency") or "").strip()
    suffix = (match.group("suffix") or "").strip().lower()
    magnitude = float(value.replace(",", ""))
    if currency:
        return currency + value + suffix, 1.0 if magnitude >= 1000 or suffix else 0.7
    if suffix in {"%", "percent"}:
        return value + "%", 0.9 if "." in value else 0.6
    if suffix or "," in value:
        return value + suffix, 0.9
    if "." in value:
        return value, 0.6
    if 1900 <= magnitude <= 2100:
        return value, 0.7  # a year
    if magnitude >= 100:
        return value, 0.6
    # A small count ("3 weeks"): worth little, and only with what it counts.
    following = _WORD.match(sentence, match.end() + 1)
    unit = following.group().lower() if following else ""
    return f"{value} {_stem(unit)}".strip(), 0.3


def _hedged(sentence: str, facts: dict[str, float]) -> bool:
    """Whether a hedge ("I think", "teams like") comes before the sentence's first fact."""
    hedge = _HEDGE.search(sentence)
    if hedge is None:
        return False
    lowered = sentence.lower()
    positions = [lowered.find(key.split(":", 1)[-1]) for key in facts]
    first = min((position for position in positions if position >= 0), default=len(sentence))
    return hedge.start() < first


def _commitment(sentence: str, role: str) -> str | None:
    """What the sentence commits to: ``"strong"``/``"weak"`` for a decision or a plan,
    ``"constraint"`` for a requirement the user states; ``None`` for anything else."""
    if sentence.rstrip().endswith("?"):
        return None
    for pattern, kind in ((_STRONG_DECISION, "strong"), (_WEAK_DECISION, "weak")):
        match = pattern.search(sentence)
        if match is None:
            continue
        before = sentence[max(0, match.start() - 30) : match.start()]
        if _NEGATION.search(before):
            continue
        if kind == "weak" and role == "assistant":
            continue
        return kind
    if role == "user" and _CONSTRAINT.search(sentence):
        return "constraint"
    return None


# ---------------------------------------------------------------------------
# Units: one candidate sentence each

PREVIOUS, NEW = 0, 1  # the first part of a unit's order: earlier summary lines come first


@dataclass
class _Unit:
    order: tuple[int, int, int]  # (PREVIOUS or NEW, line or message index, sentence index)
    role: str
    text: str
    tokens: int
    facts: dict[str, float]  # key ("name:…", "date:…", a number…) -> weight
    words: frozenset[str]  # stemmed content words
    shape: frozenset[str]  # the content words that are not part of a fact
    commitment: float  # the weight of the decision or constraint it states, if any
    question: bool
    multiplier: float

    @property
    def line(self) -> tuple[int, int]:
        return self.order[0], self.order[1]

    @property
    def keywords(self) -> set[str]:
        return set(self.words) | set(self.facts)


def _role_weight(role: str) -> float:
    return {"user": USER_WEIGHT, "assistant": ASSISTANT_WEIGHT}.get(role, OTHER_ROLE_WEIGHT)


def _label(role: str) -> str:
    return role[:1].upper() + role[1:] if role else ""


class _Reader:
    """Turns sentences into units, knowing which capitalised words are names."""

    def __init__(self, sentences: Iterable[str], *, opening: int | None) -> None:
        self.vocabulary = _Vocabulary()
        for sentence in sentences:
            self.vocabulary.learn(sentence)
        self.opening = opening

    def unit(self, order: tuple[int, int, int], role: str, text: str) -> _Unit:
        facts = _number_facts(text)
        figures = " ".join(facts)
        for key, weight in _name_facts(text, self.vocabulary).items():
            if key[5:] not in figures:  # "Q3" is a date already, not also a product
                facts.setdefault(key, weight)
        kind = _commitment(text, role)
        words = _content_words(text)
        multiplier = _role_weight(role)
        if order[0] == PREVIOUS:
            multiplier *= PREVIOUS_BONUS
        elif order[1] == self.opening:
            multiplier *= OPENING_BONUS
        if kind is not None:
            multiplier *= KIND_BONUS[kind]
        elif _hedged(text, facts):
            multiplier *= HEDGE_FACTOR
        fact_words = {_stem(part) for key in facts for part in key.split(":", 1)[-1].split()}
        return _Unit(
            order=order,
            role=role,
            text=text,
            tokens=estimate_tokens(text),
            facts=facts,
            words=words,
            shape=words - fact_words,
            commitment=KIND_FACT[kind] if kind else 0.0,
            question=text.endswith("?"),
            multiplier=multiplier,
        )


def _parse_previous(previous: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """A previous summary's (role, line) body and (role, question) open questions.

    Reads this module's own format; any other text (a model's summary) is body lines
    without a role.
    """
    body: list[tuple[str, str]] = []
    questions: list[tuple[str, str]] = []
    in_questions = False
    for raw in previous.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.lower() == OPEN_QUESTIONS_HEADER.lower():
            in_questions = True
            continue
        match = (_QUESTION_LINE if in_questions else _LINE_ROLE).match(line)
        label = (match.group("label") or "").lower() if match else ""
        role = label if label in {"user", "assistant", "system"} else ""
        if match is not None and (role or in_questions):
            line = match.group("text")
        (questions if in_questions else body).append((role, line))
    return body, questions


# ---------------------------------------------------------------------------
# Questions


@dataclass(frozen=True)
class _Message:
    """What a message talks about, to tell whether it answers a question."""

    index: int
    role: str
    keywords: frozenset[str]


def _messages(units: Iterable[_Unit]) -> list[_Message]:
    grouped: dict[int, tuple[str, set[str]]] = {}
    for unit in units:
        if unit.order[0] == NEW:
            grouped.setdefault(unit.order[1], (unit.role, set()))[1].update(unit.keywords)
    return [
        _Message(index, role, frozenset(keywords))
        for index, (role, keywords) in sorted(grouped.items())
    ]


def _answered(question: _Unit, messages: Iterable[_Message]) -> bool:
    """Whether a later message takes up at least half of what the question asks about."""
    keywords = question.keywords
    for message in messages:
        if message.index <= question.order[1] and question.order[0] == NEW:
            continue
        if not keywords:
            if message.role != question.role:
                return True
            continue
        shared = len(keywords & message.keywords)
        if shared and shared * 2 >= len(keywords):
            return True
    return False


def _open_questions(
    reader: _Reader,
    units: Sequence[_Unit],
    earlier: Sequence[tuple[str, str]],
) -> list[tuple[_Unit, _Unit]]:
    """Unanswered questions as (listed, asked) pairs, oldest first.

    ``listed`` is what the summary shows: a short question ("When do they open?")
    comes with the sentence before it, which says what it is about.
    """
    messages = _messages(units)
    result: list[tuple[_Unit, _Unit]] = []
    for index, (role, text) in enumerate(earlier):
        unit = reader.unit((PREVIOUS, -1, index), role, text)
        if not _answered(unit, messages):
            result.append((unit, unit))
    by_order = {unit.order: unit for unit in units}
    for unit in units:
        if unit.order[0] != NEW or not unit.question or _OFFER.match(unit.text):
            continue
        if _answered(unit, messages):
            continue
        before = by_order.get((NEW, unit.order[1], unit.order[2] - 1))
        listed = unit
        if before is not None and len(unit.keywords) <= SHORT_QUESTION_WORDS:
            listed = reader.unit(unit.order, unit.role, f"{before.text} {unit.text}")
        result.append((listed, unit))
    return result


# ---------------------------------------------------------------------------
# Selection


class _Coverage:
    """The facts, words and commitments already in the summary."""

    def __init__(self) -> None:
        self.facts: set[str] = set()
        self.name_parts: set[str] = set()
        self.words: set[str] = set()
        self.commitments: list[frozenset[str]] = []

    def covers(self, key: str) -> bool:
        """A fact already stated; "Priya" counts as stated once "Priya Raman" is."""
        return key in self.facts or (key.startswith("name:") and key[5:] in self.name_parts)

    def add(self, unit: _Unit) -> None:
        for key in unit.facts:
            self.facts.add(key)
            if key.startswith("name:"):
                self.name_parts.update(key[5:].split())
        self.words.update(unit.words)
        if unit.commitment:
            self.commitments.append(unit.words)

    def commitment_covered(self, words: frozenset[str]) -> bool:
        for covered in self.commitments:
            union = len(words | covered)
            if union and len(words & covered) / union >= 0.6:
                return True
        return False

    def gain(self, unit: _Unit) -> tuple[float, float]:
        """(fact gain, total gain) of adding ``unit``, both with its multiplier."""
        weights = sorted(
            (weight for key, weight in unit.facts.items() if not self.covers(key)), reverse=True
        )
        facts = sum(
            weight * FACT_DECAY[min(rank, len(FACT_DECAY) - 1)]
            for rank, weight in enumerate(weights)
        )
        if unit.commitment and not self.commitment_covered(unit.words):
            facts += unit.commitment
        new_words = min(len(unit.words - self.words) * NEW_WORD_WEIGHT, NEW_WORDS_CAP)
        return facts * unit.multiplier, (facts + new_words) * unit.multiplier


def _ratio(gain: float, unit: _Unit) -> float:
    return gain / (unit.tokens + TOKEN_SMOOTHING)


def _pick_questions(
    candidates: Sequence[tuple[_Unit, _Unit]], max_tokens: int, coverage: _Coverage
) -> tuple[list[_Unit], set[int]]:
    """The most recent open questions that fit their share: (listed units, asked ids)."""
    chosen: list[_Unit] = []
    asked: set[int] = set()
    share = max_tokens * OPEN_QUESTIONS_SHARE
    for listed, unit in reversed(candidates):
        if len(chosen) >= MAX_OPEN_QUESTIONS:
            break
        for version in [listed] if listed is unit else [listed, unit]:
            if estimate_tokens(_render([], [*chosen, version])) <= share:
                chosen.append(version)
                asked.add(id(unit))
                coverage.add(version)
                break
    return chosen, asked


def _select(
    candidates: Sequence[_Unit], questions: Sequence[_Unit], coverage: _Coverage, max_tokens: int
) -> list[_Unit]:
    """Greedy budgeted coverage: the sentence adding most per token, while it fits.

    Lazy greedy: a sentence's score only falls as the summary grows, so a stale score
    is an upper bound and only the top of the heap needs scoring again.
    """
    chosen: list[_Unit] = []
    remaining = sorted(
        (unit for unit in candidates if unit.tokens <= max_tokens), key=lambda unit: unit.order
    )
    size = estimate_tokens(_render([], questions)) if questions else 0
    # How much each candidate reads like one already chosen (0-1), as in maximal marginal
    # relevance: "A said X about P." after "B said X about Q." adds little.
    similarity = [0.0] * len(remaining)
    for unit in questions:
        _update_similarity(remaining, similarity, unit)

    def score(index: int) -> float:
        unit = remaining[index]
        fact_gain, total_gain = coverage.gain(unit)
        if fact_gain <= 0 and size >= max_tokens * FILLER_SHARE:
            return 0.0
        return _ratio(total_gain * (1 - REDUNDANCY_PENALTY * similarity[index]), unit)

    heap = [(-score(index), index) for index in range(len(remaining))]
    heapq.heapify(heap)
    while heap:
        _, index = heapq.heappop(heap)
        current = score(index)
        if current <= 0:
            continue
        if heap and current < -heap[0][0]:
            heapq.heappush(heap, (-current, index))
            continue
        unit = remaining[index]
        trial_size = estimate_tokens(_render([*chosen, unit], questions))
        if trial_size <= max_tokens:
            chosen.append(unit)
            size = trial_size
            coverage.add(unit)
            _update_similarity(remaining, similarity, unit)
    return chosen


def _update_similarity(remaining: Sequence[_Unit], similarity: list[float], chosen: _Unit) -> None:
    if not chosen.shape:
        return
    for index, unit in enumerate(remaining):
        if unit.shape:
            overlap = len(unit.shape & chosen.shape) / len(unit.shape | chosen.shape)
            similarity[index] = max(similarity[index], overlap)


# ---------------------------------------------------------------------------
# Output


def _render(body: Sequence[_Unit], questions: Sequence[_Unit]) -> str:
    """Body lines in conversation order (one per message or earlier line), then questions."""
    lines: list[str] = []
    current: tuple[int, int] | None = None
    for unit in sorted(body, key=lambda unit: unit.order):
        if unit.line == current:
            lines[-1] = f"{lines[-1]} {unit.text}"
            continue
        current = unit.line
        label = _label(unit.role)
        lines.append(f"{label}: {unit.text}" if label else unit.text)
    text = "\n".join(lines)
    if questions:
        items = [
            f"- {_label(unit.role)}: {unit.text}" if unit.role else f"- {unit.text}"
            for unit in sorted(questions, key=lambda unit: unit.order)
        ]
        section = "\n".join([OPEN_QUESTIONS_HEADER, *items])
        text = f"{text}\n\n{section}" if text else section
    return text


def _truncate(text: str, max_tokens: int) -> str:
    """The longest word-boundary prefix of ``text`` that, with an ellipsis, fits."""
    if estimate_tokens(text) <= max_tokens:
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if estimate_tokens(text[:middle].rstrip() + "…") <= max_tokens:
            low = middle
        else:
            high = middle - 1
    cut = text[:low]
    if low < len(text) and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    cut = cut.rstrip(" ,;:-")
    result = cut + "…" if cut else ""
    return result if estimate_tokens(result) <= max_tokens else ""


def extractive_summary(
    turns: Sequence[tuple[str, str]], *, previous: str | None = None, max_tokens: int
) -> str:
    """A summary of ``previous`` plus ``turns`` ((role, content) pairs, in order).

    At most ``max_tokens`` tokens, equal for equal input, ``""`` when there is nothing
    to summarize. With no new turns, ``previous`` comes back as it is if it fits.
    """
    if max_tokens < 0:
        raise ValueError("max_tokens must not be negative")
    previous = (previous or "").strip()
    if max_tokens == 0:
        return ""
    if not any(content.strip() for _, content in turns) and estimate_tokens(previous) <= max_tokens:
        return previous

    body, earlier_questions = _parse_previous(previous)
    raw: list[tuple[tuple[int, int, int], str, str]] = []
    for line_index, (role, line) in enumerate(body):
        for sentence_index, sentence in enumerate(_sentences(line)):
            raw.append(((PREVIOUS, line_index, sentence_index), role, sentence))
    for message_index, (role, content) in enumerate(turns):
        for sentence_index, sentence in enumerate(_sentences(content or "")):
            raw.append(((NEW, message_index, sentence_index), (role or "").lower(), sentence))
    # The conversation's first user message usually says what it is about.
    opening = None
    if not previous:
        opening = next((index for index, (role, _) in enumerate(turns) if role == "user"), None)
    reader = _Reader(
        [sentence for _, _, sentence in raw] + [text for _, text in earlier_questions],
        opening=opening,
    )
    units = [reader.unit(order, role, text) for order, role, text in raw]

    coverage = _Coverage()
    open_questions = _open_questions(reader, units, earlier_questions)
    questions, asked = _pick_questions(open_questions, max_tokens, coverage)
    # Questions left out of the section compete like any sentence, at a discount.
    candidates = [unit for unit in units if id(unit) not in asked]
    candidates += [
        unit for _, unit in open_questions if unit.order[1] < 0 and id(unit) not in asked
    ]
    for unit in candidates:
        if unit.question:
            unit.multiplier *= ANSWERED_QUESTION_FACTOR

    text = _render(_select(candidates, questions, coverage, max_tokens), questions)
    if text and estimate_tokens(text) <= max_tokens:
        return text
    # Nothing fits whole: the beginning of the sentence worth most.
    best = max(
        candidates,
        key=lambda unit: (_ratio(_Coverage().gain(unit)[1], unit), [-part for part in unit.order]),
        default=None,
    )
    return _truncate(_render([best], []), max_tokens) if best is not None else ""


def summary_prompt(
    turns: Sequence[tuple[str, str]], *, previous: str | None, max_tokens: int
) -> list[tuple[str, str]]:
    """The (role, content) messages asking a summarizer model for a checkpoint summary."""
    instruction = (
        "You write the running summary of a conversation, which replaces the messages it "
        "covers in the model's context. Keep, exactly as written: names of people, "
        "companies, places and products; numbers (amounts, prices, dates, versions, "
        "quantities, percentages); every decision made (what was decided or agreed, and "
        "by whom); and open questions that no later message answers. Keep every fact of "
        "the previous summary unless a later message changes it. Prefer what the user "
        "stated; drop greetings, filler and general advice. Write plain text lines "
        "beginning 'User:' or 'Assistant:', in conversation order, then, if any remain, "
        f"a final '{OPEN_QUESTIONS_HEADER}' section with one '- ' item each. Use at most "
        f"{max_tokens} tokens. Reply with the summary only."
    )
    transcript = "\n\n".join(
        f"{_label((role or '').lower()) or 'Message'}: {content.strip()}"
        for role, content in turns
        if content and content.strip()
    )
    parts = []
    if previous and previous.strip():
        parts.append(f"Previous summary:\n{previous.strip()}")
    parts.append(f"New messages:\n{transcript}" if transcript else "New messages: (none)")
    return [("system", instruction), ("user", "\n\n".join(parts))]
