"""Hybrid detection: a language model reviews the pattern suggestions.

All pure: ``review_pool`` picks what the model is shown, ``review_prompt`` builds the
request, ``parse_review`` reads the answer (``ReviewUnreadable`` when it holds no usable
JSON), ``apply_review`` applies the model's operations (``ReviewNonsense`` when the
answer cannot stand). The service makes the call, and on either error answers with
the pattern result.

The answer is ``{"operations": [...]}``, one object per operation:

- ``confirm {id}``: kept; its confidence becomes the mean of the pattern's and the
  model's (when given); title, description and divergence may be replaced.
- ``reject {id}``: dropped.
- ``split {id, into: [{triggerText, title?, description?, confidence?}, ...]}``: a suggestion that
  holds several options or intents becomes one suggestion per part, in its group.
  2 to ``MAX_PARTS`` parts, each an exact substring of the suggestion's own
  ``triggerText``, in text order, not overlapping; otherwise the split is ignored.
- ``merge {ids: [...], title?, confidence?}``: 2 to ``MAX_PARTS`` suggestions that are
  one option become one, spanning them all; none other may lie inside that span. It
  keeps the group its parts shared, else stands alone.
- ``add {triggerText, title?, type?, confidence?, group?}``: an option the patterns
  missed, where ``triggerText`` (an exact substring of the message, not the text of
  another suggestion) first occurs clear of every other suggestion. ``group``: an
  existing group id joins that branch point; any other name makes a new branch point
  of the additions that share it. Its confidence is 90% of the model's (0.75 when not
  given): no pattern backs it.

Rules, so that a model's mistakes cost less than its help:

- Rejection is explicit: a suggestion the model does not mention keeps its pattern
  confidence, and an empty list means "nothing to change" (with no suggestions: no
  branch point). Each id is taken by its first operation; later ones are ignored.
- An operation that cannot be applied (an unknown id, a span not in the text, a wrong
  type, a part outside its suggestion) is ignored and counted; the others apply. Only
  the first ``MAX_OPERATIONS`` are read.
- A confidence is a number from 0 to 1 (or a percentage above 1 up to 100); anything
  else counts as not given.
- One way forward is no branch point: a group the review leaves with a single
  suggestion (its other options rejected or merged into it, or a lone addition) is
  dropped.
- ``ReviewNonsense``: operations were given and none could be applied; or the answer
  leaves no branch point at all while the patterns were sure of one (a suggestion of
  confidence ``SURE`` or more). A model may veto weak matches, or some of several,
  but not wipe out every sure branch point on its own word.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .selection import resolve_overlaps
from .suggestion import KINDS, Group, Suggestion, _cap
from .text import MAX_TITLE, _title

REVIEW_FLOOR = 0.4  # suggestions this weak are still shown to the reviewing model
MAX_SHOWN = 40  # suggestions shown at most (the strongest branch points first)
MAX_OPERATIONS = 50
MAX_PARTS = 10
SURE = 0.85  # a pattern match this strong is not wiped out by a wholesale rejection
ADDED_DEFAULT = 0.75  # the model's confidence in an addition that gives none
_MAX_REVIEW_TEXT = 12_000
_MAX_DECODE_ATTEMPTS = 64  # JSON openers tried in an answer before giving up
_MAX_OCCURRENCES = 200  # places an addition's text is tried at
_MAX_DESCRIPTION = 500
_MAX_REASON = 300
_OPERATIONS = ("confirm", "reject", "split", "merge", "add")
_COUNTS = ("confirmed", "rejected", "split", "merged", "added", "ignored")


class ReviewUnreadable(ValueError):
    """The model's answer held no usable JSON."""


class ReviewNonsense(ValueError):
    """The model's answer was read but cannot stand (see the module's rules)."""


def review_pool(found: Sequence[Suggestion]) -> tuple[list[Suggestion], list[Suggestion]]:
    """(shown, aside): the suggestions the model reviews (at least ``REVIEW_FLOOR``,
    whole branch points, the strongest first, at most ``MAX_SHOWN``), and the others,
    which the review leaves as they are."""
    groups: dict[str, list[Suggestion]] = {}
    for suggestion in found:
        groups.setdefault(_group_of(suggestion).id, []).append(suggestion)
    shown_ids: set[str] = set()
    for members in sorted(groups.values(), key=lambda m: -max(s.confidence for s in m)):
        strong = [s for s in members if s.confidence >= REVIEW_FLOOR]
        if strong and len(shown_ids) + len(strong) <= MAX_SHOWN:
            shown_ids.update(s.id for s in strong)
    shown = [s for s in found if s.id in shown_ids]
    return shown, [s for s in found if s.id not in shown_ids]


def review_prompt(text: str, found: Sequence[Suggestion], count: int) -> list[tuple[str, str]]:
    """(role, content) turns asking a model to review ``found``, the pattern suggestions
    of ``text``, with the operations ``apply_review`` reads."""
    groups: dict[str, dict[str, Any]] = {}
    for s in found:
        group = _group_of(s)
        listed = groups.setdefault(
            group.id,
            {"group": group.id, "type": group.kind, "triggerText": group.trigger, "options": []},
        )
        listed["options"].append(
            {"id": s.id, "triggerText": s.trigger, "title": s.title, "confidence": s.confidence}
        )
    system = (
        "You review branch points found in a chat message: places where the conversation "
        "could usefully split into separate threads, one per option or intent (alternatives "
        "to weigh, the sides of a comparison, conditional scenarios, open requests for "
        "ideas, or several distinct requests). Each suggestion is ONE option or intent. A "
        "numbered list of steps for one procedure, an idiom ('more or less'), 'or' inside a "
        "name, a rhetorical or quoted question, or code is NOT a branch point. Answer with "
        "JSON only, no prose."
    )
    snippet = text if len(text) <= _MAX_REVIEW_TEXT else text[:_MAX_REVIEW_TEXT]
    user = (
        f"Message:\n<<<\n{snippet}\n>>>\n\n"
        "Suggestions found by pattern matching, by branch point (group):\n"
        f"{json.dumps(list(groups.values()), ensure_ascii=False)}\n\n"
        'Reply with one JSON object, {"operations": [...]}, each operation one of:\n'
        '{"op": "confirm", "id": "<id>", "title": "<better title, optional>", '
        '"confidence": 0.9}\n'
        '{"op": "reject", "id": "<id>", "reason": "<why it is not an option>"}\n'
        '{"op": "split", "id": "<id>", "into": [{"triggerText": "<exact substring of that '
        'suggestion\'s triggerText>", "title": "<short title>", "confidence": 0.8}, ...]} '
        "when one suggestion holds several options or intents\n"
        '{"op": "merge", "ids": ["<id>", "<id>"], "title": "<short title>", '
        '"confidence": 0.8} when several suggestions are one option or intent\n'
        '{"op": "add", "triggerText": "<exact substring of the message>", "title": "<short '
        f'title>", "type": "<one of {", ".join(KINDS)}>", "confidence": 0.8, "group": '
        '"<a group id above, or one new name shared by the two or more options of one new '
        'branch point>"} for an option or intent the patterns missed\n'
        "Suggestions you do not mention are kept as they are; an empty list means you agree "
        "with all of them. If the message has no branch point, reject every suggestion. "
        f"Titles name the option or intent in a few words. At most {count} suggestions "
        "will be shown to the user."
    )
    return [("system", system), ("user", user)]


def parse_review(answer: str) -> list[Any]:
    """The operations in a model's answer: the list of the first JSON object (its
    ``operations``, or ``suggestions``) or array in it, whatever prose or fences
    surround it. Items are returned as they are; ``apply_review`` judges them."""
    decoder = json.JSONDecoder()
    skip_to = 0  # past a JSON value read whole: nothing inside it is the answer
    for attempt, opener in enumerate(re.finditer(r"[{\[]", answer)):
        if attempt >= _MAX_DECODE_ATTEMPTS:
            break
        if opener.start() < skip_to:
            continue
        try:
            data, skip_to = decoder.raw_decode(answer, opener.start())
        except ValueError:
            continue
        if isinstance(data, dict):
            data = data.get("operations", data.get("suggestions"))
        if isinstance(data, list):
            return data
    raise ReviewUnreadable("the model's answer was not the JSON asked for")


@dataclass
class Review:
    """The reviewed suggestions, and what the model's operations did (``counts``)."""

    suggestions: list[Suggestion] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_COUNTS, 0))


def apply_review(text: str, found: Sequence[Suggestion], items: Sequence[Any]) -> Review:
    """``found`` (the suggestions the model was shown) after the model's operations.

    Raises ``ReviewNonsense`` by the module's rules; see there for each operation.
    """
    return _Applying(text, found).run(items)


class _Ignored(Exception):
    """An operation that cannot be applied."""


@dataclass
class _Applying:
    text: str
    found: Sequence[Suggestion]
    by_id: dict[str, Suggestion] = field(init=False)
    taken: set[str] = field(default_factory=set)  # ids an operation has claimed
    out: list[Suggestion] = field(default_factory=list)  # replacing the ids taken
    touched: set[str] = field(default_factory=set)  # groups whose options changed
    reshaped: set[str] = field(default_factory=set)  # groups that lost or gained members
    review: Review = field(default_factory=Review)

    def __post_init__(self) -> None:
        self.by_id = {s.id: s for s in self.found}

    def run(self, items: Sequence[Any]) -> Review:
        counts = self.review.counts
        counts["ignored"] += max(0, len(items) - MAX_OPERATIONS)
        additions: list[dict[str, Any]] = []
        for item in items[:MAX_OPERATIONS]:
            op = _operation(item)
            if op == "add":
                additions.append(item)
                continue
            try:
                if op is None:
                    raise _Ignored
                getattr(self, f"_{op}")(item)
            except _Ignored:
                counts["ignored"] += 1
        kept = [s for s in self.found if s.id not in self.taken] + self.out
        added: list[tuple[Suggestion, str | None]] = []
        for item in additions:
            try:
                suggestion = self._add(item, kept + [s for s, _ in added])
            except _Ignored:
                counts["ignored"] += 1
                continue
            label = item.get("group")
            added.append((suggestion, label if isinstance(label, str) and label else None))
        counts["added"] = len(added)
        applied = sum(counts[k] for k in _COUNTS if k != "ignored")
        if items and not applied:
            raise ReviewNonsense(
                f"none of the model's {len(items)} operations could be applied "
                "(unknown ids, text not in the message, or not the JSON asked for)"
            )
        grouped = _branch_points(self._grouped(kept, added), self.reshaped)
        sure = [s for s in self.found if s.confidence >= SURE]
        if sure and not grouped:
            raise ReviewNonsense(
                "the model's answer leaves no branch point, where the patterns are sure of "
                f"{len(sure)} suggestion{'s' if len(sure) > 1 else ''} (confidence ≥ {SURE})"
            )
        self.review.suggestions = resolve_overlaps(_with_options(grouped, self.touched))
        return self.review

    def _claim(self, ident: Any) -> Suggestion:
        if not isinstance(ident, str) or ident not in self.by_id or ident in self.taken:
            raise _Ignored
        return self.by_id[ident]

    def _reject(self, item: dict[str, Any]) -> None:
        base = self._claim(item.get("id"))
        self.taken.add(base.id)
        self.touched.add(_group_of(base).id)
        self.reshaped.add(_group_of(base).id)
        self.review.counts["rejected"] += 1

    def _confirm(self, item: dict[str, Any]) -> None:
        base = self._claim(item.get("id"))
        model = _as_confidence(item.get("confidence"))
        title = _text_field(item.get("title"), base.title, MAX_TITLE)
        self.taken.add(base.id)
        if title != base.title:
            self.touched.add(_group_of(base).id)
        self.out.append(
            replace(
                base,
                confidence=base.confidence
                if model is None
                else _cap((base.confidence + model) / 2),
                title=title,
                description=_text_field(
                    item.get("description"), base.description, _MAX_DESCRIPTION
                ),
                divergence=_divergence(item.get("estimatedDivergence"), base.divergence),
                reasoning=_reasoned(base.reasoning, "confirmed by the model", item),
                source="hybrid",
            )
        )
        self.review.counts["confirmed"] += 1

    def _split(self, item: dict[str, Any]) -> None:
        base = self._claim(item.get("id"))
        parts = item.get("into", item.get("parts"))
        if not isinstance(parts, list) or not 2 <= len(parts) <= MAX_PARTS:
            raise _Ignored
        made: list[Suggestion] = []
        cursor = base.start
        for part in parts:
            trigger = part.get("triggerText") if isinstance(part, dict) else None
            if not isinstance(trigger, str) or not trigger.strip():
                raise _Ignored
            trigger = trigger.strip()
            start = self.text.find(trigger, cursor, base.end)
            if start == -1:
                raise _Ignored  # outside the suggestion, out of order, or overlapping
            end = cursor = start + len(trigger)
            model = _as_confidence(part.get("confidence"))
            made.append(
                replace(
                    base,
                    start=start,
                    end=end,
                    trigger=trigger,
                    confidence=base.confidence
                    if model is None
                    else _cap((base.confidence + model) / 2),
                    title=_text_field(part.get("title"), _title(trigger), MAX_TITLE),
                    description=_text_field(
                        part.get("description"), base.description, _MAX_DESCRIPTION
                    ),
                    reasoning=_reasoned(base.reasoning, "split by the model", item),
                    group=_group_of(base),
                    source="hybrid",
                )
            )
        self.taken.add(base.id)
        self.touched.add(_group_of(base).id)
        self.out.extend(made)
        self.review.counts["split"] += 1

    def _merge(self, item: dict[str, Any]) -> None:
        ids = item.get("ids")
        if not isinstance(ids, list) or not 2 <= len(ids) <= MAX_PARTS:
            raise _Ignored
        if any(not isinstance(i, str) for i in ids) or len(set(ids)) != len(ids):
            raise _Ignored
        members = sorted((self._claim(i) for i in ids), key=lambda s: s.start)
        start, end = members[0].start, max(s.end for s in members)
        inside = [s for s in self.found if s.id not in ids and s.start < end and s.end > start]
        if inside:
            raise _Ignored
        groups = {_group_of(s) for s in members}
        group = (
            groups.pop()
            if len(groups) == 1
            else Group(members[0].kind, start, end, self.text[start:end])
        )
        strongest = max(s.confidence for s in members)
        model = _as_confidence(item.get("confidence"))
        title = " and ".join(s.title for s in members)
        self.taken.update(ids)
        self.touched.update(_group_of(s).id for s in members)
        self.reshaped.update(_group_of(s).id for s in members)
        self.reshaped.add(group.id)
        self.out.append(
            replace(
                members[0],
                start=start,
                end=end,
                trigger=self.text[start:end],
                confidence=strongest if model is None else _cap((strongest + model) / 2),
                title=_text_field(item.get("title"), _title(title), MAX_TITLE),
                description=_text_field(
                    item.get("description"), members[0].description, _MAX_DESCRIPTION
                ),
                reasoning=_reasoned(members[0].reasoning, "merged by the model", item),
                group=group,
                source="hybrid",
            )
        )
        self.review.counts["merged"] += 1

    def _add(self, item: dict[str, Any], kept: list[Suggestion]) -> Suggestion:
        trigger = item.get("triggerText")
        if not isinstance(trigger, str) or len(trigger.strip()) < 2:
            raise _Ignored
        trigger = trigger.strip()
        if any(s.trigger == trigger for s in kept):
            raise _Ignored  # an option named twice
        taken = [(s.start, s.end) for s in kept]
        start = self.text.find(trigger)
        for _ in range(_MAX_OCCURRENCES):
            if start == -1:
                break
            end = start + len(trigger)
            if all(end <= a or start >= b for a, b in taken):
                break
            start = self.text.find(trigger, start + 1)
        else:
            start = -1
        if start == -1:
            raise _Ignored
        kind = item.get("type", item.get("kind"))
        model = _as_confidence(item.get("confidence"))
        return Suggestion(
            kind=kind if kind in KINDS else "directive",
            start=start,
            end=start + len(trigger),
            trigger=trigger,
            confidence=_cap(0.9 * (ADDED_DEFAULT if model is None else model)),
            title=_text_field(item.get("title"), _title(trigger), MAX_TITLE),
            description=_text_field(
                item.get("description"), "An option the model found.", _MAX_DESCRIPTION
            ),
            reasoning=_reasoned("Found by the model; no pattern matched it", "", item),
            divergence=_divergence(item.get("estimatedDivergence"), "medium"),
            source="llm",
        )

    def _grouped(
        self, kept: list[Suggestion], added: list[tuple[Suggestion, str | None]]
    ) -> list[Suggestion]:
        """``kept`` and the additions, each in the group it named: an existing group
        (widened to hold it), a new one shared with the additions of the same name, or
        one of its own."""
        existing = {_group_of(s).id: _group_of(s) for s in kept}
        labelled: dict[str, list[Suggestion]] = {}
        for suggestion, label in added:
            labelled.setdefault(label or suggestion.id, []).append(suggestion)
        regroup: dict[str, Group] = {}  # old group id -> its widened group
        placed: list[Suggestion] = []
        for label, members in labelled.items():
            base = existing.get(label)
            if base is not None:
                start = min(base.start, *(s.start for s in members))
                end = max(base.end, *(s.end for s in members))
                group = Group(base.kind, start, end, self.text[start:end])
                regroup[base.id] = group
                self.touched.add(group.id)
                self.reshaped.add(group.id)
                placed.extend(replace(s, kind=base.kind, group=group) for s in members)
                continue
            start, end = min(s.start for s in members), max(s.end for s in members)
            group = Group(members[0].kind, start, end, self.text[start:end])
            self.touched.add(group.id)
            self.reshaped.add(group.id)
            placed.extend(replace(s, kind=group.kind, group=group) for s in members)
        moved = [
            replace(s, group=regroup[_group_of(s).id]) if _group_of(s).id in regroup else s
            for s in kept
        ]
        return moved + placed


def _operation(item: Any) -> str | None:
    """The operation an answer's item asks for; its ``op``, else inferred from its
    fields (models often leave it out); None when it is no operation."""
    if not isinstance(item, dict):
        return None
    op = item.get("op", item.get("operation"))
    if op is not None:
        op = op.strip().lower() if isinstance(op, str) else None
        return op if op in _OPERATIONS else None
    if "ids" in item:
        return "merge"
    if "into" in item or "parts" in item:
        return "split"
    if item.get("keep") is False:
        return "reject"
    if isinstance(item.get("id"), str):
        return "confirm"
    return "add" if "triggerText" in item else None


def _branch_points(found: list[Suggestion], reshaped: set[str]) -> list[Suggestion]:
    """``found`` without the groups the review left with a single option: one way
    forward is no branch point."""
    sizes: dict[str, int] = {}
    for s in found:
        sizes[_group_of(s).id] = sizes.get(_group_of(s).id, 0) + 1
    return [s for s in found if _group_of(s).id not in reshaped or sizes[_group_of(s).id] > 1]


def _with_options(found: Iterable[Suggestion], touched: set[str]) -> list[Suggestion]:
    """Each suggestion of a group the review changed lists that group's options anew."""
    members: dict[str, list[Suggestion]] = {}
    for s in found:
        members.setdefault(_group_of(s).id, []).append(s)
    out = []
    for group_id, group in members.items():
        if group_id in touched:
            titles = tuple(s.title for s in sorted(group, key=lambda s: s.start))
            group = [replace(s, options=titles) for s in group]
        out.extend(group)
    return out


def _group_of(suggestion: Suggestion) -> Group:
    return suggestion.group or Group(
        suggestion.kind, suggestion.start, suggestion.end, suggestion.trigger
    )


def _as_confidence(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    if 1 < value <= 100:
        value /= 100  # a percentage
    return value if 0 <= value <= 1 else None


def _text_field(value: Any, default: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip() or "\x00" in value:
        return default
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _reasoned(reasoning: str, what: str, item: dict[str, Any]) -> str:
    """``reasoning`` with what the model did, and its reason when it gave one."""
    reason = _text_field(item.get("reason"), "", _MAX_REASON)
    said = ": ".join(part for part in (what, reason) if part)
    return "; ".join(part for part in (reasoning, said) if part)


def _divergence(value: Any, default: str) -> str:
    return value if value in ("low", "medium", "high") else default
