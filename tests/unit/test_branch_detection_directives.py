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


class TestLongerRequests:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Give me a study plan for two hours a day and another for four hours a day to "
                "pass the exam in ten weeks, then I'll pick whichever fits around my job.",
                [
                    "a study plan for two hours a day",
                    "another for four hours a day to pass the exam in ten weeks",
                ],
            ),
            (
                "Dame un menú de tres platos para la cena y otro de dos platos para el almuerzo "
                "del domingo, así elijo según cuánta gente venga al final.",
                [
                    "un menú de tres platos para la cena",
                    "otro de dos platos para el almuerzo del domingo",
                ],
            ),
            (
                "Zeig mir bitte eine Lösung mit awk und eine in reinem Bash, um doppelte Zeilen "
                "in der Logdatei zu finden, wenn sich nur die Uhrzeit am Anfang unterscheidet.",
                ["eine Lösung mit awk", "eine in reinem Bash"],
            ),
        ],
    )
    def test_a_long_last_variant_ends_at_its_comma(self, text, wanted):
        assert variants(text) == wanted

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Propose-moi un menu végétarien et un autre avec du poisson.",
                ["un menu végétarien", "un autre avec du poisson"],
            ),
            (
                "Suggest a route along the coast and an alternative through the hills.",
                ["a route along the coast", "an alternative through the hills"],
            ),
            (
                "Schreib mir eine kurze Rede und eine andere mit mehr Witz.",
                ["eine kurze Rede", "eine andere mit mehr Witz"],
            ),
            (
                "Propón una ruta por la costa y una alternativa por la sierra.",
                ["una ruta por la costa", "una alternativa por la sierra"],
            ),
        ],
    )
    def test_another_and_an_alternative_set_a_variant_against_the_first(self, text, wanted):
        assert variants(text) == wanted

    def test_a_count_of_angles_names_variants_not_contents(self):
        text = (
            "Write the landing page with three angles: one about price, one about quality, "
            "and a playful one."
        )
        assert variants(text) == ["one about price", "one about quality", "a playful one"]
        text = (
            "Necesito el folleto con dos enfoques distintos: uno centrado en el precio y "
            "otro más emocional."
        )
        assert variants(text) == ["uno centrado en el precio", "otro más emocional"]
        assert variants("Write a fable with two foxes, one greedy and one kind.") == []

    def test_a_number_that_counts_nothing_does_not_open_a_list(self):
        text = "Can you explain recursion like I'm five, and then like I'm a senior engineer?"
        assert variants(text) == ["like I'm five", "like I'm a senior engineer"]
        text = "Write the toast twice, a formal take and a chatty take."
        assert variants(text) == ["a formal take", "a chatty take"]

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Je voudrais trois idées de titre : une sérieuse, une drôle et une qui pose "
                "une question.",
                ["une sérieuse", "une drôle", "une qui pose une question"],
            ),
            (
                "Write a post about my new job, one humble version and one proud version.",
                ["one humble version", "one proud version"],
            ),
        ],
    )
    def test_the_first_variant_after_a_colon_or_what_is_varied(self, text, wanted):
        assert variants(text) == wanted

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Can you give me a few options for the subject line: something punchy, "
                "something formal, and something with an emoji?",
                ["something punchy", "something formal", "something with an emoji"],
            ),
            (
                "Draft the reply, but give me options: warm, neutral, and very short.",
                ["warm", "neutral", "very short"],
            ),
            ("Dame variantes: corta, media y larga.", ["corta", "media", "larga"]),
        ],
    )
    def test_a_short_list_after_options_asked_for(self, text, wanted):
        assert variants(text) == wanted

    @pytest.mark.parametrize(
        "text",
        [
            "Show me the export options: PDF, CSV.",
            "Give me the options: I fly on Monday and my budget is tight.",
            "I wrote two versions: a formal one and a casual one. Which reads better?",
            "I need a laptop and another charger.",
        ],
    )
    def test_options_that_exist_told_or_other_things_are_not_variants(self, text):
        assert variants(text) == []

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Could you write the bio two ways? First in the third person, then in the "
                "first person.",
                ["in the third person", "in the first person"],
            ),
            (
                "¿Puedes escribir el anuncio de dos formas? Primero en tono serio, luego en "
                "tono divertido.",
                ["en tono serio", "en tono divertido"],
            ),
            (
                "Kannst du den Text zweimal schreiben? Zuerst für Kinder, dann für Erwachsene.",
                ["für Kinder", "für Erwachsene"],
            ),
            (
                "Peux-tu écrire l'annonce en deux versions : courte et longue ?",
                ["courte", "longue"],
            ),
        ],
    )
    def test_variants_in_order_after_the_request_or_after_its_count(self, text, wanted):
        assert variants(text) == wanted

    @pytest.mark.parametrize(
        "text",
        [
            "Write the report. First collect the numbers, then summarise them.",
            "Can you plan my day? First the gym, then groceries.",
        ],
    )
    def test_steps_in_order_are_not_variants(self, text):
        assert variants(text) == []

    def test_a_choice_between_two_described_things_makes_them_versions(self):
        text = (
            "Can you write me a super relaxed schedule and an intense two-day push? Not sure "
            "which one suits me."
        )
        assert variants(text) == ["a super relaxed schedule", "an intense two-day push"]
        text = "Give me a summary and a title for the article. I'll decide later where to post it."
        assert variants(text) == []
        assert variants("Give me a hat and a scarf. Which one is warmer?") == []

    def test_the_thing_varied_before_a_comma_is_no_variant(self):
        text = "Rewrite the intro, once as a question and once as a bold claim."
        assert variants(text) == ["once as a question", "once as a bold claim"]

    def test_an_age_says_who_a_variant_is_for(self):
        text = "Write it for a five-year-old and also for a college student."
        assert variants(text) == ["for a five-year-old", "for a college student"]
        assert variants("Plan a 3-day trip: one day for museums and one for hiking.") == []

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Pourrais-tu me proposer un itinéraire rapide et un autre plus touristique ?",
                ["un itinéraire rapide", "un autre plus touristique"],
            ),
            (
                "Peux-tu me faire un résumé court et un résumé détaillé ?",
                ["un résumé court", "un résumé détaillé"],
            ),
            (
                "Könntest du mir einen lockeren und einen förmlichen Text schreiben?",
                ["einen lockeren", "einen förmlichen Text"],
            ),
        ],
    )
    def test_one_noun_told_apart_in_french_and_german(self, text, wanted):
        assert variants(text) == wanted

    @pytest.mark.parametrize(
        "text",
        [
            "Peux-tu me faire un test pour le parser et un test pour le lexer ?",
            "Fais-moi un résumé du livre et un résumé du film.",
            "Give me a cat and a dog named Rex.",
            "Schreib mir einen Brief und einen kurzen Text.",
        ],
    )
    def test_two_things_of_one_kind_or_two_kinds(self, text):
        assert variants(text) == []

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            ("Translate the notice into French and into German.", ["into French", "into German"]),
            (
                "Übersetz den Text auf Englisch und auf Französisch.",
                ["auf Englisch", "auf Französisch"],
            ),
            ("Traduis ce texte en anglais et en espagnol.", ["en anglais", "en espagnol"]),
        ],
    )
    def test_one_translation_per_language(self, text, wanted):
        assert variants(text) == wanted

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Wie würdest du das für ein Kind und für einen Erwachsenen formulieren?",
                ["für ein Kind", "für einen Erwachsenen"],
            ),
            (
                "Two versions please - one for mobile, one for desktop.",
                ["one for mobile", "one for desktop"],
            ),
            (
                "Zwei Varianten bitte \u2013 eine für Mobil, eine für Desktop.",
                ["eine für Mobil", "eine für Desktop"],
            ),
        ],
    )
    def test_a_conditional_request_and_variants_after_a_dash(self, text, wanted):
        assert variants(text) == wanted

    def test_how_one_would_make_it_asked_in_french(self):
        text = "Comment tu le formulerais pour un enfant et pour un adulte ?"
        assert variants(text) == ["pour un enfant", "pour un adulte"]
        assert variants("Tu le fais pour toi et pour moi ?") == []

    def test_things_bought_are_not_variants(self):
        assert variants("J'ai acheté un livre et un autre pour ma sœur.") == []
        assert variants("We ordered a pizza and another for the kids.") == []


class TestLabelledVariants:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Write two intros. Version A should open with a question. Version B should "
                "open with a statistic.",
                ["Version A should open with a question", "Version B should open with a statistic"],
            ),
            (
                "Write the headline with option A being playful and option B being serious.",
                ["option A being playful", "option B being serious"],
            ),
            (
                "Schreib zwei Entwürfe: Variante 1 mit Zahlen, Variante 2 mit einer Geschichte.",
                ["Variante 1 mit Zahlen", "Variante 2 mit einer Geschichte"],
            ),
            (
                "Rédige deux messages, la version A pour les clients et la version B pour "
                "l'équipe.",
                ["la version A pour les clients", "la version B pour l'équipe"],
            ),
        ],
    )
    def test_one_variant_per_label(self, text, wanted):
        assert variants(text) == wanted

    @pytest.mark.parametrize(
        "text",
        [
            "Option A costs less but option B is faster. Which should I take?",
            "We went with option B last year. Can you write the recap?",
            "Write me a plan B in case the venue cancels.",
            "Help me plan a trip to Rome and draft option B of the budget.",
        ],
    )
    def test_labels_not_asked_for_are_not_variants(self, text):
        assert variants(text) == []


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

    def test_list_lines_that_each_stand_in_for_the_thing_asked_for(self):
        text = "Can you write the intro for me?\n- one for LinkedIn\n- one for the website"
        assert variants(text) == ["one for LinkedIn", "one for the website"]
        text = "Peux-tu écrire l'intro ?\n- une pour LinkedIn\n- une autre pour le site"
        assert variants(text) == ["une pour LinkedIn", "une autre pour le site"]
        text = "Can you help me plan the week?\n- one meeting on Monday\n- one call on Friday"
        assert variants(text) == []

    def test_a_filler_before_the_next_variant(self):
        text = "Schreib mir einen Tweet dazu und zusätzlich eine längere Version für LinkedIn."
        assert variants(text) == ["einen Tweet dazu", "eine längere Version für LinkedIn"]
        text = "Rédige l'intro pour les débutants et pour les experts."
        assert variants(text) == ["pour les débutants", "pour les experts"]

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
