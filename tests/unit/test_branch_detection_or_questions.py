"""Disjunctions asked across two questions ("Fix it? Or buy a new one?"), and a
decimal comma inside the left option ("à 9,99 ou …") that parts nothing; with the
near-misses that stay silent."""

from __future__ import annotations

import pytest

from tests.support.branch_options import option_texts


def options(text: str) -> list[str]:
    return option_texts(text, "disjunction")


class TestAnOrQuestionAsksOn:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "My laptop fan is dying. Replace the fan? Or sell it and get a refurbished "
                "one for about $400?",
                ["Replace the fan", "sell it and get a refurbished one for about $400"],
            ),
            (
                "Ma chaudière a 15 ans. La réparer ? Ou la remplacer par une pompe à chaleur ?",
                ["La réparer", "la remplacer par une pompe à chaleur"],
            ),
            (
                "El sofá está roto. ¿Lo tapizo? ¿O compro uno nuevo en rebajas?",
                ["Lo tapizo", "compro uno nuevo en rebajas"],
            ),
            (
                "Das Auto ist zwölf Jahre alt. Noch mal reparieren? Oder ein gebrauchtes "
                "E-Auto kaufen?",
                ["Noch mal reparieren", "ein gebrauchtes E-Auto kaufen"],
            ),
        ],
    )
    def test_the_or_question_and_the_one_before(self, text: str, wanted: list[str]) -> None:
        assert options(text) == wanted

    @pytest.mark.parametrize(
        "text",
        [
            "Can you check my cover letter? Or rather, could you shorten its first paragraph?",
            "Peux-tu relire mon CV ? Ou plutôt, juste la partie expérience ?",
        ],
    )
    def test_a_question_taken_back_stays_silent(self, text: str) -> None:
        assert options(text) == []

    def test_an_or_question_after_a_statement_asks_nothing_new(self) -> None:
        text = "I fixed the hinge last week. Or did I just tighten the screw?"
        assert options(text) == []


class TestDecimalComma:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "je sais pas si je prends l'abonnement à 9,99 ou je reste chez mon opérateur",
                ["prends l'abonnement à 9,99", "je reste chez mon opérateur"],
            ),
            (
                "no sé si coger la tarifa de 12,50 o quedarme con la de prepago",
                ["coger la tarifa de 12,50", "quedarme con la de prepago"],
            ),
        ],
    )
    def test_a_decimal_comma_parts_no_option(self, text: str, wanted: list[str]) -> None:
        assert options(text) == wanted


class TestANounOfDoubt:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "My question is basically if I should sell the flat or rent it out.",
                ["sell the flat", "rent it out"],
            ),
            (
                "Ma question est si je dois vendre la voiture ou la garder.",
                ["vendre la voiture", "la garder"],
            ),
            (
                "Mi duda es si pedir la excedencia o dejar el trabajo.",
                ["pedir la excedencia", "dejar el trabajo"],
            ),
            (
                "Meine Frage ist, ob ich kündigen oder in Teilzeit gehen soll.",
                ["kündigen", "in Teilzeit gehen soll"],
            ),
        ],
    )
    def test_the_if_it_states_asks_what_to_do(self, text: str, wanted: list[str]) -> None:
        assert options(text) == wanted

    @pytest.mark.parametrize(
        "text",
        [
            "The question is if the leak is in the pipe or the tap.",
            "La question est si le bruit vient du moteur ou des freins.",
        ],
    )
    def test_a_question_of_fact_stays_silent(self, text: str) -> None:
        assert options(text) == []


class TestUnmarkedQuestionAfterAFrame:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "for a weekend in Paris is it worth renting a car or should we take the metro",
                ["for a weekend in Paris is it worth renting a car", "should we take the metro"],
            ),
            (
                "pour un séjour court est-ce que je prends le pass ou je paie à chaque visite",
                ["je prends le pass", "je paie à chaque visite"],
            ),
            (
                "con dos niños pequeños debería alquilar un coche o moverme en tren",
                ["alquilar un coche", "moverme en tren"],
            ),
        ],
    )
    def test_a_framing_phrase_before_the_inverted_verb(self, text: str, wanted: list[str]) -> None:
        assert options(text) == wanted

    def test_a_statement_after_a_frame_stays_silent(self) -> None:
        text = "for a weekend in Paris it is worth renting a car or taking the metro"
        assert options(text) == []


class TestHesitationAndDurations:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "We're torn on lodging: a cottage for the week, or a campsite with a pool?",
                ["a cottage for the week", "a campsite"],
            ),
            (
                "On hésite sur l'hébergement : un gîte pour la semaine, ou un camping ?",
                ["un gîte pour la semaine", "un camping"],
            ),
            (
                "Ich schwanke: eine Ferienwohnung für die Woche oder ein Hotel am See?",
                ["eine Ferienwohnung für die Woche", "ein Hotel am See"],
            ),
            (
                "Estoy dudando con el regalo: un reloj, o más bien una cámara?",
                ["un reloj", "más bien una cámara"],
            ),
        ],
    )
    def test_a_choice_hesitated_over(self, text: str, wanted: list[str]) -> None:
        assert options(text) == wanted

    @pytest.mark.parametrize(
        "text",
        [
            "Peux-tu relire mon CV, ou plutôt la partie expérience ?",
            "We rented a cottage for the week or so and loved it.",
        ],
    )
    def test_a_correction_or_a_statement_stays_silent(self, text: str) -> None:
        assert options(text) == []
