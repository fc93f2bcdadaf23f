"""Dependency aliases shared by the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from ..domain.errors import Unauthenticated
from ..schemas.common import NUL_FREE_PATTERN
from ..services.accounts import AccountService, Principal
from ..services.branches import BranchService
from ..services.checkpoints import CheckpointService
from ..services.context import ServerContext
from ..services.conversations import ConversationService
from ..services.merge import MergeService
from ..services.messages import MessageService
from ..services.transfer import TransferService


def get_context(request: Request) -> ServerContext:
    return request.app.state.ctx


Context = Annotated[ServerContext, Depends(get_context)]


def _credential(request: Request) -> str:
    """The API key from ``Authorization: ApiKey|Bearer <key>`` or ``X-API-Key``."""
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() not in ("apikey", "bearer") or not value.strip():
            raise Unauthenticated("Authorization header must be 'ApiKey <key>'")
        return value.strip()
    key = request.headers.get("x-api-key")
    if key:
        return key.strip()
    raise Unauthenticated("Missing credentials: send 'Authorization: ApiKey <key>'")


async def current_principal(request: Request, ctx: Context) -> Principal:
    principal = await AccountService(ctx.db, ctx.secret).authenticate(_credential(request))
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def current_user_id(principal: CurrentPrincipal) -> str:
    return principal.user_id


UserId = Annotated[str, Depends(current_user_id)]


def conversation_service(ctx: Context, user_id: UserId) -> ConversationService:
    return ConversationService(ctx, user_id)


def branch_service(ctx: Context, user_id: UserId) -> BranchService:
    return BranchService(ctx, user_id)


def message_service(ctx: Context, user_id: UserId) -> MessageService:
    return MessageService(ctx, user_id)


def checkpoint_service(ctx: Context, user_id: UserId) -> CheckpointService:
    return CheckpointService(ctx, user_id)


def merge_service(ctx: Context, user_id: UserId) -> MergeService:
    return MergeService(ctx, user_id)


def transfer_service(ctx: Context, user_id: UserId) -> TransferService:
    return TransferService(ctx, user_id)


Conversations = Annotated[ConversationService, Depends(conversation_service)]
Branches = Annotated[BranchService, Depends(branch_service)]
Merges = Annotated[MergeService, Depends(merge_service)]
Messages = Annotated[MessageService, Depends(message_service)]
Checkpoints = Annotated[CheckpointService, Depends(checkpoint_service)]
Transfers = Annotated[TransferService, Depends(transfer_service)]

_ID = Path(min_length=1, max_length=64, pattern=NUL_FREE_PATTERN)
ConversationID = Annotated[str, _ID]
BranchID = Annotated[str, _ID]
MessageID = Annotated[str, _ID]
CheckpointID = Annotated[str, _ID]
