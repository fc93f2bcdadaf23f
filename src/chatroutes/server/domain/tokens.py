"""Offline token estimates, used where no provider reports usage."""

from __future__ import annotations

import re

_TOKEN = re.compile(r"\w+|[^\w\s]")


def estimate_tokens(text: str) -> int:
    """Words and punctuation marks: close to BPE counts for English prose."""
    return len(_TOKEN.findall(text))
