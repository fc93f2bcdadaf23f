"""Dependency aliases shared by the routers."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import Depends, Path, Request, Security
from fastapi.security import APIKeyHeader

from ..auth.sessions import looks_like_api_key
from ..domain.errors import Forbidden, Unauthenticated
from ..domain.plans import RateWindow
from ..schemas.common import NUL_FREE_PATTERN
from ..services.accounts import AccountService, Principal
from ..services.autobranch import AutobranchService
from ..services.branches import BranchService
from ..services.checkpoints import CheckpointService
from ..services.conversations import ConversationService
from ..services.limits import LimitService
from ..services.merge import MergeService
from ..services.messages import MessageService
from ..services.parallel import ParallelService
from ..services.previews import PreviewService
from ..services.replies import ReplyService
from ..services.sending import Sender, SendPipeline
from ..services.server_context import ServerContext
from ..services.sessions import SessionService
from ..services.transfer import TransferService


async def get_context(request: Request) -> ServerContext:
    return request.app.state.ctx


Context = Annotated[ServerContext, Depends(get_context)]


API_KEY = "api_key"
SESSION = "session"


def credential(request: Request) -> tuple[str, str]:
    """The credential and its kind (``API_KEY`` or ``SESSION``).

    ``Authorization: ApiKey <key>`` and ``X-API-Key: <key>`` carry API keys;
    ``Authorization: Bearer <value>`` carries a JWT access token, or an API key
    when the value starts with ``cr_``.
    """
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, value = authorization.partition(" ")
        scheme, value = scheme.lower(), value.strip()
        if scheme not in ("apikey", "bearer") or not value:
            raise Unauthenticated("Authorization header must be 'ApiKey <key>' or 'Bearer <token>'")
        if scheme == "bearer" and not looks_like_api_key(value):
            return SESSION, value
        return API_KEY, value
    key = request.headers.get("x-api-key")
    if key:
        return API_KEY, key.strip()
    raise Unauthenticated("Missing credentials: send 'Authorization: ApiKey <key>'")


# Documentation only (the OpenAPI security schemes); ``credential`` reads the headers.
_X_API_KEY = APIKeyHeader(name="X-API-Key", scheme_name="ApiKeyHeader", auto_error=False)
_AUTHORIZATION = APIKeyHeader(
    name="Authorization",
    scheme_name="Authorization",
    description="`ApiKey cr_prod_sk_<64 hex>` or `Bearer <JWT access token>`",
    auto_error=False,
)


async def authenticate(request: Request, ctx: ServerContext) -> Principal:
    """Who the request's credential belongs to (401 for none, or one that is not valid),
    read only: the request is neither counted nor recorded as the key's use. For checks
    ahead of the route (a large body, a replayed answer); the route admits the caller."""
    kind, value = credential(request)
    if kind == SESSION:
        return await SessionService(ctx).authenticate(value)
    return await AccountService(ctx.db, ctx.secret).holder(value)


async def current_principal(
    request: Request,
    ctx: Context,
    _key: Annotated[str | None, Security(_X_API_KEY)] = None,
    _authorization: Annotated[str | None, Security(_AUTHORIZATION)] = None,
) -> Principal:
    """The caller, once the rate limit and the monthly calls quota let the request in.

    Every route that acts for a user depends on this (once per request: FastAPI caches
    it); where the caller stands in the rate window goes to ``request.state.rate_limit``,
    from which the middleware writes the RateLimit headers, on a 429 too.
    """

    remember, identify = partial(note_rate, request), partial(note_principal, request)
    kind, value = credential(request)
    limits = LimitService(ctx)
    if kind == SESSION:
        principal = await SessionService(ctx).authenticate(value)
        identify(principal)
        await limits.admit(principal, remember)
        return principal
    # an API key, the most common caller: authenticated and admitted in one transaction
    return await limits.admit_key(value, remember, identify)


def note_rate(request: Request, rate: RateWindow) -> None:
    """Where the caller stands in the rate window: the RateLimit headers, on a 429 too."""
    request.state.rate_limit = rate


def note_principal(request: Request, principal: Principal) -> None:
    """Who the caller is: the access log's, a refusal's too."""
    request.state.principal = principal


async def refuse_api_keys(request: Request) -> None:
    """Guest endpoints belong to the web UI: a request carrying an API key is 403."""
    try:
        kind, _ = credential(request)
    except Unauthenticated:
        return
    if kind == API_KEY:
        raise Forbidden("Guest mode is for the web UI and not available with API keys")


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def current_user_id(principal: CurrentPrincipal) -> str:
    return principal.user_id


UserId = Annotated[str, Depends(current_user_id)]


async def conversation_service(ctx: Context, user_id: UserId) -> ConversationService:
    return ConversationService(ctx, user_id)


async def branch_service(ctx: Context, principal: CurrentPrincipal) -> BranchService:
    return BranchService(ctx, principal.user_id, principal.user)


async def current_sender(principal: CurrentPrincipal) -> Sender:
    return Sender.of(principal)


async def send_pipeline(ctx: Context) -> SendPipeline:
    return SendPipeline(ctx)


async def message_service(
    ctx: Context, user_id: UserId, principal: CurrentPrincipal
) -> MessageService:
    return MessageService(ctx, user_id, principal.user)


async def reply_service(ctx: Context, user_id: UserId) -> ReplyService:
    return ReplyService(ctx, user_id)


async def checkpoint_service(ctx: Context, principal: CurrentPrincipal) -> CheckpointService:
    return CheckpointService(ctx, principal.user_id, principal.user)


async def parallel_service(ctx: Context, principal: CurrentPrincipal) -> ParallelService:
    return ParallelService(ctx, principal.user_id, principal.user)


async def merge_service(ctx: Context, principal: CurrentPrincipal) -> MergeService:
    return MergeService(ctx, principal.user_id, principal.user)


async def autobranch_service(ctx: Context, principal: CurrentPrincipal) -> AutobranchService:
    return AutobranchService(ctx, principal.user_id, guest=principal.is_guest)


async def preview_service(ctx: Context, user_id: UserId) -> PreviewService:
    return PreviewService(ctx, user_id)


async def transfer_service(ctx: Context, user_id: UserId) -> TransferService:
    return TransferService(ctx, user_id)


Conversations = Annotated[ConversationService, Depends(conversation_service)]
Branches = Annotated[BranchService, Depends(branch_service)]
Merges = Annotated[MergeService, Depends(merge_service)]
Messages = Annotated[MessageService, Depends(message_service)]
Replies = Annotated[ReplyService, Depends(reply_service)]
CurrentSender = Annotated[Sender, Depends(current_sender)]
Sending = Annotated[SendPipeline, Depends(send_pipeline)]
Checkpoints = Annotated[CheckpointService, Depends(checkpoint_service)]
Parallel = Annotated[ParallelService, Depends(parallel_service)]
Transfers = Annotated[TransferService, Depends(transfer_service)]
Previews = Annotated[PreviewService, Depends(preview_service)]
Autobranch = Annotated[AutobranchService, Depends(autobranch_service)]

_ID = Path(min_length=1, max_length=64, pattern=NUL_FREE_PATTERN)
ConversationID = Annotated[str, _ID]
BranchID = Annotated[str, _ID]
MessageID = Annotated[str, _ID]
CheckpointID = Annotated[str, _ID]
SessionID = Annotated[str, _ID]
