"""The prompt that asks a summarizer model for the same summary the extractive one
writes: the same facts kept, the same layout."""

from __future__ import annotations

from collections.abc import Sequence

from .layout import OPEN_QUESTIONS_HEADER, _label


def summary_prompt(
    turns: Sequence[tuple[str, str]], *, previous: str | None, max_tokens: int
) -> list[tuple[str, str]]:
    """The (role, content) messages asking a summarizer model for a checkpoint summary."""
    instruction = (
        "You write the running summary of a conversation, which replaces the messages it "
        "covers in the model's context. Keep, exactly as written: names of people, "
        "companies, places and products; numbers (amounts, prices, dates, versions, "
        "quantities, percentages); every decision made (what was decided or agreed, and "
        "by whom); and open questions that no later message answers. Keep every fact of "
        "the previous summary unless a later message changes it. Prefer what the user "
        "stated; drop greetings, filler and general advice. Write plain text lines "
        "beginning 'User:' or 'Assistant:', in conversation order, then, if any remain, "
        f"a final '{OPEN_QUESTIONS_HEADER}' section with one '- ' item each. Use at most "
        f"{max_tokens} tokens. Reply with the summary only."
    )
    transcript = "\n\n".join(
        f"{_label((role or '').lower()) or 'Message'}: {content.strip()}"
        for role, content in turns
        if content and content.strip()
    )
    parts = []
    if previous and previous.strip():
        parts.append(f"Previous summary:\n{previous.strip()}")
    parts.append(f"New messages:\n{transcript}" if transcript else "New messages: (none)")
    return [("system", instruction), ("user", "\n\n".join(parts))]
