"""The MCP tools and resources: one implementation, served over stdio and HTTP alike.

Each tool admits its caller's API key as an ``/api/v1`` request would (the rate limit and
the monthly calls quota counted, a revoked key refused), then makes the same service call
as the matching route and answers with the route's wire shape (``schemas/``). A send
goes through ``SendPipeline`` with the key as its credential, so admission, the branch's
lease, the token reservation and the metering are the send route's own. Someone else's
conversation is "not found", as it is over HTTP.

Who calls is the transport's to say (``KeyOf``): the key given to ``chatroutes mcp`` on
stdio, the key the HTTP request carried at ``/mcp``.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal, ParamSpec, TypeVar

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError
from mcp_types import CallToolResult, TextContent
from pydantic import BaseModel, Field, ValidationError

from ... import __version__
from ..domain.errors import ChatRoutesServerError, InvalidRequest, NotFound
from ..schemas.branches import (
    BranchData,
    BranchFork,
    BranchList,
    branch_data,
    branch_list,
    branch_out,
)
from ..schemas.checkpoints import (
    CheckpointCreate,
    CheckpointData,
    RecreatedData,
    checkpoint_data,
    recreated_data,
)
from ..schemas.common import ContextMode, Id
from ..schemas.conversations import (
    MAX_PAGE,
    ConversationCreate,
    ConversationData,
    ConversationPage,
    conversation_data,
    conversation_page,
    conversation_with_messages_data,
)
from ..schemas.envelope import error_body
from ..schemas.messages import MessageList, MessageSend, SentData, message_list, sent_data
from ..schemas.usage import AccountUsage, account_usage_out
from ..services.accounts import Principal
from ..services.branches import BranchService
from ..services.checkpoints import CheckpointService
from ..services.conversations import ConversationService
from ..services.limits import LimitService
from ..services.sending import KeyCredential, SendPipeline, SendResult, SendTarget
from ..services.server_context import ServerContext
from ..services.usage import UsageService

KeyOf = Callable[[Context], str]
"""The API key a tool call or a resource read came with."""

M = TypeVar("M", bound=BaseModel)
P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

Page = Annotated[int, Field(ge=1, le=MAX_PAGE, description="Page number, from 1")]
Limit = Annotated[int, Field(ge=1, le=100, description="Conversations per page")]
ConversationId = Annotated[Id, Field(description="A conversation id (conv_…)")]
BranchId = Annotated[Id, Field(description="A branch id (br_…)")]

INSTRUCTIONS = (
    "ChatRoutes stores conversations as trees: each conversation has a main branch, and "
    "any message can be the fork point of a new branch. Read a branch to see its path, "
    "send a message to continue it, fork to explore an alternative from an earlier "
    "message. Checkpoints summarise a branch up to a message; recreating one starts a "
    "branch whose context begins from that summary."
)


def build_mcp_server(ctx: ServerContext, key_of: KeyOf) -> MCPServer:
    """The ChatRoutes MCP server over ``ctx``, its callers named by ``key_of``."""
    tools = ChatRoutesTools(ctx, key_of)
    with _root_logger_kept():
        server = MCPServer("chatroutes", instructions=INSTRUCTIONS, version=__version__)
    for name, description in _TOOLS.items():
        server.add_tool(getattr(tools, name), name=name, description=description)
    server.resource(
        "chatroutes://conversations/{conversation_id}",
        name="conversation",
        description="A conversation: its settings, branches and the main branch's messages",
        mime_type="application/json",
    )(tools.conversation_resource)
    server.resource(
        "chatroutes://conversations/{conversation_id}/branches/{branch_id}",
        name="branch",
        description="A branch and its path: inherited context, then its own messages",
        mime_type="application/json",
    )(tools.branch_resource)
    return server


@contextmanager
def _root_logger_kept() -> Iterator[None]:
    """Building an ``MCPServer`` gives the root logger a handler of its own (Rich, on
    stderr) and a level; the server's logging is ``observability/logs.py``'s, so the
    root logger is left as it was."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


_TOOLS = {
    "list_conversations": "Your conversations, most recently active first, a page at a time.",
    "search_conversations": (
        "Your conversations whose title, or the text of one of their messages, contains "
        "the query, in any case."
    ),
    "create_conversation": "Start a new conversation (with its main branch).",
    "read_branch": (
        "A branch's messages in order: the path from the conversation's start to the "
        "branch's head. Without branch_id, the main branch."
    ),
    "send_message": (
        "Send a message and wait for the model's reply, stored on the branch. The reply's "
        "text arrives as progress notifications while it streams."
    ),
    "fork": (
        "Create a branch that continues from a message (the fork point); context_mode says "
        "how much of the path before it the model sees."
    ),
    "list_branches": "A conversation's branches, the main one included.",
    "create_checkpoint": "Summarise a branch up to a message (the anchor) into a checkpoint.",
    "recreate_checkpoint": (
        "Start a new branch at a checkpoint's anchor whose context begins from its summary."
    ),
    "read_usage": "Your tokens, calls and cost over a timeframe: today, week, month or all.",
}


def reported(tool: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R | CallToolResult]]:
    """The tool, its refusals answered as MCP tool errors: the WIRE.md error body as the
    text (and the structured result), so the code, the message and, for bad input, the
    field are all there."""

    @functools.wraps(tool)
    async def call(*args: P.args, **kwargs: P.kwargs) -> R | CallToolResult:
        try:
            return await tool(*args, **kwargs)
        except ChatRoutesServerError as exc:
            body = dict(error_body(in_argument_names(exc)))
            text = TextContent(type="text", text=json.dumps(body))
            return CallToolResult(content=[text], structured_content=body, is_error=True)

    return call


class ChatRoutesTools:
    """The tools (methods named as ``_TOOLS``) and resource readers, acting for the key
    each call came with."""

    def __init__(self, ctx: ServerContext, key_of: KeyOf) -> None:
        self.ctx = ctx
        self.key_of = key_of

    @reported
    async def list_conversations(
        self, context: Context, page: Page = 1, limit: Limit = 10
    ) -> ConversationPage:
        principal = await self._admit(context)
        service = ConversationService(self.ctx, principal.user_id)
        views, total = await service.list(page=page, limit=limit)
        return conversation_page(views, total, page, limit)

    @reported
    async def search_conversations(
        self,
        context: Context,
        query: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00]*$")],
        in_messages: Annotated[
            bool, Field(description="Search the messages' text too, not only the titles")
        ] = True,
        page: Page = 1,
        limit: Limit = 10,
    ) -> ConversationPage:
        principal = await self._admit(context)
        service = ConversationService(self.ctx, principal.user_id)
        views, total = await service.list(
            page=page, limit=limit, search=query, in_messages=in_messages
        )
        return conversation_page(views, total, page, limit)

    @reported
    async def create_conversation(
        self,
        context: Context,
        title: str,
        model: str | None = None,
        system_prompt: str | None = None,
    ) -> ConversationData:
        fields = {"title": title, "model": model, "system_prompt": system_prompt}
        request = wire(ConversationCreate, **_given(fields))
        principal = await self._admit(context)
        view = await ConversationService(self.ctx, principal.user_id).create(request)
        return conversation_data(view)

    @reported
    async def read_branch(
        self, context: Context, conversation_id: ConversationId, branch_id: BranchId | None = None
    ) -> MessageList:
        principal = await self._admit(context)
        service = BranchService(self.ctx, principal.user_id, principal.user)
        return message_list(await service.messages(conversation_id, branch_id))

    @reported
    async def send_message(
        self,
        context: Context,
        conversation_id: ConversationId,
        content: str,
        branch_id: BranchId | None = None,
        parent_message_id: Annotated[
            Id | None, Field(description="Answer this message instead of the branch's head")
        ] = None,
        model: str | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
    ) -> SentData:
        fields = {
            "content": content,
            "branch_id": branch_id,
            "parent_message_id": parent_message_id,
            "model": model,
            "temperature": temperature,
            "max_tokens": max_tokens,
        }
        request = wire(MessageSend, **_given(fields))
        # The key is admitted by the send itself, in its question's transaction.
        credential = KeyCredential(self.key_of(context))
        pipeline = SendPipeline(self.ctx)
        stream = await pipeline.stream(credential, SendTarget(conversation_id), request)
        result: SendResult | None = None
        async for event in stream.events:
            if event.kind == "content":
                await context.report_progress(event.offset, message=event.text)
            elif event.kind == "complete":
                assert isinstance(event.result, SendResult)
                result = event.result
            elif event.kind == "error" and event.error is not None:
                raise event.error
        if result is None:  # the stream ended with no reply: stored as interrupted
            raise ChatRoutesServerError("The reply did not complete")
        return sent_data(result)

    @reported
    async def fork(
        self,
        context: Context,
        conversation_id: ConversationId,
        message_id: Annotated[Id, Field(description="The fork point: the branch continues here")],
        title: str | None = None,
        description: str | None = None,
        context_mode: ContextMode = "FULL",
    ) -> BranchData:
        fields = {
            "fork_point_message_id": message_id,
            "title": title,
            "description": description,
            "context_mode": context_mode,
        }
        request = wire(BranchFork, **_given(fields))
        principal = await self._admit(context)
        service = BranchService(self.ctx, principal.user_id, principal.user)
        view = await service.fork(conversation_id, request)
        return branch_data(branch_out(view.branch, view.message_count))

    @reported
    async def list_branches(self, context: Context, conversation_id: ConversationId) -> BranchList:
        principal = await self._admit(context)
        service = BranchService(self.ctx, principal.user_id, principal.user)
        views = await service.list(conversation_id)
        return branch_list([branch_out(v.branch, v.message_count) for v in views])

    @reported
    async def create_checkpoint(
        self,
        context: Context,
        conversation_id: ConversationId,
        branch_id: BranchId,
        anchor_message_id: Annotated[Id, Field(description="The last message it summarises")],
        metadata: dict[str, Any] | None = None,
    ) -> CheckpointData:
        fields = {
            "branch_id": branch_id,
            "anchor_message_id": anchor_message_id,
            "metadata": metadata,
        }
        request = wire(CheckpointCreate, **_given(fields))
        principal = await self._admit(context)
        service = CheckpointService(self.ctx, principal.user_id, principal.user)
        return checkpoint_data(await service.create(conversation_id, request))

    @reported
    async def recreate_checkpoint(
        self, context: Context, checkpoint_id: Annotated[Id, Field(description="cp_…")]
    ) -> RecreatedData:
        principal = await self._admit(context)
        service = CheckpointService(self.ctx, principal.user_id, principal.user)
        return recreated_data(await service.recreate(checkpoint_id))

    @reported
    async def read_usage(
        self, context: Context, timeframe: Literal["today", "week", "month", "all"] = "month"
    ) -> AccountUsage:
        principal = await self._admit(context)
        report = await UsageService(self.ctx, principal.user_id).account(timeframe)
        return account_usage_out(timeframe, report)

    async def conversation_resource(self, conversation_id: str, context: Context) -> str:
        async def read(principal: Principal) -> dict[str, Any]:
            view = await ConversationService(self.ctx, principal.user_id).get(conversation_id)
            return dict(conversation_with_messages_data(view))

        return await self._resource(context, read)

    async def branch_resource(self, conversation_id: str, branch_id: str, context: Context) -> str:
        async def read(principal: Principal) -> dict[str, Any]:
            service = BranchService(self.ctx, principal.user_id, principal.user)
            branch = next(
                (v for v in await service.list(conversation_id) if v.branch.id == branch_id), None
            )
            if branch is None:
                raise NotFound("branch", branch_id)
            messages = await service.messages(conversation_id, branch_id)
            return {
                "branch": branch_out(branch.branch, branch.message_count),
                **message_list(messages),
            }

        return await self._resource(context, read)

    async def _admit(self, context: Context) -> Principal:
        """The caller, counted and let in as one ``/api/v1`` request."""
        return await LimitService(self.ctx).admit_key(self.key_of(context))

    async def _resource(self, context: Context, read: Callable[[Principal], Awaitable[T]]) -> str:
        try:
            return json.dumps(await read(await self._admit(context)), ensure_ascii=False)
        except NotFound as exc:
            raise ResourceNotFoundError(exc.message) from exc
        except ChatRoutesServerError as exc:
            raise ResourceError(json.dumps(error_body(exc))) from exc


def wire(model: type[M], **fields: Any) -> M:
    """The request model the matching route reads, from a tool's arguments; a bad one is
    ``InvalidRequest`` naming the field (``in_argument_names`` makes it the argument)."""
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "arguments"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise InvalidRequest(f"{field}: {message}", field=field) from exc


# Request fields whose tool argument has another name than the field's own, snake-cased.
_ARGUMENTS = {"fork_point_message_id": "message_id"}


def in_argument_names(error: ChatRoutesServerError) -> ChatRoutesServerError:
    """``error`` naming the tool's argument where it names a request field (``branchId``,
    as the services and the routes say, is the tool's ``branch_id``)."""
    field = error.details.get("field")
    if not isinstance(field, str):
        return error
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", field).lower()
    argument = _ARGUMENTS.get(snake, snake)
    error.details["field"] = argument
    if error.message.startswith(f"{field}:"):
        error.message = argument + error.message.removeprefix(field)
    return error


def _given(fields: dict[str, Any]) -> dict[str, Any]:
    """The arguments the caller gave: an absent one keeps the request model's default."""
    return {name: value for name, value in fields.items() if value is not None}
