"""Disjunctions read by the structure around "or": what closes an option (an adverb,
a clause tied to it), what opens it (its determiner, its verb), how the options are
announced or asked, and the readings where nothing is chosen."""

from __future__ import annotations

import pytest

from chatroutes.server.domain.branch_detection import detect


def sides(text: str) -> list[str]:
    """The span text of each suggestion, in text order."""
    found = sorted(detect(text, count=10).suggestions, key=lambda s: s.start)
    return [text[s.start : s.end] for s in found]


class TestWhatClosesAnOption:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Should I renew the certificate right away or wait until the old one expires?",
                ["renew the certificate right away", "wait until the old one"],
            ),
            (
                "Vaut-il mieux réserver les billets maintenant ou attendre les soldes ?",
                ["réserver les billets maintenant", "attendre les soldes"],
            ),
            (
                "¿Conviene pagar la matrícula ahora o esperar a la beca?",
                ["pagar la matrícula ahora", "esperar a la beca"],
            ),
            (
                "Nehmen wir den Nachtzug heute oder den Flieger morgen früh?",
                ["den Nachtzug heute", "den Flieger"],
            ),
            ("Could we meet here or there?", ["meet here", "there"]),
        ],
    )
    def test_an_adverb_at_the_end_of_the_left_option(self, text, wanted):
        assert sides(text) == wanted

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            ("Should I stretch before or after a run?", ["before", "after"]),
            ("Tu prends ton café avec ou sans sucre ?", ["avec", "sans"]),
            ("¿Pago el seguro antes o después del viaje?", ["antes", "después"]),
            ("Soll ich vor oder nach dem Urlaub kündigen?", ["vor", "nach"]),
        ],
    )
    def test_two_prepositions_sharing_what_follows(self, text, wanted):
        assert sides(text) == wanted

    def test_a_statement_with_paired_prepositions_stays_silent(self):
        assert sides("The app works with or without a cable.") == []

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Should we rent the flat downtown, which is close to work, or the house?",
                ["the flat downtown", "the house"],
            ),
            (
                "Should I learn Rust because it is fast, or Go since my team uses it?",
                ["Rust", "Go"],
            ),
            ("Je prends le vélo parce qu'il fait beau, ou le bus ?", ["prends le vélo", "le bus"]),
            (
                "¿Elijo la escuela pública, que está al lado, o la concertada?",
                ["Elijo la escuela pública", "la concertada"],
            ),
            (
                "Nehmen wir das Hotel am Strand, weil die Kinder baden wollen, oder die Hütte "
                "in den Bergen?",
                ["das Hotel am Strand", "die Hütte"],
            ),
        ],
    )
    def test_a_clause_tied_to_the_left_option_is_none_of_the_options(self, text, wanted):
        assert sides(text) == wanted


class TestWhatOpensAnOption:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            ("Is it better to buy a laptop with 32 GB or a desktop?", ["a laptop with 32 GB"]),
            (
                "Je prends un appartement avec jardin ou une maison ?",
                ["un appartement avec jardin"],
            ),
            (
                "¿Compro un portátil con pantalla táctil o una tableta?",
                ["un portátil con pantalla"],
            ),
            ("Kaufen wir eine Wohnung mit Balkon oder ein Haus?", ["eine Wohnung mit Balkon"]),
        ],
    )
    def test_the_left_option_starts_at_its_determiner_like_the_right_one(self, text, wanted):
        found = sides(text)
        assert len(found) == 2
        assert wanted[0] in found[0]

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Should we upgrade the cluster to version 5 tonight, or pin the old release?",
                ["upgrade the cluster to version 5 tonight", "pin the old release"],
            ),
            (
                "I'm not sure whether to put the cache inside the main service with a flag, or "
                "run a separate Redis box.",
                ["put the cache inside the main service with a flag", "run a separate Redis box"],
            ),
        ],
    )
    def test_the_left_option_starts_at_its_verb_like_the_right_one(self, text, wanted):
        assert sides(text) == wanted

    def test_an_and_inside_an_option_keeps_what_it_joins(self):
        text = (
            "no sé si hacerlo con django, con flask y unas plantillas o exportar un html "
            "estático. cuál es más fácil?"
        )
        assert sides(text)[1] == "con flask y unas plantillas"


class TestHowTheChoiceIsPut:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "I see two ways forward: rewrite the parser, or patch the old one.",
                ["rewrite the parser", "patch the old one"],
            ),
            (
                "Je vois deux solutions : changer de fournisseur ou renégocier le contrat.",
                ["changer de fournisseur", "renégocier le contrat"],
            ),
            (
                "Hay dos caminos: migrar la base de datos o ampliar el servidor actual.",
                ["migrar la base de datos", "ampliar el servidor actual"],
            ),
            (
                "Es gibt zwei Möglichkeiten: den Server ersetzen oder den Speicher aufrüsten.",
                ["den Server ersetzen", "den Speicher aufrüsten"],
            ),
        ],
    )
    def test_options_after_a_colon_that_announces_ways_to_go(self, text, wanted):
        assert sides(text) == wanted

    def test_announced_ways_that_are_a_habit_stay_silent(self):
        assert sides("Two ways I usually get to work: bus or bike.") == []

    @pytest.mark.parametrize(
        "text",
        [
            "should i take the job in denver or stay here",
            "soll ich den Job in Wien annehmen oder hier bleiben",
        ],
    )
    def test_a_question_without_its_question_mark(self, text):
        assert len(sides(text)) == 2

    def test_a_pick_asked_later_without_a_question_mark(self):
        text = (
            "we looked at three places: a loft downtown, a house by the lake, or a flat near "
            "the station. the rent varies a lot. which would you pick"
        )
        assert sides(text) == ["a loft downtown", "a house by the lake", "a flat near the station"]

    def test_which_is_why_is_no_pick(self):
        text = (
            "we looked at three places: a loft downtown, a house by the lake, or a flat near "
            "the station. which is why we're moving"
        )
        assert sides(text) == []

    def test_questions_framed_alike_each_an_option(self):
        text = "Do we sell the house, do we rent it out, or do we move back in?"
        assert sides(text) == ["Do we sell the house", "do we rent it out", "do we move back in"]

    def test_a_spanish_pick_question_after_the_options(self):
        text = (
            "Hay dos caminos: subir el plan o limpiar los archivos viejos. ¿Cuál tiene más "
            "sentido para una tienda pequeña?"
        )
        assert sides(text) == ["subir el plan", "limpiar los archivos viejos"]


class TestNothingChosen:
    @pytest.mark.parametrize(
        "text",
        [
            "Can the invoice address be changed later, or is it locked once the order ships?",
            "Est-ce qu'on peut modifier l'adresse plus tard, ou c'est définitif ?",
            "Kann man die Adresse später ändern, oder ist das endgültig?",
            "¿Se puede cambiar la dirección después, o es fija para siempre?",
        ],
    )
    def test_a_yes_no_question_with_its_counterpart(self, text):
        assert sides(text) == []

    @pytest.mark.parametrize(
        "text",
        [
            "Should I sell the car now, or is it smarter to wait until spring?",
            "¿Me quedo en Madrid o es mejor mudarme a Valencia?",
        ],
    )
    def test_a_counterpart_that_weighs_is_a_choice(self, text):
        assert len(sides(text)) == 2

    @pytest.mark.parametrize(
        "text",
        [
            "What tools or libraries exist for parsing PDFs?",
            "¿Qué ayudas o becas hay para estudiar fuera?",
            "Quels livres ou films me conseilles-tu sur ce sujet ?",
            "Was für Kurse oder Workshops gibt es in Berlin?",
        ],
    )
    def test_an_open_question_over_a_pair_of_nouns(self, text):
        assert sides(text) == []

    def test_which_over_a_pair_of_nouns_still_picks(self):
        assert sides("Which laptop or tablet should I get for drawing?") == ["laptop", "tablet"]

    @pytest.mark.parametrize(
        "text",
        [
            "Can you rewrite this with pandas or whatever fits best?",
            "¿Me lo reescribes con pandas o lo que sea más adecuado?",
            "Tu peux le refaire avec pandas ou ce que tu préfères ?",
            "Kannst du das mit pandas oder was auch immer umschreiben?",
            "lunch with chicken or tofu, honestly whichever, just quick",
        ],
    )
    def test_a_catch_all_second_option(self, text):
        assert sides(text) == []

    def test_an_either_or_quoted_in_german_quotes(self):
        text = (
            'Meine Chefin sagt: „Entweder wir kriegen das Budget oder wir stoppen das Projekt." '
            "Wie plane ich jetzt weiter?"
        )
        assert sides(text) == []

    def test_a_reason_after_the_options_does_not_settle_them(self):
        text = (
            "Not sure whether to bolt the socket onto this block with the upgrade headers, or "
            "spin up a separate host with its own server block."
        )
        assert len(sides(text)) == 2


class TestVerbOptionsAfterShouldI:
    @pytest.mark.parametrize(
        ("text", "first"),
        [
            (
                "Should I tell my manager now that I'm leaving in June, or wait until the "
                "project ships?",
                "tell my manager now that I'm leaving in June",
            ),
            ("Do we launch on the 12th as planned, or push to the 20th?", "launch on the 12th"),
        ],
    )
    def test_the_left_option_runs_from_the_verb_past_its_own_clause(self, text, first):
        found = sides(text)
        assert len(found) == 2
        assert found[0].startswith(first)


class TestListsWithoutAFinalComma:
    @pytest.mark.parametrize(
        "text",
        [
            "Should I parse the logs with pandas, polars or plain csv?",
            "Je le fais avec Django, Flask ou FastAPI ?",
            "¿Lo monto con Django, Flask o FastAPI?",
        ],
    )
    def test_three_items_two_commas_short(self, text):
        assert len(sides(text)) == 3

    @pytest.mark.parametrize(
        "text",
        [
            "In Rust, tokio or async-std?",
            "For a small team, Jira or Linear?",
            "Which is better for beginners, Lightroom or Capture One?",
            "Was ist besser für Einsteiger, Lightroom oder Capture One?",
            "¿Cuál es mejor para empezar, Lightroom o Capture One?",
            "Pour un débutant, Lightroom ou Capture One ?",
        ],
    )
    def test_a_lead_in_before_the_comma_is_no_item(self, text):
        assert len(sides(text)) == 2


class TestAsidesAndLeadIns:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Should I take the flat downtown, with a balcony, or the one by the park?",
                ["the flat downtown", "the one"],
            ),
            (
                "Vaut-il mieux courir le matin, vers 6h, ou nager le soir ?",
                ["courir le matin", "nager le soir"],
            ),
            (
                "¿Acepto la oferta de Valencia, con mejor sueldo, o me quedo en Bilbao?",
                ["Acepto la oferta de Valencia", "me quedo en Bilbao"],
            ),
            (
                "Nehmen wir die Wohnung in Köln, mit Garten, oder die in Bonn?",
                ["die Wohnung in Köln", "die in Bonn"],
            ),
        ],
    )
    def test_an_aside_between_commas_belongs_to_the_left_option(self, text, wanted):
        assert sides(text) == wanted

    def test_the_same_preposition_opening_every_option_is_no_aside(self):
        assert sides("Should we meet in Paris, in Lyon, or in Nice?") == [
            "Paris",
            "in Lyon",
            "in Nice",
        ]

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "For a weekend in Rome, is it smarter to fly, take the night train or drive?",
                ["fly", "take the night train", "drive"],
            ),
            (
                "Pour un week-end à Rome, vaut-il mieux prendre l'avion, le train de nuit ou "
                "la voiture ?",
                ["l'avion", "le train de nuit", "la voiture"],
            ),
            (
                "Para un finde en Roma, ¿es mejor ir en avión, en tren nocturno o en coche?",
                ["ir en avión", "en tren nocturno", "en coche"],
            ),
        ],
    )
    def test_a_lead_in_before_the_first_comma_is_no_item(self, text, wanted):
        assert sides(text) == wanted

    def test_the_right_option_read_as_a_phrase_when_the_left_one_is(self):
        text = (
            "Should I start a master's in statistics next fall, or try to switch teams at "
            "work first?"
        )
        assert sides(text) == [
            "start a master's in statistics next fall",
            "try to switch teams",
        ]


class TestFixedPhrasesAndStates:
    def test_or_something_with_words_after_it_is_an_option(self):
        assert sides("Is it better to gift cash or something off the registry?") == [
            "gift cash",
            "something off the registry",
        ]

    def test_or_something_closing_the_phrase_is_a_fixed_phrase(self):
        assert sides("Do you want pizza or something?") == []

    def test_a_fixed_phrase_matches_whole_words_only(self):
        text = "Soll ich den Vertrag verlängern, oder sollte ich zu einem Prepaid-Tarif wechseln?"
        assert len(sides(text)) == 2
        assert sides("Wir treffen uns um acht oder so.") == []

    def test_an_infinitive_after_no_se_si(self):
        text = "No sé si ir en tren o coger el coche. ¿Qué me recomiendas?"
        assert sides(text) == ["ir en tren", "coger el coche"]

    @pytest.mark.parametrize(
        "text",
        [
            "Either I'm missing something or the docs are wrong.",
            "Soit je suis aveugle, soit c'est un bug.",
            "O estoy ciego o el manual está mal.",
            "Entweder bin ich blind oder die Doku ist falsch.",
        ],
    )
    def test_either_of_two_states_is_a_guess(self, text):
        assert sides(text) == []

    def test_either_of_two_actions_is_a_choice(self):
        text = "Either I take the job or I stay where I am. Which would you do?"
        assert len(sides(text)) == 2
