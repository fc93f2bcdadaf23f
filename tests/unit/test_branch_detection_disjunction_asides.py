"""Disjunctions whose "or" weighs nothing (a correction, options said not to matter,
a choice made since) and options read by the shape of their phrase (a clause before
the list, a "with" phrase that qualifies a noun, fragments after a colon)."""

from __future__ import annotations

import pytest

from tests.support.branch_options import option_texts


def options(text: str) -> list[str]:
    return option_texts(text, "disjunction")


class TestNothingWeighed:
    @pytest.mark.parametrize(
        "text",
        [
            "Could you help me, or rather explain, how a lease renewal works?",
            "Tu peux m'aider, ou plutôt me dire, comment on résilie un abonnement ?",
            "¿Me puedes ayudar, o mejor dicho explicar, cómo funciona el IVA trimestral?",
            "Kannst du mir helfen, oder besser gesagt erklären, wie die Kfz-Steuer geht?",
        ],
    )
    def test_or_rather_corrects_what_was_said(self, text: str) -> None:
        assert options(text) == []

    def test_or_rather_after_a_preference_still_asks(self) -> None:
        assert options("Do you prefer tea, or rather coffee?") == ["tea", "rather coffee"]

    @pytest.mark.parametrize(
        "text",
        [
            "Pasta or rice, I don't mind: what can I cook with a tin of chickpeas?",
            "Pâtes ou riz, ça m'est égal : je cuisine quoi avec des pois chiches ?",
            "Pasta o arroz me da igual, ¿qué cocino con garbanzos y espinacas?",
            "Ob Nudeln oder Reis ist mir egal: was koche ich mit Linsen?",
        ],
    )
    def test_options_said_not_to_matter(self, text: str) -> None:
        assert options(text) == []

    def test_a_choice_asked_beside_indifference_to_something_else(self) -> None:
        text = "Should I cook pasta or rice tonight? The sauce doesn't matter."
        assert options(text) == ["cook pasta", "rice tonight"]

    @pytest.mark.parametrize(
        "text",
        [
            "My son spent a year torn over whether to study physics or music. He chose music "
            "(physics felt too dry to him). Which books suit a first-year student?",
            "Mon fils a longtemps hésité entre la physique ou la musique. Il a choisi la "
            "musique (la physique l'ennuyait). Quels livres pour bien commencer ?",
        ],
    )
    def test_a_choice_made_since_with_an_aside_naming_the_other(self, text: str) -> None:
        assert options(text) == []


class TestWhereTheOptionsAre:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            ("my dog is nine and sleeps a lot, kibble or raw food?", ["kibble", "raw food"]),
            (
                "mon chat a douze ans et dort beaucoup, croquettes ou pâtée ?",
                ["croquettes", "pâtée"],
            ),
            (
                "mi perro tiene nueve años y duerme mucho, pienso o comida cruda?",
                ["pienso", "comida cruda"],
            ),
            (
                "mein Hund ist neun und schläft viel, Trockenfutter oder Nassfutter?",
                ["Trockenfutter", "Nassfutter"],
            ),
            (
                "ma chienne de 9 ans dort beaucoup, croquettes ou ration ménagère ?",
                ["croquettes", "ration ménagère"],
            ),
        ],
    )
    def test_a_statement_before_a_pair_is_no_option(self, text: str, wanted: list[str]) -> None:
        assert options(text) == wanted

    def test_a_list_of_three_keeps_its_first_item(self) -> None:
        assert options("Should we go to Rome, Paris or Berlin?") == ["Rome", "Paris", "Berlin"]

    def test_a_short_phrase_item_starts_at_its_noun(self) -> None:
        text = "Vaut-il mieux un compte à terme, un livret ou une assurance-vie pour 5 000 € ?"
        assert options(text)[0] == "un compte à terme"

    @pytest.mark.parametrize(
        ("text", "left"),
        [
            (
                "Should I buy a laptop with a big screen or a tablet for my studies?",
                "a laptop with a big screen",
            ),
            (
                "Should I run interviews with about a dozen people or a survey for everyone?",
                "interviews with about a dozen people",
            ),
            (
                "Est-ce que je fais des entretiens avec une dizaine de personnes ou un "
                "questionnaire pour tous ?",
                "des entretiens avec une dizaine de personnes",
            ),
            (
                "¿Hago entrevistas con unas doce personas o una encuesta para todos?",
                "entrevistas con unas doce personas",
            ),
            (
                "Soll ich Interviews mit ein paar Leuten oder einen Fragebogen für alle machen?",
                "Interviews mit ein paar Leuten",
            ),
        ],
    )
    def test_a_with_phrase_qualifies_the_noun_before_it(self, text: str, left: str) -> None:
        assert options(text)[0] == left

    def test_a_with_phrase_against_a_bare_noun_stays_the_option(self) -> None:
        assert options("Do you eat pasta with a fork or a spoon?") == ["a fork", "a spoon"]

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "First campaign: paladin? rogue? wizard? I'm new to this.",
                ["paladin", "rogue", "wizard"],
            ),
            ("Pour ce soir : pizza ? sushi ? curry ?", ["pizza", "sushi", "curry"]),
            ("Para cenar: ¿pizza? ¿sushi? ¿curry?", ["pizza", "sushi", "curry"]),
            ("Heute Abend: Pizza? Sushi? Curry?", ["Pizza", "Sushi", "Curry"]),
        ],
    )
    def test_fragments_asked_after_a_colon(self, text: str, wanted: list[str]) -> None:
        assert options(text) == wanted

    def test_an_article_o_beside_ou_is_no_or(self) -> None:
        text = "Faço o mestrado agora ou trabalho uns anos primeiro?"
        assert options(text) == ["Faço o mestrado agora", "trabalho uns anos primeiro"]


class TestWhichOfTheThingsNamedBefore:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "The only things that changed are the flour and the oven. Is it the flour or "
                "the new oven?",
                ["the flour", "the new oven"],
            ),
            (
                "J'ai changé de farine et de four cette année. C'est la farine ou le four ?",
                ["la farine", "le four"],
            ),
            (
                "Este año cambié la harina y el horno. ¿Es la harina o el horno nuevo?",
                ["la harina", "el horno nuevo"],
            ),
            (
                "Neu sind nur das Mehl und der Ofen. Ist es das Mehl oder der neue Ofen?",
                ["das Mehl", "der neue Ofen"],
            ),
        ],
    )
    def test_which_named_cause_it_is(self, text: str, wanted: list[str]) -> None:
        assert options(text) == wanted

    @pytest.mark.parametrize(
        "text",
        [
            "My cat sneezes a lot since the move. Is it serious or normal?",
            "Users keep reporting it. Is it a bug or a feature?",
            "Mon chat éternue depuis le déménagement. C'est grave ou c'est normal ?",
            "Der Hund hustet seit gestern. Ist das harmlos oder gefährlich?",
        ],
    )
    def test_what_is_so_of_things_not_named_before(self, text: str) -> None:
        assert options(text) == []


class TestTheOccasionBeforeThePair:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            ("Lunch today, lentil soup or a toastie?", ["lentil soup", "a toastie"]),
            ("Le dîner ce soir, des restes ou des sushis ?", ["des restes", "des sushis"]),
            ("¿La cena de hoy, sobras o sushi?", ["sobras", "sushi"]),
            ("Abendessen heute, Reste oder Sushi?", ["Reste", "Sushi"]),
        ],
    )
    def test_a_phrase_naming_when_is_no_option(self, text: str, wanted: list[str]) -> None:
        assert options(text) == wanted

    def test_times_that_are_the_options_stay(self) -> None:
        text = "Should I book it today, tomorrow or next week?"
        assert options(text) == ["book it today", "tomorrow", "next week"]
