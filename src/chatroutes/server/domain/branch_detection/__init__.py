"""Branch detection: where a message offers more than one way forward.

Pure and deterministic: the same text always gives the same suggestions, with
character offsets into that text (``end`` exclusive). The detector scores each
candidate from its features; callers drop those below a threshold and keep the
strongest few.

Kinds of branch point and the span each covers:

- ``enumeration``   a list of alternatives (numbered or bulleted lines, or
                    prose "one option … another option / alternatively …"):
                    from the first item to the end of the last. Numbered steps
                    of one procedure are not alternatives.
- ``disjunction``   "X or Y", "A, B, or C", "whether/either … or …": the
                    options (from "whether"/"either" when present).
- ``comparison``    "X vs Y", "compare X and Y", "difference between X and Y",
                    "choose between X and Y": from the trigger word (or X) to Y.
- ``conditional``   "if … otherwise/else", "if so … if not", two contrasting
                    "if" clauses, "what if …": from "if" to the end of the
                    last clause's sentence.
- ``directive``     requests to explore or brainstorm: the whole sentence.
- ``question``      a message asking two or more real questions: each one.
- ``multi_intent``  "I need help with X and also Y": the sentence.

Each kind has its module (``enumerations``, ``disjunctions``, ``comparisons``,
``conditionals``, ``directives``, ``questions``, ``multi_intent``); ``text`` and
``option_spans`` hold what they share, ``selection`` runs them and picks the
suggestions. Hybrid detection (an LLM reviewing these candidates) is split the
same way: ``review_prompt`` and ``apply_review`` in ``review`` are pure; the
service makes the call.
"""

from .review import (
    REVIEW_FLOOR,
    Review,
    ReviewUnreadable,
    apply_review,
    parse_review,
    review_prompt,
)
from .selection import candidates, detect, resolve_overlaps, select
from .suggestion import DEFAULT_COUNT, DEFAULT_THRESHOLD, KINDS, MAX_COUNT, Detection, Suggestion
from .text import masked

__all__ = [
    "DEFAULT_COUNT",
    "DEFAULT_THRESHOLD",
    "KINDS",
    "MAX_COUNT",
    "REVIEW_FLOOR",
    "Detection",
    "Review",
    "ReviewUnreadable",
    "Suggestion",
    "apply_review",
    "candidates",
    "detect",
    "masked",
    "parse_review",
    "resolve_overlaps",
    "review_prompt",
    "select",
]
