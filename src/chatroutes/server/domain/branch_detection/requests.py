"""Request segmentation: a message cut into the units a reply must answer.

A unit is a sentence, a list line, or a clause joined to the one before by a
coordinator or a transition ("and", "also", "plus", "et aussi", "y además", "und
außerdem") when it has a predicate of its own, or by the letter or number of an item
("…, (b) …", "… und 3) …"; not "… or (b) …", a choice). Each unit is read for its form:

- ``question``  a question mark, an interrogative opener or an inversion;
- ``ask``       a need or ask frame ("I need", "could you", "please", "j'aimerais",
                "necesito", "ich brauche"), or an imperative with its object;
- ``problem``   a problem told as it stands ("the export doesn't work");
- ``context``   the rest: facts, past narration, greetings, thanks, and closing
                formulas with nothing of their own to ask ("can you help with both?").

and for its topic: its content words, function words and the words of the ask frame
left out. Requests whose topics differ are separate intents; a unit that points back
("Can you fix it?") or shares the topic belongs to the intent before it.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace

from .text import Span, _Folding, _strip_marker, _trimmed, _words, _wordset

QUESTION, ASK, PROBLEM, CONTEXT = "question", "ask", "problem", "context"
TRANSITION, AND, BLOCK = "transition", "and", "block"


@dataclass(frozen=True)
class Unit:
    """A sentence, list line or clause of a message, read for its form and topic."""

    start: int
    end: int
    form: str
    topic: frozenset[str]
    """Content-word stems (their first five letters)."""
    opener: str
    """What sets it apart from the unit before: ``TRANSITION`` ("also", "separately",
    "second", "außerdem"), ``AND`` (a coordinator), ``BLOCK`` (a new paragraph or list
    item) or ``""``."""
    refers_back: bool
    """Points back at what came before ("it", "that", "afterwards", "ça", "eso")."""
    words: int
    core: int
    """Where its words start, past greetings, coordinators and transitions."""
    inside: bool
    """A clause cut from the sentence before it ("…, and also …"), not a sentence."""
    set_aside: bool
    """Opened by "anyway", "bref", "en fin", "egal": what came before is set aside."""
    announced: bool
    """After a count of requests ("two things:", "deux soucis :", "zwei Fragen")."""


# Coordinators and transitions that may open a unit of its own ("and also", "et aussi",
# "y además", "und außerdem", "Separately,", "Second,").
_TRANSITION = (
    r"also|additionally|separately|besides|moreover|first(?:ly)?|second(?:ly)?|"
    r"on (?:a|another) (?:different |separate |unrelated )?note|another thing|one more thing|"
    r"unrelated(?:ly)?|by the way|btw|something else|another question|"
    r"sinon|autre chose|autre question|dernière chose|otra cosa|otra pregunta|lo segundo|"
    r"noch (?:etwas|was)|(?:etwas|was) ganz anderes|ganz (?:etwas |was )?anderes|andere frage|"
    r"third(?:ly)?|premièrement|deuxièmement|d'abord|primero|segundo|erstens|zuerst|"
    r"finally|lastly|aussi|également|ensuite|enfin|de plus|par ailleurs|"
    r"también|además|ademas|aparte|"
    r"auch|außerdem|zudem|noch|übrigens|zweitens|drittens"
)
_COORDINATOR = r"and|et|y|und|but|mais|pero|aber"
_SEQUENCE = r"then|puis|luego|después|dann|danach"
"""Words that, after a coordinator, put the next clause next in time ("and then tell me
…", "y luego dime …", "und dann sag mir …"): a request after the one before."""
_GREETING = (
    r"hi|hello|hey|dear|good (?:morning|afternoon|evening)|bonjour|salut|coucou|hola|buenas|"
    r"buenos días|buenas tardes|oye|oiga|hallo|guten tag|moin|liebe|lieber|ok|okay|so|well|oh"
)
_OPENER = re.compile(
    rf"\W*(?:(?:{_GREETING})\b(?:[\w ]{{0,20}}?[,!:—-]+\s*|\s+))*(?:(?:oh|ah|so),?\s+)?"
    rf"(?:(?:{_COORDINATOR})\b,?\s*(?:(?:{_SEQUENCE})\b,?\s*)?)?"
    rf"(?:(?:{_TRANSITION})\b,?\s*)*",
    re.I,
)
_MARKER = r"\(?[a-e1-5]\)\s+"
"""A letter or number marking an item inside a sentence ("(a) ", "2) ")."""
_CLAUSE_JOIN = re.compile(
    r"(?<!\bor)(?<!\bou)(?<!\bo)(?<!\boder)(?:[,:;]\s*|\s+)"
    rf"(?:(?:{_COORDINATOR}),?\s+)?{_MARKER}|"
    rf"(?:;\s*|:\s+|,\s*(?:(?:{_COORDINATOR})\b,?\s+(?:(?:{_SEQUENCE})\b,?\s+)?|"
    rf"(?:{_TRANSITION})\b,?\s+)*|"
    rf"\s+(?:(?:{_COORDINATOR}),?\s+(?:(?:{_TRANSITION}|{_SEQUENCE})\b,?\s+)*|(?:also|aussi|además|"
    r"außerdem|zudem)\b,?\s+))",
    re.I,
)
_SUBJECT = re.compile(
    r"(?:i|i'm|i've|i'd|we|we're|we've|my|our|je|j'\w*|nous|mon|ma|mes|notre|nos|yo|mi|mis|"
    r"me|nuestro|nuestra|ich|wir|mein|meine|meinen|unser|unsere)\b",
    re.I,
)
_WH = (
    r"what|what's|when|where|why|how|which|who|whom|whose|comment|pourquoi|quand|où|quel\w*|"
    r"combien|qu'est-ce|est-ce|qué|cómo|cuándo|dónde|por qué|cuál\w*|cuánt\w*|quién\w*|"
    r"was|wie|wann|wo|warum|wieso|welche\w*|wer"
)
_INTERROGATIVE = re.compile(
    rf"(?:{_WH})\b|(?:is|are|am|was|were|do|does|did|can|could|should|would|will|shall|may|"
    r"have|has|isn't|aren't|don't|doesn't|can't|won't|puis-je|peut-on|dois-je|"
    r"[\w'-]+-(?:je|tu|il|elle|on|nous|vous|ils|elles)|¿\w+|"
    r"(?:kann|kannst|können|muss|soll|sollte|ist|sind|gibt|habe|hat|darf|wird)\s+"
    r"(?:ich|man|es|das|wir|sie|du|er)|"
    r"(?:puedo|puedes|debo|hay|es|se puede)\s+\w+)\b",
    re.I,
)
_WH_WORD = re.compile(rf"(?:{_WH})\b", re.I)
_EN_WH_AUX = re.compile(
    r"(?:what's|how's|where's|what|when|where|why|how|which|who)\s+(?:do|does|did|can|could|should|would|is|are|"
    r"will|much|many|long)\b",
    re.I,
)
_ASK_FRAME = re.compile(
    r"\b(?:please|pls|can you|could you|would you|will you|can (?:someone|anyone)|"
    r"(?:i|we) (?:also |really |still )?(?:need|want|would like|'d like|would love|'d love)|"
    r"i'd like|i'm (?:also )?(?:looking for|trying to|wondering)|help me|"
    r"(?:i|we) (?:also )?(?:have|had|got) (?:a|another|one more|a quick) (?:question|issue|"
    r"problem|request)|how do i|how can i|how should i|let me know|"
    r"j'ai besoin|j'aurais besoin|je voudrais|j'aimerais|je veux|je cherche|je souhaite|"
    r"pouvez-vous|pourriez-vous|peux-tu|pourrais-tu|(?:tu peux|tu pourrais|vous pouvez|"
    r"vous pourriez) (?:me |nous )?\w+|merci de|aidez-moi|aide-moi|"
    r"(?:j'ai|j'aurais) (?:aussi |également |une autre )?(?:une )?question|s'il vous plaît|"
    r"necesito|quiero|quisiera|me gustaría|busco|puedes|podrías|podéis|pueden|podría|"
    r"por favor|ayúdame|tengo (?:otra |una )?(?:pregunta|duda)|"
    r"ich brauche|ich möchte|ich hätte gern|ich würde gern|ich suche|ich will|wir brauchen|"
    r"bräuchte|könnten sie|können sie|kannst du|könntest du|bitte|hilf mir|"
    r"ich habe (?:noch )?eine frage)\b",
    re.I,
)
_ASK_WORDS = _wordset(
    "please pls can could would will need want like love looking trying wondering help "
    "j'aimerais j'aurais s'il "
    "question issue problem request how let besoin voudrais aimerais veux cherche souhaite "
    "pouvez pourriez peux pourrais merci aidez aide plaît necesito quiero quisiera gustaría "
    "busco puedes podrías podéis pueden podría favor ayúdame pregunta duda brauche möchte "
    "hätte würde suche brauchen bräuchte könnten können kannst könntest bitte hilf frage"
)
"""A word every ask frame holds: the frame is looked for only where one is."""
_IMPERATIVE = _Folding(
    re.compile(
        r"(?:m['\u2019]|me\s+|mir\s+)?(?:add|remove|delete|send|cancel|change|update|fix|check|reset|refund|move|create|"
        r"set up|book|tell|show|find|give|write|draft|review|proofread|suggest|recommend|explain|"
        r"list|summari[sz]e|translate|plan|make|compare|describe|help|walk|close|transfer|"
        r"rename|confirm|resend|unlock|enable|disable|extend|renew|export|import|"
        r"ajoute[rz]?|supprime[rz]?|change[rz]?|modifie[rz]?|annule[rz]?|envoie[rz]?|envoyez|"
        r"explique[rz]?|donne[rz]?|propose[rz]?|écri[st]|écrivez|vérifie[rz]?|corrige[rz]?|"
        r"traduis|traduisez|rédige[rz]?|dis-moi|dites-moi|expliquer|envoyer|indiquer|dire|"
        r"añade|elimina|cambia|cancela|envía|envíame|explica|explícame|dime|dame|escribe|"
        r"revisa|corrige|recomienda|sugiere|traduce|haz|tradúce\w+|corríge\w+|revísa\w+|hazme|"
        r"escríbe\w+|mánda\w+|recomiénda\w+|ayúda\w+|"
        r"füge|lösche|ändere|storniere|schick|schicke|sende|erkläre|erklär|sag|gib|schreib|"
        r"schreibe|prüfe|korrigiere|empfiehl|übersetze|übersetz|mach)(?:-moi|-nous)?\b",
        re.I,
    )
)
_PROBLEM_WORDS = _wordset(
    "not never nothing cannot unable broken stuck missing wrong error errors fail fails failing "
    "failed crash crashes crashing keeps stopped ne pas plus jamais rien impossible erreur "
    "no nunca nada nicht nie kein keine keinen fehler falsch"
)
"""Words that tell a problem as it stands ("doesn't", "n'arrive", "no funciona", "kein")."""


def _tells_problem(words: list[str]) -> bool:
    """Whether a unit's words tell a problem: a negation or a failure word."""
    return any(w in _PROBLEM_WORDS or w.endswith("n't") or w.startswith("n'") for w in words)


_PAST = re.compile(
    r"^(?:\w+ )?(?:i|we) (?:already |also |even )?(?:tried|went|did|made|bought|saw|told|said|"
    r"thought|took|restarted|cleared|reinstalled|checked|deleted)\b",
    re.I,
)
_CLOSING = re.compile(
    r"\W*(?:thanks|thank you|thx|cheers|regards|best|merci|gracias|danke|vielen dank|"
    r"viele grüße|cordialement|saludos|obrigad\w)\b",
    re.I,
)
_BACK = _wordset(
    "it that this them those these there afterwards then ça cela ceci eso esto ello después "
    "dies dafür davon dabei danach dort"
)
"""Words that point back at what came before ("Can you fix it?", "¿y eso?", "danach")."""


def _points_back(core: str, words: list[str], topic: frozenset[str]) -> bool:
    """Whether a unit points back: near its start ("Is it …", "Which one …"), or anywhere
    when it has little topic of its own."""
    if "which one" in core[:24].lower() or not _BACK.isdisjoint(words[:3]):
        return True
    return len(topic) <= 3 and not _BACK.isdisjoint(words)


_FUNCTION = _wordset(
    # English
    "a about above after again against all also am an and any anyone anything are aren't as "
    "at be because been before being below between both but by can can't cannot could "
    "couldn't did didn't do does doesn't doing don't down during each else even ever every "
    "few for from further get gets getting got had hadn't has hasn't have haven't having he "
    "her here hers him his how i i'd i'll i'm i've if in into is isn't it it's its just "
    "let let's me might more most much must my myself no nor not now of off on once one only "
    "or other our ours out over own per please pls quite rather really same she should "
    "so some something still such than that that's the their them then there there's these "
    "they this those though through thus to too under until up us very was wasn't we we'd "
    "we're we've were weren't what what's when where which while who whom whose why will "
    "with won't would wouldn't yet you you're your yours "
    # English ask frames, fillers and generic words
    "need needs needed want wants wanted like love would help helps question questions "
    "issue issues problem problems thing things know tell wondering wonder looking trying "
    "try ask asking quick quickly also maybe perhaps hi hello hey thanks thank way best "
    "good great able sure ok okay anyway both either another again lot bit kind sort "
    "possible advice ideas idea tips suggestions guys team everyone anybody somebody "
    # French
    "au aux avec ce ces cet cette c'est dans de des du elle elles en est et être eux il ils "
    "je j'ai la le les leur leurs lui ma mais me mes moi mon ne nos notre nous on ou où par "
    "pas plus pour qu que quel quelle qui sa se ses si son sur ta te tes toi ton tu un une "
    "vos votre vous y ça cela aussi également très tout tous toute toutes faire fait avoir "
    "suis sont ai as avons avez ont peux pouvez pourriez voudrais aimerais besoin merci "
    "question questions problème souci aide aider bonjour salut comment pourquoi quand "
    "est-ce qu'est-ce autre chose choses trucs truc s'il plaît d'une d'un l'on puis-je "
    # Spanish
    "al como con cual cuando de del el ella ellos en es esa ese eso esta este esto estos "
    "ha hay la las le les lo los me mi mis muy nos nuestra nuestro o para pero por que qué "
    "se si sin su sus también te tengo tiene un una uno unos y ya yo además hola gracias "
    "necesito quiero quisiera gustaría puedes podrías favor ayuda ayudar pregunta preguntas "
    "problema problemas cosa cosas cómo otra otro dos hacer puedo debo está están son "
    # German
    "aber alle als am an auch auf aus bei bin bis bitte da das dass dem den der des die "
    "dir du ein eine einem einen einer er es für hab habe haben hat ich ihr im in ist ja "
    "kann kannst können könnten man mein meine meinen meiner mich mir mit muss nach nicht "
    "noch nur oder ob sein sich sie sind so um und uns unser unsere von vor war was wie "
    "wir wo zu zum zur außerdem brauche möchte hätte gern hallo danke frage fragen problem "
    "probleme hilfe helfen wäre würde sachen dinge ding etwas geht gibt "
    # counts that announce requests
    "two three four couple several few deux trois quelques plusieurs dos tres varias "
    "varios zwei drei paar mehrere "
    # asking for help, whatever the inflection
    "j'aurais j'aimerais aider aidez m'aider ayudar ayudarme ayudáis ayudan ayudes ayúdame "
    "pueden podéis podrían helfen hilfst helft look someone sort regarder mirar ansehen schauen"
)
_STEM = 5


def segments(scan: str, sents: list[Span]) -> list[Unit]:
    """The units of the message, in order, each read for its form and topic."""
    units: list[Unit] = []
    previous_end = 0
    aside = False  # "… ? Bref. Tu peux …": a set-aside word alone as a sentence
    announced = block = False
    listing = -1  # where the items of a list asked for start
    counted_list = False  # "Three quick questions:\n…": the list is of requests
    counts = _announcing(scan, _counted(scan))
    for sentence in sents:
        body = _strip_marker(scan, sentence)
        gap = scan[previous_end : sentence.start]
        block = block or (previous_end > 0 and ("\n" in gap or body.start != sentence.start))
        previous_end = sentence.end
        frame = False  # an ask earlier in the sentence: "I need X and also Y"
        lead_in = ""  # "and unrelated, but my card …": an opener cut off on its own
        for start, end, cut in _clauses(scan, body.start, sentence.end):
            join = f"{lead_in} {cut}" if lead_in else cut
            unit = _unit(scan, start, end, join=join, block=block, aside=aside)
            lead_in = _lead_in(scan, start, end) if unit is None else ""
            if unit is not None and unit.form == CONTEXT:
                if frame and _carries(scan, unit, join):
                    unit = replace(unit, form=ASK)  # "I need X and also Y"
                elif unit.words >= 4 and _switches(f"{join} {scan[unit.start : unit.core]}"):
                    unit = replace(unit, form=PROBLEM)  # "Separately, our logo looks blurry"
            contrast = _CONTRAST.search(join) and not _switches(join)
            if unit is not None and unit.form in (PROBLEM, CONTEXT) and contrast:
                unit = replace(unit, refers_back=True)  # "X restarts, but I don't know why"
            if unit is not None and unit.inside and unit.form == PROBLEM and _switches(join):
                previous = units[-1] if units else None  # "X fails, and also Y …": X too
                if (
                    previous is not None
                    and previous.start >= sentence.start
                    and previous.form == CONTEXT
                    and previous.words >= 4
                ):
                    units[-1] = replace(previous, form=PROBLEM)
            frame = frame or (unit is not None and unit.form in (ASK, QUESTION))
            if unit is not None and announced:
                unit = replace(unit, announced=True)
                if unit.form == CONTEXT and _counted_item(scan, unit, join):
                    unit = replace(unit, form=PROBLEM)  # "Two things. First, the export …"
            counting = any(start <= at < end for at in counts)
            announced = announced or counting
            heads_list = unit is not None and scan[unit.end : end].strip() == ":"
            if (
                unit is not None and heads_list and (unit.form == ASK or counting)
            ):  # "I need:\n- a speech\n- …"
                listing, counted_list = len(units) + 1, counting
            block = block and unit is None  # "1." split off as a sentence opens the next
            aside = bool(
                (unit is None and _SET_ASIDE.match(scan, start, end))
                or _words(scan[max(start, end - 16) : end])[-1:] in _SET_ASIDE_LAST
            )
            if unit is not None and _shares_question_mark(scan, units, unit, sentence):
                units[-1] = replace(units[-1], form=QUESTION)  # "wie X und kannst du Y?"
            if unit is not None:
                units.append(unit)
            if _answers(units, unit, scan, start, end):
                units[-2 if unit else -1] = replace(units[-2 if unit else -1], form=CONTEXT)
                if unit is not None:  # "No, claro que no, …": the answer tells no problem
                    units[-1] = replace(unit, form=CONTEXT)
    return _listed(scan, units, listing, counted=counted_list) if listing > 0 else units


def _shares_question_mark(scan: str, units: list[Unit], unit: Unit, sentence: Span) -> bool:
    """Whether the clause before ``unit`` is a question whose mark is the one ending the
    sentence: opened by a question word ("how do I …", "comment je …", "cómo …", "wie
    … ich …") and coordinated with a question or ask of the same sentence ("… and can
    you …?", "… et tu peux …?"), not a clause of it ("when I …", "wo ich …")."""
    before = units[-1] if units else None
    if before is None or before.form != CONTEXT or before.start < sentence.start:
        return False
    if unit.opener != AND or unit.form not in (QUESTION, ASK) or before.words < 3:
        return False
    if not scan[sentence.start : sentence.end].rstrip().endswith("?"):
        return False
    plain = scan[before.core : before.end].lstrip("¿¡ ")
    if not _WH_WORD.match(plain):
        return False
    return not _SUBORDINATE.match(plain) or bool(_INVERTED.match(plain))


def _lead_in(scan: str, start: int, end: int) -> str:
    """The words of a piece too short to be a unit when they turn to another matter
    ("and unrelated", "et sinon", "y aparte"): they open the clause after it."""
    piece = scan[start:end]
    return piece if _TRANSITION_WORD.search(piece) else ""


_CONTRAST = re.compile(r"\b(?:but|mais|pero|aber)\b", re.I)
"""A coordinator that sets a clause against the one before: a clause it opens that asks
nothing tells more about the same matter ("…, but I can't tell why")."""


def _counted_item(scan: str, unit: Unit, join: str) -> bool:
    """Whether a unit after a count of requests is one of them, told as a matter of its
    own: opened by an ordinal ("Second, the export times out"), not a step the writer
    took ("First, I restarted the router")."""
    opening = f"{join} {scan[unit.start : unit.core]}"
    return (
        unit.words >= 4
        and _ORDINAL_WORD.search(opening) is not None
        and not _WRITER.match(scan, unit.core, unit.end)
    )


_WRITER = re.compile(r"(?:i|i'm|i've|i'd|we|we're|we've|je|j'\w*|nous|yo|ich|wir)\b", re.I)


def _listed(scan: str, units: list[Unit], at: int, *, counted: bool) -> list[Unit]:
    """The list lines after an ask that ends with a colon ("j'ai besoin de :\n1. un
    discours\n2. des idées de cadeau") are each asked for; not when one of them tells a
    problem (then they are symptoms to help with), unless the colon closes a count of
    requests ("three things:", "tres dudas:") and nothing is asked after the lines:
    then each line is one of them."""
    items = list(
        itertools.takewhile(
            lambda u: u.opener == BLOCK and not _CLOSING.match(scan, u.start, u.end),
            units[at:],
        )
    )
    asked_after = any(u.form in (QUESTION, ASK) for u in units[at + len(items) :])
    symptoms = (not counted or asked_after) and any(u.form == PROBLEM for u in items)
    if len(items) < 2 or symptoms or len(units[at - 1].topic) > 2:
        return units  # "I need minutes from my notes:\n- …": the items are material
    asked = [replace(u, form=ASK, announced=True) for u in items]
    frame = replace(units[at - 1], form=CONTEXT)  # what it asks is in the items
    return [*units[: at - 1], frame, *asked, *units[at + len(items) :]]


SELF_ANSWER = re.compile(
    r"\W*(?:(?:honestly|probably|well|actually|sadly|franchement|bon|sinceramente|pues|"
    r"ehrlich gesagt|ehrlich|naja|wohl)\b,?\s*)?"
    r"(?:yes|yeah|yep|no|nope|nah|oui|non|sí|ja|nein|nö)\s*[,.;!\u2014\u2013-]|"
    # the writer found the answer: "oh wait, just found it", "ah, j'ai trouvé", "ya lo encontré"
    r"\W*(?:(?:oh|ah|ok|okay|wait|never ?mind|nvm|bon|vale|vaya|ach|egal)\b\W*){0,3}"
    r"(?:i\s+)?(?:just\s+|finally\s+)?(?:found it|figured it out|j'ai trouvé|"
    r"ya lo (?:he )?encontr\w+|lo (?:he )?encontrado|(?:hab's|habe es|hab es) (?:schon |"
    r"gerade )?gefunden|schon gefunden|hat sich erledigt)\b",
    re.I,
)
"""A sentence opened by the writer's own yes or no ("honestly no, I already paid"), or
telling the answer found ("oh wait, found it"): the question before it was answered,
not asked."""


def _answers(units: list[Unit], unit: Unit | None, scan: str, start: int, end: int) -> bool:
    """Whether a sentence just after a question answers it: a word or three ("Who likes
    Mondays? Nobody.", "… ? Pues eso.") or the writer's own yes or no ("Should I drop
    it? Honestly no, …"); the question was not asked."""
    at = 2 if unit is not None else 1
    before = units[-at] if len(units) >= at else None
    if before is None or before.form != QUESTION or (unit is not None and unit.inside):
        return False
    if SELF_ANSWER.match(scan, start, end):
        return True
    return "?" not in scan[start:end] and len(_words(scan[start:end])) <= 3


def _carries(scan: str, unit: Unit, join: str) -> bool:
    """Whether the ask before a joined clause carries over to it: "I need X and also Y",
    not "I need X and I'm a bit rattled"."""
    if not join:
        return False
    return bool(_TRANSITION_WORD.search(join)) or not _SUBJECT.match(scan, unit.start, unit.end)


def _clauses(scan: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """``scan[start:end]`` cut where a coordinator, a transition or an announcing colon
    opens a clause with a predicate of its own; each piece with the join before it."""
    pieces: list[tuple[int, int, str]] = []
    at, before = start, ""
    for join in _CLAUSE_JOIN.finditer(scan, start, end):
        if join.start() - at < 8 or end - join.end() < 12:
            continue
        glue = join.group(0)
        right = scan[join.end() : end]
        if marker := _MARKED.search(glue):
            first = marker.group(1).lower() in "a1" and ":" not in glue
            if first or len(_words(right)) < 2:
                continue  # "Can you (a) …": the first item stays with its ask
        elif ":" in glue:
            if not (_ANNOUNCE.search(scan, at, join.start()) or _own_predicate(right, "and")):
                continue  # "two replies: one that …": the parts of one thing
        elif not _own_predicate(right, glue):
            continue
        pieces.append((at, join.start(), before))
        at, before = join.end(), glue
    pieces.append((at, end, before))
    return pieces


def _own_predicate(right: str, glue: str) -> bool:
    """Whether the words after a join make a clause: after a transition ("and also",
    "et aussi", "und außerdem") any phrase of three words; after "and" a subject, a
    question word, an ask frame or an imperative; after a bare comma an ask frame or a
    question."""
    plain = right.lstrip("¿¡ ")
    if _ASK_FRAME.match(plain) or _EN_WH_AUX.match(plain):
        return True
    # after "and also", "y además": any phrase; a bare ", also" is German "also" ("that
    # is") as often as English "also", and an ordinal may number parts of one thing
    additive = _COORDINATOR_WORD.search(glue) or not _ALSO.fullmatch(glue)
    if _TRANSITION_WORD.search(glue) and not _ORDINAL_WORD.search(glue) and additive:
        return len(_words(plain)) >= 3
    if not (_COORDINATOR_WORD.search(glue) or _TRANSITION_WORD.search(glue) or ";" in glue):
        return False
    if _SUBJECT.match(plain):
        return len(_words(plain)) >= 4
    if _WH_WORD.match(plain) and (not _SUBORDINATE.match(plain) or _INVERTED.match(plain)):
        return len(_words(plain)) >= 4
    return bool(_IMPERATIVE.match(plain)) and len(_words(plain)) >= 3


_ANNOUNCE = re.compile(
    r"\b(?:two|three|four|couple|few|several|deux|trois|quelques|plusieurs|dos|tres|varias|"
    r"varios|zwei|drei|paar|mehrere)\b",
    re.I,
)
COUNT = (
    r"(?:two|three|four|2|3|4|a couple of|couple of|a few|several|multiple|deux|trois|quelques|"
    r"plusieurs|dos|tres|varias|varios|zwei|drei|ein paar|mehrere|due|tre)"
)
"""Words that count requests ("two things", "ein paar Fragen")."""
COUNTED_NOUNS = (
    r"(?:questions?|things|issues|requests|problems|topics|items|points|favou?rs|tasks|choses|"
    r"trucs|problèmes|soucis|demandes|tâches|preguntas|cosas|problemas|asuntos|dudas|tareas|"
    r"fragen|dinge|sachen|anliegen|probleme|punkte|aufgaben|domande|cose)"
)
"""The plural nouns a count of requests names."""
COUNTED = _Folding(re.compile(rf"\b{COUNT}\s+(?:\w+\s+)?{COUNTED_NOUNS}\b", re.I))
COUNTED_STEMS = (
    "question",
    "thing",
    "issue",
    "request",
    "problem",
    "topic",
    "item",
    "point",
    "favo",
    "task",
    "chose",
    "truc",
    "problème",
    "souci",
    "demande",
    "tâche",
    "pregunta",
    "cos",
    "asunto",
    "duda",
    "tarea",
    "frage",
    "ding",
    "sache",
    "anliegen",
    "punkt",
    "aufgabe",
    "domande",
)
"""A stem of each of ``COUNTED_NOUNS``: ``COUNTED`` is looked for only around them."""


def _counted(scan: str) -> list[int]:
    """Where requests are counted ("two things", "drei Fragen"): found by their nouns
    first, a plain substring search, which is much faster than the regex over the text."""
    lower = scan.lower()
    if len(lower) != len(scan):  # lower() moved offsets
        return [m.start() for m in COUNTED.finditer(scan)]
    found: set[int] = set()
    for noun in COUNTED_STEMS:
        at = lower.find(noun)
        while at != -1:
            window = COUNTED.finditer(scan, max(0, at - 40), at + len(noun) + 10)
            found.update(match.start() for match in window)
            at = lower.find(noun, at + 1)
    return sorted(found)


SAID = re.compile(
    r"\b(?:said|says|told|mentioned|complained|pointed out|wrote|dit|dites|dits|signalé|"
    r"écrit|reproché|remarqué|dicho|comentado|dijo|comentó|señalado|escrito|reprochado|"
    r"gesagt|geschrieben|erwähnt|bemängelt|angemerkt|gemeint|kritisiert)\b",
    re.I,
)
"""Verbs of saying: a count told as said ("two things my manager said") counts no
requests of the writer's."""


def _announcing(scan: str, counts: list[int]) -> list[int]:
    """The counts that announce the writer's requests: not those told as said."""
    kept = []
    for at in counts:
        match = COUNTED.match(scan, at)
        if match is None or not said_count(scan, match.end()):
            kept.append(at)
    return kept


def said_count(scan: str, count_end: int) -> bool:
    """Whether a count is told as someone's words before its colon ("Dos cosas que me
    ha dicho el cliente: …", "Two things the client mentioned: …")."""
    colon = scan.find(":", count_end, count_end + 60)
    return colon >= 0 and SAID.search(scan, count_end, colon) is not None


_MARKED = re.compile(r"\(?([a-e1-5])\)\s+$", re.I)
_TRANSITION_WORD = re.compile(rf"\b(?:{_TRANSITION})\b", re.I)
_SEQUENCED = re.compile(rf"\b(?:{_COORDINATOR}),?\s+(?:{_SEQUENCE})\b", re.I)
_SUBORDINATE = re.compile(r"(?:when|quand|wo|was)\b", re.I)
"""Question words that after "and" mostly open a clause of the same question ("… when
the key is missing, and when Redis is down?", German "und was ich …")."""
_INVERTED = re.compile(r"\w+\s+\w+\s+(?:i|you|we|they|ich|du|wir|ihr|man|sie)\b(?!['\u2019])", re.I)
"""A question word, a verb, then its subject: a question ("and where do I …", "und wo
finde ich …"), not a clause of the one before ("and when I …", "und wo ich …")."""
_ALSO = re.compile(r"\W*also\W*", re.I)
_ORDINAL_WORD = re.compile(
    r"\b(?:first|firstly|second|secondly|third|thirdly|premièrement|deuxièmement|d'abord|"
    r"primero|segundo|erstens|zweitens|drittens|zuerst)\b",
    re.I,
)
_COORDINATOR_WORD = re.compile(rf"\b(?:{_COORDINATOR})\b", re.I)
_SET_ASIDE = re.compile(
    r"\W*(?:anyway|anyhow|whatever|anyways|ugh|nevertheless|bref|enfin bref|bon bref|"
    r"de toute façon|quand même|en fin|bueno|de todas formas|aun así|egal|jedenfalls|naja|"
    r"trotzdem|wie auch immer)\b",
    re.I,
)


_FIRST_WORD = re.compile(r"\W*([^\W\d_]+)")
_OPENING_WORDS = frozenset(
    w
    for pattern in (_GREETING, _COORDINATOR, _TRANSITION, "oh|ah|so")
    for w in re.findall(r"[^\W\d_]+", pattern)
)
"""First words that may open a unit's greeting, coordinator or transition."""
_SET_ASIDE_LAST = [["anyway"], ["anyhow"], ["bref"], ["egal"], ["fin"], ["naja"]]
"""The last word of a sentence that sets it aside ("…, bref.", "… lol anyway")."""


def _unit(scan: str, start: int, end: int, *, join: str, block: bool, aside: bool) -> Unit | None:
    """``scan[start:end]`` as a unit, or none when it holds fewer than two words."""
    start, end = _trimmed(scan, start, end)
    chunk = scan[start:end]
    first = _FIRST_WORD.match(chunk)
    opener = _OPENER.match(chunk) if first and first.group(1).lower() in _OPENING_WORDS else None
    lead = opener.group(0) if opener else ""
    core = chunk[len(lead) :]
    words = _words(core)
    if len(words) < 2:
        return None
    joined = f"{join} {lead}" if join or lead else ""
    if joined and (
        _TRANSITION_WORD.search(joined) or _MARKED.search(join) or _SEQUENCED.search(joined)
    ):
        kind = TRANSITION  # "Second, …", "…, (b) …": an item set apart
    elif block:
        kind = BLOCK
    elif joined and (_COORDINATOR_WORD.search(joined) or ";" in join):
        kind = AND
    else:
        kind = ""
    topic = frozenset(w[:_STEM] for w in words if len(w) > 2 and w not in _FUNCTION)
    asked_for = scan[end : end + 2].lstrip(" )\"'»”").startswith("?") or chunk.endswith("?")
    return Unit(
        start=start,
        end=end,
        form=_form(core, asked_for, opens_sentence=not join),
        topic=topic,
        opener=kind,
        refers_back=_points_back(core, words, topic),
        words=len(words),
        core=start + len(lead),
        inside=bool(join),
        set_aside=aside or bool(_SET_ASIDE.match(chunk)),
        announced=False,
    )


_SWITCH = re.compile(
    r"\b(?:separately|unrelated(?:ly)?|on (?:a|another) (?:different |separate |unrelated )?note|"
    r"another thing|one more thing|something else|additionally|besides|moreover|sinon|"
    r"autre chose|par ailleurs|de plus|otra cosa|aparte|además|ademas|"
    r"(?:etwas|was) ganz anderes|ganz (?:etwas |was )?anderes|übrigens|außerdem|zudem)\b",
    re.I,
)
_JOINED_ALSO = re.compile(
    rf"\b(?:{_COORDINATOR}),?\s+(?:also|aussi|également|también|auch)\b", re.I
)


def _switches(opening: str) -> bool:
    """Whether the words opening a unit turn to another matter: a topic switch
    ("separately", "sinon", "otra cosa", "außerdem"), or "and also" inside a sentence;
    a plain "Also," often adds a detail to the request before it."""
    return bool(_SWITCH.search(opening) or _JOINED_ALSO.search(opening))


def _form(core: str, asked_for: bool, *, opens_sentence: bool) -> str:
    """What a unit does, from its words past its opener (``asked_for``: a "?" ends it).
    A whole sentence that ends with "?" is asked, capitalised or not ("whats the
    fastest way to …??"); a clause cut from one only when it opens with a capital or
    "¿" ("…: ¿me ayudas a …?")."""
    plain = core.lstrip("¿¡ ")
    words = _words(plain)
    if _CLOSING.match(plain) and len(words) <= 6:
        return CONTEXT
    frame = not _ASK_WORDS.isdisjoint(words) and _ASK_FRAME.search(plain)
    if asked_for and (_INTERROGATIVE.match(plain) or frame or _WH_WORD.search(plain, 0, 24)):
        return QUESTION  # "c'est quoi un bon salaire ?", "ab welchem Alter …?"
    opened = core[:1].isupper() or core[:1] == "¿" or opens_sentence
    if _EN_WH_AUX.match(plain) or (asked_for and opened):
        return QUESTION  # a sentence asked as such: "¿Me explicas de qué trata el libro?"
    if frame or _IMPERATIVE.match(plain):
        return ASK
    if _tells_problem(words) and not _PAST.match(plain):
        return PROBLEM
    return CONTEXT


@dataclass(frozen=True)
class Intent:
    """One request: the unit that asks and those that only tell more about it."""

    units: tuple[Unit, ...]

    @property
    def lead(self) -> Unit:
        return self.units[0]

    @property
    def asking(self) -> Unit | None:
        """Its first unit that asks in so many words (a question or an ask)."""
        return next((u for u in self.units if u.form in (QUESTION, ASK)), None)


def intents(units: list[Unit]) -> list[Intent]:
    """The requests of a message: each unit that asks or tells a problem, with those
    that only tell more about it (they share its topic, point back at it, or are a
    short follow-up). A request that points back at a new item of context ("Separately,
    our invoice has a line nobody ordered, can you tell me where that came from?") starts
    from that item."""
    groups: list[list[Unit]] = []
    before: Unit | None = None  # the context unit just before, when it opens an item
    previous: Unit | None = None
    for unit in units:
        adjacent = bool(groups) and groups[-1][-1] is previous
        previous = unit
        if unit.set_aside:
            groups.clear()  # "… Anyway, can you …": what came before was no request
        if unit.form == CONTEXT or not unit.topic:
            opens_item = unit.opener == TRANSITION or unit.announced
            before = unit if unit.form == CONTEXT and unit.topic and opens_item else None
            continue
        if unit.refers_back and before is not None:
            groups.append([before, unit])
        elif groups and _same_request(groups[-1], unit, adjacent=adjacent):
            groups[-1].append(unit)
        else:
            groups.append([unit])
        before = None
    return [Intent(tuple(g)) for g in groups]


def _same_request(group: list[Unit], unit: Unit, *, adjacent: bool) -> bool:
    """Whether ``unit`` tells more about the request of ``group``: it shares its topic
    (two stems, or a good share of the fewer), points back at it, asks about the problem
    just before it, joined with a bare comma, or is a short question after a question
    with nothing to set it apart ("What do I need for it?")."""
    topic = frozenset().union(*(u.topic for u in group))
    shared = len(topic & unit.topic)
    if shared >= 2 or (shared and shared >= 0.4 * min(len(topic), len(unit.topic))):
        return True
    if unit.refers_back:
        return True
    last = group[-1]
    if adjacent and last.form == PROBLEM and unit.inside and not unit.opener:
        return True  # "my card got blocked, who do I call?": what to do about it
    return unit.form == QUESTION and last.form == QUESTION and unit.words <= 6 and not unit.opener
