"""Material a message hands over to be worked on: the text after "translate this:",
"proofread:", "summarize this email for me:", "corrige ce texte :". The options, lists
and questions inside it belong to the material (the email's choice, the sentence to
translate), not to the writer, so the detectors read it blanked out, like code.

The material runs from the colon to the end of the quotation that opens it, or of its
line when the colon has text after it on that line, or, when the colon ends its line,
over the paragraphs that follow up to one that turns to another request ("Also, …").
"""

from __future__ import annotations

import re

from .text import _blanked, _Folding

# a request to work on some text, up to the colon that hands it over
_WORK_ON = _Folding(
    re.compile(
        r"\b(?:translate|proofread|summari[sz]e|fix|correct|rewrite|rephrase|reword|edit|polish|"
        r"shorten|paraphrase|reply to|respond to|traduis|traduire|traduisez|corrige[zr]?|relis|"
        r"résume[zr]?|reformule[zr]?|réécris|réponds à|traduce|traducir|corregir|revisa|resume|"
        r"resumir|reescribe|reformula|responde a|übersetze?n?|korrigiere?n?|überarbeite|"
        r"fasse?\s+\w+(?:\s+\w+)?\s+zusammen|formulier\w*\s+\w+\s+um|antworte auf)\b"
        r"[^.?!\n:]{0,60}:",
        re.I,
    )
)
_CLOSING = {'"': '"', "'": "'", "\u201c": "\u201d", "\u201e": "\u201c\u201d", "\u00ab": "\u00bb"}
# a count or a word for variants before the colon: what follows are the variants asked for
_VARIANTS = re.compile(
    r"\b(?:two|three|four|several|ways|versions?|variants?|tones?|styles?|options|deux|trois|"
    r"quatre|plusieurs|façons|manières|dos|tres|cuatro|varias|maneras|formas|versiones|zwei|"
    r"drei|vier|mehrere|arten|varianten|versionen|fassungen|\d+)\b",
    re.I,
)
# a paragraph that turns to another request ends the material handed over before it
_TURN = re.compile(
    r"(?:also|separately|unrelated|another (?:thing|question)|one more thing|p\.?s\.?|btw|"
    r"by the way|aussi|autre (?:chose|question)|sinon|además|otra (?:cosa|pregunta)|"
    r"por cierto|außerdem|noch (?:was|eine frage)|übrigens)\b",
    re.I,
)
# a determiner before the request's verb makes it a noun ("the rewrite", "our edit")
_NAMED = re.compile(r"\b(?:the|our|my|your|their|this|that)\s+$", re.I)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


def without_material(scan: str) -> str:
    """``scan`` with the material handed over blanked (same length, newlines kept)."""
    spans: list[tuple[int, int]] = []
    colon = scan.find(":")
    while colon != -1:  # a request to work on text ends on a colon: look just before each
        request = _WORK_ON.search(scan, max(0, colon - 100), colon + 1)
        handed = request.group(0) if request and request.end() == colon + 1 else ""
        if request and _NAMED.search(scan, max(0, request.start() - 8), request.start()):
            handed = ""  # "for the rewrite, we came up with these:": a noun, nothing asked
        if handed and not _VARIANTS.search(handed):  # "rewrite it two ways: …" names variants
            start = colon + 1
            while scan[start : start + 1] in (" ", "\t"):
                start += 1
            spans.append(_extent(scan, start))
        colon = scan.find(":", colon + 1)
    for start, end in spans:
        scan = scan[:start] + _blanked(scan[start:end]) + scan[end:]
    return scan


def _extent(scan: str, at: int) -> tuple[int, int]:
    """The material that starts at ``at``, just after the colon."""
    if scan[at : at + 1] in _CLOSING:
        close = re.compile(f"[{_CLOSING[scan[at]]}](?!\\w)").search(scan, at + 1)
        if close is not None:
            return at, close.end()
    line_end = scan.find("\n", at)
    line_end = len(scan) if line_end == -1 else line_end
    if scan[at:line_end].strip():
        return at, line_end
    end = len(scan)
    for gap in _PARAGRAPH_BREAK.finditer(scan, at):
        if gap.start() > at and _TURN.match(scan, gap.end()):
            end = gap.start()
            break
    return at, end
