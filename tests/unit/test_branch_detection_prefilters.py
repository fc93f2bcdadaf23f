"""The cheap key tests in front of costly patterns: a pattern runs only where one of its
keys is written, so every match of the pattern must hold one of them. A key missing
from its list silently disables the pattern for that wording (French "s'il" once went
unread because no conditional key matched it)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol

import pytest

from chatroutes.server.domain.branch_detection import conditionals, disjunctions, enumerations

DATA = Path(__file__).resolve().parents[1] / "data"


class _Finds(Protocol):
    def finditer(self, text: str) -> Iterator[re.Match[str]]: ...


# (pattern, its keys): each match of the pattern holds one of the keys
GUARDED: list[tuple[str, _Finds, Sequence[str]]] = [
    ("conditional case", conditionals._CASE, conditionals._KEYS),
    ("depending on", conditionals._DEPENDING, conditionals._DEPENDING_KEYS),
    ("otherwise", conditionals._ELSE, conditionals._ELSE_KEYS),
    ("depending on, among the cases", conditionals._DEPENDING, conditionals._KEYS),
    ("either/whether opener", disjunctions._OPENER, disjunctions._OPENER_KEYS),
    ("example cue", disjunctions._EXAMPLE_CUE, disjunctions._EXAMPLE_KEYS),
    ("catch-all context", disjunctions._ANY_CONTEXT, disjunctions._ANY_KEYS),
    ("condition before the options", disjunctions._CONDITION, disjunctions._CONDITION_KEYS),
    ("nor", disjunctions._NOR, ("nor",)),
    ("question told", disjunctions._REPORTED, disjunctions._REPORTED_KEYS),
    ("options considered", enumerations._CONSIDERED, enumerations._CONSIDERING),
]

WRITTEN = [
    "Que faire s'il pleut ? Et s'ils annulent ?",
    "Was tun, sobald der Vertrag endet, und im Fall, dass er verlängert wird?",
    "Dans le cas où il vient, et au cas où il annule ?",
    "¿Qué hago en el caso de que llueva?",
    "In the case where sales double, and in the case that they drop?",
    "Depending on whether it rains or not, selon que tu viens, según si llueve, je nachdem, ob",
    "Otherwise, sinon, autrement, de lo contrario, en caso contrario, sonst, andernfalls",
    "Either way, whether or not, soit l'un soit l'autre, entweder oder, ya sea, o bien",
    "such as, e.g. this, for example, par exemple, por ejemplo, zum Beispiel, z.B. that",
    "We're considering: A, B. Our options are A or B. J'hésite entre A et B.",
    "If so, whenever, when, si, wenn, falls: neither this nor that, NOR that",
    "She asked me if, we were wondering whether, they argue about whether, I didn't know if",
    "Il m'a demandé si, me preguntó si, er fragte ob, we couldn't decide between",
]


def texts() -> list[str]:
    found = list(WRITTEN)
    for name in ("autobranch_labeled.jsonl", "autobranch_independent.jsonl"):
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if record.get("split", "tune") == "tune":
                found.append(record["text"])
    return found


@pytest.mark.parametrize(("name", "pattern", "keys"), GUARDED, ids=[g[0] for g in GUARDED])
def test_every_match_holds_a_key(name, pattern, keys):
    unguarded = {
        match.group(0)
        for text in texts()
        for match in pattern.finditer(text)
        # a key may spell the space after a short word ("se ")
        if not any(key in text[match.start() : match.end() + 1].lower() for key in keys)
    }
    assert unguarded == set(), name
