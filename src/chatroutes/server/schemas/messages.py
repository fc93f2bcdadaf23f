from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from .common import WireModel
from .conversations import MaxTokens, Temperature

# The documented limit on one message, in characters (CHATROUTES_MAX_CONTENT_CHARS
# can lower it further at run time).
MAX_CONTENT_CHARS = 100_000


def _no_nul(value: str) -> str:
    """PostgreSQL text cannot hold NUL; refuse it on every backend alike."""
    if "\x00" in value:
        raise ValueError("must not contain NUL (\\u0000) characters")
    return value


Content = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_CONTENT_CHARS), AfterValidator(_no_nul)
]
Id = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class MessageSend(WireModel):
    content: Content
    model: str | None = None
    temperature: Temperature | None = None
    max_tokens: MaxTokens | None = None
    branch_id: Id | None = None
    parent_message_id: Id | None = None


class MessageEdit(WireModel):
    content: Content
