"""The send routes answered as plain ASGI, ahead of FastAPI's routing.

A send is the request the platform serves most, and FastAPI's per-request machinery
(matching the path against every route, solving the dependency tree, wrapping the
request and the response) cost it about 0.7 ms of the event loop's 3.8 ms of CPU per
send (``benchmarks/send_latency.py --profile py-spy``). This middleware, the innermost,
answers ``POST /api/v1/conversations/{conversation_id}/messages``, its
``/branches/{branch_id}/messages`` twin and the ``…/messages/stream`` pair with the very
pieces the FastAPI routes use (``deps.current_principal``, ``MessageSend``,
``messages.answer_send`` / ``answer_stream`` over the one ``SendPipeline``), its
failures answered by the app's own exception handlers. It only parses and answers HTTP:
a send made with an API key is handed to the pipeline with the key it carried
(``KeyCredential``), and the pipeline admits it in the question's own transaction when
the counters allow.

It takes only the common shape: a JSON content type, a body that is a JSON object, and
for a stream no ``Last-Event-ID`` (a resumption). Anything else goes on to the FastAPI
route, which stays the documented definition (OpenAPI) and the judge of odd input;
``tests/api/test_fast_send.py`` holds both to the same answers.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from ..domain.errors import ChatRoutesServerError
from ..schemas.messages import MessageSend
from ..services.sending import KeyCredential, Sender, SendPipeline, SendTarget
from .deps import API_KEY, ConversationID, credential, current_principal, note_principal, note_rate
from .messages import answer_send, answer_stream
from .middleware import read_body, replaying
from .router import api_router

_PREFIX = api_router.prefix  # the routes this middleware stands in for live under it
_ID = TypeAdapter(ConversationID)  # every id in these paths has the same constraints


Answer = Callable[
    [SendPipeline, Sender | KeyCredential, SendTarget, MessageSend], Awaitable[Response]
]


@dataclass(frozen=True)
class FastRoute:
    """A path this middleware answers; also the route label observability reads."""

    path_format: str
    path_regex: Any
    answer: Answer

    @classmethod
    def of(cls, template: str, answer: Answer) -> FastRoute:
        regex, path_format, _ = compile_path(_PREFIX + template)
        return cls(path_format, regex, answer)


SEND_ROUTES = (
    FastRoute.of("/conversations/{conversation_id}/messages", answer_send),
    FastRoute.of("/conversations/{conversation_id}/branches/{branch_id}/messages", answer_send),
    FastRoute.of("/conversations/{conversation_id}/messages/stream", answer_stream),
    FastRoute.of(
        "/conversations/{conversation_id}/branches/{branch_id}/messages/stream", answer_stream
    ),
)


class FastSendMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        matched = _match(scope)
        if matched is None or not _common_headers(scope):
            await self.app(scope, receive, send)
            return
        route, path_params = matched
        body = await read_body(receive)
        if body is None:  # the client left before its body arrived
            return
        data = _json_object(body)
        if data is None:
            await self.app(scope, replaying(body, receive), send)
            return
        scope["route"] = route
        request = Request(scope, replaying(body, receive))
        try:
            response = await _answer(request, route, path_params, data)
        except (ChatRoutesServerError, RequestValidationError) as exc:
            response = await _handled(request, exc)
        await response(scope, receive, send)


def _match(scope: Scope) -> tuple[FastRoute, dict[str, str]] | None:
    if scope["type"] != "http" or scope["method"] != "POST":
        return None
    path = scope["path"].removeprefix(scope.get("root_path", ""))
    if not path.startswith(_PREFIX):
        return None
    for route in SEND_ROUTES:
        if found := route.path_regex.match(path):
            return route, found.groupdict()
    return None


def _common_headers(scope: Scope) -> bool:
    """A JSON content type and no ``Last-Event-ID``."""
    json_content = False
    for name, value in scope["headers"]:
        if name == b"content-type":
            json_content = value.split(b";", 1)[0].strip().lower() == b"application/json"
        elif name == b"last-event-id":
            return False
    return json_content


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


async def _answer(
    request: Request, route: FastRoute, path_params: dict[str, str], data: Any
) -> Response:
    """As FastAPI runs the route: the caller first, then the parameters, then the send.

    With valid input and an API key, the caller is admitted by the pipeline, with its
    question (``KeyCredential``); anyone else is admitted first, as by the route.
    """
    ctx = request.app.state.ctx
    kind, key = credential(request)  # none at all: the 401 comes first
    errors: list[Any] = []
    for name, value in path_params.items():
        try:
            _ID.validate_python(value)
        except ValidationError as exc:
            errors += _located(exc, ("path", name))
    body: MessageSend | None = None
    try:
        body = MessageSend.model_validate(data)
    except ValidationError as exc:
        errors += _located(exc, ("body",))
    sender: Sender | KeyCredential
    if errors or body is None or kind != API_KEY:
        principal = await current_principal(request, ctx)
        if errors or body is None:
            raise RequestValidationError(errors, body=data)
        sender = Sender.of(principal)
    else:
        sender = KeyCredential(
            key, on_rate=partial(note_rate, request), on_principal=partial(note_principal, request)
        )
    target = SendTarget(path_params["conversation_id"], path_params.get("branch_id"))
    return await route.answer(SendPipeline(ctx), sender, target, body)


def _located(exc: ValidationError, location: tuple[str, ...]) -> list[Any]:
    """Pydantic's errors, located as FastAPI locates them."""
    return [{**error, "loc": (*location, *error["loc"])} for error in exc.errors()]


async def _handled(request: Request, exc: Exception) -> Response:
    """The response the app's exception handler for ``exc`` gives."""
    handlers: Mapping[Any, Any] = request.app.exception_handlers
    for kind in type(exc).__mro__:
        if kind in handlers:
            return await handlers[kind](request, exc)
    raise exc
