"""The send answer, shared by the JSON response and the stream's ``complete`` event."""

from __future__ import annotations

from typing import Any

from ..schemas.wire import branch_out, message_out
from ..services.messages import SendResult


def usage_out(prompt_tokens: int, completion_tokens: int) -> dict[str, int]:
    return {
        "promptTokens": prompt_tokens,
        "completionTokens": completion_tokens,
        "totalTokens": prompt_tokens + completion_tokens,
    }


def sent_data(result: SendResult) -> dict[str, Any]:
    completion = result.completion
    reply = message_out(result.assistant_message)
    data: dict[str, Any] = {
        "message": reply,
        "userMessage": message_out(result.user_message),
        "assistantMessage": reply,
        "usage": usage_out(completion.prompt_tokens, completion.completion_tokens),
        "model": result.model,
        "branchId": result.branch.id,
    }
    if result.forked:
        data["branch"] = branch_out(result.branch, result.branch_message_count)
    return data
