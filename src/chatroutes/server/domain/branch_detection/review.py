"""Hybrid detection: a language model reviews the pattern candidates.

All pure: ``review_prompt`` builds the request, ``parse_review`` reads the answer
(``ReviewUnreadable`` when it holds no usable JSON), ``apply_review`` merges the
verdicts into the candidates. The service makes the call.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .selection import resolve_overlaps
from .suggestion import KINDS, Suggestion, _cap
from .text import MAX_TITLE, _title

REVIEW_FLOOR = 0.4  # candidates this weak are still shown to the reviewing model
_MAX_REVIEW_TEXT = 12_000


def review_prompt(text: str, found: Sequence[Suggestion], count: int) -> list[tuple[str, str]]:
    """(role, content) turns asking a model to confirm, add and rank branch points."""
    listed = [
        {"id": s.id, "kind": s.kind, "triggerText": s.trigger, "confidence": s.confidence}
        for s in found
    ]
    system = (
        "You find branch points in a chat message: places where the conversation could "
        "usefully split into separate threads (alternatives to weigh, a comparison, "
        "conditional scenarios, open requests for ideas, or several distinct questions). "
        "A numbered list of steps for one procedure, an idiom ('more or less'), a rhetorical "
        "question or code is NOT a branch point. Answer with JSON only, no prose."
    )
    snippet = text if len(text) <= _MAX_REVIEW_TEXT else text[:_MAX_REVIEW_TEXT]
    user = (
        f"Message:\n<<<\n{snippet}\n>>>\n\n"
        f"Candidates found by pattern matching:\n{json.dumps(listed, ensure_ascii=False)}\n\n"
        "Reply with this JSON object:\n"
        '{"suggestions": [{"id": "<candidate id, or null for a new one>", '
        '"keep": true, "triggerText": "<exact substring of the message>", '
        '"title": "<short title>", "description": "<one sentence>", '
        '"confidence": 0.0, "estimatedDivergence": "low|medium|high"}]}\n'
        f"Mark rejected candidates with keep=false. Rank the best {count} first."
    )
    return [("system", system), ("user", user)]


class ReviewUnreadable(ValueError):
    """The model's answer held no usable JSON."""


def parse_review(answer: str) -> list[dict[str, Any]]:
    """The list of suggestion objects in a model's answer, however it was wrapped."""
    cleaned = re.sub(r"```(?:json)?", "", answer).strip()
    data: Any = None
    # Whichever of an object or an array opens first is the answer's JSON.
    pairs = sorted(
        (("{", "}"), ("[", "]")),
        key=lambda pair: cleaned.find(pair[0]) if pair[0] in cleaned else len(cleaned),
    )
    for opener, closer in pairs:
        first, last = cleaned.find(opener), cleaned.rfind(closer)
        if first != -1 and last > first:
            try:
                data = json.loads(cleaned[first : last + 1])
                break
            except ValueError:
                continue
    if isinstance(data, dict):
        data = data.get("suggestions", data.get("branchPoints"))
    if not isinstance(data, list):
        raise ReviewUnreadable("the model's answer was not the JSON asked for")
    return [item for item in data if isinstance(item, dict)]


@dataclass
class Review:
    suggestions: list[Suggestion] = field(default_factory=list)
    confirmed: int = 0
    rejected: int = 0
    added: int = 0


def apply_review(text: str, found: Sequence[Suggestion], items: Sequence[dict[str, Any]]) -> Review:
    """Merge a model's verdicts into the pattern candidates.

    A confirmed candidate's confidence is the mean of both; a rejected one is dropped;
    one the model did not mention keeps 90% of its own. A new one is kept only if its
    ``triggerText`` is found in ``text`` (its span is where it first occurs).
    """
    by_id = {s.id: s for s in found}
    review = Review()
    seen: set[str] = set()
    merged: list[Suggestion] = []
    for item in items:
        ident = item.get("id")
        verdict = item.get("keep", True)
        llm_conf = _as_confidence(item.get("confidence"))
        if isinstance(ident, str) and ident in by_id:
            if ident in seen:
                continue
            seen.add(ident)
            if verdict is False:
                review.rejected += 1
                continue
            base = by_id[ident]
            review.confirmed += 1
            confidence = base.confidence if llm_conf is None else (base.confidence + llm_conf) / 2
            merged.append(
                replace(
                    base,
                    confidence=_cap(max(confidence, base.confidence * 0.9)),
                    title=_text_field(item.get("title"), base.title, MAX_TITLE),
                    description=_text_field(item.get("description"), base.description, 500),
                    divergence=_divergence(item.get("estimatedDivergence"), base.divergence),
                    reasoning=base.reasoning + "; confirmed by the model",
                    source="hybrid",
                )
            )
            continue
        trigger = item.get("triggerText")
        if verdict is False or not isinstance(trigger, str) or not trigger.strip():
            continue
        start = text.find(trigger.strip())
        if start == -1:
            continue
        end = start + len(trigger.strip())
        review.added += 1
        merged.append(
            Suggestion(
                kind=str(item["kind"]) if item.get("kind") in KINDS else "directive",
                start=start,
                end=end,
                trigger=text[start:end],
                confidence=_cap(0.9 * (llm_conf if llm_conf is not None else 0.75)),
                title=_text_field(item.get("title"), _title(text[start:end]), MAX_TITLE),
                description=_text_field(
                    item.get("description"), "A branch point the model found.", 500
                ),
                reasoning="Found by the model; no pattern matched it",
                divergence=_divergence(item.get("estimatedDivergence"), "medium"),
                source="llm",
            )
        )
    for suggestion in found:
        if suggestion.id not in seen:
            merged.append(replace(suggestion, confidence=_cap(suggestion.confidence * 0.9)))
    review.suggestions = resolve_overlaps(merged)
    return review


def _as_confidence(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    if value > 1 and value <= 100:
        value /= 100  # a percentage
    return value if 0 <= value <= 1 else None


def _text_field(value: Any, default: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip() or "\x00" in value:
        return default
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _divergence(value: Any, default: str) -> str:
    return value if value in ("low", "medium", "high") else default
