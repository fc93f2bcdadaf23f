"""Several requests told by their structure in every language: questions coordinated
under one question mark, and the near-misses that stay one request."""

from __future__ import annotations

import pytest

from chatroutes.server.domain.branch_detection import detect

_FENCE = "`" * 3


def requests(text: str) -> list[str]:
    """The several-request suggestions of ``text``, in text order."""
    found = sorted(detect(text, count=10).suggestions, key=lambda s: s.start)
    return [text[s.start : s.end] for s in found if s.kind == "multi_intent"]


class TestQuestionsSharingOneMark:
    """After a count, a question opened by a question word and an ask joined to it by
    "and" share the sentence's one question mark: both are asked."""

    @pytest.mark.parametrize(
        "text",
        [
            "Hey, two things: how do I get wax out of a carpet and can you write a short "
            "note for my landlord?",
            "Coucou, deux choses : comment j'enlève de la cire d'un tapis et tu peux me "
            "rédiger un mot pour mon propriétaire ?",
            "Buenas, dos cosas: cómo quito cera de una alfombra y me puedes escribir una "
            "nota para el casero?",
            "Servus, zwei Sachen: wie bekomme ich Wachs aus dem Teppich und kannst du mir "
            "eine Nachricht an den Vermieter schreiben?",
        ],
    )
    def test_both_are_requests(self, text):
        assert len(requests(text)) == 2

    @pytest.mark.parametrize(
        "text",
        [
            "When I open the app and can you tell me why it logs me out every time?",
            "Wie lange dauert der Flug nach Lissabon und kannst du mir sagen, ob ich "
            "umsteigen muss?",
            "Quand j'ouvre l'application et que je me connecte, pourquoi ça plante ?",
        ],
    )
    def test_one_matter_stays_one_request(self, text):
        assert requests(text) == []


class TestTurnCutOffOnItsOwn:
    """A turn to another matter cut off before "but" ("and unrelated but …") still opens
    the clause after it; a problem then asked about with a bare comma is one request."""

    @pytest.mark.parametrize(
        "text",
        [
            "just got to the campsite, no signal at all. whats the best way to dry a wet "
            "tent overnight?? the forecast says more rain. and unrelated but my passport got "
            "soaked in the rain, who do i even ask about a new one out here",
            "Je viens d'arriver au camping, aucun réseau. comment sécher une tente mouillée "
            "pendant la nuit ?? La météo annonce encore de la pluie. et sinon mais mon "
            "passeport a pris l'eau, qui je dois contacter pour en refaire un",
            "recién llegamos al camping, sin cobertura. cuál es la mejor forma de secar una "
            "tienda mojada?? dicen que sigue lloviendo. y aparte pero mi pasaporte se mojó "
            "entero, a quién le pregunto por uno nuevo aquí",
            "gerade am Zeltplatz angekommen, kein Netz. wie trockne ich ein nasses Zelt über "
            "Nacht?? es soll weiter regnen. und übrigens aber mein Reisepass ist komplett "
            "nass geworden, wen frage ich hier nach einem neuen",
        ],
    )
    def test_two_requests(self, text):
        assert len(requests(text)) == 2

    @pytest.mark.parametrize(
        "text",
        [
            "my car key stopped opening the doors this morning, who should i even call "
            "about that on a sunday",
            "Mi llave del coche dejó de abrir las puertas esta mañana, a quién llamo un domingo",
            "Mein Autoschlüssel öffnet seit heute früh die Türen nicht mehr, wen rufe ich "
            "am Sonntag an",
        ],
    )
    def test_problem_and_its_question_are_one(self, text):
        assert requests(text) == []


class TestLaterRequestAfterAnOpener:
    """A third request after two: an order after an opener of any wording ("and while
    we're at it, recommend …"), or a last question announced as such and asked without
    its question mark, past a short heading ("Last one, promise: how long …")."""

    @pytest.mark.parametrize(
        "text",
        [
            "We're driving to the coast on Friday with two dogs. Which beaches near "
            "Brighton allow dogs in summer? Also, is there a rule about leaving them in the "
            "car with windows down? And while we're at it, recommend a pub with a garden "
            "that takes dogs.",
            "On part à la mer vendredi avec deux chiens. Quelles plages autour de Biarritz "
            "acceptent les chiens l'été ? Et aussi, est-ce qu'on a le droit de les laisser "
            "dans la voiture fenêtres ouvertes ? Et tant qu'on y est, propose-moi un "
            "restaurant avec terrasse qui accepte les chiens.",
            "Nos vamos a la costa el viernes con dos perros. ¿Qué playas cerca de Valencia "
            "admiten perros en verano? Además, ¿se puede dejarlos en el coche con las "
            "ventanillas bajadas? Y ya puestos, recomiéndame un bar con terraza donde "
            "acepten perros.",
            "Wir fahren am Freitag mit zwei Hunden an die Ostsee. Welche Strände bei Kiel "
            "erlauben im Sommer Hunde? Außerdem, darf man sie mit offenen Fenstern im Auto "
            "lassen? Und wo wir schon dabei sind, empfiehl mir ein Lokal mit Biergarten, wo "
            "Hunde erlaubt sind.",
            "Fixing up the garden this weekend. Which hedge grows fastest in shade? "
            "Separately, how do I get moss off the patio without a pressure washer. Last "
            "one, promise: how long should new turf rest before anyone walks on it",
            "On refait le jardin ce week-end. Quelle haie pousse le plus vite à l'ombre ? "
            "Par ailleurs, comment enlever la mousse de la terrasse sans nettoyeur haute pression. "
            "Dernière chose, promis : combien de temps laisser reposer le gazon neuf avant "
            "de marcher dessus",
            "Este finde arreglamos el jardín. ¿Qué seto crece más rápido a la sombra? "
            "Aparte, cómo quito el musgo del patio sin hidrolimpiadora. Una última cosa, "
            "prometido: cuánto tiempo hay que esperar antes de pisar el césped nuevo",
            "Am Wochenende machen wir den Garten. Welche Hecke wächst im Schatten am "
            "schnellsten? Außerdem, wie bekomme ich Moos von der Terrasse ohne "
            "Hochdruckreiniger. Letzte Frage, versprochen: wie lange muss neuer Rollrasen "
            "ruhen, bevor man drauf läuft",
        ],
    )
    def test_three_requests(self, text):
        assert len(requests(text)) == 3

    @pytest.mark.parametrize(
        "text",
        [
            "Can you write a short toast for my sister's wedding? And while you're at it, "
            "keep it under two minutes.",
            "Peux-tu m'écrire un petit discours pour le mariage de ma sœur ? Dernière "
            "chose : il doit durer moins de deux minutes.",
            "Schreib mir bitte eine kurze Rede für die Hochzeit meiner Schwester. Letzte "
            "Sache: sie sollte unter zwei Minuten bleiben.",
        ],
    )
    def test_a_constraint_stays_with_its_request(self, text):
        assert requests(text) == []


class TestNothingOfItsOwnAsked:
    """A question the writer answers at once, the answer included, and asking leave to
    ask, in any language, bring no request of their own."""

    @pytest.mark.parametrize(
        "text",
        [
            "Should I sign up for the gym down the road? No, honestly no, I never go. But I "
            "want to move more: can you suggest a short routine to do at home?",
            "Est-ce que je devrais m'inscrire à la salle du quartier ? Non, franchement non, "
            "je n'y vais jamais. Mais je veux bouger plus : tu me proposes une routine "
            "courte à faire chez moi ?",
            "¿Debería apuntarme al gimnasio del barrio? No, la verdad es que no, nunca voy. "
            "Pero quiero moverme más: ¿me propones una rutina corta para hacer en casa?",
            "Soll ich mich im Fitnessstudio um die Ecke anmelden? Nein, ehrlich gesagt nicht, "
            "ich gehe nie hin. Aber ich will mich mehr bewegen: schlägst du mir eine kurze "
            "Übung für zu Hause vor?",
            "Can I ask you something? Do you know how to clear the history in a browser?",
            "Je peux te poser une question ? Tu sais comment on efface l'historique du "
            "navigateur ?",
            "¿Te puedo hacer una pregunta? ¿Sabes cómo se borra el historial del navegador?",
            "Kann ich dich mal was fragen? Weißt du, wie man im Browser den Verlauf löscht?",
        ],
    )
    def test_one_request(self, text):
        assert requests(text) == []


class TestLinesAfterACount:
    """A count of requests ending with a colon, then one line each, marked or not: each
    line is a request, even one whose words hold a negation ("pas trop chère"); the
    closing line is none of them, and a line cut at an abbreviation stays whole."""

    @pytest.mark.parametrize(
        "text",
        [
            "I run a small bike repair shop and I'm behind on everything.\n\nThree quick "
            "questions:\nwhat should I charge for a full service on an e-bike;\nwhether I "
            "need a licence to sell second-hand bikes;\nand how do I back up the booking "
            "calendar before I switch apps.\n\nThanks!",
            "Je tiens un petit atelier vélo et je suis débordé.\n\nTrois petites questions "
            ":\ncombien facturer une révision complète de vélo électrique ;\nsi j'ai besoin "
            "d'une licence pour revendre des vélos d'occasion ;\net comment sauvegarder le "
            "calendrier des réservations avant de changer d'appli.\n\nMerci !",
            "Tengo un pequeño taller de bicis y voy fatal de tiempo.\n\nTres dudas rápidas:"
            "\ncuánto cobrar por una revisión completa de una bici eléctrica;\nsi necesito "
            "licencia para vender bicis de segunda mano;\ny cómo hago copia de la agenda de "
            "reservas antes de cambiar de app.\n\n¡Gracias!",
            "Ich habe eine kleine Fahrradwerkstatt und komme mit nichts hinterher.\n\nDrei "
            "kurze Fragen:\nwas ich für eine komplette Inspektion eines E-Bikes verlangen "
            "soll;\nob ich eine Genehmigung brauche, um gebrauchte Räder zu verkaufen;\nund "
            "wie ich den Buchungskalender sichere, bevor ich die App wechsle.\n\nDanke!",
            "J'ai besoin de trois choses :\n- relire ma lettre de motivation, je la colle "
            "plus bas ;\n- des conseils pour ne pas stresser avant l'entretien ;\n- une idée "
            "de tenue pas trop chère.\n\nMerci beaucoup",
        ],
    )
    def test_three_requests(self, text):
        assert len(requests(text)) == 3

    def test_a_line_cut_at_an_abbreviation_stays_whole(self):
        text = (
            "Two things please:\nadd a seat to our plan\nrestore the Smith v. Lee folder "
            "that got deleted\nThanks!"
        )
        assert requests(text)[-1] == "restore the Smith v. Lee folder that got deleted"

    @pytest.mark.parametrize(
        "text",
        [
            "Our office had three problems this week:\nthe printer jammed on Monday;\nthe "
            "wifi dropped during a client call;\nand the coffee machine leaked.\nAnyway, how "
            "do I write a polite note asking people to report faults?",
            "Notre bureau a eu trois soucis cette semaine :\nl'imprimante s'est bloquée "
            "lundi ;\nle wifi a coupé pendant un appel ;\net la machine à café a fui.\nBref, "
            "comment rédiger un mot poli pour qu'on signale les pannes ?",
            "Since the update we have a few problems:\n- uploads fail\n- thumbnails are "
            "broken\n- the admin page shows an error\nWe suspect the proxy. How do we find "
            "out where that comes from?",
            "Depuis la mise à jour on a quelques soucis :\n- les envois échouent\n- les "
            "miniatures sont cassées\n- la page admin affiche une erreur\nOn pense au "
            "proxy. Comment on trouve d'où ça vient ?",
            "Desde la actualización tenemos varios problemas:\n- las subidas fallan\n- las "
            "miniaturas salen rotas\n- el panel muestra un error\nCreemos que es el proxy. "
            "¿Cómo averiguamos de dónde viene esto?",
            "Seit dem Update haben wir ein paar Probleme:\n- Uploads schlagen fehl\n- "
            "Vorschaubilder sind kaputt\n- die Admin-Seite zeigt einen Fehler\nWir tippen "
            "auf den Proxy. Wie finden wir heraus, woher das kommt?",
        ],
    )
    def test_lines_told_before_one_question_ask_once(self, text):
        assert requests(text) == []


class TestListOfMixedForms:
    """A numbered list whose items take different forms, an order, a question and a
    problem that keeps coming back, holds separate requests; a list of orders only,
    steps followed, does not."""

    @pytest.mark.parametrize(
        "text",
        [
            "Morning! I run a tiny flower shop and here's my pile:\n\n1. write a two-line "
            "description for our autumn wreaths\n2. how long can cut tulips stay in the cold "
            "room?\n3. the card terminal keeps disconnecting every afternoon",
            "Bonjour ! Je tiens une petite boutique de fleurs, voilà ma liste :\n\n1. écris "
            "une description de deux lignes pour nos couronnes d'automne\n2. combien de "
            "temps les tulipes coupées tiennent en chambre froide ?\n3. le terminal de "
            "paiement n'arrête pas de se déconnecter l'après-midi",
            "¡Buenas! Tengo una floristería pequeña y aquí va la lista:\n\n1. escríbeme una "
            "descripción de dos líneas para las coronas de otoño\n2. ¿cuánto aguantan los "
            "tulipanes cortados en la cámara?\n3. el datáfono no para de desconectarse por "
            "las tardes",
            "Moin! Ich habe einen kleinen Blumenladen, hier meine Liste:\n\n1. schreib mir "
            "eine kurze Beschreibung für unsere Herbstkränze\n2. wie lange halten "
            "geschnittene Tulpen im Kühlraum?\n3. das Kartenterminal hört nicht auf, sich "
            "nachmittags abzumelden",
        ],
    )
    def test_each_item_is_a_request(self, text):
        assert len(requests(text)) == 3

    def test_steps_followed_then_one_question(self):
        text = (
            "Here is what I do every morning:\n1. Export the sales report\n2. Send it to "
            "the office printer\n3. Check the tray\nThe printer keeps jamming on page two. "
            "Why does it do this?"
        )
        assert requests(text) == []


class TestOrderThenAnother:
    """ "and then" before a second order on another topic opens a request of its own in
    every language; an order then another on the same thing, or "if …, then …", does
    not."""

    @pytest.mark.parametrize(
        "text",
        [
            "help me balance this chemistry equation step by step and then suggest a gift "
            "for my brother who loves cycling",
            "aide-moi à résoudre cette équation étape par étape et puis dis-moi quoi offrir "
            "à ma mère pour son anniversaire",
            "ayúdame a resolver esta ecuación paso a paso y luego dime qué le regalo a mi "
            "madre por su cumpleaños",
            "hilf mir, diese Gleichung Schritt für Schritt zu lösen, und dann sag mir, was "
            "ich meiner Mutter zum Geburtstag schenke",
        ],
    )
    def test_two_requests(self, text):
        assert len(requests(text)) == 2

    @pytest.mark.parametrize(
        "text",
        [
            "Export the table to CSV and then send it to Maria",
            "Lis mon texte et puis corrige les fautes d'orthographe",
            "If the upload fails again, then what should I check first?",
            "Wenn der Upload wieder scheitert, was prüfe ich dann zuerst?",
        ],
    )
    def test_one_request(self, text):
        assert requests(text) == []


class TestTurnAfterAndThen:
    """ "And then, something completely different: …" turns to another matter in every
    language, the turn worded after its noun ("chose complètement différente", "cosa
    totalmente distinta") as well as before it."""

    @pytest.mark.parametrize(
        "text",
        [
            "I'm planning my daughter's birthday, twelve kids in the garden. I need ideas "
            "for outdoor games that don't need much gear. And then, something completely "
            "different: how do you get a red wine stain off a light sofa?",
            "J'organise l'anniversaire de ma fille, on sera douze enfants au jardin. J'ai "
            "besoin d'idées de jeux en plein air sans trop de matériel. Et puis, chose "
            "complètement différente : comment on enlève une tache de vin rouge sur un "
            "canapé clair ?",
            "Estoy organizando el cumple de mi hija, seremos doce niños en el jardín. "
            "Necesito ideas de juegos al aire libre sin mucho material. Y luego, cosa "
            "totalmente distinta: ¿cómo se quita una mancha de vino tinto del sofá claro?",
            "Ich plane den Geburtstag meiner Tochter, zwölf Kinder im Garten. Ich brauche "
            "Ideen für Spiele draußen ohne viel Material. Und dann, etwas ganz anderes: wie "
            "bekommt man einen Rotweinfleck aus einem hellen Sofa?",
        ],
    )
    def test_two_requests(self, text):
        assert len(requests(text)) == 2

    def test_a_follow_up_on_the_same_matter(self):
        text = (
            "I need ideas for outdoor games for twelve kids. And then, what do we do if it "
            "rains halfway through?"
        )
        assert requests(text) == []


class TestCountSaidUnrelated:
    """A count said to be unrelated ("Two things, unrelated.", "Deux choses sans
    rapport.") then an order in each sentence, the second joined by "and" with its
    pronoun ("Und erklär mir", "Y explícame"): two requests; a count of things that
    happened stays a story."""

    @pytest.mark.parametrize(
        "text",
        [
            "Two things, unrelated. Reformat this reference in Vancouver style: Doe A. "
            "Sleep. Lancet 2020;1:2. And explain what a fixed-effects model assumes.",
            "Deux choses sans rapport. Propose-moi un nom pour notre chaton, elle est grise "
            "et très paresseuse. Et explique-moi combien de temps prend un renouvellement "
            "de passeport.",
            "Dos cosas que no tienen nada que ver. Sugiéreme un nombre para nuestra gatita, "
            "es gris y muy perezosa. Y explícame cuánto tarda ahora la renovación del "
            "pasaporte.",
            "Zwei Sachen, unabhängig voneinander. Schlag mir einen Namen für unser "
            "Kätzchen vor, sie ist grau und sehr faul. Und erklär mir, wie lange eine "
            "Passverlängerung gerade dauert.",
        ],
    )
    def test_two_requests(self, text):
        found = requests(text)
        assert len(found) == 2
        assert not found[0].lower().startswith(("two", "deux", "dos", "zwei"))

    def test_a_story_counted(self):
        assert (
            requests("Two things happened, unrelated. My kitten ran away and my passport expired.")
            == []
        )


class TestAndWhichQuestion:
    """An order, then a sentence opened by "and" and a question word on another topic,
    is two requests whatever the question word's language."""

    @pytest.mark.parametrize(
        "text",
        [
            "hey, explain tectonic plates to me real quick, geography quiz tomorrow. and "
            "which laptop under 500 euros is worth it right now?",
            "salut, explique-moi vite fait la tectonique des plaques, interro de géo demain. "
            "et quel ordi à moins de 500 euros vaut le coup en ce moment ?",
            "oye, explícame rápido la tectónica de placas, mañana tengo examen de geo. y "
            "cuál portátil de menos de 500 euros merece la pena ahora?",
            "hey, erklär mir mal kurz die Plattentektonik, morgen Erdkunde-Test. und "
            "welcher Laptop unter 500 Euro lohnt sich grad?",
        ],
    )
    def test_two_requests(self, text):
        assert len(requests(text)) == 2

    def test_a_detail_of_the_same_order(self):
        text = (
            "salut, explique-moi la tectonique des plaques pour mon interro. et quelle "
            "partie de la tectonique des plaques tombe le plus souvent ?"
        )
        assert requests(text) == []


class TestParagraphHoldingTwoRequests:
    """After code, a paragraph holding an order after a turn ("also while you're here",
    "por cierto", with the order's pronoun attached: "sugiéreme") and a question after
    "and": each sentence that asks is a request, not the paragraph."""

    @pytest.mark.parametrize(
        "text",
        [
            "my export script stops with this:\n\n"
            + _FENCE
            + "\nKeyError: 'price'\n"
            + _FENCE
            + "\n\nthe file definitely has a price column, I checked. why does it fail?\n\nalso "
            "while you're here, suggest a name for my pottery shop, earthy and minimal. and how do "
            "I get my first reviews without asking friends",
            "mon script d'export s'arrête avec ça :\n\n"
            + _FENCE
            + "\nKeyError: 'price'\n"
            + _FENCE
            + "\n\nle fichier a bien une colonne price, j'ai vérifié. pourquoi ça plante ?\n\nau "
            "fait, propose-moi un nom pour ma boutique de poterie, sobre et naturel. et comment "
            "j'obtiens mes premiers avis sans demander à mes amis",
            "mi script de exportación se para con esto:\n\n"
            + _FENCE
            + "\nKeyError: 'price'\n"
            + _FENCE
            + "\n\nel archivo tiene una columna price, lo he mirado. por qué falla?\n\npor "
            "cierto, sugiéreme un nombre para mi tienda de cerámica, sobrio y natural. y cómo "
            "consigo mis primeras reseñas sin pedírselo a mis amigos",
            "mein Export-Skript bricht damit ab:\n\n"
            + _FENCE
            + "\nKeyError: 'price'\n"
            + _FENCE
            + "\n\ndie Datei hat definitiv eine Spalte price, hab nachgesehen. warum scheitert es?"
            "\n\nübrigens, schreib mir drei Namensideen für meinen Keramikladen, schlicht und "
            "natürlich. und wie bekomme ich meine ersten Bewertungen, ohne Freunde zu fragen",
        ],
    )
    def test_three_requests(self, text):
        assert len(requests(text)) == 3
