"""Conditionals: the cases of one request, however many sentences they take, and the
"if" that means "whether", which puts no case."""

from __future__ import annotations

import pytest

from chatroutes.server.domain.branch_detection import detect


def cases(text: str) -> list[str]:
    """The span text of each conditional suggestion, in text order."""
    found = sorted(detect(text, count=10).suggestions, key=lambda s: s.start)
    return [text[s.start : s.end] for s in found if s.kind == "conditional"]


class TestCases:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "What should I pack if it snows? And if it rains? And if it's sunny all week?",
                ["if it snows", "if it rains", "if it's sunny all week"],
            ),
            (
                "Que faut-il prévoir s'il pleut le jour du mariage ? Et s'il fait très chaud ?",
                ["s'il pleut le jour du mariage", "s'il fait très chaud"],
            ),
            (
                "Was mache ich, wenn der Zug ausfällt? Und wenn er nur Verspätung hat? "
                "Und wenn ich den Anschluss verpasse?",
                [
                    "wenn der Zug ausfällt",
                    "wenn er nur Verspätung hat",
                    "wenn ich den Anschluss verpasse",
                ],
            ),
        ],
    )
    def test_each_sentence_that_puts_a_case_is_one_more_case(self, text, wanted):
        assert cases(text) == wanted

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "¿Qué ruta me recomiendas si salimos muy temprano y cuál si salimos por la tarde?",
                ["si salimos muy temprano", "si salimos por la tarde"],
            ),
            (
                "Quel forfait prendre si je reste un mois et lequel si je reste un an ?",
                ["si je reste un mois", "si je reste un an"],
            ),
            (
                "Which laptop would you get if I mostly edit video, and which if I only write?",
                ["if I mostly edit video", "if I only write"],
            ),
        ],
    )
    def test_a_second_question_word_closes_the_first_case(self, text, wanted):
        assert cases(text) == wanted


class TestWhether:
    @pytest.mark.parametrize(
        "text",
        [
            "Do you know if the export works for SSO accounts? No matter if it's the free "
            "tier or the paid one, whichever.",
            "¿Sabes si el plugin funciona con la versión 6? Da igual si es gratis o de pago.",
            "Je voudrais savoir si la garantie couvre l'écran, ou si je dois payer la réparation.",
            "Lo que quiero saber es si el seguro cubre la mudanza, o si eso corre de mi cuenta.",
            "Can you tell me if this query is fine? Or if you see anything to improve?",
            "¿Me podrías decir si este contrato está bien? ¿O si ves algo raro en él?",
        ],
    )
    def test_an_if_that_asks_whether_puts_no_case(self, text):
        assert cases(text) == []


class TestCaseOpeners:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "How would you staff the shop in the case where sales double, and in the "
                "case where they drop?",
                ["in the case where sales double", "in the case where they drop"],
            ),
            (
                "Comment organiser la réunion dans le cas où le client vient, et au cas où il "
                "annule ?",
                ["dans le cas où le client vient", "au cas où il annule"],
            ),
            (
                "¿Qué hago en caso de que me suban el alquiler y qué hago si me lo bajan?",
                ["en caso de que me suban el alquiler", "si me lo bajan"],
            ),
            (
                "Wie plane ich die Schichten im Fall, dass zwei Leute krank werden, und für den "
                "Fall, dass nur einer fehlt?",
                ["im Fall, dass zwei Leute krank werden", "für den Fall, dass nur einer fehlt"],
            ),
        ],
    )
    def test_the_case_where_opens_a_case(self, text, wanted):
        assert cases(text) == wanted

    @pytest.mark.parametrize(
        "text",
        [
            "When should I start worrying about the noise, and when is it just normal wear?",
            "Quand est-ce que je dois rappeler le client, et quand dois-je lui écrire ?",
            "Je sais que c'est cher, mais est-ce que je peux quand même demander un rabais, "
            "si la facture arrive en retard ?",
        ],
    )
    def test_a_when_that_asks_when_is_no_condition(self, text):
        assert cases(text) == []
