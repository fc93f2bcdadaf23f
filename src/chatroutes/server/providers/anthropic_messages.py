"""The Anthropic Messages protocol."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx

from ..domain.context_assembly import ChatMessage, ImagePart
from ..domain.errors import ProviderError
from ._transport import open_event_stream, post_json
from .base import (
    Completion,
    CompletionRequest,
    Reasoning,
    StreamCut,
    ToolCall,
    ToolCallBuilder,
    ToolRound,
    parse_arguments,
)

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
        role = "user" if message.role == "tool" else message.role  # results go in user turns
        if turns and turns[-1]["role"] == role:
            previous = turns[-1]["content"]
            if isinstance(previous, str) and isinstance(content, str):
                turns[-1]["content"] = previous + "\n\n" + content
            else:
                turns[-1]["content"] = _blocks(previous) + _blocks(content)
        else:
            turns.append({"role": role, "content": content})
    if turns and turns[0]["role"] != "user":
        turns.insert(0, {"role": "user", "content": "(conversation continues)"})
    return system, turns


def _anthropic_content(message: ChatMessage) -> str | list[dict[str, Any]]:
    if message.tool_call_id is not None:  # a tool's answer
        return [
            {"type": "tool_result", "tool_use_id": message.tool_call_id, "content": message.content}
        ]
    if message.tool_calls:  # an assistant turn that called tools
        text = [{"type": "text", "text": message.content}] if message.content else []
        return [
            *text,
            *(
                {"type": "tool_use", "id": c.id, "name": c.name, "input": c.arguments}
                for c in message.tool_calls
            ),
        ]
    if not message.images:
        return message.content
    blocks: list[dict[str, Any]] = [
        {"type": "image", "source": _image_source(image)} for image in message.images
    ]
    return [*blocks, {"type": "text", "text": message.content}]


def _image_source(image: ImagePart) -> dict[str, Any]:
    if image.url is not None:
        return {"type": "url", "url": image.url}
    return {"type": "base64", "media_type": image.mime_type, "data": image.data}


def _anthropic_tool_choice(choice: str) -> dict[str, Any]:
    """OpenAI's choices in Anthropic's terms: ``required`` is ``any``, a name is ``tool``."""
    if choice in ("auto", "none"):
        return {"type": choice}
    if choice == "required":
        return {"type": "any"}
    return {"type": "tool", "name": choice}


def _blocks(content: str | list[dict[str, Any]]) -> list[dict[str, Any]]:
    return content if isinstance(content, list) else [{"type": "text", "text": content}]


def _round_turns(turn: ToolRound) -> list[dict[str, Any]]:
    """The assistant turn that called tools (as sent, thinking included), then the answers."""
    blocks = list(turn.blocks) or [
        *([{"type": "text", "text": turn.text}] if turn.text else []),
        *(
            {"type": "tool_use", "id": c.id, "name": c.name, "input": c.arguments}
            for c in turn.calls
        ),
    ]
    results = [
        {"type": "tool_result", "tool_use_id": call.id, "content": result}
        for call, result in zip(turn.calls, turn.results, strict=True)
    ]
    return [{"role": "assistant", "content": blocks}, {"role": "user", "content": results}]


def _tool_calls(blocks: list[dict[str, Any]]) -> tuple[ToolCall, ...]:
    return tuple(
        ToolCall(str(b.get("id") or ""), str(b.get("name") or ""), b.get("input") or {})
        for b in blocks
        if b.get("type") == "tool_use"
    )


class _StreamedBlocks:
    """The content blocks of a streamed message, rebuilt from their start and delta events."""

    def __init__(self) -> None:
        self.blocks: dict[int, dict[str, Any]] = {}
        self.inputs: dict[int, ToolCallBuilder] = {}

    def start(self, index: int, block: dict[str, Any]) -> None:
        self.blocks[index] = dict(block)
        if block.get("type") == "tool_use":
            self.inputs[index] = ToolCallBuilder(str(block.get("id")), str(block.get("name")))

    def add(self, index: int, delta: dict[str, Any]) -> None:
        block = self.blocks.setdefault(index, {"type": "text", "text": ""})
        kind = delta.get("type")
        if kind == "thinking_delta":
            block["thinking"] = block.get("thinking", "") + str(delta.get("thinking") or "")
        elif kind == "signature_delta":
            block["signature"] = block.get("signature", "") + str(delta.get("signature") or "")
        elif kind == "text_delta":
            block["text"] = block.get("text", "") + str(delta.get("text") or "")
        elif kind == "input_json_delta" and index in self.inputs:
            self.inputs[index].arguments.append(str(delta.get("partial_json") or ""))

    def finish(self) -> tuple[tuple[ToolCall, ...], tuple[dict[str, Any], ...]]:
        """The tool calls and, when there are any, every block to send back with their answers."""
        for index, builder in self.inputs.items():
            self.blocks[index]["input"] = parse_arguments("".join(builder.arguments))
        blocks = [  # an empty text block is not sent back: the API refuses those
            self.blocks[i]
            for i in sorted(self.blocks)
            if self.blocks[i].get("type") != "text" or self.blocks[i].get("text")
        ]
        calls = _tool_calls(blocks)
        return calls, tuple(blocks) if calls else ()


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
        for turn in request.tool_rounds:
            turns += _round_turns(turn)
        body: dict[str, object] = {
            "model": request.model,
            "messages": turns,
            "max_tokens": request.max_tokens,
        }
        if system:
            body["system"] = system
        budget = request.thinking_budget
        if budget:  # thinking needs room beyond its budget, and the default temperature
            body["thinking"] = {"type": "enabled", "budget_tokens": budget}
            body["max_tokens"] = request.max_tokens + budget
        elif request.temperature is not None:
            body["temperature"] = min(request.temperature, 1.0)
        if request.tools:
            body["tools"] = [
                {"name": t.name, "description": t.description, "input_schema": t.parameters}
                for t in request.tools
            ]
            body["tool_choice"] = _anthropic_tool_choice(request.tool_choice)
        sampling = request.sampling
        if sampling.top_p is not None:
            body["top_p"] = sampling.top_p
        if sampling.stop:
            body["stop_sequences"] = list(sampling.stop)
        if sampling.user is not None:
            body["metadata"] = {"user_id": sampling.user}
        return body

    async def complete(self, request: CompletionRequest) -> Completion:
        response = await post_json(
            self.name, self._client, self._url, self._body(request), self._headers
        )
        try:
            data = response.json()
            blocks = data["content"]
            text = "".join(block.get("text", "") for block in blocks if block.get("type") == "text")
            calls = _tool_calls(blocks)
            usage = data.get("usage") or {}
            return Completion(
                content=text,
                prompt_tokens=int(usage.get("input_tokens", 0)),
                completion_tokens=int(usage.get("output_tokens", 0)),
                finish_reason=_finish_reason(data.get("stop_reason")),
                model=data.get("model") or request.model,
                tool_calls=calls,
                blocks=tuple(blocks) if calls else (),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ProviderError(
                f"{self.name} sent a response that is not a message",
                details={"provider": self.name},
            ) from exc

    async def stream(
        self, request: CompletionRequest
    ) -> AsyncIterator[str | Reasoning | Completion]:
        """The reply as it streams; it is finished by ``message_stop``, or once a
        ``message_delta`` has given its ``stop_reason`` (and its usage): a stream ended
        after that has its whole text. Ended before both, it was cut: ``StreamCut``."""
        body = self._body(request) | {"stream": True}
        parts: list[str] = []
        prompt_tokens = completion_tokens = 0
        stop_reason: str | None = None
        model = request.model
        blocks = _StreamedBlocks()
        stopped = False  # message_stop arrived
        async with open_event_stream(
            self.name, self._client, self._url, body, self._headers
        ) as events:
            async for event in events:
                kind = event.get("type")
                if kind == "message_start":
                    message = event.get("message") or {}
                    model = message.get("model") or model
                    prompt_tokens = int((message.get("usage") or {}).get("input_tokens", 0))
                elif kind == "content_block_start":
                    blocks.start(int(event.get("index") or 0), event.get("content_block") or {})
                elif kind == "content_block_delta":
                    delta = event.get("delta") or {}
                    blocks.add(int(event.get("index") or 0), delta)
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
                    stopped = True
                    break
            if not stopped and stop_reason is None:  # raised within the call: a failed one
                raise StreamCut(
                    self.name,
                    Completion(
                        content="".join(parts),
                        prompt_tokens=prompt_tokens,
                        completion_tokens=completion_tokens,
                        finish_reason="error",
                        model=model,
                    ),
                )
        calls, sent = blocks.finish()
        yield Completion(
            content="".join(parts),
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            finish_reason=_finish_reason(stop_reason),
            model=model,
            tool_calls=calls,
            blocks=sent,
        )


_FINISH = {
    "end_turn": "stop",
    "max_tokens": "length",
    "stop_sequence": "stop",
    "tool_use": "tool_calls",
}


def _finish_reason(stop_reason: str | None) -> str:
    """Anthropic's ``stop_reason`` in OpenAI's words; one it has none for, as it is."""
    if not stop_reason:
        return "stop"
    return _FINISH.get(stop_reason, stop_reason)
