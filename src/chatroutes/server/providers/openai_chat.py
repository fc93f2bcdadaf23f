"""The OpenAI Chat Completions protocol (OpenAI, Groq, OpenRouter, Ollama, vLLM…)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx

from ..domain.context_assembly import ChatMessage
from ..domain.errors import ProviderError
from ._transport import open_event_stream, post_json
from .base import (
    Completion,
    CompletionRequest,
    Reasoning,
    StreamCut,
    Tool,
    ToolCall,
    ToolCallBuilder,
    ToolRound,
    parse_arguments,
)


def _openai_message(message: ChatMessage) -> dict[str, Any]:
    """Text as a string; with images, a text part and ``image_url`` parts (data URLs, or
    the addresses given); an assistant turn's tool calls, a tool's answer's call id."""
    if message.tool_calls:
        return {
            "role": "assistant",
            "content": message.content or None,
            "tool_calls": [_openai_call(call) for call in message.tool_calls],
        }
    if message.tool_call_id is not None:
        return {"role": "tool", "tool_call_id": message.tool_call_id, "content": message.content}
    if not message.images:
        return {"role": message.role, "content": message.content}
    parts: list[dict[str, Any]] = [{"type": "text", "text": message.content}]
    for image in message.images:
        url = image.url or f"data:{image.mime_type};base64,{image.data}"
        parts.append({"type": "image_url", "image_url": {"url": url}})
    return {"role": message.role, "content": parts}


def _openai_call(call: ToolCall) -> dict[str, Any]:
    arguments = json.dumps(call.arguments)
    return {
        "id": call.id,
        "type": "function",
        "function": {"name": call.name, "arguments": arguments},
    }


def _openai_tool_choice(choice: str) -> object:
    if choice in ("auto", "none", "required"):
        return choice
    return {"type": "function", "function": {"name": choice}}


def _openai_tool(tool: Tool) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": tool.name,
            "description": tool.description,
            "parameters": tool.parameters,
        },
    }


def _round_messages(turn: ToolRound) -> list[dict[str, Any]]:
    """The assistant turn that called tools, then one ``tool`` message per answer."""
    calls = [_openai_call(call) for call in turn.calls]
    messages: list[dict[str, Any]] = [
        {"role": "assistant", "content": turn.text or None, "tool_calls": calls}
    ]
    for call, result in zip(turn.calls, turn.results, strict=True):
        messages.append({"role": "tool", "tool_call_id": call.id, "content": result})
    return messages


def _tool_calls(message: dict[str, Any]) -> tuple[ToolCall, ...]:
    calls = []
    for call in message.get("tool_calls") or []:
        function = call.get("function") or {}
        arguments = function.get("arguments")
        calls.append(
            ToolCall(
                str(call.get("id") or ""),
                str(function.get("name") or ""),
                parse_arguments(arguments if isinstance(arguments, str) else ""),
            )
        )
    return tuple(calls)


def _add_tool_deltas(builders: dict[int, ToolCallBuilder], deltas: Any) -> None:
    """Streamed tool calls come in pieces keyed by index: the id and name, then arguments."""
    for delta in deltas if isinstance(deltas, list) else []:
        builder = builders.setdefault(int(delta.get("index") or 0), ToolCallBuilder())
        builder.id = delta.get("id") or builder.id
        function = delta.get("function") or {}
        builder.name = function.get("name") or builder.name
        if isinstance(function.get("arguments"), str):
            builder.arguments.append(function["arguments"])


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
        messages = [_openai_message(m) for m in request.messages]
        for turn in request.tool_rounds:
            messages += _round_messages(turn)
        body: dict[str, object] = {
            "model": request.model,
            "messages": messages,
            "max_tokens": request.max_tokens,
        }
        if request.temperature is not None:
            body["temperature"] = request.temperature
        if request.tools:
            body["tools"] = [_openai_tool(tool) for tool in request.tools]
            body["tool_choice"] = _openai_tool_choice(request.tool_choice)
        sampling = request.sampling
        for name, value in (
            ("top_p", sampling.top_p),
            ("seed", sampling.seed),
            ("response_format", sampling.response_format),
            ("user", sampling.user),
            ("stop", list(sampling.stop) or None),
            ("parallel_tool_calls", sampling.parallel_tool_calls if request.tools else None),
            ("frequency_penalty", sampling.frequency_penalty),
            ("presence_penalty", sampling.presence_penalty),
            ("reasoning_effort", sampling.reasoning_effort),
        ):
            if value is not None:
                body[name] = value
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
                tool_calls=_tool_calls(choice["message"]),
            )
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise ProviderError(
                f"{self.name} sent a response that is not a chat completion",
                details={"provider": self.name},
            ) from exc

    async def stream(
        self, request: CompletionRequest
    ) -> AsyncIterator[str | Reasoning | Completion]:
        """The reply as it streams; it is finished once a choice has a ``finish_reason``.

        A stream that ends with none (``[DONE]`` or not) was cut: ``StreamCut``. One that
        ends after its ``finish_reason`` but before its usage chunk and ``[DONE]`` has its
        whole text and is a reply, its usage left at 0 (the caller estimates it).
        """
        body = self._body(request) | {"stream": True, "stream_options": {"include_usage": True}}
        parts: list[str] = []
        usage: dict[str, int] = {}
        finish_reason: str | None = None
        model = request.model
        builders: dict[int, ToolCallBuilder] = {}
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
                    _add_tool_deltas(builders, delta.get("tool_calls"))
                    finish_reason = choice.get("finish_reason") or finish_reason
            completion = Completion(
                content="".join(parts),
                prompt_tokens=int(usage.get("prompt_tokens", 0)),
                completion_tokens=int(usage.get("completion_tokens", 0)),
                finish_reason=finish_reason or "error",
                model=model,
                tool_calls=tuple(builders[i].build() for i in sorted(builders)),
            )
            if finish_reason is None:  # raised within the call: it counts as a failed one
                raise StreamCut(self.name, completion)
        yield completion
