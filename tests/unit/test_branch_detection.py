"""The pattern branch detector: each kind of branch point, its guards, spans and ranking."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from chatroutes.server.domain.branch_detection import (
    candidates,
    detect,
    masked,
)
from tests.data.autobranch_labeled_source import records

DATA = Path(__file__).resolve().parent.parent / "data" / "autobranch_labeled.jsonl"


def kinds(text: str, threshold: float = 0.7) -> list[tuple[str, str]]:
    """Each branch point found: its family and the text of the whole group."""
    found = detect(text, threshold=threshold, count=10).suggestions
    points = {(s.extent, s.kind) for s in found}
    return [(kind, text[start:end]) for (start, end), kind in sorted(points)]


def options(text: str, threshold: float = 0.7) -> list[tuple[str, str]]:
    """Each suggestion found, in text order: its title and the text of its span."""
    found = sorted(detect(text, threshold=threshold, count=10).suggestions, key=lambda s: s.start)
    return [(s.title, text[s.start : s.end]) for s in found]


class TestLabeledSet:
    def test_every_expected_span_holds_its_trigger_text(self):
        rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
        assert len(rows) >= 150
        assert sum(1 for r in rows if not r["spans"]) >= 40
        assert {r["split"] for r in rows} == {"dev", "heldout"}
        for row in rows:
            for span in row["spans"]:
                assert row["text"][span["start"] : span["end"]] == span["trigger"], row["id"]

    def test_the_file_is_generated_from_its_source(self):
        lines = DATA.read_text(encoding="utf-8").splitlines()
        assert [json.loads(line) for line in lines] == records()


class TestKinds:
    def test_disjunction_gives_one_suggestion_per_option(self):
        text = "Should I use Postgres or MySQL for this project?"
        first, second = sorted(detect(text).suggestions, key=lambda s: s.start)
        assert (first.title, first.trigger, second.title, second.trigger) == (
            "Postgres",
            "Postgres",
            "MySQL",
            "MySQL",
        )
        assert first.kind == second.kind == "disjunction"
        assert first.group == second.group and first.group.trigger == "Postgres or MySQL"
        assert first.options == ("Postgres", "MySQL")
        assert 0.7 <= first.confidence <= 1

    def test_whether_and_either_start_the_group(self):
        assert kinds("I can't decide whether to rent a flat or buy a house.") == [
            ("disjunction", "whether to rent a flat or buy a house")
        ]
        assert options("I can't decide whether to rent a flat or buy a house.") == [
            ("Rent a flat", "rent a flat"),
            ("Buy a house", "buy a house"),
        ]
        [(kind, trigger)] = kinds("Either we cut the budget or we delay the launch; not both.")
        assert kind == "disjunction" and trigger.startswith("Either we cut")

    def test_a_chain_of_ors(self):
        assert [t for t, _ in options("Should I learn Python or Rust or Go?")] == [
            "Python",
            "Rust",
            "Go",
        ]

    def test_enumeration_of_alternatives(self):
        text = "Options:\n1. Flask - small\n2. FastAPI - async\n3. Django - full\nWhich one?"
        assert options(text) == [
            ("Flask", "Flask - small"),
            ("FastAPI", "FastAPI - async"),
            ("Django", "Django - full"),
        ]
        [suggestion, *_] = detect(text).suggestions
        assert suggestion.group.trigger == "1. Flask - small\n2. FastAPI - async\n3. Django - full"
        assert suggestion.divergence == "high"

    def test_prose_alternatives(self):
        text = "We could self-host it. Alternatively, we could pay for a managed service."
        assert kinds(text) == [("enumeration", text)]
        assert [span for _, span in options(text)] == [
            "We could self-host it",
            "Alternatively, we could pay for a managed service",
        ]

    def test_comparisons(self):
        assert kinds("React vs Vue for a dashboard?") == [("comparison", "React vs Vue")]
        assert options("React vs Vue for a dashboard?") == [("React", "React"), ("Vue", "Vue")]
        assert kinds("Can you compare Kafka and RabbitMQ for events?") == [
            ("comparison", "compare Kafka and RabbitMQ")
        ]
        assert options("What's the difference between TCP and UDP?") == [
            ("TCP", "TCP"),
            ("UDP", "UDP"),
        ]

    def test_conditionals_give_one_suggestion_per_case(self):
        text = "If the tests pass, merge it; otherwise revert."
        assert kinds(text) == [("conditional", "If the tests pass, merge it; otherwise revert")]
        assert options(text) == [
            ("If the tests pass", "If the tests pass"),
            ("Otherwise revert", "otherwise revert"),
        ]
        cases = "What should I do if the build fails on CI, and what if it only fails locally?"
        assert options(cases) == [
            ("If the build fails on CI", "if the build fails on CI"),
            ("If it only fails locally", "if it only fails locally"),
        ]
        two = "If it rains we stay in. Otherwise we hike."
        assert [span for _, span in options(two)] == [
            "If it rains we stay in",
            "Otherwise we hike",
        ]
        assert kinds("If you see Anna, then say hello.") == []

    def test_a_single_case_is_no_branch_point(self):
        assert options("What if we moved the launch to March?") == []
        assert options("If you see Anna, say hello.") == []

    def test_directives_name_their_variants(self):
        assert options("Draft the announcement two ways: a formal one and a casual one.") == [
            ("Formal one", "a formal one"),
            ("Casual one", "a casual one"),
        ]
        assert options("Can you brainstorm names for my bakery?") == []

    def test_each_of_several_questions(self):
        text = "How do I reset the router? And how much does the premium plan cost?"
        assert [span for _, span in options(text)] == [
            "How do I reset the router",
            "And how much does the premium plan cost",
        ]
        assert kinds(text) == [("multi_intent", text)]
        follow_up = "How do I reset the router? Can I keep my Wi-Fi name afterwards?"
        assert options(follow_up) == []  # one request and a question about it

    def test_the_readme_example_gives_one_suggestion_per_intent(self):
        text = (
            "I need help with billing and also have a technical question about the API. "
            "Can you help with both?"
        )
        assert [title for title, _ in options(text)] == [
            "Billing help",
            "Technical question about the API",
        ]
        billing, api = options(text)
        assert "billing" in billing[1] and "API" in api[1] and "billing" not in api[1]

    def test_an_additive_sentence_after_a_request(self):
        text = "I need to change the email on my account. Also, please cancel my second seat."
        assert [span for _, span in options(text)] == [
            "I need to change the email on my account",
            "Also, please cancel my second seat",
        ]

    @pytest.mark.parametrize(
        ("text", "kind", "wanted"),
        [
            ("Je dois choisir entre le train ou l'avion.", "comparison", ["Train", "Avion"]),
            ("¿Debo usar Postgres o MySQL para mi app?", "disjunction", ["Postgres", "MySQL"]),
            ("Soll ich Python oder Java lernen?", "disjunction", ["Python", "Java lernen"]),
            ("Quelle est la différence entre Vue et React ?", "comparison", ["Vue", "React"]),
            ("¿Cuál es la diferencia entre SQL y NoSQL?", "comparison", ["SQL", "NoSQL"]),
            ("Was ist der Unterschied zwischen TCP und UDP?", "comparison", ["TCP", "UDP"]),
        ],
    )
    def test_french_spanish_german(self, text, kind, wanted):
        found = sorted(detect(text).suggestions, key=lambda s: s.start)
        assert [s.title for s in found] == wanted and {s.kind for s in found} == {kind}


class TestFalsePositives:
    @pytest.mark.parametrize(
        "text",
        [
            "Please place the order for 40 units before Friday.",
            "The meeting should take an hour or so.",
            "It costs more or less the same as last year.",
            "It's a beautiful day, isn't it?",
            "Sooner or later we will upgrade the server.",
            "Let me know if you have any questions or concerns.",
            "I don't eat meat or fish.",
            "Wait a day or two before watering again.",
            "The function returns true if x is greater than or equal to zero.",
            "Run `git pull || git rebase --abort` or read https://example.com/or/this first.",
            "```python\nif a or b:\n    pass\n```",
            "To install:\n1. Download the installer\n2. Run it\n3. Restart your terminal",
            "Steps:\n1. Mix the flour and water\n2. Knead for ten minutes\n3. Bake for 30 minutes",
            "He explored the old quarter yesterday.",
            "The policy applies whether or not you work full time.",
            "How do I reset my password?",
            "Can you help me? I need to fix my printer.",
            "Meet me between 2 and 5 pm.",
        ],
    )
    def test_single_intent_texts_give_nothing(self, text):
        assert kinds(text) == []

    def test_masking_keeps_offsets(self):
        text = "Use `a or b` at https://x.io/or now."
        assert len(masked(text)) == len(text) and " or " not in masked(text)[4:30]


class TestSeveralRequests:
    """Several requests need a sign that they are separate; one request told in several
    sentences is no branch point."""

    @pytest.mark.parametrize(
        "text",
        [
            # a broad question, then one of its details
            "How do I renew my library card? What do I need to bring with me?",
            "Wie melde ich mein Auto um? Welche Papiere brauche ich dafür?",
            # a short check on the first question
            "Where should I hang the bird feeder? Does height matter?",
            # a question answered or set aside by the asker
            "Why do I keep losing my keys? Probably because I rush. How can I stop?",
            "Why is parking so expensive here? Anyway, which bus goes to the stadium?",
            # a question about asking, or a rhetorical opener
            "Can I ask you something? How do I get candle wax out of a carpet?",
            "You know what bugs me? Slow lifts. Can you draft a note to our building manager?",
            # "Also" telling more about the one request
            "Could you write an invitation for our garden party? Also, please mention that "
            "dogs are welcome.",
            "Write a retirement card message for my colleague. Also, keep it under 50 words.",
            "I need a signup endpoint in Flask. Also, it should reject weak passwords. "
            "Can you show me how?",
            # "Also" giving context to the question that follows
            "I have a dentist appointment tomorrow. Also, I've never had a filling before. "
            "What should I expect?",
            # one problem told in two clauses, or a problem and the deadline it blocks
            "The scanner shows an error and I can't scan anything.",
            "I can't open the portal and I need to upload my thesis tonight.",
            # thanks for an earlier answer, then one more question
            "Thanks for your help yesterday. One more thing on the same topic: how deep "
            "should I plant the tulip bulbs?",
            # one thing asked for, with two properties
            "I want a tent that's light and also cheap.",
            "I need a monitor that works for design as well as gaming.",
        ],
    )
    def test_one_request_in_several_sentences_gives_nothing(self, text):
        assert kinds(text) == []

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Ich möchte meine Telefonnummer ändern. Außerdem lädt die App seit gestern "
                "keine Bilder mehr.",
                [
                    "Ich möchte meine Telefonnummer ändern",
                    "Außerdem lädt die App seit gestern keine Bilder mehr",
                ],
            ),
            (
                "Bitte kündigen Sie mein Zeitungsabo. Außerdem möchte ich meine Adresse ändern.",
                ["Bitte kündigen Sie mein Zeitungsabo", "Außerdem möchte ich meine Adresse ändern"],
            ),
            (
                "Zwei Fragen: Wie entkalke ich meine Kaffeemaschine? "
                "Und wo finde ich Ersatzfilter?",
                ["Wie entkalke ich meine Kaffeemaschine", "wo finde ich Ersatzfilter"],
            ),
            (
                "My receipt shows the wrong name and I'd like to cancel the extra seat.",
                ["My receipt shows the wrong name", "I'd like to cancel the extra seat"],
            ),
            (
                "We need a poster as well as a short video for the open day.",
                ["We need a poster", "a short video for the open day"],
            ),
            (
                "When does the pool close on Saturdays? Can I bring a guest who isn't a member?",
                ["When does the pool close on Saturdays", "Can I bring a guest who isn't a member"],
            ),
        ],
    )
    def test_separate_requests(self, text, wanted):
        assert [span for _, span in options(text)] == wanted

    def test_steps_already_taken_told_in_paragraphs_give_nothing(self):
        text = (
            "First, I cleared the browser cache. No change.\n\n"
            "Second, I logged out on every device. Still stuck.\n\n"
            "Third, I tried another browser, and the page still doesn't load.\n\n"
            "I'm running out of ideas. What else could cause this?"
        )
        assert kinds(text) == []

    def test_a_list_of_symptoms_before_one_question_gives_nothing(self):
        text = (
            "Since the upgrade we see a few issues:\n- uploads fail\n"
            "- thumbnails are broken\n- the admin page shows an error\n"
            "We think it's the proxy. How do we track this down?"
        )
        assert kinds(text) == []
        several = text.replace("How do we track this down?", "Can you look into each?")
        assert [kind for kind, _ in kinds(several)] == ["multi_intent"]

    def test_an_announced_list_of_orders(self):
        text = (
            "Two things please:\n1. Remove the old address from my profile\n"
            "2. Send the May receipt to my work email"
        )
        assert [span for _, span in options(text)] == [
            "Remove the old address from my profile",
            "Send the May receipt to my work email",
        ]
        steps = "To reset it:\n1. Remove the battery\n2. Hold the button\n3. Add the battery back"
        assert kinds(steps) == []

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Hi team,\n\nFirst, could you move our weekly call to Thursdays?\n\n"
                "Second, please add Priya to the shared drive.\n\n"
                "And third, I don't know who approves travel now.\n\nThanks!",
                [
                    "First, could you move our weekly call to Thursdays",
                    "Second, please add Priya to the shared drive",
                    "And third, I don't know who approves travel now",
                ],
            ),
            (
                "Hola,\n\nNecesito un menú para la cena del sábado, somos ocho.\n\n"
                "Por otro lado, ¿cómo quito una mancha de vino de un mantel de lino?\n\n"
                "Y una cosa más: quiero una lista de juegos para niños.\n\nGracias",
                [
                    "Necesito un menú para la cena del sábado, somos ocho",
                    "Por otro lado, ¿cómo quito una mancha de vino de un mantel de lino",
                    "Y una cosa más: quiero una lista de juegos para niños",
                ],
            ),
            (
                "Hallo,\n\nKannst du mir einen Trainingsplan für zehn Kilometer schreiben?\n\n"
                "Und privat: Mein Sohn wird fünf und ich brauche Ideen für die Feier.",
                [
                    "Kannst du mir einen Trainingsplan für zehn Kilometer schreiben",
                    "Und privat: Mein Sohn wird fünf und ich brauche Ideen für die Feier",
                ],
            ),
        ],
    )
    def test_paragraphs_turned_to_another_topic(self, text, wanted):
        assert [span for _, span in options(text)] == wanted

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Two things: cancel the spare seat please, and send me last month's receipt.",
                ["cancel the spare seat please", "send me last month's receipt"],
            ),
            (
                "Tengo dos dudas: el horno no calienta bien y además la puerta hace ruido.",
                ["el horno no calienta bien", "además la puerta hace ruido"],
            ),
            (
                "Te pido dos cosas: una receta de lentejas y un plan para correr 5 km.",
                ["una receta de lentejas", "un plan para correr 5 km"],
            ),
            (
                "Ich habe zwei Fragen: Erstens, wann öffnet das Bad im Sommer, und zweitens "
                "kann ich dort Schwimmkurse für Kinder buchen?",
                [
                    "Erstens, wann öffnet das Bad im Sommer",
                    "zweitens kann ich dort Schwimmkurse für Kinder buchen",
                ],
            ),
            (
                "J'ai deux soucis : d'abord la lampe du salon clignote depuis hier, et ensuite "
                "le volet de la cuisine reste bloqué.",
                [
                    "d'abord la lampe du salon clignote depuis hier",
                    "ensuite le volet de la cuisine reste bloqué",
                ],
            ),
        ],
    )
    def test_announced_requests_split_at_each_request(self, text, wanted):
        assert [span for _, span in options(text)] == wanted

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Hello, two things about my membership. The gym app logs me out every hour. "
                "Separately, why was I billed for a locker I never rented?",
                [
                    "The gym app logs me out every hour",
                    "why was I billed for a locker I never rented",
                ],
            ),
            (
                "Te pido tres cosas: ¿qué plantas aguantan la sombra? También busco una maceta "
                "grande. Y por último, ayúdame a elegir un abono para tomates.",
                [
                    "qué plantas aguantan la sombra",
                    "busco una maceta grande",
                    "ayúdame a elegir un abono para tomates",
                ],
            ),
        ],
    )
    def test_counted_requests_told_one_by_one(self, text, wanted):
        assert [span for _, span in options(text)] == wanted

    def test_counted_facts_are_no_requests(self):
        text = "Two things about me: I'm vegan. Also, I hate cooking. What should I eat?"
        assert kinds(text) == []

    def test_lettered_requests_in_one_sentence(self):
        text = (
            "Could you (a) sum up the survey results, (b) tell me which store had the most "
            "returns, and (c) draft a thank-you note to the volunteers?"
        )
        assert [span for _, span in options(text)] == [
            "sum up the survey results",
            "tell me which store had the most returns",
            "draft a thank-you note to the volunteers",
        ]
        choice = "Should I (a) repaint the fence or (b) replace it with a hedge?"
        assert "multi_intent" not in [kind for kind, _ in kinds(choice)]
        steps = "Could you (a) review the intro and (b) shorten it to 100 words?"
        assert kinds(steps) == []

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "J'aurais besoin d'un devis pour la cuisine et aussi d'un rendez-vous pour "
                "la salle de bain.",
                [
                    "J'aurais besoin d'un devis pour la cuisine",
                    "d'un rendez-vous pour la salle de bain",
                ],
            ),
            (
                "Quiero renovar el pasaporte y, aparte, necesito pedir cita para el carné.",
                ["Quiero renovar el pasaporte", "necesito pedir cita para el carné"],
            ),
        ],
    )
    def test_two_requests_joined_in_one_sentence(self, text, wanted):
        assert [span for _, span in options(text)] == wanted

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Pourriez-vous renouveler ma carte de bibliothèque expirée et m'expliquer "
                "comment réserver les salles de travail ?",
                [
                    "renouveler ma carte de bibliothèque expirée",
                    "m'expliquer comment réserver les salles de travail",
                ],
            ),
            (
                "Aide-moi à ranger le garage, trouve-moi une recette de soupe, et rappelle-moi "
                "les horaires de la piscine.",
                [
                    "Aide-moi à ranger le garage",
                    "trouve-moi une recette de soupe",
                    "rappelle-moi les horaires de la piscine",
                ],
            ),
        ],
    )
    def test_coordinated_requests_with_their_own_objects(self, text, wanted):
        assert [span for _, span in options(text)] == wanted

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Cancel my gym membership, and send me all the receipts from last year.",
                ["Cancel my gym membership", "send me all the receipts from last year"],
            ),
            (
                "Please close my old savings account, and send me all the statements from 2022.",
                ["close my old savings account", "send me all the statements from 2022"],
            ),
            (
                "Can you unlock my profile and tell me why the payment failed twice?",
                ["unlock my profile", "tell me why the payment failed twice"],
            ),
            (
                "Je voudrais changer mon numéro de téléphone et savoir si vous livrez en Suisse.",
                ["changer mon numéro de téléphone", "savoir si vous livrez en Suisse"],
            ),
            (
                "Quisiera cambiar mi contraseña y saber cuándo llega mi pedido.",
                ["cambiar mi contraseña", "saber cuándo llega mi pedido"],
            ),
            (
                "Kannst du mir diesen Brief ins Französische übersetzen und erklären, wie ich "
                "in Excel eine Pivot-Tabelle anlege?",
                [
                    "diesen Brief ins Französische übersetzen",
                    "erklären, wie ich in Excel eine Pivot-Tabelle anlege",
                ],
            ),
            (
                "Könnten Sie meine Lieferadresse ändern und meine alte Bestellung stornieren?",
                ["meine Lieferadresse ändern", "meine alte Bestellung stornieren"],
            ),
        ],
    )
    def test_two_tasks_each_with_an_object_of_its_own(self, text, wanted):
        assert [span for _, span in options(text)] == wanted

    @pytest.mark.parametrize(
        "text",
        [
            "Can you update and restart the service?",
            "Please check and fix the typo in my bio.",
            "Can you book a table and a taxi for 8?",
            "Please export my contacts and send me the file.",
            "Je voudrais vérifier mon contrat et savoir si mon contrat couvre le vol.",
            "Kannst du meine Adresse ändern und meine Adresse bestätigen?",
            "Kannst du den Bericht kürzen und ihn an Anna schicken?",
            "Download the attached report and summarize the main findings.",
            "Add the flour, stir in the milk and bake for 20 minutes.",
            "Read the two drafts below and tell me which one sounds warmer.",
            "Kannst du die Datei öffnen und die Zahlen prüfen?",
            "Kannst du den Text kürzen und mir sagen, wie er jetzt klingt?",
        ],
    )
    def test_steps_of_one_task_are_no_two_requests(self, text):
        assert "multi_intent" not in [kind for kind, _ in kinds(text)]

    @pytest.mark.parametrize(
        "text",
        [
            "Can you fix the booking date and refund the difference?",
            "Could you check the draft and send it to Maria?",
            "Please download the attached report and summarize the main findings.",
            "Can you explain how a heat pump works and give me an example of running costs?",
            "Could you open the spreadsheet, find the late invoices and email them to me?",
        ],
    )
    def test_two_verbs_on_one_matter_are_one_request(self, text):
        assert kinds(text) == []

    def test_a_request_cut_by_an_abbreviation_still_counts(self):
        text = (
            "Bitte schicken Sie die Unterlagen an Kanzlei Weber, Lindenstr. 9, 10115 Berlin. "
            "Außerdem lädt Ihre Seite seit Montag keine Formulare mehr."
        )
        assert [kind for kind, _ in kinds(text)] == ["multi_intent"]
        assert options(text)[-1][1] == "Außerdem lädt Ihre Seite seit Montag keine Formulare mehr"

    def test_a_list_of_tasks_after_i_need_to(self):
        text = (
            "The move is next week and I still need to:\n- book a van for Saturday\n"
            "- cancel the internet contract\n- pack the kitchen\nCan you help with each?"
        )
        assert [span for _, span in options(text)] == [
            "book a van for Saturday",
            "cancel the internet contract",
            "pack the kitchen",
        ]
        things = "For the trip I need to:\n- Passport\n- Charger\n- Two adapters"
        assert kinds(things) == []

    def test_a_problem_despite_what_was_done_then_another_question(self):
        text = (
            "Mein Router zeigt eine rote Lampe, obwohl ich ihn neu gestartet habe. "
            "Und noch was: Wie ändere ich das WLAN-Passwort?"
        )
        assert len(options(text)) == 2

    def test_a_constraint_without_a_verb_is_no_request(self):
        text = "Kannst du mir eine Einladung zum Sommerfest schreiben? Und keine Emojis."
        assert kinds(text) == []

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Hi, a couple of things about the shop app.\n\n"
                "First, the receipt email goes to the old address after checkout.\n\n"
                "Second, how do I add a discount code for the summer sale?\n\nThanks!",
                [
                    "First, the receipt email goes to the old address after checkout",
                    "Second, how do I add a discount code for the summer sale",
                ],
            ),
            (
                "Hola, tengo varias dudas.\n\n"
                "Primero, la app muestra el saldo del mes pasado.\n\n"
                "Segundo, ¿cómo cambio el titular de la cuenta?",
                [
                    "Primero, la app muestra el saldo del mes pasado",
                    "Segundo, ¿cómo cambio el titular de la cuenta",
                ],
            ),
            (
                "Hallo, zwei Anliegen.\n\n"
                "Erstens, die Rechnung für Mai zeigt den alten Tarif.\n\n"
                "Zweitens, kannst du mir die Kündigungsfrist nennen?",
                [
                    "Erstens, die Rechnung für Mai zeigt den alten Tarif",
                    "Zweitens, kannst du mir die Kündigungsfrist nennen",
                ],
            ),
        ],
    )
    def test_counted_paragraphs_each_bring_a_request(self, text, wanted):
        assert [span for _, span in options(text)] == wanted

    def test_counted_paragraphs_of_steps_taken_give_nothing(self):
        text = (
            "A few things I already did.\n\n"
            "First, I reinstalled the printer driver.\n\n"
            "Second, we swapped the USB cable.\n\n"
            "It still prints blank pages."
        )
        assert "multi_intent" not in [kind for kind, _ in kinds(text)]

    def test_paragraphs_numbered_from_d_abord(self):
        text = (
            "Bonjour,\n\nJe gère une petite librairie.\n\n"
            "D'abord, le terminal de paiement ne se connecte plus depuis hier.\n\n"
            "Ensuite, pouvez-vous me proposer un texte pour la vitrine de Noël ?\n\nMerci"
        )
        assert [span for _, span in options(text)] == [
            "D'abord, le terminal de paiement ne se connecte plus depuis hier",
            "Ensuite, pouvez-vous me proposer un texte pour la vitrine de Noël",
        ]

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Drei Sachen: Wann ist der Wertstoffhof offen? Dann bräuchte ich eine Idee "
                "für ein Geschenk. Und was kostet ein Anwohnerparkausweis?",
                [
                    "Wann ist der Wertstoffhof offen",
                    "bräuchte ich eine Idee für ein Geschenk",
                    "was kostet ein Anwohnerparkausweis",
                ],
            ),
            (
                "Tengo varias dudas: no me carga la web del banco, quiero cambiar mi PIN y "
                "¿cómo pido una tarjeta nueva?",
                [
                    "no me carga la web del banco",
                    "quiero cambiar mi PIN",
                    "cómo pido una tarjeta nueva",
                ],
            ),
            (
                "Te pido dos cosas: revísame esta carta de presentación y dime cómo cerrarla.",
                ["revísame esta carta de presentación", "dime cómo cerrarla"],
            ),
            (
                "Couple of things for the weekend, can you help:\n- a shopping list for a "
                "barbecue\n- a route for a short bike ride",
                ["a shopping list for a barbecue", "a route for a short bike ride"],
            ),
            (
                "Pour demain : aide-moi à trier mes mails et mes notes, trouve-moi un resto "
                "pour midi, et rappelle-moi les horaires du train.",
                [
                    "aide-moi à trier mes mails et mes notes",
                    "trouve-moi un resto pour midi",
                    "rappelle-moi les horaires du train",
                ],
            ),
        ],
    )
    def test_counted_or_coordinated_requests(self, text, wanted):
        assert [span for _, span in options(text)] == wanted

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Quick favour: (1) check the ferry times to Bastia, (2) find a cheap room near "
                "the port, and (3) tell me if the market is open on Sunday.",
                [
                    "check the ferry times to Bastia",
                    "find a cheap room near the port",
                    "tell me if the market is open on Sunday",
                ],
            ),
            (
                "Zwei Dinge: Bitte storniere meine Bestellung 4411 und schick mir die Rechnung "
                "für März.",
                ["Bitte storniere meine Bestellung 4411", "schick mir die Rechnung für März"],
            ),
            (
                "Peux-tu corriger l'orthographe de mon CV et me dire comment on présente une "
                "lettre de motivation ?",
                [
                    "corriger l'orthographe de mon CV",
                    "me dire comment on présente une lettre de motivation",
                ],
            ),
        ],
    )
    def test_requests_with_pronouns_numbers_and_markers(self, text, wanted):
        assert [span for _, span in options(text)] == wanted

    def test_counted_events_are_a_story(self):
        assert kinds("Two things happened today: my car broke down and I missed the bus.") == []

    @pytest.mark.parametrize(
        "text",
        [
            "How do I descale my kettle? Totally different thing: can you suggest a name for "
            "my cat?",
            "¿Qué vino va con el cordero? Por otro lado, necesito ideas para un postre sin gluten.",
        ],
    )
    def test_a_sentence_turned_to_another_topic(self, text):
        assert len(options(text)) == 2

    def test_a_contrast_before_one_question_is_no_turn(self):
        text = (
            "The blue sofa is cheaper. On the other hand, the grey one is bigger. "
            "Which should I buy?"
        )
        assert kinds(text) == []

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Can you do three things for me? Summarise the board minutes, list the open "
                "action items, and draft a reminder to their owners.",
                [
                    "Summarise the board minutes",
                    "list the open action items",
                    "draft a reminder to their owners",
                ],
            ),
            (
                "Salut ! Deux trucs : tu peux me conseiller un roman policier, et tu connais une "
                "bonne appli pour apprendre le portugais ?",
                [
                    "tu peux me conseiller un roman policier",
                    "tu connais une bonne appli pour apprendre le portugais",
                ],
            ),
            (
                "Few tasks for you today:\n- draft the newsletter\n- update the price list",
                ["draft the newsletter", "update the price list"],
            ),
        ],
    )
    def test_counted_tasks_and_favours(self, text, wanted):
        assert [span for _, span in options(text)] == wanted

    def test_a_participle_is_no_request(self):
        text = "Could you fix the login bug, including the tests, and update the README?"
        assert "including the tests" not in [span for _, span in options(text, threshold=0.1)]

    def test_announced_questions_split_at_each_question(self):
        text = (
            "Three quick questions: when is the museum free, is the café open on Mondays, "
            "and where can we park?"
        )
        assert [span for _, span in options(text)] == [
            "when is the museum free",
            "is the café open on Mondays",
            "where can we park",
        ]


class TestDirectives:
    @pytest.mark.parametrize(
        "text",
        [
            # a count inside what the piece is about: one piece, described
            "Write a fable about two foxes, one greedy and one generous, who share a den.",
            "Draft a note to both landlords, one in Lyon and one in Nice, about the deposit.",
            "Build me a training plan with three runs a week: one long, one fast and one easy.",
            "Plan a 2-day visit to Porto: one day for the river and one for the old town.",
            "Give me a soup recipe that serves four, with leeks and potatoes.",
            "Make a shopping list for a picnic with three adults and one toddler.",
        ],
    )
    def test_phrases_describing_one_piece_give_nothing(self, text):
        assert kinds(text) == []

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Give me one slogan that's playful, one that's serious, and a third that rhymes.",
                ["one slogan that's playful", "one that's serious", "a third that rhymes"],
            ),
            (
                "Schreib mir bitte eine Antwort an den Vermieter \u2013 einmal höflich und einmal "
                "bestimmt, die er nicht ignorieren kann.",
                ["einmal höflich", "einmal bestimmt, die er nicht ignorieren kann"],
            ),
            (
                "Explique-moi les marées deux fois : une fois pour un enfant et une fois pour "
                "un étudiant.",
                ["une fois pour un enfant", "une fois pour un étudiant"],
            ),
            (
                "Give me two versions of the welcome text, a short one and a detailed one.",
                ["a short one", "a detailed one"],
            ),
        ],
    )
    def test_variants_asked_for(self, text, wanted):
        found = detect(text, count=10).suggestions
        assert {s.kind for s in found} == {"directive"}
        assert [span for _, span in options(text)] == wanted


class TestSelection:
    TEXT = (
        "Should I use Postgres or MySQL? What if the data grows tenfold? "
        "Also, can you brainstorm names for the service?"
    )

    def test_deterministic(self):
        assert detect(self.TEXT, count=10) == detect(self.TEXT, count=10)
        assert [s.id for s in candidates(self.TEXT)] == [s.id for s in candidates(self.TEXT)]

    def test_count_keeps_whole_groups_the_most_confident_first(self):
        text = "Should we use Postgres, MySQL, or SQLite? Compare React and Vue too."
        every = detect(text, count=10).suggestions
        assert [s.confidence for s in every] == sorted((s.confidence for s in every), reverse=True)
        assert {s.title for s in every} == {"Postgres", "MySQL", "SQLite"}
        top = detect(text, count=2).suggestions
        assert len(top) == 2 and {s.kind for s in top} == {"disjunction"}

    def test_a_group_too_big_for_the_count_gives_its_best(self):
        text = "Should we pick Go, Rust, Zig, or Nim for the rewrite?"
        assert len(detect(text, count=10).suggestions) == 4
        assert len(detect(text, count=2).suggestions) == 2

    def test_threshold_drops_weak_ones_and_total_counts_the_rest(self):
        weak = "You can pay by card or cash."
        assert detect(weak).suggestions == []
        low = detect(weak, threshold=0.1).suggestions
        assert len(low) == 2 and all(s.confidence < 0.7 for s in low)
        result = detect(self.TEXT, count=1)
        assert result.total_found == 1 and len(result.suggestions) == 1

    def test_suggestions_do_not_overlap_and_sit_in_their_group(self):
        found = candidates(self.TEXT)
        for a, b in itertools.pairwise(found):
            assert a.end <= b.start
        for s in found:
            assert s.extent[0] <= s.start < s.end <= s.extent[1]

    def test_a_message_is_read_as_one_family(self):
        kinds_found = {s.kind for s in detect(self.TEXT, count=10).suggestions}
        assert kinds_found == {"disjunction"}
