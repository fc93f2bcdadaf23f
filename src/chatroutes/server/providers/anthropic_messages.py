"""The Anthropic Messages protocol."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx

from ..domain.context import ChatMessage
from ..domain.errors import ProviderError
from ._transport import open_event_stream, post_json
from .base import Completion, CompletionRequest, Reasoning

ANTHROPIC_VERSION = "2023-06-01"


def to_anthropic_messages(messages: list[ChatMessage]) -> tuple[str | None, list[dict[str, Any]]]:
    """System prompts become the top-level field; same-role neighbours merge.

    The Messages API wants strictly alternating user/assistant turns that
    start with a user turn. A message with images becomes base64 image blocks
    followed by its text block.
    """
    system = "\n\n".join(m.content for m in messages if m.role == "system") or None
    turns: list[dict[str, Any]] = []
    for message in messages:
        if message.role == "system":
            continue
        content = _anthropic_content(message)
        if turns and turns[-1]["role"] == message.role:
            previous = turns[-1]["content"]
            if isinstance(previous, str) and isinstance(content, str):
                turns[-1]["content"] = previous + "\n\n" + content
            else:
                turns[-1]["content"] = _blocks(previous) + _blocks(content)
        else:
            turns.append({"role": message.role, "content": content})
    if turns and turns[0]["role"] != "user":
        turns.insert(0, {"role": "user", "content": "(conversation continues)"})
    return system, turns


def _anthropic_content(message: ChatMessage) -> str | list[dict[str, Any]]:
    if not message.images:
        return message.content
    blocks: list[dict[str, Any]] = [
        {
            "type": "image",
            "source": {"type": "base64", "media_type": image.mime_type, "data": image.data},
        }
        for image in message.images
    ]
    return [*blocks, {"type": "text", "text": message.content}]


def _blocks(content: str | list[dict[str, Any]]) -> list[dict[str, Any]]:
    return content if isinstance(content, list) else [{"type": "text", "text": content}]


class AnthropicMessagesProvider:
    def __init__(self, name: str, base_url: str, api_key: str | None, client: httpx.AsyncClient):
        self.name = name
        self._url = base_url.rstrip("/") + "/v1/messages"
        self._headers = {"anthropic-version": ANTHROPIC_VERSION}
        if api_key:
            self._headers["x-api-key"] = api_key
        self._client = client

    def _body(self, request: CompletionRequest) -> dict[str, object]:
        system, turns = to_anthropic_messages(request.messages)
        body: dict[str, object] = {
            "model": request.model,
            "messages": turns,
            "max_tokens": request.max_tokens,
        }
        if system:
            body["system"] = system
        if request.temperature is not None:
            body["temperature"] = min(request.temperature, 1.0)
        return body

    async def complete(self, request: CompletionRequest) -> Completion:
        response = await post_json(
            self.name, self._client, self._url, self._body(request), self._headers
        )
        try:
            data = response.json()
            text = "".join(
                block.get("text", "") for block in data["content"] if block.get("type") == "text"
            )
            usage = data.get("usage") or {}
            return Completion(
                content=text,
                prompt_tokens=int(usage.get("input_tokens", 0)),
                completion_tokens=int(usage.get("output_tokens", 0)),
                finish_reason=_FINISH.get(
                    data.get("stop_reason"), data.get("stop_reason") or "stop"
                ),
                model=data.get("model") or request.model,
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ProviderError(
                f"{self.name} sent a response that is not a message",
                details={"provider": self.name},
            ) from exc

    async def stream(
        self, request: CompletionRequest
    ) -> AsyncIterator[str | Reasoning | Completion]:
        body = self._body(request) | {"stream": True}
        parts: list[str] = []
        prompt_tokens = completion_tokens = 0
        stop_reason = None
        model = request.model
        async with open_event_stream(
            self.name, self._client, self._url, body, self._headers
        ) as events:
            async for event in events:
                kind = event.get("type")
                if kind == "message_start":
                    message = event.get("message") or {}
                    model = message.get("model") or model
                    prompt_tokens = int((message.get("usage") or {}).get("input_tokens", 0))
                elif kind == "content_block_delta":
                    delta = event.get("delta") or {}
                    if delta.get("type") == "thinking_delta":
                        thinking = delta.get("thinking")
                        if isinstance(thinking, str) and thinking:
                            yield Reasoning(thinking)
                        continue
                    text = delta.get("text")  # text_delta; signature and tool deltas have none
                    if isinstance(text, str) and text:
                        parts.append(text)
                        yield text
                elif kind == "message_delta":
                    stop_reason = (event.get("delta") or {}).get("stop_reason") or stop_reason
                    completion_tokens = int((event.get("usage") or {}).get("output_tokens", 0))
                elif kind == "error":
                    error = event.get("error") or {}
                    raise ProviderError(
                        f"{self.name} failed mid-stream: {error.get('message', 'unknown error')}",
                        details={"provider": self.name, "upstreamError": error.get("type")},
                    )
                elif kind == "message_stop":
                    break
        yield Completion(
            content="".join(parts),
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            finish_reason=_FINISH.get(stop_reason, stop_reason or "stop"),
            model=model,
        )


_FINISH = {"end_turn": "stop", "max_tokens": "length", "stop_sequence": "stop"}
