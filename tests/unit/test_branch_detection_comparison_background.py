"""Comparisons a careful reader sees no choice in: a choice told as history, amounts set
side by side in brackets to back a statement up, "replace" as an act someone performs,
and the cases of a condition set against each other. Real comparisons next to them
still fire."""

from __future__ import annotations

import pytest

from chatroutes.server.domain.branch_detection import detect


def found(text: str) -> list[tuple[str, str]]:
    """The kind and span of each suggestion, in text order."""
    suggestions = sorted(detect(text, count=10).suggestions, key=lambda s: s.start)
    return [(s.kind, text[s.start : s.end]) for s in suggestions]


def sides(text: str) -> list[str]:
    return [span for kind, span in found(text) if kind == "comparison"]


class TestChoiceToldAsHistory:
    @pytest.mark.parametrize(
        "text",
        [
            "Last spring I had to choose between the Berlin office and the Munich office. "
            "I picked Munich and it worked out.",
            "We needed to decide between a heat pump and a new boiler, and the boiler won.",
            "L'an dernier j'ai dû choisir entre la fac de Lille et celle de Rennes. "
            "J'ai pris Rennes.",
            "El verano pasado tuve que elegir entre el piso de Gracia y el de Sants. "
            "Me quedé con el de Sants.",
            "Im Herbst musste ich wählen zwischen dem Job in Hamburg und dem in Köln. "
            "Ich bin nach Köln gegangen.",
        ],
    )
    def test_a_choice_someone_had_to_make_is_told(self, text):
        assert sides(text) == []

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "I have to choose between the Berlin office and the Munich office. "
                "Which has the better commute?",
                ["the Berlin office", "the Munich office"],
            ),
            (
                "Je dois choisir entre la fac de Lille et celle de Rennes. "
                "Laquelle me conseilles-tu ?",
                ["la fac de Lille", "celle de Rennes"],
            ),
            (
                "Tengo que elegir entre el piso de Gracia y el de Sants. ¿Cuál me recomiendas?",
                ["el piso de Gracia", "el de Sants"],
            ),
            (
                "Ich muss wählen zwischen dem Job in Hamburg und dem in Köln. Was meinst du?",
                ["dem Job in Hamburg", "dem in Köln"],
            ),
        ],
    )
    def test_a_choice_still_to_make_is_asked(self, text, wanted):
        assert sides(text) == wanted

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "We had to choose between a heat pump and a new boiler, and we still can't "
                "agree. Thoughts?",
                ["a heat pump", "a new boiler"],
            ),
            (
                "Tuvimos que elegir entre una bomba de calor y una caldera nueva. ¿Cuál "
                "elegirías tú?",
                ["una bomba de calor", "una caldera nueva"],
            ),
        ],
    )
    def test_a_past_choice_taken_up_by_a_question_is_asked(self, text, wanted):
        assert sides(text) == wanted


class TestAmountsInBrackets:
    @pytest.mark.parametrize(
        "text",
        [
            "We kept the old router because it was faster (300 Mbps vs about 120 Mbps). "
            "Now the guest network drops every hour.",
            "We switched because it was quicker (about 3 h vs 45 min). "
            "The build still fails on Fridays.",
            "On a gardé l'ancien forfait, il revenait moins cher (12 € vs environ 20 € par "
            "mois). Depuis, la facture a doublé.",
            "Me quedé con la tarifa plana porque salía mejor (30 € vs unos 45 € al mes). "
            "Ahora me cobran de más.",
            "Wir haben den Jahrestarif genommen, weil er günstiger war (90 € vs etwa 12 € im "
            "Monat). Jetzt wurde doppelt abgebucht.",
        ],
    )
    def test_amounts_that_back_a_statement_up_are_no_options(self, text):
        assert sides(text) == []

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            ("Which one should I get (16GB vs 32GB)?", ["16GB", "32GB"]),
            ("I'm torn on RAM for video editing: 16GB vs 32GB. Which is worth it?", ["16GB"]),
        ],
    )
    def test_amounts_asked_about_are_still_weighed(self, text, wanted):
        assert sides(text)[: len(wanted)] == wanted


class TestReplacedBySomeone:
    @pytest.mark.parametrize(
        "text",
        [
            "Does the landlord replace only the fridge door?",
            "Will the store replace the cracked screen with a new one?",
            "Est-ce que le magasin remplace seulement l'écran ?",
            "¿La tienda reemplaza solo la pantalla?",
            "Ersetzt der Händler nur das Display?",
        ],
    )
    def test_who_does_the_replacing_is_no_side(self, text):
        assert sides(text) == []

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            ("Can a tablet really replace a laptop for note-taking?", ["a tablet", "a laptop"]),
            ("Would a Kindle replace my paperbacks on long trips?", ["a Kindle"]),
        ],
    )
    def test_one_thing_standing_in_for_another_is_weighed(self, text, wanted):
        assert sides(text)[: len(wanted)] == wanted


class TestCasesSetAgainstEachOther:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Tell me what to do if the flight is delayed, versus if it gets cancelled.",
                ["if the flight is delayed", "if it gets cancelled"],
            ),
            (
                "Dis-moi quoi faire si le vol est retardé, versus si il est annulé.",
                ["si le vol est retardé", "si il est annulé"],
            ),
            (
                "Dime qué hacer si el vuelo se retrasa, versus si lo cancelan.",
                ["si el vuelo se retrasa", "si lo cancelan"],
            ),
            (
                "Sag mir, was ich tun soll, wenn der Flug sich verspätet, versus wenn er ausfällt.",
                ["wenn der Flug sich verspätet", "wenn er ausfällt"],
            ),
        ],
    )
    def test_versus_between_two_conditions_gives_their_cases(self, text, wanted):
        assert found(text) == [("conditional", case) for case in wanted]

    def test_versus_between_two_things_is_a_comparison(self):
        text = "Tell me what to do with a delayed flight versus a cancelled one."
        assert sides(text) == ["a delayed flight", "a cancelled one"]


class TestWhoItIsFor:
    @pytest.mark.parametrize(
        "text",
        [
            "Me he quedado con dos bancos. ¿En qué se diferencian para alguien que viaja "
            "mucho y cobra en euros?",
            "¿En qué se diferencian para una pareja joven y para una familia grande?",
            "How do they differ for someone who cooks a lot and has a small kitchen?",
            "En quoi diffèrent-ils pour une famille qui roule peu et habite en ville ?",
            "Worin unterscheiden sie sich für jemanden, der viel reist und wenig verdient?",
        ],
    )
    def test_who_a_difference_matters_to_is_no_side(self, text):
        assert sides(text) == []

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "¿En qué se diferencian el plan básico y el plan premium?",
                ["el plan básico", "el plan premium"],
            ),
            ("What's the difference between for loops and while loops?", ["for loops"]),
        ],
    )
    def test_the_things_that_differ_are_sides(self, text, wanted):
        assert sides(text)[: len(wanted)] == wanted


class TestParallelSidesAroundVersus:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Can you explain what renting in Lisbon costs per year versus renting in Porto "
                "for a family?",
                ["renting in Lisbon", "renting in Porto"],
            ),
            (
                "Pouvez-vous m'expliquer ce que le forfait mensuel change au quotidien vs "
                "forfait annuel pour un étudiant ?",
                ["forfait mensuel", "forfait annuel"],
            ),
            (
                "¿Me explicas qué implica el contrato temporal en la práctica vs contrato "
                "indefinido para mí?",
                ["contrato temporal", "contrato indefinido"],
            ),
            (
                "Kannst du erklären, was Miete in Berlin kostet im Jahr vs Miete in Leipzig für "
                "eine Familie?",
                ["Miete in Berlin", "Miete in Leipzig"],
            ),
        ],
    )
    def test_the_side_before_starts_where_the_side_after_is_echoed(self, text, wanted):
        assert sides(text) == wanted

    def test_sides_without_an_echo_stay_next_to_versus(self):
        text = "Which is better for travel, the annual plan vs the monthly plan?"
        assert sides(text) == ["the annual plan", "the monthly plan"]


class TestWeighedAlreadyToldOrAnswered:
    @pytest.mark.parametrize(
        "text",
        [
            "After weighing the Kobo against the Kindle, I bought the Kobo. How do I load "
            "EPUBs on it?",
            "Once we had weighed Hetzner against OVH, we signed with Hetzner. How do I set up "
            "the firewall?",
            "Después de comparar el Kobo y el Kindle, me quedé con el Kobo. ¿Cómo cargo EPUBs?",
            "Après avoir comparé le Kobo et le Kindle, j'ai pris le Kobo. Comment charger des "
            "EPUB ?",
            "Nachdem ich den Kobo mit dem Kindle verglichen habe, habe ich den Kobo gekauft. "
            "Wie lade ich EPUBs?",
        ],
    )
    def test_a_weighing_done_before_the_choice_is_told(self, text):
        assert sides(text) == []

    @pytest.mark.parametrize(
        "text",
        [
            "My manager asked whether Jira is better than Linear. I told her Linear. Can you "
            "help me write the migration plan?",
            "Meine Chefin hat gefragt, ob Jira besser als Linear ist. Ich habe Linear gesagt. "
            "Hilfst du mir beim Migrationsplan?",
            "Mi jefa me preguntó si Jira es mejor que Linear. Le dije que Linear. ¿Me ayudas "
            "con el plan?",
            "Ma cheffe m'a demandé si Jira était mieux que Linear. J'ai dit Linear. Tu m'aides "
            "pour le plan de migration ?",
        ],
    )
    def test_a_question_someone_else_asked_is_told(self, text):
        assert sides(text) == []

    def test_a_reported_question_taken_up_after_it_is_asked(self):
        text = "My manager asked whether Jira is better than Linear. Which would you say?"
        assert sides(text) == ["Jira", "Linear"]

    @pytest.mark.parametrize(
        "text",
        [
            "Is the new model faster than the old one? Yes, by about 20%. How do I migrate my "
            "prompts?",
            "¿Es el modelo nuevo más rápido que el viejo? Sí, un 20 %. ¿Cómo migro mis prompts?",
            "Le nouveau modèle est-il plus rapide que l'ancien ? Oui, d'environ 20 %. Comment "
            "migrer mes prompts ?",
            "Ist das neue Modell schneller als das alte? Ja, um etwa 20 %. Wie migriere ich "
            "meine Prompts?",
            "Is Notion vs Obsidian even a question? No, Obsidian wins. How do I sync it?",
        ],
    )
    def test_a_question_the_writer_answers_is_not_asked(self, text):
        assert sides(text) == []

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "I'm weighing the Kobo against the Kindle. Which one has better library support?",
                ["the Kobo", "the Kindle"],
            ),
            (
                "Can you tell me whether Jira is better than Linear for a team of five?",
                ["Jira", "Linear"],
            ),
            (
                "Is the new model faster than the old one? I need it for live captions.",
                ["the new model", "the old one"],
            ),
        ],
    )
    def test_a_weighing_still_open_is_asked(self, text, wanted):
        assert sides(text) == wanted


class TestNarrowedDownToABareCount:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "I narrowed it down to two: a part-time design course at the city college "
                "(about $900) and an online UX certificate over nine months (about $1,400). "
                "How do the two compare for landing a first job?",
                ["a part-time design course at the city college"],
            ),
            (
                "J'ai réduit ma liste à deux : une formation en alternance dans une école de "
                "Lyon (gratuite) et un certificat en ligne sur neuf mois (1 200 €). Comment les "
                "deux se comparent-ils pour trouver un premier poste ?",
                ["une formation en alternance dans une école de Lyon"],
            ),
            (
                "Me he quedado con dos: un curso presencial de diseño en la escuela municipal "
                "(unos 900 €) y un certificado online de nueve meses (unos 1.400 €). ¿Cómo se "
                "comparan los dos para conseguir un primer empleo?",
                ["un curso presencial de diseño en la escuela municipal"],
            ),
            (
                "Ich habe es auf zwei eingegrenzt: ein berufsbegleitender Designkurs an der "
                "Volkshochschule (etwa 900 €) und ein Online-Zertifikat über neun Monate (etwa "
                "1.400 €). Wie schneiden die beiden im Vergleich ab?",
                ["ein berufsbegleitender Designkurs an der Volkshochschule"],
            ),
        ],
    )
    def test_the_things_after_the_count_are_weighed(self, text, wanted):
        assert sides(text)[: len(wanted)] == wanted

    def test_without_a_weighing_after_them_they_are_told(self):
        text = (
            "I narrowed it down to two: a part-time design course at the city college (about "
            "$900) and an online UX certificate over nine months (about $1,400). I start in May."
        )
        assert sides(text) == []


class TestQuestionWavedAside:
    @pytest.mark.parametrize(
        "text",
        [
            "Is it me or is the new UI slower than the old one? Anyway, how do I export my data?",
            "¿Soy yo o la interfaz nueva es más lenta que la vieja? En fin, ¿cómo exporto mis "
            "datos?",
            "C'est moi ou la nouvelle interface est plus lente que l'ancienne ? Bref, comment "
            "exporter mes données ?",
            "Bin nur ich das, oder ist die neue Oberfläche langsamer als die alte? Egal, wie "
            "exportiere ich meine Daten?",
        ],
    )
    def test_a_comparison_waved_aside_is_not_asked(self, text):
        assert sides(text) == []

    def test_a_word_that_only_looks_dismissive_keeps_the_question(self):
        text = "Is the new UI slower than the old one? Whatever I click takes two seconds."
        assert sides(text) == ["the new UI", "the old one"]
