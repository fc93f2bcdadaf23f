"""Directives whose variants come in the sentence after the request ("Can you draft
two? A short one … and a long one …"), in every language, and the sentences after a
request that only go on talking."""

from __future__ import annotations

import pytest

from chatroutes.server.domain.branch_detection import detect


def variants(text: str) -> list[str]:
    """The spans of the directive suggestions found, in text order."""
    found = detect(text, count=10).suggestions
    return [
        text[s.start : s.end] for s in sorted(found, key=lambda s: s.start) if s.kind == "directive"
    ]


@pytest.mark.parametrize(
    ("text", "count"),
    [
        # the request counts them, the next sentence opens each on an article
        ("Tu m'en prépares deux ? Un sobre pour le site et un plus drôle pour Instagram.", 2),
        ("Peux-tu me préparer deux annonces ? Une sobre pour le site et une plus drôle.", 2),
        ("¿Me preparas dos avisos? Uno formal para el portal y uno más cercano para el chat.", 2),
        (
            "Kannst du mir zwei Texte schreiben? Einen sachlichen für die Website und einen "
            "lockeren für Instagram.",
            2,
        ),
        ("Could you write me two posts? A serious one for the site and a playful one for X.", 2),
        # "once … and once …" after a request whose own sentence names no variant
        ("Could you word the refusal for the supplier? Once formal and once a bit warmer.", 2),
        # a hyphenated compound inside a variant is no ordinal opening a new one
        (
            "Could you word the refusal for the supplier? Once formal, last-name basis, and "
            "once a bit warmer, first names and friendly.",
            2,
        ),
    ],
)
def test_variants_in_the_sentence_after_the_request(text: str, count: int) -> None:
    assert len(variants(text)) == count


@pytest.mark.parametrize(
    "text",
    [
        # the sentence after goes on with people and what they did: a clause, no variant
        "Can you write me two posts? A friend asked me for them and a colleague too.",
        "Kannst du zwei Texte schreiben? Ein Kollege hat mich gefragt und ein Nachbar auch.",
        "Tu peux m'écrire deux mots ? Un collègue me les a demandés et un voisin aussi.",
        # no count in the request: an article opening the next sentence is only an article
        "Can you write me a post? A short intro and a long outro are already done.",
        "Schreibst du mir einen Text? Ein Kollege und ein Nachbar lesen ihn morgen.",
    ],
)
def test_sentence_after_the_request_that_goes_on_talking(text: str) -> None:
    assert variants(text) == []


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("Can you prepare a menu for two people, one for six and one for twelve?", "a menu"),
        ("¿Puedes escribir un menú para dos personas, uno para seis y uno para doce?", "un menú"),
        ("Peux-tu préparer un menu pour deux personnes, un pour six et un pour douze ?", "un menu"),
    ],
)
def test_count_after_for_says_whom_the_first_variant_serves(text: str, first: str) -> None:
    found = variants(text)
    assert len(found) == 3
    assert found[0].startswith(first)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        # list lines that each open with "one", one of them naming itself a version
        (
            "Kannst du mir daraus etwas machen:\n- eine Version für die Website, sachlich\n"
            "- eine für Instagram, kurz\n- eine auf Englisch",
            3,
        ),
        (
            "¿Me ayudas a redactar la explicación en varios niveles?\n"
            "- Una versión muy sencilla para principiantes\n- Una estándar para la mayoría\n"
            "- Una de ampliación con referencias",
            3,
        ),
        (
            "Tu peux m'aider à rédiger le texte en plusieurs longueurs ?\n"
            "- une version courte pour le site\n- une longue pour la brochure",
            2,
        ),
        (
            "Could you help me write the blurb at several levels?\n"
            "- one short version for the flyer\n- one for the website, longer",
            2,
        ),
        # a request that closes on the form of what its lines give
        (
            "Can you write the announcement as:\n- a text message for my aunt\n"
            "- a step-by-step guide for my uncle\n- a short update for the group chat",
            3,
        ),
        ("Peux-tu écrire le texte comme :\n- un SMS pour ma mère\n- un mail pour mon père", 2),
        (
            "¿Puedes redactar el aviso como:\n- un cartel para el portal\n"
            "- un mensaje para el grupo",
            2,
        ),
        (
            "Kannst du die Ankündigung schreiben als:\n- eine SMS für meine Tante\n"
            "- eine Mail für meinen Onkel",
            2,
        ),
    ],
)
def test_variants_as_list_lines_under_a_request(text: str, count: int) -> None:
    assert len(variants(text)) == count


@pytest.mark.parametrize(
    "text",
    [
        # lines opening with "one" that name no variant: people, things, not versions
        "Can you give me tips for:\n- one child who is shy\n- one adult who talks a lot",
        "Peux-tu me conseiller pour :\n- une amie timide\n- une collègue bavarde",
        # lines under a request that names no form and no variant
        "Can you help me plan these:\n- a dinner for my aunt\n- a trip for my uncle",
    ],
)
def test_list_lines_that_are_no_variants(text: str) -> None:
    assert variants(text) == []


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        (
            "Write me two versions of the bio: one in French and one in English, both under "
            "300 characters.",
            ["one in French", "one in English"],
        ),
        (
            "Hazme dos versiones del resumen: una en español y otra en inglés, las dos de "
            "menos de 300 caracteres.",
            ["una en español", "otra en inglés"],
        ),
        (
            "Fais-moi deux versions du résumé : une en français et une en anglais, les deux "
            "de moins de 300 caractères.",
            ["une en français", "une en anglais"],
        ),
        (
            "Schreib mir zwei Versionen: eine auf Deutsch und eine auf Englisch, die beiden "
            "unter 300 Zeichen.",
            ["eine auf Deutsch", "eine auf Englisch"],
        ),
    ],
)
def test_what_is_said_of_all_variants_is_no_variant(text: str, wanted: list[str]) -> None:
    assert variants(text) == wanted


@pytest.mark.parametrize(
    ("text", "first"),
    [
        # two object pronouns before the verb: "me le", "nous la" are no determiner
        (
            "Tu pourrais me le réécrire en plusieurs longueurs ? Une version courte pour la "
            "slide, une version moyenne pour l'oral, et une version détaillée pour le document.",
            "Une version courte",
        ),
        # a count inside the first variant ("of one line", "d'une phrase") is not its start
        (
            "Tu pourrais me le réécrire en plusieurs longueurs ? Une version d'une phrase pour "
            "la slide, une version de trois phrases pour l'oral, et une version détaillée.",
            "Une version d'une phrase",
        ),
        (
            "Could you rewrite it at several lengths? One version of one line for the slide, "
            "one version of three lines for the talk, and one long version for the handout.",
            "One version of one line",
        ),
        (
            "¿Me lo reescribes en varias longitudes? Una versión de una frase para la "
            "diapositiva, una versión de tres frases para la charla y una versión larga.",
            "Una versión de una frase",
        ),
    ],
)
def test_three_variants_in_the_sentence_after(text: str, first: str) -> None:
    found = variants(text)
    assert len(found) == 3
    assert found[0].startswith(first)


def test_object_pronouns_in_a_statement_ask_nothing() -> None:
    assert variants("Il me le dit toujours : une fois en français et une fois en anglais.") == []


@pytest.mark.parametrize(
    ("text", "count"),
    [
        # a word and a "for" phrase between the count and the dash that opens the list
        (
            "Could you explain it three times over for different crowds — the managers (they "
            "want numbers), the drivers (they drive all day, keep it short), and the new hires?",
            3,
        ),
        (
            "Peux-tu l'expliquer trois fois, adaptée à chaque public : les managers, les "
            "chauffeurs et les nouveaux ?",
            3,
        ),
    ],
)
def test_count_then_a_phrase_then_the_list(text: str, count: int) -> None:
    assert len(variants(text)) == count


def test_count_with_a_remark_after_it_names_no_variants() -> None:
    assert variants("Could you explain it two times over for me, I'm slow today.") == []
