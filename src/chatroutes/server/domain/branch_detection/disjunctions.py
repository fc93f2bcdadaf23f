"""Disjunctions: "X or Y", "A, B, or C", "whether/either … or …", an asking "if … or …"
("I can't work out if I should A or B", "ob ich A oder B soll") (and "ou", "o",
"oder"). One suggestion per option; the group spans the options, from
"whether"/"either"/"if" when present. The left option is read back from the "or" past
what closes it (an adverb, "right away", or a clause tied to it, ", which …,", "because
…") and starts like the right one (at its determiner, or at its verb); options after a
colon that announces ways to go ("two ways out: …") are a choice too. Idioms ("more or
less"), negated choices ("not X or Y"), examples ("such as X or Y"), conditions ("if X
or Y"), catch-alls ("any questions or issues", "or whatever fits"), quoted phrases and
rhetorical questions are dropped or weakened, and so are the readings where nothing is
chosen: options stated before a question about something else, a question asking why
or who or what is so ("c'est grave ou normal ?", "can it be changed, or is it
fixed?", "is it correct, or is it wrong?", "is my order shipped or still packed?"),
an open "what X or Y", "whichever"/"either way", a tag ("… or what?"), one word said
twice ("sí o sí"), and options a statement right after them settles ("… and I booked
Thursday") or the writer answers ("Tabs or spaces? Spaces, obviously."), a pair that
says what several things wanted are about ("five films with heist or spy plots") or
what there may be ("Are there vegan or gluten-free bakeries near here?", "Tu connais
un bon kiné ou ostéo ?"), two verbs of one thing asked how to do ("How do I batch or
throttle these calls?"), and "either … or" in a statement of what a thing does ("The
router blinks either red or orange.") unless a short question after it asks to pick
(asking what that means does not). "Between A and B …, or C" offers all three;
options after a colon that open alike run from it.
"""

from __future__ import annotations

import re
from itertools import pairwise

from .option_spans import (
    _CHOICE_VERBS,
    _CLAUSE_END,
    _DETERMINERS,
    _FUNCTION_WORDS,
    _HARD_STOP,
    _PREPOSITIONS,
    _WORD,
    _clause_bounds,
    _left_option,
    _parts,
    _right_option,
)
from .suggestion import Suggestion, split_group, titled
from .text import (
    _NEGATION,
    Span,
    _by_sentence,
    _Folding,
    _inside,
    _may_match,
    _mentions,
    _quoted,
    _skip,
    _trimmed,
    _words,
    _wordset,
)

OR = r"(?:or|ou|o|u|oder|oppure)"
# \b{OR}\b, written so that a search skips ahead to the next "o" or "u" (a pattern
# that opens with "\b" is tried at every character): the word boundary before it is
# checked once its first letter is read
_OR = re.compile(r"(?:o(?<!\wo)(?:r|u|der|ppure)?|u(?<!\wu))\b")
# a comma between digits is a decimal mark ("19,99"), no separator (the comma first: a
# search skips ahead to the next one)
_LIST_COMMA = r",(?:(?<!\d,)|(?!\d))\s*"
# each split opens on a comma, a semicolon, a space or the "or" itself: a lookahead for
# them fails fast where none is
_SPLIT = _Folding(
    re.compile(
        rf"(?=[,;\sou])(?:,?\s*\b{OR}\b(?:\s+(?:else|bien|aber|alors))?\s*|{_LIST_COMMA}|;\s*)",
        re.I,
    )
)
# the same, where "ou" tells "o" is an article ("faço o mestrado ou …")
_SPLIT_OU = re.compile(
    rf"(?=[,;\so])(?:,?\s*\bou\b(?:\s+(?:bien|alors))?\s*|{_LIST_COMMA}|;\s*)", re.I
)
_WORDS = re.compile(r"\s*([^\W\d_]+)")
_CLAUSE_OPTION = re.compile(
    r"\s*(?:should|shall|do|does|did|is|are|can|could|would|will|must)\s+(?:i|we|you|it|they|he|"
    r"she|the|my|our)\b|\s*(?:dois-je|devrais-je|faut-il|est-ce que|debo|deberíamos|sollte ich|"
    r"soll ich|sollten wir|sollen wir)\b",
    re.I,
)
_CLAUSE_LEAD = re.compile(r"(?:(?:so|and|but|or|well|ok|okay|then)\b,?\s*)*", re.I)
_PARTICLE = re.compile(r"(?:to|de|d'|zu|à)\s+|", re.I)
_COMMA = re.compile(_LIST_COMMA)
_NEXT_OR = re.compile(rf",?\s+({OR})\s+")
_OPENER = re.compile(r"\b(whether|either|soit|entweder|ya sea|o bien)\b", re.I)
_OPENER_KEYS = ("whether", "either", "soit", "entweder", "ya sea", "o bien")  # one in each match
# "if" that asks what to do: after a verb of not knowing or deciding ("no sé si
# actualizar …", "ich weiß nicht, ob ich …") or a noun of doubt ("mi duda es si …"),
# or with a modal of deliberation ("… if I should …"); not "… if that's a product or a
# variant"
_EMBEDDED = _Folding(
    re.compile(
        r"(?:\b(?:know|sure|figure out|decide|deciding|wonder\w*|unsure|certain|idea|demande|sais|"
        r"sé|weiß|frage mich|überlege\w*|decidir|décider|entscheiden|"
        # a noun of doubt that the "if" states: "my question is if", "mi duda es si"
        r"(?:question|doubt|dilemma|duda|pregunta|dilema|doute|dilemme|frage)\s+"
        r"(?:is|es|est|ist)(?:\s+[^\W\d_]+(?:ly|ment|mente|lich))?)(?:\s+(?:not|pas|nicht|no))?"
        r"\s*,?\s+(?=(?:if|si|ob)\s+(?:i|we|je|j'|nous|ich|wir|yo|to|[^\W\d_]*(?:ar|er|ir|re)(?:l[oa]s?|les?|me|te|se|nos)?)\b)|"
        r"\s(?=(?:if|si)\s+(?:i|we|je|nous|yo)\s+(?:should|ought to|dois|devrais|devons|debo|"
        r"debería|deberíamos)\b))",
        re.I,
    )
)
# "if", "si" or "ob" follows each match of _EMBEDDED
_EMBEDDED_KEYS = ("if", "si", "ob")
_ASKING_IF = re.compile(r"(if|si|ob)\b", re.I)
_SUBJECT_MODAL = re.compile(
    r"(?:(?:i|we|je|nous|ich|wir|yo)\s+)(?:(?:should|shall|could|would|must|can|dois|devrais|"
    r"devons|peux|soll|sollte|sollten|muss|kann|debo|debería|deberíamos|puedo)\s+)?",
    re.I,
)
_CHOICE_CUE = _Folding(
    re.compile(
        r"\b(?:should|shall|which|better|best|prefer|preferable|choose|choosing|pick|decide|"
        r"deciding|decision|torn|hesitat\w*|hésit\w*|dudo|dudamos|dudando|schwank\w*|option|"
        r"options|go with|recommend|worth|rather|instead|vs|"
        r"versus|either|whether|trade-?offs?|could|might|would you like|do you want|"
        r"thinking (?:of|about)|considering|looking at|wondering|back and forth|more sense|smarter|"
        r"easier|überlege\w*|no sé si|je ne sais pas si|weiß nicht,? ob|non so se|"
        r"cheaper|faster|safer|wiser|worse|worth|recommend\w*|recomiend\w*|recommand\w*|"
        r"empfiehl\w*|empfehl\w*|conseill\w*|aconsej\w*|potremmo|dovremmo|meglio|fareste|"
        r"sceglier\w*|"
        r"dois|devrais|faut|mieux|plutôt|choisir|préfér\w*|quel\w*|"
        r"debo|debería|deberíamos|mejor|elegir|prefier\w*|cuál\w*|conviene|"
        r"soll\w*|besser|lieber|wählen|welche\w*|empfiehl\w*)\b",
        re.I,
    )
)
_EXAMPLE_CUE = _Folding(
    re.compile(
        r"\b(?:such as|e\.g|for example|for instance|including|comme|par exemple|como|por ejemplo|"
        r"wie|zum beispiel|z\.b)\b"
        r"|(?<!would you )(?<!you'd )(?<!i'd )(?<!i would )(?<!we'd )\blike\b",
        re.I,
    )
)
_EXAMPLE_KEYS = (  # one of them is in each match of _EXAMPLE_CUE
    *("such as", "e.g", "for example", "for instance", "including", "comme", "par exemple"),
    *("como", "por ejemplo", "wie", "zum beispiel", "z.b", "like"),
)
_IDIOMS = _Folding(
    re.compile(
        r"\b(?:more or less|sooner or later|one (?:way )?or another|or so|or (?:more|less|fewer|"
        r"longer|later|earlier|similar|(?:some|any)thing(?![^\W\d_]|\s+(?!like\b|else\b)[^\W\d_])|"
        r"whatever|whoever|otherwise|other|else|"
        r"not|equal|a few|another|both|all|none|any(?:thing)?"
        r" else)\b|or (?:two|three|four|five|six|ten|twenty)(?!\s+[^\W\d_]{3,})\b|"
        r"\ban? \w+ or (?:two|three)\b|and/or|"
        r"(?:\d+|one|two|three|four|five|a day|a week|an hour) or (?:\d+|two|three|"
        r"four|five|six|seven|ten|so)\b|"
        r"(?:un|une|deux|trois|quatre|cinq|dix|uno|una|dos|tres|cuatro|cinco|diez|ein|eine|zwei|"
        r"drei|vier|fünf|zehn) (?:ou|o|u|oder) (?:deux|trois|quatre|cinq|six|dix|dos|tres|cuatro|"
        r"cinco|seis|diez|zwei|drei|vier|fünf|sechs|zehn)\b|"
        r"whether or not|or what|rain or shine|give or take|"
        r"black or white|right or wrong|true or false|yes or no|dead or alive|now or never|"
        r"all or nothing|more or fewer|plus ou moins|tôt ou tard|"
        r"ou à peu près|ou presque|o así|o casi|oder so ungefähr|oder fast|or thereabouts|"
        r"or nearly|or almost|or some such|o lo que (?:sea|veas|creas|prefieras)|o algo (?:así|"
        r"parecido|similar)|o similar|ou (?:n'importe quoi|quoi que ce soit|autre chose|similaire)|"
        r"ou ce que (?:tu|vous) (?:veux|voulez|préfères|préférez)|oder (?:was auch immer|sonst was|"
        r"so etwas|so was|ähnlich\w*)|d'une (?:manière|façon) ou "
        r"d'une autre|ou pas|ou non|oui ou non|bon gré mal gré|más o menos|tarde o temprano|"
        r"de una (?:manera|forma) u otra|o no|sí o no|mehr oder weniger|früher oder später|"
        r"so oder so|oder so|oder nicht|ja oder nein|\d+ (?:ou|o|oder) \d+|"
        r"or (?:is|was) (?:it|that|this) (?:all|just|only|really|simply)\b|"
        r"or (?:is|was|are) (?:that|this|those)\b|or am i\b|ou c'est (?:juste )?moi|o soy yo)"
        r"(?!\w)",  # whole words: "oder so" is not "oder sollte"
        re.I,
    )
)
_ANY_CONTEXT = _Folding(
    re.compile(
        r"\b(?:any|anything|anyone|questions|issues|problems|concerns|comments|feedback)\b", re.I
    )
)
_ANY_KEYS = ("any", "questions", "issues", "problems", "concerns", "comments", "feedback")
_SPANISH = _Folding(re.compile(r"[áéíóúñ¿¡]|\b(?:el|la|los|las|que|es|un|una|con|para)\b", re.I))
_NOR = _Folding(re.compile(r"\bnor\b", re.I))
# \bou\b, written so that a search skips ahead to the next "o" (as _OR is)
_OU = _Folding(re.compile(r"o(?<!\wo)u\b", re.I))


def _says_ou(chunk: str) -> bool:
    """Whether ``chunk`` has the word "ou" (French or Portuguese "or")."""
    return "ou" in chunk.lower() and bool(_OU.search(chunk))


_CONDITION = _Folding(re.compile(r"\b(?:if|when(?:ever)?|si|wenn|falls)\b", re.I))
_CONDITION_KEYS = ("if", "when", "si", "wenn", "falls")  # one of them is in each match
_LAST_WORD = re.compile(r"([^\W\d_]+)\s+$")
_RHETORICAL = re.compile(
    r"^(?:who (?:doesn't|does not|wouldn't|would not|cares)|who needs|why would (?:anyone|you|"
    r"i|we)|isn't it|aren't|what's not to|how could (?:anyone|i) not|who wouldn't|"
    r"is there anything (?:better|worse)|why (?:does|do|is|are) (?:every|all|everyone|always)|"
    r"quién no|qui n'a (?:jamais|pas)|wer hat nicht|chi non)\b"
    r"|.*,\s*(?:right|verdad|non|n'est-ce pas|oder|nicht wahr|vero|no)\s*\?\s*$",
    re.I,
)


def _disjunctions(text: str, scan: str, sents: list[Span]) -> list[Suggestion]:
    found: list[Suggestion] = [
        *_correlatives(text, scan, sents),
        *_asked_in_turn(text, scan, sents),
    ]
    quotes = _quoted(scan)
    ors = _by_sentence(_OR, scan, sents)  # each sentence's "or"s
    later_verdicts: dict[int, bool | None] = {}
    for index, sentence in enumerate(sents):
        if not ors[index]:
            continue
        chunk = scan[sentence.start : sentence.end]
        following = sents[index + 1] if index + 1 < len(sents) else None
        next_sentence = scan[following.start : following.end] if following is not None else ""
        asked_which = _asks_which(next_sentence) or _asked_later(
            scan, sents, ors, index, later_verdicts
        )
        # "Thoughts?", not "What does that mean?"
        short_asked = _short_question(next_sentence) and not _MEANING_ASKED.match(next_sentence)
        then_asked = asked_which or (
            short_asked and bool(_CHOICE_CUE.search(scan, sentence.start, sentence.end))
        )
        rhetorical = bool(_RHETORICAL.match(chunk.lstrip("-*• ")))
        used_until = sentence.start
        question = chunk.rstrip().endswith("?") or _unmarked_question(chunk)
        sentence_cue = _CHOICE_CUE.search(chunk)
        # the cheap tests first: a sentence without their words has none of their matches
        opens = _may_match(chunk, _OPENER_KEYS)
        embeds = _may_match(chunk, _EMBEDDED_KEYS)
        unopened = _OPENER.sub(" ", chunk) if opens else chunk
        choosing = sentence_cue if unopened == chunk else _CHOICE_CUE.search(unopened)
        for match in ors[index]:
            at = match.start()
            after = at + len(match.group(0))
            if at < used_until or _idiom(scan, at, max(sentence.start, at - 30), sentence.end):
                continue
            if _inside(quotes, at, after) or rhetorical:
                continue
            if scan[at - 1 : at] == "-" or scan[after : after + 1] == "-":
                continue  # "trick-or-treating"
            if match.group(0) in ("o", "u") and (not _SPANISH.search(chunk) or _says_ou(chunk)):
                continue  # Spanish "o" only in Spanish text: "faço o mestrado … ou …" is not
            if _corrected(scan, sentence, at, after):
                continue  # "could you help me, or rather explain, …": said again, better
            if _TAG.match(scan, after, sentence.end):
                continue  # "Are we going or what?": a tag on one question, no second option
            if _repeated_word(scan, sentence.start, at, after):
                continue  # "sí o sí", "yes or yes": one word said twice insists, offers nothing
            lo, hi = _clause_bounds(scan, sentence, at, after)
            clause = scan[lo:hi]
            opener = _OPENER.search(scan[lo:at]) if opens else None
            embedded = _EMBEDDED.search(scan[lo:at]) if embeds and opener is None else None
            if embedded is not None:
                opener = _ASKING_IF.match(scan[lo:at], embedded.end())
            items = 1
            clause_split: tuple[int, int] | None = None
            attached: int | None = None  # where a clause tied to the left option starts
            announced = False
            if _CLAUSE_OPTION.match(scan, after):
                # "…, or should I wait for the M4?": two clauses are the options
                start, end = _trimmed(scan, lo, at)[0], _trimmed(scan, after, hi)[1]
                start = _skip(_CLAUSE_LEAD, scan, start)
                if end - start < 5:
                    continue
                clause_split = (at, after)
            elif (pair := _paired_particles(scan, lo, at, after, hi)) is not None:
                start, end = pair  # "before or after the exams": the two words
            else:
                attached = _attached_clause(scan, sentence, at)
                left_lo = lo  # where the left option's clause starts
                if attached is not None:
                    left_lo = min(lo, _clause_bounds(scan, sentence, attached, attached)[0])
                left_stop = _before_adverbial(scan, left_lo, attached or at)
                left = _left_option(scan, left_lo, left_stop) or _verb_final(scan, lo, at, opener)
                if left is None:
                    continue
                priced = (
                    _PRICED.search(scan, left_lo, at) if _DIGIT.search(scan, left_lo, at) else None
                )
                if priced is not None and left[0] >= priced.start(1):
                    # "the Pixel at $499 or the iPhone at $429": the thing, not its price
                    left = _left_option(scan, left_lo, priced.start()) or left
                start, items = left
                start = _conjoined(scan, left_lo, start)
                start, items = _comma_items(scan, left_lo, attached or at, start, items)
                left_words = min(4, len(_words(scan[start:left_stop])))
                right_limit = 8 if opener else min(8, max(3, left_words + 2))
                right_end = _right_option(scan, after, hi, right_limit, min(left_words, 2))
                if right_end is None:
                    continue
                end = right_end
                read_from = start
                start = _parallel_verb(scan, left_lo, start, after)
                start = _parallel_object(scan, left_lo, start, after)
                if not opener:
                    start = _parallel_clause(scan, left_lo, start, after)
                start = _qualified_noun(scan, left_lo, start, after, hi)
                start = _same_opening(scan, left_lo, start, after)
                if start < read_from and left_words < 2:
                    # the left option grew into a phrase: the right one is read as one too
                    left_words = min(4, len(_words(scan[start:left_stop])))
                    right_limit = min(8, max(3, left_words + 2))
                    end = _right_option(scan, after, hi, right_limit, 2) or end
                # "whether to bolt them onto this block with the headers, or spin up …"
                reach = 10 if opener and _verb_against_phrase(scan, lo, start, after) else 3
                if opener and len(_words(scan[opener.end() + lo : start])) <= reach:
                    start = _trimmed(scan, lo + opener.end(), start)[0]  # "either learn Spanish"
                    start = _skip(_PARTICLE, scan, start)
                    subject = _SUBJECT_MODAL.match(scan, start)
                    if subject and _words(scan[subject.end() : at]):
                        start = subject.end()  # "whether I should sell it": "sell it"
                while (more := _NEXT_OR.match(scan, end, hi)) is not None:
                    # "A or B or C": the chain goes on, with the same word ("…, o que …"
                    # after "ou" is no "or")
                    if more.group(1).lower() != match.group(0).lower():
                        break
                    further = _right_option(scan, more.end(), hi, right_limit, 1)
                    if further is None:
                        break
                    end = further
            cited = None if clause_split else _cited_pair(quotes, scan, at, after)
            if cited is not None:
                # "say "Save" or "Submit"": each option is its quotation, whole
                left_quote, right_quote = cited
                if not _quoted(scan[start : left_quote[0]]):
                    start = left_quote[0]
                if not _quoted(scan[right_quote[1] : end]):
                    end = right_quote[1]
            kind_start = lo + opener.start() if opener else start
            before = scan[lo:kind_start]
            asked = question and not _asked_apart(scan, sentence, at, end)
            features: list[str] = []
            score = 0.5
            concessive = _CONCESSIVE.search(scan, lo, lo + opener.end()) if opener else None
            if concessive and not asked:
                continue  # "it stops every time, whether on carpet or on tiles"
            if (
                opener
                and opener.group(1).lower() == "whether"
                and not asked
                and _MAIN_CLAUSE.match(scan, end)
            ):
                continue  # "Whether it's Python or Java, I always struggle": either way
            if _reported(scan, sentence.start, at) and not (asked or asked_which):
                continue  # "he asked me whether I prefer tea or coffee": told, not asked
            leading = opener is not None and not scan[lo : lo + opener.start()].strip()
            if opener and (
                opener.group(1).lower() != "either" or asked or choosing or leading or then_asked
            ):
                score += 0.25
                features.append(f"'{opener.group(1).lower()} … or'")
            if asked:
                score += 0.2
                features.append("asked as a question")
            elif then_asked:
                score += 0.2
                features.append("followed by 'which …?'")
            elif announced := _announced(scan, sentence, kind_start):
                score += 0.2
                features.append("announced as ways to go")
            cue = sentence_cue
            if cue and not (asked or then_asked) and _INTERROGATIVE.fullmatch(cue.group(0)):
                cue = None  # "Smith or Jones, I forget which": a relative, nothing asked
            if cue and not opener:
                score += 0.15
                features.append(f"choice cue '{cue.group(0).lower()}'")
            if items >= 2:
                score += 0.05
                features.append(f"{items + 1} options")
            window = " ".join(_words(scan[lo:start])[-3:])
            if (not opener and _NEGATION.search(window)) or (
                _may_match(clause, ("nor",)) and _NOR.search(clause)
            ):
                continue
            if _may_match(scan[max(lo, start - 20) : start], _EXAMPLE_KEYS) and _EXAMPLE_CUE.search(
                scan, max(lo, start - 20), start
            ):
                score -= 0.3
                features.append("examples, not a choice")
            if _OPEN_WH.search(scan, max(lo, start - 12), start):
                score -= 0.3  # "what grants or scholarships are there?": one open question
                features.append("what … or …: one open question")
            elif (
                asked
                and not (opener or clause_split or choosing)
                and _EXISTENCE.match(scan, lo, at)
            ):
                score -= 0.3  # "Are there vegan or gluten-free bakeries near here?"
                features.append("asks what there is, one open question")
            elif (
                asked
                and not (opener or clause_split or choosing)
                and _HOW_OPENS.match(chunk)
                and _verbs_sharing_an_object(scan, lo, start, at, end)
            ):
                score -= 0.3  # "How do I order or gate these events?": how to do one thing
                features.append("how … or …: one open question")
            elif (
                not opener
                and _several_wanted(scan, lo, start, at)
                and not (_WEIGHING.search(chunk) or _INVERTED.match(chunk))
            ):
                score -= 0.3  # "five films with courtroom or custody themes": what they are about
                features.append("what several things wanted are about, not a choice")
            if _may_match(before, _CONDITION_KEYS) and _CONDITION.search(before):
                score -= 0.25
                features.append("inside a condition")
            context = scan[max(lo, start - 25) : end]
            if _may_match(context, _ANY_KEYS) and _ANY_CONTEXT.search(context):
                score -= 0.3
                features.append("'any … or …' catch-all")
            fact = _ABOUT_A_FACT.search(scan, lo, at) if asked and not choosing else None
            if fact and _named_before(
                scan, sentence.start, (max(start, fact.end()), at), (after, end)
            ):
                start = _trimmed(scan, max(start, fact.end()), at)[0]  # not "c'est la farine"
                features.append("asks which of the things named before")
            elif fact and not _WEIGHED.search(scan, fact.end(), at):
                score -= 0.25  # "c'est grave ou c'est normal ?": what is so, not what to do
                features.append("asks what is so, not what to do")
            elif asked and not choosing and _COUNTERPART.match(scan, after):
                score -= 0.25  # "Can the URL be changed, or is it fixed?": one yes/no question
                features.append("asks what is so, not what to do")
            elif asked and not choosing and _state_asked(scan, lo, at, after):
                score -= 0.25  # "Is my order shipped yet, or still being packed?"
                features.append("asks what is so, not what to do")
            if asked and _judged_both_ways(scan, lo, at, after, sentence.end):
                score -= 0.4  # "is this phrasing correct, or is it wrong?": one yes/no question
                features.append("asks whether it is right, not which")
            if not choosing and question and _WHY_OR_WHO.match(chunk):
                score -= 0.4  # the answer is a reason or a person, not one of the options
                features.append("asks why or who, not which")
            elif asked and not (opener or clause_split or choosing) and _wh_asked(scan, lo, at):
                score -= 0.3  # "where do people park downtown or near the stadium?"
                features.append("asks where, when, what or how, not which")
            if question and not then_asked and _SET_ASIDE.match(next_sentence):
                score -= 0.4  # "… with cold or with heat? Well, never mind.": not asked
                features.append("set aside")
            if (
                opener
                and not (question or then_asked)
                and _hypotheses(scan, sentence, lo + opener.end())
            ):
                score -= 0.4  # "Either my router is dying or my ISP throttles me": what may be so
                features.append("guesses at what is so")
            elif (
                opener
                and embedded is None  # "mi duda es si …" weighs
                and not (question or short_asked)
                and _about_a_thing(scan, sentence)
            ):
                score -= 0.4  # "The router blinks either red or orange.": what it does
                features.append("says what something does")
            habit_from = sentence.start if announced else lo  # "Two ways I usually …:"
            if not (question or choosing) and _HABIT.search(scan, habit_from, end):
                score -= 0.4  # "I mostly walk or bike to work": what is done, not weighed
                features.append("a habit, not a choice")
            if _EITHER_WILL_DO.match(scan, end) or _indifferent(scan, after, sentence.end):
                score -= 0.4
                features.append("either will do")
            if cited is not None and not (choosing or opener):
                score -= 0.4
                features.append("quoted phrases, cited")
            spans = (
                [
                    *_asked_clauses(scan, start, clause_split[0]),
                    _trimmed(scan, clause_split[1], end),
                ]
                if clause_split
                else _parts(scan, start, end, _SPLIT_OU if _says_ou(chunk) else _SPLIT)
            )
            if len(spans) > 2 and (parallel := _parallel_items(scan, lo, spans)) != spans:
                if f"{len(spans)} options" in features and len(parallel) < len(spans):
                    features.remove(f"{len(spans)} options")
                    score -= 0.05
                spans = parallel
                kind_start = spans[0][0] if kind_start == start else kind_start
            if attached is not None:
                spans = _without_attached(scan, spans, attached, at)
            between = _between_pair(scan, lo, at) if opener is None else None
            if between is not None:
                # "choose between A and B for this, or stay on C?": three options
                spans = [*between, spans[-1]]
                kind_start = min(kind_start, between[0][0])
            if len(spans) < 2 or all(b - a <= 2 for a, b in spans):
                continue
            if not (asked or then_asked) and _settled(scan, spans, end, sentence, following):
                score -= 0.4
                features.append("one already chosen")
            elif question and _answered(scan, spans, following):
                score -= 0.4
                features.append("answered by the writer right after")
            used_until = end
            options = titled(text, spans)
            found.extend(
                split_group(
                    text,
                    kind="disjunction",
                    start=kind_start,
                    end=end,
                    options=options,
                    confidence=score,
                    description=(
                        "One of the alternatives this message weighs: follow {option} on its "
                        "own branch, apart from {others}."
                    ),
                    reasoning="Disjunction: " + (", ".join(features) or "plain 'or'"),
                    divergence="high" if len(options) >= 3 or opener else "medium",
                )
            )
    return found


# a question word or a negation that closes the question right after "or" ("… or what?",
# "… ou quoi ?", "¿… o qué?", "… oder was?", "… or not?", "… oder nicht?"): a tag that
# presses the one question asked, not a second option
_TAG = re.compile(
    r"\s*(?:what|how|not|quoi|comment|pas|non|qué|cómo|no|was|wie|nicht|nein)\s*"
    r"(?:[?!\u2026]|\.\.\.|$)",
    re.I,
)


def _repeated_word(scan: str, start: int, at: int, after: int) -> bool:
    """Whether the same word stands right before and right after the "or" at ``at``."""
    before = _word_before(scan, start, at)
    behind = _WORDS.match(scan, after)
    return before is not None and behind is not None and before[1] == behind.group(1).lower()


# what turns "or" into a correction of the words before it ("…, or rather …", "…, ou
# plutôt …", "…, o mejor dicho …", "…, oder besser gesagt …")
_CORRECTING = re.compile(
    r"\s*(?:rather|i mean|should i say|more precisely|plutôt|disons|enfin|mejor dicho|"
    r"más bien|digo|besser gesagt|vielmehr|genauer gesagt|eher gesagt)\b",
    re.I,
)
_ASIDE_CLOSED = re.compile(r"[^,.;:?!\n]{1,40},\s*\S")


def _corrected(scan: str, sentence: Span, at: int, after: int) -> bool:
    """ "Can you help me, or rather explain, how …": after a comma, "or rather" says the
    words before it again, better; nothing is weighed. It offers a choice only where a
    choice frames the words before it and the correction does not close as an aside."""
    correcting = _CORRECTING.match(scan, after)
    if correcting is None or not scan[sentence.start : at].rstrip().endswith(","):
        return False
    aside = _ASIDE_CLOSED.match(scan, correcting.end(), sentence.end) is not None
    return aside or not _CHOICE_CUE.search(scan, sentence.start, at)


# a question whose subject is the situation, not the asker ("is it …", "does this …",
# "c'est …", "est-ce que ça …", "¿es esto …?", "ist das …"): it asks what is so
_ABOUT_A_FACT = re.compile(
    r"\s*\b(?:(?:is|was|does|did|will|has) (?:it|this|that)|c'est|ça|cela|est-ce que (?:ça|c'est|"
    r"cela)|(?:es|está|fue) (?:esto|eso)|(?:ist|wird|war) (?:es|das))\b",
    re.I,
)
# a right option that asks what is so of the left one's subject ("…, or is it fixed?",
# "…, ou c'est définitif ?", "…, o es fija?", "…, oder ist das endgültig?")
_COUNTERPART = re.compile(rf"{_ABOUT_A_FACT.pattern}|\s*(?:es|está|son|están)\b", re.I)
# a question whether something is right ("is it correct", "est-ce juste", "¿es
# correcto?", "ist das richtig"), and the judgement that it is not ("or is it wrong",
# "ou est-ce à éviter", "o es un error", "oder eher falsch")
_RIGHT = _Folding(
    re.compile(
        r"\b(?:correct|right|ok|okay|fine|acceptable|allowed|valid|proper|grammatical|legal|"
        r"correcte|juste|acceptable|autorisée?|valable|admis|correct[oa]|aceptable|válid[oa]|"
        r"permitid[oa]|richtig|korrekt|zulässig|erlaubt|gültig|in ordnung)\b",
        re.I,
    )
)
_WRONG = _Folding(
    re.compile(
        r"\b(?:wrong|incorrect|avoid(?:ed)?|mistake|error|bad|faux|fausse|incorrecte|éviter|"
        r"erreur|faute|incorrect[oa]|evitar(?:se|lo|la)?|error|falsch|vermeiden|vermieden|"
        r"fehler|schlecht|unzulässig)\b",
        re.I,
    )
)
# a negation that says the judgement does not hold ("… or is it not correct?", "… ou
# pas correct ?", "… o no es correcto?", "… oder nicht richtig?")
_NOT = re.compile(r"\b(?:not|isn't|no|pas|nicht|kein\w*)\b", re.I)
_JUDGEMENT_WORDS = 6  # the most words a judgement after "or" takes


def _judged_both_ways(scan: str, lo: int, at: int, after: int, end: int) -> bool:
    """ "Is « et/ou » correct in a contract, or is it to be avoided?": the question asks
    whether something is right, and the words after "or" only say that it is not (a
    fault, or the same judgement denied). Both sides are one yes/no question, not two
    ways to go."""
    rest = scan[after:end]
    if len(_words(rest)) > _JUDGEMENT_WORDS or not _RIGHT.search(scan, lo, at):
        return False
    return bool(_WRONG.search(rest) or (_NOT.search(rest) and _RIGHT.search(rest)))


# a yes/no question about the state of a thing of the writer's, or a thing named
# ("Is my order shipped yet …", "Ma commande est-elle partie …", "¿Mi pedido ya salió
# …", "Ist meine Bestellung schon verschickt …"): up to the thing's noun
_THING_STATE = re.compile(
    r"[\s¿\-*•]*(?:(?:so|and|but|also|et|alors|y|pero|und|aber)\b,?\s+)?"
    r"(?:(?:is|are|was|were|has|have|did|does|will) (?:my|our|your|the|his|her|their) "
    r"[^\W\d_]+|(?:mon|ma|mes|notre|nos|votre|vos|le|la|les) [^\W\d_]+ (?:est|sont|a|ont|"
    r"va|vont)-(?:il|elle|ils|elles)|(?:mi|mis|nuestro|nuestra|nuestros|nuestras|tus|su|"
    r"sus) [^\W\d_]+|(?:ist|sind|war|waren|wurde|wird|hat|haben) (?:mein|meine|unser|unsere|"
    r"dein|deine|ihr|ihre|der|die|das) [^\W\d_]+)\b",
    re.I,
)


def _state_asked(scan: str, lo: int, at: int, after: int) -> bool:
    """Whether the question opens by asking about the state of a thing ("Is my order
    shipped yet, or still being packed?"), its options two states of it (the right one
    names no other thing: it opens on no determiner), in one clause with nothing that
    weighs them: it asks what is so, not what to do."""
    state = _THING_STATE.match(scan, lo, at)
    if state is None or "," in scan[state.end() : at] or _WEIGHED.search(scan, state.end(), at):
        return False  # "mi perro tiene nueve años, pienso o …": a statement, then the pair
    right = _WORDS.match(scan, after)
    return right is not None and right.group(1).lower() not in _DETERMINERS


_WEIGHED = re.compile(  # "is it stronger to A or B": a comparative weighs the options
    r"\b(?:[^\W\d_]{3,}er|more|less|mieux|plus|moins|más|menos|mejor|besser|lieber)\b", re.I
)
# what may open a question before its question word: "So, …", "Honestly, who …",
# "Ehrlich gesagt, wer …"
_QUESTION_LEAD = (
    r"[\s¿\-*•]*(?:(?:so|and|but|ok|okay|et|alors|bref|mais|y|pero|und|aber|also)\b,?\s+){0,2}"
    r"(?:[^\W\d_]+(?:\s[^\W\d_]+)?,\s+)?"
)
_WHY_OR_WHO = re.compile(
    _QUESTION_LEAD + r"(?:why|who|pourquoi|qui|por qué|quién|warum|wieso|weshalb|wer)\b", re.I
)
# the question words that ask a thing, a way, a place or a time, not "which"
_OPEN_QUESTION_WORDS = (
    r"what|how|where|when|comment|où|quand|quoi|cómo|dónde|cuándo|qué|wie|wo|wann|was"
)
# a clause opened by one of them: "where do people park downtown or near the stadium?",
# "quand est-ce que les soldes commencent en janvier ou en février ?": what is asked is a
# place, a time, a way, and the options say where to look for it, not which to take
_WH_CLAUSE = re.compile(_QUESTION_LEAD + rf"(?:{_OPEN_QUESTION_WORDS}|qu'est-ce)\b", re.I)


def _wh_asked(scan: str, lo: int, at: int) -> bool:
    """Whether the clause holding the options opens with a question word other than
    "which" and runs on unbroken to the "or" at ``at`` ("what would you do, wait or
    return it?" asks which after its comma)."""
    wh = _WH_CLAUSE.match(scan, lo, at)
    return wh is not None and _CLAUSE_BREAK.search(scan, wh.end(), at) is None


_CLAUSE_BREAK = re.compile(r"[,;:\u2014\u2013]")
_EITHER_WILL_DO = re.compile(
    r"[\s,;(\u2014\u2013-]*(?:[^\W\d_]+,?\s+)?"  # one word between: "…, honestly whichever"
    r"(?:whatever|whichever|either (?:way|one|is fine|works)|no matter which|"
    r"peu importe|n'importe (?:le|la|lequel|laquelle)|l'un ou l'autre|lo que sea|da igual|"
    r"cualquiera|egal|ganz gleich|beides geht)\b",
    re.I,
)
# said of the options ("Nudeln oder Reis ist mir egal", "pasta or rice, I don't mind"):
# no choice is asked of them
_INDIFFERENT = re.compile(
    r"\b(?:(?:doesn't|does not|don't|do not) (?:matter|mind|care)|m'est égal|c'est égal|"
    r"peu importe|me da igual|me es igual|da igual|no importa|(?:ist|sind) (?:mir|uns) egal|"
    r"ist egal|spielt keine rolle)(?!\w)",
    re.I,
)
_INDIFFERENT_KEYS = (
    "matter",
    "mind",
    "care",
    "égal",
    "importe",
    "igual",
    "importa",
    "egal",
    "rolle",
)


def _indifferent(scan: str, start: int, end: int) -> bool:
    """Whether the words from ``start`` to ``end`` say the options do not matter."""
    return _may_match(scan[start:end], _INDIFFERENT_KEYS) and bool(
        _INDIFFERENT.search(scan, start, end)
    )


_HABIT = _Folding(
    re.compile(
        r"\b(?:usually|mostly|often|always|sometimes|normally|typically|generally|most days|"
        r"every (?:day|morning|evening|night|week)|souvent|toujours|d'habitude|généralement|"
        r"parfois|tous les (?:jours|soirs|matins)|normalmente|siempre|a veces|suelo|solemos|"
        r"cada (?:día|tarde|noche|mañana)|todos los días|meist|meistens|oft|immer|manchmal|"
        r"normalerweise|gewöhnlich|jeden (?:tag|abend|morgen))\b",
        re.I,
    )
)
_SET_ASIDE = re.compile(
    r"[\s(]*(?:anyway|anyhow|whatever|never ?mind|moving on|bref|passons|peu importe|bon,? bref|"
    r"enfin bref|en fin|bueno,? da igual|da igual|en fin,? da igual|sea como sea|naja|egal|"
    r"wie auch immer|jedenfalls|ganz egal|na ja)\b",
    re.I,
)
_QUESTION_AFTER = re.compile(
    r"\u00bf|[,;:\u2014\u2013]\s*(?:(?:so|and|but|then|et|alors|donc|mais|pero|entonces|und|aber|"
    r"also)\s+)?(?=(?:can|could|would|will) you\b|peux-tu|pouvez-vous|tu peux|vous pouvez|"
    r"puedes|podrías|me puedes|kannst du|können sie|könntest du)",
    re.I,
)


_STATEMENT_START = re.compile(
    r"[\s\-*•]*(?:(?:so|and|but|well|ok|et|alors|y|pero|und|aber|also)\b,?\s+)?"
    r"(?:i|i'm|i'll|i've|we|we're|we'll|he|she|it|it's|they|my|our|his|her|their|je|j'|nous|on|"
    r"il|elle|mon|ma|mes|notre|nos|yo|nosotros|mi|mis|nuestro|nuestra|ich|wir|er|sie|es|mein|"
    r"meine|unser|unsere)(?=\s|')",
    re.I,
)
_WH_AFTER = re.compile(
    r",\s*(?:(?:so|and|but|et|alors|donc|y|pero|und|aber|also)\s+)?"
    rf"(?=(?:{_OPEN_QUESTION_WORDS})\b)",
    re.I,
)


def _asked_apart(scan: str, sentence: Span, at: int, end: int) -> bool:
    """ "Mi hijo juega a A o B, ¿es apropiado …?", "I'll go by train or bus, so can you
    tell me …?": the question opens after the options and asks something else; the
    "or" is in a statement. A clause that frames a choice itself, or a question that
    points back to the options ("¿cuál me recomiendas?"), keeps them asked."""
    if _CHOICE_CUE.search(scan, sentence.start, end) or "\u00bf" in scan[sentence.start : at]:
        return False
    # "My dog is a Lab or Golden mix, how much should he eat?": a statement, then a question
    stated = _STATEMENT_START.match(scan, sentence.start) is not None
    tail = _QUESTION_AFTER.search(scan, end, sentence.end) or (
        _WH_AFTER.search(scan, end, sentence.end) if stated else None
    )
    if tail is None:
        return False
    rest = scan[tail.end() : sentence.end]
    return not (_ASKED_AFTER.match(rest) or (not stated and _short_question(rest)))


_THING_SUBJECT = re.compile(
    r"\s*(?:(?:is|are|was|has|ist|sind|hat|war|est|es|está)\s+)?(?:my|our|the|this|that|it|"
    r"his|her|their|mon|ma|mes|notre|le|la|les|ce|cette|il|elle|mein|meine|unser|unsere|der|"
    r"die|das|es|mi|mis|nuestro|nuestra|el|los|las)\b",
    re.I,
)
_FIRST_PERSON = re.compile(
    r"\b(?:i|i'm|i'll|i'd|we|we're|we'll|we'd|je|j'|nous|on|ich|wir|yo|nosotros|nosotras)\b",
    re.I,
)


def _hypotheses(scan: str, sentence: Span, after_opener: int) -> bool:
    """ "Either my router is dying or my ISP is throttling me", "Soit mon routeur est
    mort, soit …": the options are guesses about things, stated, with no one in the
    sentence who would choose between them ("Either I take the job or I stay" is a
    choice)."""
    if _STATE.match(scan, after_opener):
        return True  # "either I'm blind or it's all correct": what is so, for anyone
    return bool(_THING_SUBJECT.match(scan, after_opener)) and not _FIRST_PERSON.search(
        scan, sentence.start, sentence.end
    )


# a subject with "to be": the option says what someone or something is, not what to do
_STATE = re.compile(
    r"\s*(?:i'm|i am|it's|it is|that's|we're|we are|he's|she's|they're|je suis|c'est|"
    r"(?:il|elle) est|soy|es|está|estoy|ich bin|bin ich|es ist|ist es|das ist|ist das|er ist|"
    r"sie ist)\b",
    re.I,
)


def _cited_pair(
    quotes: list[tuple[int, int]], scan: str, at: int, after: int
) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The quotations right before and right after the "or" at ``at``, when both sides
    are quoted: "says « merci » or « bonne journée »" cites phrases, and offers them as
    ways forward only when a choice frames them ("should it say "Save" or "Submit"?")."""
    if not quotes:
        return None
    left = len(scan[:at].rstrip(" ,"))
    right = after + len(scan[after:]) - len(scan[after:].lstrip())
    before = [q for q in quotes if q[1] == left]
    behind = [q for q in quotes if q[0] == right]
    return (before[0], behind[0]) if before and behind else None


_FRAGMENT = re.compile(r"[^\W\d_][\w'\u2019 -]{0,40}\?", re.I)
_FRAGMENT_MAX = 42  # the longest text _FRAGMENT matches whole, its "?" last
_NOT_AN_OPTION = re.compile(
    r"(?:why|how|what|when|where|who|which|really|seriously|anyone|any|ideas?|thoughts?|"
    r"help|ok|okay|right|hello|hi|hey|sorry|pardon|huh|hmm|eh|no|yes|again|seriously|"
    r"pourquoi|comment|quoi|por qué|cómo|qué|warum|wie|was|idee|ideas)\b",
    re.I,
)


# a question that opens on "or": it asks on from the question before
_OR_OPENS = re.compile(r"(?:or|ou|o|oder)\b,?\s+(?=\S)", re.I)
_IN_TURN_GAP = re.compile(r"\s?\?\s{0,2}¿?(?:(?:or|ou|o|oder)\b,?\s+)?", re.I)


def _asked_in_turn(text: str, scan: str, sents: list[Span]) -> list[Suggestion]:
    """ "Italian? Thai? Something else entirely?", "Repair it? Or buy a used one for
    €300?": options asked one after another, each a short question of its own, or
    a question that opens on "or" after the one it adds to."""
    found: list[Suggestion] = []
    run: list[tuple[int, int]] = []
    asked_before: tuple[Span, str] | None = None  # the last question and its words
    for whole in [*sents, None]:
        asks = whole is not None and scan[whole.end - 1] == "?"
        sentence = _after_colon(scan, whole) if asks and whole else None
        chunk = scan[sentence.start : sentence.end].strip() if sentence else ""
        alternative = _OR_OPENS.match(chunk) if sentence else None
        if alternative and _CORRECTING.match(chunk, alternative.end()):
            alternative = None  # "Or rather, …": the question before is taken back
        if (
            sentence
            and alternative
            and (run or _short_asked(asked_before))
            and len(_words(chunk)) <= 12
        ):
            if not run and asked_before:
                run.append(_trimmed(scan, asked_before[0].start, asked_before[0].end - 1))
            start = scan.index(chunk, sentence.start) + alternative.end()
            run.append(_trimmed(scan, start, sentence.end - 1))
            asked_before = None
            continue
        asked_before = (sentence, chunk) if sentence else None
        if (
            sentence
            and chunk.endswith("?")
            and len(chunk) <= _FRAGMENT_MAX
            and _FRAGMENT.fullmatch(chunk)
            and len(_words(chunk)) <= 3
            and not _NOT_AN_OPTION.match(chunk)
        ):
            run.append(_trimmed(scan, sentence.start, sentence.end - 1))
            continue
        if len(run) >= 2 and all(
            _IN_TURN_GAP.fullmatch(scan, left[1], right[0]) for left, right in pairwise(run)
        ):
            options = titled(text, run)
            found.extend(
                split_group(
                    text,
                    kind="disjunction",
                    start=run[0][0],
                    end=run[-1][1],
                    options=options,
                    confidence=0.82,
                    description=(
                        "One of the alternatives this message weighs: follow {option} on its "
                        "own branch, apart from {others}."
                    ),
                    reasoning="Disjunction: options asked one after another",
                    divergence="high",
                )
            )
        run = []
    return found


def _short_asked(asked: tuple[Span, str] | None) -> bool:
    """Whether the question before (its sentence and its words) is short enough for an
    "or" question to add an option to it; measured only when one does."""
    return asked is not None and len(_words(asked[1])) <= 8


_JOINING = _wordset("and et y e und")  # not "i", which is "I" in English
# the words that end a phrase naming when ("dinner tonight", "le dîner ce soir")
_TIME_WORDS = _wordset(
    "today tonight tomorrow morning evening night weekend week aujourd'hui demain soir matin "
    "semaine hoy mañana noche tarde semana heute morgen abend woche wochenende"
)
# the words that open a phrase that qualifies a noun ("de 12 ans", "with a garden")
_QUALIFYING = _PREPOSITIONS | _wordset("de d' di von vom")


def _parallel_items(scan: str, lo: int, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The options when the first one does not read as an item like the others. One
    that joins clauses ("my dog is nine and sleeps a lot, kibble or raw food?") is the
    statement before a pair. One that opens on a preposition when the last one does not
    is a clause before the list when long ("mon chat de 12 ans vomit souvent, croquettes
    ou pâtée ?"), and qualifies the noun before it when short ("une assurance-vie en
    fonds euros, un livret A ou …"): it starts at that noun's determiner."""
    first, last = _words(scan[slice(*spans[0])]), _words(scan[slice(*spans[-1])])
    joined = _word_before(scan, lo, spans[0][0])
    others = {word for a, b in spans[1:] for word in _words(scan[a:b])}
    if not others & _JOINING and (
        set(first) & _JOINING or (joined is not None and joined[1] in _JOINING)
    ):
        return spans[1:]
    if first and first[-1] in _TIME_WORDS and not others & _TIME_WORDS and joined is None:
        return spans[1:]  # "Dinner tonight, chili or sushi?": the occasion, then the pair
    if not first or first[0] not in _QUALIFYING or (last and last[0] in _QUALIFYING):
        return spans
    if len(first) > 3:
        return spans[1:]
    reach = max(lo, scan.rfind(",", lo, spans[0][0]) + 1)
    for word in reversed(list(_WORD.finditer(scan, reach, spans[0][0]))[-2:]):
        if word.group(0).lower() in _DETERMINERS:
            return [(word.start(), spans[0][1]), *spans[1:]]
    return spans


def _named_before(
    scan: str, sentence_start: int, left: tuple[int, int], right: tuple[int, int]
) -> bool:
    """ "Only the flour and the oven changed. Is it the flour or the new oven?": both
    options are things the message named before the question, so it asks which of them
    is the cause, a way to follow each, not what is so."""
    heads = []
    for a, b in left, right:
        words = _words(scan[a:b])
        if len(words) < 2 or words[0] not in _DETERMINERS:
            return False
        heads.append(words[-1])
    earlier = set(_words(scan[max(0, sentence_start - 600) : sentence_start]))
    return all(head in earlier for head in heads)


def _after_colon(scan: str, sentence: Span) -> Span:
    """What follows the last colon of ``sentence`` ("first run: melee build?" asks
    "melee build?"), or the whole sentence."""
    colon = scan.rfind(":", sentence.start, sentence.end)
    start = sentence.start if colon == -1 else colon + 1
    while start < sentence.end and scan[start] in " \u00bf":
        start += 1  # "¿pizza?" asks "pizza"
    return Span(start, sentence.end)


_BACK_TO_THE_CHOICE = _Folding(
    re.compile(
        r"\b(?:which (?:of (?:the|these|those|them|both|his|her|their|the \w+'s)|one)\b|"
        r"(?:the|these|those) (?:two|three) (?:ideas|options|approaches|choices|suggestions|paths|"
        r"routes|plans)\b|lequel des deux|laquelle des deux|cuál de las dos|cuál de los dos|"
        r"welche der beiden|welchen der beiden)[^\n]*\?\s*$",
        re.I,
    )
)


def _asked_later(
    scan: str,
    sents: list[Span],
    ors: list[list[re.Match[str]]],
    index: int,
    verdicts: dict[int, bool | None],
) -> bool:
    """A later question points back to the choice: "… Which of the two options would
    you go with?" (within the next few sentences, with nothing chosen in between).
    ``verdicts``: each sentence's ``_later_verdict``, kept for the message's other "or"s."""
    for later in range(index + 2, min(index + 6, len(sents))):
        if ors[later]:
            return False
        if later not in verdicts:
            verdicts[later] = _later_verdict(scan[sents[later].start : sents[later].end])
        verdict = verdicts[later]
        if verdict is not None:
            return verdict
    return False


def _later_verdict(chunk: str) -> bool | None:
    """What a sentence after a choice says of it: True when it asks which to take, False
    when it sets the choice aside, None when neither."""
    if _SET_ASIDE.match(chunk):
        return False
    if ("?" in chunk and _BACK_TO_THE_CHOICE.search(chunk)) or (
        _WHICH_OF_THEM.match(chunk) and _asks_which(chunk)
    ):
        return True
    return None


def _short_question(chunk: str) -> bool:
    """ "Thoughts?", "¿Qué me aconsejas?", "Was spricht jeweils dafür?": a short question
    after a choice, asking about it."""
    chunk = chunk.strip()
    return chunk.endswith("?") and len(_words(chunk)) <= 4 and not _OR.search(chunk)


_INTERROGATIVE = re.compile(r"which|quel\w*|cuál\w*|welche\w*", re.I)
# what may stand before the "which" of a question: a pronoun and a preposition ("¿Tú
# por cuál …?", "Et vous, pour laquelle …?", "Für welche …?")
_WHICH_LEAD = (
    r"(?:(?:you|tú|vous|du),?\s+)?(?:(?:for|with|on|por|para|con|pour|avec|sur|für|mit|auf)\s+)?"
)
_ASKED_AFTER = re.compile(
    r"[\s¿]*" + _WHICH_LEAD + r"(?:which|what would you|what do you (?:think|recommend|suggest)|"
    r"any (?:advice|thoughts)|"
    r"lequel|laquelle|t'en penses|qu'en penses|cuál|qué (?:me )?recomiendas|welche\w*|"
    r"was (?:würdest|meinst|empfiehlst)|quale|voi cosa|cosa (?:fareste|faresti)|"
    r"o que (?:acha|recomenda))\b[^\n]*\?\s*$",
    re.I,
)
_REPORTED = _Folding(
    re.compile(
        r"\b(?:asked|wondered|wanted to know|was wondering|were wondering|debated|discussed|"
        r"argued|argue|argues|arguing|disagree|couldn't decide|could not decide|didn't know|"
        r"a demandé|preguntó|fragte)\s+"
        r"(?:\w+\s+){0,2}(?:whether|if|between|si|ob)\b",
        re.I,
    )
)
_REPORTED_KEYS = (  # one of them is in each match of _REPORTED
    *("asked", "wondered", "wanted to know", "wondering", "debated", "discussed", "argu"),
    *("disagree", "decide", "didn't know", "demandé", "preguntó", "fragte"),
)


def _reported(scan: str, start: int, end: int) -> bool:
    """Whether ``scan[start:end]`` tells of a question asked or weighed (_REPORTED)."""
    return _may_match(scan[start:end], _REPORTED_KEYS) and bool(_REPORTED.search(scan, start, end))


_MAIN_CLAUSE = re.compile(
    r",\s+(?:i|we|you|it|they|he|she|my|our|the|this|that|there)\b(?!\s+or\b)", re.I
)
_CONCESSIVE = re.compile(
    r"(?:,|\bno matter|\bregardless of)\s*whether\b|\bque ce soit\b|\bqu'il s'agisse\b|"
    r"\bya sea\b|\begal,? ob\b",
    re.I,
)
_CORRELATIVE = re.compile(
    r"\b(soit|ou bien|o bien)\s+([^.;!?\n]{2,80}?),?\s+\1\s+"
    r"([^.;!?\n]{2,80}?)(?=[.;!?\n]|,\s|$)",
    re.I,
)


def _correlatives(text: str, scan: str, sents: list[Span]) -> list[Suggestion]:
    """ "soit A, soit B", "o bien A o bien B": the two alternatives (the Italian "sia A
    sia B" says "both A and B", and offers none)."""
    found: list[Suggestion] = []
    if not _mentions(scan, ("soit", "bien")):
        return found
    quotes = _quoted(scan)
    for match in _CORRELATIVE.finditer(scan):
        if _inside(quotes, match.start(), match.end()):
            continue  # « Vous pouvez soit payer, soit partir » : someone else's words
        spans = [
            _trimmed(scan, match.start(2), match.end(2)),
            _trimmed(scan, match.start(3), match.end(3)),
        ]
        index = next((i for i, s in enumerate(sents) if s.end >= match.end()), len(sents) - 1)
        sentence = sents[index]
        following = sents[index + 1] if index + 1 < len(sents) else None
        stated = not scan[sentence.start : sentence.end].rstrip().endswith("?")
        settled = stated and _settled(scan, spans, spans[-1][1], sentence, following)
        guessed = stated and (
            _hypotheses(scan, sentence, match.end(1)) or _described(scan, sentence, following)
        )
        options = titled(text, spans)
        found.extend(
            split_group(
                text,
                kind="disjunction",
                start=match.start(),
                end=spans[-1][1],
                options=options,
                confidence=0.4 if settled or guessed else 0.8,
                description=(
                    "One of the alternatives this message weighs: follow {option} on its "
                    "own branch, apart from {others}."
                ),
                reasoning=f"Disjunction: '{match.group(1).lower()} … {match.group(1).lower()}'"
                + (", one already chosen" if settled else "")
                + (", guesses at what is so" if guessed else ""),
                divergence="high",
            )
        )
    return found


def _described(scan: str, sentence: Span, following: Span | None) -> bool:
    """ "Le capteur renvoie soit OK soit FAULT chaque minute.": a statement with no one
    in it who would choose, and no question right after it about the pair (asking
    what it means is none), says what something does or is."""
    if _FIRST_PERSON.search(scan, sentence.start, sentence.end):
        return False
    after = scan[following.start : following.end] if following is not None else ""
    asked = _short_question(after) and not _MEANING_ASKED.match(after)
    return not (_asks_which(after) or asked)


def _about_a_thing(scan: str, sentence: Span) -> bool:
    """Whether ``sentence`` opens on a thing as its subject ("The router …", "Der Router
    …", "My app …") and has no one in it who would choose."""
    return bool(_THING_SUBJECT.match(scan, sentence.start)) and not _FIRST_PERSON.search(
        scan, sentence.start, sentence.end
    )


# a short question that asks what a statement means or why it is so ("What does that
# mean?", "Ça veut dire quoi ?", "¿Qué significa?", "Was bedeutet das?", "Why?"): it
# asks for an explanation, not to pick
_MEANING_ASKED = re.compile(
    r"[\s¿]*(?:(?:so|and|but|et|alors|y|und)\s+)?(?:what does (?:it|that|this) mean|"
    r"what's that mean|why|how come|ça veut dire quoi|qu'est-ce que (?:ça|cela) (?:veut dire|"
    r"signifie)|(?:ça|cela) signifie quoi|pourquoi|qué significa|qué quiere decir|por qué|"
    r"was (?:bedeutet|heißt) das|warum|wieso|weshalb)\b",
    re.I,
)


_ASKED_SUBJECT = re.compile(
    r"[\s¿]*(?:(?:and|but|so|und|aber|also)\s+)?(?:soll|sollen|sollte|sollten|muss|müssen|kann|"
    r"können|würdest|würden|darf|dürfen)\s+(?:ich|wir|man|du)\s+(?:(?:lieber|eher|besser)\s+)?",
    re.I,
)
_OB_SUBJECT = re.compile(r"\s*(?:ich|wir|man|du)\s+", re.I)


# what ends the options and opens a statement of their sentence ("…, and I paid it now"):
# without it, the words after the options still belong to the last one
_CLAUSE_BREAK = re.compile(r"\s*[,;:\u2014\u2013]|\s+-\s")


def _settled(
    scan: str, spans: list[tuple[int, int]], end: int, sentence: Span, following: Span | None
) -> bool:
    """ "… pay now or in two instalments, and I paid it now.": a statement right after
    the options (the rest of their sentence, or the next one) names one of them again,
    and only one: the choice is made, and the options are context."""
    marks = _option_marks(scan, spans)
    tails = [(end, sentence.end)] if _CLAUSE_BREAK.match(scan, end, sentence.end) else []
    if following is not None:
        tails.append((following.start, following.end))
    for start, stop in tails:
        tail = _BRACKETED.sub(" ", scan[start:stop])  # an aside names no choice
        if tail.rstrip().endswith("?"):
            continue
        said = _word_keys(_words(tail))
        if sum(bool(mark & said) for mark in marks) == 1:
            return True
    return False


def _option_marks(scan: str, spans: list[tuple[int, int]]) -> list[set[str]]:
    """The words that tell each option from the others (as ``_word_keys`` compares
    them, none that every option shares)."""
    marks = [_word_keys(_words(scan[a:b])) for a, b in spans]
    shared = set.intersection(*marks)
    return [mark - shared for mark in marks]


_ELIDED = re.compile(r"(?:[^\W\d_]{1,2}|qu)['\u2019](?=[^\W\d_])", re.I)
_KEY_LENGTH = 4  # the letters that tell a word whatever its ending ("dunkel", "dunkles")


def _word_keys(words: list[str]) -> set[str]:
    """The content words among ``words`` as they are compared: an elided article or
    pronoun cut off ("l'échange", "d'un" are "échange", "un"), function words left out,
    and each word cut to its first letters, so that it is known however it is bound
    or inflected ("dunkel", "dunkles"; "space", "spaces")."""
    keys = set()
    for word in words:
        if "'" in word or "\u2019" in word:
            word = _ELIDED.sub("", word, count=1)
        if word not in _FUNCTION_WORDS and word not in _DETERMINERS:
            keys.add(word[:_KEY_LENGTH])
    return keys


# a reply that opens on one of the options and stops there ("Spaces, obviously.",
# "L'échange, bien sûr.", "Leerzeichen natürlich."): a few words, then a mark (no
# decimal point) or the end
_REPLY_HEAD = re.compile(
    r"[\s\-*•]*([^,.;:!?\n\u2014\u2013()]{1,40}?)\s*(?:[,;:!\u2014\u2013(]|\.(?!\d)|$)"
)


def _answered(scan: str, spans: list[tuple[int, int]], following: Span | None) -> bool:
    """ "Tabs or spaces? Spaces, the linter decides anyway.": the sentence right after
    the question opens with one of its options, and says little else before its first
    mark (a word at most, "obviously"): the writer answers their own question, and
    nothing is left to choose."""
    if following is None or scan[following.end - 1] == "?":
        return False
    head = _REPLY_HEAD.match(scan, following.start, following.end)
    if head is None:
        return False
    words = _words(head.group(1))
    said = _word_keys(words)
    if not said or len(words) > 3:
        return False
    named = [mark & said for mark in _option_marks(scan, spans)]
    if sum(bool(hit) for hit in named) != 1:
        return False
    return len(said - set[str]().union(*named)) <= 1


_BRACKETED = re.compile(r"\([^()]*\)")
_PRICED = _Folding(
    re.compile(r"\s+(?:at|for|à|a|por|für|um)\s+([$€£]?\s?\d[\d.,]*\s?[$€£%]?)\s*$", re.I)
)
_DIGIT = re.compile(r"\d")  # a price holds one: a cheap search first


def _verb_final(
    scan: str, lo: int, at: int, opener: re.Match[str] | None
) -> tuple[int, int] | None:
    """ "Soll ich den Master in Vollzeit machen oder …", "ob wir umziehen oder …": a German
    option ends on its verb, and runs back to the subject of the modal or "ob"."""
    frame = _ASKED_SUBJECT.match(scan, lo)
    if frame is None and opener is not None and opener.group(1).lower() == "ob":
        frame = _OB_SUBJECT.match(scan, lo + opener.end())
    if frame is None or not 1 <= len(_words(scan[frame.end() : at])) <= 6:
        return None
    return frame.end(), 1


def _parallel_verb(scan: str, lo: int, start: int, after: int) -> int:
    """ "rent a flat or buy a house": when the right option opens with a verb and the
    left one with a determiner, the left one takes the verb before it too."""
    right = _WORDS.match(scan, after)
    left = _WORDS.match(scan, start)
    if right is None or left is None:
        return start
    if left.group(1).lower() not in _DETERMINERS or right.group(1).lower() in _DETERMINERS:
        return start
    verb = _LAST_WORD.search(scan[lo:start])
    if verb is None or verb.group(1).lower() in _FUNCTION_WORDS:
        return start
    return lo + verb.start(1)


_WORD_START = re.compile(r"\b\w")


# no fixed phrase opens more than this many words before its "or" ("d'une manière ou")
_IDIOM_LEAD = 3


def _idiom(scan: str, at: int, lo: int, hi: int) -> bool:
    """Whether the "or" at ``at`` is part of a fixed phrase ("more or less"): one that
    starts at a word in the few before it (matching there is cheaper than searching)."""
    end = min(hi, at + 40)
    for word in [*_WORD_START.finditer(scan, lo, at + 1)][-1 - _IDIOM_LEAD :]:
        idiom = _IDIOMS.match(scan, word.start(), end)
        if idiom is not None and at < idiom.end():
            return True
    return False


_LEAD_IN = re.compile(r"(?:for|in|on|at|about|pour|en|para|con|für|bei|im|zum)\s", re.I)


def _comma_items(scan: str, lo: int, at: int, start: int, items: int) -> tuple[int, int]:
    """ "on a road bike, a course in Spain, or a therapist": every comma item before
    the "or", the first one cut where its own phrase starts."""
    segments = [seg for seg in _parts(scan, lo, at, _COMMA) if seg[1] > seg[0]]
    oxford = "," in scan[segments[-1][1] : at] if segments else False
    if not oxford and len(segments) < 3 and not _listed_pair(scan, segments):
        return start, items  # "In TypeScript, is it better to A or B": no list
    short = 0
    while short < len(segments) - 1 and len(_words(scan[slice(*segments[-1 - short])])) <= 8:
        short += 1
    if short < 1:
        return start, items
    first = segments[-1 - short]
    if short > 1 and first == segments[0] and _LEAD_IN.match(scan, first[0]):
        short -= 1  # "For getting to Paris, is it smarter to A, B or C?": no item
        first = segments[-1 - short]
    head = _left_option(scan, first[0], first[1])
    if head is None or head[0] >= start:
        return start, items
    return head[0], max(items, short + 1)


# an adverb or time phrase that closes an option ("delete it right away or …"): the
# option is read back from before it, and keeps it
_TRAILING_ADVERBIAL = re.compile(
    r"(?:\s+(?:right (?:away|now)|at once|for (?:now|good)|later on|in advance|"
    r"(?:this|next|last) (?:week|month|year|weekend|time)|now|today|tonight|tomorrow|later|"
    r"first|soon|instead|again|asap|immediately|already|away|back|down|off|out|over|up|here|"
    r"there|tout de suite|maintenant|aujourd'hui|demain|plus tard|d'abord|directement|"
    r"(?:cette|la) semaine(?: prochaine)?|pour l'instant|ahora(?: mismo)?|ya|hoy|mañana|"
    r"más tarde|primero|enseguida|directamente|esta semana|(?:la )?(?:semana que viene|"
    r"próxima semana)|por ahora|jetzt|sofort|heute|morgen|später|zuerst|gleich|direkt|"
    r"(?:diese|nächste) woche|vorerst|"
    # a span of time the option lasts: "for the week", "pour la semaine", "por un mes"
    r"(?:for|pour|por|para|für)\s+(?:(?:the|a|one|la|une|un|una|el|die|eine|einen|den)\s+)?"
    r"(?:night|week|weekend|month|year|day|nuit|semaine|mois|an|année|jour|noche|semana|mes|"
    r"año|día|nacht|woche|wochenende|monat|jahr|tag)s?))+[\s,]*$",
    re.I,
)
_ADVERBIAL_LAST = _wordset(
    "away now time week weekend month year once good on advance today tonight tomorrow later "
    "first soon instead again asap immediately already back down off out over up here there "
    "suite maintenant aujourd'hui demain tard abord directement semaine prochaine instant ahora "
    "mismo ya hoy mañana primero enseguida directamente viene jetzt sofort heute morgen später "
    "zuerst gleich direkt woche vorerst night nights day days weekends months years nuit mois "
    "an année jour noche semana mes año día nacht wochenende monat jahr tag"
)


def _before_adverbial(scan: str, lo: int, at: int) -> int:
    """Where the left option's words end, before an adverb or time phrase that closes it
    ("delete the old key right away or …", "réserver maintenant ou …"): the option is
    read back from there. ``at`` when nothing such closes it, or nothing precedes it."""
    last = _word_before(scan, lo, at)
    if last is None or last[1] not in _ADVERBIAL_LAST:
        return at
    window = scan[max(lo, at - 40) : at]
    trail = _TRAILING_ADVERBIAL.search(window)
    if trail is None or not _words(scan[lo : at - len(window) + trail.start()]):
        return at
    return at - len(window) + trail.start()


_PAIRED = _wordset(
    "before after with without inside outside in out on off up down above below over under "
    "avant après avec sans dedans dehors antes después con sin dentro fuera vor nach mit ohne "
    "drinnen draußen"
)


def _paired_particles(scan: str, lo: int, at: int, after: int, hi: int) -> tuple[int, int] | None:
    """ "before or after the exams", "avec ou sans sucre", "vor oder nach der Prüfung": two
    prepositions (or particles) that share what follows are the options themselves."""
    left = _word_before(scan, lo, at)
    if left is None or left[1] not in _PAIRED:
        return None
    right = _WORDS.match(scan, after, hi)
    if right is None or right.group(1).lower() not in _PAIRED:
        return None
    return left[0], right.end(1)


def _word_before(scan: str, lo: int, at: int) -> tuple[int, str] | None:
    """The word that ends before ``at`` (past spaces and a comma), in lower case, and
    where it starts; None when none does after ``lo``."""
    end = at
    while end > lo and scan[end - 1] in " \t,":
        end -= 1
    start = end
    while start > lo and (scan[start - 1].isalpha() or scan[start - 1] == "'"):
        start -= 1
    return (start, scan[start:end].lower()) if start < end else None


# a clause that belongs to the option before "or", closed by a comma: a relative ("the
# school nearby, which is five minutes away, or …") or a reason or purpose ("SQLite
# because it is one file, or …", "eine Wohnung mit WLAN, damit ich schreiben kann, oder …")
_ATTACHED = re.compile(
    r",\s*(?:which|who|where|que|qui|où|donde|wo|welche[rs]?)\b|"
    r",\s*(?P<aside>around|near|with|at|vers|avec|près|con|cerca|hacia|mit|um|gegen|bei)\b|"
    r"(?:,\s*|\s+)(?:because|bc|cuz|so that|parce que|parce qu'|pour que|pour qu'|afin que|"
    r"porque|ya que|para que|weil|damit|denn)\b",
    re.I,
)
_ATTACHED_KEYS = (  # one of them is in each match of _ATTACHED
    *("which", "who", "where", "que", "qui", "où", "donde", "wo", "welche"),
    *("around", "near", "with", "at", "vers", "avec", "près", "con", "cerca", "hacia", "mit"),
    *("um", "gegen", "bei"),
    *("because", "bc", "cuz", "so that", "parce", "pour qu", "afin", "porque", "weil", "damit"),
    "denn",
)


def _attached_clause(scan: str, sentence: Span, at: int) -> int | None:
    """Where a clause tied to the option before the "or" at ``at`` starts, if one sits
    between them: the option is read back from there, and the clause is none of the
    options. Its words are few, a comma closes it, and no clause boundary lies between it
    and the "or"."""
    close = at
    while close > sentence.start and scan[close - 1].isspace():
        close -= 1
    if scan[close - 1 : close] != ",":
        return None
    window_start = max(sentence.start, at - 120)
    if not _may_match(scan[window_start:at], _ATTACHED_KEYS):
        return None
    matches = list(_ATTACHED.finditer(scan, window_start, at))
    found = matches[-1] if matches else None
    if found is None or not _words(scan[sentence.start : found.start()]):
        return None
    clause = scan[found.end() : at]
    if not 1 <= len(_words(clause)) <= 10 or _CLAUSE_END.search(clause):
        return None
    aside = found.group("aside")
    if aside and (len(_words(clause)) > 4 or _mentions(scan[at : at + 12], (aside.lower(),))):
        return None  # "in Paris, in Lyon, or in Nice": the same word opens every option
    return found.start()


def _without_attached(
    scan: str, spans: list[tuple[int, int]], attached: int, at: int
) -> list[tuple[int, int]]:
    """``spans`` without the attached clause between ``attached`` and ``at``."""
    kept = []
    for start, end in spans:
        if attached <= start < at:
            continue
        if start < attached < end:
            end = _trimmed(scan, start, attached)[1]
        kept.append((start, end))
    return kept


def _parallel_object(scan: str, lo: int, start: int, after: int) -> int:
    """ "a flat with a garden or a house", "a spell checker using tries, a route planner,
    or …": when the right option opens with a determiner and the left one does not, the
    left one starts at its own determiner a few words back, across prepositions and
    nouns but no verb or clause word."""
    right = _WORDS.match(scan, after)
    first = _WORD.match(scan, start)
    if right is None or first is None or right.group(1).lower() not in _DETERMINERS:
        return start
    if first.group(0).lower() in _DETERMINERS:
        return start
    reach = max(lo, start - 60)
    reach = max(reach, *(scan.rfind(mark, reach, start) + 1 for mark in ",:;"))
    for word in reversed(list(_WORD.finditer(scan, reach, start))[-5:]):
        lower = word.group(0).lower()
        if lower in _DETERMINERS:
            return word.start()
        if lower in _HARD_STOP and lower not in _LINKS:
            break
    return _after_colon_alike(scan, lo, start)


_AFTER_COLON_WORDS = 12  # the most words of a left option that runs from its colon


def _after_colon_alike(scan: str, lo: int, start: int) -> int:
    """ "food: a buffet from the place she likes, or a taco truck": when a colon opens
    the left option's clause on a determiner, as the right option opens, the left one
    runs from the colon, across the clause inside it; ``start`` otherwise."""
    if scan[lo - 1 : lo] != ":" or "," in scan[lo:start]:
        return start
    first = _WORD.search(scan, lo, start)
    if first is None or first.group(0).lower() not in _DETERMINERS:
        return start
    if len(_words(scan[first.start() : start])) > _AFTER_COLON_WORDS:
        return start
    return first.start()


# words that join a noun to what qualifies it inside one option ("a flat with a garden",
# "das Hotel am Strand"): a scan for the option's determiner goes across them
_LINKS = _PREPOSITIONS | _wordset("am im vom zum zur beim ins au aux du des del al")


_ACCOMPANYING = _wordset("with without avec sans con sin mit ohne")


def _qualified_noun(scan: str, lo: int, start: int, after: int, hi: int) -> int:
    """ "interviews with about ten people or a paper survey for everyone": when the left
    option was read after "with" and the right one is a noun phrase with a qualifier of
    its own, the "with" phrase qualifies the noun before it, and the left option starts
    at that noun (at its determiner, if it has one)."""
    opens = _WORDS.match(scan, after, hi)
    if opens is None or opens.group(1).lower() not in _DETERMINERS:
        return start
    right = _words(scan[after : min(hi, after + 60)])[:6]
    if not set(right[2:]) & _PREPOSITIONS:
        return start
    near = list(_WORD.finditer(scan, max(lo, start - 25), start))[-2:]
    first = _WORD.match(scan, start)
    near += [first] if first else []
    opening = next((w for w in near if w.group(0).lower() in _ACCOMPANYING), None)
    if opening is None:
        return start  # "with" opens it, or stands one or two words before it
    taken: list[int] = []  # where the words read back start, nearest first
    for word in reversed(list(_WORD.finditer(scan, lo, opening.start()))[-3:]):
        lower = word.group(0).lower()
        if lower in _HARD_STOP or lower in _CHOICE_VERBS:
            break
        taken.append(word.start())
        if lower in _DETERMINERS:
            return word.start()
    if len(taken) >= 2:
        taken.pop()  # "(should I) run interviews with …": the first word is the verb
    return taken[-1] if taken else start


_SAME_OPENING_REACH = 8  # how many words back the left option may start on the same word


def _same_opening(scan: str, lo: int, start: int, after: int) -> int:
    """ "¿me monto Compose en un VPS o me lanzo con k3s?", "to rent in town or to buy
    out of it": when the right option opens on a function word (a pronoun, a particle)
    that also stands a few words before the left option, the left one starts there
    too: both options open alike."""
    right = _WORDS.match(scan, after)
    if right is None:
        return start
    opening = right.group(1).lower()
    if opening not in _FUNCTION_WORDS or opening in _DETERMINERS or opening in _PREPOSITIONS:
        return start
    before = list(_WORD.finditer(scan, max(lo, start - 80), start))[-_SAME_OPENING_REACH:]
    for word in reversed(before):
        if word.group(0).lower() == opening:
            return word.start()
    return start


def _verb_against_phrase(scan: str, lo: int, start: int, after: int) -> bool:
    """Whether the right option opens with a verb while the left one was read from
    inside a phrase: it opens with a determiner, or a preposition precedes it ("… onto
    this block with the headers, or spin up …")."""
    if not _opens_a_verb(scan, after):
        return False
    first = _WORDS.match(scan, start)
    before = _LAST_WORD.search(scan, max(lo, start - 20), start)
    return (first is not None and first.group(1).lower() in _DETERMINERS) or (
        before is not None and before.group(1).lower() in _PREPOSITIONS
    )


def _opens_a_verb(scan: str, at: int) -> bool:
    """Whether the words at ``at`` open with a verb, as far as a word list tells: a
    lower-case word that is no determiner nor function word ("wait", "spin up")."""
    word = _WORDS.match(scan, at)
    if word is None or not word.group(1).islower():
        return False
    return word.group(1) not in _DETERMINERS and word.group(1) not in _FUNCTION_WORDS


def _inside_a_clause(scan: str, lo: int, start: int) -> bool:
    """Whether the left option was read from inside a clause of its own: a subject or
    a verb precedes it ("tell her now that I can't host", "go on the 12th as planned")."""
    before = _LAST_WORD.search(scan, max(lo, start - 20), start)
    if before is None:
        return False
    word = before.group(1).lower()
    return word in _HARD_STOP and word not in _PREPOSITIONS and word not in _DETERMINERS


_VERB_FRAME = re.compile(
    r"(?:(?:should|shall|do|can|could|must)\s+(?:i|we)|(?:i|we)\s+(?:should|could|can|might)|"
    r"is it (?:better|best|smarter|wiser|safer|easier) to)\s+",
    re.I,
)


def _parallel_clause(scan: str, lo: int, start: int, after: int) -> int:
    """ "upgrade the relay to 4.x, or pin the workspace to the old gateway", "Should I
    tell her now that I can't come, or wait?": when the right option opens with a verb
    and the left one was cut inside a phrase (or, after "should I", inside a clause of
    its own), the left one runs from where its clause's verb is (the clause's first
    word, past "should I"), if that is a few words back."""
    if not _opens_a_verb(scan, after):
        return start
    verb = _skip(_CLAUSE_LEAD, scan, _trimmed(scan, lo, start)[0])
    frame = _VERB_FRAME.match(scan, verb)
    framed = frame is not None and _inside_a_clause(scan, lo, start)
    if not (framed or _verb_against_phrase(scan, lo, start, after)):
        return start
    verb = frame.end() if frame else verb
    word = _WORDS.match(scan, verb)
    if word is None or not word.group(1).islower() or word.group(1) in _FUNCTION_WORDS:
        return start
    if word.group(1) in _DETERMINERS or len(_words(scan[verb:start])) > 12:
        return start
    return word.start(1)


# a colon after words that announce ways to go ("I see two ways out:", "hay dos caminos:",
# "es gibt zwei Möglichkeiten:"): what follows it is the choice
_ANNOUNCING = re.compile(
    r"\b(?:ways|options|choices|alternatives|paths|routes|approaches|possibilities|solutions|"
    r"façons|possibilités|voies|solutions|chemins|caminos|opciones|alternativas|posibilidades|"
    r"vías|soluciones|möglichkeiten|optionen|wege|varianten|lösungen|alternativen)\b"
    r"[^.?!:\n]{0,60}:\s*$",
    re.I,
)


def _announced(scan: str, sentence: Span, start: int) -> bool:
    """Whether the options follow a colon that closes words announcing ways to go."""
    head = scan[sentence.start : start]
    return head.rstrip().endswith(":") and bool(_ANNOUNCING.search(head[-120:]))


_BETWEEN = re.compile(r"\b(?:between|entre|zwischen)\s+", re.I)
_PAIR_AND = re.compile(r"\s+(?:and|et|y|und)\s+", re.I)
_BETWEEN_NAME_WORDS = 4  # the most words of a name in "between A and B"


def _between_pair(scan: str, lo: int, at: int) -> list[tuple[int, int]] | None:
    """ "I must choose between A and B for the API, or stay on C?", "torn between A and
    B, or should I …?": the clause before "or" names two options of its own; they are
    options beside the one after "or". None when that clause has no such pair."""
    if not _may_match(scan[lo:at], ("between", "entre", "zwischen")):
        return None
    opening = _BETWEEN.search(scan, lo, at)
    if opening is None:
        return None
    joined = _PAIR_AND.search(scan, opening.end(), at)
    if joined is None or len(_words(scan[opening.end() : joined.start()])) > _BETWEEN_NAME_WORDS:
        return None
    second_end = _right_option(scan, joined.end(), at, _BETWEEN_NAME_WORDS)
    if second_end is None:
        return None
    return [_trimmed(scan, opening.end(), joined.start()), _trimmed(scan, joined.end(), second_end)]


def _asked_clauses(scan: str, start: int, end: int) -> list[tuple[int, int]]:
    """The clauses before the last "or …?" clause: one, or several when commas part
    questions framed alike ("do we all move, does he go ahead alone, or …?")."""
    if not _CLAUSE_OPTION.match(scan, start):
        return [_trimmed(scan, start, end)]
    clauses = []
    cursor = start
    for comma in _COMMA.finditer(scan, start, end):
        if _CLAUSE_OPTION.match(scan, comma.end()) and _words(scan[cursor : comma.start()]):
            clauses.append(_trimmed(scan, cursor, comma.start()))
            cursor = comma.end()
    clauses.append(_trimmed(scan, cursor, end))
    return clauses


# a pick asked without its question mark, as quick messages do ("which one has the best
# rent"): the sentence opens with "which" and ends on no full stop
_WHICH_OPENS = re.compile(
    r"[\s¿]*(?:(?:so|and|but|ok|okay|y|et|und)\s+)?"
    + _WHICH_LEAD
    + r"(?:which|cuál\w*|welche\w*|lequel|laquelle|"
    r"lesquel\w*)\b(?!\s+(?:is|was) why|\s+means)",
    re.I,
)


# "which" standing for one of the options named before ("which is the least painful",
# "¿cuál me recomiendas?"), not asking about something new ("which temperature …?")
_WHICH_OF_THEM = re.compile(
    r"[\s¿]*(?:(?:so|and|but|ok|okay|y|et|und)\s+)?"
    + _WHICH_LEAD
    + r"(?:which|cuál|welche[rsnm]?|lequel|laquelle)"
    r"\s+(?:one|of|is|are|was|would|should|will|do|does|has|have|me|te|le|es|sería|ist|wäre|"
    r"würde|würdest|würden|sollte|davon|est|serait|vaut)\b",
    re.I,
)


def _asks_which(chunk: str) -> bool:
    """Whether a sentence asks which option to take: "Which would you pick?", "¿Cuál me
    recomiendas?", or one opening with "which" and ending on no full stop."""
    if _ASKED_AFTER.match(chunk):
        return True
    return chunk.rstrip()[-1:] not in (".", "!") and _WHICH_OPENS.match(chunk) is not None


# a question asked without its question mark: it opens on an inverted auxiliary ("should
# i …", "dois-je …", "debo …", "soll ich …"), maybe after a phrase that sets its frame
# ("for a short trip is it …", "para un viaje corto debería …"), and ends on no full stop
_INVERTED = re.compile(
    r"[\s\-*•]*(?:(?:so|and|but|ok|okay|et|alors|y|pero|und|aber|also)\b,?\s+)?"
    r"(?:(?:for|with|in|on|at|pour|avec|en|para|con|für|mit|bei|im)\s+[^\s,.;:?!][^,.;:?!\n]"
    r"{0,40}?,?\s+(?=(?:should|shall|can|could|do|does|is|are|am|dois|devrais|faut|est|debo|"
    r"debería|sollte|soll)\b))?"
    r"(?:(?:should|shall|can|could|do|does|is|are|am)\s+(?:i|we|it|they)|dois-je|"
    r"devrais-je|faut-il|est-ce que|debo|debería|deberíamos|sollte ich|soll ich|sollen wir|"
    r"sollten wir)\b",
    re.I,
)


def _unmarked_question(chunk: str) -> bool:
    return chunk.rstrip()[-1:] not in (".", "!", "?") and _INVERTED.match(chunk) is not None


_CONJUNCTIONS = _wordset("and y e et und i")


def _conjoined(scan: str, lo: int, start: int) -> int:
    """ "con flask y unas plantillas html o …": a left option read from its "and" takes the
    word joined before it too ("flask y unas plantillas html"), or starts after the "and"."""
    first = _WORDS.match(scan, start)
    if first is None or first.group(1).lower() not in _CONJUNCTIONS:
        return start
    joined = _LAST_WORD.search(scan, max(lo, start - 30), start)
    if joined is not None and joined.group(1).lower() not in _HARD_STOP:
        return joined.start(1)
    return _trimmed(scan, first.end(1), first.end(1) + 1)[0]


# an open question word right before the options: "what tools or libraries exist?",
# "¿qué ayudas o becas hay?" ask what there is, one question, not which of two
_OPEN_WH = re.compile(r"\b(?:what|qué|quels|quelles|was für)\s+$", re.I)
# a question whether such things exist or whom the reader knows ("Are there …", "Do you
# know a good …", "Y a-t-il …", "Tu connais …", "¿Hay …", "¿Conoces …", "Gibt es …",
# "Kennst du …"): the options it opens on say what would do, one open question
_EXISTENCE = re.compile(
    r"[\s¿\-*•]*(?:(?:so|and|also|hey|ok|et|alors|y|pues|und)\b,?\s+)?"
    r"(?:(?:are|is) there|does (?:anyone|anybody|someone) know(?: of)?|do you know(?: of)?|"
    r"y a-t-il|est-ce qu'il y a|il y a|(?:tu|vous) connai(?:s|ssez)|connais-tu|"
    r"connaissez-vous|quelqu'un connaît|hay|(?:tú )?conoces|conocéis|conoce usted|"
    r"alguien conoce|sabes de|gibt es|kennst du|kennt ihr|kennen sie|kennt jemand)\s",
    re.I,
)


# an open question of how, or what way ("How do I …", "What's the right way to …",
# "Comment …", "¿Cómo …", "Wie …")
_HOW_OPENS = re.compile(
    r"[\s¿\-*•]*(?:(?:so|and|but|ok|et|alors|y|pero|und|aber|also)\b,?\s+)?"
    r"(?:how|what(?:'s| is) the (?:\w+ )?way|comment|cómo|wie)\b",
    re.I,
)
# what stands before two verbs asked how to do: an infinitive's "to", a subject, the
# question word itself ("to order or gate …", "do I boil or steam …", "wie sortiere …")
_BEFORE_VERBS = _wordset("to i we you je nous on yo ich wir man comment cómo wie how")


def _verbs_sharing_an_object(scan: str, lo: int, start: int, at: int, end: int) -> bool:
    """Whether the options are two verbs that share what follows the right one ("order
    or gate these events", "hervir o cocer el arroz"): the left is one word after an
    infinitive's "to", a subject or the question word, and the right runs on past its
    verb."""
    if len(_words(scan[start:at])) != 1 or len(_words(scan[at:end])) < 3:
        return False
    before = _word_before(scan, lo, start)
    return before is not None and before[1] in _BEFORE_VERBS


# several things wanted, then the word that says what they are about ("5 more films
# from that era with …", "quelques livres sur …", "unas series sobre …", "ein paar
# Rezepte mit …")
_SEVERAL_WANTED = _Folding(
    re.compile(
        r"\b(?:\d+|several|a few|a couple of|some|two|three|four|five|ten|plusieurs|"
        r"quelques|deux|trois|quatre|cinq|dix|varios|varias|algunos|algunas|unos|unas|dos|tres|"
        r"cuatro|cinco|diez|ein paar|einige|mehrere|zwei|drei|vier|fünf|zehn)\s+"
        r"(?:[^\W\d_]+\s+){1,5}?(?:with|about|on|featuring|avec|sur|con|sobre|mit|über|zu)\s",
        re.I,
    )
)
_ABOUT_REACH = 4  # the most words between "about" and the "or"
# words that weigh options against each other ("should I", "better", "lequel", "lieber")
_WEIGHING = re.compile(
    r"\b(?:which|better|best|rather|prefer\w*|should|shall|welche\w*|besser|lieber|soll\w*|"
    r"cuál\w*|mejor|debo|debería|quel(?:le)?s?|lequel|laquelle|mieux|plutôt|dois|devrais)\b",
    re.I,
)


def _several_wanted(scan: str, lo: int, start: int, at: int) -> bool:
    """ "Recommend five films with courtroom or custody themes": several things are
    wanted, and the options up to ``at`` say what they are about: they describe the
    many things, none of them is chosen."""
    found = _SEVERAL_WANTED.search(scan, max(lo, start - 60), at)
    return found is not None and len(_words(scan[found.end() : at])) <= _ABOUT_REACH


# a question frame that asks over the options after it ("which is better for beginners,
# A or B?"): what ends it is no item
_ASKS_OVER = re.compile(
    r"\b(?:which|what|better|best|rather|prefer\w*|welche\w*|besser|lieber|cuál\w*|mejor|"
    r"quel\w*|lequel|laquelle|mieux|meilleur\w*|plutôt)\b",
    re.I,
)


def _listed_pair(scan: str, segments: list[tuple[int, int]]) -> bool:
    """ "parse them with pandas, polars or …": two comma pieces before "or" list items when
    the last is a short name and the first ends on one after a preposition or a verb of
    choosing, inside the clause; "In Rust, A or B", "My budget is tight, A or B" and
    "Which is better for beginners, A or B" list nothing."""
    if len(segments) != 2 or not 1 <= len(_words(scan[slice(*segments[1])])) <= 3:
        return False
    if _ASKS_OVER.search(scan, *segments[0]):
        return False
    head = _left_option(scan, *segments[0])
    if head is None or head[0] == segments[0][0]:
        return False
    if len(_words(scan[head[0] : segments[0][1]])) > 3:
        return False  # "my cat is 12 and throws up often, A or B?": a clause, not an item
    before = _LAST_WORD.search(scan, max(segments[0][0], head[0] - 20), head[0])
    if before is None or before.start(1) == segments[0][0]:
        return False  # "For a small team, A or B": a lead-in, not an item
    return before.group(1).lower() in _PREPOSITIONS or before.group(1).lower() in _CHOICE_VERBS
