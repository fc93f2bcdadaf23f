"""Several requests in one message: numbered lists of separate matters, questions the
writer answers, polite openers, and the other constructions that tell requests apart."""

from __future__ import annotations

import pytest

from chatroutes.server.domain.branch_detection import detect
from chatroutes.server.domain.branch_detection.requests import ASK, QUESTION, segments
from chatroutes.server.domain.branch_detection.text import masked, sentences


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


class TestQuestionTheWriterAnswers:
    """A question followed by the writer's own yes or no was thought aloud, not asked:
    the request after it is the only one."""

    @pytest.mark.parametrize(
        "text",
        [
            "I keep wondering about selling the old car. Should I sell it this year? "
            "Honestly no, it still runs fine and the price is low. Can you draw up a "
            "maintenance schedule for the next twelve months?",
            "Je me demandais pour le déménagement. Est-ce que je dois changer de banque ? "
            "Non, franchement, ça ne vaut pas la peine. Tu peux me faire une liste des "
            "démarches à prévoir pour le mois de juin ?",
            "¿Debería dejar el gimnasio este trimestre? No, ya pagué la cuota entera. "
            "¿Me preparas una rutina de tres días para hacer en casa?",
            "Soll ich den Kurs abbrechen? Nein, ich habe schon zu viel investiert. "
            "Kannst du mir einen Lernplan für die letzten vier Wochen machen?",
        ],
    )
    def test_one_request(self, text):
        assert len(requests(text)) < 2

    @pytest.mark.parametrize(
        "text",
        [
            # "No idea" is no answer: the question stays asked
            "How long does a passport renewal take right now? No idea where to look. "
            "Also, separately, can you explain how to split a restaurant bill in the app?",
            # "no" opening a sentence of its own, not an answer
            "¿Dónde descargo el contrato firmado? No encuentro la pestaña de documentos. "
            "Aparte, ¿cómo añado a un segundo usuario a la cuenta?",
        ],
    )
    def test_no_answer_leaves_the_question(self, text):
        assert len(requests(text)) >= 2


class TestPoliteOpener:
    """A question that only announces a request ("Could you help me out with
    something?") is no request of its own."""

    @pytest.mark.parametrize(
        "text",
        [
            "Hi! Could you help me out with something? Is there a way to get last year's "
            "tax statement as a PDF?",
            "Bonjour ! Tu peux m'aider pour un truc ? Est-ce qu'on peut récupérer une "
            "facture supprimée par erreur ?",
            "Hola, ¿me puedes ayudar con algo? ¿Es posible cambiar el titular de la cuenta?",
            "Hallo, kannst du mir bei etwas helfen? Ist es möglich, den Vertrag auf meine "
            "Firma umzuschreiben?",
            "Could you help me with something? Also, can you fix the broken export button?",
        ],
    )
    def test_one_request(self, text):
        assert len(requests(text)) < 2

    def test_help_with_a_named_thing_is_a_request(self):
        text = (
            "Could you help me with the invoice layout? Also, why is my login blocked since Monday?"
        )
        assert len(requests(text)) == 2


class TestQuestionWithAModal:
    """A second question with a question word and a modal ("bis wann muss …?") asks
    something of its own; a modal without one constrains what the first asks for."""

    @pytest.mark.parametrize(
        "text",
        [
            "How do I change my bank details in the portal? And by when must the "
            "re-enrolment be done?",
            "Comment je change mon adresse de facturation ? Et quand doit-on renvoyer le "
            "formulaire signé ?",
            "¿Cómo cambio la contraseña del router? ¿Y cuándo debe renovarse el contrato de fibra?",
            "wie ändere ich meine adresse im kundenkonto? und bis wann muss der antrag "
            "auf wohngeld gestellt sein?",
        ],
    )
    def test_two_requests(self, text):
        assert len(requests(text)) == 2

    @pytest.mark.parametrize(
        "text",
        [
            "Write me a short speech for my sister's wedding. And it must stay under "
            "three minutes.",
            "Écris-moi un mot d'excuse pour l'école. Et il doit rester poli mais ferme.",
            "Escríbeme un correo para mi casero. Y debe sonar amable.",
            "Schreib mir eine kurze Rede für die Hochzeit. Und sie muss unter drei Minuten "
            "bleiben.",
        ],
    )
    def test_a_constraint_is_the_same_request(self, text):
        assert len(requests(text)) < 2


class TestTaskThenWhyAboutIt:
    """ "Look at X and tell me why it …": the explanation is about what the first task
    handles, one request; an explanation of something else is a second one."""

    @pytest.mark.parametrize(
        "text",
        [
            "Could you look over my cover letter and tell me why it sounds so stiff?",
            "Peux-tu relire mon contrat de location et m'expliquer pourquoi ça coince ?",
            "¿Puedes revisar mi presupuesto y decirme por qué esto no cuadra?",
            "Kannst du meinen Lebenslauf lesen und mir sagen, warum das so lang wirkt?",
        ],
    )
    def test_one_request(self, text):
        assert len(requests(text)) < 2

    def test_an_explanation_of_something_else_is_a_second_request(self):
        text = "Can you correct the date on invoice 12 and explain how to export the yearly report?"
        assert len(requests(text)) == 2


class TestContrastContinuesTheMatter:
    """A clause opened by "but" that asks nothing tells more about the matter before it;
    the French "tu peux …" asks as "peux-tu …" does."""

    @pytest.mark.parametrize(
        ("text", "second"),
        [
            (
                "Two unrelated things. First, the nightly backup job stops halfway, but "
                "I can't tell what kills it. Then, separately, can you suggest a name for "
                "our new reading club?",
                "suggest a name",
            ),
            (
                "Deux trucs sans rapport. D'abord, ma box coupe le wifi chaque soir, mais je "
                "ne vois pas pourquoi. Ensuite, tu peux me proposer un menu végétarien pour "
                "six personnes ?",
                "proposer un menu",
            ),
            (
                "Dos cosas distintas. Primero, la impresora se desconecta sola, pero no sé "
                "por qué pasa. Aparte, ¿me recomiendas un libro de cocina para principiantes?",
                "recomiendas un libro",
            ),
            (
                "Zwei Sachen. Erstens stürzt die Kamera-App ständig ab, aber ich weiß nicht "
                "warum. Außerdem, kannst du mir ein Rezept für Linsensuppe geben?",
                "Rezept für Linsensuppe",
            ),
        ],
    )
    def test_the_contrast_stays_with_the_first_request(self, text, second):
        found = requests(text)
        assert len(found) == 2
        assert second in found[1]

    @pytest.mark.parametrize(
        "text",
        [
            "Salut, tu peux me traduire ce paragraphe en anglais ?",
            "Bonjour, vous pouvez m'envoyer la facture de mars ?",
        ],
    )
    def test_tu_peux_is_an_ask_frame(self, text):
        scan = masked(text)
        forms = [u.form for u in segments(scan, sentences(scan))]
        assert forms and forms[-1] in (ASK, QUESTION)


class TestAfterthoughtsAndLabels:
    """ "Oh, and …" in every language adds a request; "Und ganz was anderes:" turns to
    another topic as "was ganz anderes" does; a sequence word used as a label ("Then:",
    "Dann:") numbers the paragraph it opens."""

    @pytest.mark.parametrize(
        "text",
        [
            "Can you draft a short note to my landlord about the broken heater? Oh, and "
            "how long does he legally have to fix it?",
            "Tu peux m'écrire un mot pour la voisine au sujet du bruit ? Ah, et combien de "
            "temps faut-il pour résilier un bail en France ?",
            "¿Me escribes un mensaje para el casero sobre la humedad del baño? Ah, y otra "
            "pregunta, ¿cuánto cuesta cambiar una ventana?",
            "Kannst du mir eine Nachricht an den Vermieter wegen der Heizung schreiben? "
            "Ach, und wie lange dauert eine Kündigung bei einem Handyvertrag?",
        ],
    )
    def test_oh_and_adds_a_request(self, text):
        assert len(requests(text)) == 2

    def test_ganz_was_anderes_turns_to_another_topic(self):
        text = (
            "Moin, zwei Sachen. Kann ich die Rechnung auf die Firma ausstellen lassen? "
            "Und ganz was anderes: der Export nach Excel bricht seit Montag immer ab."
        )
        assert len(requests(text)) == 2

    @pytest.mark.parametrize(
        "text",
        [
            "a few things on my mind:\n\nfirst: how do I claim back the deposit from my "
            "old flat?\n\nthen: the kids wake up at five every day, any tips for a later "
            "bedtime routine?\n\nand something totally different, can you explain how a "
            "heat pump works?",
            "ein paar sachen:\n\nerstens: wie beantrage ich kindergeld für ein "
            "pflegekind?\n\ndann: die heizung im bad bleibt kalt, was kann ich prüfen?\n\n"
            "und ganz was anderes, kannst du mir den satz des pythagoras erklären?",
        ],
    )
    def test_labelled_paragraphs(self, text):
        assert len(requests(text)) == 3

    def test_then_in_a_story_is_no_label(self):
        text = (
            "First I reset the router and waited ten minutes.\n\nThen I called the "
            "provider, who said the line was fine.\n\nThen I swapped the cable.\n\nWhat "
            "else could make the connection drop every evening?"
        )
        assert len(requests(text)) < 2


class TestParagraphsOnOneHandAndPersonally:
    """ "On the one hand" opens the first of several paragraphs as "First" does, and
    "Personally" turns the last to another topic, in every language."""

    @pytest.mark.parametrize(
        "text",
        [
            "I'm starting a new job next month and would like input on a few things:\n\n"
            "On the one hand, I need a reading list to get up to speed on the product.\n\n"
            "And personally: how do I keep evenings free when the team works late?",
            "Je commence un nouveau poste et j'aimerais un avis sur quelques points :\n\n"
            "D'une part, j'aurais besoin d'un plan pour le premier mois.\n\n"
            "Et personnellement : comment je garde mes soirées libres ?",
            "Empiezo un trabajo nuevo y me gustaría consejo sobre varias cosas:\n\n"
            "Por un lado, necesito un plan de lectura para entender el producto.\n\n"
            "Y personalmente: ¿cómo mantengo libres las tardes?",
            "Ich fange nächste Woche neu an und hätte gern Input zu ein paar Dingen:\n\n"
            "Zum einen bräuchte ich eine Leseliste für die ersten Wochen.\n\n"
            "Und ganz persönlich: Wie halte ich mir die Abende frei?",
        ],
    )
    def test_two_paragraph_requests(self, text):
        assert len(requests(text)) == 2

    def test_a_paragraph_weighing_both_sides_is_no_request(self):
        text = (
            "We're deciding where to hold the offsite.\n\nOn the one hand, the lake "
            "house is cheap.\n\nOn the other hand, the city hotel is closer.\n\nThe "
            "team votes on Friday."
        )
        assert requests(text) == []


class TestCountedItemLabelledThen:
    """After a count of requests, a sentence labelled "Then:" is the next item, even
    when it only tells a problem."""

    @pytest.mark.parametrize(
        "text",
        [
            "Three things about our shop site: How do I add a discount code? Then: the "
            "product photos load twice, every image shows up double. And finally I'd "
            "need an idea for a holiday banner.",
            "Trois choses sur notre site : Comment j'ajoute un code promo ? Ensuite : les "
            "photos se chargent en double sur la page produit. Et enfin j'aimerais une "
            "idée de bannière pour Noël.",
            "Tres cosas sobre la tienda: ¿Cómo añado un código de descuento? Luego: las "
            "fotos de producto se cargan dos veces en la ficha. Y por último necesito una "
            "idea para un banner de Navidad.",
            "Drei Sachen zu unserem Shop: Wie lege ich einen Rabattcode an? Dann: die "
            "Produktfotos laden doppelt, jedes Bild erscheint zweimal. Und zuletzt "
            "bräuchte ich eine Idee für ein Weihnachtsbanner.",
        ],
    )
    def test_three_requests(self, text):
        assert len(requests(text)) == 3

    def test_then_in_the_told_story_is_no_item(self):
        text = (
            "Two things happened today. The build failed on main. Then: we rolled "
            "back and it passed."
        )
        assert requests(text) == []


class TestProblemThenQuestionInOneSentence:
    """A problem told, then "and" and a question word opening a question on another
    topic, in one sentence: two requests. A question pointing back at the problem, a
    cause asked then a fix, or a question in a later sentence are not."""

    @pytest.mark.parametrize(
        "text",
        [
            "hi, can't open the shared calendar since monday and where do I change my "
            "billing email?",
            "je n'arrive plus à me connecter depuis ce matin et où je trouve la facture de mars ?",
            "no puedo entrar en la app desde ayer y dónde descargo la factura de marzo?",
            "ich komme seit gestern nicht mehr rein und wo finde ich die rechnung vom märz?",
        ],
    )
    def test_two_requests(self, text):
        assert len(requests(text)) == 2

    @pytest.mark.parametrize(
        "text",
        [
            "the printer won't connect to the wifi and how do I reset it?",
            "my card got declined twice and why is that?",
            "Woran kann der Fehler beim Start liegen und wie bekomme ich den Dienst "
            "wieder zum Laufen?",
            "The sync keeps failing every night. What's the likely cause and where "
            "should I look first?",
        ],
    )
    def test_one_request(self, text):
        assert len(requests(text)) < 2


class TestQuestionWithoutItsMark:
    """After a topic-turning opener, a question asked without its question mark is a
    request of its own; one that points back at the question before rephrases it."""

    @pytest.mark.parametrize(
        "text",
        [
            "is it normal for a puppy to sleep twenty hours a day? unrelated, what's a "
            "good audiobook for a long drive. oh and how many vacation days do I have "
            "left this year?",
            "est-ce normal qu'un chiot dorme autant ? autre chose, quel livre audio pour "
            "un long trajet. et aussi, combien de jours de congé il me reste ?",
            "¿es normal que un cachorro duerma tanto? aparte, qué audiolibro me "
            "recomiendas para un viaje largo. y también, ¿cuántos días de vacaciones me "
            "quedan?",
            "ist es normal, dass ein welpe so viel schläft? übrigens, welches hörbuch "
            "passt für eine lange fahrt. und außerdem, wie viele urlaubstage habe ich "
            "noch?",
        ],
    )
    def test_three_requests(self, text):
        assert len(requests(text)) == 3

    def test_a_rephrase_pointing_back_is_the_same_question(self):
        text = (
            "Salut, tu peux m'expliquer ce que fait un index partiel ? Enfin, comment ça "
            "marche concrètement."
        )
        assert len(requests(text)) < 2


class TestCountOfWhatSomethingDoes:
    """ "Three things:" counts requests only when the items ask; counted things that
    only say what something does are a description."""

    @pytest.mark.parametrize(
        "text",
        [
            "Our nightly script does three things: copies the photos to the NAS, "
            "resizes the thumbnails, and posts a summary to the team chat.",
            "Notre script fait trois choses : copie les photos sur le NAS, réduit les "
            "miniatures et publie un résumé dans le chat.",
            "Nuestro script hace tres cosas: copia las fotos al NAS, reduce las "
            "miniaturas y publica un resumen en el chat.",
            "Unser Skript macht drei Dinge: kopiert die Fotos auf das NAS, verkleinert "
            "die Vorschaubilder und postet eine Zusammenfassung in den Chat.",
        ],
    )
    def test_a_description_is_no_request(self, text):
        assert requests(text) == []

    @pytest.mark.parametrize(
        "text",
        [
            "Two things: I need a refund for order 1182, and how do I change my password?",
            "Deux choses : j'ai besoin d'un remboursement pour la commande 1182, et "
            "comment je change mon mot de passe ?",
            "Te pido dos cosas: corrígeme esta carta al banco y dime cómo cerrar la "
            "cuenta de ahorro.",
            "Ich habe zwei Sachen: Kannst du meine Bewerbung kürzen? Und wie kündige ich "
            "mein Fitnessstudio?",
        ],
    )
    def test_counted_things_that_ask(self, text):
        assert len(requests(text)) == 2


class TestRequestBeforeAnAddedOne:
    """A problem told, then requests opened by "also" and "and": the problem is the
    first request; a sentence before an ordinal ("Second, …") is not."""

    @pytest.mark.parametrize(
        "text",
        [
            "hello. my phone cannot sync the calendar, it shows an error every time. also "
            "another thing, i want to move to the family plan. and please how do i change "
            "the app language?",
            "bonjour. mon téléphone ne synchronise plus le calendrier, il affiche une "
            "erreur. aussi, autre chose, je voudrais passer à l'offre famille. et comment "
            "je change la langue de l'appli ?",
            "hola. mi móvil no sincroniza el calendario, sale un error cada vez. además, "
            "otra cosa, quiero pasarme al plan familiar. y ¿cómo cambio el idioma de la "
            "app?",
            "hallo. mein handy synchronisiert den kalender nicht, es kommt immer ein "
            "fehler. außerdem, noch was, ich möchte in den familientarif wechseln. und wie "
            "ändere ich die sprache der app?",
        ],
    )
    def test_three_requests(self, text):
        assert len(requests(text)) == 3

    def test_the_sentence_before_an_ordinal_is_not_taken(self):
        text = (
            "A few things came up.\n\nFirst, the April invoice is missing from the "
            "billing page. March is there, and our accountant wants it by Friday.\n\n"
            "Second, we need two more seats on our plan.\n\nAnother thing: since Tuesday "
            "the login page fails for new users."
        )
        assert not any(span.startswith("March") for span in requests(text))


class TestCountedListMarkers:
    """A count, then numbered paragraphs: the number standing alone before its item is
    no request of its own."""

    @pytest.mark.parametrize(
        "text",
        [
            "hey, couple of things from today:\n\n1. this crashes when I run the "
            "import:\n\n```\nValueError: bad header\n```\n\n2. unrelated, can you explain "
            "what a partial index does\n\n3. and can you suggest a name for the new "
            "service",
            "salut, deux trucs :\n\n1. ça plante quand je lance l'import :\n\n```\n"
            "ValueError: bad header\n```\n\n2. autre chose, tu peux m'expliquer ce que "
            "fait un index partiel\n\n3. et tu peux me proposer un nom pour le service",
            "hola, un par de cosas:\n\n1. esto falla cuando lanzo la importación:\n\n```\n"
            "ValueError: bad header\n```\n\n2. aparte, ¿me explicas qué hace un índice "
            "parcial?\n\n3. y ¿me propones un nombre para el servicio nuevo?",
            "hi, ein paar sachen:\n\n1. das hier stürzt beim import ab:\n\n```\n"
            "ValueError: bad header\n```\n\n2. außerdem, kannst du mir erklären, was ein "
            "partieller index macht\n\n3. und kannst du mir einen namen für den dienst "
            "vorschlagen",
        ],
    )
    def test_no_bare_number_is_a_request(self, text):
        found = requests(text)
        assert len(found) >= 2
        assert all(any(c.isalpha() for c in span) for span in found)


class TestTimeToldFromTheFirstTask:
    """ "… before that", "avant ça", "antes de eso" tell when the second task is done,
    not what it handles: two tasks each with an object of its own stay two."""

    @pytest.mark.parametrize(
        "text",
        [
            "I'd like to cancel my gym membership at the end of May, and get all my "
            "invoices as PDF before that.",
            "Je voudrais résilier mon forfait à la fin du mois, et récupérer mes factures "
            "avant ça.",
            "Quiero cancelar mi suscripción a final de mes, y descargar mis facturas antes de eso.",
        ],
    )
    def test_two_tasks(self, text):
        assert len(requests(text)) == 2

    def test_a_task_on_what_the_first_handles_is_the_same_request(self):
        text = "Can you check my draft for typos, and send it to the printer after that?"
        assert len(requests(text)) < 2


class TestAChangeThenWhatToKnow:
    """A wish to change something, then to know something else ("and know whether …",
    "et savoir si …", "y saber si …", "und wissen, ob …"): two requests; knowing how
    the same thing works is one."""

    @pytest.mark.parametrize(
        "text",
        [
            "I'd like to change the delivery address of order 4471 and know whether you "
            "ship to Belgium.",
            "Je voudrais modifier l'adresse de ma commande et savoir si vous livrez en Suisse.",
            "Quisiera cambiar la dirección de mi pedido y saber si hacen envíos a Portugal.",
            "Ich möchte meine Adresse ändern und wissen, ob ihr auch nach Österreich versendet.",
        ],
    )
    def test_two_requests(self, text):
        assert len(requests(text)) == 2

    @pytest.mark.parametrize(
        "text",
        [
            "I'd like to reset my password and know how it works.",
            "Ich möchte meine Adresse ändern und sie danach bestätigen.",
        ],
    )
    def test_one_request(self, text):
        assert len(requests(text)) < 2


class TestExistentialThere:
    """ "Is there …?" points at nothing: a short question so opened is a question of its
    own; one that also says "that" still follows up on the one before."""

    def test_is_there_asks_on_its_own(self):
        text = (
            "Can I change the email on my account? Is there a discount for teachers? "
            "And when does the yearly plan renew?"
        )
        assert len(requests(text)) == 3

    def test_a_follow_up_pointing_back(self):
        text = "How do I export my notes as PDF? Is there a shortcut for that?"
        assert len(requests(text)) < 2


class TestImperativeThenAnAside:
    """An imperative with its pronoun ("Rédige-moi …", "Escríbeme …", "Schreib mir …")
    asks, so a question added after it ("Sinon rien à voir, …", "Por cierto, …") makes
    two requests; a question quoted in a story is not asked."""

    @pytest.mark.parametrize(
        "text",
        [
            "Rédige-moi un petit mot pour le départ de Claire, ton chaleureux. Sinon rien "
            "à voir mais pourquoi mes tomates ont des feuilles jaunes ?",
            "Escríbeme una nota para la despedida de Claire, en tono cálido. Por cierto, "
            "¿por qué se me ponen amarillas las hojas del tomate?",
            "Schreib mir eine kurze Karte zum Abschied von Claire, eher herzlich. "
            "Übrigens, warum bekommen meine Tomaten gelbe Blätter?",
            "Write me a short card for Claire's farewell, warm in tone. By the way, why "
            "do my tomato plants get yellow leaves?",
        ],
    )
    def test_two_requests(self, text):
        assert len(requests(text)) == 2

    @pytest.mark.parametrize(
        "text",
        [
            "Mon frère m'a écrit « tu préfères la mer ou la montagne ? » pour rire. "
            "Sinon, tu peux m'expliquer comment régler le thermostat ?",
            "Mein Bruder schrieb „magst du lieber Meer oder Berge?“ zum Spaß. Übrigens, "
            "kannst du mir erklären, wie man das Thermostat einstellt?",
            "My brother texted me “sea or mountains?” as a joke. Anyway, can you explain "
            "how to set the thermostat?",
        ],
    )
    def test_a_quoted_question_is_not_asked(self, text):
        assert len(requests(text)) < 2


class TestHeadedByQuestions:
    """A message headed by questions in the plural ("Quick questions about …:") announces
    several: the questions after it are separate requests; a heading in the singular
    announces one."""

    @pytest.mark.parametrize(
        "text",
        [
            "Quick questions about my tax return: Can I deduct the costs of my home "
            "office? By when do I have to file for 2023?",
            "Petites questions sur ma déclaration d'impôts : Est-ce que je peux déduire "
            "mon bureau à domicile ? Jusqu'à quand dois-je déclarer pour 2023 ?",
            "Preguntas rápidas sobre la renta: ¿Puedo deducir el despacho en casa si "
            "teletrabajo dos días? ¿Hasta cuándo tengo que presentar la de 2023?",
            "Kurze Fragen zur Steuererklärung: Kann ich mein Arbeitszimmer absetzen? Bis "
            "wann muss ich die Erklärung für 2023 abgeben?",
        ],
    )
    def test_two_requests(self, text):
        assert len(requests(text)) == 2

    def test_one_question_announced(self):
        text = (
            "Quick question about my tax return: can I deduct my home office? I work "
            "from home two days a week."
        )
        assert len(requests(text)) < 2


class TestNoMoreItemsThanCounted:
    """ "Two things: A, and B, a detail of B": a comma-joined part past the count tells
    more about the item before it."""

    @pytest.mark.parametrize(
        "text",
        [
            "Hey, two things: my March invoice shows the wrong VAT number, and I can't "
            "add a new team member, the invite button is greyed out.",
            "Deux choses : ma facture de mars a le mauvais numéro de TVA, et je n'arrive "
            "pas à ajouter un membre, le bouton d'invitation est grisé.",
            "Dos cosas: mi factura de marzo tiene mal el NIF, y no puedo añadir a un "
            "compañero, el botón de invitar está gris.",
            "Zwei Sachen: meine Rechnung vom März hat die falsche Steuernummer, und ich "
            "kann kein Mitglied hinzufügen, der Einladen-Knopf ist grau.",
        ],
    )
    def test_two_items(self, text):
        assert len(requests(text)) == 2

    @pytest.mark.parametrize(
        "text",
        [
            "Two problems: I can't log in, the VAT is wrong and I want another plan.",
            "Zwei Probleme: ich komme nicht rein, die Steuer stimmt nicht und ich will "
            "einen anderen Tarif.",
        ],
    )
    def test_a_list_before_its_and_keeps_its_items(self, text):
        assert len(requests(text)) == 3

    def test_three_counted_stay_three(self):
        text = (
            "Three things: my invoice is wrong, the export is broken, and the app crashes on start."
        )
        assert len(requests(text)) == 3


class TestRequestAfterHandedOverMaterial:
    """A quotation handed over to be worked on is blanked with its full stop: a capital
    after it opens a new sentence, so a request after it stands on its own."""

    @pytest.mark.parametrize(
        "text",
        [
            "Can you fix the grammar in this line for my cover letter: « I has always "
            "loved design and want join your team. » Oh and before I forget, how much "
            "does a junior UX designer earn in Leeds?",
            "Tu peux me corriger cette phrase pour ma lettre : « J'ai toujours aimé le "
            "design et je veux rejoindre votre équipe. » Oh et avant que j'oublie, "
            "combien gagne un graphiste junior à Nantes ?",
            "¿Puedes corregirme esta frase para mi carta: «Siempre me ha gustado el "
            "diseño y quiero unirme a su equipo.» Ah, y antes de que se me olvide, "
            "¿cuánto gana un diseñador junior en Sevilla?",
            "Kannst du mir diesen Satz für mein Anschreiben korrigieren: „Ich habe "
            "Design schon immer geliebt und will zu Ihrem Team.“ Ach, und bevor ich es "
            "vergesse, wie viel verdient ein Junior-Designer in Leipzig?",
        ],
    )
    def test_two_requests(self, text):
        assert len(requests(text)) == 2

    @pytest.mark.parametrize(
        "text",
        [
            "Translate this into German: « The meeting moves to Friday at ten. » Thanks a lot!",
            "Traduis ça en anglais : « La réunion est déplacée à vendredi. » Merci beaucoup !",
        ],
    )
    def test_one_request(self, text):
        assert requests(text) == []
