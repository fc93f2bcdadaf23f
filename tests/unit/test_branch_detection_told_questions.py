"""Comparisons asked as what the writer does not know ("I don't get what X means
compared to Y"): an indirect question is a question, in every language; a stated
comparison beside a doubt about something else stays silent."""

from __future__ import annotations

import pytest

from tests.unit.test_branch_detection_comparisons import sides


def two_sides(text: str) -> tuple[str, str]:
    """The spans of the two comparison suggestions found, in text order."""
    found = sides(text)
    assert len(found) == 2, found
    return found[0], found[1]


@pytest.mark.parametrize(
    ("text", "first", "second"),
    [
        (
            "I don't really get what a lease means in comparison to a rental agreement for my "
            "deposit.",
            "a lease",
            "a rental agreement",
        ),
        (
            "Ich versteh nicht so ganz, was ein Leasing im Vergleich zu einem Kredit für meine "
            "Steuer bedeutet.",
            "ein Leasing",
            "einem Kredit",
        ),
        (
            "Je ne comprends pas ce que vaut un livret A par rapport à une assurance-vie sur "
            "dix ans.",
            "un livret",
            "une assurance-vie",
        ),
        (
            "No entiendo qué supone un contrato fijo frente a un contrato temporal para el paro.",
            "un contrato fijo",
            "un contrato temporal",
        ),
    ],
)
def test_comparison_asked_as_what_one_does_not_know(text: str, first: str, second: str) -> None:
    left, right = two_sides(text)
    assert first in left
    assert right.startswith(second)


@pytest.mark.parametrize(
    "text",
    [
        # the doubt asks nothing of the comparison beside it
        "I'm not sure we did well compared to our rivals, but that's over now.",
        "Sales are up compared to last year, and I don't get why.",
        "Le chiffre est en hausse par rapport à l'an dernier et je ne sais pas trop.",
        "Die Preise sind im Vergleich zum Vorjahr gestiegen, ich weiß nicht.",
        "Las ventas suben frente al año pasado, no sé.",
    ],
)
def test_stated_comparison_beside_a_doubt(text: str) -> None:
    assert sides(text) == []


@pytest.mark.parametrize(
    ("text", "first", "second"),
    [
        (
            "I'm trying to figure out if a yearly pass is actually better than single tickets "
            "given I might move.",
            "a yearly pass",
            "single tickets",
        ),
        ("I wonder if the train is cheaper than the bus for this trip.", "the train", "the bus"),
        ("Je ne sais pas si le train est moins cher que l'avion pour ce trajet.", "le train", "l'"),
        ("No sé si el tren es más barato que el avión para este viaje.", "el tren", "el avión"),
        ("Ich weiß nicht, ob der Zug günstiger ist als das Flugzeug.", "der Zug", "das Flugzeug"),
    ],
)
def test_comparative_in_an_embedded_question(text: str, first: str, second: str) -> None:
    left, right = two_sides(text)
    assert first in left
    assert right.startswith(second)


@pytest.mark.parametrize(
    "text",
    [
        "We'll see if it's better than last time.",
        "I don't know if he is taller than his brother, it doesn't matter.",
    ],
)
def test_embedded_comparative_with_no_sides_to_choose(text: str) -> None:
    assert sides(text) == []


@pytest.mark.parametrize(
    ("text", "first", "second"),
    [
        # an adverb between the cue and the sides is no side
        (
            "¿En qué se diferencian de verdad un contrato fijo y un contrato temporal?",
            "un contrato fijo",
            "un contrato temporal",
        ),
        (
            "Worin unterscheiden sich eigentlich ein Mietvertrag und ein Leasingvertrag?",
            "ein Mietvertrag",
            "ein Leasingvertrag",
        ),
        ("What's really the difference between a lease and a loan?", "a lease", "a loan"),
        ("Quelle est vraiment la différence entre un CDI et un CDD ?", "un CDI", "un CDD"),
        # the gerund of "compare", in Spanish as in English
        ("Estoy comparando Holded con Quipu. ¿Cuál me compensa más?", "Holded", "Quipu"),
        ("I'm comparing Holded with Quipu. Which one is cheaper?", "Holded", "Quipu"),
    ],
)
def test_sides_of_a_comparison_cue(text: str, first: str, second: str) -> None:
    left, right = two_sides(text)
    assert left.startswith(first)
    assert right.startswith(second)


@pytest.mark.parametrize(
    "text",
    [
        "Estuve comparando Holded con Quipu y al final elegí Quipu.",
        "I was comparing Holded with Quipu and in the end I chose Quipu.",
    ],
)
def test_comparison_of_a_choice_already_made(text: str) -> None:
    assert sides(text) == []
