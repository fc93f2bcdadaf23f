"""The OpenAI Chat Completions protocol (OpenAI, Groq, OpenRouter, Ollama, vLLM…)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx

from ..domain.context import ChatMessage
from ..domain.errors import ProviderError
from ._transport import open_event_stream, post_json
from .base import Completion, CompletionRequest, Reasoning


def _openai_message(message: ChatMessage) -> dict[str, Any]:
    """Text as a string; with images, a text part and ``image_url`` data-URL parts."""
    if not message.images:
        return {"role": message.role, "content": message.content}
    parts: list[dict[str, Any]] = [{"type": "text", "text": message.content}]
    for image in message.images:
        url = f"data:{image.mime_type};base64,{image.data}"
        parts.append({"type": "image_url", "image_url": {"url": url}})
    return {"role": message.role, "content": parts}


def _reasoning_of(delta: dict[str, Any]) -> str | None:
    """The thinking in a stream delta, as compatible servers name it.

    DeepSeek and vLLM send ``reasoning_content``; OpenRouter, Groq and Ollama
    send ``reasoning``.
    """
    for key in ("reasoning_content", "reasoning"):
        value = delta.get(key)
        if isinstance(value, str) and value:
            return value
    return None


class OpenAIChatProvider:
    def __init__(self, name: str, base_url: str, api_key: str | None, client: httpx.AsyncClient):
        self.name = name
        self._url = base_url.rstrip("/") + "/chat/completions"
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = client

    def _body(self, request: CompletionRequest) -> dict[str, object]:
        body: dict[str, object] = {
            "model": request.model,
            "messages": [_openai_message(m) for m in request.messages],
            "max_tokens": request.max_tokens,
        }
        if request.temperature is not None:
            body["temperature"] = request.temperature
        return body

    async def complete(self, request: CompletionRequest) -> Completion:
        response = await post_json(
            self.name, self._client, self._url, self._body(request), self._headers
        )
        try:
            data = response.json()
            choice = data["choices"][0]
            usage = data.get("usage") or {}
            return Completion(
                content=choice["message"].get("content") or "",
                prompt_tokens=int(usage.get("prompt_tokens", 0)),
                completion_tokens=int(usage.get("completion_tokens", 0)),
                finish_reason=choice.get("finish_reason") or "stop",
                model=data.get("model") or request.model,
            )
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise ProviderError(
                f"{self.name} sent a response that is not a chat completion",
                details={"provider": self.name},
            ) from exc

    async def stream(
        self, request: CompletionRequest
    ) -> AsyncIterator[str | Reasoning | Completion]:
        body = self._body(request) | {"stream": True, "stream_options": {"include_usage": True}}
        parts: list[str] = []
        usage: dict[str, int] = {}
        finish_reason = "stop"
        model = request.model
        async with open_event_stream(
            self.name, self._client, self._url, body, self._headers
        ) as events:
            async for chunk in events:
                model = chunk.get("model") or model
                usage = chunk.get("usage") or usage
                for choice in chunk.get("choices") or []:
                    delta = choice.get("delta") or {}
                    thinking = _reasoning_of(delta)
                    if thinking:
                        yield Reasoning(thinking)
                    text = delta.get("content")
                    if isinstance(text, str) and text:
                        parts.append(text)
                        yield text
                    finish_reason = choice.get("finish_reason") or finish_reason
        yield Completion(
            content="".join(parts),
            prompt_tokens=int(usage.get("prompt_tokens", 0)),
            completion_tokens=int(usage.get("completion_tokens", 0)),
            finish_reason=finish_reason,
            model=model,
        )
