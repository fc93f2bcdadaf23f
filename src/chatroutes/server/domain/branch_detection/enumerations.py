"""Enumerations: a list of alternatives, numbered or bulleted lines, inline lists asked
to pick from ("A, B, C — which?", "which is best, A, B, C?", "for a CLI: A, B, C?",
"Names we like: A, B, C. Which …?", "I've seen a A, a B and a C. Which …?") or prose
("one option … another option / alternatively …"). The span runs from the first
item to the end of the last. Numbered steps of one procedure are not alternatives, nor
are context lists (notes, symptoms, what was tried or checked), criteria the choice
must meet ("at least 16 GB") or it is compared on (a comparison asked, no pick), facts
listed right after a list of alternatives ("A, B, or C. We are 12, two kids. Which?"),
items that say what options named before are like ("the first …, the second …"), and
lists whose item a later statement picks ("We went with B."). A quoted name keeps its
commas.
"""

from __future__ import annotations

import re
from itertools import pairwise

from .disjunctions import _IDIOMS, _WHICH_OF_THEM, _asks_which, _option_marks, _word_keys
from .option_spans import _DETERMINERS
from .suggestion import Option, Suggestion, split_group, titled
from .text import (
    _QUOTED,
    Span,
    _clip,
    _Folding,
    _Keyed,
    _marker,
    _mentions,
    _option_title,
    _strip_marker,
    _trimmed,
    _unquoted,
    _words,
    _wordset,
)

_STEP_VERBS = _wordset(
    "add apply attach bake boil boot bring build call cd check choose chop click clone "
    "combine commit configure confirm connect cook copy create cut delete deploy disable "
    "disconnect download drain dry edit email enable enter export fill fold go grab heat "
    "import insert install lay log loosen make measure mix mount move navigate open place "
    "plug pour preheat press pull push put read reboot remove rename restart rinse run save "
    "season select send serve set sign simmer slice start stir stop submit take tap tighten "
    "turn type unmount unplug update upload verify wait wash whisk write"
)
_ALT_INTRO = _Folding(
    re.compile(
        r"\b(?:options?|alternatives?|approaches|choices|ways|could|might|either|which|choos\w*|"
        r"pick\w*|prefer\w*|consider\w*|candidates|possibilities|ideas|suggestions|recommend\w*|"
        r"torn|decid\w*|shortlist\w*|contenders|paths?|routes?|strategies|scenarios|vs|versus|or|"
        r"directions|possible|one of (?:these|the following)|suggest\w*|evaluat\w*|weigh\w*|"
        r"compar\w*|vendors|offers|plans|quotes|proposals|"
        r"propositions|idées|propuestas|sugerencias|ideas|vorschläge|ideen|"
        r"options?|choix|choisir|hésit\w*|possibilités|lequel|laquelle|ou|opciones|elegir|cuál|"
        r"auswahl|zur wahl|en lice|candidat\w*|shortlist\w*|finalists|"
        r"alternativas|posibilidades|o|optionen|möglichkeiten|wählen|welche\w*|oder|entweder)\b",
        re.I,
    )
)
_STEP_INTRO = _Folding(
    re.compile(
        r"\b(?:steps?|follow(?:ing)?|procedure|instructions|how to|here's how|to do this|process|"
        r"in order|first|then|recipe|checklist|todo|to-do|agenda|summary|notes|features|includes?|"
        r"requirements|changes|ingredients|tasks|timeline|schedule|tried|already|doing|done|"
        r"symptoms|stack|setup|context|background|criteria|constraints|must-haves|going on|"
        r"checked|tested|verified|ruled out|vérifié|testé|comprobado|revisado|geprüft|getestet|"
        r"details|étapes|exigences|critères|contraintes|symptômes|contexte|essayé|ingrédients|"
        r"tâches|ce qui se passe|détails|données|pasos|requisitos|criterios|síntomas|contexto|"
        r"probé|probado|ingredientes|tareas|notas|lo que pasa|datos|detalles|schritte|"
        r"anforderungen|kriterien|symptome|kontext|versucht|bereits|zutaten|aufgaben|notizen|"
        r"stichpunkte|was passiert|eckdaten)\b",
        re.I,
    )
)
# an item that states a bound ("under 500 euros", "au moins 16 Go", "mindestens 4 Kerne") is
# a criterion the choice must meet, not one of the things to choose from
_BOUND = re.compile(
    r"(?:under|over|below|above|at (?:least|most)|no more than|less than|more than|max(?:imum)?|"
    r"min(?:imum)?|up to|moins de|plus de|au (?:moins|plus|maximum)|jusqu'à|menos de|más de|"
    r"al menos|como (?:mínimo|máximo)|hasta|unter|über|mindestens|höchstens|maximal|bis zu)"
    r"\s+\S*\d",
    re.I,
)
_ALT_ITEM = re.compile(
    r"^(?:option|alternative|approach|choice|plan|path|route|scenario|strategy)\s*\w{0,3}\b|"
    r"^(?:use|go with|switch to|try|stick with|keep|move to|migrate to|hire|buy|rent|lease|"
    r"build|adopt|pick)\b",
    re.I,
)
_FOLLOW_UP = _Folding(
    re.compile(
        r"\b(?:which|what would you|would you|pick|choose|"
        r"recommend\w*|prefer\w*|better|best|go with|"
        r"stack\w* up|compar\w*|suit\w*|fits?|worth|your (?:pick|take)|thoughts|what do you think|"
        r"shall we|any preference|lequel|laquelle|lesquel\w*|conseill\w*|recommand\w*|choisi\w*|"
        r"préfér\w*|mieux|meilleur\w*|t'en penses|cuál\w*|recomiend\w*|elegi\w*|mejor\w*|"
        r"qué opinas|welche\w*|würdest|empfiehl\w*|passt|"
        r"besser|nehmen|was meinst|quale|consigli\w*|"
        r"(?:where|what|how) should (?:i|we|it)|should (?:i|we)|sinnvoll\w*|geeignet\w*|conviene|"
        r"vaut mieux|mejor opción|"
        r"sceglie\w*|qual)\b",
        re.I,
    )
)


_SEQUENCED = re.compile(r"(?:then|next|after that|finally)(?=[\s,:]|$)", re.I)  # not "Next.js"
_SENTENCE_END = re.compile(r"[.!?]+\s+(?=\S)")
_BOLD = re.compile(r"^\*\*|\*\*")
_LABEL_CUT = re.compile(r"\s[\u2014\u2013-]\s|:\s|\.\s|\(")
_MAY = _Folding(re.compile(r"\b(?:could|might|can)\b", re.I))


def _enumerations(text: str, scan: str, sents: list[Span]) -> list[Suggestion]:
    lines: list[tuple[int, int]] = []
    pos = 0
    for raw in scan.split("\n"):
        lines.append((pos, pos + len(raw)))
        pos += len(raw) + 1
    groups: list[list[int]] = []
    current: list[int] = []
    blank_run = 0
    for index, (start, end) in enumerate(lines):
        line = scan[start:end]
        if not line.strip():
            blank_run += 1
            if blank_run > 1 and current:
                groups.append(current)
                current = []
            continue
        blank_run = 0
        if _marker(line):
            if current and _indent(scan, lines[current[0]]) != _indent(scan, (start, end)):
                if _indent(scan, (start, end)) > _indent(scan, lines[current[0]]):
                    continue  # a nested sub-item belongs to the item above
                groups.append(current)
                current = []
            current.append(index)
        else:
            if current and scan[start].isspace():
                continue  # a continuation line of the item above
            if current:
                groups.append(current)
            current = []
    if current:
        groups.append(current)

    found: list[Suggestion] = []
    plain = ""  # the text with its quotations blanked: cited words frame nothing
    for group in groups:
        if len(group) < 2:
            continue
        first_start, _ = lines[group[0]]
        _, last_end = lines[group[-1]]
        items = [_strip_marker(scan, Span(*lines[i])) for i in group]
        labels = [text[s.start : s.end].strip() for s in items]
        if sum(label.endswith("?") for label in labels) >= len(labels) / 2:
            continue  # a list of questions: the question detector answers it
        plain = plain or _unquoted(scan)
        paragraph = _intro(plain, lines, group[0])
        # the line that opens the list, its fixed phrases ("or not", "ou non") left out
        intro = _IDIOMS.sub(" ", paragraph.rsplit("\n", 1)[-1])
        after = _after(plain, lines, group[-1])
        score = 0.42
        features: list[str] = []
        alternatives = _alternatives_intro(intro)
        asked = [q for q in (paragraph, after) if "?" in q and _FOLLOW_UP.search(q)]
        if not asked and _asks_which(_first_sentence(after)):
            asked = [after]  # "Which suits a beginner" asked with no question mark
        if alternatives and (asked or not _COMPARED_ON.fullmatch(alternatives)):
            score += 0.3
            features.append("introduced as alternatives")
        elif alternatives:
            features.append("what to compare on, nothing asked")
        if asked:
            score += 0.3
            features.append("with a choice question")
        if sum(bool(_BOUND.match(label)) for label in labels) >= 2:
            score -= 0.3
            features.append("criteria, not options")
        if not asked and _chosen(after, labels):
            score -= 0.35
            features.append("one already chosen")
        alt_items = sum(bool(_ALT_ITEM.match(label)) for label in labels)
        if alt_items >= 2:
            score += 0.12
            features.append("items named as options")
        first_words = [(_words(label) or [""])[0] for label in labels]
        steps = sum(word in _STEP_VERBS for word in first_words)
        lead = _last_sentence(intro)
        if _STEP_INTRO.search(intro) and not alternatives:
            score -= 0.3
            features.append("introduced as steps or facts")
        elif (
            lead != intro
            and lead.rstrip().endswith(":")
            and _STEP_INTRO.search(lead)
            and not _alternatives_intro(lead)
        ):
            # "… compared to B? Some context:", "I'm out of ideas. Here's what's going on:"
            score -= 0.5
            features.append("opened as context")
        elif lead != intro and not _alternatives_intro(lead) and _PAIR_COMPARED.search(intro):
            # "Can you compare A vs B? What matters to me:": the sides are named, the list
            # is what to weigh them on
            score -= 0.5
            features.append("what to compare a named pair on")
        if steps >= max(2, len(labels) // 2 + 1) and not alternatives:
            score -= 0.25
            features.append("imperative steps")
        if any(_SEQUENCED.match(label) for label in labels):
            score -= 0.2
            features.append("sequenced items")
        if not features:
            features.append("a plain list")
        start = _first_marker(scan, first_start)
        end = last_end
        while end > start and scan[end - 1].isspace():
            end -= 1
        options = [
            Option(*_trimmed(text, item.start, item.end), _option_label(label))
            for item, label in zip(items, labels, strict=True)
        ]
        found.extend(
            split_group(
                text,
                kind="enumeration",
                start=start,
                end=end,
                options=options,
                confidence=score,
                description=(
                    f"One of {len(options)} listed alternatives: develop {{option}} on its "
                    "own branch."
                ),
                reasoning="Enumeration: " + ", ".join(features),
                divergence="high" if len(options) >= 3 else "medium",
            )
        )
    found.extend(_prose_alternatives(text, scan, sents))
    found.extend(_headed_options(text, scan))
    found.extend(_inline_lists(text, scan, sents))
    found.extend(_inline_numbered(text, scan))
    return found


_BETWEEN = re.compile(r"\b(?:between|entre|zwischen)\s*:?\s*$", re.I)
# the only alternative cue is a word of comparing: the list may be what to compare on
_COMPARED_ON = re.compile(r"compar\w*|vergleich\w*", re.I)


# two sides named for a comparison ("A vs B", "compare A and B", "comparer A et B")
_PAIR_COMPARED = re.compile(
    r"\S\s+(?:vs\.?|versus|contre|gegen)\s+\S|"
    r"\b(?:compar\w*|vergleich\w*|gegenüberstell\w*)\s+[^.?!\n]{1,40}?\s"
    r"(?:and|with|to|et|avec|à|y|con|und|mit)\s+\S",
    re.I,
)


def _alternatives_intro(intro: str) -> str:
    """The words by which ``intro`` brings in alternatives ("options", "which", a
    closing "between:" / "dudo entre:"), joined, or "" when it brings in none."""
    words = [match.group(0) for match in _ALT_INTRO.finditer(intro)]
    if _BETWEEN.search(intro):
        words.append("between")
    return " ".join(words)


_SENTENCE = re.compile(r"(?:[^.!?\n]|[.!?](?=\S))+([.!?]*)")  # "Fly.io" stays whole


def _chosen(after: str, labels: list[str]) -> bool:
    """ "… - Heroku - Render - Fly.io. We ended up on Fly.io.": a statement after the
    list names one of its items again, so the choice is made and the list is context."""
    if not after.strip():
        return False
    heads = [_option_label(label).lower() for label in labels]
    heads = [head for head in heads if len(head) >= 3]
    for statement in _SENTENCE.finditer(after):
        if statement.group(1).startswith("?"):
            continue
        said = f" {' '.join(_words(statement.group(0)))} "
        if any(f" {' '.join(_words(head))} " in said for head in heads):
            return True
    return False


def _first_sentence(text: str) -> str:
    """The first sentence of ``text``."""
    found = _SENTENCE.search(text)
    return found.group(0) if found else ""


def _last_sentence(line: str) -> str:
    """The sentence of ``line`` that runs into the list."""
    ends = [m.end() for m in _SENTENCE_END.finditer(line)]
    return line[ends[-1] :] if ends else line


def _first_marker(scan: str, line_start: int) -> int:
    index = line_start
    while index < len(scan) and scan[index] in " \t":
        index += 1
    return index


def _indent(scan: str, line: tuple[int, int]) -> int:
    raw = scan[line[0] : line[1]]
    return len(raw) - len(raw.lstrip(" \t"))


def _option_label(label: str) -> str:
    label = _BOLD.sub("", label)
    head = _LABEL_CUT.split(label, maxsplit=1)[0]
    return _clip(head.strip(" *_"), 40)


def _intro(scan: str, lines: list[tuple[int, int]], first: int) -> str:
    """The paragraph just before the list."""
    out: list[str] = []
    for index in range(first - 1, -1, -1):
        start, end = lines[index]
        line = scan[start:end]
        if _marker(line) or (not line.strip() and out):
            break
        if line.strip():
            out.insert(0, line)
    return "\n".join(out)


def _after(scan: str, lines: list[tuple[int, int]], last: int) -> str:
    """What follows the list, up to the next list or about two paragraphs."""
    out: list[str] = []
    size = 0  # of the lines in ``out``
    for index in range(last + 1, len(lines)):
        start, end = lines[index]
        line = scan[start:end]
        if _marker(line) or size > 400:
            break
        out.append(line)
        size += len(line)
    return "\n".join(out)


_PROSE_OPTION = re.compile(
    r"^(?:(?:one|the first|a first) (?:option|approach|choice|path|possibility|route|idea) "
    r"(?:is|would be|could be)|option (?:one|1|a)\b|first,? (?:you|we) could)",
    re.I,
)
_PROSE_NEXT = re.compile(
    r"^(?:alternatively|another (?:option|approach|choice|path|possibility|route|idea)|"
    r"(?:the )?(?:second|other|third|last) (?:option|approach|choice|path|possibility|idea)|"
    r"option (?:two|2|b|three|3|c)\b|or,? (?:you|we) could|second,? (?:you|we) could|"
    r"(?:a )?third,? (?:you|we) could|finally,? (?:you|we) could)",
    re.I,
)
# the letters a match of _PROSE_NEXT opens with, in any case (the long s is an "s" to it)
_PROSE_NEXT_FIRST = frozenset("atsolfATSOLF\u017f")


def _prose_alternatives(text: str, scan: str, sents: list[Span]) -> list[Suggestion]:
    found: list[Suggestion] = []
    index = 0
    while index < len(sents):
        run = [index]
        nxt = index + 1
        while (
            nxt < len(sents)
            and scan[sents[nxt].start] in _PROSE_NEXT_FIRST
            and _PROSE_NEXT.match(scan[sents[nxt].start : sents[nxt].end])
        ):
            run.append(nxt)
            nxt += 1
        head = scan[sents[index].start : sents[index].end]
        if len(run) >= 2 and (_PROSE_OPTION.match(head) or _MAY.search(head)):
            start, end = sents[run[0]].start, sents[run[-1]].end
            options = [
                Option(sents[i].start, sents[i].end, _option_title(_prose_label(text, sents[i])))
                for i in run
            ]
            found.extend(
                split_group(
                    text,
                    kind="enumeration",
                    start=start,
                    end=end,
                    options=options,
                    confidence=0.8 if _PROSE_OPTION.match(head) else 0.74,
                    description="One of the approaches described: develop it on its own branch.",
                    reasoning="Prose alternatives ('one option … alternatively …')",
                    divergence="high" if len(run) >= 3 else "medium",
                )
            )
            index = nxt
        else:
            index += 1
    return found


def _prose_label(text: str, sentence: Span) -> str:
    """The approach a prose sentence describes, without its "another option is" lead."""
    body = text[sentence.start : sentence.end]
    lead = _PROSE_OPTION.match(body) or _PROSE_NEXT.match(body)
    rest = body[lead.end() :] if lead else body
    return rest.strip(" ,:") or body


_HEADED = _Folding(
    re.compile(
        r"^[ \t]*(?:#{1,6}[ \t]+|\*\*|__)(?:\*\*)?(?:option|"
        r"approach|plan|alternative|scenario|choice|"
        r"path|route|strategy|variant|proposal|opción|enfoque|alternativa|variante|propuesta|"
        r"approche|proposition|ansatz|möglichkeit|vorschlag)[ \t]*[\w\d]{0,3}\b[^\n]*",
        re.I | re.M,
    )
)

_HEADING_MARKS = ("#", "**", "__")  # one of them is in each match of _HEADED


def _headed_options(text: str, scan: str) -> list[Suggestion]:
    """Sections headed "## Option A …" or "**Approach 2:** …": one option per section."""
    if not any(map(scan.__contains__, _HEADING_MARKS)):
        return []
    heads = list(_HEADED.finditer(scan))
    if len(heads) < 2:
        return []
    options = []
    for index, head in enumerate(heads):
        stop = (
            heads[index + 1].start() if index + 1 < len(heads) else _section_end(scan, head.end())
        )
        start, end = _trimmed(
            text, head.start() + len(head.group(0)) - len(head.group(0).lstrip("# \t")), stop
        )
        label = re.sub(r"^[#*_\s]+|[*_]+", "", text[head.start() : head.end()]).strip(" :")
        named = label.split(":", 1)[1].strip() if ":" in label else ""
        options.append(Option(start, end, _option_title(named or label)))
    return split_group(
        text,
        kind="enumeration",
        start=options[0].start,
        end=options[-1].end,
        options=options,
        confidence=0.82,
        description="One of the options laid out in sections: develop {option} on its own branch.",
        reasoning="Enumeration: sections headed as options",
        divergence="high" if len(options) >= 3 else "medium",
    )


def _section_end(scan: str, after: int) -> int:
    """The last section runs to the end of its first paragraph."""
    gap = scan.find("\n\n", after)
    return len(scan) if gap == -1 else gap


_WHICH_TAIL = _Folding(
    re.compile(
        r"\s*(?:[\u2014\u2013:-]|,)?\s*(?:so |ok,? |and |et |y |und )?"
        r"(?:which|which one|which is best|what do you think|thoughts|lequel|laquelle|cuál|"
        r"welche[rs]?|quale)\b[^.?!\n]{0,60}\?\s*$",
        re.I,
    )
)
_WHICH = ("which", "think", "thoughts", "lequel", "laquelle", "cuál", "welche", "quale")
_INLINE_SPLIT = re.compile(  # not the "y" of French "il y a"
    r",\s*(?:(?:and|or|et|ou|y|o|und|oder)\s+)?|"
    r"\s+(?:and|or|et|ou|(?<!\bil )y|o|und|oder)\s+|\s+/\s+",
    re.I,
)


def _inline_lists(text: str, scan: str, sents: list[Span]) -> list[Suggestion]:
    """ "Go, Elixir, Kotlin — which?": a bare list of three or more asked to pick from."""
    found: list[Suggestion] = []
    considering = _Keyed(scan, _CONSIDERING, regex=True)
    for index, sentence in enumerate(sents):
        chunk = scan[sentence.start : sentence.end]
        if (
            "," not in chunk
            and " / " not in chunk
            and not _PAIR.search(scan, sentence.start, sentence.end)
        ):
            continue
        considered = (
            _considered_list(scan, sents, index)
            if considering.within(sentence.start, sentence.end)
            else None
        )
        items = _named_items(text, scan, considered)
        if items is None:
            # "I've shortlisted a few things: A, B, or C": the cue names them, the colon lists them
            span = _which_list(scan, sentence, chunk) or _colon_list(scan, sents, index)
            items = _named_items(text, scan, span)
        if items is None and "," in chunk:
            # a list parted by commas, after the question's words or before the question
            span = (
                _asked_list(scan, sentence, chunk)
                if chunk.endswith("?")
                else _listed_then_asked(scan, sents, index)
            )
            items = _named_items(text, scan, span)
        if items is None:
            continue
        items, tail = _without_our_clause(scan, items)
        following = sents[index + 1] if index + 1 < len(sents) else None
        if _picked_after(scan, items, (tail, sentence.end), following):
            continue  # "… between A, B or C, and we booked B.": the choice is made
        found.extend(
            split_group(
                text,
                kind="enumeration",
                start=items[0][0],
                end=items[-1][1],
                options=titled(text, items),
                confidence=0.8,
                description="One of the listed alternatives: develop {option} on its own branch.",
                reasoning="Enumeration: a list asked to pick from",
                divergence="high",
            )
        )
    return found


# a statement of the writer's own ("and we booked …", "j'ai pris …", "me quedé con …",
# "wir haben … gebucht"): after a list, it may say which item was taken
_OUR_STATEMENT = re.compile(
    r"[\s,;]*(?:(?:and|but|so|then|finally|et|mais|donc|puis|y|pero|así que|und|aber|dann)\s+)?"
    r"(?:i|we|je|j'|nous|on|yo|nosotros|me|nos|ich|wir)(?=\s|')",
    re.I,
)


def _without_our_clause(
    scan: str, items: list[tuple[int, int]]
) -> tuple[list[tuple[int, int]], int]:
    """``items`` without a last one that is a statement of the writer's own ("A, B or C,
    and we booked B" lists three), and where the words after the list start."""
    if len(items) >= 3 and _OUR_STATEMENT.match(scan, items[-1][0], items[-1][1]):
        return items[:-1], items[-1][0]
    return items, items[-1][1]


def _picked_after(
    scan: str, items: list[tuple[int, int]], rest: tuple[int, int], following: Span | None
) -> bool:
    """Whether a statement of the writer's own right after the list (the rest of its
    sentence, or the next one) names one of its items whole, and only one: "… and we
    booked Prague.", "Me quedé con Quipu.". The choice is made."""
    tails = [rest] if _OUR_STATEMENT.match(scan, *rest) else []
    if (
        following is not None
        and scan[following.end - 1] != "?"
        and _OUR_STATEMENT.match(scan, following.start, following.end)
    ):
        tails.append((following.start, following.end))
    if not tails:
        return False
    marks = _option_marks(scan, items)
    for start, end in tails:
        said = _word_keys(_words(scan[start:end]))
        if sum(bool(mark) and mark <= said for mark in marks) == 1:
            return True  # a whole item named: "notes" alone does not name "Apple Notes"
    return False


def _named_items(
    text: str, scan: str, span: tuple[int, int] | None
) -> list[tuple[int, int]] | None:
    """The items of the list at ``span``: three or more (or a pair joined by "and"/"or"),
    none longer than a few words; None when it holds no such list."""
    if span is None:
        return None
    items = [(a, b) for a, b in (_trimmed(text, a, b) for a, b in _split(scan, *span)) if b > a]
    named = len(items) >= 3 or (len(items) == 2 and _PAIR.search(scan, *span))
    if not named or not _short_items(text, items, 8):
        return None
    return items


_PAIR = _Folding(re.compile(r"\s(?:and|or|vs\.?|versus|et|ou|y|o|und|oder)\s", re.I))


def _which_list(scan: str, sentence: Span, chunk: str) -> tuple[int, int] | None:
    """ "Go, Elixir, Kotlin — which?": the list before the question tail."""
    if not chunk.endswith("?") or not _mentions(chunk[-90:], _WHICH):
        return None
    tail = _WHICH_TAIL.search(chunk, max(0, len(chunk) - 90))
    if tail is None or tail.start() == 0:
        return None
    return sentence.start, sentence.start + tail.start()


_CONSIDERED = _Folding(
    re.compile(
        r"\b(?:considering|choosing between|deciding between|torn between|"
        r"narrowed (?:it )?(?:down )?to|shortlisted|the options are|our options are|"
        r"my options are|the candidates are|"
        r"j'hésite entre|on hésite entre|nous hésitons entre|j'envisage|on envisage|"
        r"nous envisageons|dudo entre|dudamos entre|estoy entre|estamos entre|"
        r"(?:estoy|estamos) considerando|barajo|barajamos|me planteo|nos planteamos|"
        r"wir schwanken zwischen|ich schwanke zwischen|ich überlege|wir überlegen|"
        r"zur auswahl stehen|zur wahl stehen)\b(?:\s*:)?\s*",
        re.I,
    )
)
_CONSIDERING = (  # one of them is in each match of _CONSIDERED
    *("considering", "between", "narrowed", "shortlisted", "options are", "candidates are"),
    *("entre", "envisag", "considerando", "baraj", "plante", "schwank", "überleg", "wahl stehen"),
)


def _considered_list(scan: str, sents: list[Span], index: int) -> tuple[int, int] | None:
    """ "We're considering Lisbon, Prague and Kraków. Which fits a team of 12?": the list
    after the cue, when this sentence or the next asks to choose, or one of the next
    three asks which of them."""
    sentence = sents[index]
    cue = _CONSIDERED.search(scan, sentence.start, sentence.end)
    if cue is None:
        return None
    asked = [scan[s.start : s.end] for s in sents[index : index + 2]]
    if not any("?" in q and _FOLLOW_UP.search(q) for q in asked) and not _asked_soon(
        scan, sents, index
    ):
        return None
    stops = _STOPS if scan.count(";", cue.end(), sentence.end) < 2 else _STOPS_BUT_SEMICOLON
    stop = stops.search(scan, cue.end(), sentence.end)
    return cue.end(), stop.start() if stop else sentence.end


_STOPS = re.compile(r"[.?!;:]|\s[\u2014\u2013-]\s")
_STOPS_BUT_SEMICOLON = re.compile(r"[.?!:]|\s[\u2014\u2013-]\s")  # "A; B, with C; D"


_PICK = _Folding(
    re.compile(
        r"\b(?:which|pick|choose|best|prefer\w*|recommend\w*|go with|favou?rite|thoughts|lequel|"
        r"laquelle|cuál\w*|welche\w*|quale|mejor|meilleur\w*|besten?)\b",
        re.I,
    )
)


def _colon_list(scan: str, sents: list[Span], index: int) -> tuple[int, int] | None:
    """ "Names we like: Maple, Juniper, Biscuit. Which fits a retriever best?": a bare
    list after a colon, asked to choose from by the next sentence. Context lists ("our
    stack: …", "symptoms: …") are not."""
    sentence = sents[index]
    colon = scan.find(":", sentence.start, sentence.end)
    if colon == -1 or index + 1 >= len(sents):
        return None
    intro = scan[sentence.start : colon]
    asked = scan[sents[index + 1].start : sents[index + 1].end]
    picked = ("?" in asked and _PICK.search(asked)) or _asked_soon(scan, sents, index)
    if _STEP_INTRO.search(intro) or not (picked or _OPTIONS_NAMED & set(_words(intro))):
        return None
    start, end = _trimmed(scan, colon + 1, sentence.end)
    items = _split(scan, start, end)
    if any(re.search(r"\d[,.]\d", scan[a:b]) for a, b in items):
        return None  # figures, not names: "dealer wants $34,900, KBB says $31k"
    if sum(bool(_BACK_REFERENCE.match(scan, a, b)) for a, b in items) >= 2:
        return None  # "A or B: the first is cheaper, the second …": what each is like
    longest = 6 if _ALT_INTRO.search(intro) else 4  # "Shortlist: customer stories, …"
    if _parallel_phrases(scan, items) or ";" in scan[start:end]:
        # "a dinner out, a weekend away, a pottery class for two", "A; B; C": phrases
        longest = 8
    if len(items) < 3 or not _short_items(scan, items, longest):
        return None
    return start, end


# an item that opens on a word pointing back to things named before ("the first …, the
# other …", "la primera …, la segunda …", "l'un …, l'autre …", "der erste …, der
# andere …"): two such items say what the options are like, and name none
_BACK_REFERENCE = re.compile(
    r"\s*(?:the (?:first|second|former|latter|other)(?: one)?|one of them|"
    r"(?:le|la) (?:premi(?:er|ère)|second(?:e)?|deuxième)|l'(?:un|une|autre)|"
    r"(?:el|la) (?:primer[oa]|segund[oa]|otr[oa])|"
    r"(?:der|die|das) (?:erste|zweite|andere)|(?:erster|letzter)(?:e|er|es)?)\b",
    re.I,
)


def _short_items(scan: str, items: list[tuple[int, int]], longest: int) -> bool:
    """Whether every item holds one to ``longest`` words; the last of a list of phrases
    may run on a little, as it carries the sentence's closing remark ("or C, which
    needs a file")."""
    sizes = [len(_words(scan[a:b])) for a, b in items]
    slack = 4 if longest >= 6 else 0
    return all(1 <= size <= longest for size in sizes[:-1]) and 1 <= sizes[-1] <= longest + slack


# the word before a colon that names what follows as the things to choose from
_OPTIONS_NAMED = _wordset(
    "candidates options choices contenders finalists alternatives shortlist candidats choix "
    "possibilités opciones candidatos alternativas elegir optionen kandidaten alternativen "
    "auswahl wahl"
)


def _parallel_phrases(scan: str, items: list[tuple[int, int]]) -> bool:
    """Whether every item but one at most opens on a determiner ("une cena…, una
    escapada…, unas clases…"): phrases of one shape, each a thing to choose."""
    openers = [(_words(scan[a:b]) or [""])[0] in _DETERMINERS for a, b in items]
    return sum(openers) >= max(2, len(openers) - 1)


def _asked_soon(scan: str, sents: list[Span], index: int, *, next_any: bool = True) -> bool:
    """Whether one of the next three sentences asks which of the items to take ("Which
    one would you pick?", "cuál me recomiendas?"); the next one may ask it in any words
    that pick ("what would you do?") when ``next_any``."""
    for distance, later in enumerate(sents[index + 1 : index + 4]):
        loose = distance == 0 and next_any
        if not (loose or _WHICH_OF_THEM.match(scan, later.start, later.end)):
            continue
        if _asks_which(scan[later.start : later.end]):
            return True
    return False


_SEMICOLON_SPLIT = re.compile(r";\s*(?:(?:and|or|et|ou|y|o|und|oder)\s+)?", re.I)


_ASIDE = re.compile(r"\s*\([^()\n]*(?:\)|$)")  # the span may end before its ")"


def _split(scan: str, start: int, end: int) -> list[tuple[int, int]]:
    """The items between ``start`` and ``end``: parted by commas, "and"/"or" or a spaced
    slash; by semicolons alone when there are two or more (an item may hold a comma).
    A bracketed aside ("A (cheap, slow), B") parts nothing and is left out of its item;
    a quoted name ("“Made here, for you”") parts nothing either, and stays whole."""
    has_aside = scan.find("(", start, end) != -1
    asides = [match.span() for match in _ASIDE.finditer(scan, start, end)] if has_aside else []
    quotes = _quotes_within(scan, start, end)
    parting = _SEMICOLON_SPLIT if scan.count(";", start, end) >= 2 else _INLINE_SPLIT
    pieces = []
    cursor = start
    for match in parting.finditer(scan, start, end):
        if any(a <= match.start() < b for a, b in asides):
            continue
        if any(a < match.start() < b - 1 for a, b in quotes):
            continue
        pieces.append((cursor, match.start()))
        cursor = match.end()
    pieces.append((cursor, end))
    return [_before_aside(piece, asides) for piece in pieces]


_QUOTE_MARKS = "\"'\u201c\u201e\u00ab"


def _quotes_within(scan: str, start: int, end: int) -> list[tuple[int, int]]:
    """The quotations between ``start`` and ``end``, and those their marks may open or
    close just outside (a list's span is trimmed of them); none is looked for when no
    quote mark is there."""
    if not any(scan.find(mark, start, end) != -1 for mark in _QUOTE_MARKS):
        return []
    return [match.span() for match in _QUOTED.finditer(scan, max(0, start - 1), end + 1)]


def _before_aside(piece: tuple[int, int], asides: list[tuple[int, int]]) -> tuple[int, int]:
    """``piece`` up to its first bracketed aside, when words come before it."""
    start, end = piece
    cut = next((a for a, _ in asides if start < a < end), end)
    return start, cut


# a request that opens a question ("can you help with: …"): its list is of requests
_REQUEST = re.compile(
    r"\b(?:can|could|would) you\b|\bplease\b|\bhelp\b|\bpeux-tu\b|\bpouvez-vous\b|"
    r"\bpuedes\b|\bpodrías\b|\bkannst du\b|\bkönnten sie\b|\bbitte\b",
    re.I,
)


def _asked_list(scan: str, sentence: Span, chunk: str) -> tuple[int, int] | None:
    """ "Which is least flaky, Zapier, Make, or plain webhooks?", "For a small CLI: click,
    typer, argparse?": a question that ends on a list of three or more short items, after
    the question's own words (asking to pick) or after a colon."""
    if not chunk.endswith("?"):
        return None
    end = sentence.start + len(chunk) - 1
    colon = scan.rfind(":", sentence.start, end)
    if colon != -1 and _named_after_colon(scan, sentence.start, colon, end):
        return _trimmed(scan, colon + 1, end)
    pieces = _split(scan, sentence.start, end)
    short = 0
    while short < len(pieces) - 1 and _a_name(scan[slice(*pieces[-1 - short])]):
        short += 1
    head = scan[sentence.start : pieces[-short][0]] if short else ""
    if short >= 2:
        # "Which app for a small shop, among A, B, C?": the list opens after "among"
        listed = pieces[-1 - short :]
        opening = next((i for i in (0, 1) if _AMONG.search(scan, *listed[i])), None)
        if opening is not None and len(listed) - opening >= 3:
            listed = listed[opening:]
            among = _AMONG.search(scan, *listed[0])
            gaps = [scan[left[1] : right[0]] for left, right in pairwise(listed)]
            if (
                among is not None
                and 1 <= len(_words(scan[among.end() : listed[0][1]])) <= 3
                and all("," in gap for gap in gaps[:-1])  # "between A and B, if …" is a pair
            ):
                return among.end(), end
    if short < 3 or not head.rstrip().endswith(",") or not _PICK.search(head):
        return None
    return pieces[-short][0], end


# the preposition that opens the set a question picks from ("… among A, B and C?")
_AMONG = re.compile(
    r"\b(?:among|amongst|out of|parmi|entre|zwischen|unter)\s+(?=[^,]{1,40}$)", re.I
)


def _a_name(piece: str) -> bool:
    """A piece of an asked list that may be an item: a few words, none asking to pick."""
    return 1 <= len(_words(piece)) <= 4 and not _PICK.search(piece)


def _named_after_colon(scan: str, start: int, colon: int, end: int) -> bool:
    """Whether three or more names of a few words each follow the colon, and no request
    opens the question before it ("can you help with: …" lists requests)."""
    items = _split(scan, colon + 1, end)
    if (
        len(items) < 3
        or _REQUEST.search(scan, start, colon)
        or _STEP_INTRO.search(scan, start, colon)
    ):
        return False
    return all(1 <= len(_words(scan[a:b])) <= 3 for a, b in items)


def _listed_then_asked(scan: str, sents: list[Span], index: int) -> tuple[int, int] | None:
    """ "I've seen a pottery class, a writing workshop and a yoga week. Which would help
    most?", "Where should we meet? The candidates are Porto, Braga and Faro.": a list of
    three or more that ends a statement, when a sentence near it asks to pick from it
    (``_asked_around``). The first item starts at its determiner, as the following ones
    do, or after the "are" that names them."""
    if not _asked_around(scan, sents, index):
        return None  # the cheap test first: most lists are not asked about
    sentence = sents[index]
    if index and _ALTERNATIVES_LISTED.search(scan, sents[index - 1].start, sents[index - 1].end):
        return None  # the options came just before: this list is what the choice must suit
    end = _trimmed(scan, sentence.start, sentence.end)[1]
    if scan[end - 1 : end] == "?":
        return None
    pieces = _split(scan, sentence.start, end)
    short = 0
    while short < len(pieces) - 1 and 1 <= len(_words(scan[slice(*pieces[-1 - short])])) <= 6:
        short += 1
    if short < 2:
        return None
    listed = pieces[-1 - short :]
    gaps = [scan[left[1] : right[0]] for left, right in pairwise(listed)]
    if any("," not in gap for gap in gaps[:-1]):
        return None  # "they are 7 and 9 and get bored": commas part a list's first items
    first_start, first_end = listed[0]
    heads_from = _determiner_run(scan, listed)
    if heads_from is not None:
        first_start, first_end = listed[heads_from - 1]
        words = list(re.finditer(r"[^\W\d_]+", scan[first_start:first_end]))
        heads = [w for w in words[-5:] if w.group(0).lower() in _DETERMINERS]
        return (first_start + heads[-1].start(), end) if heads else None
    namings = list(_NAMING.finditer(scan, first_start, first_end))
    named = namings[-1] if namings else None
    if named is None or not 1 <= len(_words(scan[named.end() : first_end])) <= 3:
        return None
    return named.end(), end


# a list of alternatives, its last item joined by "or" ("A, B, or C"): a list of facts
# right after it ("There are 12 of us, two kids, a tight budget. Which …?") is what
# the choice must suit, not more options
_ALTERNATIVES_LISTED = _Folding(
    re.compile(r",[^,.;:?!\n]{1,60},?\s+(?:or|ou|o|oder)\s+[^\W\d_]", re.I)
)


# a request to pick one of the things named before ("pick one?", "choisis-en un")
_PICK_ONE = _Folding(
    re.compile(
        r"[\s¿]*(?:\w+\s+)?(?:pick|choose|choisis|choisissez|elige|escoge|wähl\w*|such\w* aus)"
        r"(?:-en|\s+(?:en|dir|mir))?\s+(?:one|un|une|uno|una|einen?|eins)\b",
        re.I,
    )
)


def _asked_around(scan: str, sents: list[Span], index: int) -> bool:
    """Whether a sentence near the list at ``index`` asks to pick from it: one of the
    next three asks which of them, the next asks to pick one, or the one before asks
    where or what to choose."""
    if _asked_soon(scan, sents, index, next_any=False):
        return True
    if index + 1 < len(sents):
        following = scan[sents[index + 1].start : sents[index + 1].end]
        if following.endswith("?") and _PICK_ONE.match(following):
            return True
    previous = scan[sents[index - 1].start : sents[index - 1].end] if index else ""
    return previous.endswith("?") and bool(
        _FOLLOW_UP.search(previous) or _WHICH_THING.match(previous)
    )


def _determiner_run(scan: str, listed: list[tuple[int, int]]) -> int | None:
    """Where the items that open on a determiner start in ``listed`` (the first item
    stands before them and holds one too: "leaning a tart, a cake or a pie"), so that
    two at least follow; None when there are no such items."""
    opens = [(_words(scan[a:b]) or [""])[0] in _DETERMINERS for a, b in listed]
    for index in range(1, len(listed) - 1):
        if all(opens[index:]):
            return index
    return None


# a question that asks which thing ("Quel fromage …?", "¿Qué pan …?"): the list after it
# is what to pick from
_WHICH_THING = re.compile(r"[\s¿]*(?:which|quel(?:le)?s?|qué|cuál(?:es)?|welche[rsnm]?)\s", re.I)

# the verb that names the items of a list ("the finalists are A, B and C")
_NAMING = re.compile(
    r"\b(?:are|were|include|sont|son|sind|il y a(?:vait)?|hay|había|gibt es|gab es|gibt's|"
    r"gab's|es gibt|es gab)\s+",
    re.I,
)


_INLINE_FIRST = re.compile(r"(?<=[\s:])1[.)]\s+")
_INLINE_END = re.compile(r"[.!?;](?=\s|$)|\n")
_NEXT_QUESTION = re.compile(r"\s*([^.!?\n]{1,160}\?)")


def _inline_numbered(text: str, scan: str) -> list[Suggestion]:
    """ "It's down to 1. salt crystals 2. a potato battery 3. a volcano. Which one …?": a
    list numbered inside its sentence, introduced as alternatives or asked to pick from.
    Items that ask or are steps ("1. preheat 2. mix") are no alternatives."""
    if " 2." not in scan and " 2)" not in scan:
        return []
    found: list[Suggestion] = []
    for first in _INLINE_FIRST.finditer(scan):
        line_start = scan.rfind("\n", 0, first.start()) + 1
        intro = _last_sentence(scan[line_start : first.start()])
        if not intro.strip():
            continue  # a marker that opens its line: a list of lines
        items = _numbered_items(scan, first.end())
        if len(items) < 2 or any(not 1 <= len(_words(scan[a:b])) <= 8 for a, b in items):
            continue
        if any(scan[b - 1 : b] == "?" for _, b in items) or _STEP_INTRO.search(intro):
            continue
        asked = _NEXT_QUESTION.match(scan, items[-1][1] + 1)
        picked = asked is not None and _FOLLOW_UP.search(asked.group(1))
        if not (picked or _CONSIDERED.search(intro) or _alternatives_intro(intro)):
            continue
        spans = [_trimmed(text, a, b) for a, b in items]
        found.extend(
            split_group(
                text,
                kind="enumeration",
                start=spans[0][0],
                end=spans[-1][1],
                options=titled(text, spans),
                confidence=0.8 if picked else 0.74,
                description="One of the listed alternatives: develop {option} on its own branch.",
                reasoning="Enumeration: an inline numbered list "
                + ("asked to pick from" if picked else "introduced as alternatives"),
                divergence="high" if len(spans) >= 3 else "medium",
            )
        )
    return found


def _numbered_items(scan: str, start: int) -> list[tuple[int, int]]:
    """The items of an inline list whose first item starts at ``start``: each runs to
    the next number in sequence, the last to the end of its sentence."""
    items: list[tuple[int, int]] = []
    number = 2
    while True:
        marker = re.compile(rf"\s{number}[.)]\s+").search(scan, start)
        stop = _INLINE_END.search(scan, start)
        if marker is None or (stop is not None and stop.start() < marker.start()):
            end = stop.start() if stop is not None else len(scan)
            if scan[end : end + 1] == "?":
                end += 1
            items.append((start, end))
            return items
        items.append((start, marker.start()))
        start = marker.end()
        number += 1
