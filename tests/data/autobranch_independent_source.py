"""Source of ``autobranch_independent.jsonl``: texts written and labeled independently.

The texts in ``autobranch_independent/labeler-*.txt`` were written and labeled by
people who had seen neither the detector's code nor its patterns, only the labeling
guide (``autobranch_independent/GUIDE.md``) and the SDK readme's use cases. Each
record is a header line ``=== <id> | <topic> | <lang>`` followed by the text, with
every expected branch point marked inline as ``[[k|…]]`` (``k`` one of the guide's
family letters: one mark per option or intent).

The generator strips the marks, records each span's character offsets (end
exclusive), and puts two texts in five in the ``blind`` split by a hash of the
record's id (not by choice). The blind split was frozen before any tuning on this
set; only aggregate figures are ever read from it. The ``extra-*.txt`` files, written
the same way after the freeze, are tuning data only: all ``tune``.

The ``fresh-*.txt`` files are a second blind set, the ``fresh`` split: written by three
more labelers, given only the guide, after the first blind split's figures had been
read several times, and frozen (``autobranch_independent_fresh.sha256``) as they came
in, before any further tuning. Whole labelers are held out, so it also measures how the
detector does on writers it has never met. The ``third-*.txt`` files, the ``third``
split, are a third blind set made the same way by three more labelers, after the
``fresh`` figures had been read, and frozen (``autobranch_independent_third.sha256``)
as they came in. The ``dev-*.txt`` files, the ``dev`` split, were written the same way by
two more labelers while the detector was being tuned on others: only its aggregate
figures were read, after each change, to see whether the change carried over to
writers nobody tuned to (one that did not was taken back), so it is held out but not
blind. The ``fourth-*.txt`` files, the ``fourth`` split, were written by two more labelers
and scored once as they came in; after that only aggregate figures are read, once per
merged change, before the blind split is read. Regenerate with
``python -m tests.data.autobranch_independent_source``.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

FAMILIES = {
    "d": "disjunction",
    "c": "comparison",
    "e": "enumeration",
    "i": "conditional",
    "x": "directive",
    "m": "multi_intent",
}
HERE = Path(__file__).resolve().parent
SOURCES = HERE / "autobranch_independent"
# held-out sets of whole labelers, each file named <split>-*.txt
HELD_OUT_SETS = ("fresh", "third", "dev", "fourth")
TARGET = HERE / "autobranch_independent.jsonl"
_HEADER = re.compile(r"^=== *(\S+) *\| *([\w-]+) *\| *(\w+) *$", re.M)
_MARK = re.compile(r"\[\[(\w)\|(.*?)\]\]", re.S)


def parse(marked: str) -> tuple[str, list[dict[str, object]]]:
    """The text without its marks, and each mark's span in that text."""
    parts: list[str] = []
    spans: list[dict[str, object]] = []
    cursor = position = 0
    for match in _MARK.finditer(marked):
        before = marked[cursor : match.start()]
        parts.append(before)
        position += len(before)
        letter, trigger = match.group(1), match.group(2)
        if letter not in FAMILIES:
            raise ValueError(f"unknown family letter {letter!r} in mark {match.group(0)!r}")
        parts.append(trigger)
        spans.append(
            {
                "start": position,
                "end": position + len(trigger),
                "trigger": trigger,
                "kind": FAMILIES[letter],
            }
        )
        position += len(trigger)
        cursor = match.end()
    parts.append(marked[cursor:])
    text = "".join(parts)
    if "[[" in text or "]]" in text:
        raise ValueError(f"unbalanced mark in {marked[:80]!r}")
    return text, spans


def split_of(record_id: str) -> str:
    return "blind" if hashlib.sha256(record_id.encode()).digest()[0] % 5 < 2 else "tune"


def records_in(source: str, split: str | None = None) -> list[dict[str, object]]:
    """The records of one labeler's file; ``split``: all in it, else by ``split_of``."""
    headers = list(_HEADER.finditer(source))
    out = []
    for header, following in zip(headers, [*headers[1:], None], strict=True):
        body = source[header.end() : following.start() if following else len(source)]
        record_id, topic, lang = header.group(1), header.group(2), header.group(3)
        text, spans = parse(body.strip("\n").rstrip())
        out.append(
            {
                "id": record_id,
                "split": split or split_of(record_id),
                "lang": lang,
                "topic": topic,
                "text": text,
                "spans": spans,
            }
        )
    return out


def records() -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    for path in sorted(SOURCES.glob("labeler-*.txt")):
        found.extend(records_in(path.read_text(encoding="utf-8")))
    for path in sorted(SOURCES.glob("extra-*.txt")):
        found.extend(records_in(path.read_text(encoding="utf-8"), split="tune"))
    for split in HELD_OUT_SETS:
        for path in sorted(SOURCES.glob(f"{split}-*.txt")):
            found.extend(records_in(path.read_text(encoding="utf-8"), split=split))
    return found


def main() -> None:
    lines = [json.dumps(r, ensure_ascii=False) for r in records()]
    TARGET.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
