"""Comparisons: the frames a question weighs two things in, whatever the language, and
the sides as the sentence names them."""

from __future__ import annotations

import pytest

from chatroutes.server.domain.branch_detection import detect


def sides(text: str) -> list[str]:
    """The spans of the comparison suggestions found, in text order."""
    found = detect(text, count=10).suggestions
    return [
        text[s.start : s.end]
        for s in sorted(found, key=lambda s: s.start)
        if s.kind == "comparison"
    ]


class TestWhatDiffersBetween:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "What's really different between a fixed-rate loan and a variable one?",
                ["a fixed-rate loan", "a variable one"],
            ),
            (
                "What actually changes between the student pass and the adult pass?",
                ["the student pass", "the adult pass"],
            ),
            (
                "Qu'est-ce qui change vraiment entre le forfait Pro et le forfait Équipe ?",
                ["le forfait Pro", "le forfait Équipe"],
            ),
            (
                "¿Qué cambia realmente entre la tarifa anual y la mensual?",
                ["la tarifa anual", "la mensual"],
            ),
            (
                "Was ändert sich eigentlich zwischen Version 4 und Version 5?",
                ["Version 4", "Version 5"],
            ),
        ],
    )
    def test_a_question_of_what_differs_between_two(self, text, wanted):
        assert sides(text) == wanted

    @pytest.mark.parametrize(
        "text",
        [
            "The ferry timetable changes between summer and winter.",
            "Los horarios cambian entre semana y fin de semana.",
        ],
    )
    def test_a_statement_of_what_changes_is_no_comparison(self, text):
        assert sides(text) == []

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            ("what is difference of Basic and Premium tier?", ["Basic", "Premium tier"]),
            ("Was ist der Unterschied von Miete und Leasing?", ["Miete", "Leasing"]),
        ],
    )
    def test_the_difference_of_two(self, text, wanted):
        assert sides(text) == wanted

    def test_a_difference_of_one_thing_is_no_comparison(self):
        assert sides("Is a difference of opinion with my manager worth raising?") == []


class TestParallelSides:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "What's the difference between a phone plan with roaming and a "
                "prepaid card with local data?",
                ["a phone plan with roaming", "a prepaid card with local data"],
            ),
            (
                "Quelle est la différence entre une chambre avec balcon et une suite "
                "avec terrasse ?",
                ["une chambre avec balcon", "une suite avec terrasse"],
            ),
        ],
    )
    def test_the_second_side_keeps_a_modifier_like_the_first(self, text, wanted):
        assert sides(text) == wanted

    def test_a_bare_first_side_leaves_the_second_one_bare(self):
        assert sides("What's the difference between Kotlin and Java with Spring?") == [
            "Kotlin",
            "Java",
        ]


class TestVerbLast:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Kannst du mir erklären, worin sich ein Girokonto von einem Tagesgeldkonto "
                "unterscheidet?",
                ["ein Girokonto", "einem Tagesgeldkonto"],
            ),
            (
                "Weißt du, wie sich Bio-Eier und Freilandeier genau unterscheiden?",
                ["Bio-Eier", "Freilandeier"],
            ),
            (
                "Könntest du mir Fernwärme, eine Wärmepumpe und eine Gasheizung gegenüberstellen?",
                ["Fernwärme", "eine Wärmepumpe", "eine Gasheizung"],
            ),
            ("Kannst du mir Miete mit Kauf gegenüberstellen?", ["Miete", "Kauf"]),
        ],
    )
    def test_german_puts_the_verb_of_comparing_last(self, text, wanted):
        assert sides(text) == wanted

    def test_a_stated_difference_is_no_comparison(self):
        assert sides("Ich habe gelesen, dass sich die beiden Tarife kaum unterscheiden.") == []

    def test_contrast_is_a_verb_of_comparing(self):
        assert sides("Can you contrast stoicism and epicureanism for my essay?") == [
            "stoicism",
            "epicureanism",
        ]


class TestCopulaSubject:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Is a rail pass for someone like me really cheaper than single tickets?",
                ["a rail pass", "single tickets"],
            ),
            (
                "Ist ein E-Bike im Alltag wirklich günstiger als ein Kleinwagen?",
                ["ein E-Bike", "ein Kleinwagen"],
            ),
            (
                "¿Es el tren para ir a Sevilla más barato que el autobús?",
                ["el tren", "el autobús"],
            ),
        ],
    )
    def test_the_subject_not_the_adjunct_after_it(self, text, wanted):
        assert sides(text) == wanted

    def test_adjuncts_compared_keep_the_adjunct(self):
        assert sides("Are rents in Lyon higher than in Lille?") == ["Lyon", "in Lille"]


class TestNotASide:
    @pytest.mark.parametrize(
        "text",
        [
            "¿Hay alguna diferencia en el precio o en el plazo de entrega?",
            "Y a-t-il une différence de prix selon la région ?",
        ],
    )
    def test_a_difference_as_a_noun_names_no_sides(self, text):
        assert sides(text) == []

    def test_each_is_no_side(self):
        text = (
            "So it's the hybrid versus the diesel. What are the pros and cons of each "
            "for someone who drives in town and on the motorway?"
        )
        assert sides(text) == ["the hybrid", "the diesel"]

    @pytest.mark.parametrize(
        "text",
        [
            "Pouvez-vous me les comparer pour mon usage : bureautique, photo et jeux ?",
            "Could you compare them for my needs: email, video calls and photos?",
        ],
    )
    def test_a_colon_after_a_pronoun_object_lists_uses_not_sides(self, text):
        assert sides(text) == []

    def test_a_colon_after_the_things_named_lists_them(self):
        assert sides("Can you compare three stoves: gas, induction, and ceramic?") == [
            "gas",
            "induction",
            "ceramic",
        ]


class TestSidesAroundTheVerb:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Je me demande comment la carte annuelle se compare aux billets à l'unité. "
                "C'est rentable ?",
                ["la carte annuelle", "billets à l'unité"],
            ),
            (
                "¿Sabes cómo el plan básico se compara con el plan avanzado para una tienda "
                "pequeña?",
                ["el plan básico", "el plan avanzado"],
            ),
            (
                "I'd like to know how the basic tier compares to the premium tier for a family?",
                ["the basic tier", "the premium tier"],
            ),
        ],
    )
    def test_a_verb_of_comparing_between_the_sides(self, text, wanted):
        assert sides(text) == wanted

    def test_a_comparison_stated_in_passing_is_none(self):
        assert sides("Our revenue compares to last year's quite well.") == []

    def test_german_verb_last_before_a_comma(self):
        text = "Kannst du den Nachtzug mit dem Flugzeug vergleichen, was Kosten und Zeit angeht?"
        assert sides(text) == ["den Nachtzug", "dem Flugzeug"]


class TestPointsOfOneAgainstAnother:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "What are the pros and cons of renting a van compared to hiring movers?",
                ["renting a van", "hiring movers"],
            ),
            (
                "Quels sont les avantages d'une banque en ligne par rapport à une banque "
                "classique ?",
                ["une banque en ligne", "une banque classique"],
            ),
            (
                "¿Cuáles son las ventajas y desventajas de la energía solar frente a la eólica?",
                ["la energía solar", "la eólica"],
            ),
            (
                "Was sind die Vor- und Nachteile von Fernwärme im Vergleich zu einer Wärmepumpe?",
                ["Fernwärme", "einer Wärmepumpe"],
            ),
        ],
    )
    def test_the_middle_cue_parts_the_sides(self, text, wanted):
        assert sides(text) == wanted


class TestFiguresAndRepeats:
    def test_a_thousands_separator_is_no_list(self):
        text = "How does a plan at $1,200 a year compare to monthly billing?"
        assert sides(text) == ["a plan at $1,200 a year", "monthly billing"]

    def test_two_cues_that_name_the_same_sides_give_one_point(self):
        text = "Kindle vs Kobo — which one is easier on the eyes?"
        assert sides(text) == ["Kindle", "Kobo"]

    def test_of_two_cues_for_the_same_sides_the_confident_one_stays(self):
        text = "Compare taking the ferry vs flying for the trip in May. There are four of us."
        assert sides(text) == ["taking the ferry", "flying"]

    @pytest.mark.parametrize(
        "text",
        [
            "Can you compare Postgres vs MySQL for a small shop?",
            "Peux-tu comparer Postgres vs MySQL pour une petite boutique ?",
            "¿Puedes comparar Postgres vs MySQL para una tienda pequeña?",
            "Kannst du Postgres vs MySQL für einen kleinen Shop vergleichen?",
        ],
    )
    def test_two_cues_whose_sides_overlap_give_one_point(self, text):
        found = sides(text)
        assert len(found) == 2
        assert "Postgres" in found[0] and found[1] == "MySQL"

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            ("¿Me compensa más Netflix que Disney+ para dos personas?", ["Netflix", "Disney+"]),
            ("¿Es más barato el tren que el coche?", ["el tren", "el coche"]),
        ],
    )
    def test_an_impersonal_verb_then_the_comparative(self, text, wanted):
        assert sides(text) == wanted


class TestDescribedThenWeighed:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "I've narrowed it down to two bikes:\n\n- a steel touring bike at $900 "
                "(heavy, racks included)\n- a carbon gravel bike at $1,400 (light)\n\n"
                "Could you compare them for a 20 km commute?",
                ["a steel touring bike", "a carbon gravel bike"],
            ),
            (
                "J'ai deux offres :\n\n**un CDI à Lyon**\n- 38 000 €\n- télétravail 2 jours\n\n"
                "**un CDD à Genève**\n- 62 000 CHF\n- sur site\n\n"
                "Tu peux me dire les avantages de chacune ?",
                ["un CDI à Lyon", "un CDD à Genève"],
            ),
            (
                "Estamos mirando tres pisos: uno en el centro (caro), uno en las afueras "
                "y uno junto a la playa (pequeño). ¿Cuáles son las ventajas de cada uno?",
                ["uno en el centro", "uno en las afueras", "uno junto a la playa"],
            ),
            (
                "Wir haben zwei Angebote in der Auswahl. Solarwatt kostet 14.000 € mit "
                "Speicher. SENEC ist günstiger, aber ohne Wartung. Kannst du die beiden "
                "vergleichen?",
                ["Solarwatt", "SENEC"],
            ),
        ],
    )
    def test_sides_described_then_weighed_as_a_pair(self, text, wanted):
        assert sides(text) == wanted

    @pytest.mark.parametrize(
        "text",
        [
            # no request that weighs them
            "I've narrowed it down to two bikes:\n\n- a steel touring bike\n"
            "- a carbon gravel bike\n\nI'll test-ride both on Saturday.",
            # the count does not match what is listed
            "I found three flats:\n\n- one near the station\n- one by the park\n\n"
            "Can you compare them?",
            # sentences of their own, with nothing to say they are the alternatives
            "We have two kids. Emma is five. Leo is three. Which school is better for both?",
        ],
    )
    def test_described_things_without_a_weighing_request_or_a_matching_count(self, text):
        assert sides(text) == []


class TestMoreQuestionShapes:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "We're trying to decide whether a cargo bike makes more sense than a second car.",
                ["a cargo bike", "a second car"],
            ),
            (
                "Ich überlege, ob ein Balkonkraftwerk günstiger als ein Ökostromtarif ist.",
                ["ein Balkonkraftwerk", "ein Ökostromtarif"],
            ),
            (
                "No sé si me sale más barato el autobús que el metro.",
                ["el autobús", "el metro"],
            ),
        ],
    )
    def test_a_comparative_in_an_embedded_question(self, text, wanted):
        assert sides(text) == wanted

    def test_a_comparative_in_a_plain_statement_is_none(self):
        assert sides("The new model turned out lighter than the old one.") == []

    def test_french_inverted_subject_after_the_verb_of_difference(self):
        assert sides("En quoi une mutuelle diffère-t-elle d'une assurance ?") == [
            "une mutuelle",
            "une assurance",
        ]

    def test_how_much_more_is_it_to_do_one_than_the_other(self):
        text = "How much faster is it to take the train than to drive?"
        assert sides(text) == ["to take the train", "drive"]


class TestNotAChoice:
    @pytest.mark.parametrize(
        "text",
        [
            "What's the time difference between Lisbon and Denver?",
            "¿Cuál es la diferencia horaria entre Madrid y Bogotá?",
            "Quelle est la différence d'âge entre Paul et Marie ?",
        ],
    )
    def test_a_difference_measured_in_a_unit_asks_for_an_amount(self, text):
        assert sides(text) == []

    def test_a_difference_in_price_still_compares(self):
        assert sides("What's the price difference between the Solo and the Duo plan?") == [
            "the Solo",
            "the Duo plan",
        ]

    def test_what_changed_between_two_versions_compares_them(self):
        text = "Can you explain what changed between version 4 and version 5 of the app?"
        assert sides(text) == ["version 4", "version 5"]


class TestPreferredAndOutdone:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Does a gas hob have any real advantage over induction for a small kitchen?",
                ["a gas hob", "induction"],
            ),
            (
                "¿Vale la pena contratar el seguro anual en vez del mensual?",
                ["el seguro anual", "mensual"],
            ),
            (
                "Est-ce que ça vaut le coup de prendre l'abonnement annuel plutôt que le mensuel ?",
                ["l'abonnement annuel", "le mensuel"],
            ),
            (
                "Lohnt es sich, ein Lastenrad statt eines Zweitwagens zu kaufen?",
                ["ein Lastenrad", "eines Zweitwagens zu kaufen"],
            ),
        ],
    )
    def test_one_judged_worth_it_or_holding_an_edge_over_the_other(self, text, wanted):
        assert sides(text) == wanted

    def test_an_opinion_asked_for_is_no_part_of_the_side(self):
        assert sides("Would you say Fastmail beats Proton on spam filtering?") == [
            "Fastmail",
            "Proton",
        ]

    def test_a_name_that_opens_on_a_digit_is_a_side_not_an_amount(self):
        assert sides("Is Bitwarden as good as 1Password for a family?") == [
            "Bitwarden",
            "1Password",
        ]

    def test_a_figure_after_than_is_still_an_amount(self):
        assert sides("Is it a problem that the backup is larger than 20GB?") == []


class TestNextTo:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            ("Is Deno any good next to Node for a CLI tool?", ["Deno", "Node"]),
            (
                "Affinity Photo next to Photoshop — which one is easier to learn?",
                ["Affinity Photo", "Photoshop"],
            ),
        ],
    )
    def test_two_things_set_side_by_side(self, text, wanted):
        assert sides(text) == wanted

    @pytest.mark.parametrize(
        "text",
        [
            "Is the bakery next to the station any good?",
            "Can I leave my bike next to the entrance?",
        ],
    )
    def test_a_place_next_to_another(self, text):
        assert sides(text) == []


class TestComparativeThatHeadsAQuestion:
    @pytest.mark.parametrize(
        "text",
        [
            "Last point, a wish more than a bug: could the export keep the column order?",
            "Dernier point, une remarque plus qu'une plainte : pouvez-vous ajouter le PDF ?",
        ],
    )
    def test_a_label_before_a_colon_is_not_asked(self, text):
        assert sides(text) == []

    def test_a_question_before_a_colon_still_asks(self):
        text = "Is the yearly plan cheaper than the monthly one: over two years, I mean?"
        assert sides(text) == ["the yearly plan", "the monthly one"]


class TestNamesWithBrackets:
    def test_a_bracket_attached_to_a_word_stays_in_the_name(self):
        text = "What actually changes between a 403(b), a 457(b) and an IRA for a teacher?"
        found = sides(text)
        assert len(found) == 3
        assert found[0].startswith("a 403(b") and found[2] == "an IRA"


class TestInformalWriting:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "whats the diff between a roth and a traditional ira",
                ["a roth", "a traditional ira"],
            ),
            ("is leasing cheaper than buying for a small fleet", ["leasing", "buying"]),
            ("how's pnpm different from npm", ["pnpm", "npm"]),
            ("compárame el plan básico y el plan pro", ["el plan básico", "el plan pro"]),
            ("vergleich mal bitte Tibber und Octopus", ["Tibber", "Octopus"]),
            (
                "ist ein e-bike günstiger als ein auto im unterhalt",
                ["ein e-bike", "ein auto im unterhalt"],
            ),
        ],
    )
    def test_questions_without_their_mark_or_capitals(self, text, wanted):
        assert sides(text) == wanted

    @pytest.mark.parametrize(
        "text",
        [
            "What matters more than price is the support.",
            "How we set it up is simpler than it looks.",
            "Which is why the train is cheaper than the plane for us.",
        ],
    )
    def test_statements_that_open_like_questions(self, text):
        assert sides(text) == []


class TestFrontedComparison:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            ("Compared to Dropbox, is pCloud really that much cheaper?", ["Dropbox", "pCloud"]),
            (
                "Par rapport à un forfait mobile, est-ce qu'une box 4G vaut le coup ?",
                ["un forfait mobile", "une box 4G"],
            ),
            (
                "Im Vergleich zu Spotify, ist Deezer das bessere Angebot?",
                ["Spotify", "Deezer"],
            ),
            (
                "Frente a un piso en el centro, ¿compensa una casa en las afueras?",
                ["un piso en el centro", "una casa"],
            ),
        ],
    )
    def test_the_cue_opens_and_the_question_follows(self, text, wanted):
        assert sides(text) == wanted

    @pytest.mark.parametrize(
        "text",
        [
            "Compared to last year, are we doing better?",
            "Compared to the old office, the new one is bright.",
        ],
    )
    def test_a_fronted_norm_or_statement(self, text):
        assert sides(text) == []


class TestNearMissesOfTheNewFrames:
    @pytest.mark.parametrize(
        "text",
        [
            "What are the pros and cons of a four-day week over the long run?",
            "I have two kids: Mia and Tom. Which school would you pick for them?",
            "Kannst du mir sagen, was das von der alten Version unterscheidet?",
        ],
    )
    def test_no_sides(self, text):
        assert sides(text) == []

    def test_a_name_in_capitals_is_no_determiner(self):
        assert sides("c'est quoi la différence entre SES et SVT ?") == ["SES", "SVT"]


class TestToldOrAskedLater:
    @pytest.mark.parametrize(
        "text",
        [
            "I was torn between the oak and the walnut table for weeks, but the oak one "
            "is in the kitchen now. How do I oil it?",
            "Estaba dudando entre el piso de Gràcia y el de Sants, pero ya firmé el de Sants.",
        ],
    )
    def test_a_choice_told_in_the_past(self, text):
        assert sides(text) == []

    def test_a_comparison_asked_two_sentences_on(self):
        text = (
            "Je compare la Zoé et la Spring pour mes trajets. Je roule surtout en ville. "
            "Laquelle tient le mieux la charge ?"
        )
        assert sides(text) == ["la Zoé", "la Spring"]

    def test_an_impersonal_comparative_far_from_its_than(self):
        text = (
            "Is it really cheaper in the long term to insulate the attic with wool than "
            "with foam boards?"
        )
        assert sides(text) == ["insulate the attic with wool", "with foam boards"]
