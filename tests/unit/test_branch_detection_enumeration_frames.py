"""Enumerations read by their structure: a list put after the question that asks to pick
from it, a list a colon opens and a question mark closes, a list ending a statement
that the next sentence asks about, Markdown lists opened by "between:", and the lists
that offer nothing to pick (what to compare on, what was checked)."""

from __future__ import annotations

import pytest

from chatroutes.server.domain.branch_detection import detect


def found(text: str) -> list[tuple[str, str]]:
    """(family, span text) of each suggestion, in text order."""
    suggestions = sorted(detect(text, count=10).suggestions, key=lambda s: s.start)
    return [(s.kind, text[s.start : s.end]) for s in suggestions]


def items(text: str) -> list[str]:
    return [span for kind, span in found(text) if kind == "enumeration"]


class TestInlineLists:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "For our new office chairs, which is comfiest, Aeron, Leap, Embody?",
                ["Aeron", "Leap", "Embody"],
            ),
            (
                "Pour débuter en photo, lequel est le plus simple, Canon, Nikon, Fujifilm ?",
                ["Canon", "Nikon", "Fujifilm"],
            ),
            (
                "Para aprender a programar, cuál es mejor, Python, JavaScript, Ruby?",
                ["Python", "JavaScript", "Ruby"],
            ),
            (
                "Für den Garten, welches Holz ist am robustesten, Bambus, Eiche, Lärche?",
                ["Bambus", "Eiche", "Lärche"],
            ),
        ],
    )
    def test_a_list_after_the_question_that_asks_to_pick(self, text, wanted):
        assert items(text) == wanted

    @pytest.mark.parametrize(
        "text",
        [
            "editor for a small team: vim, emacs, vscode?",
            "éditeur pour une petite équipe : vim, emacs, vscode ?",
            "editor para un equipo pequeño: vim, emacs, vscode?",
            "Editor für ein kleines Team: vim, emacs, vscode?",
        ],
    )
    def test_a_colon_list_closed_by_a_question_mark(self, text):
        assert items(text) == ["vim", "emacs", "vscode"]

    @pytest.mark.parametrize(
        "text",
        [
            "Can you help with: the login, the export, the billing page?",
            "Peux-tu m'aider avec : la connexion, l'export, la facturation ?",
            "Our stack: Django, Postgres, Redis? Anyway, how do I add caching?",
        ],
    )
    def test_a_colon_list_of_requests_or_context_is_no_choice(self, text):
        assert items(text) == []

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "cities we could live in: lisbon, porto, braga. which one has the best schools",
                ["lisbon", "porto", "braga"],
            ),
            (
                "villes possibles : lisbonne, porto, braga. laquelle a les meilleures écoles",
                ["lisbonne", "porto", "braga"],
            ),
            (
                "ciudades posibles: lisboa, oporto, braga. cuál tiene mejores colegios",
                ["lisboa", "oporto", "braga"],
            ),
            (
                "mögliche Städte: Lissabon, Porto, Braga. welche hat die besten Schulen",
                ["Lissabon", "Porto", "Braga"],
            ),
        ],
    )
    def test_a_colon_list_asked_about_without_a_question_mark(self, text, wanted):
        assert items(text) == wanted

    def test_which_is_why_asks_nothing(self):
        text = "cities we could live in: lisbon, porto, braga. which is why we are learning it"
        assert items(text) == []

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "I've looked at a pottery class, a writing workshop and a yoga retreat. Which "
                "would help me unwind most?",
                ["a pottery class", "a writing workshop", "a yoga retreat"],
            ),
            (
                "j'ai repéré un cours de poterie, un atelier d'écriture et une retraite de yoga. "
                "lequel me détendrait le plus ?",
                ["un cours de poterie", "un atelier d'écriture", "une retraite de yoga"],
            ),
            (
                "he visto un curso de cerámica, un taller de escritura y un retiro de yoga. cuál "
                "me relajaría más?",
                ["un curso de cerámica", "un taller de escritura", "un retiro de yoga"],
            ),
            (
                "In der Stadt gibt es einen Töpferkurs, einen Schreibworkshop und ein "
                "Yoga-Wochenende. Welches würde mich am besten entspannen?",
                ["einen Töpferkurs", "einen Schreibworkshop", "ein Yoga-Wochenende"],
            ),
        ],
    )
    def test_a_list_ending_a_statement_then_asked_which(self, text, wanted):
        assert items(text) == wanted

    def test_a_list_ending_a_statement_then_asked_something_else(self):
        text = (
            "I went to a pottery class, a writing workshop and a yoga retreat. How do I pick "
            "the next hobby?"
        )
        assert items(text) == []


class TestMarkdownLists:
    @pytest.mark.parametrize(
        "intro",
        [
            "For the frontend I keep going back and forth between:",
            "Pour le frontend j'hésite entre :",
            "Para el frontend dudo entre:",
            "Fürs Frontend schwanke ich zwischen:",
        ],
    )
    def test_a_list_opened_by_between(self, intro):
        text = f"{intro}\n\n1. Next.js\n2. SvelteKit\n3. Astro\n\nWhich fits a one-month MVP?"
        assert items(text) == ["Next.js", "SvelteKit", "Astro"]

    def test_a_name_that_starts_like_a_sequence_word_is_no_step(self):
        text = "Our options:\n- Next.js\n- Remix\nWhich would you pick?"
        assert items(text) == ["Next.js", "Remix"]

    def test_a_noun_named_like_a_request_hands_nothing_over(self):
        text = (
            "For the rewrite our team came up with these approaches:\n\n"
            "- Port everything to the new API\n- Use the official SDK\n\n"
            "Which path would you choose?"
        )
        assert items(text) == ["Port everything to the new API", "Use the official SDK"]

    @pytest.mark.parametrize(
        "intro",
        [
            "I'd like a straight comparison from someone technical:",
            "J'aimerais une comparaison honnête :",
            "Me gustaría una comparación sincera:",
            "Ich hätte gern einen ehrlichen Vergleich:",
        ],
    )
    def test_a_comparison_asked_on_criteria_offers_no_pick(self, intro):
        text = f"{intro}\n- freshness of data\n- cost on our side\n- setup effort\n\nThanks."
        assert items(text) == []

    def test_things_to_compare_asked_to_pick_from(self):
        text = "Compare these for me:\n- Postgres\n- MySQL\n- SQLite\nWhich fits a small team?"
        assert items(text) == ["Postgres", "MySQL", "SQLite"]

    @pytest.mark.parametrize(
        "intro",
        [
            "What I checked:",
            "Ce que j'ai vérifié :",
            "Lo que he comprobado:",
            "Was ich geprüft habe:",
        ],
    )
    def test_what_was_checked_is_context(self, intro):
        text = (
            f"My script leaks memory.\n\n{intro}\n- no global caches\n- one session per call\n"
            "- the pool size\n\nHow would you restructure the client?"
        )
        assert items(text) == []


class TestListsAskedAboutNearby:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Where should we hold the offsite? The candidates are Porto, Braga and Faro.",
                ["Porto", "Braga", "Faro"],
            ),
            (
                "Quelle ville choisir pour le séminaire ? Les options sont Porto, Braga et Faro.",
                ["Porto", "Braga", "Faro"],
            ),
            (
                "¿Qué ciudad elegimos para el retiro? Las opciones son Oporto, Braga y Faro.",
                ["Oporto", "Braga", "Faro"],
            ),
            (
                "Welche Stadt nehmen wir für die Klausur? Zur Wahl sind Porto, Braga und Faro.",
                ["Porto", "Braga", "Faro"],
            ),
        ],
    )
    def test_a_list_named_after_the_question_it_answers(self, text, wanted):
        assert items(text) == wanted

    def test_a_statement_after_a_request_is_no_list(self):
        text = (
            "Can you recommend a board game that's easy to teach? Our kids are 7 and 9 and "
            "they get bored fast."
        )
        assert items(text) == []

    @pytest.mark.parametrize(
        "text",
        [
            "shortlist: Chart.js, ECharts, Recharts. it's a React app. which one would you "
            "go with?",
            "short-list : Chart.js, ECharts, Recharts. C'est une appli React. Laquelle est la "
            "plus rapide ?",
            "Lista corta: Chart.js, ECharts, Recharts. Es una app React. ¿Cuál me recomiendas?",
            "Auswahl: Chart.js, ECharts, Recharts. Es ist eine React-App. Welche würdest du "
            "nehmen?",
        ],
    )
    def test_a_colon_list_asked_about_two_sentences_later(self, text):
        assert items(text) == ["Chart.js", "ECharts", "Recharts"]

    def test_longer_items_after_a_word_for_options(self):
        text = (
            "Shortlist: behind the scenes at the studio, customer stories, short how-to guides. "
            "Which one would you run?"
        )
        assert items(text) == [
            "behind the scenes at the studio",
            "customer stories",
            "short how-to guides",
        ]
