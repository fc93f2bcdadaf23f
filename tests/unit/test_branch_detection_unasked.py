"""Near misses of conditionals and several requests: cases that describe how something
behaves, "in case anyone knows", a second question that restates the first, things
someone else said, and history told in statements; beside the real branch points
they resemble."""

from __future__ import annotations

import pytest

from tests.support.branch_options import option_texts


class TestCasesThatDescribe:
    @pytest.mark.parametrize(
        "text",
        [
            "Some background first. The nightly job emails the team if the backup succeeds, "
            "and pages the on-call engineer otherwise. Lately it pages every night even "
            "though the files are there. How do I find out what the job sees?",
            "Context: our thermostat heats to 21 degrees when someone is home. When the "
            "house is empty it drops to 16. The bill doubled this winter. What could cause "
            "that?",
            "Le contexte : la pompe démarre si la cuve est vide, sinon elle reste à "
            "l'arrêt. Depuis lundi elle tourne sans arrêt. Par où commencer pour trouver "
            "la panne ?",
            "Os explico cómo va: si el pedido supera 50 euros, el envío es gratis. Si no "
            "llega a esa cifra, se cobra aparte. Ayer me cobraron el envío de un pedido de "
            "80 euros. ¿A quién reclamo?",
            "Zur Info: Die Heizung springt an, wenn die Temperatur unter 18 Grad fällt. "
            "Wenn das Fenster offen ist, schaltet sie ab. Seit gestern bleibt sie kalt. "
            "Was kann ich prüfen?",
        ],
    )
    def test_cases_that_tell_how_something_behaves_ask_nothing(self, text):
        assert option_texts(text, "conditional") == []

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "We fly to Oslo in March. I'd love to know what to pack if it snows the "
                "whole week, and what to bring if it turns out mild.",
                ["if it snows the whole week", "if it turns out mild"],
            ),
            (
                "Ce que j'aimerais savoir, c'est ce que je paie si je résilie en mars, et ce "
                "qui se passe si j'attends la fin du contrat.",
                ["si je résilie en mars", "si j'attends la fin du contrat"],
            ),
            (
                "Quiero saber qué hago si el vuelo se retrasa y qué si lo cancelan del todo.",
                ["si el vuelo se retrasa", "si lo cancelan del todo"],
            ),
            (
                "Ich möchte wissen, was ich tun soll, wenn der Vermieter ablehnt, und was, "
                "wenn er gar nicht antwortet.",
                ["wenn der Vermieter ablehnt", "wenn er gar nicht antwortet"],
            ),
            (
                "I need a plan for the garden party. If it pours, we move into the garage. "
                "If it's sunny, everyone stays on the lawn.",
                ["If it pours", "If it's sunny"],
            ),
        ],
    )
    def test_cases_bound_to_a_wish_or_a_request_still_branch(self, text, wanted):
        assert option_texts(text, "conditional") == wanted

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "If the invoice is paid by Friday, ship the order; otherwise hold it.",
                ["If the invoice is paid by Friday", "otherwise hold it"],
            ),
            (
                "Si la compilation passe, publie la version ; sinon, ouvre un ticket.",
                ["Si la compilation passe", "sinon, ouvre un ticket"],
            ),
        ],
    )
    def test_cases_in_a_message_that_asks_nothing_else_may_be_orders(self, text, wanted):
        assert option_texts(text, "conditional") == wanted

    @pytest.mark.parametrize(
        "text",
        [
            "I'm posting this in case anyone knows the trick. When I print in colour, the "
            "paper jams. Should I ask for a replacement?",
            "Je vous écris au cas où quelqu'un aurait une idée. Quand je lance l'appli, "
            "l'écran devient noir. Est-ce que ça vaut une réparation ?",
            "Lo cuento por si alguien sabe qué pasa. Cuando enciendo el horno, salta la "
            "luz. ¿Llamo al técnico?",
            "Ich frage hier, falls jemand eine Idee hat. Wenn ich das Radio einschalte, "
            "brummt der Lautsprecher. Lohnt sich eine Reparatur?",
        ],
    )
    def test_in_case_anyone_knows_puts_no_case(self, text):
        assert option_texts(text, "conditional") == []

    @pytest.mark.parametrize(
        "text",
        [
            "Asking in case anyone knows: what happens to my deposit if I move out early?",
            "Je demande au cas où quelqu'un saurait : que devient la caution si je pars "
            "avant la fin du bail ?",
            "Pregunto por si alguien sabe: ¿qué pasa con la fianza si me voy antes?",
            "Ich frage, falls jemand es weiß: Was passiert mit der Kaution, wenn ich früher "
            "ausziehe?",
        ],
    )
    def test_an_appeal_beside_one_real_case_is_no_second_case(self, text):
        assert option_texts(text, "conditional") == []

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "What should I do if someone rings a bell at the door while I'm out, and "
                "what if nobody picks up the parcel?",
                [
                    "if someone rings a bell at the door while I'm out",
                    "if nobody picks up the parcel",
                ],
            ),
            (
                "¿Qué hago si alguien llama a la puerta de noche y qué si nadie contesta?",
                ["si alguien llama a la puerta de noche", "si nadie contesta"],
            ),
        ],
    )
    def test_a_case_about_someone_doing_something_stays_a_case(self, text, wanted):
        assert option_texts(text, "conditional") == wanted


class TestRestatedQuestions:
    @pytest.mark.parametrize(
        "text",
        [
            "Could you work out how long my savings last if I stop working in May? I mean, "
            "how many months can I pay rent from them?",
            "How should we split the chores at home? In other words, who does what on which day?",
            "Pourriez-vous m'aider à écrire une lettre à mon bailleur ? Ou plutôt, "
            "pourriez-vous me donner un modèle à adapter ?",
            "Quel est le meilleur moment pour semer les tomates ? C'est-à-dire, à partir "
            "de quel mois est-ce qu'il ne gèle plus ?",
            "¿Cuánto tengo que ahorrar al mes para el viaje? O sea, ¿qué cantidad es "
            "realista si salimos en agosto?",
            "¿Me puedes ayudar con la carta al casero? Es decir, ¿me preparas un borrador "
            "que yo pueda cambiar?",
            "Wann wird mein Paket zugestellt? Bzw. ist es überhaupt schon unterwegs?",
            "Wie viel sollte ich monatlich zurücklegen? Sprich, welcher Betrag ist bis "
            "zum Sommer machbar?",
        ],
    )
    def test_a_second_question_that_says_the_first_again_is_one_request(self, text):
        assert option_texts(text, "multi_intent") == []

    @pytest.mark.parametrize(
        ("text", "count"),
        [
            (
                "Could you draft a reply to my landlord about the broken boiler? Also, "
                "what's a good recipe for a quick vegetarian lunch?",
                2,
            ),
            (
                "Pouvez-vous m'aider à rédiger une réclamation pour mon colis perdu ? "
                "Enfin, comment est-ce que je change mon mot de passe sur le site ?",
                2,
            ),
            (
                "¿Me ayudas a escribir una queja por el retraso del tren? Además, ¿qué "
                "ciudad me recomiendas para un fin de semana en otoño?",
                2,
            ),
            (
                "Kannst du mir eine Absage für das Vorstellungsgespräch schreiben? "
                "Außerdem: Wie lange hält sich gekochter Reis im Kühlschrank?",
                2,
            ),
        ],
    )
    def test_a_second_question_on_its_own_topic_still_counts(self, text, count):
        assert len(option_texts(text, "multi_intent")) == count


class TestCountedWordsOfSomeoneElse:
    @pytest.mark.parametrize(
        "text",
        [
            "Two things my landlord told me: that the heating is my problem and that the "
            "window was already cracked. I don't believe either. How do I answer him "
            "politely?",
            "Deux choses que m'a dites ma cheffe : que le rapport est trop long et que les "
            "chiffres ne sont pas à jour. Comment lui répondre sans paraître vexée ?",
            "Tres cosas que me ha comentado mi vecino: que el perro ladra de noche, que "
            "dejamos la basura fuera y que la música está alta. ¿Cómo hablo con él sin "
            "montar un drama?",
            "Zwei Dinge, die mein Chef bemängelt hat: dass die Folien überladen sind und "
            "dass die Zahlen fehlen. Wie gehe ich das Gespräch morgen an?",
        ],
    )
    def test_a_count_of_what_someone_said_is_background(self, text):
        assert option_texts(text, "multi_intent") == []

    @pytest.mark.parametrize(
        "text",
        [
            "Two things came up in the review: that the logo is too big and that the blue "
            "looks off. How do I push back on the second one?",
            "Deux choses ressortent de la réunion : que le budget est trop serré et que le "
            "planning glisse. Comment le présenter au client ?",
            "Zwei Punkte aus dem Feedback: dass der Text zu lang ist und dass die Bilder "
            "fehlen. Wie antworte ich darauf?",
        ],
    )
    def test_counted_that_clauses_are_content_not_requests(self, text):
        assert option_texts(text, "multi_intent") == []

    @pytest.mark.parametrize(
        "text",
        [
            "Two things for today: can you shorten my cover letter, and what should I wear "
            "to the interview?",
            "Deux choses : peux-tu relire mon CV, et comment négocier mon salaire ?",
            "Dos cosas: ¿me corriges este correo? Y ¿qué regalo a mi suegra por su cumpleaños?",
            "Zwei Fragen: Kannst du meinen Lebenslauf kürzen? Und was ziehe ich zum "
            "Vorstellungsgespräch an?",
        ],
    )
    def test_a_count_of_the_writer_s_own_requests_still_splits(self, text):
        assert len(option_texts(text, "multi_intent")) == 2


class TestStatementsAskNothing:
    @pytest.mark.parametrize(
        "text",
        [
            "Hello,\n\nI've used your service since 2019, first on the Starter plan and "
            "later on Plus after you retired Starter. Plus is pricier than Starter was, "
            "but the backups made it worth it.\n\nThe trouble started last week. Since "
            "Monday the sync stops halfway on my laptop. My desktop syncs fine with the "
            "same folder.\n\nI've restarted both and signed in again.\n\nCan you look at "
            "it?",
            "Bonjour,\n\nJe suis client depuis 2019, d'abord avec la formule Solo, puis "
            "avec Plus quand vous avez arrêté Solo, et je ne veux pas changer. Plus est "
            "plus chère, mais elle inclut les sauvegardes.\n\nLe souci a commencé la "
            "semaine dernière. Depuis lundi, la synchro s'arrête à mi-chemin sur mon "
            "portable. Mon fixe synchronise bien le même dossier.\n\nJ'ai redémarré les "
            "deux et je me suis reconnecté.\n\nPouvez-vous regarder ?",
            "Hola:\n\nSoy cliente desde 2019, primero con el plan Solo y luego con Plus, "
            "y no quiero cambiar. Además es más caro, pero incluye copias de "
            "seguridad.\n\nEl lío empezó la semana pasada. Desde el lunes la "
            "sincronización se para a medias en mi portátil. El sobremesa sincroniza "
            "bien la misma carpeta.\n\nHe reiniciado los dos y he vuelto a "
            "entrar.\n\n¿Podéis revisarlo?",
            "Hallo,\n\nich bin seit 2019 Kunde, erst im Tarif Solo, dann im Tarif Plus. "
            "Außerdem ist Plus teurer, aber mit Backups.\n\nDer Ärger fing letzte Woche "
            "an. Seit Montag bricht die Synchronisierung auf meinem Laptop mittendrin "
            "ab. Der Desktop synchronisiert denselben Ordner problemlos.\n\nIch habe "
            "beide neu gestartet und mich neu angemeldet.\n\nKönnen Sie das prüfen?",
        ],
    )
    def test_a_statement_with_its_verb_right_after_the_opener_adds_no_request(self, text):
        assert option_texts(text, "multi_intent") == []

    @pytest.mark.parametrize(
        "text",
        [
            "Could you check why my invoice shows two seats? Plus, can you tell me how to "
            "add a third user?",
            "Also is there a way to export my data before I cancel? And can you confirm "
            "the refund for May?",
        ],
    )
    def test_an_opener_before_a_request_still_adds_one(self, text):
        assert len(option_texts(text, "multi_intent")) == 2


class TestPointsOfOneComparison:
    @pytest.mark.parametrize(
        "text",
        [
            "Could you compare Notion vs Obsidian for my thesis notes? Things I care "
            "about:\n\n- working offline on the train\n- how painful linking is\n- "
            "exporting to Word\n- not paying much",
            "Peux-tu comparer Notion et Obsidian pour mes notes de thèse ? Les choses qui "
            "comptent pour moi :\n\n- travailler hors ligne\n- comment marche l'export "
            "vers Word\n- ne pas payer trop cher",
            "¿Puedes comparar Notion con Obsidian para mis apuntes? Las cosas que me "
            "importan:\n\n- trabajar sin conexión\n- cómo funciona la exportación a "
            "Word\n- no pagar demasiado",
            "Kannst du Notion und Obsidian für meine Notizen vergleichen? Dinge, die mir "
            "wichtig sind:\n\n- offline arbeiten\n- wie der Export nach Word "
            "funktioniert\n- nicht zu viel bezahlen",
        ],
    )
    def test_a_list_of_points_after_a_comparison_is_no_list_of_requests(self, text):
        assert option_texts(text, "multi_intent") == []

    def test_a_list_of_questions_after_a_comparison_still_splits(self):
        text = (
            "I'm comparing two flats and need help with a few things:\n- what should I ask "
            "the landlord about heating?\n- is a 12-month lease normal here?\n- how do I "
            "check the building's insurance?"
        )
        assert len(option_texts(text, "multi_intent")) == 3


class TestQuestionsTheWriterAnswered:
    @pytest.mark.parametrize(
        "text",
        [
            "Can I compost citrus peel? oh wait, just found it, small amounts are fine. How "
            "long until the compost is ready to use?",
            "Est-ce qu'on peut congeler du pesto maison ? Ah, j'ai trouvé, dans des bacs à "
            "glaçons. Combien de temps se garde-t-il au congélateur ?",
            "¿Se puede congelar la tortilla de patatas? Vale, ya lo he encontrado, mejor sin "
            "cebolla. ¿Cuánto tiempo aguanta en el congelador?",
            "Kann man Pesto einfrieren? Ach, hab's gefunden, am besten in Eiswürfelformen. "
            "Wie lange hält es sich im Gefrierfach?",
        ],
    )
    def test_a_question_whose_answer_the_writer_found_is_not_asked(self, text):
        assert option_texts(text, "multi_intent") == []

    def test_two_questions_with_no_answer_found_still_split(self):
        text = (
            "Can I compost citrus peel? Also, what's a good recipe for lemon curd that "
            "keeps for a week?"
        )
        assert len(option_texts(text, "multi_intent")) == 2


class TestPremiseOfTheCases:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "If the flight gets cancelled, what are my rights if the airline offers a "
                "voucher, and what if it offers nothing?",
                ["if the airline offers a voucher", "if it offers nothing"],
            ),
            (
                "Si le vol est annulé, que puis-je exiger si la compagnie propose un avoir, "
                "et si elle ne propose rien ?",
                ["si la compagnie propose un avoir", "si elle ne propose rien"],
            ),
            (
                "Si cancelan el vuelo, ¿qué puedo reclamar si la aerolínea ofrece un bono y "
                "qué si no ofrece nada?",
                ["si la aerolínea ofrece un bono", "si no ofrece nada"],
            ),
            (
                "Wenn der Flug ausfällt, was steht mir zu, wenn die Airline einen Gutschein "
                "anbietet, und was, wenn sie nichts anbietet?",
                ["wenn die Airline einen Gutschein anbietet", "wenn sie nichts anbietet"],
            ),
        ],
    )
    def test_a_case_that_frames_the_question_is_not_one_of_its_cases(self, text, wanted):
        assert option_texts(text, "conditional") == wanted

    def test_cases_each_with_its_own_question_all_count(self):
        text = (
            "If it rains on Saturday, what do we do? If it's sunny, where do we go? And if "
            "it snows, do we stay home?"
        )
        assert option_texts(text, "conditional") == [
            "If it rains on Saturday",
            "If it's sunny",
            "if it snows",
        ]


class TestRequestsTakenBack:
    @pytest.mark.parametrize(
        ("text", "dropped"),
        [
            (
                "Two things from the office. First, can you draft a short welcome note for "
                "our new intern? Second, my manager wants to know how our leave policy "
                "compares to the legal minimum... actually scratch that, HR will answer it. "
                "Instead: how do I book a meeting room for twelve people in Outlook?",
                "leave policy",
            ),
            (
                "Deux choses pour le bureau. D'abord, peux-tu rédiger un petit mot d'accueil "
                "pour notre stagiaire ? Ensuite, ma cheffe veut savoir combien coûte la "
                "mutuelle par salarié... non, laisse tomber, je demanderai aux RH. À la "
                "place : comment réserver une salle pour douze personnes dans Outlook ?",
                "mutuelle",
            ),
            (
                "Dos cosas de la oficina. Primero, ¿me escribes una nota de bienvenida para "
                "el becario? Segundo, mi jefa quiere saber cuánto cuesta el seguro médico "
                "por empleado... bueno, olvídalo, se lo pregunto a RR. HH. En su lugar: "
                "¿cómo reservo una sala para doce personas en Outlook?",
                "seguro médico",
            ),
            (
                "Zwei Dinge aus dem Büro. Erstens, kannst du eine kurze Begrüßung für "
                "unseren Praktikanten schreiben? Zweitens will meine Chefin wissen, was die "
                "Betriebsrente pro Kopf kostet... ach, vergiss es, ich frage die "
                "Personalabteilung. Stattdessen: Wie buche ich in Outlook einen Raum für "
                "zwölf Leute?",
                "Betriebsrente",
            ),
        ],
    )
    def test_a_request_the_writer_takes_back_is_no_option(self, text, dropped):
        options = option_texts(text, "multi_intent")
        assert len(options) == 2
        assert not any(dropped in option for option in options)
        assert "Outlook" in options[-1]

    def test_forgetting_told_in_a_request_takes_nothing_back(self):
        text = (
            "Can you remind me how to reset my router? I always forget it. Also, what's a "
            "good way to label the cables behind my desk?"
        )
        assert len(option_texts(text, "multi_intent")) == 2


class TestTheAskOfAnItem:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Bonjour,\n\nPourriez-vous changer l'adresse de livraison de mon abonnement ? "
                "Le formulaire du site ne l'enregistre pas.\n\nDernière chose, j'ai ouvert un "
                "deuxième compte par erreur avec mon adresse pro l'an dernier. Je voudrais "
                "savoir comment le fermer définitivement.\n\nMerci",
                "Je voudrais savoir comment le fermer définitivement",
            ),
            (
                "Hola:\n\n¿Podéis cambiar la dirección de entrega de mi suscripción? El "
                "formulario de la web no la guarda.\n\nUna última cosa, el año pasado abrí "
                "una segunda cuenta por error con el correo del trabajo. Quisiera saber cómo "
                "cerrarla del todo.\n\nGracias",
                "Quisiera saber cómo cerrarla del todo",
            ),
        ],
    )
    def test_an_item_that_tells_a_problem_is_asked_in_the_sentence_after(self, text, wanted):
        assert option_texts(text, "multi_intent")[-1] == wanted

    def test_a_paragraph_item_keeps_its_ask_inside_its_span(self):
        text = (
            "Hello,\n\nCould you change the delivery address on my subscription to 4 Elm "
            "Street? The form on the site won't save it.\n\nLast thing, I opened a second "
            "account by mistake with my work email last year. I'd like to know how to close "
            "it for good.\n\nThanks"
        )
        assert "how to close it" in option_texts(text, "multi_intent")[-1]
