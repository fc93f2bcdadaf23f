from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from .common import NoNul, WireModel
from .conversations import MaxTokens, Temperature

# The documented limit on one message, in characters (CHATROUTES_MAX_CONTENT_CHARS
# can lower it further at run time).
MAX_CONTENT_CHARS = 100_000


Content = Annotated[str, StringConstraints(min_length=1, max_length=MAX_CONTENT_CHARS), NoNul]
Id = Annotated[str, StringConstraints(min_length=1, max_length=64), NoNul]


class MessageSend(WireModel):
    content: Content
    model: Annotated[str, NoNul] | None = None
    temperature: Temperature | None = None
    max_tokens: MaxTokens | None = None
    branch_id: Id | None = None
    parent_message_id: Id | None = None


class MessageEdit(WireModel):
    content: Content
