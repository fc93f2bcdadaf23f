"""Facts in a sentence: names, numbers, dates, versions, e-mail addresses and URLs,
each with a weight; whether a hedge weakens them; and the decision or constraint
the sentence commits to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .sentences import _STOPWORDS, _WORD, _stem, _word_set

_MONTHS = sorted(
    _word_set(
        "january february march april may june july august september october november december"
    )
)
_MONTH_ABBREVIATIONS = [month[:3] for month in _MONTHS] + ["sept"]
_WEEKDAYS = sorted(_word_set("monday tuesday wednesday thursday friday saturday sunday"))
_CALENDAR_WORDS = frozenset(_MONTHS + _MONTH_ABBREVIATIONS + _WEEKDAYS)
_NAME_JOINERS = frozenset({"of", "de", "da", "del", "der", "di", "du", "la", "le", "van", "von"})


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


_HEDGE = re.compile(
    r"\b(?:i think|thinks|i feel|feels|seems?|seemed|probably|maybe|perhaps|i guess|"
    r"apparently|i read|i heard|someone said|for example|for instance|such as|e\.g\.|"
    r"(?:teams|companies|products|tools|apps) like)\b",
    re.IGNORECASE,
)


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
