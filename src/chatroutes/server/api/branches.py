from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from ..schemas.branches import (
    BranchCreate,
    BranchData,
    BranchFork,
    BranchList,
    BranchOut,
    BranchUpdate,
    branch_data,
    branch_list,
    branch_out,
)
from ..schemas.common import NUL_FREE_PATTERN, ContextMode, Id
from ..schemas.envelope import Done, Envelope
from ..schemas.merge import BranchMerge, MergeData, merge_data
from ..schemas.messages import MAX_CONTENT_CHARS, MessageList, message_list
from ..schemas.previews import PreviewData, preview_data
from ..schemas.tree import TreeData, tree_data
from ..services.branches import BranchView
from ..services.sending.preview import PreviewRequest
from .deps import Branches, BranchID, ConversationID, Merges, Previews
from .envelope import ok
from .openapi import errors

router = APIRouter(tags=["branches"])


def _out(view: BranchView) -> BranchOut:
    return branch_out(view.branch, view.message_count)


@router.get("/conversations/{conversation_id}/branches", response_model=Envelope[BranchList])
async def list_branches(conversation_id: ConversationID, service: Branches) -> JSONResponse:
    return ok(branch_list([_out(v) for v in await service.list(conversation_id)]))


@router.post(
    "/conversations/{conversation_id}/branches",
    status_code=201,
    response_model=Envelope[BranchData],
    responses=errors(409),
)
async def create_branch(
    conversation_id: ConversationID, body: BranchCreate, service: Branches
) -> JSONResponse:
    return ok(branch_data(_out(await service.create(conversation_id, body))), status_code=201)


@router.get(
    "/conversations/{conversation_id}/branches/{branch_id}/preview",
    response_model=Envelope[PreviewData],
)
async def preview_send(
    conversation_id: ConversationID,
    branch_id: BranchID,
    service: Previews,
    model: Annotated[
        str | None, Query(min_length=1, max_length=200, pattern=NUL_FREE_PATTERN)
    ] = None,
    context_mode: Annotated[ContextMode | None, Query(alias="contextMode")] = None,
    fork_point_message_id: Annotated[Id | None, Query(alias="forkPointMessageId")] = None,
    content: Annotated[
        str | None,
        Query(min_length=1, max_length=MAX_CONTENT_CHARS, pattern=NUL_FREE_PATTERN),
    ] = None,
    max_tokens: Annotated[int | None, Query(alias="maxTokens", ge=1, le=1_000_000)] = None,
) -> JSONResponse:
    """The next send on the branch, assembled as the send would assemble it, with
    ``content`` as its question and ``maxTokens`` (the room kept for its reply); or, with
    ``forkPointMessageId``, the first send of a branch forked there with ``contextMode``.
    Its prompt counted and priced; nothing is sent or stored."""
    request = PreviewRequest(model, context_mode, fork_point_message_id, content, max_tokens)
    preview = await service.preview(conversation_id, branch_id, request)
    return ok(
        preview_data(
            preview.context,
            preview.info,
            preview.context_mode,
            catch_up=preview.catch_up is not None,
        )
    )


@router.post(
    "/conversations/{conversation_id}/fork",
    status_code=201,
    response_model=Envelope[BranchData],
    responses=errors(409),
)
async def fork_conversation(
    conversation_id: ConversationID, body: BranchFork, service: Branches
) -> JSONResponse:
    return ok(branch_data(_out(await service.fork(conversation_id, body))), status_code=201)


@router.patch(
    "/conversations/{conversation_id}/branches/{branch_id}", response_model=Envelope[BranchData]
)
async def update_branch(
    conversation_id: ConversationID, branch_id: BranchID, body: BranchUpdate, service: Branches
) -> JSONResponse:
    return ok(branch_data(_out(await service.update(conversation_id, branch_id, body))))


@router.delete(
    "/conversations/{conversation_id}/branches/{branch_id}",
    response_model=Done,
    responses=errors(409),
)
async def delete_branch(
    conversation_id: ConversationID, branch_id: BranchID, service: Branches
) -> JSONResponse:
    await service.delete(conversation_id, branch_id)
    return ok()


@router.get(
    "/conversations/{conversation_id}/branches/{branch_id}/messages",
    response_model=Envelope[MessageList],
)
async def branch_messages(
    conversation_id: ConversationID, branch_id: BranchID, service: Branches
) -> JSONResponse:
    return ok(message_list(await service.messages(conversation_id, branch_id)))


@router.get("/conversations/{conversation_id}/tree", response_model=Envelope[TreeData])
async def conversation_tree(conversation_id: ConversationID, service: Branches) -> JSONResponse:
    return ok(tree_data(await service.tree(conversation_id)))


@router.post(
    "/conversations/{conversation_id}/branches/{branch_id}/merge",
    response_model=Envelope[MergeData],
    responses=errors(409),
)
async def merge_branch(
    conversation_id: ConversationID, branch_id: BranchID, body: BranchMerge, service: Merges
) -> JSONResponse:
    return ok(merge_data(await service.merge(conversation_id, branch_id, body)))
