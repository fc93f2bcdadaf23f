"""Pairs that ask nothing: a choice already made or answered by the writer, a tag on
one question ("… or what?"), a yes/no question with its own opposite as the other
side, one word said twice; and options read whole when a "between A and B" or a
repeated opening word shapes them."""

from __future__ import annotations

import pytest

from tests.support.branch_options import option_texts


def options(text: str, kind: str = "disjunction") -> list[str]:
    return option_texts(text, kind)


class TestChoiceAlreadyMade:
    @pytest.mark.parametrize(
        "text",
        [
            "The shop offered me either a voucher or a refund, and I took the refund on "
            "Monday. When should the money reach my account?",
            "Le vendeur m'a proposé soit un avoir soit un remboursement, et j'ai pris "
            "l'avoir hier. Combien de temps est-il valable ?",
            "La tienda me ofreció un vale o un reembolso, y me quedé con el reembolso. "
            "¿Cuánto tarda en llegar?",
            "Der Händler bot mir einen Gutschein oder eine Erstattung an, und ich habe mich "
            "für die Erstattung entschieden. Wann kommt das Geld?",
        ],
    )
    def test_the_same_sentence_says_which_was_taken(self, text: str) -> None:
        assert options(text) == []

    @pytest.mark.parametrize(
        "text",
        [
            "Light theme or dark theme? Dark, obviously. What I need is a way to sync it "
            "across my two laptops.",
            "Thème clair ou thème sombre ? Le sombre, évidemment. Ma vraie question : comment "
            "le synchroniser entre deux ordinateurs ?",
            "¿Tema claro o tema oscuro? Oscuro, claro está. Lo que necesito es sincronizarlo "
            "entre dos portátiles.",
            "Helles oder dunkles Design? Dunkel natürlich. Eigentliche Frage: wie synchronisiere "
            "ich das zwischen zwei Laptops?",
        ],
    )
    def test_the_writer_answers_their_own_question(self, text: str) -> None:
        assert options(text) == []

    def test_a_statement_about_one_option_does_not_answer(self) -> None:
        text = "Should I repaint the hall grey or white? White shows every scuff on the walls."
        assert len(options(text)) == 2

    def test_a_reply_with_a_figure_is_no_answer(self) -> None:
        text = (
            "Is it smarter to repay the student loan early or invest the spare $200 a month? "
            "loan is 5.5%, the fund did 7.1% last year."
        )
        assert len(options(text)) == 2


class TestTagOnOneQuestion:
    @pytest.mark.parametrize(
        "text",
        [
            "Are we ever going to finish this kitchen or what? The tiles arrived a month ago.",
            "On part enfin en vacances ou quoi ? Je n'ai rien préparé.",
            "¿Nos vamos de viaje en mayo o qué? Nadie me dice nada.",
            "Ziehen wir jetzt um oder was? Ich weiß von nichts.",
            "Is the meeting still on or not? Nobody answered my email.",
        ],
    )
    def test_or_what_presses_one_question(self, text: str) -> None:
        assert options(text) == []

    def test_a_real_second_option_after_or(self) -> None:
        assert options("Should we drive to the coast or take the night train?") == [
            "drive to the coast",
            "take the night train",
        ]


class TestOppositeAsTheOtherSide:
    @pytest.mark.parametrize(
        "text",
        [
            "Is it correct to start an email with 'Hi all', or should it be avoided?",
            "Est-il correct d'écrire « au jour d'aujourd'hui », ou est-ce une faute ?",
            "¿Es correcto decir 'en base a' en un informe, o es un error?",
            "Ist die Anrede 'Hallo zusammen' im Geschäftsbrief richtig, oder eher falsch?",
        ],
    )
    def test_a_yes_no_question_with_its_own_negation(self, text: str) -> None:
        assert options(text) == []

    def test_a_choice_of_spelling_still_asks(self) -> None:
        text = "Should the report use color or colour for a Canadian client?"
        assert len(options(text)) == 2


class TestWordSaidTwice:
    def test_si_o_si_insists(self) -> None:
        text = "¿Qué programa me conviene si necesito factura electrónica sí o sí?"
        assert options(text) == []


class TestItalianBothAnd:
    def test_sia_sia_is_both(self) -> None:
        text = "La lavatrice si blocca sia con il programma corto sia con quello lungo. Perché?"
        assert options(text) == []


class TestOptionsShapedByTheClause:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            (
                "I have to choose between Svelte and Vue for the dashboard, or keep React?",
                ["Svelte", "Vue", "keep React"],
            ),
            (
                "Je dois choisir entre Lyon et Nantes pour le séminaire, ou alors rester à Paris ?",
                ["Lyon", "Nantes", "rester à Paris"],
            ),
            (
                "¿Tengo que elegir entre Python y Go para el backend, o sigo con PHP?",
                ["Python", "Go", "sigo con PHP"],
            ),
        ],
    )
    def test_between_a_and_b_then_or_c(self, text: str, expected: list[str]) -> None:
        assert options(text) == expected

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            (
                "¿Me compro una bici eléctrica o me saco el carné de moto?",
                ["Me compro una bici eléctrica", "me saco el carné de moto"],
            ),
            (
                "Est-ce que je le répare moi-même ou je l'apporte au garagiste ?",
                ["je le répare moi-même", "je l'apporte au garagiste"],
            ),
        ],
    )
    def test_both_options_open_on_the_same_word(self, text: str, expected: list[str]) -> None:
        assert options(text) == expected


class TestSeveralThingsWanted:
    @pytest.mark.parametrize(
        "text",
        [
            "I'm hosting a book club and want four more novels with heist or spy plots, "
            "can you suggest some?",
            "Tu peux me conseiller quelques podcasts sur la cuisine japonaise ou coréenne ?",
            "¿Me pasas algunas recetas con garbanzos o lentejas para esta semana?",
            "Kannst du mir ein paar Bücher über Segeln oder Rudern empfehlen?",
        ],
    )
    def test_the_pair_says_what_the_many_things_are_about(self, text: str) -> None:
        assert options(text) == []

    @pytest.mark.parametrize(
        "text",
        [
            "Should we spend the 3 days with my parents or with her sister?",
            "Do we drive the 6 hours with the dog or fly and board him?",
        ],
    )
    def test_a_count_inside_a_choice_still_asks(self, text: str) -> None:
        assert len(options(text)) == 2


class TestOptionsAfterAColon:
    def test_the_left_option_runs_from_the_colon(self) -> None:
        text = (
            "What I can't settle is dessert: a lemon tart from the bakery she likes, "
            "or a chocolate cake?"
        )
        assert options(text) == ["a lemon tart from the bakery she likes", "a chocolate cake"]

    def test_a_clause_after_the_colon_is_not_taken_whole(self) -> None:
        text = "Quick one: should I repot the fern now, or wait until spring?"
        assert options(text)[-1] == "wait until spring"


class TestChainOfOneWord:
    def test_a_chain_repeats_its_or(self) -> None:
        assert options("Should we go to Lisbon or Porto or Faro for the long weekend?") == [
            "Lisbon",
            "Porto",
            "Faro",
        ]

    def test_another_language_word_after_the_options_ends_the_chain(self) -> None:
        text = "Estou pensando em ir de trem ou de carro até Madrid, o que você acha?"
        assert all("que" not in option for option in options(text))


class TestJudgementDenied:
    @pytest.mark.parametrize(
        "text",
        [
            "Is this sentence grammatical, or is it not grammatical at all?",
            "Cette tournure est-elle correcte, ou pas correcte du tout ?",
            "¿Está permitido aparcar aquí de noche, o no está permitido?",
            "Ist die Abkürzung so korrekt, oder nicht korrekt?",
        ],
    )
    def test_the_same_judgement_denied(self, text: str) -> None:
        assert options(text) == []

    def test_a_negation_inside_a_real_option(self) -> None:
        text = "Is it better to buy the kettle with a filter or the one with no lid?"
        assert len(options(text)) == 2


class TestWhatThereIs:
    @pytest.mark.parametrize(
        "text",
        [
            "Are there vegan or gluten-free bakeries near the old harbour?",
            "Tu connais un bon kiné ou ostéo du côté de Nantes ?",
            "¿Hay librerías de segunda mano o de cómics cerca de la plaza?",
            "Kennst du einen guten Schneider oder Änderungsladen in Bremen?",
        ],
    )
    def test_a_question_for_things_of_either_kind(self, text: str) -> None:
        assert options(text) == []

    @pytest.mark.parametrize(
        "text",
        [
            "Is there a reason to choose Postgres or is SQLite enough for a tiny app?",
            "Gibt es einen Grund, jetzt umzusteigen, oder soll ich bis Herbst warten?",
        ],
    )
    def test_a_choice_framed_as_what_there_is(self, text: str) -> None:
        assert len(options(text)) == 2


class TestCorrelativesThatOfferNothing:
    def test_someone_elses_words(self) -> None:
        text = (
            "Mon propriétaire m'a écrit : « Vous pouvez soit payer les frais, soit partir "
            "en mars. » Est-ce légal ?"
        )
        assert options(text) == []

    def test_what_a_device_does(self) -> None:
        text = (
            "La sonde envoie soit OK soit ALARME toutes les minutes. Comment je trace ça "
            "dans Grafana ?"
        )
        assert options(text) == []

    @pytest.mark.parametrize(
        "text",
        [
            "Il faut soit réparer la chaudière, soit la remplacer. Vous feriez quoi ?",
            "Pour Noël, soit on reste à Lyon, soit on descend chez mes parents. Un avis ?",
        ],
    )
    def test_a_choice_still_asks(self, text: str) -> None:
        assert len(options(text)) == 2


class TestStateOfAThing:
    @pytest.mark.parametrize(
        "text",
        [
            "Is my parcel out for delivery or still at the depot? The tracking hasn't moved.",
            "Mon colis est-il parti ou encore au dépôt ? Le suivi ne bouge plus.",
            "¿Mi paquete ya salió o sigue en el almacén? El seguimiento no cambia.",
            "Ist mein Paket schon unterwegs oder noch im Lager? Die Sendungsverfolgung steht.",
        ],
    )
    def test_two_states_of_one_thing(self, text: str) -> None:
        assert options(text) == []

    @pytest.mark.parametrize(
        "text",
        [
            "Is the morning or the evening ferry the better bet with a car?",
            "Are my kids better off in daycare or with a nanny?",
        ],
    )
    def test_things_to_weigh_still_ask(self, text: str) -> None:
        assert len(options(text)) == 2


class TestWhatSomethingDoes:
    @pytest.mark.parametrize(
        "text",
        [
            "The smoke alarm beeps either once or three times at night. What does that mean?",
            "Le détecteur bipe soit une fois, soit trois fois la nuit. Ça veut dire quoi ?",
            "El detector pita o bien una vez o bien tres veces por la noche. ¿Qué significa?",
            "Der Rauchmelder piept entweder einmal oder dreimal nachts. Was bedeutet das?",
        ],
    )
    def test_a_thing_does_one_or_the_other(self, text: str) -> None:
        assert options(text) == []

    @pytest.mark.parametrize(
        "text",
        [
            "My budget stretches to either a used Golf or a new Polo. Thoughts?",
            "Der Umzug klappt entweder im Mai oder im Juni. Was meint ihr?",
        ],
    )
    def test_a_short_question_after_still_asks(self, text: str) -> None:
        assert len(options(text)) == 2


def test_a_statement_of_what_there_is_then_a_pick() -> None:
    text = "Il y a le bus ou le train pour l'aéroport. Lequel est le moins cher ?"
    assert options(text) == ["le bus", "le train"]


class TestHowToDoOneThing:
    @pytest.mark.parametrize(
        "text",
        [
            "What's the cleanest way to batch or throttle these API calls so we stay under "
            "the rate limit?",
            "Comment regrouper ou limiter ces appels pour rester sous le quota ?",
            "¿Cómo agrupo o limito estas llamadas para no pasar el límite?",
            "Wie bündle oder drossle ich diese Aufrufe, damit wir unter dem Limit bleiben?",
        ],
    )
    def test_two_verbs_sharing_one_object(self, text: str) -> None:
        assert options(text) == []

    def test_two_ways_named_after_a_comma_still_ask(self) -> None:
        assert len(options("What do you think, pizza or sushi tonight?")) == 2


class TestAskedWhereWhenWhatOrHow:
    """A question that asks a place, a time, a thing or a way, with the pair inside its
    clause, wants that answer, not one of the pair."""

    @pytest.mark.parametrize(
        "text",
        [
            "Where do people usually leave their bikes downtown or near the station?",
            "When do the pools open in the morning or at noon on weekdays?",
            "Où est-ce qu'on trouve des fruits pas chers au marché ou au supermarché ?",
            "Quand est-ce que les inscriptions ouvrent en mars ou en avril ?",
            "¿Dónde se compran los abonos de tren en la estación o por internet?",
            "¿Cuándo cierran los bancos por la tarde o a mediodía?",
            "Wo kann man in Hamburg gut frühstücken oder brunchen?",
            "Wann öffnen die Museen vormittags oder erst mittags?",
        ],
    )
    def test_the_pair_inside_the_question_clause_is_no_choice(self, text: str) -> None:
        assert options(text) == []

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            (
                "What would you do, wait for the spare part or return the whole bike?",
                ["the spare part", "return the whole bike"],
            ),
            ("Where should we stay, Lyon or Annecy?", ["Lyon", "Annecy"]),
            ("¿Qué hago con el coche viejo, venderlo o donarlo?", ["venderlo", "donarlo"]),
            ("Wo feiern wir, bei mir oder im Park?", ["bei mir", "im Park"]),
        ],
    )
    def test_a_pair_after_the_question_clause_is_asked_to_pick(
        self, text: str, expected: list[str]
    ) -> None:
        assert options(text) == expected
