"""AutoBranch: branch suggestions for a text, and branches made from a stored message."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ... import __version__
from ..schemas.autobranch import (
    AutobranchData,
    MessageAutobranch,
    SuggestBranchesRequest,
    SuggestionsData,
    autobranch_data,
    suggestions_data,
)
from ..schemas.envelope import Envelope
from ..schemas.meta import ServiceHealth, service_health_out
from ..services.autobranch import SERVICE_NAME
from .deps import Autobranch, ConversationID, MessageID
from .envelope import ok
from .openapi import errors

router = APIRouter(tags=["autobranch"])


@router.get("/autobranch/health", response_model=Envelope[ServiceHealth])
async def health() -> JSONResponse:
    return ok(service_health_out(__version__, SERVICE_NAME))


@router.post(
    "/autobranch/suggest-branches",
    response_model=Envelope[SuggestionsData],
    responses=errors(403, 502, 503, 504),  # 403: a guest session
)
async def suggest_branches(body: SuggestBranchesRequest, service: Autobranch) -> JSONResponse:
    result = await service.suggest(body)
    return ok(suggestions_data(result, result.detection.suggestions))


@router.post(
    "/conversations/{conversation_id}/messages/{message_id}/autobranch",
    response_model=Envelope[AutobranchData],
    responses={
        201: {"description": "Branches were made", "model": Envelope[AutobranchData]},
        **errors(403, 409, 502, 503, 504),  # 403: a guest session
    },
)
async def autobranch_message(
    conversation_id: ConversationID,
    message_id: MessageID,
    service: Autobranch,
    body: MessageAutobranch | None = None,
) -> JSONResponse:
    """Runs detection on the message and makes one branch per chosen suggestion there."""
    result = await service.apply(conversation_id, message_id, body or MessageAutobranch())
    data = autobranch_data(result.suggestions, result.branches)
    return ok(data, status_code=201 if data["branches"] else 200)
