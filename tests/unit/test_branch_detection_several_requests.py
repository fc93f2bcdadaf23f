"""Several requests in one message: numbered lists of separate matters, questions the
writer answers, polite openers, and the other constructions that tell requests apart."""

from __future__ import annotations

import pytest

from chatroutes.server.domain.branch_detection import detect


def requests(text: str) -> list[str]:
    """The several-request suggestions of ``text``, in text order."""
    found = sorted(detect(text, count=10).suggestions, key=lambda s: s.start)
    return [text[s.start : s.end] for s in found if s.kind == "multi_intent"]


class TestListOfSeparateMatters:
    """A numbered list whose lines each bring a matter of their own: a question, a wish,
    a problem as it stands, or a bare order beside two that ask."""

    @pytest.mark.parametrize(
        "text",
        [
            "Hello,\n\n1) Restore the deleted project.\n2) I want the March invoice "
            "corrected.\n3) Why was the admin role removed from my account?\n\nThanks",
            "Bonjour,\n\n1. Les rappels par e-mail ne partent plus depuis lundi.\n2. "
            "Comment ajouter un deuxième administrateur ?\n3. Je veux changer la carte de "
            "paiement.\n\nMerci",
            "Hola:\n1. ¿Dónde descargo el historial de pagos?\n2. El calendario compartido "
            "dejó de actualizarse ayer.\n3. Quiero cambiar el nombre de la empresa en las "
            "facturas.",
            "Hallo,\n\n1. Die Benachrichtigungen kommen nicht mehr an.\n2. Wie lege ich "
            "einen zweiten Admin an?\n3. Ich möchte die Rechnungsadresse ändern.\n\nDanke",
        ],
    )
    def test_each_line_is_a_request(self, text):
        assert len(requests(text)) == 3

    @pytest.mark.parametrize(
        "text",
        [
            # steps already taken, then one question: symptoms of one problem
            "What I did so far:\n1. Restarted the laptop\n2. Reinstalled the driver\n3. "
            "Tried another cable\n\nWhat else could I check?",
            # the options of one choice
            "Pour le dîner je pense à :\n1. des lasagnes\n2. un curry\n3. une quiche\n\n"
            "Lequel est le plus rapide ?",
            # one line asks, the others are plain facts
            "Datos de la cuenta:\n1. Plan Pro desde enero\n2. Tres usuarios activos\n3. "
            "¿Puedo pasar al plan anual?",
        ],
    )
    def test_a_list_that_is_not_several_requests(self, text):
        assert len(requests(text)) < 3
