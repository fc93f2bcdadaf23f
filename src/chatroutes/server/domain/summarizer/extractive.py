"""The offline extractive summarizer.

With no summarizer model configured, :func:`extractive_summary` writes the summary.
It is pure and deterministic, and keeps whole sentences, chosen for what they add:

1. Split every message (and the previous summary's lines) into sentences.
2. Extract *facts* from each: names (capitalised words away from a sentence's start,
   multiword names, acronyms, product-like tokens), numbers (amounts, percentages,
   versions, quantities; exact and large ones weigh more than small counts), dates,
   e-mail addresses and URLs; and *commitments*: decisions ("we decided", "let's go
   with") and the user's constraints ("we need to", "is allergic to").
3. Pick sentences greedily by the weight of the facts they add that nothing picked
   so far covers, per token. What the user said weighs more than the assistant's
   general advice, commitments more again, and lines of the previous summary most,
   so a fact, once summarized, survives checkpoint after checkpoint. Facts behind a
   hedge ("I think", "teams like") weigh less; a sentence that repeats covered facts
   adds nothing, and one shaped like a chosen one ("A said X about P." after "B said
   X about Q.") adds less.
4. Questions no later message takes up go in a closing ``Open questions:`` section,
   most recent first, within a quarter of the budget.

The output is ``User: …`` / ``Assistant: …`` lines in conversation order (one per
message) and never exceeds ``max_tokens`` by
:func:`~chatroutes.server.domain.tokens.estimate_tokens`.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..tokens import estimate_tokens
from .layout import _parse_previous, _render, _truncate
from .questions import _open_questions
from .selection import _Coverage, _pick_questions, _ratio, _select
from .sentences import _sentences
from .tuning import ANSWERED_QUESTION_FACTOR
from .units import NEW, PREVIOUS, _Reader


def extractive_summary(
    turns: Sequence[tuple[str, str]], *, previous: str | None = None, max_tokens: int
) -> str:
    """A summary of ``previous`` plus ``turns`` ((role, content) pairs, in order).

    At most ``max_tokens`` tokens, equal for equal input, ``""`` when there is nothing
    to summarize. With no new turns, ``previous`` comes back as it is if it fits.
    """
    if max_tokens < 0:
        raise ValueError("max_tokens must not be negative")
    previous = (previous or "").strip()
    if max_tokens == 0:
        return ""
    if not any(content.strip() for _, content in turns) and estimate_tokens(previous) <= max_tokens:
        return previous

    body, earlier_questions = _parse_previous(previous)
    raw: list[tuple[tuple[int, int, int], str, str]] = []
    for line_index, (role, line) in enumerate(body):
        for sentence_index, sentence in enumerate(_sentences(line)):
            raw.append(((PREVIOUS, line_index, sentence_index), role, sentence))
    for message_index, (role, content) in enumerate(turns):
        for sentence_index, sentence in enumerate(_sentences(content or "")):
            raw.append(((NEW, message_index, sentence_index), (role or "").lower(), sentence))
    # The conversation's first user message usually says what it is about.
    opening = None
    if not previous:
        opening = next((index for index, (role, _) in enumerate(turns) if role == "user"), None)
    reader = _Reader(
        [sentence for _, _, sentence in raw] + [text for _, text in earlier_questions],
        opening=opening,
    )
    units = [reader.unit(order, role, text) for order, role, text in raw]

    coverage = _Coverage()
    open_questions = _open_questions(reader, units, earlier_questions)
    questions, asked = _pick_questions(open_questions, max_tokens, coverage)
    # Questions left out of the section compete like any sentence, at a discount.
    candidates = [unit for unit in units if id(unit) not in asked]
    candidates += [
        unit for _, unit in open_questions if unit.order[1] < 0 and id(unit) not in asked
    ]
    for unit in candidates:
        if unit.question:
            unit.multiplier *= ANSWERED_QUESTION_FACTOR

    text = _render(_select(candidates, questions, coverage, max_tokens), questions)
    if text and estimate_tokens(text) <= max_tokens:
        return text
    # Nothing fits whole: the beginning of the sentence worth most.
    best = max(
        candidates,
        key=lambda unit: (_ratio(_Coverage().gain(unit)[1], unit), [-part for part in unit.order]),
        default=None,
    )
    return _truncate(_render([best], []), max_tokens) if best is not None else ""
