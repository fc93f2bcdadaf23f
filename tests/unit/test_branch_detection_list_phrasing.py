"""Inline lists whose items are phrases rather than names: an item with a bracketed
aside holding commas, items parted by semicolons, a last item that carries a closing
remark, one item among determiner phrases that opens on a bare name; and the
look-alikes that stay silent."""

from __future__ import annotations

import pytest

from chatroutes.server.domain.branch_detection import detect


def listed(text: str) -> list[str]:
    """The span text of each enumeration option, in text order."""
    found = sorted(detect(text, count=10).suggestions, key=lambda s: s.start)
    return [text[s.start : s.end] for s in found if s.kind == "enumeration"]


class TestBracketedAsides:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Our choices: the hostel near the station (cheap, loud, shared rooms), a "
                "small guesthouse (quiet, 20 min out), or the chain hotel downtown. Which "
                "would you book for two nights?",
                ["the hostel near the station", "a small guesthouse", "the chain hotel downtown"],
            ),
            (
                "Nos options : la voiture de location (chère, mais pratique), le train de "
                "nuit (lent, 11 h) ou le vol low-cost. Laquelle prendriez-vous ?",
                ["la voiture de location", "le train de nuit", "le vol low-cost"],
            ),
            (
                "He visto: una bici plegable (ligera, 9 kg), una bici de carretera usada "
                "(barata, 300 €) y un patinete eléctrico. ¿Cuál me recomiendas para ir a "
                "clase?",
                ["una bici plegable", "una bici de carretera usada", "un patinete eléctrico"],
            ),
            (
                "Zur Wahl stehen: ein Tablet (leicht, 400 €), ein gebrauchter Laptop "
                "(schwer, aber schnell) und ein E-Reader. Welches passt am besten zum "
                "Studium?",
                ["ein Tablet", "ein gebrauchter Laptop", "ein E-Reader"],
            ),
        ],
    )
    def test_an_aside_parts_no_item(self, text: str, wanted: list[str]) -> None:
        assert listed(text) == wanted

    def test_figures_in_a_statement_stay_silent(self) -> None:
        text = (
            "The quotes so far: roofer one (3,200 €, two weeks), roofer two (2,900 €). "
            "The insurer pays half."
        )
        assert listed(text) == []


class TestPhrasesOfOneShape:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "My options for the bonus: pay down the car loan; put it in an index "
                "fund for later; keep it in savings as a buffer; or redo the kitchen floor. "
                "I'm 41 with two kids. What would you do?",
                [
                    "pay down the car loan",
                    "put it in an index fund for later",
                    "keep it in savings as a buffer",
                    "redo the kitchen floor",
                ],
            ),
            (
                "J'ai regardé : la licence pro en alternance à Nantes, le BTS du lycée "
                "voisin, OpenClassrooms en ligne et un titre pro à l'AFPA. Lequel "
                "choisiriez-vous avec un emploi à plein temps ?",
                [
                    "la licence pro en alternance à Nantes",
                    "le BTS du lycée voisin",
                    "OpenClassrooms en ligne",
                    "un titre pro à l'AFPA",
                ],
            ),
            (
                "Tenemos tres opciones: el piso del centro, la casa de los abuelos o un "
                "apartamento junto al mar que alquila una amiga de mi madre. ¿Cuál os "
                "parece mejor?",
                [
                    "el piso del centro",
                    "la casa de los abuelos",
                    "un apartamento junto al mar que alquila una amiga de mi madre",
                ],
            ),
        ],
    )
    def test_phrases_are_options(self, text: str, wanted: list[str]) -> None:
        assert listed(text) == wanted

    def test_a_long_last_item_of_bare_names_stays_silent(self) -> None:
        text = (
            "Wir haben angeschaut: Lyon, Genf und die kleine Stadt am See, die uns ein "
            "Freund gezeigt hat. Welche ist am günstigsten?"
        )
        assert listed(text) == []
