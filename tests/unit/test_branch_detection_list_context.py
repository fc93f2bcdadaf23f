"""Lists that are no options: facts after a list of alternatives (what the choice
must suit), items that say what each option named before is like; and quoted names
that hold a comma, kept whole."""

from __future__ import annotations

import pytest

from tests.support.branch_options import option_texts


def options(text: str) -> list[str]:
    return option_texts(text, "enumeration")


class TestListsThatAreNoOptions:
    def test_facts_after_a_list_of_alternatives(self) -> None:
        text = (
            "For our offsite I've narrowed it to a few venues: a lakeside lodge, a city hotel, "
            "or a farmhouse with a barn. We are 25 people, three vegetarians, one wheelchair "
            "user. Which would you book?"
        )
        assert options(text) == [
            "a lakeside lodge",
            "a city hotel",
            "a farmhouse with a barn",
        ]

    @pytest.mark.parametrize(
        "text",
        [
            "We're weighing Notion against Obsidian: the first is shared and online, the other "
            "is local and private. Which suits a team of four?",
            "On compare Figma et Sketch : le premier tourne partout, le second est moins cher. "
            "Lequel pour une petite agence ?",
            "Estamos comparando Trello con Asana: el primero es más sencillo, el otro tiene "
            "más informes. ¿Cuál nos conviene?",
            "Wir vergleichen Miro mit Mural: das erste ist bekannter, das andere günstiger. "
            "Welches passt zu uns?",
        ],
    )
    def test_what_each_option_is_like(self, text: str) -> None:
        assert options(text) == []

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            (
                'The agency pitched three slogans: "Slow down", "Home, at last" and "Made '
                'for you". Which one works best on a billboard?',
                ["Slow down", "Home, at last", "Made for you"],
            ),
            (
                "Trois titres restent en lice : « Prends ton temps », « Ici, enfin » et "
                "« Fait pour toi ». Lequel marche le mieux ?",
                ["Prends ton temps", "Ici, enfin", "Fait pour toi"],
            ),
        ],
    )
    def test_a_quoted_name_with_a_comma_stays_whole(self, text: str, expected: list[str]) -> None:
        assert options(text) == expected


class TestListWithTheChoiceMade:
    @pytest.mark.parametrize(
        "text",
        [
            "We were torn between Vienna, Prague and Budapest, and we booked Prague. What "
            "should we see there in two days?",
            "On hésitait entre Vienne, Prague et Budapest, et on a réservé Prague. Qu'est-ce "
            "qu'on doit voir là-bas en deux jours ?",
            "Dudábamos entre Viena, Praga y Budapest, y nos quedamos con Praga. ¿Qué "
            "deberíamos ver allí en dos días?",
            "Wir schwanken zwischen Wien, Prag und Budapest. Wir haben Prag gebucht. Was "
            "sollten wir dort in zwei Tagen sehen?",
        ],
    )
    def test_the_writer_says_which_was_taken(self, text: str) -> None:
        assert options(text) == []

    def test_a_word_of_one_item_is_not_its_name(self) -> None:
        text = (
            "I've narrowed it to Bear, Apple Notes and Joplin. I mostly write notes on my "
            "phone. Which one?"
        )
        assert options(text) == ["Bear", "Apple Notes", "Joplin"]


def test_one_item_that_opens_on_an_ordinal_is_still_an_option() -> None:
    text = (
        "We have three flats to choose from: the first floor one, a loft, or the garden "
        "flat. Which would you take with a toddler?"
    )
    assert option_texts(text, "disjunction") == [
        "the first floor one",
        "a loft",
        "the garden flat",
    ]
