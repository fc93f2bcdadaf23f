"""What every branch detector family reads: masked text, sentence spans, quotes, keyed
lookups and the trimming of spans."""

from __future__ import annotations

import importlib
import re

import pytest

from chatroutes.server.domain.branch_detection.text import (
    _MARKER,
    Span,
    _by_sentence,
    _Folding,
    _key_hits,
    _Keyed,
    _known_key_hits,
    _lowered,
    _marker,
    _may_match,
    _quoted,
    _strip_marker,
    _trimmed,
    masked,
    sentences,
)


def pieces(text: str) -> list[str]:
    return [text[s.start : s.end] for s in sentences(text)]


class TestMasked:
    def test_plain_text_is_kept_as_it_is(self):
        text = "Should I use Postgres or MySQL? Either works, I guess."
        assert masked(text) == text

    def test_code_links_and_addresses_are_blanked_to_the_same_length(self):
        text = "Run ```x or y``` then see https://a.io/x?or=1 or mail me@x.org, or www.b.org"
        out = masked(text)
        assert len(out) == len(text)
        assert "x or y" not in out and "https" not in out and "me@x" not in out
        assert "www" not in out and out.startswith("Run ") and " then see " in out

    def test_a_code_name_stays_a_word_and_other_inline_code_is_blanked(self):
        text = "Use `useEffect` or `a + b` here"
        assert masked(text) == "Use  xxxxxxxxx  or         here"

    def test_newlines_inside_masked_code_stay(self):
        text = "Look:\n```\nif a or b:\n    pass\n```\nWhich one?"
        out = masked(text)
        assert [i for i, c in enumerate(out) if c == "\n"] == [
            i for i, c in enumerate(text) if c == "\n"
        ]
        assert "a or b" not in out

    def test_indented_code_lines_are_blanked(self):
        assert masked("Here:\n    x = a or b\nOk") == "Here:\n              \nOk"


class TestSentences:
    def test_terminal_punctuation_closing_quotes_and_lines(self):
        text = 'He said "go!" Then what?! Fine.\nNext line'
        assert pieces(text) == ['He said "go!"', "Then what?!", "Fine.", "Next line"]

    def test_abbreviations_and_inner_dots_do_not_end_a_sentence(self):
        text = "Compare e.g. Vue vs. React. Use Next.js or not."
        assert pieces(text) == ["Compare e.g. Vue vs. React.", "Use Next.js or not."]

    def test_spaces_around_a_sentence_are_trimmed(self):
        assert pieces("  One.   Two?  \n\n  ") == ["One.", "Two?"]


class TestQuoted:
    def test_quotes_but_not_apostrophes_inside_words(self):
        text = "I don't know: \u201cA or B\u201d, 'C or D' or \"E or F\" won't do"
        assert [text[a:b] for a, b in _quoted(text)] == [
            "\u201cA or B\u201d",
            "'C or D'",
            '"E or F"',
        ]


class TestKeyed:
    def test_a_span_holds_a_key_only_when_the_whole_key_is_inside_it(self):
        text = "Which is cheaper? Compare them. Nothing here."
        keyed = _Keyed(text, ("compar", "cheap"))
        assert keyed.within(0, 17)  # "cheap"
        assert keyed.within(18, 31)  # "Compar"
        assert not keyed.within(32, len(text))
        assert not keyed.within(20, 31)  # "mpare": the key starts before the span

    def test_keys_of_several_lists_found_in_one_search_are_each_lists_own(self):
        # lists that share keys, and keys of one list that start, end or sit inside
        # those of another, found where each list alone finds its own
        low = "si besides the side by side view, inside, the case is sideways. desde sí"
        lists = [("si", "the case"), ("side by side", "case is"), ("ide", "s"), ("si", "desde")]
        for keys in lists:
            assert sorted(_known_key_hits(low, keys)) == sorted(_key_hits(low, keys))

    def test_a_key_that_holds_another_changes_nothing(self):
        text = "In comparison, it is slower."
        for start, end in ((0, 14), (3, 9), (3, 10), (15, len(text))):
            assert _Keyed(text, ("in comparison", "compar")).within(start, end) == _Keyed(
                text, ("compar",)
            ).within(start, end)

    def test_for_a_regex_it_never_rules_out_a_match_lower_case_misses(self):
        regex = re.compile(r"\bissues\b", re.I)
        text = "Two \u0131ssues today."  # a dotless i: the regex matches, lower() does not
        assert regex.search(text)
        assert not _Keyed(text, ("issue",)).within(0, len(text))
        assert _Keyed(text, ("issue",), regex=True).within(0, len(text))
        assert _may_match(text, ("issue",)) and not _may_match("Two things", ("issue",))


class TestBySentence:
    def test_each_sentence_gets_the_matches_a_search_inside_it_finds(self):
        word = re.compile(r"\b(?:or|in case)\b", re.I)
        text = "Tea or coffee?  Or\nwater, in case. Nothing.\n\nOR not... or"
        spans = sentences(text)
        found = _by_sentence(word, text, spans)
        for span, matches in zip(spans, found, strict=True):
            inside = word.finditer(text, span.start, span.end)
            assert [m.span() for m in matches] == [m.span() for m in inside]
        assert [len(m) for m in found] == [1, 1, 1, 0, 1, 1]


class TestMarker:
    def test_it_finds_what_the_marker_pattern_finds(self):
        lines = ["- tea", "  2. coffee", "(b) water", "b) juice", "\u0663) three", "\tc. x"]
        lines += ["", "tea - coffee", "Idea: b) no", "2.5 litres", "h.", "i) nine"]
        for line in lines:
            expected = _MARKER.match(line)
            found = _marker(line)
            assert (found and found.span()) == (expected and expected.span()), line


class TestSpans:
    def test_trimmed_moves_inwards_past_spaces_and_punctuation(self):
        text = ' ("Postgres"), '
        start, end = _trimmed(text, 0, len(text))
        assert text[start:end] == "Postgres"
        assert _trimmed(text, 5, 5) == (5, 5)
        assert _trimmed(text, 8, 3) == (8, 3)  # an empty span is left as it is
        assert _trimmed("...", 0, 3) == (3, 3)

    def test_strip_marker_drops_list_markers_only(self):
        for line, rest in (
            ("1. Book the hotel", "Book the hotel"),
            ("- Book the hotel", "Book the hotel"),
            ("b) Book the hotel", "Book the hotel"),
            ("(c) Book the hotel", "Book the hotel"),
            ("Book the hotel", "Book the hotel"),
            ("i. Book the hotel", "i. Book the hotel"),
            ("10 rooms", "10 rooms"),
        ):
            span = _strip_marker(line, Span(0, len(line)))
            assert line[span.start : span.end] == rest


_MODULES = (
    "comparisons",
    "conditionals",
    "directives",
    "disjunctions",
    "enumerations",
    "material",
    "multi_intent",
    "requests",
)


def _foldings() -> list[tuple[str, _Folding]]:
    found = {}
    for name in _MODULES:
        module = importlib.import_module(f"chatroutes.server.domain.branch_detection.{name}")
        for attribute, value in vars(module).items():
            if isinstance(value, _Folding):
                found[id(value)] = (f"{name}.{attribute}", value)
    return list(found.values())


# upper case, accents, letters whose lower case is longer or that only an ignore-case
# regex folds (dotted and dotless i, long s, the Kelvin sign), in the detector's languages
_TRICKY = (
    "Should I COMPARE Postgres vs MySQL, or Write Two Versions? Also: WHICH one?",
    "İstanbul or Ankara: which would you pick? And WHAT IF it rains?",
    "D\u0131d you \u017fee the two opt\u0131ons? \u017fhould I compare them or not?",
    "Ordering 5 \u212a of rice or 3 \u212ag of beans: which is better than the other?",
    "Écris-moi DEUX versions : une formelle ET une décontractée. Lequel préfères-tu ?",
    "¿Qué es MEJOR, Python o Java? Además, ¿cómo se COMPARAN? Dame tres opciones.",
    "Straße oder Weg? Kannst du mir ZWEI Varianten schreiben und sie VERGLEICHEN?",
    "ΣΊΣΥΦΟΣ or Ὀδυσσεύς: which one? I need help with billing AND I can't log in.",
)


class TestFolding:
    @pytest.mark.parametrize("text", _TRICKY)
    def test_every_folded_pattern_finds_what_its_ignore_case_pattern_finds(self, text):
        for name, folding in _foldings():
            ignoring = re.compile(folding.pattern, folding.flags)
            for at in (0, 3, len(text) // 2):
                want = [m.span() for m in ignoring.finditer(text, at)]
                assert [m.span() for m in folding.finditer(text, at)] == want, name
                searched, matched = ignoring.search(text, at), ignoring.match(text, at)
                assert (s.span() if (s := folding.search(text, at)) else None) == (
                    searched.span() if searched else None
                ), name
                assert (m.span() if (m := folding.match(text, at)) else None) == (
                    matched.span() if matched else None
                ), name

    def test_the_lower_cased_copy_is_used_only_where_it_keeps_offsets_and_letters(self):
        assert _lowered("Postgres OR MySQL") == "postgres or mysql"
        assert _lowered("Café OU thé ?") == "café ou thé ?"
        assert _lowered("İstanbul or Ankara") is None  # lower() makes "İ" two characters
        assert _lowered("\u017fo or not") is None  # an ignore-case "s" matches the long s
        assert _lowered("d\u0131d or not") is None  # and an ignore-case "i" the dotless i

    def test_a_pattern_must_ignore_case_and_spell_its_letters_in_lower_case(self):
        with pytest.raises(ValueError):
            _Folding(re.compile(r"\bor\b"))
        with pytest.raises(ValueError):
            _Folding(re.compile(r"\b(?:Option|choice)\b", re.I))
        assert _Folding(re.compile(r"\b(?P<x>or)\W", re.I)).search("A OR b").span() == (2, 5)
