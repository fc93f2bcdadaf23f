from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from ..schemas.checkpoints import (
    CheckpointCreate,
    CheckpointData,
    CheckpointList,
    RecreatedData,
    checkpoint_data,
    checkpoint_list,
    recreated_data,
)
from ..schemas.common import NUL_FREE_PATTERN
from ..schemas.envelope import Done, Envelope
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
    return ok(checkpoint_list(await service.list(conversation_id, branch_id)))


@router.post(
    "/conversations/{conversation_id}/checkpoints",
    status_code=201,
    response_model=Envelope[CheckpointData],
    responses=errors(502, 503, 504),
)
async def create_checkpoint(
    conversation_id: ConversationID, body: CheckpointCreate, service: Checkpoints
) -> JSONResponse:
    return ok(checkpoint_data(await service.create(conversation_id, body)), status_code=201)


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
    return ok(recreated_data(await service.recreate(checkpoint_id)), status_code=201)
