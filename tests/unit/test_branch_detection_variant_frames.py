"""Directives: the frames a request names its variants in beyond the plain "one … and
one …" after a verb of making: a count before a verb that comes last, a count of times
after a verb of wanting, stand-ins in German, the thing varied named first, and what
trails the variants."""

from __future__ import annotations

import pytest

from chatroutes.server.domain.branch_detection import detect


def variants(text: str) -> list[str]:
    """The spans of the directive suggestions found, in text order."""
    found = detect(text, count=10).suggestions
    return [
        text[s.start : s.end] for s in sorted(found, key=lambda s: s.start) if s.kind == "directive"
    ]


class TestCountedBeforeTheVerb:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Kannst du mir die Einladung auf zwei Arten umformulieren: einmal förmlich "
                "und einmal locker?",
                ["einmal förmlich", "einmal locker"],
            ),
            (
                "Könnten Sie uns drei Angebote machen: eines für ein Jahr, eines für zwei "
                "Jahre und eines für drei Jahre?",
                ["eines für ein Jahr", "eines für zwei Jahre", "eines für drei Jahre"],
            ),
        ],
    )
    def test_german_counts_before_a_verb_that_comes_last(self, text, wanted):
        assert variants(text) == wanted

    def test_long_variants_that_open_alike_after_a_counted_colon(self):
        text = (
            "Could you write the toast three ways: one that is warm and a little "
            "sentimental, one that opens with the story of how they met at the bus stop "
            "in the rain, and one that is short?"
        )
        assert variants(text) == [
            "one that is warm and a little sentimental",
            "one that opens with the story of how they met at the bus stop in the rain",
            "one that is short",
        ]


class TestWantedCounted:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "I'd need the export twice: sorted by date and grouped by client.",
                ["sorted by date", "grouped by client"],
            ),
            (
                "J'en aurais besoin deux fois : une en couleur et une en noir et blanc.",
                ["une en couleur", "une en noir et blanc"],
            ),
            (
                "Ich bräuchte die Liste zweimal: einmal nach Datum und einmal nach Kunde.",
                ["einmal nach Datum", "einmal nach Kunde"],
            ),
            (
                "Necesito dos versiones: una para clientes y otra para el equipo.",
                ["una para clientes", "otra para el equipo"],
            ),
        ],
    )
    def test_a_count_of_times_or_versions_after_a_verb_of_wanting(self, text, wanted):
        assert variants(text) == wanted

    @pytest.mark.parametrize(
        "text",
        [
            "We need two things: a new logo and a faster website.",
            "Nous avons besoin de deux choses : un devis et un planning.",
            "I'd need it three times: on Monday and on Friday.",
        ],
    )
    def test_several_things_or_a_count_that_does_not_match_are_not_variants(self, text):
        assert variants(text) == []


class TestFirstVariantFramedLikeTheOthers:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Could you draft a budget for a quiet week, one for a busy week and one "
                "for a holiday week?",
                ["a budget for a quiet week", "one for a busy week", "one for a holiday week"],
            ),
            (
                "Peux-tu préparer un menu pour deux personnes, un pour six et un pour douze ?",
                ["un menu pour deux personnes", "un pour six", "un pour douze"],
            ),
        ],
    )
    def test_one_stands_in_for_the_first_phrase_noun(self, text, wanted):
        assert variants(text) == wanted

    def test_the_thing_varied_before_a_comma_is_not_a_variant(self):
        assert variants("Write me a bio, one formal and one playful.") == [
            "one formal",
            "one playful",
        ]

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Escríbeme la invitación para la cena de empresa, en tono serio y en tono festivo.",
                ["en tono serio", "en tono festivo"],
            ),
            (
                "Rédige l'annonce pour le club de lecture, en version courte et en version longue.",
                ["en version courte", "en version longue"],
            ),
        ],
    )
    def test_the_thing_varied_then_phrases_that_open_alike(self, text, wanted):
        assert variants(text) == wanted


class TestOtherOpeners:
    def test_plural_stand_ins(self):
        text = "Suggest a few playful ones, a few serious ones and a couple of rhyming ones."
        assert variants(text) == [
            "a few playful ones",
            "a few serious ones",
            "a couple of rhyming ones",
        ]

    def test_using_opens_each_variant(self):
        text = "Show me the loop using recursion, using a stack, and using a generator."
        assert variants(text) == ["using recursion", "using a stack", "using a generator"]

    def test_a_later_request_governs_the_variants(self):
        text = (
            "je dois préparer un discours pour le mariage de ma sœur, elle se marie en "
            "juin, tu peux m'en écrire une version drôle et une version sobre ?"
        )
        assert variants(text) == ["une version drôle", "une version sobre"]

    def test_a_noun_inside_the_object_is_not_the_nearer_request(self):
        text = (
            "Can you write me a super calm plan where I pack a box a day and an intense "
            "plan? I'll see which one suits me."
        )
        assert variants(text) == ["a super calm plan where I pack a box a day", "an intense plan"]

    def test_a_colon_that_ends_the_request_hands_over_the_text(self):
        text = 'Rewrite this slogan for a poster and for a radio spot:\n\n"Fresh every day."'
        assert variants(text) == ["for a poster", "for a radio spot"]


class TestWhatTrailsTheVariants:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Give me the query in SQL and in pandas, for finding duplicate rows.",
                ["in SQL", "in pandas"],
            ),
            (
                "Donne-moi la formule en Excel et en Google Sheets, pour calculer la TVA.",
                ["en Excel", "en Google Sheets"],
            ),
        ],
    )
    def test_a_purpose_after_a_comma_is_not_a_variant(self, text, wanted):
        assert variants(text) == wanted

    def test_a_third_variant_after_a_comma_stays(self):
        text = "Write the notice for the website, for the newsletter and for the app."
        assert variants(text) == ["for the website", "for the newsletter", "for the app"]


class TestOneThingInTwoForms:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Could you send me the contract as a PDF and as a Word file?",
                ["as a PDF", "as a Word file"],
            ),
            (
                "Pouvez-vous me renvoyer le bulletin de paie en PDF et au format CSV ?",
                ["en PDF", "au format CSV"],
            ),
            ("Necesito el folleto en catalán y en castellano.", ["en catalán", "en castellano"]),
            (
                "Ich bräuchte die Rechnung als PDF und als XML-Datei.",
                ["als PDF", "als XML-Datei"],
            ),
        ],
    )
    def test_a_thing_sent_or_needed_in_two_forms(self, text, wanted):
        assert variants(text) == wanted

    @pytest.mark.parametrize(
        "text",
        [
            "I need help in maths and in physics.",
            "We need the plants in the hallway and in the office.",
            "Necesitamos sillas en la cocina y en el jardín.",
        ],
    )
    def test_no_thing_or_places_rather_than_forms(self, text):
        assert variants(text) == []


class TestLabelsOfThingsThatExist:
    def test_labels_after_between_name_existing_versions(self):
        text = "Can you explain what changed between version 4 and version 5 of the app?"
        assert variants(text) == []

    def test_labels_after_a_request_name_variants(self):
        text = "Write two intros. Version A opens with a joke. Version B opens with a fact."
        assert variants(text) == [
            "Version A opens with a joke",
            "Version B opens with a fact",
        ]


class TestVerbsOfCalculating:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Kannst du mir das einmal mit und einmal ohne Förderung berechnen?",
                ["einmal mit", "einmal ohne Förderung"],
            ),
            (
                "¿Puedes calcularlo para 12 meses y para 36 meses?",
                ["para 12 meses", "para 36 meses"],
            ),
            (
                "Could you calculate the payment once at 3% and once at 4%?",
                ["once at 3%", "once at 4%"],
            ),
        ],
    )
    def test_a_calculation_asked_for_in_variants(self, text, wanted):
        assert variants(text) == wanted

    def test_a_calculation_of_one_thing_names_no_variants(self):
        assert variants("Can you calculate the total for me and send it to Anna?") == []


class TestNotVariantsAfterAll:
    @pytest.mark.parametrize(
        "text",
        [
            "I need it twice a week: on Monday and on Thursday.",
            "We'd need the hall twice: once in April and once in June.",
            "Ich brauche das Auto zweimal: heute und morgen.",
            "Necesitamos la sala dos veces: el lunes y el jueves.",
        ],
    )
    def test_a_thing_wanted_on_several_occasions(self, text):
        assert variants(text) == []

    @pytest.mark.parametrize(
        "text",
        [
            "Write me a letter to the school, in which I explain the absence, and in "
            "which I ask for the homework.",
            "Escríbeme un correo para mi jefe, para pedirle vacaciones.",
            "Rédige un mot pour la voisine, pour lui demander de baisser le son.",
        ],
    )
    def test_what_one_piece_holds_or_is_for(self, text):
        assert variants(text) == []


class TestCountedListEdges:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Rédige l'annonce de deux façons : une version courte et une version "
                "détaillée, je verrai laquelle publier.",
                ["une version courte", "une version détaillée"],
            ),
            (
                "Write the bio two ways: a playful one and a formal one, I'll pick later.",
                ["a playful one", "a formal one"],
            ),
        ],
    )
    def test_a_clause_of_its_own_after_the_variants_is_none(self, text, wanted):
        assert variants(text) == wanted

    def test_the_commas_of_an_aside_split_no_variant(self):
        text = (
            "Escríbeme el anuncio en dos versiones: una breve para Instagram y una larga "
            "con todo (tres habitaciones, jardín, garaje)."
        )
        assert variants(text) == ["una breve para Instagram", "una larga con todo"]
