"""AutoBranch: branch suggestions for a text, and branches made from a stored message."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ... import __version__
from ..schemas.autobranch import MessageAutobranch, SuggestBranchesRequest, suggestion_out
from ..schemas.responses import AutobranchData, Envelope, ServiceHealth, SuggestionsData
from ..schemas.wire import branch_out
from ..services.autobranch import SERVICE_NAME
from .deps import Autobranch, ConversationID, MessageID
from .envelope import ok
from .openapi import errors

router = APIRouter(tags=["autobranch"])


@router.get("/autobranch/health", response_model=Envelope[ServiceHealth])
async def health() -> JSONResponse:
    return ok({"status": "healthy", "version": __version__, "service": SERVICE_NAME})


@router.post(
    "/autobranch/suggest-branches",
    response_model=Envelope[SuggestionsData],
    responses=errors(403, 502, 503, 504),  # 403: a guest session
)
async def suggest_branches(body: SuggestBranchesRequest, service: Autobranch) -> JSONResponse:
    result = await service.suggest(body)
    return ok(
        {
            "suggestions": [suggestion_out(s) for s in result.detection.suggestions],
            "metadata": result.metadata(),
        }
    )


@router.post(
    "/conversations/{conversation_id}/messages/{message_id}/autobranch",
    response_model=Envelope[AutobranchData],
    responses={201: {"description": "Branches were made", "model": Envelope[AutobranchData]}}
    | errors(403, 409, 502, 503, 504),  # 403: a guest session
)
async def autobranch_message(
    conversation_id: ConversationID,
    message_id: MessageID,
    service: Autobranch,
    body: MessageAutobranch | None = None,
) -> JSONResponse:
    """Runs detection on the message and makes one branch per chosen suggestion there."""
    result = await service.apply(conversation_id, message_id, body or MessageAutobranch())
    branches: list[dict[str, Any]] = [
        branch_out(branch, 0) | {"suggestionId": s.id, "firstPrompt": s.first_prompt()}
        for s, branch in result.branches
    ]
    return ok(
        {"suggestions": [suggestion_out(s) for s in result.suggestions], "branches": branches},
        status_code=201 if branches else 200,
    )
