"""OpenAI's Chat Completions over the one send pipeline.

A request is checked (every refusal a 400 naming OpenAI's ``param``) and becomes a
``GivenContext`` send (``services/sending/given.py``): the caller's messages are the
context, nothing is read from a conversation, and unless ``store: true`` nothing but the
call's usage is written. ``n`` choices are ``n`` upstream calls, each reserved and
metered, reserved together before any of them starts. Any registry model answers,
whatever its protocol: the adapters translate roles, images, tools and sampling.

Defaults where OpenAI leaves a field out: ``max_completion_tokens`` is
``DEFAULT_MAX_TOKENS`` (within the model's limit), the temperature the provider's own.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import re
import time
from collections.abc import AsyncGenerator, AsyncIterator, Iterable
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any

from ..domain.context_assembly import ChatMessage, ImagePart, ToolCall
from ..domain.errors import InvalidRequest
from ..domain.ids import new_id
from ..providers.base import CompletionRequest, Sampling, Tool, parse_arguments
from ..providers.registry import ModelInfo
from ..schemas.openai.chat import (
    ChatChoice,
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionCreate,
    ChatToolCall,
    ChatUsage,
    chat_choice,
    chat_chunk,
    chat_completion,
    chat_tool_call,
    chat_usage,
    chunk_choice,
    finish_reason,
)
from .chat import IMAGE_TYPES
from .live import StreamEvent
from .sending import Call, GivenContext, GivenResult, KeyCredential, Sender, SendPipeline
from .server_context import ServerContext

DEFAULT_MAX_TOKENS = 4096
MAX_STOP_SEQUENCES = 4
MAX_METADATA_PAIRS, MAX_METADATA_KEY, MAX_METADATA_VALUE = 16, 64, 512
_ROLES = ("system", "developer", "user", "assistant", "tool")
_MESSAGE_FIELDS = {
    "system": {"role", "content", "name"},
    "developer": {"role", "content", "name"},
    "user": {"role", "content", "name"},
    "assistant": {"role", "content", "name", "tool_calls", "refusal"},
    "tool": {"role", "content", "tool_call_id"},
}
_PART_TYPES = {  # what each role's content parts may be
    "system": ("text",),
    "developer": ("text",),
    "user": ("text", "image_url"),
    "assistant": ("text", "refusal"),
    "tool": ("text",),
}
_TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_DATA_URL = re.compile(r"^data:([\w.+/-]+);base64,(.*)$", re.DOTALL)
_CHOICES = ("none", "auto", "required")


@dataclass(frozen=True)
class ChatExchange:
    """A checked request: the send it makes, how many choices, and how it is answered."""

    given: GivenContext
    choices: int
    stream: bool
    include_usage: bool


class OpenAIChatService:
    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx
        self.pipeline = SendPipeline(ctx)

    def exchange(self, body: ChatCompletionCreate) -> ChatExchange:
        """The request checked field by field, as the send it makes."""
        info = self.ctx.registry.find(body.model)  # unknown: 404 once the caller is admitted
        keep = bool(body.store)
        messages = [_message(i, raw, info, keep) for i, raw in enumerate(body.messages)]
        tools = _tools(body.tools, info)
        count = body.n or 1
        if count > 1 and keep:
            raise InvalidRequest("n: store is for one choice; send n=1 with store", field="n")
        if body.logprobs:
            raise InvalidRequest("logprobs: not available on this server", field="logprobs")
        if body.stream_options is not None and not body.stream:
            raise InvalidRequest(
                "stream_options: only allowed when stream is true", field="stream_options"
            )
        request = CompletionRequest(
            model=body.model,
            messages=messages,
            temperature=body.temperature,
            max_tokens=body.max_completion_tokens or body.max_tokens or DEFAULT_MAX_TOKENS,
            tools=tools,
            tool_choice=_tool_choice(body.tool_choice, tools),
            sampling=Sampling(
                top_p=body.top_p,
                stop=_stop(body.stop),
                seed=body.seed,
                response_format=_response_format(body.response_format),
                user=body.safety_identifier or body.user,
                parallel_tool_calls=body.parallel_tool_calls,
                frequency_penalty=body.frequency_penalty,
                presence_penalty=body.presence_penalty,
                reasoning_effort=body.reasoning_effort,
            ),
        )
        given = GivenContext(
            body.model,
            request,
            keep_as=new_id("conv") if keep else None,
            metadata=_metadata(body.metadata),
        )
        options = body.stream_options
        include_usage = bool(options and options.include_usage)
        return ChatExchange(given, count, bool(body.stream), include_usage)

    async def admit(self, sender: Sender | KeyCredential, exchange: ChatExchange) -> list[Call]:
        """The caller admitted and each choice's call reserved; refusals raise here."""
        return await self.pipeline.admit_given(sender, exchange.given, count=exchange.choices)

    async def complete(self, exchange: ChatExchange, calls: list[Call]) -> ChatCompletion:
        """Every choice's call at once; one failing, the first failure is raised (each
        settled on its own)."""
        outcomes = await asyncio.gather(
            *(self.pipeline.complete_given(call, exchange.given) for call in calls),
            return_exceptions=True,
        )
        failure = next((o for o in outcomes if isinstance(o, BaseException)), None)
        if failure is not None:
            raise failure
        results: list[GivenResult] = [o for o in outcomes if isinstance(o, GivenResult)]
        choices: list[ChatChoice] = [
            chat_choice(
                index,
                result.completion.content,
                _tool_calls_out(result.completion.tool_calls),
                finish_reason(result.completion.finish_reason),
            )
            for index, result in enumerate(results)
        ]
        return chat_completion(
            calls[0].reply_id, int(time.time()), results[0].model, choices, _usage(results)
        )

    async def chunks(
        self, exchange: ChatExchange, calls: list[Call]
    ) -> AsyncIterator[ChatCompletionChunk]:
        """OpenAI's chunk sequence: each choice's role, its text as it comes, its tool
        calls and ``finish_reason``; then, with ``include_usage``, the usage in a chunk
        of no choices. A failure raises where its chunk would have been."""
        completion_id, created = calls[0].reply_id, int(time.time())
        model = calls[0].info.name
        usage_too = exchange.include_usage

        def chunk(choices: list[Any], **usage: Any) -> ChatCompletionChunk:
            return chat_chunk(completion_id, created, model, choices, with_usage=usage_too, **usage)

        for index in range(len(calls)):
            yield chunk([chunk_choice(index, {"role": "assistant", "content": ""})])
        results: list[GivenResult] = []
        streams = [self.pipeline.stream_given(call, exchange.given) for call in calls]
        async for index, event in _merged(streams):
            if event.kind == "content":
                yield chunk([chunk_choice(index, {"content": event.text})])
                continue
            if event.kind != "complete":
                assert event.error is not None
                raise event.error
            result = event.result
            assert isinstance(result, GivenResult)
            results.append(result)
            model = result.model
            completion = result.completion
            calls_out = _tool_calls_out(completion.tool_calls)
            if calls_out:
                deltas = [{"index": i, **call} for i, call in enumerate(calls_out)]
                yield chunk([chunk_choice(index, {"tool_calls": deltas})])  # type: ignore[typeddict-item]
            reason = finish_reason(completion.finish_reason)
            yield chunk([chunk_choice(index, {}, reason)])
        if usage_too:
            yield chunk([], usage=_usage(results))


def kept_conversation(exchange: ChatExchange) -> str | None:
    """The id of the conversation that will keep the exchange (``store: true``)."""
    return exchange.given.keep_as


async def _merged(
    streams: list[AsyncGenerator[StreamEvent, None]],
) -> AsyncIterator[tuple[int, StreamEvent]]:
    """The events of every stream as they come, each with its stream's index; closed
    early, every stream is closed (and its call cancelled and settled)."""
    if len(streams) == 1:
        async with aclosing(streams[0]) as events:
            async for event in events:
                yield 0, event
        return
    queue: asyncio.Queue[tuple[int, StreamEvent | None]] = asyncio.Queue()

    async def pump(index: int, stream: AsyncGenerator[StreamEvent, None]) -> None:
        try:
            async with aclosing(stream) as events:
                async for event in events:
                    queue.put_nowait((index, event))
        finally:
            queue.put_nowait((index, None))

    pumps = [asyncio.ensure_future(pump(i, s)) for i, s in enumerate(streams)]
    try:
        running = len(pumps)
        while running:
            index, item = await queue.get()
            if item is None:
                running -= 1
                continue
            yield index, item
    finally:
        for task in pumps:
            task.cancel()


def _usage(results: Iterable[GivenResult]) -> ChatUsage:
    prompt = completion = 0
    for result in results:
        prompt += result.completion.prompt_tokens
        completion += result.completion.completion_tokens
    return chat_usage(prompt, completion)


def _tool_calls_out(calls: Iterable[ToolCall]) -> list[ChatToolCall]:
    return [chat_tool_call(c.id, c.name, json.dumps(c.arguments)) for c in calls]


def _message(index: int, raw: dict[str, Any], info: ModelInfo | None, keep: bool) -> ChatMessage:
    """One of the caller's messages, checked for its role."""
    where = f"messages[{index}]"
    role = raw.get("role")
    if role not in _ROLES:
        raise InvalidRequest(
            f"{where}.role: must be one of {', '.join(_ROLES)}", field=f"{where}.role"
        )
    for name in raw:
        if name not in _MESSAGE_FIELDS[role]:
            raise InvalidRequest(
                f"{where}.{name}: not a field of a {role} message", field=f"{where}.{name}"
            )
    content = raw.get("content")
    tool_calls = _tool_calls_in(where, raw.get("tool_calls")) if role == "assistant" else ()
    if content is None and not tool_calls:
        raise InvalidRequest(f"{where}.content: required", field=f"{where}.content")
    text, images = _content(where, role, content, info)
    if keep and "\x00" in text:
        raise InvalidRequest(
            f"{where}.content: must not contain NUL characters to be stored",
            field=f"{where}.content",
        )
    tool_call_id = None
    if role == "tool":
        tool_call_id = raw.get("tool_call_id")
        if not isinstance(tool_call_id, str) or not tool_call_id:
            raise InvalidRequest(
                f"{where}.tool_call_id: required, the id of the call it answers",
                field=f"{where}.tool_call_id",
            )
    return ChatMessage(
        "system" if role == "developer" else role,
        text,
        images=images,
        tool_calls=tool_calls,
        tool_call_id=tool_call_id,
    )


def _content(
    where: str, role: str, content: Any, info: ModelInfo | None
) -> tuple[str, tuple[ImagePart, ...]]:
    """A message's text and images: a string, or a list of parts of its role's kinds."""
    if content is None or isinstance(content, str):
        return content or "", ()
    if not isinstance(content, list) or not content:
        raise InvalidRequest(
            f"{where}.content: must be a string or a non-empty array of content parts",
            field=f"{where}.content",
        )
    texts: list[str] = []
    images: list[ImagePart] = []
    for number, part in enumerate(content):
        at = f"{where}.content[{number}]"
        kind = part.get("type") if isinstance(part, dict) else None
        if kind not in _PART_TYPES[role]:
            raise InvalidRequest(
                f"{at}.type: a {role} message's parts may be {', '.join(_PART_TYPES[role])}",
                field=f"{at}.type",
            )
        assert isinstance(part, dict)
        if kind == "image_url":
            images.append(_image(at, part.get("image_url"), info))
            continue
        value = part.get(kind)  # "text" or "refusal"
        if not isinstance(value, str):
            raise InvalidRequest(f"{at}.{kind}: must be a string", field=f"{at}.{kind}")
        texts.append(value)
    return "\n".join(texts), tuple(images)


def _image(at: str, image: Any, info: ModelInfo | None) -> ImagePart:
    """An ``image_url`` part: a base64 data URL of a supported type, or an http(s) address."""
    url = image.get("url") if isinstance(image, dict) else None
    if not isinstance(url, str):
        raise InvalidRequest(f"{at}.image_url.url: required", field=f"{at}.image_url.url")
    if info is not None and not info.vision:
        raise InvalidRequest(
            f"{at}: {info.name} does not accept images; choose a model with vision",
            field=f"{at}",
        )
    if url.startswith(("https://", "http://")):
        return ImagePart("", "", url=url)
    match = _DATA_URL.match(url)
    if match is None or match.group(1).lower() not in IMAGE_TYPES:
        raise InvalidRequest(
            f"{at}.image_url.url: an http(s) address or a base64 data URL of "
            f"{', '.join(IMAGE_TYPES)}",
            field=f"{at}.image_url.url",
        )
    try:
        base64.b64decode(match.group(2), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRequest(
            f"{at}.image_url.url: not valid base64", field=f"{at}.image_url.url"
        ) from None
    return ImagePart(match.group(1).lower(), match.group(2))


def _tool_calls_in(where: str, raw: Any) -> tuple[ToolCall, ...]:
    """An assistant message's tool calls, as the model made them."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise InvalidRequest(f"{where}.tool_calls: must be an array", field=f"{where}.tool_calls")
    calls = []
    for number, call in enumerate(raw):
        at = f"{where}.tool_calls[{number}]"
        function = call.get("function") if isinstance(call, dict) else None
        if not isinstance(call, dict) or call.get("type", "function") != "function":
            raise InvalidRequest(f"{at}.type: must be 'function'", field=f"{at}.type")
        if not isinstance(call.get("id"), str) or not call["id"]:
            raise InvalidRequest(f"{at}.id: required", field=f"{at}.id")
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            raise InvalidRequest(f"{at}.function.name: required", field=f"{at}.function.name")
        arguments = function.get("arguments", "")
        if not isinstance(arguments, str):
            raise InvalidRequest(
                f"{at}.function.arguments: must be a string of JSON",
                field=f"{at}.function.arguments",
            )
        calls.append(ToolCall(call["id"], function["name"], parse_arguments(arguments)))
    return tuple(calls)


def _tools(raw: list[dict[str, Any]] | None, info: ModelInfo | None) -> tuple[Tool, ...]:
    if not raw:
        return ()
    if info is not None and not info.tools:
        raise InvalidRequest(
            f"tools: {info.name} does not call tools; choose a model that does", field="tools"
        )
    tools = []
    for number, tool in enumerate(raw):
        at = f"tools[{number}]"
        if tool.get("type") != "function":
            raise InvalidRequest(f"{at}.type: must be 'function'", field=f"{at}.type")
        function = tool.get("function")
        if not isinstance(function, dict):
            raise InvalidRequest(f"{at}.function: required", field=f"{at}.function")
        name = function.get("name")
        if not isinstance(name, str) or not _TOOL_NAME.match(name):
            raise InvalidRequest(
                f"{at}.function.name: 1 to 64 letters, digits, underscores or dashes",
                field=f"{at}.function.name",
            )
        description = function.get("description", "")
        if not isinstance(description, str):
            raise InvalidRequest(
                f"{at}.function.description: must be a string", field=f"{at}.function.description"
            )
        parameters = function.get("parameters", {"type": "object", "properties": {}})
        if not isinstance(parameters, dict):
            raise InvalidRequest(
                f"{at}.function.parameters: must be a JSON schema object",
                field=f"{at}.function.parameters",
            )
        tools.append(Tool(name, description, parameters))
    return tuple(tools)


def _tool_choice(raw: Any, tools: tuple[Tool, ...]) -> str:
    """``none``, ``auto``, ``required``, or the name of the one function to call."""
    if raw is None:
        return "auto"
    if not tools:
        raise InvalidRequest("tool_choice: only allowed when tools are given", field="tool_choice")
    if isinstance(raw, str) and raw in _CHOICES:
        return raw
    function = raw.get("function") if isinstance(raw, dict) else None
    name = function.get("name") if isinstance(function, dict) else None
    if not isinstance(raw, dict) or raw.get("type") != "function" or not isinstance(name, str):
        raise InvalidRequest(
            "tool_choice: 'none', 'auto', 'required' or "
            '{"type": "function", "function": {"name": …}}',
            field="tool_choice",
        )
    if name not in {tool.name for tool in tools}:
        raise InvalidRequest(
            f"tool_choice: no tool named {name!r} in tools", field="tool_choice.function.name"
        )
    return name


def _stop(raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    sequences = [raw] if isinstance(raw, str) else raw
    if (
        not isinstance(sequences, list)
        or not 0 < len(sequences) <= MAX_STOP_SEQUENCES
        or not all(isinstance(s, str) and s for s in sequences)
    ):
        raise InvalidRequest(
            f"stop: a string or an array of 1 to {MAX_STOP_SEQUENCES} non-empty strings",
            field="stop",
        )
    return tuple(sequences)


def _response_format(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    """``{"type": "text"}`` (the default), ``json_object``, or ``json_schema`` with its
    ``json_schema.name``; sent to the protocols that take it."""
    if raw is None or raw.get("type") == "text":
        return None
    kind = raw.get("type")
    if kind == "json_object":
        return raw
    if kind != "json_schema":
        raise InvalidRequest(
            "response_format.type: 'text', 'json_object' or 'json_schema'",
            field="response_format.type",
        )
    schema = raw.get("json_schema")
    if not isinstance(schema, dict) or not isinstance(schema.get("name"), str):
        raise InvalidRequest(
            "response_format.json_schema.name: required", field="response_format.json_schema.name"
        )
    return raw


def _metadata(raw: dict[str, str] | None) -> dict[str, str]:
    if not raw:
        return {}
    if len(raw) > MAX_METADATA_PAIRS:
        raise InvalidRequest(f"metadata: at most {MAX_METADATA_PAIRS} pairs", field="metadata")
    for key, value in raw.items():
        if len(key) > MAX_METADATA_KEY or len(value) > MAX_METADATA_VALUE:
            raise InvalidRequest(
                f"metadata.{key}: keys up to {MAX_METADATA_KEY} characters, values up to "
                f"{MAX_METADATA_VALUE}",
                field=f"metadata.{key}",
            )
    return dict(raw)
