from __future__ import annotations

from fastapi import APIRouter
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
from ..schemas.envelope import Done, Envelope
from ..schemas.merge import BranchMerge, MergeData, merge_data
from ..schemas.messages import MessageList, message_list
from ..schemas.tree import TreeData, tree_data
from ..services.branches import BranchView
from .deps import Branches, BranchID, ConversationID, Merges
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
