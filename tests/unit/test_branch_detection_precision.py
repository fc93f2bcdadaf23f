"""Near misses: texts that look like a branch point and are none (a pair inside a
quotation, a question that asks why or who, options stated before another question,
"whichever", a context list), beside the real branch points they resemble."""

from __future__ import annotations

import pytest

from chatroutes.server.domain.branch_detection import candidates, detect


def found(text: str) -> list[tuple[str, str]]:
    """(family, span text) of each suggestion, in text order."""
    suggestions = sorted(detect(text, count=10).suggestions, key=lambda s: s.start)
    return [(s.kind, text[s.start : s.end]) for s in suggestions]


def weak(text: str, kind: str) -> list[float]:
    """The confidences of the candidates of ``kind`` below the threshold."""
    return [s.confidence for s in candidates(text) if s.kind == kind and s.confidence < 0.7]


class TestDisjunctionNearMisses:
    @pytest.mark.parametrize(
        "text",
        [
            "Who has time to cook or clean after a night shift? Anyway, what's a quick dinner?",
            "Qui a envie de repasser ou de ranger le dimanche ? Bref, une recette rapide ?",
            "¿Quién tiene ganas de planchar o limpiar un domingo? En fin, ¿qué ceno hoy?",
            "Warum muss man immer Formulare ausfüllen oder Nummern ziehen? Egal, danke.",
            "Honestly, who reads the manual or the warranty? Anyway, how do I pair it?",
            "Ehrlich gesagt, wer liest AGB oder Beipackzettel? Egal, wie kündige ich?",
        ],
    )
    def test_a_question_asking_why_or_who_offers_no_choice(self, text):
        assert [kind for kind, _ in found(text) if kind == "disjunction"] == []
        assert weak(text, "disjunction")  # read, and kept below the threshold

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            ("Who should I call first, the bank or the police?", ["the bank", "the police"]),
            ("Wer soll fahren, Lena oder Tom?", ["Lena", "Tom"]),
        ],
    )
    def test_who_with_a_choice_frame_still_asks_between_the_options(self, text, wanted):
        assert [span for kind, span in found(text) if kind == "disjunction"][-2:] == wanted

    @pytest.mark.parametrize(
        "text",
        [
            "My boss always answers « on verra » ou « pourquoi pas », it drives me mad.",
            'Mi jefe siempre dice "ya veremos" o "depende". ¿Cómo le pido algo concreto?',
            "Mein Chef sagt immer „mal sehen“ oder „kommt drauf an“. Wie reagiere ich?",
            'Our toddler answers "nope" or "later" to everything. How do we get her talking?',
        ],
    )
    def test_cited_phrases_on_both_sides_are_no_options(self, text):
        assert found(text) == []

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            ('Should the button say "Save" or "Submit"?', ["Save", "Submit"]),
            ('We need a name. Either "Kestrel" or "Harbor" works for me.', ["Kestrel", "Harbor"]),
        ],
    )
    def test_quoted_options_in_a_choice_frame_stay_whole_quotations(self, text, wanted):
        spans = [span for kind, span in found(text) if kind == "disjunction"]
        assert spans == wanted

    @pytest.mark.parametrize(
        "text",
        [
            "Mi sobrino juega a Verdad o Reto con sus amigos, ¿es apropiado a los 8 años?",
            "We'll drive or take the coach on Saturday, so can you list what to pack for a week?",
            "Je prendrai le bus ou le métro, tu peux me dire où dîner près de Bastille ?",
        ],
    )
    def test_options_stated_before_a_question_about_something_else(self, text):
        assert [kind for kind, _ in found(text) if kind == "disjunction"] == []

    @pytest.mark.parametrize(
        "text",
        [
            "My cat is a Siamese or Burmese mix, how much should she eat a day?",
            "On dîne au Chat ou Chien ce soir, comment je m'habille ?",
            "Mi perro es un cruce de labrador o golden, ¿cuánto debe comer?",
            "Wir gehen heute in Salz oder Zucker essen, was soll ich anziehen?",
        ],
    )
    def test_a_pair_in_a_statement_before_a_question_about_something_else(self, text):
        assert [kind for kind, _ in found(text) if kind == "disjunction"] == []

    @pytest.mark.parametrize(
        "text",
        [
            "My boiler clicks twice at night. Is it serious or is it normal in winter?",
            "Mon frigo fait un bruit sourd la nuit. C'est grave ou c'est normal ?",
            "La nevera hace un ruido por la noche. ¿Es esto grave o es normal?",
            "Der Kühlschrank brummt nachts. Ist das schlimm oder normal?",
        ],
    )
    def test_a_question_about_what_is_so_offers_no_way_forward(self, text):
        assert found(text) == []
        assert weak(text, "disjunction")

    @pytest.mark.parametrize(
        "text",
        [
            "Is it smarter to lease the vans or buy them outright?",
            "Est-ce que c'est mieux de louer ou d'acheter à 30 ans ?",
            "Do I repaint the kitchen or replace the cabinets first?",
        ],
    )
    def test_a_question_weighing_what_to_do_stays(self, text):
        assert [kind for kind, _ in found(text)] == ["disjunction", "disjunction"]

    @pytest.mark.parametrize(
        "text",
        [
            "We'll stay two or three nights in Ghent, can you plan the days?",
            "On reste deux ou trois nuits à Gand, tu peux prévoir les journées ?",
            "Nos quedamos dos o tres noches en Gante, ¿me organizas los días?",
            "Wir bleiben zwei oder drei Nächte in Gent, planst du die Tage?",
        ],
    )
    def test_an_approximate_number_is_no_choice(self, text):
        assert found(text) == []

    @pytest.mark.parametrize(
        "text",
        [
            "Does anyone sane prefer a hot or a cold bedroom? Anyway, what temperature is safe "
            "for a baby's room?",
            "Quelqu'un préfère-t-il vraiment dormir au chaud ou au frais ? Bref, quelle "
            "température pour une chambre de bébé ?",
            "¿Alguien prefiere de verdad dormir con frío o con calor? Bueno, da igual. ¿Qué "
            "temperatura va bien para un bebé?",
            "Schläft irgendwer lieber warm oder kalt? Egal. Welche Temperatur passt fürs "
            "Babyzimmer?",
        ],
    )
    def test_a_question_set_aside_right_after_is_not_asked(self, text):
        assert [kind for kind, _ in found(text) if kind == "disjunction"] == []

    @pytest.mark.parametrize(
        "text",
        [
            "I mostly walk or cycle to the office. Which rain jacket would you get?",
            "Je vais souvent au bureau à pied ou à vélo. Quelle veste de pluie prendre ?",
            "Normalmente voy andando o en bici. ¿Qué chubasquero me recomiendas?",
            "Ich gehe meistens zu Fuß oder fahre Rad. Welche Regenjacke empfiehlst du?",
        ],
    )
    def test_a_habit_is_no_choice(self, text):
        assert found(text) == []

    @pytest.mark.parametrize(
        "text",
        [
            "Either my router is dying or my ISP is throttling me. How do I test the speed?",
            "Soit ma box est morte, soit mon opérateur me bride. Comment tester le débit ?",
            "Entweder ist mein Router kaputt oder mein Anbieter drosselt. Wie teste ich das?",
        ],
    )
    def test_guesses_at_what_is_so_are_no_choice(self, text):
        assert found(text) == []
        assert weak(text, "disjunction")

    @pytest.mark.parametrize(
        "text",
        [
            "Either I take the job in Leeds or I stay and ask for a raise.",
            "Pour ses 60 ans, je lui offre soit un week-end à Arles, soit un cours de cuisine.",
            "Ich kann entweder im Herbst den Master anfangen oder ein Jahr arbeiten.",
        ],
    )
    def test_either_with_someone_to_choose_stays(self, text):
        assert [kind for kind, _ in found(text)] == ["disjunction", "disjunction"]

    def test_a_bare_pair_before_a_what_question_stays(self):
        text = "Train or coach, what would you take to Leeds?"
        assert [kind for kind, _ in found(text)] == ["disjunction", "disjunction"]

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            ("Tengo 5 días en Japón, ¿voy a Kioto o a Osaka?", ["a Kioto", "a Osaka"]),
            ("Dos opciones, ir a Lyon o a Nantes, ¿cuál me recomiendas?", ["Lyon", "Nantes"]),
            ("Should I take the M3 or the M4, can you help me decide?", ["the M3", "the M4"]),
        ],
    )
    def test_options_asked_before_or_after_a_comma_stay(self, text, wanted):
        spans = [span for kind, span in found(text) if kind == "disjunction"]
        assert len(spans) == 2 and all(w in s for w, s in zip(wanted, spans, strict=True))

    @pytest.mark.parametrize(
        "text",
        [
            "Book me a train or a bus to Leeds, whichever is cheaper.",
            "Je viendrai mardi ou mercredi, peu importe. Tu peux réserver la salle ?",
            "Iré el martes o el miércoles, da igual. ¿Me reservas la sala?",
            "Ich komme Dienstag oder Mittwoch, egal. Kannst du den Raum buchen?",
        ],
    )
    def test_either_will_do_is_no_choice(self, text):
        assert [kind for kind, _ in found(text) if kind == "disjunction"] == []

    @pytest.mark.parametrize(
        "text",
        [
            "The clinic said I could either come Monday or Thursday, and I booked Thursday. "
            "Can you write a reminder?",
            "La banque m'a proposé soit un prêt fixe, soit un prêt variable ; j'ai pris le fixe. "
            "Tu peux relire la lettre ?",
            "Me ofrecieron pagar al contado o a plazos, y pagué al contado. ¿Me haces un recibo?",
            "Man bot mir Barzahlung oder Ratenzahlung an, ich habe bar bezahlt. Schreib eine "
            "Quittung.",
        ],
    )
    def test_options_whose_choice_is_already_made_are_context(self, text):
        assert found(text) == []

    def test_options_weighed_after_they_are_named_stay(self):
        text = "Should we meet on Monday or on Thursday? Thursday suits me better."
        assert [kind for kind, _ in found(text)] == ["disjunction", "disjunction"]

    @pytest.mark.parametrize(
        "text",
        [
            "No matter whether it's Kotlin or Swift, we need tests. Can you write a plan?",
            "Que ce soit en Kotlin ou en Swift, il faut des tests. Tu peux écrire un plan ?",
            "Ya sea en Kotlin o en Swift, hacen falta tests. ¿Puedes escribir un plan?",
            "Egal ob Kotlin oder Swift, wir brauchen Tests. Kannst du einen Plan schreiben?",
        ],
    )
    def test_either_way_is_no_choice(self, text):
        assert found(text) == []


class TestEnumerationNearMisses:
    def test_a_quoted_either_or_does_not_make_a_list_of_options(self):
        text = (
            'Our CEO said: "Either we cut costs, or we close." Great. I only need minutes:\n'
            "- churn at 4%\n- hiring frozen until May\n- new office on hold"
        )
        assert found(text) == []

    @pytest.mark.parametrize(
        "text",
        [
            "We weighed a few options:\n- Netlify\n- Vercel\n- Pages\nWe went with Vercel. "
            "How do I set a custom domain?",
            "On avait plusieurs options :\n- Bouygues\n- Free\n- Orange\nOn a pris Orange. "
            "Comment changer le mot de passe wifi ?",
            "Teníamos varias opciones:\n- Renfe\n- Alsa\n- BlaBlaCar\nAl final fuimos con "
            "Alsa. ¿Cómo pido una factura?",
            "Wir hatten mehrere Optionen:\n- Ionos\n- Strato\n- Hetzner\nWir sind bei Hetzner. "
            "Wie richte ich DNS ein?",
        ],
    )
    def test_a_list_whose_choice_is_already_made_is_context(self, text):
        assert found(text) == []
        assert weak(text, "enumeration")

    def test_a_list_with_a_favourite_and_a_choice_question_stays(self):
        text = "Options:\n- Netlify\n- Vercel\n- Pages\nI like Vercel. Which would you pick?"
        assert [kind for kind, _ in found(text)] == ["enumeration"] * 3

    @pytest.mark.parametrize(
        "text",
        [
            "Must-haves:\n- under 900 dollars\n- at least 32GB RAM\n- a good webcam\n"
            "Which laptop would you pick?",
            "Critères :\n- moins de 900 euros\n- au moins 32 Go de RAM\n- une bonne webcam\n"
            "Quel portable choisirais-tu ?",
            "Requisitos:\n- menos de 900 euros\n- al menos 32 GB de RAM\n- buena webcam\n"
            "¿Qué portátil elegirías?",
            "Kriterien:\n- unter 900 Euro\n- mindestens 32 GB RAM\n- gute Webcam\n"
            "Welchen Laptop würdest du nehmen?",
        ],
    )
    def test_criteria_the_choice_must_meet_are_no_options(self, text):
        assert found(text) == []

    @pytest.mark.parametrize(
        "text",
        [
            "Symptômes :\n- mal de tête\n- fièvre légère\n- fatigue\nDois-je consulter ?",
            "Was ich versucht habe:\n- Neustart\n- Kabel getauscht\n- anderer Port\n"
            "Welche Ursache kann das haben?",
        ],
    )
    def test_a_context_list_in_french_or_german_is_no_options(self, text):
        assert found(text) == []

    @pytest.mark.parametrize(
        "text",
        [
            "Can you weigh renting against buying for me? Some context first:\n"
            "- I earn 3k a month\n- I have 40k saved\n- I may move abroad in 2 years",
            "I'm out of ideas with my dishwasher. Here's what's going on:\n"
            "- it beeps three times\n- the water stays in the bottom\n- the light blinks",
            "¿Me ayudas a comparar alquilar y comprar? Algunos datos:\n- gano 2.000 €\n"
            "- tengo 30.000 € ahorrados\n- quizá me mude en dos años",
        ],
    )
    def test_a_list_opened_as_context_is_no_options(self, text):
        assert [kind for kind, _ in found(text) if kind == "enumeration"] == []

    def test_a_list_opened_by_a_choice_after_context_is_read(self):
        text = (
            "My daughter is torn about next year. What would suit her among:\n"
            "- a gap year\n- a nursing degree\n- an apprenticeship"
        )
        assert [kind for kind, _ in found(text)] == ["enumeration"] * 3

    def test_an_or_not_before_a_list_of_notes_offers_nothing(self):
        text = (
            "Qu'on signe ou non, je dois résumer la réunion. Voici mes notes :\n"
            "- budget validé\n- livraison en mai\n- prochain point le 3"
        )
        assert found(text) == []

    def test_a_list_introduced_as_a_choice_is_still_read(self):
        text = "Which should I pick for the trip?\n- a tent\n- a hammock\n- a bivvy bag"
        assert [kind for kind, _ in found(text)] == ["enumeration"] * 3


class TestComparisonNearMisses:
    @pytest.mark.parametrize(
        "text",
        [
            "We saw Mothra vs. Rodan at the drive-in. Can you suggest a similar old film?",
            "Le derby était Lens vs Lille, on a perdu. Tu peux écrire un mot pour mon frère ?",
            "Anoche vi el Betis vs Sevilla en un bar. ¿Me ayudas a escribir una crónica corta?",
            "Gestern haben wir Hertha vs Union geschaut. Schreib mir einen kurzen Spielbericht.",
            "After comparing Bear and Joplin for a month, I kept Joplin. How do I sync it?",
        ],
    )
    def test_a_pair_named_in_a_statement_is_context(self, text):
        assert found(text) == []
        assert weak(text, "comparison")  # read, and kept below the threshold

    def test_a_title_with_the_same_word_around_vs_is_no_pair(self):
        text = "My uncle quotes Spy vs. Spy at every dinner. Who drew it?"
        assert found(text) == []

    def test_a_question_pointing_back_to_the_pair_keeps_it(self):
        text = (
            "So it's basically a Kobo Sage versus a reMarkable 2 for my notes. What are the "
            "pros and cons of each?"
        )
        assert [kind for kind, _ in found(text)] == ["comparison", "comparison"]

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            ("Svelte vs. Solid for a small admin panel. Go.", ["Svelte", "Solid"]),
            ("Our team is split on Svelte vs Solid. Thoughts?", ["Svelte", "Solid"]),
            ("Compare Svelte and Solid for a small admin panel.", ["Svelte", "Solid"]),
            ("On hésite entre Lyon, Lille ou Nantes. Il fait beau où ?", ["Lyon", "Lille"]),
        ],
    )
    def test_a_pair_that_is_the_request_stays(self, text, wanted):
        assert [span for _, span in found(text)][: len(wanted)] == wanted


class TestComparativeNearMisses:
    @pytest.mark.parametrize(
        "text",
        [
            "Merci ! Une question en plus : comment faire pour que le PC démarre seul ?",
            "On est en zone rurale mais pas sûr que ça compte pour l'aide ?",
            "Una cosa más: ¿qué hago para que la app no se cierre sola?",
            "Noch eine Frage: Wie schaffe ich es, dass der Drucker mehr als eine Seite druckt?",
        ],
    )
    def test_a_conjunction_que_or_a_fixed_phrase_is_no_comparison(self, text):
        assert [kind for kind, _ in found(text) if kind == "comparison"] == []

    @pytest.mark.parametrize(
        "text",
        [
            "Why is my new laptop slower than my old one at compiling?",
            "Pourquoi mon vélo est-il plus lourd que celui de ma sœur ?",
            "¿Por qué mi piso es más frío que el de mi vecino?",
            "Warum ist mein Akku schwächer als der meiner Frau?",
        ],
    )
    def test_a_comparison_a_why_question_starts_from_is_taken_as_given(self, text):
        assert found(text) == []
        assert weak(text, "comparison")

    @pytest.mark.parametrize(
        "text",
        [
            "Since the coach is cheaper than the train, how early should I book for York?",
            "Comme le car est moins cher que le train, quand réserver pour Lille ?",
            "Como el autobús es más barato que el tren, ¿con cuánta antelación reservo?",
            "Da der Bus billiger ist als der Zug, wann sollte ich buchen?",
        ],
    )
    def test_a_comparison_given_as_a_reason_is_taken_as_given(self, text):
        assert found(text) == []
        assert weak(text, "comparison")

    @pytest.mark.parametrize(
        "text",
        [
            "Is our water bill higher than average for a family of four?",
            "Notre facture d'eau est-elle plus élevée que la moyenne ?",
            "¿Nuestra factura de agua es más alta que la media?",
            "Ist unsere Wasserrechnung höher als der Durchschnitt?",
        ],
    )
    def test_a_comparison_with_a_norm_is_no_choice(self, text):
        assert found(text) == []

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            ("Le train est-il plus rapide que la voiture pour Lyon ?", ["la voiture"]),
            ("¿Es el tren más rápido que el coche?", ["el coche"]),
            ("Ist der Zug schneller als das Auto?", ["das Auto"]),
            ("Is the train faster than the car?", ["the car"]),
        ],
    )
    def test_a_comparative_question_stays(self, text, wanted):
        spans = [span for kind, span in found(text) if kind == "comparison"]
        assert len(spans) == 2 and spans[1] == wanted[0]


class TestConditionalNearMisses:
    @pytest.mark.parametrize(
        "text",
        [
            "If it's possible, send the slides as a PDF; otherwise a link is fine.",
            "Si c'est possible, envoie les slides en PDF, sinon un lien suffit.",
            "Si es posible, mándame las diapositivas en PDF; si no, un enlace vale.",
            "Wenn es möglich ist, schick die Folien als PDF, sonst reicht ein Link.",
        ],
    )
    def test_if_possible_with_a_fallback_is_one_request(self, text):
        assert found(text) == []

    @pytest.mark.parametrize(
        "text",
        [
            "If it's dry we'll grill in the yard, if not we'll use the barn. Can you plan a "
            "menu for 30?",
            "S'il fait beau on grille dans le jardin, sinon dans la grange. Tu prévois un menu ?",
            "Wenn es trocken ist, grillen wir im Hof, sonst in der Scheune. Planst du ein Menü?",
        ],
    )
    def test_a_plan_stated_before_another_question_is_no_case_to_answer(self, text):
        assert found(text) == []
        assert weak(text, "conditional")

    @pytest.mark.parametrize(
        "text",
        [
            "If it's dry we'll grill in the yard, if not we'll use the barn. What should we "
            "buy in each case?",
            "¿Qué hago si el cliente es de la UE y qué si es de fuera, tipo EE. UU.?",
        ],
    )
    def test_cases_a_question_comes_back_to_stay(self, text):
        assert [kind for kind, _ in found(text)] == ["conditional", "conditional"]


class TestDirectiveNearMisses:
    def test_da_igual_asks_for_nothing(self):
        text = (
            "Da igual si vamos en coche o en tren, eso lo vemos luego. ¿Se puede entrar al "
            "museo sin reserva?"
        )
        assert found(text) == []


class TestSeveralRequestsNearMisses:
    @pytest.mark.parametrize(
        "text",
        [
            "Wer hat schon Lust, Belege abzuheften oder Quittungen zu sortieren? Naja. Welche "
            "App taugt für Freiberufler?",
            "Qui a envie de classer des factures le dimanche ? Passons. Quelle appli pour un "
            "auto-entrepreneur ?",
            "¿A quién le apetece ordenar facturas un domingo? Bueno, da igual. ¿Qué app me "
            "sirve como autónomo?",
        ],
    )
    def test_a_question_set_aside_is_not_a_second_request(self, text):
        assert found(text) == []

    def test_what_if_i_told_you_is_rhetorical(self):
        text = "What if I told you I've never boiled an egg? Can you give me a sure method?"
        assert found(text) == []


class TestMaterialHandedOver:
    @pytest.mark.parametrize(
        "text",
        [
            "Translate this into German: Would you rather have the fish or the lamb?",
            "Traduis en espagnol : Tu veux le poisson ou l'agneau ?",
            "Traduce al francés: ¿Quieres el pescado o el cordero?",
            "Übersetze ins Französische: Möchtest du lieber Fisch oder Lamm?",
            'Proofread this please: "We are torn between Porto and Seville for the retreat."',
            "Summarize this email for me:\n\nHi all, should we ship in May or June? Options:\n"
            "- May without search\n- June with search\nVote by Friday.",
        ],
    )
    def test_the_choices_inside_material_to_work_on_are_not_the_writers(self, text):
        assert found(text) == []

    def test_a_request_after_the_material_is_still_read(self):
        text = (
            'Translate this into Italian: "See you soon." Unrelated, but should I learn '
            "Italian or Spanish first?"
        )
        assert [kind for kind, _ in found(text)] == ["disjunction", "disjunction"]

    @pytest.mark.parametrize(
        "text",
        [
            "Rewrite this paragraph two ways: a formal one and a casual one.",
            "Réécris ce paragraphe de deux façons : une version formelle et une décontractée.",
        ],
    )
    def test_variants_named_after_the_colon_are_no_material(self, text):
        assert [kind for kind, _ in found(text)] == ["directive", "directive"]
