"""The option families (comparison, disjunction, conditional, enumeration) on phrasings
read by their structure: the frame around the sides, not a list of whole phrases."""

from __future__ import annotations

import re

import pytest

from chatroutes.server.domain.branch_detection import detect
from chatroutes.server.domain.branch_detection.disjunctions import _OR, OR


def found(text: str) -> list[tuple[str, str]]:
    """(family, span text) of each suggestion, in text order."""
    suggestions = sorted(detect(text, count=10).suggestions, key=lambda s: s.start)
    return [(s.kind, text[s.start : s.end]) for s in suggestions]


def sides(text: str) -> list[str]:
    return [span for _, span in found(text)]


class TestComparisonFrames:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            # a verb of choosing, a noun of advantage, or X judged worth it, then "over"
            ("Is a Vitamix worth it over a cheap Oster?", ["a Vitamix", "a cheap Oster"]),
            ("Should we go with Fly.io over Render for a hobby API?", ["Fly.io", "Render"]),
            ("What are the advantages of Deno over Node?", ["Deno", "Node"]),
            ("What benefits does a Roth IRA have over a 401k?", ["a Roth IRA", "a 401k"]),
            ("Why bother with Poetry over plain pip?", ["Poetry", "plain pip"]),
            ("¿Qué ventajas tiene Rust sobre C++?", ["Rust", "C++"]),
        ],
    )
    def test_preferred_over(self, text, wanted):
        assert sides(text) == wanted

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            ("What does Kagi give me that DuckDuckGo doesn't?", ["Kagi", "DuckDuckGo"]),
            ("Does Affinity have anything Photoshop lacks?", ["Affinity", "Photoshop"]),
            ("¿Qué tiene Figma que no tenga Penpot?", ["Figma", "Penpot"]),
            ("Was kann Obsidian, was Notion nicht kann?", ["Obsidian", "Notion"]),
        ],
    )
    def test_what_one_side_has_that_the_other_lacks(self, text, wanted):
        assert sides(text) == wanted

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            ("Is it cheaper to cook at home than to get takeout?", ["cook at home", "get takeout"]),
            ("¿Es mejor el metro que el bus para ir al centro?", ["el metro", "el bus"]),
            ("Vaut-il mieux louer une voiture que prendre le train ?", ["louer une voiture"]),
            ("How much slower is a Pi 4 than a Pi 5?", ["a Pi 4", "a Pi 5"]),
            ("Does a cast iron pan really sear better than steel?", ["a cast iron pan", "steel"]),
            ("Is Zola nicer to work with than Hugo?", ["Zola", "Hugo"]),
            ("Is a Tesla a smarter buy than a Prius?", ["a Tesla", "a Prius"]),
            ("¿Vale la pena pagar más por el tren que por el bus?", ["el tren"]),
        ],
    )
    def test_comparatives_whatever_stands_between(self, text, wanted):
        assert sides(text)[: len(wanted)] == wanted

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            ("Les avantages du train face à l'avion pour Lyon ?", ["train", "l'avion"]),
            ("¿Conviene el plan anual frente al mensual?", ["el plan anual", "mensual"]),
            ("Wie schlägt sich Go im Vergleich zum Rust?", ["Go", "Rust"]),
            ("How does Arch compare stability-wise to Fedora?", ["Arch", "Fedora"]),
            ("I'm between the Kobo Libra and the Kindle Oasis. Help?", ["the Kobo Libra"]),
            ("Could you weigh Hetzner against OVH for EU hosting?", ["Hetzner", "OVH"]),
            ("Can an e-reader really replace paper books?", ["an e-reader", "paper books"]),
            ("En quoi Lydia est-elle différente de Wero ?", ["Lydia", "Wero"]),
            ("¿Es igual de rápido el tren que el coche?", ["el tren", "el coche"]),
            ("¿Por qué elegiría Bizum en vez de una transferencia?", ["Bizum"]),
            ("Le Kobo tient la route face au Kindle ?", ["Le Kobo", "Kindle"]),
            ("¿En qué se diferencia un IBAN de un SWIFT?", ["un IBAN", "un SWIFT"]),
            (
                "I'm comparing two flats: one near the park with a balcony and one downtown "
                "with a garage. Thoughts?",
                ["one near the park with a balcony", "one downtown with a garage"],
            ),
        ],
    )
    def test_other_frames(self, text, wanted):
        assert sides(text)[: len(wanted)] == wanted

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            ("Are a Roth and a SEP basically the same thing?", ["a Roth", "a SEP"]),
            ("How similar are Czech and Slovak, really?", ["Czech", "Slovak"]),
            ("Is a crumble the same as a cobbler?", ["a crumble", "a cobbler"]),
            ("What sets Leica apart from Fuji?", ["Leica", "Fuji"]),
            ("Qu'est-ce qui distingue un cidre d'un poiré ?", ["un cidre", "un poiré"]),
            ("Jira, Linear — which is less painful for a small team?", ["Jira", "Linear"]),
            ("How would you rate Kotlin against Scala for data jobs?", ["Kotlin", "Scala"]),
            ("Could you write a short Bose-vs-Sonos summary?", ["Bose", "Sonos"]),
            (
                "Which is the better buy, the Kobo at $149 or the Kindle at $139?",
                ["the Kobo at $149", "the Kindle"],
            ),
        ],
    )
    def test_how_alike_two_things_are(self, text, wanted):
        assert sides(text) == wanted

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Is the Fuji X-T5 worth the extra over a Sony A6700 for travel?",
                ["the Fuji X-T5", "a Sony A6700"],
            ),
            (
                "Ça vaut le coup de prendre la formule annuelle plutôt que la mensuelle ?",
                ["la formule annuelle", "la mensuelle"],
            ),
            (
                "¿Vale la pena coger el tren en lugar del coche para ir a Bilbao?",
                ["el tren", "coche"],
            ),
            ("En quoi Signal se distingue de WhatsApp ?", ["Signal", "WhatsApp"]),
            (
                "In what way does a Roth account differ from a regular one?",
                ["a Roth account", "a regular one"],
            ),
            (
                "Könntest du den Sparpreis mit der Bahncard vergleichen?",
                ["den Sparpreis", "der Bahncard"],
            ),
        ],
    )
    def test_more_frames_in_four_languages(self, text, wanted):
        assert sides(text) == wanted

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Between a standing desk and a treadmill pad, what gets me moving more?",
                ["a standing desk", "a treadmill pad"],
            ),
            (
                "Entre une location et un achat à Lille, qu'est-ce qui revient le moins cher ?",
                ["une location", "un achat à Lille"],
            ),
            (
                "Entre el tren y el avión para ir a Sevilla, ¿qué sale más barato?",
                ["el tren", "el avión"],
            ),
            (
                "Zwischen einem Leasing und einem Kauf, was lohnt sich mehr für Vielfahrer?",
                ["einem Leasing", "einem Kauf"],
            ),
        ],
    )
    def test_the_sides_named_first_then_a_question_that_weighs_them(self, text, wanted):
        assert sides(text) == wanted

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "I have two quotes. The first is a roofer from the village who can start in "
                "May. The second, a bigger firm in town, has a two-month wait. How do these two "
                "stack up on price and risk?",
                ["a roofer from the village", "a bigger firm in town"],
            ),
            (
                "J'ai deux offres. La première est une PME à Nantes. La seconde est un grand "
                "groupe à Paris. Tu peux me dire laquelle est mieux entre les deux ?",
                ["une PME à Nantes", "un grand groupe à Paris"],
            ),
            (
                "Tengo dos pisos en mente. El primero es un ático en Ruzafa. El segundo, un "
                "bajo con patio en Benimaclet. ¿Cuál de los dos es mejor para teletrabajar?",
                ["un ático en Ruzafa", "un bajo con patio en Benimaclet"],
            ),
            (
                "Ich habe zwei Angebote. Das erste ist ein Festgeld bei der Sparkasse. Das "
                "zweite ist ein ETF-Sparplan. Kannst du die beiden vergleichen?",
                ["ein Festgeld bei der Sparkasse", "ein ETF-Sparplan"],
            ),
        ],
    )
    def test_two_things_described_first_then_weighed_as_the_two(self, text, wanted):
        assert sides(text) == wanted

    @pytest.mark.parametrize(
        "text",
        [
            "The first is that rent went up. The second is that my lease ends. Compare both?",
            "The first step is done. The second is pending. Which one is next?",
            "I saw two flats. The first is a studio. The second is a loft.",
        ],
    )
    def test_two_things_not_weighed_or_not_things(self, text):
        assert found(text) == []

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            ("What do I gain by switching from Vim to Helix?", ["Vim", "Helix"]),
            ("Que gagne-t-on à passer de Spotify à Deezer ?", ["Spotify", "Deezer"]),
            ("¿Qué gano pasando de Movistar a Digi?", ["Movistar", "Digi"]),
            (
                "What would I lose by going with Linode instead of AWS?",
                ["Linode", "AWS"],
            ),
            (
                "Cycling to work against taking the tram - which is healthier overall?",
                ["Cycling to work", "taking the tram"],
            ),
            (
                "Honestly: a rental car for the week against a few taxis in Crete?",
                ["a rental car for the week", "a few taxis in Crete"],
            ),
            (
                "I keep going back and forth between Procreate and Fresco. Help me decide?",
                ["Procreate", "Fresco"],
            ),
        ],
    )
    def test_a_switch_weighed_and_sides_set_against_each_other(self, text, wanted):
        assert sides(text) == wanted

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "How does the Framework laptop match up against a ThinkPad?",
                ["the Framework laptop", "a ThinkPad"],
            ),
            ("How does Helix measure against Neovim?", ["Helix", "Neovim"]),
            (
                "Give me a side-by-side of Notion and Coda for a team wiki.",
                ["Notion", "Coda"],
            ),
        ],
    )
    def test_more_verbs_and_nouns_of_weighing(self, text, wanted):
        assert sides(text) == wanted

    def test_a_measure_that_weighs_nothing(self):
        assert found("How does my app measure user engagement?") == []

    def test_a_question_word_before_the_auxiliary(self):
        assert sides("What does Figma do better than Sketch?") == ["Figma", "Sketch"]
        assert found("What can I do better than my coworkers?") == []

    @pytest.mark.parametrize(
        "text",
        [
            "How do I switch from light to dark mode?",
            "How do I move from Windows to Linux without losing my files?",
            "How do I protect my garden against slugs?",
            "Is the vaccine effective against the new variant?",
            "Protecting kids against the cold, what's best?",
            "We played against the Tigers last week. What should we practise?",
        ],
    )
    def test_a_switch_or_against_that_weighs_nothing(self, text):
        assert found(text) == []

    @pytest.mark.parametrize(
        "text",
        [
            "Between work and the kids, what time do I have left for myself?",
            "Entre le boulot et les enfants, comment je trouve du temps pour moi ?",
            "Between 9 and 5, what is the best time to call?",
        ],
    )
    def test_between_as_context_weighs_nothing(self, text):
        assert found(text) == []

    @pytest.mark.parametrize(
        "text",
        [
            "Is it worth the extra effort over the holidays?",
            "Ça vaut le coup de prendre le train plutôt tôt ?",
            "En quoi ça consiste exactement ?",
            "Kannst du das mit mir besprechen?",
            "Could you use tables instead of bullet points?",
            "Are the garage and the shed on the same circuit?",
            "How do I set up a Python debugger?",
            "Is this the same as last time?",
            "Quick question: which plan am I on?",
            "Can I pick up the parcel instead of having it delivered?",
            "Is it worth driving over the weekend to see them?",
            "Why is my upload so slow over the VPN?",
            "What does the error mean that the logs don't mention?",
            "What does a good résumé have that most don't?",
            "Qu'est-ce que je peux faire que mon avocat n'a pas déjà fait ?",
            "Is my Ledger wallet safe enough?",
            "Is it better than nothing?",
            "Is it more of a hassle than it's worth?",
            "Can you replace the battery?",
            "What can I use to replace eggs in a cake?",
            "Does it run faster than before?",
        ],
    )
    def test_near_misses_stay_silent(self, text):
        assert found(text) == []


class TestDisjunctionAskedIf:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "I can't work out if I should repaint the house or sell it.",
                ["repaint the house", "sell it"],
            ),
            ("Je me demande si je dois vendre ou louer l'appartement.", ["vendre"]),
            ("Ich weiß nicht, ob ich kündigen oder bleiben soll.", ["kündigen"]),
        ],
    )
    def test_an_asking_if_opens_the_choice(self, text, wanted):
        assert [k for k, _ in found(text)] == ["disjunction", "disjunction"]
        assert sides(text)[: len(wanted)] == wanted

    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "Soll ich den Kredit jetzt ablösen oder weiter abzahlen?",
                ["den Kredit jetzt ablösen", "weiter abzahlen"],
            ),
            (
                "Wir überlegen, ob wir nach Graz ziehen oder in Linz bleiben.",
                ["nach Graz ziehen", "in Linz bleiben"],
            ),
        ],
    )
    def test_a_german_option_ends_on_its_verb(self, text, wanted):
        assert sides(text) == wanted

    def test_a_later_question_points_back_to_the_choice(self):
        text = (
            "The plumber said we could either reline the old pipe or replace the whole run. "
            "The house is from 1962. Money is tight this year. "
            "Which of the two options would you pick?"
        )
        assert sides(text) == ["reline the old pipe", "replace the whole run"]

    def test_whether_drops_the_subject_and_modal(self):
        assert sides("I can't decide whether we should move or renovate.") == ["move", "renovate"]

    @pytest.mark.parametrize(
        "text",
        [
            "I don't know if that's a bug or a feature, but thanks for the fix!",
            "Should I add a second coat, or is that overkill?",
            "My brother and I argue about whether cats or dogs are smarter. Anyway, lunch ideas?",
        ],
    )
    def test_what_offers_no_choice(self, text):
        assert found(text) == []


class TestConditionalsJoined:
    @pytest.mark.parametrize(
        ("text", "wanted"),
        [
            (
                "What happens to my bookings if I cancel and if the host cancels?",
                ["if I cancel", "if the host cancels"],
            ),
            (
                "Que se passe-t-il si le vol est annulé et s'il est seulement retardé ?",
                ["si le vol est annulé", "s'il est seulement retardé"],
            ),
        ],
    )
    def test_a_second_case_joined_to_the_first(self, text, wanted):
        assert found(text) == [("conditional", w) for w in wanted]

    def test_a_rule_with_two_conditions_is_no_branch_point(self):
        assert found("We only refund if it's unopened and if you kept the receipt.") == []

    def test_si_no_before_a_verb_is_a_case_not_an_otherwise(self):
        text = "¿Qué pasa si no pago a tiempo? ¿Y si pago solo la mitad?"
        assert found(text) == [
            ("conditional", "si no pago a tiempo"),
            ("conditional", "si pago solo la mitad"),
        ]

    def test_either_way_is_no_case(self):
        assert found("Tanto si nieva como si no, salimos el lunes.") == []


class TestEnumerationAfterAColon:
    def test_a_bare_list_asked_to_choose_from(self):
        text = "Logo colors we like: teal, coral, mustard. Which reads best on a dark site?"
        assert found(text) == [
            ("enumeration", "teal"),
            ("enumeration", "coral"),
            ("enumeration", "mustard"),
        ]

    @pytest.mark.parametrize(
        "text",
        [
            "Our stack: Vue, Pinia, Vitest. Which e2e tool should we add?",
            "Quote so far: $12,500, $9,800, $11,200. What should I say back?",
            "Things I tried: restarting, reinstalling, clearing cache. Any idea what's wrong?",
        ],
    )
    def test_context_lists_and_figures_are_not(self, text):
        assert found(text) == []


def test_the_or_pattern_finds_the_words_a_plain_word_boundary_search_finds():
    plain = re.compile(rf"\b{OR}\b")
    text = "o u or ou oder oppure uu ord xor _or 2or or2 ob o-u éou u. Oder OR o\nor"
    assert [m.span() for m in _OR.finditer(text)] == [m.span() for m in plain.finditer(text)]
    assert [m.group(0) for m in _OR.finditer(text)] == [
        "o",
        "u",
        "or",
        "ou",
        "oder",
        "oppure",
        "o",
        "u",
        "u",
        "o",
        "or",
    ]
