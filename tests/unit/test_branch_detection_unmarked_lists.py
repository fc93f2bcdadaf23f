"""Lists of alternatives with no "and" or "or" between their items: parted by commas
after a colon, by semicolons, by spaced slashes, by inline numbers, opened by "among"
or by "there are", and asked to pick from; and the lists that stay silent."""

from __future__ import annotations

import pytest

from chatroutes.server.domain.branch_detection import detect


def listed(text: str) -> list[str]:
    """The span text of each enumeration option, in text order."""
    found = sorted(detect(text, count=10).suggestions, key=lambda s: s.start)
    return [text[s.start : s.end] for s in found if s.kind == "enumeration"]


class TestParallelPhrasesAfterAColon:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "For our anniversary I have three ideas: a picnic by the lake at dusk, a night "
                "in a cabin, a cooking class for us both. Which sounds most romantic?",
                [
                    "a picnic by the lake at dusk",
                    "a night in a cabin",
                    "a cooking class for us both",
                ],
            ),
            (
                "Pour la fête de ma sœur je pense à : un brunch dans le jardin, une sortie au "
                "musée d'art moderne, un atelier de poterie à deux. Lequel te semble le mieux ?",
                [
                    "un brunch dans le jardin",
                    "une sortie au musée d'art moderne",
                    "un atelier de poterie à deux",
                ],
            ),
            (
                "Para el puente estoy mirando: una casa rural en los Pirineos, un hotel junto "
                "al mar, unos días en casa de mis tíos. ¿Cuál elegirías?",
                [
                    "una casa rural en los Pirineos",
                    "un hotel junto al mar",
                    "unos días en casa de mis tíos",
                ],
            ),
            (
                "Zum Geburtstag überlege ich: ein Abendessen im neuen Restaurant, ein Wochenende "
                "an der Ostsee, einen Kletterkurs für uns beide. Welche Idee ist am schönsten?",
                [
                    "ein Abendessen im neuen Restaurant",
                    "ein Wochenende an der Ostsee",
                    "einen Kletterkurs für uns beide",
                ],
            ),
        ],
    )
    def test_long_items_of_one_shape_are_options(self, text: str, wanted: list[str]) -> None:
        assert listed(text) == wanted

    def test_long_items_of_mixed_shapes_stay_silent(self) -> None:
        text = (
            "Here is my morning: coffee with too much sugar in it, I check the news on my "
            "phone, then the bus to work. Which habit should I drop first?"
        )
        assert listed(text) == []


class TestOtherSeparators:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Desserts we might bake: a lemon tart; brownies, the fudgy kind; a plum "
                "crumble. Which is easiest for a beginner?",
                ["a lemon tart", "brownies, the fudgy kind", "a plum crumble"],
            ),
            (
                "J'hésite entre : un vélo de route ; un VTT, plutôt léger ; un vélo "
                "électrique. Lequel me conseilles-tu ?",
                ["un vélo de route", "un VTT, plutôt léger", "un vélo électrique"],
            ),
            (
                "Estoy considerando: un curso de inglés; clases de guitarra, las del "
                "jueves; un gimnasio. ¿Cuál me recomiendas?",
                ["un curso de inglés", "clases de guitarra, las del jueves", "un gimnasio"],
            ),
            (
                "Wir schwanken zwischen: einem Zelt; einem Wohnmobil, gemietet; einer "
                "Ferienwohnung. Welche Variante ist günstiger?",
                ["einem Zelt", "einem Wohnmobil, gemietet", "einer Ferienwohnung"],
            ),
        ],
    )
    def test_semicolons_part_items_that_hold_commas(self, text: str, wanted: list[str]) -> None:
        assert listed(text) == wanted

    def test_one_semicolon_still_ends_the_list(self) -> None:
        text = (
            "We're considering Lisbon, Porto and Faro; the flights are cheap in May. "
            "Which city suits a family of four?"
        )
        assert listed(text) == ["Lisbon", "Porto", "Faro"]

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Building a new deck. Candidates: Ironclaw / Mistveil / Sunreaver. My other "
                "cards lean aggressive.",
                ["Ironclaw", "Mistveil", "Sunreaver"],
            ),
            (
                "Je cherche un nom pour le chat. Options : Pixel / Miso / Caramel. Il est tout "
                "roux.",
                ["Pixel", "Miso", "Caramel"],
            ),
            (
                "Necesito un portátil nuevo. Candidatos: Aurora / Borealis / Cenit. Lo uso "
                "para programar.",
                ["Aurora", "Borealis", "Cenit"],
            ),
            (
                "Wir brauchen einen Teamnamen. Kandidaten: Falken / Wölfe / Kometen. Wir "
                "spielen donnerstags.",
                ["Falken", "Wölfe", "Kometen"],
            ),
        ],
    )
    def test_slashes_after_a_word_naming_candidates(self, text: str, wanted: list[str]) -> None:
        assert listed(text) == wanted

    def test_slashes_in_a_plain_statement_stay_silent(self) -> None:
        text = "My setup: Debian / Sway / Neovim. It boots fast and I like it."
        assert listed(text) == []


class TestListsOpenedByTheirFrame:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Which note-taking app for a student, among Quillpad, Notara, Inkwise?",
                ["Quillpad", "Notara", "Inkwise"],
            ),
            (
                "Quelle banque en ligne choisir parmi Orbe, Tilia, Nacre ?",
                ["Orbe", "Tilia", "Nacre"],
            ),
            (
                "¿Qué raza de perro para un piso pequeño entre Carlino, Bichón, Teckel?",
                ["Carlino", "Bichón", "Teckel"],
            ),
            (
                "Welches Brettspiel für vier Leute unter Azulejo, Kartograph, Flügelschlag?",
                ["Azulejo", "Kartograph", "Flügelschlag"],
            ),
        ],
    )
    def test_among_opens_the_set_asked_from(self, text: str, wanted: list[str]) -> None:
        assert listed(text) == wanted

    @pytest.mark.parametrize(
        "text",
        [
            "What is the difference between a Roth IRA and a 401k, if I change jobs often?",
            "Was ist der Unterschied zwischen Miete und Leasing, wenn ich oft umziehe?",
            "¿Quién no ha dudado entre quedarse o irse, verdad?",
        ],
    )
    def test_a_pair_after_between_is_no_list(self, text: str) -> None:
        assert listed(text) == []

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Which herb grows on a dark balcony? At the market there were basil, mint, "
                "chives, parsley.",
                ["basil", "mint", "chives", "parsley"],
            ),
            (
                "Quel fromage pour la raclette ? Au marché il y avait morbier, comté, "
                "reblochon, tomme.",
                ["morbier", "comté", "reblochon", "tomme"],
            ),
            (
                "¿Qué pan para las tostadas? En la panadería hay centeno, espelta, chapata, "
                "hogaza.",
                ["centeno", "espelta", "chapata", "hogaza"],
            ),
            (
                "Welcher Tee hilft beim Einschlafen? Im Laden gab es Melisse, Lavendel, "
                "Kamille, Baldrian.",
                ["Melisse", "Lavendel", "Kamille", "Baldrian"],
            ),
        ],
    )
    def test_what_there_is_after_a_which_question(self, text: str, wanted: list[str]) -> None:
        assert listed(text) == wanted

    def test_what_there_is_without_a_question_stays_silent(self) -> None:
        text = "At the market there were basil, mint, chives, parsley. I bought them all."
        assert listed(text) == []


class TestNumberedInsideASentence:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "For the garden we narrowed it down to 1. a herb spiral 2. a small pond "
                "3. raised beds. Which one would you build first?",
                ["a herb spiral", "a small pond", "raised beds"],
            ),
            (
                "Pour le week-end on hésite entre 1. Lyon 2. Annecy 3. Dijon. Laquelle est la "
                "plus jolie en hiver ?",
                ["Lyon", "Annecy", "Dijon"],
            ),
            (
                "Para la cena tengo estas opciones 1) una paella 2) unas croquetas 3) un "
                "guiso. ¿Cuál es más fácil?",
                ["una paella", "unas croquetas", "un guiso"],
            ),
            (
                "Zur Auswahl stehen 1. ein Fahrrad 2. ein Roller 3. ein Monatsticket. Was "
                "würdest du nehmen?",
                ["ein Fahrrad", "ein Roller", "ein Monatsticket"],
            ),
        ],
    )
    def test_inline_numbers_part_alternatives(self, text: str, wanted: list[str]) -> None:
        assert listed(text) == wanted

    @pytest.mark.parametrize(
        "text",
        [
            "To reset it: 1. unplug the router 2. wait a minute 3. plug it back in. Then call me.",
            "Mes questions : 1. combien ça coûte ? 2. c'est long ? Merci.",
            "Ayer hice 1. la compra 2. la colada 3. la cena. Estoy agotada.",
        ],
    )
    def test_steps_questions_and_done_things_stay_silent(self, text: str) -> None:
        assert listed(text) == []


class TestCriteriaOfANamedPair:
    @pytest.mark.parametrize(
        "text",
        [
            "Could you compare Trello vs Asana for a team of five? What matters to us:\n\n"
            "- price per seat\n- how easy the mobile app is\n- integrations with Slack\n",
            "Peux-tu comparer Ionos et OVH pour un petit site ? Ce qui compte pour moi :\n\n"
            "- le prix\n- le support en français\n- la facilité de migration\n",
            "¿Me comparas Holded con Quipu para un autónomo? Lo que me importa:\n\n"
            "- el precio\n- la app del móvil\n- la conexión con el banco\n",
            "Kannst du Nextcloud mit Dropbox vergleichen? Mir ist wichtig:\n\n"
            "- Datenschutz\n- Preis pro Nutzer\n- die Handy-App\n",
        ],
    )
    def test_the_list_is_what_to_weigh_them_on(self, text: str) -> None:
        assert listed(text) == []

    def test_options_listed_after_a_compare_request_still_count(self) -> None:
        text = (
            "Can you compare the hosting plans we were offered? Which of these fits best:\n\n"
            "- the shared plan\n- the small VPS\n- the managed cloud plan\n"
        )
        assert listed(text) == ["the shared plan", "the small VPS", "the managed cloud plan"]


class TestTheSameCueInEachLanguage:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "For the club trip the options: Snowdonia, the Peak District, the Lakes. We "
                "leave from Leeds with twelve people.",
                ["Snowdonia", "the Peak District", "the Lakes"],
            ),
            (
                "Pour la sortie du club, au choix : Étretat, la baie de Somme, Honfleur. On "
                "part de Rouen à douze.",
                ["Étretat", "la baie de Somme", "Honfleur"],
            ),
            (
                "Para la excursión del club, para elegir: Cuenca, Teruel, Albarracín. Salimos "
                "de Valencia doce personas.",
                ["Cuenca", "Teruel", "Albarracín"],
            ),
            (
                "Für den Vereinsausflug stehen zur Wahl: Rügen, Usedom, der Darß. Wir fahren "
                "mit zwölf Leuten ab Berlin.",
                ["Rügen", "Usedom", "der Darß"],
            ),
        ],
    )
    def test_a_word_naming_the_choice_opens_the_list(self, text: str, wanted: list[str]) -> None:
        assert listed(text) == wanted

    @pytest.mark.parametrize(
        "text",
        [
            "Which trail would you pick if it rains all week, and which in good weather?",
            "Quel sentier choisir s'il pleut toute la semaine, et lequel par beau temps ?",
            "¿Qué ruta elegirías si llueve toda la semana, y cuál con buen tiempo?",
            "Welche Route würdest du empfehlen, wenn es die ganze Woche regnet, und welche "
            "bei gutem Wetter?",
        ],
    )
    def test_a_second_which_joined_by_and_is_no_list(self, text: str) -> None:
        assert listed(text) == []


class TestConsideringInEachLanguage:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "We're considering Lisbon, Prague and Krakow. Which fits a team of twelve?",
                ["Lisbon", "Prague", "Krakow"],
            ),
            (
                "On envisage Lisbonne, Prague et Cracovie. Laquelle convient à une équipe de "
                "douze ?",
                ["Lisbonne", "Prague", "Cracovie"],
            ),
            (
                "Estamos considerando Lisboa, Praga y Cracovia. ¿Cuál va mejor para un equipo "
                "de doce?",
                ["Lisboa", "Praga", "Cracovia"],
            ),
            (
                "Wir überlegen Lissabon, Prag und Krakau. Welche passt zu einem Team von zwölf?",
                ["Lissabon", "Prag", "Krakau"],
            ),
        ],
    )
    def test_considered_then_asked(self, text: str, wanted: list[str]) -> None:
        assert listed(text) == wanted

    @pytest.mark.parametrize(
        "text",
        [
            "We're considering Lisbon, Prague and Krakow for the offsite next spring.",
            "On envisage Lisbonne, Prague et Cracovie pour le séminaire du printemps.",
            "Estamos considerando Lisboa, Praga y Cracovia para el viaje de primavera.",
            "Wir überlegen Lissabon, Prag und Krakau für den Ausflug im Frühling.",
        ],
    )
    def test_considered_without_a_question_stays_silent(self, text: str) -> None:
        assert listed(text) == []
