from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ..domain import tree
from ..schemas.branches import BranchCreate, BranchFork, BranchUpdate
from ..schemas.merge import BranchMerge
from ..schemas.responses import (
    BranchData,
    BranchList,
    Done,
    Envelope,
    MergeData,
    MessageList,
    TreeData,
)
from ..schemas.wire import branch_out, conversation_out, message_out
from ..services.branches import BranchView, TreeView
from ..services.merge import MergeResult
from .deps import Branches, BranchID, ConversationID, Merges
from .envelope import ok
from .openapi import errors

router = APIRouter(tags=["branches"])


def _out(view: BranchView) -> dict[str, Any]:
    return branch_out(view.branch, view.message_count)


@router.get("/conversations/{conversation_id}/branches", response_model=Envelope[BranchList])
async def list_branches(conversation_id: ConversationID, service: Branches) -> JSONResponse:
    return ok({"branches": [_out(v) for v in await service.list(conversation_id)]})


@router.post(
    "/conversations/{conversation_id}/branches",
    status_code=201,
    response_model=Envelope[BranchData],
    responses=errors(409),
)
async def create_branch(
    conversation_id: ConversationID, body: BranchCreate, service: Branches
) -> JSONResponse:
    return ok({"branch": _out(await service.create(conversation_id, body))}, status_code=201)


@router.post(
    "/conversations/{conversation_id}/fork",
    status_code=201,
    response_model=Envelope[BranchData],
    responses=errors(409),
)
async def fork_conversation(
    conversation_id: ConversationID, body: BranchFork, service: Branches
) -> JSONResponse:
    return ok({"branch": _out(await service.fork(conversation_id, body))}, status_code=201)


@router.patch(
    "/conversations/{conversation_id}/branches/{branch_id}", response_model=Envelope[BranchData]
)
async def update_branch(
    conversation_id: ConversationID, branch_id: BranchID, body: BranchUpdate, service: Branches
) -> JSONResponse:
    return ok({"branch": _out(await service.update(conversation_id, branch_id, body))})


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
    messages = await service.messages(conversation_id, branch_id)
    return ok({"messages": [message_out(m) for m in messages]})


@router.get("/conversations/{conversation_id}/tree", response_model=Envelope[TreeData])
async def conversation_tree(conversation_id: ConversationID, service: Branches) -> JSONResponse:
    return ok(_tree_out(await service.tree(conversation_id)))


def _tree_out(view: TreeView) -> dict[str, Any]:
    """The union of the three tree shapes clients read (WIRE.md)."""
    branches = {b.id: b for b in view.branches}
    heads: dict[str, list[str]] = {}
    for branch in view.branches:
        if branch.head_message_id:
            heads.setdefault(branch.head_message_id, []).append(branch.id)

    def node(message: Any) -> dict[str, Any]:
        home = branches.get(message.branch_id)
        return {
            "id": message.id,
            "role": message.role,
            "content": message.content,
            "model": message.model,
            "parentMessageId": message.parent_id,
            "createdAt": message_out(message)["createdAt"],
            "branchInfo": {
                "branchId": message.branch_id,
                "branchTitle": home.title if home else None,
                "isMain": bool(home and home.is_main),
                "headOf": heads.get(message.id, []),
            },
        }

    roots = tree.message_tree(view.messages, node)
    hierarchy = tree.branch_hierarchy(
        view.branches,
        lambda b: (
            branch_out(b, view.counts.get(b.id, 0))
            | {"_count": {"messages": view.counts.get(b.id, 0)}}
        ),
    )
    main = next(b for b in view.branches if b.is_main)
    visible = tree.visible(view.messages)
    return {
        "conversation": conversation_out(
            view.conversation, view.branches, view.counts, len(visible)
        ),
        "mainBranch": branch_out(main, view.counts.get(main.id, 0)),
        "branches": hierarchy,
        "tree": {
            "id": view.conversation.id,
            "role": "root",
            "content": view.conversation.title,
            "children": roots,
            "branchInfo": {"branchId": main.id, "branchTitle": main.title, "isMain": True},
        },
        "metadata": {
            "totalNodes": len(visible),
            "totalBranches": len(view.branches),
            "maxDepth": tree.tree_depth(roots),
        },
    }


@router.post(
    "/conversations/{conversation_id}/branches/{branch_id}/merge",
    response_model=Envelope[MergeData],
    responses=errors(409),
)
async def merge_branch(
    conversation_id: ConversationID, branch_id: BranchID, body: BranchMerge, service: Merges
) -> JSONResponse:
    return ok(_merge_out(await service.merge(conversation_id, branch_id, body)))


def _merge_out(result: MergeResult) -> dict[str, Any]:
    """``branch`` is the parent merged into: the official SDK reads ``data.branch``."""
    preserved = result.preserved_branch
    return {
        "branch": branch_out(result.branch, result.counts.get(result.branch.id, 0)),
        "messages": [message_out(m) for m in result.messages],
        "mergedBranch": branch_out(
            result.merged_branch, result.counts.get(result.merged_branch.id, 0)
        ),
        "strategy": result.strategy,
        "preservedBranch": (
            branch_out(preserved, result.counts.get(preserved.id, 0)) if preserved else None
        ),
    }
