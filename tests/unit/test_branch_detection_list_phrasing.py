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


class TestAskedFurtherOn:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "I've narrowed it down to Kotlin, Swift and Flutter. Our team is three "
                "people, mostly backend. Which one would you start with?",
                ["Kotlin", "Swift", "Flutter"],
            ),
            (
                "Necesito un coche pequeño. Tengo en la cabeza el Ibiza (barato, 15.000 €), "
                "un Clio de segunda mano y el Corsa eléctrico. Hago unos 40 km al día. ¿Y "
                "tú por cuál te decidirías?",
                ["el Ibiza", "un Clio de segunda mano", "el Corsa eléctrico"],
            ),
            (
                "Pour le cadeau de ma sœur, j'ai noté : un massage, un cours de cuisine, un "
                "bon pour un concert. Elle a 30 ans. Et vous, lequel est le plus original ?",
                ["un massage", "un cours de cuisine", "un bon pour un concert"],
            ),
            (
                "Im Gartencenter gab es einen Apfelbaum, einen Kirschbaum und eine Hecke. "
                "Der Boden ist eher lehmig. Für welche würdest du dich entscheiden?",
                ["einen Apfelbaum", "einen Kirschbaum", "eine Hecke"],
            ),
        ],
    )
    def test_a_list_asked_about_a_sentence_or_two_later(self, text: str, wanted: list[str]) -> None:
        assert listed(text) == wanted

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "for the office party I'm weighing a karaoke night, a bowling lane or a "
                "wine tasting. pick one?",
                ["a karaoke night", "a bowling lane", "a wine tasting"],
            ),
            (
                "Para el finde me apetece una ruta en bici, una cata de vino o un spa. ¿Elige una?",
                ["una ruta en bici", "una cata de vino", "un spa"],
            ),
        ],
    )
    def test_a_list_then_asked_to_pick_one(self, text: str, wanted: list[str]) -> None:
        assert listed(text) == wanted

    @pytest.mark.parametrize(
        "text",
        [
            "I tried a sauna, a cold plunge and a massage. How do I sleep better?",
            "Late May, two kids, small budget. Which coast is warmer then?",
            "We use Postgres, Redis and Celery. Which logging library should we add?",
        ],
    )
    def test_a_context_list_then_a_new_question_stays_silent(self, text: str) -> None:
        assert listed(text) == []


class TestNumberedAndLinedLists:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Pour la fête de l'école, trois propositions : 1) une kermesse, 2) un "
                "spectacle, 3) un pique-nique géant. Les parents sont partagés. Vous "
                "feriez quoi ?",
                ["une kermesse", "un spectacle", "un pique-nique géant"],
            ),
            (
                "Para la cena de fin de año hay varias propuestas: 1) un restaurante "
                "indio, 2) una barbacoa en casa de Luis, 3) pizzas en la oficina.",
                ["un restaurante indio", "una barbacoa en casa de Luis", "pizzas en la oficina"],
            ),
            (
                "Für das Sommerfest gibt es zwei Vorschläge: 1) Grillen im Park, 2) "
                "Bootsfahrt auf dem See. Was meint ihr?",
                ["Grillen im Park", "Bootsfahrt auf dem See"],
            ),
        ],
    )
    def test_proposals_numbered_inline(self, text: str, wanted: list[str]) -> None:
        assert listed(text) == wanted

    def test_a_which_line_without_question_mark_asks(self) -> None:
        text = (
            "Looking for a running app before a 10k race. Friends told me about:\n"
            "- Strava\n- Runna\n- Nike Run Club\n"
            "Which one for a total beginner"
        )
        assert listed(text) == ["Strava", "Runna", "Nike Run Club"]

    def test_a_statement_line_after_a_list_asks_nothing(self) -> None:
        text = (
            "Apps my friends use:\n- Strava\n- Runna\n- Nike Run Club\n"
            "Most of them run twice a week"
        )
        assert listed(text) == []

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Which would you go for? Some background: 40, nurse, renting, no debt.\n\n"
                "- **Buy a flat now** with a small deposit\n"
                "- **Keep renting** and invest the difference\n",
                ["Buy a flat now", "Keep renting"],
            ),
        ],
    )
    def test_a_context_sentence_that_does_not_open_the_list(
        self, text: str, wanted: list[str]
    ) -> None:
        assert [w.split("**")[0] for w in listed(text)] == wanted

    def test_context_that_opens_the_list_stays_silent(self) -> None:
        text = (
            "Which laptop should I get? Some context:\n\n"
            "- I edit video twice a week\n- I travel a lot\n"
        )
        assert listed(text) == []
