"""Branch detection: where a message offers more than one way forward.

Pure and deterministic: the same text always gives the same suggestions, with
character offsets into that text (``end`` exclusive). A branch point (a
``Group``) offers several options; each option is one ``Suggestion`` with its own
title, span and confidence. Callers drop suggestions below a threshold and keep
the strongest few, whole branch points together where they fit.

Families of branch point, their options, and the span of the group:

- ``enumeration``   a list of alternatives (numbered or bulleted Markdown lines
                    with a choice around them, "A, B, C — which?", sections
                    headed "Option A", prose "one option … alternatively …"):
                    one option per item. Steps of one procedure and context
                    lists are not alternatives.
- ``disjunction``   "X or Y", "A, B, or C", "whether/either … or …", "soit …
                    soit" ("ou", "o", "oder", "oppure"): one per alternative.
- ``comparison``    "X vs Y", "compare X and Y", "difference between X and Y",
                    "is X cheaper than Y?", "how do A and B compare?": one per side.
- ``conditional``   the cases of one request ("what if A, and what if B?",
                    "if … otherwise", "depending on whether A or B"): one per case.
- ``directive``     the variants a request names ("write it two ways: a formal
                    one and a casual one"): one per variant.
- ``multi_intent``  several requests in one message ("I need help with X and
                    also Y", several questions, "Also, …", paragraphs or list
                    items that each ask): one per request.

A branch point has two options or more: a single "what if" or an open "brainstorm
some ideas" is none. A message is read one way: the family of its largest branch
point keeps its suggestions. Confidences are calibrated (``calibrated``).

Cues are structural (clauses, coordination, question marks, list lines; code,
links and quotations masked) with small function-word lexicons for French,
Spanish and German. Material the message hands over to be worked on ("translate
this: …", "summarize this email: …") is masked too (``material``). A reading where
nothing is chosen (a pair named in a statement, a rhetorical or set-aside question,
a context list, a choice already made) keeps a confidence below the threshold.
Each family has its module; ``text`` and ``option_spans`` hold what they share,
``requests`` cuts a message into request units for ``multi_intent``, and
``selection`` runs them and picks the suggestions. Hybrid
detection (an LLM reviewing these candidates) is split the same way:
``review_prompt`` and ``apply_review`` in ``review`` are pure; the service makes
the call.
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
from .suggestion import (
    DEFAULT_COUNT,
    DEFAULT_THRESHOLD,
    KINDS,
    MAX_COUNT,
    Detection,
    Group,
    Option,
    Suggestion,
)
from .text import masked

__all__ = [
    "DEFAULT_COUNT",
    "DEFAULT_THRESHOLD",
    "KINDS",
    "MAX_COUNT",
    "REVIEW_FLOOR",
    "Detection",
    "Group",
    "Option",
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
