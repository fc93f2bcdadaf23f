"""Multi-intent: a message carrying several requests or questions. One suggestion
per intent; the group runs from the first to the last.

Three cues, all structural: two requests joined inside one sentence ("I need help
with X and also Y", "et aussi", "y también", "und auch"); two or more real
questions; a sentence opened by an additive word ("Also, …", "Separately, …")
after a request. Filler ("any ideas?", "can I ask you something?", "could you help me
out with something?"), tag questions (", right?"), quoted, rhetorical, self-answered
("… ? No, …") and set-aside questions ("… ? Anyway, …") do not count.

Several sentences are often one request told in parts, so the confidence stays
below the threshold without a sign that the requests are separate: an additive,
ordinal or topic-turning opener ("Also", "Second", "Por otro lado", "Totally different
thing:"), a count announced ("Two questions: …", "Drei Sachen: …") before sentences,
a list or coordinated requests, paragraphs so opened, "And …?" on another topic. Two
coordinated verbs are mostly one task ("download the report and summarize it"); three,
a change then an explanation of something else, or two verbs each naming an object of
its own on its own topic ("cancel my plan and send me all the 2023 invoices") are
separate.
A count ending with a colon, then one line each, marked or not, lists requests (not
when a question pointing back follows the lines: they are its symptoms); a list mixing
an order with a question or a problem too. Where a confident reading finds more
requests inside another's extent, the finer one stays.
A detail of a broad question ("How do I apply? What documents do I need?"), an
"Also" that constrains the request ("Also, keep it short") or gives context to the
question after it, a list of symptoms before one question, and steps already taken
are one request.

Where none of these cues is confident, the request segmenter (``requests``) reads the
message whole: each unit's form (question, ask, problem, context) and topic, requests
on different topics, and what sets each apart from the one before (a transition or
topic switch, an announced count, a list asked for after a colon, "And …" opening a
sentence with its own ask, items lettered inside a sentence ("(a) … (b) …"), or two
full questions on different topics).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter

from .directives import _MAKE_SCAN
from .option_spans import _parts
from .requests import _IMPERATIVE as _IMPERATIVE_ASK
from .requests import (
    _WH_WORD,
    AND,
    ASK,
    BLOCK,
    COUNT,
    COUNTED,
    COUNTED_NOUNS,
    COUNTED_STEMS,
    QUESTION,
    SAID,
    SELF_ANSWER,
    TRANSITION,
    Intent,
    intents,
    segments,
)
from .suggestion import Option, Suggestion, calibrated, split_group, titled
from .text import (
    Span,
    _Folding,
    _Keyed,
    _option_title,
    _strip_marker,
    _trimmed,
    _words,
    _wordset,
)

_JOINED = _Folding(
    re.compile(
        r",?\s*\b(?:and also|and i also|and we also|and another|plus another|(?<=,\s)plus|"
        r"as well as|"
        r"and separately|and additionally|et aussi|et également|ainsi que|y también|"
        r"y además|así como|und auch|sowie|und außerdem|e também|e anche|e inoltre|"
        r"(?:and|y|et|und),? (?:on the other hand|por otro lado|por otra parte|aparte|d'autre part|"
        r"par ailleurs|en plus|andererseits|zudem))\b,?",
        re.I,
    )
)
_JOINED_KEYS = (
    "other hand",
    "parte",
    "ailleurs",
    "en plus",
    "zudem",
    "otro lado",
    "autre part",
    "andererseits",
    "também",
    "anche",
    "inoltre",
    "also",
    "another",
    "plus",
    "as well",
    "separately",
    "additionally",
    "aussi",
    "également",
    "ainsi",
    "también",
    "además",
    "así como",
    "auch",
    "sowie",
    "außerdem",
)
_NEED = _Folding(
    re.compile(
        r"\b(?:help|question|questions|issue|problem|need|want|ask|trouble|stuck|fix|explain|"
        r"aide|besoin|question|problème|ayuda|necesito|pregunta|problema|hilfe|brauche|frage|"
        r"problem|preciso|ajuda|gostava|quero|pergunta|problema|bisogno|aiuto|vorrei|domanda|"
        r"quería|querría|saber|savoir|voudrais|wissen|möchte|sapere)\b",
        re.I,
    )
)
_REQUEST = _Folding(
    re.compile(
        r"\b(?:help|need|want|please|pls|can you|could you|would you|i'd like|i would like|"
        r"besoin|veux|voudrais|pouvez|peux|s'il vous plaît|stp|svp|necesito|quiero|puedes|podrías|"
        r"por favor|brauche|möchte|will|bitte|kannst|können sie)\b",
        re.I,
    )
)
_SPEAKER = re.compile(
    r"\b(?:i|we|my|our|je|j'|nous|mon|ma|mes|yo|mi|mis|ich|wir|mein|eu|meu|minha|io|mio|mia)\b",
    re.I,
)
_TOPIC_SWITCH = (
    r"(?:on the other hand|(?:on )?(?:a|another) (?:separate|different|unrelated) (?:note|topic)|"
    r"(?:totally|completely|something|entirely) (?:different|unrelated|else)|"
    r"(?:chose|sujet|cosa|tema|argomento) (?:(?:complètement|totalement|completamente|"
    r"totalmente|del tutto) )?(?:différente?|distint[ao]|diferente|divers[ao])|"
    r"(?:one|another|and one) (?:more|last|other) thing|"
    r"d'autre part|par ailleurs|autre (?:chose|sujet)|rien à voir|"
    r"por otro lado|por otra parte|(?:otra|una) cosa más|otro tema|aparte|"
    r"andererseits|(?:noch )?(?:(?:etwas|was) (?:ganz )?|ganz (?:etwas|was) )anderes|"
    r"anderes thema)\b"
)
"""Words that turn to another topic ("On a different note", "Por otro lado")."""
_THEN_WORD = r"(?:then|puis|poi|luego|después|dann)\b"
_ADDITIVE = _Folding(
    re.compile(
        rf"^(?:(?:and|but|oh,? and|et|y|und|e),?\s+(?:{_THEN_WORD},?\s+)?)?"
        r"(?:also|on (?:a |an )?(?:\w+ )?note|additionally|separately|"
        r"another (?:thing|question|issue)|"
        r"one more (?:thing|question)|finally|lastly|on top of that|"
        r"(?:one )?last (?:one|thing|question)|(?:une )?dernière (?:chose|question)|"
        r"(?:una )?última (?:cosa|pregunta)|(?:eine )?letzte (?:frage|sache)|"
        r"(?:oh|ah|ach|och),? (?:and|et|y|und)|"
        r"and (?:another|one more) (?:thing|question)|p\.?s\.?|btw|by the way|unrelated(?:ly)?|"
        r"while i have you|apart from that|besides(?: that)?|"
        r"and also|plus|en outre|enfin|au fait|aparte|por cierto|otra cosa|übrigens|ach ja|"
        r"on (?:a|another) (?:separate|different|unrelated) note|second(?:ly)?|"
        r"aussi|également|de plus|par ailleurs|autre (?:chose|question)|"
        r"también|además|otra (?:cosa|pregunta)|außerdem|zudem|noch (?:eine|etwas|was)|"
        r"andere frage|(?:und )?(?:dann )?noch (?:was|etwas) (?:ganz )?anderes|"
        rf"something (?:completely |totally )?different|autre chose|otra cosa)\b|"
        rf"(?:(?:and|et|y|und|e|sinon|otherwise|sonst),?\s+(?:{_THEN_WORD},?\s+)?)?{_TOPIC_SWITCH}",
        re.I,
    )
)
_ALSO_INSIDE = re.compile(
    r"\b(?:(?:i|we) (?:also|additionally) (?:have|need|want|would like|wanted|had)|j'ai aussi|"
    r"je voudrais aussi|j'aimerais aussi|(?:tengo|necesito|quiero) también|también (?:tengo|"
    r"necesito|quiero)|ich (?:habe|hätte|brauche|möchte) (?:auch|außerdem|noch)|"
    r"io (?:ho|vorrei) anche|(?:tenho|preciso|quero) também)\b",
    re.I,
)
_FILLER_QUESTION = re.compile(
    r"^(?:(?:and |so |but )?(?:can|could|would|will) you (?:please )?(?:help(?: me)?(?: with "
    r"(?:this|that|it|both|these|them))?|do that|assist)|does (?:that|this) make sense|"
    r"any (?:ideas|thoughts|suggestions|tips|advice|help)|thoughts|ideas|right|ok(?:ay)?|"
    r"you know|no|yeah|yes|huh|eh|see|get it|got it|make sense|"
    r"(?:what|how) about you|is(?:n't| not) it|(?:don't|do not) you (?:think|agree)|"
    r"(?:is that|am i) (?:right|correct|clear)|anyone|why not|really|(?:what do|wdyt|what "
    r"would) you (?:think|suggest|recommend)|where do i (?:start|begin)|"
    r"(?:hey,? |hi,? |so,? )?(?:can|could|may) i ask (?:you )?(?:something|a (?:quick |small |"
    r"short |silly |stupid |dumb )?question)|(?:do|have) you (?:got )?a (?:minute|moment|second|"
    r"sec)|(?:quick|short) question|(?:je peux|puis-je|est-ce que je peux) (?:te|vous) "
    r"(?:poser une (?:petite )?question|demander quelque chose)|(?:te|le|os) (?:puedo|podría) "
    r"(?:hacer una (?:pregunta|consulta)|preguntar (?:algo|una cosa))|(?:darf|kann) ich "
    r"(?:dich|sie|euch|dir|ihnen) (?:mal )?(?:was|etwas|eine frage) (?:fragen|stellen)|"
    r"what (?:should|do|must) (?:i|we) (?:need to )?(?:change|fix|"
    r"try)(?: now| next| here)?|qu'est-ce que (?:je dois|j'ai fait de mal|je peux) (?:changer|"
    r"corriger|essayer)?|qué (?:debo|tengo que) cambiar|was (?:muss|soll) ich (?:ändern|anders "
    r"machen)|"
    r"(?:can|could) you help(?: me)? (?:out|here)|is that possible|"
    r"would you like (?:me to )?(?:go on|continue|more|more details)|"
    r"(?:want|shall i|should i) (?:me to )?(?:continue|go on|elaborate)|"
    r"(?:tu peux|pouvez-vous|peux-tu|puedes|podrías|kannst du|können sie|can you|could you) "
    r"(?:y )?(?:regarder|jeter un œil|mirarlo|echarle un vistazo|revisarlo|nachsehen|mal schauen|"
    r"take a look|have a look|look|check)(?: (?:please|stp|svp|por favor|bitte))?|"
    r"(?:(?:and |so )?(?:can|could|would) you (?:please )?)?(?:help(?: me)?(?: out)? with|"
    r"look into|check|handle|address|take care of|sort out|fix|answer) (?:both|these|them|this|"
    r"that|it|all of (?:this|these|them)|both of them|each|something|a thing|one thing)"
    r"(?: (?:please|too|as well|quickly|real quick))?|"
    r"(?:tu |vous )?(?:peux|pouvez)[- ](?:tu|vous) m'aider(?: (?:pour|avec|sur) (?:quelque "
    r"chose|un truc|une chose))?|(?:tu peux|vous pouvez|tu pourrais|vous pourriez) m'aider"
    r"(?: (?:pour|avec|sur) (?:quelque chose|un truc|une chose))?|des idées|"
    r"(?:me )?(?:puedes|podrías|podéis|podría) ayudar(?:me)?(?: con (?:algo|una cosa))?|"
    r"alguna idea|"
    r"(?:kannst du|können sie|könntest du|könnten sie) (?:mir )?(?:bei etwas |mit etwas )?"
    r"helfen|irgendwelche ideen|"
    r"(?:so )?what (?:should|do|must|can) (?:i|we) do(?: now| next| here)?|"
    r"was (?:muss|soll|kann) ich (?:jetzt |da |nun )?(?:tun|machen)|"
    r"(?:que|qu'est-ce que) (?:dois-je|je dois|je peux|puis-je) faire|"
    r"qué (?:debo|tengo que|puedo) hacer|"
    r"(?:can|could) (?:someone|somebody|anyone|you guys) (?:look|check|help)(?: (?:at|into|with) "
    r"(?:both|this|these|them|it|that))?)\s*\??$",
    re.I,
)
_TAG_QUESTION = _Folding(
    re.compile(
        r",\s*(?:isn't it|aren't they|don't you think|right|no|eh|huh|wouldn't it|doesn't it|"
        r"didn't it|won't it|isn't that so|you know|yeah|ok|okay|n'est-ce pas|non|¿verdad|"
        r"verdad|oder|nicht wahr|ne)\?$",
        re.I,
    )
)
_RHETORICAL = re.compile(
    r"^(?:who (?:doesn't|does not|wouldn't|would not|cares|knows)|who needs|why would (?:anyone|"
    r"you|i|we)|(?:you )?know what|guess what|what if i (?:told|said)|remember (?:the|when|how|"
    r"that|what|my|our)|"
    r"isn't it|aren't|what's not to|how could (?:anyone|i) not|what could possibly|"
    r"why (?:do|does) (?:this|it) always|am i the only one|is it just me|"
    r"why (?:does|do|is|are) (?:every|all|everyone|always)|quién no|qui n'a (?:jamais|pas)|"
    r"wer hat nicht|chi non)\b",
    re.I,
)
_STOPWORDS = _wordset(
    "a about also an and any are as at be been but by can could did do does for from had has "
    "have he here how i if in is it me my no not of on or our she should so some that the "
    "their there these they this those to us was we were what when where which who whom why "
    "will with would you your"
)
_DESCRIPTION = "One of several requests in this message: handle it on its own branch."


_ANNOUNCED = _Folding(re.compile(rf"\b{COUNT}\s+(?:\w+\s+)?{COUNTED_NOUNS}\b[^:\n]{{0,60}}:", re.I))
_DETERMINER = (
    r"the|my|our|your|a|an|le|la|les|l'|mon|ma|mes|notre|nos|votre|vos|el|los|las|mi|mis|"
    r"nuestro|nuestra|su|sus|der|die|das|den|dem|mein|meine|unser|unsere|ihr|ihre|il|la|lo|"
    r"gli|le|o|os|as|meu|minha"
)
_WANTING = r"quiero|quisiera|necesito|voudrais|veux|möchte|brauche|vorrei|quero"
_ITEM_SPLIT = _Folding(
    re.compile(
        r",?\s*\b(?:and|et|y|und|e)\b\s*(?=[¿¡]?(?:one|another|the other|l'autre|une|otra|"
        r"la otra|eine|"
        r"die andere|what|how|why|when|where|which|who|whether|if|i|we|qué|cómo|cuál|"
        r"por qué|dónde|cuándo|quoi|comment|pourquoi|quand|où|je|j'|was|wie|warum|wann|wo|ob|"
        r"ich|wir|cosa|come|perché|quando|dove|o que|como|porque|onde|no|ne|quiero|quisiera|"
        rf"necesito|voudrais|veux|möchte|brauche|vorrei|quero|un|una|unos|unas|ein|einen|einer|um|uma|{_DETERMINER})\b)|;\s*|"
        rf",\s*(?=(?:one|another|the other|no|ne|je|j'|ich|i|we|{_WANTING}|{_DETERMINER})\b)|"
        r",\s*(?=(?:is|are|do|does|can|could|should|what|what's|how|why|when|where|which|who)\b)|"
        r",?\s*(?:and\s+|et\s+|y\s+|und\s+)?\(?\d[.)]\s+|"
        r",\s*(?:and|et|y|und|e)\s+|"
        r",?\s*\b(?:and|et|y|und|e)\b,?\s*(?=(?:also|additionally|aussi|également|además|también|"
        r"aparte|auch|außerdem|zudem)\b)",
        re.I,
    )
)
_ORDINAL_SPLIT = re.compile(
    r"(?:[,;]\s*(?:\b(?:and|et|y|und|e)\b\s*)?|\s+\b(?:and|et|y|und|e)\s+)(?=(?:second(?:ly)?|"
    r"third(?:ly)?|then|ensuite|deuxièmement|troisièmement|puis|segundo|tercero|luego|después|"
    r"zweitens|drittens|dann)\b)",
    re.I,
)


def _multi_intent(text: str, scan: str, sents: list[Span]) -> list[Suggestion]:
    if _BLANKED in scan:
        sents = _past_material(scan, sents)
    found: list[Suggestion] = []
    joining = _Keyed(scan, _JOINED_KEYS)  # where requests may be joined ("and also", …)
    bodies = [_strip_marker(scan, sentence) for sentence in sents]  # past their list markers
    for sentence, body in zip(sents, bodies, strict=True):
        if sentence.end - sentence.start < 20:
            continue  # "Thanks!", "Hi Anna,": too short for two requests
        found.extend(
            _announced(text, scan, sentence)
            or (joining.within(sentence.start, sentence.end) and _joined(text, scan, sentence))
            or _coordinated(text, scan, sentence, body)
            or _two_problems(text, scan, body)
        )
    counts = _Keyed(scan, COUNTED_STEMS, regex=True)  # where requests may be counted
    found.extend(_intents(text, scan, sents, bodies, counts))
    found.extend(_ordinals(text, scan, sents, counts))
    found.extend(_sections(text, scan))
    found.extend(_listed_requests(text, scan))
    if not any(s.confidence >= _CONFIDENT for s in found):  # what the cues above missed
        found.extend(_segmented(text, scan, sents))
    return _finer_within(_strongest_per_extent(found))


_CONFIDENT = calibrated(0.7)


def _finer_within(found: list[Suggestion]) -> list[Suggestion]:
    """Where a confident group with more requests lies within another's extent (three
    sentences asking inside two paragraphs read as two requests), the finer reading
    stays: one of the coarser options held two requests."""
    groups: dict[int, list[Suggestion]] = {}
    for suggestion in found:
        groups.setdefault(id(suggestion.group), []).append(suggestion)
    if len(groups) < 2:
        return found
    # each group's size and extent, and whether it is confident enough to be finer
    shapes = [
        (key, len(members), members[0].extent, members[0].confidence >= _CONFIDENT)
        for key, members in groups.items()
    ]
    coarse = {
        key
        for key, size, (start, end), _ in shapes
        if any(
            confident and other_size > size and start <= other_start and other_end <= end
            for other_key, other_size, (other_start, other_end), confident in shapes
            if other_key != key
        )
    }
    return [s for s in found if id(s.group) not in coarse]


_BLANKED = " " * 8
_MATERIAL_END = re.compile(r" {8,}(?=[¿¡]?[^\W\d_])")


def _past_material(scan: str, sents: list[Span]) -> list[Span]:
    """The sentences, cut where blanked material (a quotation handed over, code) ends
    and a capital opens what follows: "Translate this: «…» And something else: …?"
    holds two sentences, the material's own full stop blanked with it."""
    ends = [m for m in _MATERIAL_END.finditer(scan) if scan[m.end()].isupper()]
    if not ends:
        return sents
    cut: list[Span] = []
    for sentence in sents:
        start = sentence.start
        for blank in ends:
            inside = sentence.start < blank.start() and blank.end() < sentence.end
            if inside and _LETTER.search(scan, start, blank.start()):
                cut.append(Span(start, blank.start()))
                start = blank.end()
        cut.append(Span(start, sentence.end))
    return cut


def _strongest_per_extent(found: list[Suggestion]) -> list[Suggestion]:
    """Where two cues find a branch point over the same text, the more confident one's
    suggestions (two groups with one extent would otherwise read as one)."""
    groups = {id(s.group): s.group for s in found if s.group is not None}
    if len({(g.start, g.end) for g in groups.values()}) == len(groups):
        return found
    best: dict[tuple[int, int], float] = {}
    for suggestion in found:
        extent = suggestion.extent
        best[extent] = max(best.get(extent, 0.0), suggestion.confidence)
    kept: list[Suggestion] = []
    taken: set[tuple[int, int, int, int]] = set()
    for suggestion in found:
        key = (*suggestion.extent, suggestion.start, suggestion.end)
        if suggestion.confidence == best[suggestion.extent] and key not in taken:
            taken.add(key)
            kept.append(suggestion)
    return kept


_ANNOUNCEMENT_END = re.compile(
    r"(?:,?\s+(?:(?:totally |completely |quite )?unrelated|sans (?:aucun )?rapport|sin relación|"
    r"que no tienen nada que ver|(?:ganz )?unabhängig voneinander|ohne zusammenhang))?"
    r"(?:\s+(?:on|about|regarding|concerning|for|with|from|sur|avec|pour|con|sobre|para|de|zu|"
    r"mit|bei|für|zum|zur)\b[^.:!?\n]{0,40})?"
    r"(?:\s+(?:please|for you|today|quickly|s'il vous plaît|por favor|bitte))?\s*[.:!?,\-]*\s*",
    re.I,
)
_ORDINAL_LEAD = re.compile(
    r"(?:(?:and|et|y|und|e)\s+)?(?:first(?:ly)?|second(?:ly)?|third(?:ly)?|premièrement|"
    r"deuxièmement|d'abord|ensuite|primero|segundo|tercero|erstens|zweitens|drittens|primo|"
    r"secondo|(?:and )?(?:last(?:ly)?|finally)|enfin|por último|zuletzt|schließlich)\b,?\s*",
    re.I,
)
_THEN = re.compile(
    r"(?:and|und|y|et|e|then|dann|luego|después|ensuite|puis)\b\s*[,:]?\s+"
    r"(?:(?:then|dann|luego|después|ensuite|puis)\b,?\s+)?",
    re.I,
)
_STORY = re.compile(
    r"\s+(?:\w+ed|was|were|is|are|went|came|got|broke|happen\w*|se sont|ont|sont|pasaron|"
    r"han|sind|haben|ist)\b",
    re.I,
)
_NUMBER = {"two": 2, "2": 2, "deux": 2, "dos": 2, "zwei": 2, "due": 2, "three": 3, "3": 3}
_NUMBER |= {"trois": 3, "tres": 3, "drei": 3, "tre": 3, "four": 4, "4": 4}


def _symptoms(scan: str, items: list[tuple[int, int]], sents: list[Span]) -> bool:
    """Whether listed items are the symptoms of what a question after them asks: one of
    them tells a problem without asking, and a question follows the list."""
    told = any(not _asks_directly(scan[a : b + 1]) for a, b in items)
    after = (s for s in sents if s.start >= items[-1][1])
    return told and any(_real_question(scan[s.start : s.end].strip()) for s in after)


def _ordinals(text: str, scan: str, sents: list[Span], counts: _Keyed) -> list[Suggestion]:
    """A count announced, then the requests as sentences ("Two things. First, … Second,
    …", "Two things on my account. <a problem>. Separately, …?", "Tres cosas: ¿…?
    También … Y por último, …"): the first request, then one per sentence opened by an
    ordinal or an additive word, or each line of a list after a count that ends with a
    colon; sentences in between tell more about the request. ``counts``: where the
    nouns of ``COUNTED`` may be."""
    for index, sentence in enumerate(sents):
        if not counts.within(sentence.start, sentence.end):
            continue
        counted = COUNTED.search(scan, sentence.start, sentence.end)
        if counted is None or _described(scan, sentence.start, counted.start()):
            continue
        items: list[tuple[int, int]] = []
        if not _ANNOUNCEMENT_END.fullmatch(scan, counted.end(), sentence.end):
            colon = scan.find(":", counted.end(), min(sentence.end, counted.end() + 40))
            if colon < 0:
                continue  # "Two things happened. First, …" tells a story
            after = _trimmed(text, colon + 1, sentence.end)  # "Tres cosas: ¿cómo …?"
            items.extend([after] if _LETTER.search(scan, *after) else [])
        number = _NUMBER.get(counted.group(0).split()[0].lower(), 4)
        lined = scan[sentence.start : sentence.end].rstrip().endswith(":")  # a line each?
        marked: bool | None = None  # whether the lines carry list markers ("- ", "1.")
        lines = 0
        previous_end = sentence.end
        for following in sents[index + 1 : index + 10]:
            plain = scan[following.start : following.end].lstrip("¿¡ ")
            if _LETTER.search(plain) is None:
                continue  # "1." cut off as a sentence of its own
            gap, previous_end = scan[previous_end : following.start], following.end
            lined = lined and not (items and "\n\n" in gap)  # a blank line ends the list
            offset = following.end - following.start - len(plain)
            marker = _ORDINAL_LEAD.match(plain) or _ADDITIVE.match(plain)
            line = _strip_marker(scan, following)
            if marked is not None and marked != (line.start != following.start):
                lined = False  # "- uploads fail\n- …\nWe think it's the proxy.": list over
            if marker is None and lined and "\n" in gap:  # "Tres dudas:\ncuánto …;\nsi …"
                if _SIGN_OFF.match(plain) or len(items) == number:
                    break
                marked, lines = line.start != following.start, lines + 1
                items.append(_trimmed(text, line.start, following.end))
                continue
            if marker is None and lined and items:  # "Restore the "Smith v. Lee" folder"
                items[-1] = (items[-1][0], _trimmed(text, following.start, following.end)[1])
                continue
            if marker is None and items:  # "Dann bräuchte ich …", "Then: the export …"
                marker = _THEN.match(plain)
                labelled = marker is not None and ":" in marker.group(0)
                marker = marker if marker and (labelled or _asks(plain)) else None
            if _SIGN_OFF.match(plain) or (len(items) == number and marker):
                break
            if marker:
                items.append(_trimmed(text, following.start + offset + marker.end(), following.end))
            elif not items:
                items.append(_trimmed(text, following.start, following.end))
        items = _unretracted(text, scan, items, sents)
        if lines >= 2 and _symptoms(scan, items, sents):
            continue  # "a few issues:\n- uploads fail\n- …\nHow do we track this down?"
        if items and _reported(scan, counted.end(), items):
            continue  # "Two things the client said: that …, and that …": their words
        if len(items) == 1:  # "Three things for me? Summarise …, list … and draft …"
            items = _verb_clauses(text, scan, *items[0])
            asking = len(items)
        else:
            asking = sum(_asks(scan[a : b + 1]) for a, b in items)  # with its "?"
        if len(items) < 2 or asking < len(items) - 1:
            continue  # one of them may be a problem told ("Two of my users keep …")
        return split_group(
            text,
            kind="multi_intent",
            start=items[0][0],
            end=items[-1][1],
            options=titled(text, items),
            confidence=0.86,  # above the questions it also holds, so its split wins
            description=_DESCRIPTION,
            reasoning="Requests counted, then told one by one",
            divergence="high",
        )
    return []


_LETTER = re.compile(r"[^\W\d_]")
_RETRACTED = re.compile(
    r"(?:(?<=[,;:.…!?\n\u2014\u2013-])\s*|\b(?:actually|no|nah|oh|wait|ok|okay|bueno|vale|non|"
    r"bon|en fait|ach|nee|eigentlich)\b,?\s+)(?:scratch that|never ?mind|forget (?:it|that)|"
    r"ignore that|oublie[zs]? (?:ça|cela)|laisse[zs]? tomber|olvídalo|olvida eso|olvídate|"
    r"vergiss (?:es|das)|vergessen sie das|hat sich erledigt)\b",
    re.I,
)
"""The writer taking back what they just asked, after a break or a "no"/"actually"
("… actually scratch that", "non, laisse tomber", "bueno, olvídalo", "ach, vergiss es")."""


def _taken_back(scan: str, sents: list[Span], index: int) -> bool:
    """Whether the writer takes a sentence back, in it or as the next one opens ("…
    grants... actually scratch that, I'll check the wiki.")."""
    sentence = sents[index]
    if _RETRACTED.search(scan, sentence.start, sentence.end):
        return True
    following = sents[index + 1] if index + 1 < len(sents) else None
    return following is not None and bool(
        _RETRACTED.search(scan, following.start, following.start + 24)
    )


def _unretracted(
    text: str, scan: str, items: list[tuple[int, int]], sents: list[Span]
) -> list[tuple[int, int]]:
    """The items, each one the writer takes back ("… actually scratch that, I'll check
    the wiki.") replaced by the question right after it ("Instead: how do I …?"), or
    left out when none follows."""
    if not items or _RETRACTED.search(scan, items[0][0]) is None:
        return items  # nothing taken back from the first item on
    kept: list[tuple[int, int]] = []
    for start, end in items:
        following = [s for s in sents if s.start >= end][:2]
        retracted = _RETRACTED.search(scan, start, end) is not None
        if following and _RETRACTED.search(scan, following[0].start, following[0].start + 24):
            retracted = bool(following.pop(0))  # "… grants... actually scratch that, …"
        if not retracted:
            kept.append((start, end))
            continue
        after = following[0] if following else None
        if after is not None and _real_question(scan[after.start : after.end].strip()):
            kept.append(_trimmed(text, _past_heading(scan, after.start), after.end))
    return kept


_THAT = re.compile(r"\W*(?:(?:and|et|y|und)\s+)?(?:that|que|qu'|dass|daß)\b", re.I)


def _reported(scan: str, count_end: int, items: list[tuple[int, int]]) -> bool:
    """Whether counted items are what someone said, not requests: the count is told as
    said ("Two things my manager said:", "Dos cosas que me ha dicho el cliente:"), or
    each item is a "that"-clause ("… : that the logo is too big and that …")."""
    if SAID.search(scan, count_end, items[0][0]):
        return True
    return all(_THAT.match(scan, a, b) and "?" not in scan[a : b + 1] for a, b in items)


def _joined(text: str, scan: str, sentence: Span) -> list[Suggestion]:
    """ "I need help with X and also Y": the two requests of one sentence (one that
    holds one of ``_JOINED_KEYS``)."""
    chunk = scan[sentence.start : sentence.end]
    match = _JOINED.search(chunk)
    asking = _ASKING.match(scan, _strip_marker(scan, sentence).start, sentence.end)
    speaker = _SPEAKER.search(chunk) or _WANT.search(chunk)  # "quiero …": no pronoun
    if match is None or not _NEED.search(chunk) or not (speaker or asking):
        return []
    body = _strip_marker(scan, sentence)
    cut, resume = sentence.start + match.start(), sentence.start + match.end()
    left = _trimmed(text, body.start, cut)
    right = _trimmed(text, resume, sentence.end)
    if len(_words(text[left[0] : left[1]])) < 2 or len(_words(text[right[0] : right[1]])) < 2:
        return []
    if not _requests(scan[left[0] : left[1]], scan[right[0] : right[1]]):
        return []  # "a laptop for coding as well as photo editing": one request, two needs
    return split_group(
        text,
        kind="multi_intent",
        start=left[0],
        end=right[1],
        options=titled(text, (left, right)),
        confidence=0.8,
        description=_DESCRIPTION,
        reasoning=f"Two requests joined by '{match.group(0).strip(' ,').lower()}'",
        divergence="high",
    )


_CLAUSE_START = re.compile(
    r"\W*(?:(?:i|we|you|my|our|can|could|would|please|how|what|why|when|where|which|who|whether|"
    r"if|is|are|do|does|je|j'|nous|mon|ma|mes|notre|comment|pourquoi|quand|est-ce|yo|mi|mis|"
    r"nuestro|nuestra|cómo|por qué|cuándo|qué|ich|wir|mein|meine|unser|unsere|wie|warum|wann|was|"
    r"ob|eu|meu|minha|como|porque|io|il mio|la mia|come|perché)\b|\w+(?:ing|ar|er|ir|en|re)\b "
    r"(?:the|my|our|a|an|le|la|les|mon|ma|mes|el|los|las|mi|mis|den|die|das|meine?n?)\b)",
    re.I,
)


def _requests(before: str, phrase: str) -> bool:
    """Whether the words after "and also" / "as well as" make a request of their own: a
    clause or a need ("have a question about …", "I need to …"), a second thing asked
    for ("a landing page"), or a complement like the first ("help with X and also with
    Y"); not one more property of the same thing ("… and also healthy")."""
    if _NEED.search(phrase) or _ISSUE.search(phrase) or _CLAUSE_START.match(phrase):
        return True
    head = (_words(phrase) or [""])[0]
    if head in _OBJECT_START:
        return True
    preposition = head.partition("'")[0]  # "d'une", "l'"
    return preposition in _PREPOSITION and preposition in {
        w.partition("'")[0] for w in _words(before)
    }


_PREPOSITION = _wordset(
    "with on for about to avec sur pour de d con sobre para de del mit bei für zu über von"
)


_ASKING = re.compile(
    r"(?:(?:hi|hey|hello|ok|okay|so)\b,?\s*)?(?:(?:can|could|would|will) you (?:please |also )?|"
    r"please |pls |i need you to |i'd like you to |i would like you to |help me |"
    r"(?:peux|pouvez)[- ](?:tu|vous) |pourriez-vous |(?:puedes|podrías|podría) |por favor,? |"
    r"(?:kannst du|können sie|könnten sie) (?:bitte )?|bitte )",
    re.I,
)
_AND = _Folding(re.compile(r"\s+(?:and|et|y|und)\s+", re.I))
_OBJECT_START = _wordset(
    "the my our a an this that these those some your his her their its all any "
    "le la les un une mon ma mes notre nos votre vos ce cette ces "
    "el la los las un una mi mis nuestro nuestra su sus este esta "
    "der die das den dem ein eine einen mein meine unser unsere ihr ihre diese"
)


def _coordinated(text: str, scan: str, sentence: Span, body: Span) -> list[Suggestion]:
    """ "Can you fix the login bug and update the README?", "aide-moi à trier …, trouve-moi
    …, et rappelle-moi …": verb phrases, each with its object, asked for in one request.
    Two verbs on one thing are often one task ("correct it and credit me"); three, or two
    with objects that share nothing, are separate requests."""
    lead = _ASKED.match(scan, sentence.start, sentence.end) or _WANT_TO.match(
        scan, sentence.start, sentence.end
    )
    if lead is None and _may_be_marked(scan, sentence.start):  # "- can you …", "2) can you"
        lead = _ASKED.match(scan, body.start, sentence.end)
    if lead is None and scan.find(":", sentence.start, sentence.start + 44) > 0:
        heading = _HEADING.match(scan, sentence.start, sentence.end)  # "Pour demain : …"
        lead = heading and _ASKED.match(scan, heading.end(), sentence.end)
    if not lead:
        return _bare_tasks(text, scan, body)
    parts = _verb_clauses(text, scan, lead.end(), sentence.end)
    if not parts:
        parts = _verbs_last(text, scan, lead.end(), sentence.end)
        return _requests_group(text, parts, 0.74, "2 requests coordinated in one sentence")
    objects = [set(_words(scan[a:b])[1:]) - _STOPWORDS - _OBJECT_START - _LINKS for a, b in parts]
    # two verbs are mostly one task ("download the report and summarize the findings",
    # "explain X and give me an example"); they are two when a change is asked, then
    # an explanation of something else ("corriger la surface de la parcelle 12 et
    # m'expliquer comment exporter la déclaration"). Three, none pointing back, are three.
    heads = [_INFO_ASK.match(scan, a, b) is not None for a, b in parts]
    later = parts[1:]
    if len(parts) > 2:
        apart = not any(_PRONOUN_OBJECT.match(scan, a, b) for a, b in later)
    else:  # the explanation asked about what the first task handles is the same request
        apart = heads == [False, True] and min(map(len, objects)) >= 2
        apart = apart and not _BACK.search(scan, *parts[1])  # "… and tell me why it's slow"
        apart = (apart and not set.intersection(*objects)) or _own_tasks(scan, parts, objects)
    confidence = 0.74 if apart else 0.66
    return _requests_group(
        text, parts, confidence, f"{len(parts)} requests coordinated in one sentence"
    )


def _bare_tasks(text: str, scan: str, body: Span) -> list[Suggestion]:
    """ "Cancel my plan, and send me all the 2023 invoices": two imperatives with no ask
    frame, separate only as tasks each with an object of its own (``body``: the sentence
    past its list marker)."""
    if not _IMPERATIVE_ASK.match(scan, body.start, body.end):
        return []
    parts = _verb_clauses(text, scan, body.start, body.end)
    objects = [set(_words(scan[a:b])[1:]) - _STOPWORDS - _OBJECT_START - _LINKS for a, b in parts]
    if len(parts) != 2 or not _own_tasks(scan, parts, objects):
        return []
    return _requests_group(text, parts, 0.74, "2 requests coordinated in one sentence")


def _requests_group(
    text: str, parts: list[tuple[int, int]], confidence: float, reasoning: str
) -> list[Suggestion]:
    if not parts:
        return []
    return split_group(
        text,
        kind="multi_intent",
        start=parts[0][0],
        end=parts[-1][1],
        options=titled(text, parts),
        confidence=confidence,
        description=_DESCRIPTION,
        reasoning=reasoning,
        divergence="medium",
    )


_UND = re.compile(r"\s+und\s+")
_INFINITIVE = re.compile(r"[a-zäöüß]{3,}(?:en|ern|eln)")
_THEN_ASKED = re.compile(
    r"(?:(?:mir|uns)\s+)?[a-zäöüß]{3,}(?:en|ern|eln)\s*,\s*(?:wie|was|warum|wieso|wann|wo|"
    r"welche\w*|ob)\b"
)
"""A German verb then what it asks ("erklären, wie …", "mir sagen, ob …")."""


def _verbs_last(text: str, scan: str, start: int, end: int) -> list[tuple[int, int]]:
    """Two German tasks with their verbs last ("… diese Mail ins Englische übersetzen
    und erklären, wie ich …", "… meine Adresse ändern und mir sagen, wann …"): each verb
    after an object of its own, the second naming its own (a question, a possessive), on
    different topics; none when the second may be a step of the first."""
    joins = list(_UND.finditer(scan, start, end))
    if len(joins) != 1:
        return []
    left = _trimmed(text, start, joins[0].start())
    right = _trimmed(text, joins[0].end(), end)
    pronoun = _DATIVE.match(scan, left[0], left[1])  # "mir diese Mail …"
    left = (pronoun.end() if pronoun else left[0], left[1])
    before = scan[left[0] : left[1]].split()
    if len(before) < 2 or not _INFINITIVE.fullmatch(before[-1]):
        return []
    after = scan[right[0] : right[1]]
    asked = _THEN_ASKED.match(after)
    words = after.split()
    while words and words[0].lower() in _PRONOUN_AFTER:
        words = words[1:]
    if asked:
        named = _words(after[asked.end() :])
    elif len(words) >= 2 and _INFINITIVE.fullmatch(words[-1]) and words[0].lower() in _OWN_OBJECT:
        named = _words(" ".join(words[:-1]))
    else:
        return []
    objects = [set(_words(" ".join(before[:-1]))), set(named)]
    objects = [o - _STOPWORDS - _OBJECT_START - _LINKS - _PRONOUN_AFTER for o in objects]
    stems = [{w[:_STEM] for w in o} for o in objects]
    if not all(stems) or stems[0] & stems[1] or _BACK.search(after) or _ER.search(after):
        return []
    return [left, right]


_DATIVE = re.compile(r"(?:(?:mir|uns)\s+)+", re.I)
_ER = re.compile(r"\b(?:er|es|ihn|ihm|sie|das|dies\w*)\b")
"""A German pronoun pointing back ("… kürzen und mir sagen, wie er klingt"); lowercase,
so the polite "Sie" is no back-reference."""


_WANT_TO = re.compile(
    r"(?:(?:hi|hello|hey|bonjour|salut|hola|hallo)\b,?\s*)?(?:i(?:'d| would) like to|"
    r"je (?:voudrais|souhaiterais|souhaite)|j'aimerais|(?:quisiera|me gustaría|quiero)|"
    r"ich (?:möchte|würde gern|würde gerne))\s+",
    re.I,
)
"""A wish opening coordinated tasks ("je voudrais modifier … et savoir si …")."""
_OWN_OBJECT = _wordset(
    "my our all every each mon ma mes notre nos tous toutes chaque mi mis nuestro nuestra "
    "todos todas cada mein meine meinen unser unsere alle jede jeden how what why where when "
    "which whether if comment pourquoi où quand quel quelle si cómo qué por dónde cuándo "
    "cuál wie was warum wo wann welche ob"
)
"""What opens an object the request names on its own: a possessive, a quantifier, or a
question ("my password", "all the invoices", "why I was charged"); "the findings" or "an
example" may be what the first task yields."""
_BACK = re.compile(
    r"(?<!before )(?<!after )(?<!until )(?<!avant )(?<!après )(?<!antes de )(?<!después de )"
    r"(?<!vor )(?<!nach )(?<!bis )"
    r"\b(?:it|its|this|that|them|these|those|one|ones|ça|cela|ceci|lequel|laquelle|lesquel\w*|"
    r"eso|esto|ello|es|das|dies|davon)\b",
    re.I,
)
"""A word pointing back at what another task handles; not a time told from it ("before
that", "avant ça", "antes de eso", "vor dem")."""
_STEM = 5


def _own_tasks(scan: str, parts: list[tuple[int, int]], objects: list[set[str]]) -> bool:
    """Whether two coordinated verb phrases are two tasks: each verb with an object of its
    own ("cancel my plan, and send me all the 2023 invoices", "reset my password and tell
    me why I was charged twice"), on different topics, the second naming its object itself
    rather than what the first yields ("download the report and summarize the findings")
    or pointing back at it ("check the draft and send it")."""
    if not all(objects):
        return False
    stems = [{w[:_STEM] for w in words} for words in objects]
    if stems[0] & stems[1]:
        return False
    a, b = parts[1]
    words = _words(scan[a:b])[1:]
    while words and words[0] in _PRONOUN_AFTER | _PRONOUN_BEFORE:
        words = words[1:]  # "send me all …"
    return bool(words) and words[0] in _OWN_OBJECT and not _BACK.search(scan, a, b)


def _verb_clauses(text: str, scan: str, start: int, end: int) -> list[tuple[int, int]]:
    """The verb phrases coordinated in ``scan[start:end]`` ("fix the bug, update the
    README and close the ticket"), cut where a verb phrase follows; none if another
    part is no verb phrase."""
    if _AND.search(scan, start, end) is None:
        return []  # the last one is joined by "and"
    joins = [  # "répartir 25 h entre lundi et vendredi, trouve-moi …": at verbs only
        j for j in _CLAUSE_JOIN.finditer(scan, start, end) if _verb_phrase(scan[j.end() : end])
    ]
    if not joins or len(joins) > 3 or not _AND.search(joins[-1].group(0)):
        return []
    cuts = [start] + [j.end() for j in joins]
    ends = [j.start() for j in joins] + [end]
    parts = [_trimmed(text, a, b) for a, b in zip(cuts, ends, strict=True)]
    if not all(_verb_phrase(scan[a:b], initial=a == start) for a, b in parts):
        return []
    return parts


def _may_be_marked(scan: str, start: int) -> bool:
    """Whether a list marker ("- ", "2.", "b)", "(c)") may open the sentence at ``start``."""
    return (
        scan[start] in "-*•+(" or scan[start].isdigit() or scan[start + 1 : start + 2] in (".", ")")
    )


_HEADING = re.compile(r"[^\n:?!.]{3,40}\s?:\s+")
_CLITIC_IMPERATIVE = re.compile(
    r"\W*(?:[^\W\d_]{2,14}-(?:moi|nous)|(?:ayúda|dí|haz|recuérda|busca|escríbe|explíca)(?:me|nos)|"
    r"[a-zñ]{1,10}[áéíó][a-zñ]{1,8}(?:me|nos)|"
    r"(?:hilf|schreib|erklär|sag|such) mir)\b",
    re.I,
)
_ASKED = _Folding(re.compile(rf"{_ASKING.pattern}|(?={_CLITIC_IMPERATIVE.pattern})", re.I))
"""Where the verbs of a request start: after "can you", "please", or at an imperative
with its pronoun ("aide-moi", "ayúdame", "hilf mir")."""
_CLAUSE_JOIN = _Folding(re.compile(r",?\s+(?:and|et|y|und)\s+|,\s+", re.I))
_PRONOUN_OBJECT = re.compile(
    r"\S+\s+(?:(?:it|them|him|ihn|ça|cela)\b|(?:this|that|these|those|das|eso|esto)"
    r"(?=\s*(?:[.,;?!]|$|(?:to|for|with|by|into|in|on|as|à|pour|a|para|zu|für)\b)))",
    re.I,
)


_ISSUE = _Folding(
    re.compile(
        r"\b(?:can't|cannot|can not|unable|doesn't work|does not work|not working|isn't working|"
        r"broken|crash\w*|error\w*|fail\w*|wrong|charged|refund\w*|cancel\w*|billing|invoice|bug|"
        r"issue|problem|question|help|need|want|how do i|how can i|missing|lost|locked|won't|"
        r"never arrived|delayed|stuck|ne fonctionne|"
        r"ne marche|erreur|rembours\w*|factur\w*|annul\w*|"
        r"n'arrive (?:pas|plus)|impossible|"
        r"no funciona|reembolso|factura|cancelar|funktioniert nicht|fehler|rechnung|erstattung|"
        r"no puedo|no me deja|no me llega|no llega|je ne peux|ne peut pas|refuse\w*|rechaza\w*|"
        r"kann nicht|kann ich nicht|geht nicht|lässt sich nicht|verweiger\w*|non riesco|"
        r"não consigo|stopped|(?:a|ont) cessé|dej(?:ó|aron) de|ha(?:n)? dejado de|aufgehört|"
        r"kündig\w*|keeps? \w+ing|n'arrête pas de|no (?:para|deja) de|hört nicht auf)",
        re.I,
    )
)
_CLAUSE_AND = _Folding(
    re.compile(
        r",?\s+(?:and|et|y|und)\s+(?:(?:also|aussi|además|ademas|außerdem|auch)\s+)?"
        r"(?=(?:i|my|the|our|we|it|also|je|j'|mon|ma|le|la|yo|mi|el|ich|mein|meine|der|die|das|"
        r"quiero|quisiera|necesito|bitte|vorrei|quero)\b)",
        re.I,
    )
)
_WANT = _Folding(
    re.compile(
        r"\b(?:i want|i'd like|i would like|i need|je voudrais|j'aimerais|je veux|quiero|quisiera|"
        r"necesito|ich möchte|ich würde gern|ich hätte gern|bitte um|vorrei|quero|gostaria)\b",
        re.I,
    )
)


_BACK_REFERENCE = re.compile(
    r"\b(?:\w+ (?:it|that|them)|without (?:it|that|them)|because of (?:it|that)|so|therefore|"
    r"sans (?:ça|cela)|sin (?:eso|ello)|ohne (?:das|es))\s*[.!]?$",
    re.I,
)


_POINTS_BACK = re.compile(
    r"\b(?:this|that|them|it(?!'s|\s+(?:is|was|would|will|possible)\b)|ça|cela|eso|esto)"
    r"\b(?!\s+(?:is|was)\s+(?:possible|okay|ok)\b)",
    re.I,
)
_REMEDY = re.compile(
    r"\b(?:refund|money back|replacement|reimburse\w*|compensation|credit|rembours\w*|"
    r"remplacement|reembolso|devolución|reposición|erstattung|ersatz|gutschrift|rimborso|"
    r"reembolso|cancel (?:it|the order|my order))\b",
    re.I,
)


_DEADLINE = re.compile(
    r"\b(?:today|tonight|tomorrow|asap|urgently|by (?:monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|tomorrow|tonight|noon|the end of)|aujourd'hui|ce soir|demain|hoy|esta noche|"
    r"mañana|heute|heute abend|morgen|oggi|domani|hoje|amanhã)\b",
    re.I,
)


def _two_problems(text: str, scan: str, body: Span) -> list[Suggestion]:
    """ "I was charged twice and I can't log in": two issues, each a clause of its own
    (``body``: the sentence past its list marker)."""
    joins = list(_CLAUSE_AND.finditer(scan, body.start, body.end))
    if len(joins) != 1:
        return []
    join = joins[0]
    left = _trimmed(text, body.start, join.start())
    right = _trimmed(text, join.end(), body.end)
    halves = [scan[a:b] for a, b in (left, right)]
    cues = [_ISSUE.search(h) or _WANT.search(h) for h in halves]
    if any(len(_words(h)) < 4 or cue is None for h, cue in zip(halves, cues, strict=True)):
        return []
    if _BACK_REFERENCE.search(halves[1]) or _POINTS_BACK.search(halves[1]):
        return []  # "the VAT number is missing and our accountant can't book it": one issue
    if _REMEDY.search(halves[1]) and not _REMEDY.search(halves[0]):
        return []  # "it arrived broken and I want a refund": a complaint and its one ask
    first, second = (cue.group(0).lower() for cue in cues if cue is not None)
    if first == second:
        return []  # one issue told twice
    asked = [bool(_WANT.search(h)) and not _DEADLINE.search(h) for h in halves]
    # two problems told together are mostly one ("the printer shows an error and I can't
    # print"), and a need with a deadline is what the problem blocks ("I can't log in and
    # I need to file my report today"): a request asked for in so many words is needed
    confidence = 0.72 if any(asked) else 0.62
    return split_group(
        text,
        kind="multi_intent",
        start=left[0],
        end=right[1],
        options=titled(text, (left, right)),
        confidence=confidence,
        description=_DESCRIPTION,
        reasoning="Two issues reported in one sentence",
        divergence="high",
    )


def _verb_phrase(phrase: str, *, initial: bool = False) -> bool:
    """A verb and its object: "fix the login bug", "m'expliquer comment …", "trouve-moi
    une idée", not "set up" or "the logs"."""
    words = phrase.split(None, 4)
    if len(words) > 3 and words[0].lower() in _PRONOUN_BEFORE:
        words = words[1:]  # "me proposer trois titres"
    if len(words) < 3:
        return False
    if words[1].lower() in _PRONOUN_AFTER:
        words = [words[0], *words[2:]]  # "schick mir die Rechnung", "tell me how"
    if len(words) < 2:
        return False
    words[1] = _ELIDED.sub("le ", words[1])  # "corriger l'orthographe"
    verb = _CLITIC.sub("", words[0])
    verb = verb[:1].lower() + verb[1:] if initial else verb  # "Aide-moi" opening the sentence
    second = words[1].split()[0].lower()
    return (
        verb.isalpha()
        and verb.islower()
        and not verb.endswith("ing")  # "including the tests": no request
        and verb not in _OBJECT_START
        and verb not in _STOPWORDS
        and (second in _OBJECT_START or second in _HOW or _NUMERAL.fullmatch(second) is not None)
    )


_CLITIC = re.compile(r"^(?:[mtl]['\u2019])|-(?:moi|nous|toi|le|la|les)$", re.I)
_NUMERAL = re.compile(rf"\d+|{COUNT}", re.I)
_INFO_ASK = re.compile(
    r"(?:(?:me|m'|nos)\s*)?(?:explain|tell|show|remind|let me know|know|find out|savoir|saber|"
    r"wissen|expliqu|dis-|dites-|dire|decir|"
    r"rappel|indiqu|explic|dime|dígame|cuéntame|recuérda|erklär|sag|zeig|nenn)[\w-]*"
    r"(?:\s+(?:me|us|mir|uns|bitte))?\s+(?:how|what|why|where|when|whether|if|which|comment|"
    r"pourquoi|où|quand|si|ce qu|quel\w*|cómo|qué|por qué|dónde|cuándo|wie|was|warum|wo|wann|"
    r"ob|welche\w*)\b",
    re.I,
)
"""A request for an explanation ("tell me how …", "m'expliquer comment …", "dime cómo")."""
_PRONOUN_BEFORE = _wordset("me te nous vous lui leur nos se")
_PRONOUN_AFTER = _wordset("me us mir uns dir moi nous")
_ELIDED = re.compile(r"^[ld]['\u2019]", re.I)
_LINKS = _wordset(
    "à au aux de du des d en et pour par sur avec dans y a al del con para por und von mit zu "
    "zum zur für im am"
)
_HOW = _wordset(
    "à a to zu how what where when which why whether if comment quoi où quand pourquoi si cómo "
    "qué dónde cuándo wie was wo wann ob"
)


def _announced(text: str, scan: str, sentence: Span) -> list[Suggestion]:
    """ "I have two questions: one about X and one about Y": the items after the colon."""
    if ":" not in scan[sentence.start : sentence.end]:
        return []
    match = _ANNOUNCED.search(scan, sentence.start, sentence.end)
    counted = match and COUNTED.search(scan, match.start())
    if match is None or (counted and _STORY.match(scan, counted.end())):
        return []  # "Two things happened today: …" tells a story
    if counted and _described(scan, sentence.start, counted.start()):
        return []  # "Our script does three things: backs up …, zips …": what it does
    ordered = _ORDINAL_LEAD.match(scan, _trimmed(scan, match.end(), sentence.end)[0])
    items = _parts(scan, match.end(), sentence.end, _ORDINAL_SPLIT if ordered else _ITEM_SPLIT)
    if len(items) < 2:  # "dos cosas: corrígeme este email y dime cómo …"
        joins = [j for j in _AND.finditer(scan, match.end(), sentence.end)]
        verbs = [j for j in joins if _verb_phrase(scan[j.end() : sentence.end])]
        if len(verbs) == 1:
            items = [
                _trimmed(scan, match.end(), verbs[0].start()),
                _trimmed(scan, verbs[0].end(), sentence.end),
            ]
    if counted and (number := _NUMBER.get(counted.group(0).split()[0].lower())):
        items = _to_count(scan, items, number)
    if len(items) < 2 or any(len(_words(scan[a:b])) < 2 for a, b in items):
        return []
    if _reported(scan, counted.end() if counted else match.end(), items):
        return []  # "Two things the client said: that …, and that …": their words
    return split_group(
        text,
        kind="multi_intent",
        start=items[0][0],
        end=items[-1][1],
        options=titled(text, items),
        confidence=0.82,
        description=_DESCRIPTION,
        reasoning=f"Requests announced as '{match.group(0).strip(' :').lower()}'",
        divergence="high",
    )


_DOES = re.compile(
    r"\b(?:does|do|did|has|have|had|fait|font|faisait|a|ont|hace|hacen|hacía|tiene|tienen|"
    r"macht|machen|machte|hat|haben|hatte)\s+$",
    re.I,
)
_TOLD_BY_PARTY = re.compile(
    r"\b(?:i|i've|we|we've|you|je|j'|nous|tu|vous|on|yo|tú|usted|ich|wir|du)\b", re.I
)


def _described(scan: str, start: int, count: int) -> bool:
    """Whether a count is what something does or has, told of a third party ("Our
    script does three things:", "Unser Skript macht drei Dinge:"), not of the writer
    ("I have two things:", "Can you do three things for me?") nor counted on its own
    ("Two things:")."""
    before = scan[start:count]
    return bool(_DOES.search(before)) and not _TOLD_BY_PARTY.search(before)


def _to_count(scan: str, items: list[tuple[int, int]], number: int) -> list[tuple[int, int]]:
    """The items of a count, more than counted ("two things: my invoice is wrong, and I
    can't add a user, the invite button is greyed out") joined back where only a comma
    parts an item from the one "and" brought: the later part tells more about it. A
    list "A, B and C" keeps its commas before the "and"."""
    items = list(items)
    while len(items) > number:
        gaps = [scan[a[1] : b[0]] for a, b in itertools.pairwise(items)]
        after_and = [
            i + 1
            for i in range(1, len(gaps))
            if gaps[i].strip() == "," and _AND_WORD.search(gaps[i - 1])
        ]
        if not after_and:
            break
        at = after_and[-1]
        items[at - 1 : at + 1] = [(items[at - 1][0], items[at][1])]
    return items


_AND_WORD = re.compile(r"\b(?:and|et|y|und|e)\b", re.I)


def _intents(
    text: str, scan: str, sents: list[Span], bodies: list[Span], counts: _Keyed
) -> list[Suggestion]:
    """Several real questions, or a request followed by "Also, …": one option each.

    Confident only with a sign that the requests are separate: an additive or ordinal
    opener ("Also, …", "Second, …"), a count announced before them ("Two questions:
    …"), or a question opened by "And" on another topic. Two bare questions in a row
    mostly ask one thing ("How do I apply? What documents do I need?"). ``bodies``: each
    sentence past its list marker; ``counts``: where the nouns of a count may be."""
    asked: list[Span] = []
    marked = False  # an additive or ordinal opener on a later request
    joined = False  # a later request opened by "and"
    also = _Keyed(scan, _ALSO_KEYS)  # where "also" may be said inside a sentence
    retracting = _RETRACTED.search(scan) is not None
    for index, (sentence, body) in enumerate(zip(sents, bodies, strict=True)):
        chunk = scan[body.start : sentence.end].strip()
        plain = chunk.lstrip("¿¡")
        opens = _ADDITIVE.match(plain) or (
            _ALSO_INSIDE.search(chunk) if also.within(body.start, sentence.end) else None
        )
        opens = None if opens and _opener_is_subject(plain, opens) else opens
        and_opens = not opens and _AND_OPENER.match(plain)
        if asked and _restates(plain):
            continue  # "… ? I mean, …?", "… ? Bzw. …?": the same request, said again
        if retracting and _taken_back(scan, sents, index):
            continue  # "Second, … actually scratch that, …": no longer asked
        if _real_question(chunk):
            if asked and not opens and not _SEQUENCE.match(chunk) and _dependent(chunk):
                continue  # "Is there a way to include the photos too?" asks about the same
            if index + 1 < len(sents) and _not_asked(scan, sents[index + 1]):
                continue  # "Why do I do this? Because …", "… ? Anyway, …": not asked
            if asked and (opens or and_opens) and _refines(scan, asked[0], plain, opens):
                continue
            asked.append(body)
            marked = marked or bool(opens)
            joined = joined or bool(and_opens and len(asked) > 1)
        elif (opens or and_opens) and index > 0 and len(_words(chunk)) >= 3:
            opening = opens or and_opens or None
            unmarked = (  # "unrelated, what's a good podcast …", not "enfin, comment ça …"
                opening is not None
                and _UNMARKED_QUESTION.match(plain, _past_heading(plain, opening.end())) is not None
                and not _dependent(plain)
            )
            if asked and not unmarked and _refines(scan, asked[0], plain, opens):
                continue  # "Also, keep it short": the same request, told more precisely
            following = sents[index + 1 : index + 4]
            if not (unmarked or _separate_ask(chunk, bool(asked), scan, following)):
                continue
            asked.append(
                body
                if unmarked
                else _told_then_asked(scan, chunk, body, bodies[index + 1 : index + 2])
            )
            marked = marked or bool(opens)
            joined = joined or bool(and_opens)
    if marked and (len(asked) == 1 or _added(scan, asked[0])) and _asking(scan, sents):
        earlier = [s for s in sents if s.end <= asked[0].start][-3:]
        while len(earlier) > 1 and len(_words(scan[earlier[-1].start : earlier[-1].end])) < 4:
            # "… auf Müller GmbH, Hauptstr. 4, 80331 München.": an abbreviation cut it
            earlier[-2:] = [Span(earlier[-2].start, earlier[-1].end)]
        before = scan[earlier[-1].start : earlier[-1].end] if earlier else ""
        told = _QUOTED.sub("", before)  # "He wrote « sea or mountains? »": not asked
        asks = _asks(told) and not _filler(before.strip().lstrip("¿¡"))  # not "Could you help?"
        if len(_words(before)) >= 4 and asks and not _SIGN_OFF.match(before):
            asked.insert(0, _strip_marker(scan, earlier[-1]))
    if len(asked) < 2:
        return []
    topics = [{w for w in _words(scan[s.start : s.end]) if w not in _STOPWORDS} for s in asked]
    shared = Counter(w for topic in topics for w in topic)  # in how many requests a word is
    overlaps = [sum(shared[w] > 1 for w in t) / max(1, len(t)) for t in topics]
    overlap = sum(overlaps) / len(overlaps)
    counted = counts.within(0, asked[1].start) and _ANNOUNCING.search(scan, 0, asked[1].start)
    announced = counted or _HEADED.match(scan)
    if marked or announced:
        score = 0.74 + (0.04 if overlap < 0.15 else 0.0) - (0.06 if overlap >= 0.5 else 0.0)
        score += 0.04 if marked else 0.0
    elif overlap < 0.15 and (joined or _unrelated(scan, asked)):
        score = 0.72  # "… ? And …?", or two full questions on two topics
    else:
        score = 0.62
    options = [Option(s.start, s.end, _option_title(text[s.start : s.end])) for s in asked]
    return split_group(
        text,
        kind="multi_intent",
        start=asked[0].start,
        end=asked[-1].end,
        options=options,
        confidence=score,
        description=_DESCRIPTION,
        reasoning=f"{len(asked)} separate requests or questions in one message",
        divergence="high" if overlap < 0.15 else "medium" if overlap < 0.4 else "low",
    )


_FINITE_VERB = re.compile(
    r"\s+(?:is|are|was|were|has|had|costs?|includes?|comes?|est|était|a|coûte|inclut|es|era|"
    r"fue|tiene|cuesta|incluye|ist|war|hat|kostet|enthält)\b"
    # not a question's verb before its subject ("Oh, and is there a linter for it")
    r"(?!\s+(?:there|it|this|that|i|you|we|they|he|she|anyone|someone|ce|il|elle|on|es|er|"
    r"sie|das|man)\b)",
    re.I,
)


def _opener_is_subject(plain: str, opens: re.Match[str]) -> bool:
    """Whether the word read as an opener is the subject of a statement, a verb right
    after it ("Plus is dearer than Basic was.", "Además es caro."): no request added."""
    if opens.start() != 0 or plain.rstrip().endswith("?"):
        return False
    return _FINITE_VERB.match(plain, opens.end()) is not None


def _told_then_asked(scan: str, chunk: str, body: Span, following: list[Span]) -> Span:
    """The request of an item opened by "Also"/"Last thing": the sentence itself, or,
    when it only tells the problem and the next sentence asks for something without a
    question mark ("Last thing, I made a second account by mistake. I'd like to know how
    to delete it."), that next sentence."""
    if _asks_directly(chunk) or not following:
        return body
    after = scan[following[0].start : following[0].end].strip()
    if "?" in after or not _ASKING_CUE.search(after):
        return body
    if _ADDITIVE.match(after) or _AND_OPENER.match(after) or _SIGN_OFF.match(after):
        return body  # a request of its own, or "Merci de votre retour"
    return following[0]


def _added(scan: str, first: Span) -> bool:
    """Whether the first request found is opened by an additive word, not an ordinal
    ("My drive won't connect. Also, …"): the request it adds to is the sentence before."""
    chunk = scan[first.start : first.end]
    return bool(_ADDITIVE.match(chunk)) and not _ORDINAL_LEAD.match(chunk)


def _asking(scan: str, sents: list[Span]) -> bool:
    return any(
        "?" in scan[s.start : s.end] or _REQUEST.search(scan[s.start : s.end]) for s in sents
    )


_ALSO_KEYS = (
    "also",
    "additionally",
    "aussi",
    "également",
    "también",
    "auch",
    "außerdem",
    "noch",
    "anche",
    "também",
)
_SET_ASIDE = re.compile(
    r"\W*(?:because|cause|'cause|probably because|maybe because|parce que|porque|weil|anyway|"
    r"anyhow|whatever|never ?mind|bref|enfin bref|passons|peu importe|en fin|bueno,? en fin|"
    r"da igual|egal|jedenfalls|wie auch immer|na ?ja)\b",
    re.I,
)


def _not_asked(scan: str, following: Span) -> bool:
    """Whether the sentence after a question shows it was not asked: it gives the reason
    or sets it aside ("Because …", "Anyway, …"), or the writer answers it ("No, …")."""
    return bool(_SET_ASIDE.match(scan, following.start) or SELF_ANSWER.match(scan, following.start))


_BROAD = re.compile(
    r"\W*(?:(?:so|ok|okay|hi|hey|hello)\b\W*)?(?:how (?:do|does|did|can|could|should|would|"
    r"will|to|is|are)\b|what(?:'s| is) the (?:best|right|easiest|proper) way|is there (?:a|any) "
    r"way|is it possible|any (?:tips|advice)|comment|cómo|como|come|wie (?!lange|viel|oft|alt|"
    r"weit|groß|hoch|spät|früh)\w+)",
    re.I,
)


def _unrelated(scan: str, asked: list[Span]) -> bool:
    """Bare questions that still ask two things: the first not a broad "how do I …?"
    whose details the next ones ask for ("How do I apply? What documents do I need?"),
    and each later one a full question, not a short check ("Does height matter?")."""
    if _BROAD.match(scan, asked[0].start, asked[0].end):
        return False
    if not all(_INTERROGATIVE.match(scan, s.start, s.end) for s in asked):
        return False  # "You know what I hate? …", "Remember the recipe …?": not asked
    return all(len(_words(scan[s.start : s.end])) >= 6 for s in asked[1:])


_INTERROGATIVE = re.compile(
    r"\W*(?:(?:hi|hey|hello|ok|okay|so|and|also|but|bonjour|salut|hola|hallo)\b\W*)*(?:what|"
    r"what's|when|where|why|how|who|whose|which|is|are|am|was|were|do|does|did|can|could|"
    r"should|would|will|shall|may|might|must|have|has|had|isn't|aren't|don't|doesn't|can't|"
    r"won't|est-ce|qu'est-ce|que|qu'|quel\w*|quand|où|pourquoi|comment|combien|qui|"
    r"[\w'-]+-(?:je|tu|il|elle|on|nous|vous|ils|elles)\b|qué|cuál\w*|cuándo|dónde|por qué|"
    r"cómo|cuánt\w*|quién\w*|es|hay|puedo|puedes|debo|tengo|se|was|wann|wo\w*|warum|wieso|"
    r"weshalb|wie|wer|welche\w*|kann|kannst|können|muss|musst|soll|sollte|ist|sind|gibt|habe|"
    r"hat|darf|werde|wird|brauche|cosa|quando|dove|perché|come|quale|chi|posso|o que|quando|"
    r"onde|porque|posso|qual)\b",
    re.I,
)


_AND_OPENER = re.compile(r"(?:and|et|y|und|e)\b,?\s+(?!if\b|si\b|wenn\b|falls\b|se\b)", re.I)
_ANNOUNCING = _Folding(
    re.compile(
        rf"(?:^|[\n.!?:]\s*|\b(?:have|got|ask|are|j'ai|tengo|habe|hätte|ho)\s+)(?:(?:hi|hello|hey|"
        rf"so|ok|okay|bonjour|salut|hola|hallo|ciao)\b\W*)?{COUNT}\s+(?:\w+\s+)?{COUNTED_NOUNS}\b",
        re.I,
    )
)
_HEADED = re.compile(
    r"\W*(?:(?:hi|hello|hey|bonjour|salut|hola|hallo|moin)\b\W*)?(?:(?:quick|short|small|"
    r"some|petites|rapides|quelques|brèves|rápidas|pequeñas|kurze|kleine|schnelle)\s+)?"
    r"(?:questions|fragen|preguntas|dudas)\b[^.?!\n]{0,40}:",
    re.I,
)
"""A message headed by questions in the plural ("Quick questions about my tax return:",
"Kurze Fragen zur Steuererklärung:"): several are announced, with no count."""
_ASKING_CUE = _Folding(
    re.compile(
        r"\b(?:please|pls|can you|could you|would you|will you|can (?:someone|somebody|anyone)|"
        r"could (?:someone|somebody|anyone)|i'd (?:like|love|appreciate)|i would (?:like|love)|"
        r"(?:i|we) (?:also )?need|(?:i|we) (?:also )?want|i'm (?:also )?(?:looking for|wondering)|"
        r"i am (?:also )?(?:looking for|wondering)|(?:would|'d) like to (?:know|ask)|"
        r"(?:i|we) (?:also )?(?:have|had|got) (?:a|another|one more) "
        r"(?:question|issue|problem|request)|"
        r"je voudrais|j'aimerais|je souhaite|pourriez-vous|pouvez-vous|peux-tu|pourrais-tu|"
        r"merci de|j'ai besoin|j'ai (?:aussi |également )?une question|quiero|quisiera|necesito|"
        r"me gustaría|podrías|puedes|podéis|pueden|por favor|tengo (?:otra |una )?pregunta|"
        r"ich möchte|ich würde gern|ich hätte gern|ich brauche|ich will|bitte|können sie|"
        r"könnten sie|kannst du|könntest du|ich habe (?:noch )?eine frage|vorrei|potresti|"
        r"gostaria|gostava|preciso|quero|bräuchte|würde (?:ich )?gern|hätte (?:ich )?gern|aimerais|"
        r"voudrais|necesitaría|gustaría|möchte ich|brauche ich|hätte ich)\b",
        re.I,
    )
)


def _asks_directly(chunk: str) -> bool:
    """A question or a request in so many words, not only a problem told."""
    return "?" in chunk or bool(_ASKING_CUE.search(chunk) or _WANT.search(chunk))


_UNMARKED_QUESTION = re.compile(
    r",?\s*(?:(?:what|how|where|when|why|which|who)(?:'s|\s+(?:is|are|do|does|did|can|could|"
    r"should|would|will))|how (?:long|much|many|often|far)|est-ce que|"
    r"(?:comment|pourquoi|combien|quel\w*)\s+\w+|"
    r"(?:cómo|dónde|cuándo|qué|cuál\w*|por qué|cuánt\w*)\s+\w+|"
    r"(?:wie|was|wo|wann|warum)\s+\w+\s+(?:ich|du|wir|man|es|er|sie)|welche[mnrs]?\s+\w+|"
    r"wie (?:lange|viel\w*|oft|weit)|"
    r"(?:is|are|do|does|can|could|should) (?:i|we|you|there|it)|"
    r"(?:kann|muss|soll|darf) (?:ich|man|wir))\b",
    re.I,
)
"""A question asked without its question mark, after the opener of its sentence
("unrelated, what's a good podcast for the drive.", "aparte, cuándo abre la tienda.")."""


_HEADING_END = re.compile(r"[^.?!:\n]{0,24}:")


def _past_heading(chunk: str, at: int) -> int:
    """Where the request starts past an opener's short heading ("Last one, promise: how
    long …", "Dernière chose, promis : combien …"): after its colon."""
    heading = _HEADING_END.match(chunk, at)
    return heading.end() if heading else at


def _separate_ask(chunk: str, after_request: bool, scan: str, following: list[Span]) -> bool:
    """Whether a sentence opened by "Also"/"And" (not a question) brings a request of
    its own: it asks for something, or it reports a problem after a request, or with no
    question after it to be the context of ("Also, I've never done this before. How
    should I prepare?")."""
    if _ASKING_CUE.search(chunk) or _IMPERATIVE.match(chunk) or _orders(chunk):
        return True
    if not (_ISSUE.search(chunk) or _NEGATED.search(chunk)):
        return False
    return after_request or not any(
        _real_question(scan[s.start : s.end].strip()) for s in following
    )


def _orders(chunk: str) -> bool:
    """Whether one of the first clauses of a sentence is an order, in any language ("And
    while we're at it, recommend …", "Y de paso, recomiéndame …", "Und dann schick mir …")."""
    return any(
        _IMPERATIVE_ASK.match(part) or _CLITIC_IMPERATIVE.match(part)
        for part in _CLAUSE_CUT.split(chunk, maxsplit=2)
    )


_NEGATED = _Folding(
    re.compile(
        r"n't\b|\b(?:not|no longer|never|nothing|nicht|kein\w*|nie|pas|plus|jamais|rien|nunca|nada|"
        r"ya no|non|mai|niente|não|nunca)\b",
        re.I,
    )
)
_IMPERATIVE = _Folding(
    re.compile(
        r"(?:(?:and|also|plus|et|y|und)\b,?\s+)+(?:please\s+)?(?:send|cancel|change|update|add|"
        r"remove|delete|refund|reset|check|fix|tell|explain|suggest|recommend|give|write|draft|"
        r"book|move|transfer|close|reopen|restore|resend|confirm)\b",
        re.I,
    )
)
_REFINE = _Folding(
    re.compile(
        r"\b(?:(?:make|keep|write|put|sign|end|start|format|have|do|read|send|word|phrase) "
        r"(?:it|them|this|that|each)\b|(?:it|they|this|that|each) (?:should|must|needs? to|has to|"
        r"have to|shouldn't|mustn't|ought to)\b|make sure|no more than|no longer than|at most|"
        r"(?:doit|devrait|debe|debería|sollte|muss)\b)",
        re.I,
    )
)
_REFINE_VERB = re.compile(
    r"(?:(?:and|also|plus|so|et|y|und|aussi|también|auch)\b,?\s+|(?:please|pls|can you|could "
    r"you|would you|you can|you could)\s+)*(?:mention|include|add|use|avoid|focus|emphasi[sz]e|"
    r"highlight|stress|leave out|skip|limit|aim for|don't|do not|mentionne|ajoute|inclus|évite|"
    r"utilise|garde|menciona|añade|incluye|evita|usa|erwähne|vermeide|verwende|nenne)\b",
    re.I,
)


def _refines(scan: str, first: Span, chunk: str, opens: re.Match[str] | None) -> bool:
    """Whether a later sentence only tells more about the first request: a constraint on
    it ("Also, keep it under two minutes", "it should return a 400"), or, after a request
    to write or make something, what to put in it ("Also, please mention …")."""
    if _asks_what(chunk):
        return False  # "Und bis wann muss es erledigt sein?": a question of its own
    if _REFINE.search(chunk) or _NO_MORE.match(chunk):
        return True
    if _MAKE_SCAN.search(scan, first.start, first.end) is None:
        return False
    rest = chunk[opens.end() :] if opens and _ADDITIVE.match(chunk) else chunk
    return any(_REFINE_VERB.match(part) for part in _CLAUSE_CUT.split(rest))


_WH_WORDS = _wordset(
    "what when where why how which who whose comment pourquoi quand où quel quelle quels "
    "quelles combien qué cómo cuándo dónde cuál cuáles cuánto cuánta quién was wie wann wo "
    "warum wieso welche welcher welches wer woran wofür womit wozu worüber wodurch wovon"
)


def _asks_what(chunk: str) -> bool:
    """A question asking for something with a question word among its first words ("and
    by when must it be done?", "y cuándo debe estar listo?"), not a yes-no one."""
    return chunk.rstrip().endswith("?") and not _WH_WORDS.isdisjoint(_words(chunk)[:4])


_NO_MORE = re.compile(
    r"\W*(?:(?:and|also|plus|et|y|und|auch)\s+)*(?:no|keine?\w*|pas de|sans|sin|nada de|"
    r"ohne)\s+\w+",
    re.I,
)
"""A constraint with no verb ("And no jargon", "Und keine Anglizismen")."""

_CLAUSE_CUT = re.compile(r"[,;:]\s*(?:so\s+)?")


_SEQUENCE = re.compile(
    r"\W*(?:and |et |y |und |e )?(?:then|ensuite|dann|luego|después|poi|depois|d'abord|first)\b",
    re.I,
)
_HYPOTHESIS = re.compile(
    r"^\W*(?:and |so |or |but )?(?:is|could|can|might|would|will)\s+(?:it|that|this|they)\s+"
    r"(?:be\s+)?(?:the|a|an|my|because|due|caused)\b",
    re.I,
)
_ANAPHOR = _Folding(
    re.compile(
        r"\b(?:it|that|this|there|they|them|those|these|too|ça|cela|eso|esto|ello|dafür|davon|dabei|"
        r"questo|quello|isso|isto|afterwards|after that|después|danach|après|ensuite|depois)\b",
        re.I,
    )
)


def _dependent(chunk: str) -> bool:
    """A question that only follows up on the one before: a guess at its cause ("Is it
    the detergent?", "Could it be the loop?") or a short one pointing back at it ("Is
    there a shortcut for that?")."""
    if _HYPOTHESIS.match(chunk):
        return True
    anaphor = _ANAPHOR.search(chunk) if len(_words(chunk)) <= 9 else None
    if anaphor is not None and anaphor.group(0).lower() == "there":
        anaphor = _ANAPHOR.search(_EXISTENTIAL.sub("", chunk))  # "Is there a student rate?"
    return anaphor is not None


_EXISTENTIAL = re.compile(
    r"\b(?:(?:is|are|was|were) there|there(?:'s| is| are| was| were))\b", re.I
)


_GENERIC = _wordset(
    "am is are do does did can could should would will was were i we you it this that me my "
    "doing something anything wrong right normal ok okay fine possible bad good weird strange "
    "expected enough missing there a an the any known issue bug workaround fix solve solution "
    "way ways why idea ideas help advice tips suggestions problem happening going on what how "
    "else options safe worth better best to for about here now still really also there's "
    "what's it's i'm c'est est-ce que ce un une normal bug problème solution idée es esto un "
    "una normal error problema solución idea ist das ein eine normal fehler problem lösung idee "
    "connu il y a hay conocido gibt es bekannt"
)


def _follow_up(words: list[str]) -> bool:
    """A short yes/no question that only comments on the one before ("Am I doing
    something wrong?")."""
    return len(words) <= 6 and all(w in _GENERIC for w in words)


_ASKS = _Folding(
    re.compile(
        r"\b(?:please|pls|can you|could you|would you|i'd (?:like|love|appreciate)|i would like|"
        r"i need|we need|i want|we want|tu peux|vous pouvez|peux-tu|pouvez-vous|pourriez-vous|"
        r"puedes|podrías|podéis|kannst du|können sie|könntest du|könnten sie|"
        r"wish|hope|love|like to|help|suggest|recommend|give|send|tell|show|explain|write|draft|"
        r"make|check|fix|update|change|cancel|add|remove|book|find|plan|how do|how can|how should|"
        r"whether|no longer|stopped|keeps|broken|wrong|aren't|isn't|doesn't|won't|can't|"
        r"möchte|bräuchte|würde|brauche|hätte|bitte|nicht|kein\w*|voudrais|aimerais|besoin|pas|"
        r"comment|pourquoi|quisiera|gustaría|necesito|quiero|cómo|por qué|vorrei|bisogno|preciso|"
        r"quero|não|looking for|busco|buscamos|je cherche|ich suche|wir suchen|ayúda(?:me|nos)|"
        r"aide[sz]?-(?:moi|nous)|hilf mir|helft mir|helfen sie mir|"
        r"even though|although|obwohl|bien que|alors que|aunque|n['\u2019]\w+ plus)\b",
        re.I,
    )
)


def _asks(chunk: str) -> bool:
    """Whether a sentence or paragraph asks for something: a question, a request, a need
    or a problem to solve."""
    joined = _AND_OPENER.match(chunk)  # "Und erklär mir …", "Y explícame …"
    if "?" in chunk or _CLITIC_IMPERATIVE.match(chunk, joined.end() if joined else 0):
        return True  # "Rédige-moi …", "Hilf mir …"
    return bool(_ASKS.search(chunk) or _NEED.search(chunk) or _ISSUE.search(chunk))


_HEDGE = re.compile(
    r"\W*(?:(?:it |this )?(?:looks|seems|sounds) like|maybe|perhaps|probably|i guess|i think|"
    r"i suppose|(?:is|are|do|does|did|can|could|would|will|was)\s+\w+\s+(?:even|really)\s+"
    r"(?:a|any|the)\s+point|peut-être|quizás|quizá|a lo mejor|vielleicht|wohl)\b",
    re.I,
)


_QUOTED_QUESTION = re.compile(r"[\"“«][^\"”»]*\?[\"”»]")


_GREETED_FILLER = _Folding(
    re.compile(
        r"(?:(?:hi|hello|hey|bonjour|salut|coucou|hola|buenas|hallo|moin|servus)\b[\s,!]*[¿¡]?)?"
        + _FILLER_QUESTION.pattern.removeprefix("^"),
        re.I,
    )
)
"""``_FILLER_QUESTION`` after a greeting or none."""


def _filler(plain: str) -> bool:
    """A question that only opens or closes the message ("Could you help me out with
    something?", "Hola, ¿me puedes ayudar con algo?"), a greeting before it left out."""
    return bool(_GREETED_FILLER.match(plain))


def _real_question(chunk: str) -> bool:
    """A question asked for its answer: not a follow-up comment, a filler, a tag, a
    rhetorical or quoted question, nor a guess said with a question mark ("Looks like a
    caching issue?")."""
    if not chunk.endswith("?") or chunk.startswith(">"):
        return False
    words = _words(chunk)
    if len(words) < 3 or _follow_up(words):
        return False
    plain = chunk.lstrip("¿¡")
    if _filler(plain) or _TAG_QUESTION.search(chunk) or _RHETORICAL.match(plain):
        return False
    if _HEDGE.match(plain):
        return False
    quoted = "«" in chunk or "“" in chunk or "„" in chunk
    if (quoted and _OPENED_QUOTE.search(chunk)) or chunk.count('"') % 2:
        return False  # "Il m'a écrit « tu préfères A ou B ?": its quote is cut at the "?"
    return not _QUOTED_QUESTION.search(chunk)


_TRANSITION = (
    rf"(?:{_TOPIC_SWITCH}|(?:(?:on the )?(?:personal|private) (?:side|note)|personally|"
    r"privately|plus perso|côté perso|personnellement|ya personal|en lo personal|"
    r"personalmente|privat|(?:ganz )?persönlich)\b)"
)
"""Words that turn a paragraph to another topic ("Separately", "Por otro lado", "Totally
different thing", "Und privat")."""
_ORDINAL = _Folding(
    re.compile(
        r"(?:#{1,6}\s*|\*\*)?(?:(?:and|et|y|und|e)\s+)?(?:\d[.)]\s|first(?:ly)?\b|second(?:ly)?\b|"
        r"third(?:ly)?\b|last(?:ly)?\b|finally\b|also\b|separately\b|another\b|the (?:most urgent|"
        r"first|second|big|main) (?:one|thing|issue)|one (?:more|last)\b|"
        r"premièrement|deuxièmement|troisièmement|d'abord|ensuite|enfin|dernier point|aussi|"
        r"primero|segundo|tercero|para empezar|por último|además|también|on the one hand|"
        r"d'une part|por un lado|por una parte|zum einen|einerseits|"
        r"erstens|zweitens|drittens|zuerst|zunächst|außerdem|zuletzt|schließlich|"
        r"innanzitutto|poi|infine|(?:then|dann|luego|después|ensuite|puis)\s*:|"
        r"(?:oh|ah|ach|och),?\s+(?:and|et|y|und)\b)|"
        rf"(?:(?:and|et|y|und|e)\b,?\s+)?{_TRANSITION}",
        re.I,
    )
)
_PARAGRAPH = re.compile(r"(?:[^\n]+\n?)+", re.M)
_SIGN_OFF = re.compile(
    r"^(?:thanks|thank you|cheers|best|regards|merci|gracias|danke|grazie|obrigad)", re.I
)


def _sections(text: str, scan: str) -> list[Suggestion]:
    """A long message in paragraphs or sections that each bring one request ("First, …",
    "Second, …", "## 1. Billing"): one suggestion per such paragraph."""
    paragraphs = [_stripped(scan, m.start(), m.end()) for m in _PARAGRAPH.finditer(scan)]
    paragraphs = [p for p in paragraphs if p[1] > p[0]]
    if len(paragraphs) < 3:
        return []
    marked = [i for i, (a, b) in enumerate(paragraphs) if _ORDINAL.match(scan, a, b)]
    if len(marked) < 2 and not (marked and marked[0] > 1):
        return []
    first = marked[0]
    if not re.match(
        r"(?:#{1,6}\s*|\*\*)?(?:\d[.)]|first|premi|d'abord|primero|para empezar|erstens|zuerst|"
        r"zunächst|innanzi|on the one hand|d'une part|por un lado|por una parte|zum einen|"
        r"einerseits|"
        r"the (?:most urgent|first|main|big))",
        scan[paragraphs[first][0] :],
        re.I,
    ):
        first -= 1  # "The most urgent one" after the opening request
    chosen = [paragraphs[i] for i in range(first, marked[-1] + 1) if i == first or i in marked]
    counted = _MANY.search(scan, 0, paragraphs[first][0]) is not None  # "a few things: …"
    chosen = [
        (a, b)
        for a, b in chosen
        if not _SIGN_OFF.match(scan, a, b)
        and (_asks(scan[a:b]) or (_ORDINAL.match(scan, a, b) and _item(scan, a, b, counted)))
    ]
    if len(chosen) < 2:
        return []
    if not any(_asks_directly(scan[a:b]) for a, b in chosen):
        return []  # "First, I tried … Second, I rolled back …": steps taken, told in order
    return split_group(
        text,
        kind="multi_intent",
        start=chosen[0][0],
        end=chosen[-1][1],
        options=[Option(a, b, _option_title(_first_sentence(text, a, b))) for a, b in chosen],
        confidence=0.86,
        description=_DESCRIPTION,
        reasoning=f"{len(chosen)} paragraphs, each with its own request",
        divergence="high",
    )


def _item(scan: str, start: int, end: int, counted: bool) -> bool:
    """Whether a paragraph opened by an ordinal brings a problem of its own: one told as it
    stands, or, after requests were counted ("a couple of things"), any not told by the
    writer as a step taken ("Second, I rolled back …")."""
    if _current_problem(scan[start:end]):
        return True
    opening = _ORDINAL.match(scan, start, end)
    return counted and opening is not None and not _TOLD_BY_WRITER.match(scan, opening.end(), end)


_TOLD_BY_WRITER = re.compile(r"\W*(?:i|i've|we|we've|je|j'|nous|on|yo|ich|wir)\b", re.I)


_UNKNOWN = re.compile(
    r"\b(?:(?:i|we) (?:don't|do not|can't|cannot) (?:know|tell|figure out|understand|see why)|"
    r"(?:je ne|on ne) (?:sais|sait|comprends|comprend) pas|no (?:sé|sabemos|entiendo)|"
    r"(?:ich|wir) (?:weiß|wissen|verstehe|verstehen) nicht|keine ahnung|no idea|aucune idée|"
    r"ni idea)\b",
    re.I,
)
"""A problem told as what the writer does not know: an ask without a question mark."""


_PAST_NEGATION = re.compile(r"\b(?:didn't|did not|wasn't|weren't|hadn't|couldn't|never)\b", re.I)


def _current_problem(chunk: str) -> bool:
    """A problem told as it stands ("the page stays blank, I don't see why", "ne voient
    plus"), not a step told in the past ("First, I didn't know what to do")."""
    if _UNKNOWN.search(chunk):
        return True
    return bool(_NEGATED.search(chunk)) and not _PAST_NEGATION.search(chunk)


def _stripped(scan: str, start: int, end: int) -> tuple[int, int]:
    """``start, end`` moved inwards past spaces only: a paragraph keeps its last "?"."""
    chunk = scan[start:end]
    return start + len(chunk) - len(chunk.lstrip()), end - len(chunk) + len(chunk.rstrip())


def _first_sentence(text: str, start: int, end: int) -> str:
    body = re.sub(r"^(?:#{1,6}\s*|\*\*)?\d[.)]\s*|\*\*", "", text[start:end])
    return re.split(r"(?<=[.?!:])\s", body, maxsplit=1)[0]


_ORDER = re.compile(
    r"(?:please\s+)?(?:add|remove|delete|restore|explain|change|update|cancel|send|fix|check|"
    r"reset|refund|move|create|set up|book|tell|show|find|give|write|draft|review|upgrade|"
    r"downgrade|close|reopen|transfer|merge|rename|confirm|resend|unlock|enable|disable|extend|"
    r"renew|export|import|ajouter|supprimer|changer|modifier|annuler|envoyer|expliquer|añadir|"
    r"eliminar|cambiar|cancelar|enviar|explicar|hinzufügen|löschen|ändern|stornieren|senden|"
    r"erklären)\b",
    re.I,
)
_AFTER_QUESTION = re.compile(r"[^?\n]{3,160}\?")
_SINGULAR = re.compile(r"\b(?:this|it|that|ça|cela|esto|eso|das|es)\b", re.I)
_PLURAL = re.compile(
    r"\b(?:these|them|those|all|each|both|every|ces|tous|toutes|chacun\w*|estos|estas|todos|"
    r"todas|cada|diese|alle|jede\w*|beide\w*)\b",
    re.I,
)


def _one_question_after(scan: str, end: int) -> bool:
    """Whether the list is followed, within two lines, by one real question about a
    single thing ("How do I debug this?"): the items then describe that one problem."""
    following = scan[end : end + 320].lstrip().split("\n")[:2]
    for line in following:
        for match in _AFTER_QUESTION.finditer(line):
            question = match.group(0).strip()
            if _real_question(question):
                return bool(_SINGULAR.search(question)) and not _PLURAL.search(question)
    return False


_LIST_ITEM = re.compile(r"^[ \t]*(?:\d{1,2}[.)]|[-*•+])[ \t]+(.+)$", re.M)
_MANY = _Folding(
    re.compile(
        r"\b(?:things|questions|issues|requests|problems|points|topics|tasks|favou?rs|unrelated|"
        r"couple of|a few|several|choses|trucs|questions|problèmes|soucis|demandes|tâches|cosas|"
        r"preguntas|problemas|dudas|asuntos|tareas|dinge|sachen|fragen|probleme|anliegen|punkte|"
        r"aufgaben)\b",
        re.I,
    )
)


_COMPARE = re.compile(
    r"\b(?:compar\w*|vs\.?|versus|side[- ]by[- ]side|vergleich\w*|gegenüberstell\w*)\b", re.I
)


def _criteria(intro: str, run: list[re.Match[str]]) -> bool:
    """Whether a list gives the points along which one comparison asked just before it
    is to be made ("Compare A and B on:\n- price\n- support"), no item a question or an
    order of its own."""
    if _COMPARE.search(intro) is None:
        return False
    return not any(
        "?" in m.group(1) or _ORDER.match(m.group(1)) or _IMPERATIVE_ASK.match(m.group(1))
        for m in run
    )


# "I need to:" opening a list whose items are each a task
_TASK_LIST_LEAD = re.compile(
    r"(?:\b(?:need|have|want|got|must|would like) to|\b(?:je dois|il faut que je|j'ai à|"
    r"tengo que|necesito|debo|ich muss|wir müssen|ich sollte|wir sollten))\s*:\s*$",
    re.I,
)


def _task(item: str) -> bool:
    """A list item that starts with a verb ("figure out who …"), not a thing."""
    head = (item.split() or [""])[0]
    return head.isalpha() and head.islower() and head not in _OBJECT_START | _STOPWORDS


def _enough(run: list[re.Match[str]], asked: list[bool], asking: int) -> bool:
    """Whether enough items of a list ask for it to be a list of requests (``asked``:
    which ask or report an issue; ``asking`` of them count): all of them, a problem as it
    stands counted too ("les graphiques n'affichent plus rien"); or all but one in a list
    of three or more where two ask in so many words (a question, "I want …"), the other
    then a bare order ("Get us back in.")."""
    if asking >= len(run):
        return True
    items = [m.group(1) for m in run]
    direct = sum(bool("?" in item or _REQUEST.search(item)) for item in items)
    spare = 1 if len(items) >= 3 and direct >= 2 else 0
    for item, asks in zip(items, asked, strict=True):
        if not asks and not _current_problem(item):
            spare -= 1
            if spare < 0:
                return False
    return True


def _listed_requests(text: str, scan: str) -> list[Suggestion]:
    """A Markdown list of requests ("Couple of unrelated things:\n- cancel …\n- is …?"):
    one suggestion per item that asks, reports a problem or requests something."""
    items = list(_LIST_ITEM.finditer(scan))
    if len(items) < 2:
        return []
    runs: list[list[re.Match[str]]] = [[items[0]]]
    for item in items[1:]:
        gap = scan[runs[-1][-1].end() : item.start()]
        if gap.count("\n") <= 2 and not gap.strip():
            runs[-1].append(item)
        else:
            runs.append([item])
    found: list[Suggestion] = []
    for run in runs:
        if len(run) < 2:
            continue
        intro = scan[max(0, run[0].start() - 160) : run[0].start()]
        if _criteria(intro, run):
            continue  # "Compare A and B on these points:\n- price\n- …": one request
        asked = [
            bool(_ISSUE.search(m.group(1)) or "?" in m.group(1) or _REQUEST.search(m.group(1)))
            for m in run
        ]
        orders = [bool(_ORDER.match(m.group(1)) or _IMPERATIVE_ASK.match(m.group(1))) for m in run]
        if any(asked) and not all(orders):  # "1. write a caption\n2. what …?\n3. X keeps …"
            asked = [a or o for a, o in zip(asked, orders, strict=True)]
        asking = sum(asked)
        announced = _MANY.search(intro)
        lead = intro.rstrip()
        colon = lead.endswith(":")
        lead = lead[lead.rfind("\n") + 1 :]  # the line that opens the list
        if announced and colon and _ASKING_CUE.search(lead):
            asking = len(run)  # "Few things for next week, can you help:\n- a …\n- a …"
        elif announced:  # "Three things please:\n1. Add …\n2. Restore …": each item an order
            asking += sum(bool(_ORDER.match(m.group(1))) for m in run)
        elif colon and all(_task(m.group(1)) for m in run) and _TASK_LIST_LEAD.search(lead):
            asking = len(run)  # "I need to:\n- book …\n- write …": each item a task
        if not (announced and asking >= 1) and not _enough(run, asked, asking):
            continue
        if _one_question_after(scan, run[-1].end()):
            continue  # "… 3. search errors\nHow do I debug this?": symptoms of one problem
        spans = [_trimmed(text, m.start(1), m.end(1)) for m in run]
        found.extend(
            split_group(
                text,
                kind="multi_intent",
                start=spans[0][0],
                end=spans[-1][1],
                options=titled(text, spans),
                confidence=0.86,
                description=_DESCRIPTION,
                reasoning=f"A list of {len(run)} separate requests",
                divergence="high",
            )
        )
    return found


def _segmented(text: str, scan: str, sents: list[Span]) -> list[Suggestion]:
    """The requests the segmenter finds (``requests``): one suggestion per intent, when
    each intent asks in so many words (or tells a problem set apart as an item of its
    own) and something sets it apart from the one before."""
    if len(sents) > _MAX_SEGMENTED or (len(sents) < 2 and not _SEGMENT_KEYS.search(scan)):
        return []  # a long message is read by its sections and lists
    every = intents(segments(scan, sents))
    found = [
        intent
        for index, intent in enumerate(every)
        if _stands(scan, intent, every[index + 1] if index + 1 < len(every) else None)
    ]
    found = _unrestated(scan, found)
    if found and found[0].asking is not None:  # "Also, keep it short": the first, told more
        first = Span(found[0].asking.start, found[0].asking.end)
        found = found[:1] + [i for i in found[1:] if not _told_more(scan, first, i)]
    if len(found) < 2 or not any(
        i.asking or i.lead.announced or i.lead.opener == TRANSITION for i in found
    ):
        return []
    asking = [i.asking for i in found if i.asking is not None]
    if len(asking) == 1 and _SINGULAR_BACK.search(scan, asking[0].start, asking[0].end):
        return []  # "- uploads fail\n- … How do we track this down?": symptoms of one problem
    questions = [u for i in every for u in i.units if u.form in (QUESTION, ASK)]
    if sum(bool(_CONDITION.search(scan, u.start, u.end)) for u in questions) >= 2:
        return []  # "What should I do if A, and what if B?": the cases of one request
    confidence = min(_apart(scan, one, next_) for one, next_ in itertools.pairwise(found))
    spans = [_need(text, i.lead.core, i.lead.end) for i in found]
    return split_group(
        text,
        kind="multi_intent",
        start=spans[0][0],
        end=spans[-1][1],
        options=titled(text, spans),
        confidence=confidence,
        description=_DESCRIPTION,
        reasoning=f"{len(found)} requests on different topics",
        divergence="high",
    )


_RESTATING = re.compile(
    r"\W*(?:like,|i mean\b|in other words\b|that is(?: to say)?,|or rather\b|rather,|"
    r"to put it (?:another way|differently)\b|more (?:precisely|specifically)\b|"
    r"c'est-à-dire\b|autrement dit\b|en d'autres termes\b|je veux dire\b|"
    r"(?:enfin|ou),? plutôt\b|plutôt,|o sea\b|es decir\b|mejor dicho\b|quiero decir\b|"
    r"en otras palabras\b|o más bien\b|bzw\.|beziehungsweise\b|sprich\b|genauer gesagt\b|"
    r"mit anderen worten\b|ich meine\b|anders gesagt\b|(?:oder )?besser gesagt\b|"
    r"oder vielmehr\b)",
    re.I,
)
"""A sentence opened by a word that says the same again, narrower or clearer ("I mean,
…", "In other words, …", "c'est-à-dire …", "o sea, …", "bzw. …", "sprich …")."""


def _restates(chunk: str) -> bool:
    """Whether a sentence only restates the request before it (``_RESTATING``)."""
    return _RESTATING.match(chunk) is not None


def _unrestated(scan: str, found: list[Intent]) -> list[Intent]:
    """The intents past the first, without those that restate the one before."""
    return found[:1] + [i for i in found[1:] if not _restates(scan[i.lead.start : i.lead.end])]


def _told_more(scan: str, first: Span, intent: Intent) -> bool:
    """Whether an intent only tells more about the first request: a constraint on it
    ("Also, keep it under a page") or what to put in what it makes."""
    chunk = scan[intent.lead.core : intent.lead.end]
    return _refines(scan, first, chunk, None)


_MAX_SEGMENTED = 20
"""Sentences (and lines) the segmenter reads at most. The requests it finds are in
messages of a few sentences; past a score of them, every pair of units more is one
more chance of two unrelated sentences read as two requests, and the time grows with
them (about 25 µs a sentence)."""
_SEGMENT_KEYS = re.compile(r"[,;:]|\s(?:and|et|y|und|plus|also|aussi|además|außerdem)\s", re.I)


def _stands(scan: str, intent: Intent, following: Intent | None) -> bool:
    """Whether an intent is a request of its own: a real question or an ask with a
    topic; a problem only as an item of its own (announced, opened by a transition or
    a paragraph) or when a request joined to it follows ("X doesn't work, and I'd like
    to …")."""
    lead, asking = intent.lead, intent.asking
    item = lead.opener in (TRANSITION, BLOCK) or lead.announced
    if asking is None:  # a problem: "X doesn't work, and I'd like to …", "… and also Y fails"
        joined = following is not None and (
            following.lead.opener == TRANSITION
            or (following.lead.opener == AND and following.asking is not None)
        )
        return lead.words >= 4 and (item or joined)
    chunk = scan[asking.start : asking.end].strip()
    plain = _OPENING.sub("", chunk.lstrip("¿¡"), count=1)
    if _RHETORICAL.match(plain) or _filler(plain) or _HEDGE.match(plain):
        return False
    if _CASE.match(plain) or (asking.form == QUESTION and _OPEN_QUOTE.search(chunk)):
        return False  # "And if it fails?": a case of one request; a quoted question
    if asking.form == ASK and _WISH.match(plain) and not (item or asking.opener):
        return False  # "… ? I want a sane default": what the question is for
    return not (asking.form == QUESTION and _TAG_QUESTION.search(chunk + "?"))


_OPENING = re.compile(
    r"\W*(?:(?:and|also|plus|so|but|et|y|und|aussi|además|außerdem)\b,?\s*)*", re.I
)
_CASE = re.compile(r"(?:what |and |et |y |und |or )*(?:if|si|wenn|falls|suppose)\b", re.I)
_QUOTED = re.compile(r"[«“„\"][^»”“\"]*[»”“\"]")
"""A quotation, its marks included."""
_OPENED_QUOTE = re.compile(r"[“«„][^”»“]*$")
"""A typographic quote opened and not closed."""
_OPEN_QUOTE = re.compile(r"[\"“«„][^\"”»“]*$")
_WISH = re.compile(
    r"(?:i|we)(?: really| also)? (?:want|'d like|would like|'d love|would love|wish)\b|"
    r"je (?:veux|voudrais)|j'aimerais|(?:me gustaría|quiero|quisiera)|"
    r"ich (?:will|möchte|würde gern)",
    re.I,
)


def _apart(scan: str, before: Intent, after: Intent) -> float:
    """How surely two intents in a row are separate requests, from what opens the second."""
    lead = after.lead
    if lead.opener == TRANSITION or (lead.announced and before.lead.announced):
        return 0.76
    first, second = before.asking, after.asking
    if second is None:
        return 0.6
    if lead.inside:
        if first is None and _problem_then_question(scan, before, after):
            return 0.72  # "can't log in since Monday and where do I find the invoice?"
        return 0.64  # "… and I'd like …" inside one sentence: mostly one request told in parts
    own = _OWN_FRAME.match(scan, second.core, second.end) or _IMPERATIVE_ASK.match(
        scan, second.core, second.end
    )
    if lead.opener == AND and own and not _BLOCKED.search(scan, second.start, second.end):
        return 0.74 if first is not None else 0.72  # "… ? Oh, and suggest a title too."
    if first is None:
        return 0.6
    if first.form == QUESTION and second.form == QUESTION and not lead.opener:
        # two full questions, the first not a broad "how do I …?" whose details follow
        full = min(len(first.topic), len(second.topic)) >= 2 and second.words >= 6
        broad = _BROAD.match(scan, first.start, first.end)
        return 0.72 if full and not broad else 0.62
    return 0.64


def _problem_then_question(scan: str, before: Intent, after: Intent) -> bool:
    """Whether a problem told is followed, in the same sentence, by "and" and a question
    of its own: a question word opening it, on another topic (the intents differ) and
    pointing back at nothing ("… and where do I download the invoice?")."""
    lead = after.lead
    if lead.opener != AND or lead.form != QUESTION or lead.refers_back:
        return False
    problem = before.units[-1]
    if _SENTENCE_END.search(scan, problem.end, lead.start):
        return False  # "… every two minutes. What's the cause and where do I look?"
    if not _WH_WORDS.isdisjoint(_words(scan[problem.core : problem.end])[:1]):
        return False  # "Woran kann der Fehler liegen und wie …?": one question in two
    return not _WH_WORDS.isdisjoint(_words(scan[lead.core : lead.end])[:1])


_SENTENCE_END = re.compile(r"[.!?:;\n]")


_CONDITION = _Folding(
    re.compile(r"\b(?:if|in case|unless|si|en cas|en caso|wenn|falls|sofern)\b", re.I)
)
_SINGULAR_BACK = re.compile(r"\b(?:this|it|that|ça|cela|esto|eso|dies|das)\b", re.I)
_BLOCKED = re.compile(
    rf"{_REMEDY.pattern}|{_DEADLINE.pattern}|\b(?:need to|have to|must|dois|debo|tengo que|muss)\b",
    re.I,
)
"""What a problem blocks or calls for ("… and I need to upload it tonight", "… and I want
a refund"): the same request."""
_OWN_FRAME = re.compile(
    r"(?:can|could|would|will) you\b|please\b|i\b|i'd\b|we\b|is\b|are\b|do\b|does\b|j'|"
    r"je\b|pouvez|pourriez|peux|necesito|quiero|quisiera|puedes|podrías|ich\b|wir\b|"
    rf"können|kannst|bitte\b|{_WH_WORD.pattern}",
    re.I,
)
"""What opens a request of its own: an ask frame, a subject, or a question word in any
language ("which …", "quel …", "cuál …", "welches …")."""


_NEED_LEAD = re.compile(
    r"(?:(?:hi|hello|hey|so|ok|okay|bonjour|salut|hola|hallo)\b\W*)?"
    r"(?:(?:can|could|would|will) you (?:please |also )?|please |i(?:'d| would) like (?:you )?to |"
    r"(?:i|we) (?:also )?need (?:you )?to |help me (?:to )?|"
    r"(?:pouvez|pourriez|peux|pourrais)[- ](?:vous|tu) |je voudrais |j'aimerais |"
    r"j'(?:ai|aurais) besoin (?:que (?:tu|vous) |d'|de )|"
    r"(?:puedes|podrías|podría|pueden) |por favor,? |quisiera |necesito (?:que )?|"
    r"me gustaría |(?:kannst du|können sie|könnten sie) (?:bitte )?|ich möchte |"
    r"ich (?:brauche|bräuchte) |bitte )?",
    re.I,
)


def _need(text: str, start: int, end: int) -> tuple[int, int]:
    """The span naming a request: its ask frame ("can you", "please") and the marker of
    its item ("(a) ") left out."""
    match = _NEED_LEAD.match(text, start, end)
    cut = match.end() if match and end - match.end() >= 8 else start
    marker = _ITEM_MARK.match(text, cut, end)
    return _trimmed(text, marker.end() if marker else cut, end)


_ITEM_MARK = re.compile(r"\(?[a-e1-5]\)\s+", re.I)
