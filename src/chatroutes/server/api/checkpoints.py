from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from ..schemas.checkpoints import CheckpointCreate
from ..schemas.common import NUL_FREE_PATTERN
from ..schemas.responses import CheckpointData, CheckpointList, Done, Envelope, RecreatedData
from ..schemas.wire import branch_out, checkpoint_out, message_out
from .deps import CheckpointID, Checkpoints, ConversationID
from .envelope import ok
from .openapi import errors

router = APIRouter(tags=["checkpoints"])


@router.get("/conversations/{conversation_id}/checkpoints", response_model=Envelope[CheckpointList])
async def list_checkpoints(
    conversation_id: ConversationID,
    service: Checkpoints,
    branch_id: Annotated[
        str | None,
        Query(alias="branchId", min_length=1, max_length=64, pattern=NUL_FREE_PATTERN),
    ] = None,
) -> JSONResponse:
    checkpoints = await service.list(conversation_id, branch_id)
    return ok({"checkpoints": [checkpoint_out(c) for c in checkpoints]})


@router.post(
    "/conversations/{conversation_id}/checkpoints",
    status_code=201,
    response_model=Envelope[CheckpointData],
    responses=errors(502, 503, 504),
)
async def create_checkpoint(
    conversation_id: ConversationID, body: CheckpointCreate, service: Checkpoints
) -> JSONResponse:
    checkpoint = await service.create(conversation_id, body)
    return ok({"checkpoint": checkpoint_out(checkpoint)}, status_code=201)


@router.delete("/checkpoints/{checkpoint_id}", response_model=Done)
async def delete_checkpoint(checkpoint_id: CheckpointID, service: Checkpoints) -> JSONResponse:
    await service.delete(checkpoint_id)
    return ok()


@router.post(
    "/checkpoints/{checkpoint_id}/recreate",
    status_code=201,
    response_model=Envelope[RecreatedData],
    responses=errors(409),
)
async def recreate_checkpoint(checkpoint_id: CheckpointID, service: Checkpoints) -> JSONResponse:
    result = await service.recreate(checkpoint_id)
    return ok(
        {
            "checkpoint": checkpoint_out(result.checkpoint),
            "branch": branch_out(result.branch, 0),
            "messages": [message_out(m) for m in result.messages],
        },
        status_code=201,
    )
