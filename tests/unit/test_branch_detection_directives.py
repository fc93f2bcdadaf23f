"""Directives: a request that names several variants of one thing to produce, one
suggestion per variant, whatever the language or the shape of the coordination."""

from __future__ import annotations

import re

import pytest

from chatroutes.server.domain.branch_detection import detect
from chatroutes.server.domain.branch_detection.text import _factored


def variants(text: str) -> list[str]:
    """The spans of the directive suggestions found, in text order."""
    found = detect(text, count=10).suggestions
    return [
        text[s.start : s.end] for s in sorted(found, key=lambda s: s.start) if s.kind == "directive"
    ]


class TestParallelPhrases:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "For the newsletter, give me one intro that opens with a joke and one that "
                "opens with the new hours, and a third that is only two lines.",
                [
                    "one intro that opens with a joke",
                    "one that opens with the new hours",
                    "a third that is only two lines",
                ],
            ),
            (
                "Can you do a version for beginners and one for experts?",
                ["a version for beginners", "one for experts"],
            ),
            (
                "Could you sketch a launch plan built around a pop-up store, one that relies "
                "on influencers, and a cheap, word-of-mouth one?",
                [
                    "a launch plan built around a pop-up store",
                    "one that relies on influencers",
                    "a cheap, word-of-mouth one",
                ],
            ),
        ],
    )
    def test_one_variant_per_phrase_that_opens_like_the_others(self, text, wanted):
        assert variants(text) == wanted

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Escríbeme el mensaje de bienvenida: uno cercano para clientes nuevos, otro "
                "más serio para empresas y uno muy breve para SMS.",
                [
                    "uno cercano para clientes nuevos",
                    "otro más serio para empresas",
                    "uno muy breve para SMS",
                ],
            ),
            (
                "¿Puedes hacer dos carteles, uno sobrio y otro llamativo?",
                ["uno sobrio", "otro llamativo"],
            ),
            (
                "Prepárame un menú vegetariano y otro con pescado, con la lista de la compra "
                "para cada uno.",
                ["un menú vegetariano", "otro con pescado"],
            ),
            (
                "Erstell mir bitte einen Trainingsplan, und zwar eine Variante mit vier Läufen "
                "pro Woche und eine mit drei Läufen plus Radfahren.",
                ["eine Variante mit vier Läufen pro Woche", "eine mit drei Läufen plus Radfahren"],
            ),
            (
                "Kannst du mir für die Einladung eine kurze Fassung, eine ausführliche mit "
                "Programm und eine lustige schreiben?",
                ["eine kurze Fassung", "eine ausführliche mit Programm", "eine lustige"],
            ),
            (
                "Rédige-moi une version du discours pour les collègues et une autre pour la "
                "direction.",
                ["une version du discours pour les collègues", "une autre pour la direction"],
            ),
        ],
    )
    def test_french_spanish_german(self, text, wanted):
        assert variants(text) == wanted

    def test_phrases_paired_as_first_and_other(self):
        text = "Écris deux annonces, l'une pour le site, l'autre pour la radio locale."
        assert variants(text) == ["l'une pour le site", "l'autre pour la radio locale"]
        assert variants("Write two openings: the first gloomy, the second hopeful.") == [
            "the first gloomy",
            "the second hopeful",
        ]
        assert variants("Write a summary of the first act and the second act.") == []

    def test_phrases_that_open_with_the_same_preposition(self):
        text = "Can you adapt my resume for a sales job and for a teaching job?"
        assert variants(text) == ["for a sales job", "for a teaching job"]
        assert variants("I need the notice in a stern tone and in a gentle tone.") == [
            "in a stern tone",
            "in a gentle tone",
        ]
        text = "Write a cover letter for a bank and a thank-you note for the recruiter."
        assert variants(text) == []

    def test_a_relative_clause_does_not_hide_the_next_variant(self):
        text = (
            "Can you write a version where the meeting starts at 9:30 and a version where "
            "it starts after lunch?"
        )
        assert variants(text) == [
            "a version where the meeting starts at 9:30",
            "a version where it starts after lunch",
        ]

    def test_a_coordination_inside_a_variant_and_its_purpose_stay_out(self):
        text = (
            "Peux-tu me proposer deux semaines types ? Une où je cuisine le lundi et le "
            "mardi, et une où tout se prépare le dimanche pour que je gagne du temps."
        )
        assert variants(text) == [
            "Une où je cuisine le lundi et le mardi",
            "une où tout se prépare le dimanche",
        ]

    def test_a_verb_that_comes_last_closes_the_group(self):
        text = "Kannst du die Antwort einmal knapp und einmal ausführlich formulieren?"
        [first, second] = sorted(detect(text).suggestions, key=lambda s: s.start)
        assert first.group == second.group
        assert first.group.trigger == "einmal knapp und einmal ausführlich formulieren"

    def test_variants_in_the_sentence_after_the_request(self):
        text = (
            "Kannst du die Mail an den Vermieter formulieren? Einmal höflich und einmal bestimmt."
        )
        assert variants(text) == ["Einmal höflich", "einmal bestimmt"]

    def test_variants_after_a_request_that_counts_them(self):
        text = "Make two posters for the fair. The first with a map, the second with a photo."
        assert variants(text) == ["The first with a map", "the second with a photo"]
        text = "Schreib mir zwei Texte: einen für den Flyer und einen für die Website."
        assert variants(text) == ["einen für den Flyer", "einen für die Website"]

    def test_one_noun_told_apart_by_what_comes_before_it(self):
        assert variants("Give me a data-heavy intro and a story-led intro.") == [
            "a data-heavy intro",
            "a story-led intro",
        ]
        assert variants("Write a test for the parser and a test for the lexer.") == []
        assert variants("I need a big box and a small box.") == []

    def test_more_verbs_of_making(self):
        assert variants("Could you provide a formal and an informal version?") == [
            "a formal",
            "an informal version",
        ]
        assert variants("Schick mir bitte eine Version für Kunden und eine für das Team.") == [
            "eine Version für Kunden",
            "eine für das Team",
        ]

    def test_verbs_of_wanting_in_the_plural(self):
        text = "Nous voudrions deux affiches : une pour la gare et une pour la mairie."
        assert variants(text) == ["une pour la gare", "une pour la mairie"]
        assert variants("Queremos dos logos: uno clásico y otro moderno.") == [
            "uno clásico",
            "otro moderno",
        ]

    def test_the_thing_varied_is_not_a_variant(self):
        assert variants("Draft a reply to the customer - one apologetic, one firm.") == [
            "one apologetic",
            "one firm",
        ]
        assert variants("Give me two subject lines, one playful and one serious.") == [
            "one playful",
            "one serious",
        ]

    def test_a_count_and_a_word_that_names_variants(self):
        assert variants("Two versions please: one for the website and one for the flyer.") == [
            "one for the website",
            "one for the flyer",
        ]
        assert variants("Write me a short and a long take on the launch.") == [
            "a short",
            "a long take on the launch",
        ]
        text = (
            "I need the invitation in two registers: a stiff one for the board and a chatty note."
        )
        assert variants(text) == ["a stiff one for the board", "a chatty note"]


class TestListedVariants:
    def test_list_lines_under_a_request_that_names_variants(self):
        text = (
            "Could you write the onboarding email in two tones?\n"
            "- a friendly one with emojis\n"
            "- a formal one (for enterprise clients)\n"
            "Thanks!"
        )
        assert variants(text) == ["a friendly one with emojis", "a formal one"]

    def test_numbered_lines_as_many_as_the_count(self):
        text = (
            "Please draft the flyer in three versions:\n"
            "1. a short one for the fridge\n"
            "2. a long one with the full schedule\n"
            "3. a playful one for kids"
        )
        assert variants(text) == [
            "a short one for the fridge",
            "a long one with the full schedule",
            "a playful one for kids",
        ]
        assert variants(text.replace("three", "two")) == []

    def test_a_list_of_facts_to_cover_is_not_variants(self):
        text = (
            "Please write a product description that covers these points:\n"
            "- twenty hours of battery\n"
            "- a bright OLED screen"
        )
        assert variants(text) == []


class TestAdjectiveVariants:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            ("Can you write upbeat and sober versions of the toast?", ["upbeat", "sober"]),
            ("Give me short, medium and long drafts of the bio.", ["short", "medium", "long"]),
            ("Schreib mir bitte kurze und lange Varianten des Slogans.", ["kurze", "lange"]),
            ("Hazme versiones formal e informal del correo.", ["formal", "informal"]),
        ],
    )
    def test_the_adjectives_of_one_plural_noun(self, text, wanted):
        assert variants(text) == wanted

    @pytest.mark.parametrize(
        "text",
        [
            "Formal and casual versions both exist on the wiki.",
            "Please make the blue and green options bigger.",
        ],
    )
    def test_not_in_a_request_or_of_things_that_exist(self, text):
        assert variants(text) == []


class TestNotVariants:
    @pytest.mark.parametrize(
        "text",
        [
            "Give me a summary and a title for this article.",
            "I need a hammer, a saw and a drill for the weekend.",
            "Can you write a short bio and a cover letter for my application?",
            "I went to a market, a bakery and a bookshop yesterday.",
            "I want a refund and an apology for the delay.",
            "I'd like one coffee and one tea, please.",
            "Can I get one large pizza and one small salad?",
            "I need a new phone case, one that fits the Pixel 8, and a screen protector.",
            "Two versions of the menu exist, one for lunch and one for dinner.",
            "We have a cat and a dog, one is old and the other is a puppy.",
            "Write a function that takes a list and a key.",
            "I have one question about billing and another about the API.",
            "Draft a memo for the board: one of our vendors is late and another is over budget.",
        ],
    )
    def test_several_things_are_not_versions_of_one(self, text):
        assert variants(text) == []

    @pytest.mark.parametrize(
        "text",
        [
            "I paid for my yearly plan (twice, same week, same card) and got no receipt.",
            "Je fais surtout des mariages en plein air, en lumière douce, près de Lyon.",
            "Half of them didn't make it past day two, sales dropped, and morale sank.",
        ],
    )
    def test_a_noun_or_a_statement_asks_for_nothing(self, text):
        assert variants(text) == []

    def test_a_question_with_its_subject_after_the_modal_asks(self):
        text = "Could he get a cautious version of the plan and a bold one?"
        assert variants(text) == ["a cautious version of the plan", "a bold one"]

    @pytest.mark.parametrize(
        "text",
        [
            "Can you write a bio that mentions one job in Paris and another in Rome?",
            "Make a spreadsheet with one tab for rent and another for food.",
            "Give me a salad recipe with one avocado, one lime and a handful of herbs.",
            "Build a page that lists one event per month and another for holidays.",
            "Please draft a note to the caretaker about the lift and a broken lamp.",
            "Write one page about the hinge, the lid and a warranty of two years.",
        ],
    )
    def test_what_one_piece_holds_is_not_variants(self, text):
        assert variants(text) == []

    def test_variants_named_after_a_count_may_hold_a_preposition(self):
        text = "Rewrite the loop two ways: keeping it as a class with a cache, and as plain code."
        assert variants(text) == ["keeping it as a class with a cache", "as plain code"]

    def test_once_and_once_name_variants_even_after_a_clause(self):
        text = "Can you write a function that sorts a list once with a loop and once with a heap?"
        assert variants(text) == ["once with a loop", "once with a heap"]

    def test_a_count_in_what_is_asked_for_is_not_variants(self):
        assert variants("Write a poem about two cats, one shy and one bold.") == []
        assert variants("Plan a 4-day hike in two flavours: one lazy, one steep.") == [
            "one lazy",
            "one steep",
        ]

    def test_a_count_that_does_not_match_the_phrases(self):
        assert variants("I'd like three scenarios: a cautious one and a bold one.") == []
        assert variants("I'd like two scenarios: a cautious one and a bold one.") == [
            "a cautious one",
            "a bold one",
        ]


class TestFactoredWordList:
    def test_it_matches_exactly_what_the_word_list_matches(self):
        words = re.compile(r"\b(?:write|rewrite|re-write|ways?|do|done|dame|da|écri\w*)\b", re.I)
        fast = _factored(words)
        assert fast.pattern != words.pattern
        for text in ("Re-write it", "dame uno", "Do it twice, two ways", "écrivez", "dado", "way"):
            assert [m.span() for m in fast.finditer(text)] == [
                m.span() for m in words.finditer(text)
            ]

    def test_a_pattern_that_is_not_a_plain_word_list_is_kept(self):
        grouped = re.compile(r"\b(?:a(?:b|c)|d)\b")
        assert _factored(grouped) is grouped

    def test_words_with_groups_or_classes_stay_whole_between_the_groups(self):
        words = re.compile(
            r"\b(?:compare|comparison (?:of|between)|[wh]ow|(?:where|how) should|which|wh\w+|"
            r"when|[|]|hows?)\b",
            re.I,
        )
        fast = _factored(words)
        assert fast.pattern != words.pattern
        assert "(?:where|how) should" in fast.pattern
        for text in (
            "Comparison between them",
            "how should I",
            "Where should we go, and how?",
            "which one, whom, when, wow",
            "compared to the comparison of",
            "hows it going | shows",
        ):
            assert [m.span() for m in fast.finditer(text)] == [
                m.span() for m in words.finditer(text)
            ]

    def test_a_pattern_that_does_not_ignore_case_is_kept(self):
        cased = re.compile(r"\b(?:Apple|apple|Avocado)\b")
        assert _factored(cased) is cased

    def test_a_word_list_that_opens_a_longer_pattern(self):
        counted = re.compile(
            r"\b(?:two|three|twenty|a few)\s+(?:\w+\s+)?(?:things|thoughts)\b", re.I
        )
        fast = _factored(counted)
        assert fast.pattern.startswith(r"\b(?:t(?:")
        for text in ("Two things", "three quick thoughts", "twenty-two things", "a few Things"):
            assert [m.span() for m in fast.finditer(text)] == [
                m.span() for m in counted.finditer(text)
            ]
