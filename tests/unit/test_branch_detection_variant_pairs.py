"""Variants asked for as pairs, each with what is said of it after a comma, and
variants counted by the request, whatever the phrases inside the last one hold."""

from __future__ import annotations

import pytest

from chatroutes.server.domain.branch_detection import detect


def variants(text: str) -> list[str]:
    """The spans of the directive suggestions found, in text order."""
    found = detect(text, count=10).suggestions
    return [
        text[s.start : s.end] for s in sorted(found, key=lambda s: s.start) if s.kind == "directive"
    ]


class TestPairsAroundOneAnd:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Write the notice for the lobby, in a formal tone, and as a chat message, "
                "more relaxed.",
                ["the notice for the lobby, in a formal tone", "as a chat message, more relaxed"],
            ),
            (
                "Escríbemelo para colgar en el portal, en tono formal, y como mensaje para el "
                "grupo del edificio, más cercano.",
                [
                    "para colgar en el portal, en tono formal",
                    "como mensaje para el grupo del edificio, más cercano",
                ],
            ),
            (
                "Schreib es für den Aushang, im förmlichen Ton, und als Chatnachricht, lockerer.",
                ["für den Aushang, im förmlichen Ton", "als Chatnachricht, lockerer"],
            ),
        ],
    )
    def test_each_half_is_one_variant_with_its_tone(self, text, wanted):
        assert variants(text) == wanted

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Write it in English, in French, and in German, if you can.",
                ["in English", "in French", "in German, if you can"],
            ),
            (
                "Escríbelo en inglés, en francés, y en alemán, por favor.",
                ["en inglés", "en francés", "en alemán"],
            ),
        ],
    )
    def test_a_list_with_a_tail_keeps_its_items(self, text, wanted):
        assert variants(text) == wanted

    @pytest.mark.parametrize(
        "text",
        [
            "Je dois écrire un mot pour le départ de Paul, drôle ou sobre, j'ai les deux en tête.",
            "Mir wurde zweimal abgebucht: 12,50 € am Montag und noch einmal 12,50 € am Mittwoch.",
        ],
    )
    def test_no_pairs_in_an_or_or_in_decimal_commas(self, text):
        assert variants(text) == []


class TestAsManyAsCounted:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Can you write the summary in two versions: a brief one for the team, straight "
                "to the point, and a long one for management with the figures and the timeline?",
                [
                    "a brief one for the team, straight to the point",
                    "a long one for management with the figures and the timeline",
                ],
            ),
            (
                "Tu peux m'écrire le résumé en deux versions : une brève pour l'équipe, qui va "
                "à l'essentiel, et une longue pour la direction avec les chiffres et le "
                "calendrier ?",
                [
                    "une brève pour l'équipe, qui va à l'essentiel",
                    "une longue pour la direction avec les chiffres et le calendrier",
                ],
            ),
            (
                "¿Me escribes el resumen en dos versiones: una breve para el equipo, al grano, "
                "y una larga para la dirección con las cifras y el calendario?",
                [
                    "una breve para el equipo, al grano",
                    "una larga para la dirección con las cifras y el calendario",
                ],
            ),
            (
                "Kannst du die Zusammenfassung in zwei Versionen schreiben: eine kurze fürs "
                "Team, direkt auf den Punkt, und eine lange für die Leitung mit den Zahlen und "
                "dem Zeitplan?",
                [
                    "eine kurze fürs Team, direkt auf den Punkt",
                    "eine lange für die Leitung mit den Zahlen und dem Zeitplan",
                ],
            ),
        ],
    )
    def test_what_the_last_variant_holds_stays_in_it(self, text, wanted):
        assert variants(text) == wanted


class TestVariantsMadeAlready:
    @pytest.mark.parametrize(
        "text",
        [
            "I already wrote two versions of the invite: a formal one and a casual one. Can "
            "you fix the typos in both?",
            "J'ai déjà rédigé deux versions de l'invitation : une formelle et une décontractée. "
            "Tu peux corriger les fautes ?",
            "J'ai rédigé deux versions du discours, une courte et une longue. Tu peux vérifier "
            "l'orthographe ?",
            "Ya escribí dos versiones de la invitación: una formal y otra informal. ¿Puedes "
            "corregir las faltas?",
            "He preparado dos versiones del discurso: una corta y una larga. ¿Puedes revisar la "
            "ortografía?",
            "Ich habe schon zwei Versionen der Einladung geschrieben: eine förmliche und eine "
            "lockere. Kannst du die Tippfehler korrigieren?",
        ],
    )
    def test_variants_the_writer_has_made_are_not_asked_for(self, text):
        assert variants(text) == []

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Tu peux me rédiger deux versions de l'invitation : une formelle et une "
                "décontractée ?",
                ["une formelle", "une décontractée"],
            ),
            (
                "¿Me escribes dos versiones de la invitación: una formal y otra informal?",
                ["una formal", "otra informal"],
            ),
            (
                "Could he get a cautious version of the plan and a bold one?",
                ["a cautious version of the plan", "a bold one"],
            ),
            (
                "He wants two versions: one for the client and one for the team. Can you "
                "draft them?",
                ["one for the client", "one for the team"],
            ),
            (
                "Ya que estás, escríbeme dos versiones: una para el cliente y otra para el equipo.",
                ["una para el cliente", "otra para el equipo"],
            ),
            (
                "Habe eine Bitte, zwei Versionen: eine für den Kunden und eine fürs Team.",
                ["eine für den Kunden", "eine fürs Team"],
            ),
        ],
    )
    def test_variants_still_to_make_are_asked_for(self, text, wanted):
        assert variants(text) == wanted
