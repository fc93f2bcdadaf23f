"""The request segmenter: units and their form, intents and their topics, and the
several requests it finds through the detector."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatroutes.server.domain.branch_detection import detect
from chatroutes.server.domain.branch_detection.requests import (
    _ASK_FRAME,
    _ASK_WORDS,
    ASK,
    CONTEXT,
    COUNTED,
    PROBLEM,
    QUESTION,
    TRANSITION,
    _counted,
    intents,
    segments,
)
from chatroutes.server.domain.branch_detection.text import _words, masked, sentences

DATA = Path(__file__).resolve().parent.parent / "data"


def units(text: str) -> list[tuple[str, str]]:
    """Each unit of ``text``: its form and its words."""
    scan = masked(text)
    return [(u.form, text[u.start : u.end]) for u in segments(scan, sentences(scan))]


def requests(text: str) -> list[str]:
    """The text of the first unit of each intent."""
    scan = masked(text)
    return [text[i.lead.start : i.lead.end] for i in intents(segments(scan, sentences(scan)))]


def spans(text: str) -> list[str]:
    """The several-request suggestions of ``text``, in text order."""
    found = sorted(detect(text, count=10).suggestions, key=lambda s: s.start)
    return [text[s.start : s.end] for s in found if s.kind == "multi_intent"]


class TestUnits:
    @pytest.mark.parametrize(
        ("text", "form"),
        [
            ("How long does fresh pasta keep in the fridge?", QUESTION),
            ("Could you check the spelling in my letter?", QUESTION),
            ("Please send me the receipt for May.", ASK),
            ("Translate this paragraph into Spanish.", ASK),
            ("The export button does nothing since the update.", PROBLEM),
            ("We moved to a new office in March.", CONTEXT),
            ("Thanks a lot for your help!", CONTEXT),
            ("Combien de temps faut-il pour recevoir la carte ?", QUESTION),
            ("J'aimerais changer l'adresse de livraison.", ASK),
            ("Le lien de paiement ne marche plus.", PROBLEM),
            ("¿Cuánto cuesta el envío a Canarias?", QUESTION),
            ("¿Me explicas de qué trata el libro?", QUESTION),
            ("Necesito una factura con mi NIF.", ASK),
            ("La aplicación no abre desde ayer.", PROBLEM),
            ("Wie lange dauert die Lieferung nach Wien?", QUESTION),
            ("Ich brauche eine Kopie meines Vertrags.", ASK),
            ("Der Login funktioniert nicht mehr.", PROBLEM),
        ],
    )
    def test_each_sentence_is_read_for_its_form(self, text, form):
        assert units(text) == [(form, text.strip(" .?!¿"))]

    def test_a_clause_after_and_also_is_a_unit_of_its_own(self):
        text = "I need help with my invoice and also have a question about the API."
        assert units(text) == [
            (ASK, "I need help with my invoice"),
            (ASK, "have a question about the API"),
        ]

    def test_and_between_two_nouns_cuts_nothing(self):
        text = "Can you suggest a side dish for salt and pepper squid?"
        assert len(units(text)) == 1

    @pytest.mark.parametrize(
        "text",
        [
            "Le site est lent, et ensuite je ne trouve pas le bouton pour exporter mes notes.",
            "La web va lenta y además no encuentro dónde descargar mis recibos.",
            "Die Seite lädt langsam und außerdem finde ich den Export nicht mehr.",
        ],
    )
    def test_a_transition_opens_a_clause_in_french_spanish_and_german(self, text):
        found = units(text)
        assert len(found) == 2
        assert segments(masked(text), sentences(masked(text)))[1].opener == TRANSITION

    @pytest.mark.parametrize(
        ("text", "items"),
        [
            (
                "Pourrais-tu (a) relire mon résumé, (b) trouver un titre pour l'affiche et "
                "(c) proposer une date pour la réunion ?",
                3,
            ),
            ("¿Puedes 1) revisar mi presupuesto y 2) buscar un vuelo barato a Lisboa?", 2),
            ("Kannst du a) den Bericht kürzen und b) eine Einladung zum Grillfest schreiben?", 2),
        ],
    )
    def test_items_lettered_inside_a_sentence_are_set_apart(self, text, items):
        found = segments(masked(text), sentences(masked(text)))
        marked = [u for u in found if u.opener == TRANSITION]
        assert len(marked) == items - 1
        assert all(u.inside for u in marked)

    def test_lettered_items_joined_by_or_are_one_unit(self):
        text = "Should I (a) sell the old piano or (b) give it to the school?"
        assert len(units(text)) == 1

    @pytest.mark.parametrize(
        "text",
        [
            "Two things. First, the app shows last month's balance on the home screen.",
            "Deux choses. D'abord, la page d'accueil affiche le solde du mois dernier.",
            "Dos cosas. Primero, la página principal muestra el saldo del mes pasado.",
            "Zwei Dinge. Erstens, die Startseite zeigt den Kontostand vom letzten Monat.",
        ],
    )
    def test_an_item_counted_and_opened_by_an_ordinal_is_a_matter_of_its_own(self, text):
        assert [form for form, _ in units(text)][-1] == PROBLEM

    def test_a_step_the_writer_took_after_a_count_is_no_matter_of_its_own(self):
        text = "Two things I did. First, I reinstalled the driver on the office laptop."
        assert [form for form, _ in units(text)][-1] == CONTEXT

    def test_a_topic_switch_makes_a_statement_a_matter_of_its_own(self):
        text = "Please fix the typo on our About page. Separately, our logo looks blurry."
        assert [form for form, _ in units(text)] == [ASK, PROBLEM]
        aside = "Please fix the typo on our About page. Also, we moved offices in May."
        assert [form for form, _ in units(aside)] == [ASK, CONTEXT]

    def test_a_question_answered_at_once_is_rhetorical(self):
        text = "Who enjoys filing taxes? Nobody. How do I claim my home office?"
        assert units(text)[0] == (CONTEXT, "Who enjoys filing taxes")


class TestIntents:
    def test_several_sentences_about_one_need_are_one_intent(self):
        text = "My invoice is wrong. It shows 3 seats. We have 2. Can you fix it?"
        assert requests(text) == ["My invoice is wrong"]

    def test_a_request_on_the_same_topic_tells_more_about_it(self):
        text = "Can you book a table for six on Friday? The table should be near a window."
        assert len(requests(text)) == 1

    def test_requests_on_different_topics_are_separate(self):
        text = "Could you renew my parking permit? Also, how do I report a broken streetlight?"
        assert requests(text) == [
            "Could you renew my parking permit",
            "Also, how do I report a broken streetlight",
        ]

    def test_what_comes_before_anyway_is_set_aside(self):
        text = "Who has time for paperwork, honestly? Anyway, can you explain VAT on imports?"
        assert requests(text) == ["Anyway, can you explain VAT on imports"]


class TestSeveralRequests:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Could you proofread my speech for Friday? Oh, and suggest a name for my "
                "fantasy football team.",
                ["proofread my speech for Friday", "suggest a name for my fantasy football team"],
            ),
            (
                "Please fix the typo on our About page. Separately, our logo looks blurry on "
                "retina screens.",
                ["fix the typo on our About page", "our logo looks blurry on retina screens"],
            ),
            (
                "The checkout page times out on mobile, and also the newsletter signup sends "
                "two confirmation emails.",
                [
                    "The checkout page times out on mobile",
                    "the newsletter signup sends two confirmation emails",
                ],
            ),
            (
                "Salut ! J'aurais besoin que tu relises mon CV. Et sinon, c'est quoi un bon "
                "salaire pour un stagiaire à Lille ?",
                ["relises mon CV", "c'est quoi un bon salaire pour un stagiaire à Lille"],
            ),
            (
                "Para el sábado necesito:\n- una lista de la compra para diez personas\n"
                "- un mensaje para invitar a los vecinos\n- ideas de juegos para niños",
                [
                    "una lista de la compra para diez personas",
                    "un mensaje para invitar a los vecinos",
                    "ideas de juegos para niños",
                ],
            ),
            (
                "Pour la fête de l'école, j'ai besoin de :\n1. une affiche pour la tombola\n"
                "2. un mot pour les parents bénévoles",
                ["une affiche pour la tombola", "un mot pour les parents bénévoles"],
            ),
            (
                "Mein Drucker druckt seit gestern nur noch leere Seiten und außerdem ist die "
                "Rechnung für März doppelt abgebucht worden.",
                [
                    "Mein Drucker druckt seit gestern nur noch leere Seiten",
                    "ist die Rechnung für März doppelt abgebucht worden",
                ],
            ),
        ],
    )
    def test_one_suggestion_per_request(self, text, wanted):
        assert spans(text) == wanted

    @pytest.mark.parametrize(
        "text",
        [
            "My invoice is wrong. It shows 3 seats. We have 2. Can you fix it?",
            "Who hasn't burned toast at least once? Nobody. Anyway, can you give me a recipe "
            "for French toast?",
            "Kannst du mir eine Rede für die Hochzeit schreiben und sie etwas lustig machen?",
            "I need a short summary of these notes for my manager:\n- budget approved\n"
            "- hiring paused until May\n- office move in June",
            "Mon chef dit toujours « c'est Mac ou rien », bref. Tu peux m'expliquer comment "
            "configurer Git ?",
            "Write a cover letter for a barista job. Also, keep it under 200 words.",
            "Can you look over my budget spreadsheet? I want to save for a car next year.",
            "Mi portátil se apaga solo cuando juego y quiero saber qué pasta térmica comprar.",
            "Ich habe gestern den Router neu gestartet und die Kabel geprüft. Was kann ich noch "
            "tun?",
            "We moved offices last week. Also, the new building has no parking. Can you suggest "
            "a shuttle service?",
        ],
    )
    def test_one_request_told_in_parts_gives_none(self, text):
        assert spans(text) == []

    def test_questions_that_each_carry_a_case_are_no_several_requests(self):
        text = "¿Qué hago si llueve el día del mercado, y qué si hace un calor extremo?"
        assert "multi_intent" not in {s.kind for s in detect(text, count=10).suggestions}

    def test_lettered_requests_each_one_without_its_marker(self):
        text = (
            "Pouvez-vous (a) annuler ma réservation du 12, (b) m'envoyer la facture de mai "
            "et (c) dire si le parking est gratuit ?"
        )
        assert spans(text) == [
            "annuler ma réservation du 12",
            "m'envoyer la facture de mai",
            "dire si le parking est gratuit",
        ]

    def test_the_span_names_the_need_without_the_ask_frame(self):
        text = (
            "Kannst du meinen Lebenslauf kürzen? Und ganz was anderes: schlag mir einen "
            "Namen für meine Bäckerei vor."
        )
        assert spans(text) == [
            "meinen Lebenslauf kürzen",
            "schlag mir einen Namen für meine Bäckerei vor",
        ]


class TestShortcuts:
    """Each shortcut of the segmenter finds what its plain pattern finds."""

    TEXTS = (
        "Hi, two things: my card was charged twice, and a few questions about SSO.",
        "J'ai deux soucis et plusieurs questions : la facture, puis l'export.",
        "Tengo dos dudas y varias preguntas sobre el envío. ¿Me ayudas?",
        "Zwei Fragen und ein paar Sachen zum Vertrag: Kündigung und Rechnung.",
        "The problem is the thing. Three issues? A couple of tasks, 2 points.",
        "İki things: a dotted İ before two questions moves the lower-cased offsets.",
    )

    def corpus(self) -> list[str]:
        independent = DATA / "autobranch_independent.jsonl"
        rows = [json.loads(line) for line in independent.read_text("utf-8").splitlines()]
        return [*self.TEXTS, *(r["text"] for r in rows if r["split"] == "tune")]

    def test_counts_found_from_their_nouns_are_those_the_pattern_finds(self):
        for text in self.corpus():
            scan = masked(text)
            assert _counted(scan) == [m.start() for m in COUNTED.finditer(scan)], text

    def test_every_ask_frame_holds_one_of_the_words_it_is_looked_for_by(self):
        for text in self.corpus():
            scan = masked(text)
            for sentence in sentences(scan):
                chunk = scan[sentence.start : sentence.end]
                if _ASK_FRAME.search(chunk):
                    assert not _ASK_WORDS.isdisjoint(_words(chunk)), chunk
