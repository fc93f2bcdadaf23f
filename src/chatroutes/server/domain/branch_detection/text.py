"""The text every detector reads: code and links masked out, sentence spans, words,
and the wording of titles and option lists.

Offsets are into the original text: masking keeps its length. The costlier ignore-case
patterns run case-sensitively on a lower-cased copy of the text, made once per text
(``_Folding``), wherever that copy keeps the offsets and the letters they match.
"""

from __future__ import annotations

import re
import string
import sys
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

MAX_TITLE = 80


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_CODE_FENCE = re.compile(r"```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)", re.S)
_INLINE_CODE = re.compile(r"`[^`\n]+`")
_CODE_NAME = re.compile(r"`[\w.$@:/-]{1,40}(?:\(\))?`")  # `useEffect`: a name, kept as one word
_URL = re.compile(r"\b(?:https?://|www\.)\S+|\b[\w.+-]+@[\w-]+\.[\w.]+\b")
_INDENTED_CODE = re.compile(r"^(?: {4}|\t)\S.*$", re.M)
_ABBREVIATIONS = {"e.g", "i.e", "etc", "vs", "bzw", "mr", "mrs", "dr", "st", "approx", "cf", "no"}


def masked(text: str) -> str:
    """``text`` with code, URLs and e-mail addresses blanked out (same length); an inline
    code name (`useEffect`) stays a word, as letters, so it can be an option."""
    chars: list[str] | None = None
    for pattern, cues in _MASKS:
        if not any(map(text.__contains__, cues)):
            continue  # none of what the pattern needs is in the text
        for match in pattern.finditer(text):
            if chars is None:
                chars = list(text)
            start, end = match.span()
            if pattern is _INLINE_CODE and _CODE_NAME.fullmatch(match.group(0)):
                chars[start:end] = " " + "x" * (end - start - 2) + " "
            else:
                chars[start:end] = _blanked(match.group(0))
    return text if chars is None else "".join(chars)


def _blanked(piece: str) -> str:
    """``piece`` as spaces, its line breaks kept: masked text keeps its length and lines."""
    return _NOT_NEWLINE.sub(" ", piece)


_NOT_NEWLINE = re.compile(r"[^\n]")
# each pattern that masks, and the strings one of which it cannot match without
_MASKS = (
    (_CODE_FENCE, ("```", "~~~")),
    (_INLINE_CODE, ("`",)),
    (_URL, ("://", "www.", "@")),
    (_INDENTED_CODE, ("    ", "\t")),
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int


# a newline, or terminal punctuation closed by quotes or brackets and followed by a space:
# one character class first, so that a search skips ahead to the next candidate
_BREAK = re.compile(r"[\n.!?](?:(?<=\n)|(?<=[.!?])[.!?]*[\"')\u201d\u00bb]*(?=\s|$))")
_LETTERS_AND_DOTS = string.ascii_letters + "."  # what an abbreviation is written with


def sentences(scan: str) -> list[Span]:
    """Sentence spans (terminal punctuation included, whitespace trimmed); lines split too."""
    spans: list[Span] = []
    start = 0
    for match in _BREAK.finditer(scan):
        at, end = match.span()
        if scan[at] == "\n":
            if at > start:  # not the second of two line breaks
                _push(spans, scan, start, at)
            start = end
            continue
        if end - at == 1 and scan[at] == "." and _abbreviation(scan, max(start, at - 20), at):
            continue
        _push(spans, scan, start, end)
        start = end
    _push(spans, scan, start, len(scan))
    return spans


def _abbreviation(scan: str, start: int, end: int) -> bool:
    """Whether the letters and dots that end ``scan[start:end]`` are an abbreviation."""
    window = scan[start:end]
    word = window[len(window.rstrip(_LETTERS_AND_DOTS)) :]
    return bool(word) and word.lower().strip(".") in _ABBREVIATIONS


def _push(spans: list[Span], scan: str, start: int, end: int) -> None:
    piece = scan[start:end]
    core = piece.lstrip()
    if core:
        start += len(piece) - len(core)
        spans.append(Span(start, start + len(core.rstrip())))


def _by_sentence(
    pattern: re.Pattern[str], scan: str, sents: Sequence[Span]
) -> list[list[re.Match[str]]]:
    """Each sentence's matches of ``pattern``, found in one pass over the message. They
    are those a search within each sentence finds when every match of ``pattern`` starts
    and ends on a letter, holds no line break nor terminal punctuation, and looks around
    only for word boundaries: every sentence starts and ends next to a space or an end
    of the message, so no match crosses a sentence's edge nor sees past it."""
    found: list[list[re.Match[str]]] = [[] for _ in sents]
    index = 0
    for match in pattern.finditer(scan):
        while index < len(sents) and sents[index].end <= match.start():
            index += 1
        if index == len(sents):
            break
        if sents[index].start <= match.start():
            found[index].append(match)
    return found


_MARKER = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*•+]|[a-hA-H][.)]|\(\w\))\s+")


_MARKER_FIRST = frozenset("-*•+(abcdefghABCDEFGH")  # and digits and spaces


def _may_open_marker(first: str) -> bool:
    """Whether a list marker may start with ``first``: none starts with another character."""
    return first in _MARKER_FIRST or first.isdecimal() or first.isspace()


def _strip_marker(scan: str, span: Span) -> Span:
    if not _may_open_marker(scan[span.start : span.start + 1]):
        return span
    match = _MARKER.match(scan[span.start : span.end])
    return Span(span.start + match.end(), span.end) if match else span


def _marker(line: str) -> re.Match[str] | None:
    """The list marker that opens ``line`` ("- ", "2. ", "(b) "), if any."""
    return _MARKER.match(line) if _may_open_marker(line[:1]) else None


def _mentions(text: str, keys: Sequence[str]) -> bool:
    """Whether ``text`` (any case) contains one of ``keys``: a cheap test before a regex."""
    return any(map(text.lower().__contains__, keys))


# letters an ignore-case regex reads as "i" or "s" that lower() does not turn into them
_CASE_FOLDS = ("\u0130", "\u0131", "\u017f")


@lru_cache(maxsize=8)
def _lowered(text: str) -> str | None:
    """``_folded_copy`` of ``text``, cached: a message's detectors ask for it many times."""
    return _folded_copy(text)


def _folded_copy(text: str) -> str | None:
    """``text`` lower-cased, when a lower-case regex finds on it what its ignore-case
    twin finds on ``text``, at the same offsets: lower() kept the length and the text
    holds no letter that only an ignore-case regex folds (``_CASE_FOLDS``). Else None."""
    low = text.lower()
    if text.isascii():
        return low
    if len(low) != len(text) or any(map(text.__contains__, _CASE_FOLDS)):
        return None
    return low


# up to this length, a text is lower-cased anew rather than looked up in the cache, which
# is kept for the message itself: a sentence or a phrase is lower-cased in no time (each
# method of ``_Folding`` spells this out: it runs tens of thousands of times a second)
_SHORT = 240


_END = sys.maxsize


class _Folding:
    """An ignore-case pattern run, where it may, as its case-sensitive twin on the text
    lower-cased (``_lowered``): the same matches at the same offsets, found two to three
    times faster. A match's groups then hold the text lower-cased. The pattern must spell
    every letter in lower case (escapes such as ``\\W`` aside); a word list it opens with
    is factored (``_factored``)."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        if not (pattern.flags & re.I and _spelled_lower(pattern.pattern)):
            raise ValueError(f"not an ignore-case pattern spelled in lower case: {pattern.pattern}")
        self.pattern, self.flags = pattern.pattern, pattern.flags
        self._ignoring_case = factored = _factored(pattern)
        self._twin = re.compile(factored.pattern, factored.flags & ~re.I)

    def search(self, text: str, pos: int = 0, endpos: int = _END) -> re.Match[str] | None:
        low = _lowered(text) if len(text) > _SHORT else _folded_copy(text)
        if low is None:
            return self._ignoring_case.search(text, pos, endpos)
        return self._twin.search(low, pos, endpos)

    def match(self, text: str, pos: int = 0, endpos: int = _END) -> re.Match[str] | None:
        low = _lowered(text) if len(text) > _SHORT else _folded_copy(text)
        if low is None:
            return self._ignoring_case.match(text, pos, endpos)
        return self._twin.match(low, pos, endpos)

    def finditer(self, text: str, pos: int = 0, endpos: int = _END) -> Iterator[re.Match[str]]:
        low = _lowered(text) if len(text) > _SHORT else _folded_copy(text)
        if low is None:
            return self._ignoring_case.finditer(text, pos, endpos)
        return self._twin.finditer(low, pos, endpos)

    def sub(self, replacement: str, text: str) -> str:
        """``text`` with each match replaced by ``replacement``, plain text (no group
        references): what ``re.sub`` gives."""
        low = _lowered(text) if len(text) > _SHORT else _folded_copy(text)
        if low is None:
            return self._ignoring_case.sub(lambda _: replacement, text)
        pieces: list[str] = []
        cursor = 0
        for match in self._twin.finditer(low):
            pieces += (text[cursor : match.start()], replacement)
            cursor = match.end()
        return "".join([*pieces, text[cursor:]]) if pieces else text


# a pattern, or one that runs on the lower-cased text where it may
_Searcher = re.Pattern[str] | _Folding


def _matches_at_keys(
    pattern: _Searcher, scan: str, keys: Iterable[str], *, word_start: bool = False
) -> list[re.Match[str]]:
    """Each match of ``pattern`` that opens where one of ``keys`` (lower case) is written
    in ``scan``, in text order: faster than a search with the whole pattern, for a
    pattern each of whose matches opens with a key. ``word_start``: only keys that open
    a word count."""
    low = _lowered(scan)
    if low is None:
        return list(pattern.finditer(scan))
    found = []
    for key in keys:
        at = low.find(key)
        while at != -1:
            if not (word_start and at and low[at - 1].isalnum()) and (
                match := pattern.match(scan, at)
            ):
                found.append(match)
            at = low.find(key, at + 1)
    return sorted(found, key=lambda match: match.start())


def _spelled_lower(source: str) -> bool:
    """Whether a pattern's letters are all lower case, its syntax aside (escapes such as
    ``\\W``, group names ``(?P<…>``)."""
    plain = _SYNTAX.sub("", source)
    return plain == plain.lower() and "(?-" not in plain


_SYNTAX = re.compile(r"\\.|\(\?P[<=]")


def _may_match(text: str, keys: Sequence[str]) -> bool:
    """Whether an ignore-case regex, each of whose matches holds one of ``keys`` (in
    lower case), may match in ``text``: when it is False, the regex finds nothing."""
    return _mentions(text, keys) or any(map(text.__contains__, _CASE_FOLDS))


def _skip(pattern: re.Pattern[str], text: str, at: int) -> int:
    """Where ``pattern``, which also matches the empty string, stops matching at ``at``."""
    match = pattern.match(text, at)
    assert match is not None, pattern.pattern  # it matches the empty string
    return match.end()


_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")


def _words(text: str) -> list[str]:
    """The words of ``text``, lower-cased (a fresh list: callers may change it)."""
    return list(_words_of(text))


@lru_cache(maxsize=512)
def _words_of(text: str) -> tuple[str, ...]:
    """Cached: a message's detectors ask for the words of the same phrases many times."""
    return tuple(_WORD.findall(text.lower()))


def _clip(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _join(options: Sequence[str], conjunction: str) -> str:
    return _listed([_clip(o) for o in options], conjunction)


def _listed(items: Sequence[str], conjunction: str) -> str:
    """``items`` as a list in a sentence: "A or B", "A, B, or C"."""
    if len(items) <= 2:
        return f" {conjunction} ".join(items)
    return ", ".join(items[:-1]) + f", {conjunction} " + items[-1]


def _title(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= MAX_TITLE:
        return text
    return text[: MAX_TITLE - 1].rstrip() + "…"


_TRIM = " \t\n,.;:!?\"'()[]*_\u201c\u201d\u00ab\u00bb\u00bf\u00a1"


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """``start, end`` moved inwards past spaces, punctuation and Markdown emphasis."""
    if start >= end:
        return start, end
    piece = text[start:end]
    core = piece.lstrip(_TRIM)
    start += len(piece) - len(core)
    return start, start + len(core.rstrip(_TRIM))


_LEAD_IN = re.compile(
    r"^(?:(?:hi|hello|hey|ok|okay|so|well|separately|additionally|also|and|plus|p\.?s\.?|btw|"
    r"hola|bonjour|salut|hallo|ciao|olá|buenas|quick question|kurze frage|"
    r"by the way|finally|lastly|"
    r"aussi|también|además|außerdem)\b[,:]?\s+)*"
    r"(?:(?:can|could|would|will) (?:you|we) (?:please |also )?|please |pls |"
    r"i(?:'d| would) like (?:you )?to |let's |let us |help me (?:to )?|"
    r"(?:i wanted to know|i'd like to know|quería saber|je voulais savoir|ich wollte wissen|"
    r"vorrei sapere) |"
    r"(?:one|another|the other|the first|the second) (?:about|on|regarding|concerning) )?"
    r"(?:(?:and|but|also|plus|then|so|or|maybe|perhaps|just|et|y|und|aussi|también|auch)\s+)*"
    r"(?:(?:i|we|you)\s+(?:also\s+)?(?:need|want|would like|'d like|have|had|got|must|should)\s+)?"
    r"(?:(?:also|still)\s+)?(?:(?:to|go with|going with|use|using|get|getting|have|got|"
    r"need|want|be|choose|pick)\s+)?(?:(?:a|an|the|some|to|le|la|les|un|une|des|el|los|las|una|unos|unas|der|"
    r"die|das|den|dem|ein|eine|einen|einem|einer|il|lo|gli|os|um|uma)\s+|l')?",
    re.I,
)
# the same, run case-sensitively on a lower-cased copy (``_folded_copy``): faster
_LEAD_IN_LOWER = re.compile(_LEAD_IN.pattern, _LEAD_IN.flags & ~re.I)
_HELP_WITH = re.compile(
    r"^(?:some\s+)?help\s+(?:with|on|for)\s+(?:my\s+|the\s+|a\s+|our\s+)?(.+)$", re.I
)


def _option_title(text: str) -> str:
    """A short title naming an option: lead-in words dropped ("I need help with
    billing" → "Billing help"), first letter capitalised."""
    text = " ".join(text.split()).strip(_TRIM)
    low = _folded_copy(text)  # not ``_lowered``: titles would push the message out of its cache
    lead_end = _skip(_LEAD_IN, text, 0) if low is None else _skip(_LEAD_IN_LOWER, low, 0)
    core = text[lead_end:] or text
    # "help with …" opens with "help" or "some", in any case: a lower-cased copy tells
    may_help = low is None or (low[lead_end:] or low).startswith(("help", "some"))
    helped = _HELP_WITH.match(core) if may_help else None
    if helped and len(helped.group(1).split()) <= 4:
        core = f"{helped.group(1)} help"
    core = _clip(core.strip(_TRIM) or text, 60)
    if core[1:2].isupper():
        return core  # "iPhone 15", "eBay"
    return core[:1].upper() + core[1:]


_QUOTED = re.compile(
    r"\"[^\"\n]{1,120}\"|\u201c[^\u201d\n]{1,120}\u201d|\u00ab[^\u00bb\n]{1,120}\u00bb|"
    r"\u201e[^\u201c\u201d\"\n]{1,120}[\u201c\u201d\"]|'(?<!\w')[^'\n]{1,80}'(?!\w)"
)  # every alternative opens with its quote (no word before "'"), so a search skips ahead


def _quoted(scan: str) -> list[tuple[int, int]]:
    """Spans of quoted text: an option inside quotes is cited, not offered."""
    if len(scan) <= _SHORT:
        return _quote_spans(scan)
    return list(_message_quotes(scan))  # a copy: the caller may change it


@lru_cache(maxsize=2)
def _message_quotes(scan: str) -> tuple[tuple[int, int], ...]:
    """``_quote_spans`` of a message, cached: several families ask for them."""
    return tuple(_quote_spans(scan))


def _quote_spans(scan: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _QUOTED.finditer(scan)]


def _unquoted(scan: str) -> str:
    """``scan`` with its quoted text blanked (same length): what the writer says, not cites."""
    if not any(mark in scan for mark in "\"'\u201c\u201e\u00ab"):
        return scan
    return _QUOTED.sub(lambda quote: " " * len(quote.group(0)), scan)


def _inside(spans: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < start and end < e for s, e in spans)


_PLAIN = frozenset("-' \u2019")


def _factored(pattern: re.Pattern[str]) -> re.Pattern[str]:
    r"""``pattern``, which opens with a word list ``\b(?:w1|w2|…)``, with the words that
    share their first letters grouped (``\b(?:w(?:rite|ord)|…)``): it matches exactly
    the same, and faster, since an alternative is tried only after its first letters
    matched. Only plain letters are grouped, so a word's regex syntax (``\w*``,
    ``(?:a|b)``) stays whole. Letters are grouped in lower case: a pattern that does not
    ignore case is kept."""
    head = r"\b(?:"
    body = pattern.pattern
    listing = body.startswith(head) and pattern.flags & re.I
    listed = _word_list(body, len(head)) if listing else None
    if listed is None:
        return pattern
    words, end = listed
    factored = head + _trie(words) + body[end:]
    return pattern if factored == body else re.compile(factored, pattern.flags)


def _word_list(body: str, start: int) -> tuple[list[str], int] | None:
    """The alternatives of the group of ``body`` whose contents start at ``start``, and
    where it closes (its ``)``); None when it does not."""
    words: list[str] = []
    depth, at, first, in_class = 0, start, start, False
    while at < len(body):
        char = body[at]
        if char == "\\":
            at += 1
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            at += 1 if body[at + 1 : at + 2] == "^" else 0
            at += 1 if body[at + 1 : at + 2] == "]" else 0  # a "]" first is a plain one
        elif char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
        elif char == ")":
            return [*words, body[first:at]], at
        elif char == "|" and not depth:
            words.append(body[first:at])
            first = at + 1
        at += 1
    return None


def _trie(words: list[str]) -> str:
    """The alternation of ``words``, grouped on their first letter while every word of a
    group goes on with a plain letter; the order of the words is kept within a group, and
    two groups never match at the same place. A word that does not start plainly stays
    where it is, between the groups of the words before it and those after it."""
    parts: list[str] = []
    run: list[str] = []
    for word in [*words, None]:
        if word is not None and _plain_start(word):
            run.append(word)
            continue
        parts.extend(_grouped(run))
        run = []
        if word is not None:
            parts.append(word)
    return "|".join(parts)


def _grouped(words: list[str]) -> list[str]:
    groups: dict[str, list[str]] = {}
    for word in words:
        groups.setdefault(word[0].lower(), []).append(word)
    parts = []
    for members in groups.values():
        first = members[0][0]
        if len(members) == 1:
            parts.append(members[0])
        else:
            parts.append(f"{re.escape(first)}(?:{_trie([m[1:] for m in members])})")
    return parts


def _plain_start(word: str) -> bool:
    """Whether ``word`` starts with a plain letter that no quantifier applies to."""
    return bool(word) and (word[0].isalnum() or word[0] in _PLAIN) and word[1:2] not in _QUANTIFIERS


_QUANTIFIERS = frozenset("?*+{")

_NEGATION = _factored(
    re.compile(
        r"\b(?:not|no|never|without|neither|nor|none|nothing|hardly|n't|cannot)\b|n't\b", re.I
    )
)


class _Keyed:
    """Which spans of a text mention one of ``keys`` (any case): every key found once
    in the whole text, so that each sentence's test is a lookup, not a scan."""

    def __init__(self, text: str, keys: tuple[str, ...], *, regex: bool = False) -> None:
        """``regex``: ``within`` stands for an ignore-case regex each of whose matches holds
        a key, and is True wherever that regex may match (see ``_may_match``)."""
        low = _lowered(text)
        self._text = text if low is None else None  # no lower-cased copy with its offsets
        self._keys = keys = _shortest(keys)
        self._everywhere = regex and any(map(text.__contains__, _CASE_FOLDS))
        hits = _known_key_hits(low, keys) if low is not None else []
        hits.sort()
        self._starts = [start for start, _ in hits]
        # the nearest end of a key found at or after each one's start
        self._ends = [end for _, end in hits]
        for index in range(len(hits) - 2, -1, -1):
            self._ends[index] = min(self._ends[index], self._ends[index + 1])

    def within(self, start: int, end: int) -> bool:
        """Whether ``text[start:end]`` holds a key."""
        if self._everywhere:
            return True
        if self._text is not None:
            return _mentions(self._text[start:end], self._keys)
        index = bisect_left(self._starts, start)
        return index < len(self._ends) and self._ends[index] <= end


# The key lists ``_Keyed`` was given, in the order first seen: the keys of all of them are
# found in a message in one search (``_key_places``), not in one per family. Up to
# ``_MAX_KEY_LISTS`` lists; a list beyond them is searched on its own.
_KEY_LISTS: list[tuple[str, ...]] = []
_MAX_KEY_LISTS = 8


def _known_key_hits(low: str, keys: tuple[str, ...]) -> list[tuple[int, int]]:
    """``_key_hits(low, keys)``, read from where the keys of every known list are."""
    if keys not in _KEY_LISTS:
        if len(_KEY_LISTS) >= _MAX_KEY_LISTS:
            return _key_hits(low, keys)
        _KEY_LISTS.append(keys)
    places = _key_places(low, len(_KEY_LISTS))
    return [(at, at + len(key)) for key in keys for at in places.get(key, ())]


@lru_cache(maxsize=2)
def _key_places(low: str, lists: int) -> dict[str, list[int]]:
    """Where each key of the first ``lists`` key lists is written in ``low``. Cached: each
    family of a message asks for it."""
    shortest_first, longer = _keys_of(lists)
    places: dict[str, list[int]] = {}
    found = shortest_first.search(low)
    while found is not None:  # the shortest key that starts there
        at, key = found.start(), found.group(0)
        places.setdefault(key, []).append(at)
        for other in longer[key]:  # the other keys that start there hold it
            if low.startswith(other, at):
                places.setdefault(other, []).append(at)
        found = shortest_first.search(low, at + 1)  # keys may overlap
    return places


@cache
def _keys_of(lists: int) -> tuple[re.Pattern[str], dict[str, list[str]]]:
    """A pattern that finds, at each place where a key of the first ``lists`` key lists
    starts, the shortest key there; and for each key, the longer keys that open with it."""
    keys = sorted({key for known in _KEY_LISTS[:lists] for key in known}, key=len)
    longer = {key: [o for o in keys if len(o) > len(key) and o.startswith(key)] for key in keys}
    by_first: dict[str, list[str]] = {}
    for key in keys:
        by_first.setdefault(key[0], []).append(key)
    # one trie per first letter, which keeps the order of its words: the shortest is tried
    # first (a search from each place a key starts finds the keys that overlap it). The
    # tries never match at the same place, and an alternation tries them in order: those
    # of the letters most written come first
    firsts = sorted(by_first, key=lambda first: _COMMON_FIRST.get(first, len(_COMMON_FIRST)))
    escaped = "|".join(
        _trie([_REGEX_SYNTAX.sub(r"\\\1", key) for key in by_first[first]]) for first in firsts
    )
    return re.compile(escaped), longer


# the characters most written in a text, most written first
_COMMON_FIRST = {char: rank for rank, char in enumerate(" etaoinsrhldcumfpgwybvkxjqz")}


# from this many keys on, one search for them all beats a scan of the text per key
_MANY_KEYS = 32


def _key_hits(low: str, keys: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where each of ``keys`` (none holding another) is written in ``low``."""
    hits: list[tuple[int, int]] = []
    if len(keys) >= _MANY_KEYS:
        # no key holds another, so at most one starts at each place: a search from the
        # place after each hit finds them all
        any_key = _any_key(keys)
        found = any_key.search(low)
        while found is not None:
            hits.append(found.span())
            found = any_key.search(low, found.start() + 1)
        return hits
    for key in keys:
        at = low.find(key)
        while at != -1:
            hits.append((at, at + len(key)))
            at = low.find(key, at + 1)
    return hits


@cache
def _any_key(keys: tuple[str, ...]) -> re.Pattern[str]:
    """A pattern that matches any of ``keys``, written as a trie."""
    return re.compile(_trie([_REGEX_SYNTAX.sub(r"\\\1", key) for key in keys]))


_REGEX_SYNTAX = re.compile(r"([.^$*+?{}\[\]\\|()])")


@cache
def _shortest(keys: tuple[str, ...]) -> tuple[str, ...]:
    """``keys`` without those that hold another: wherever they are, the other is too."""
    return tuple(k for k in keys if not any(o in k and o != k for o in keys))
