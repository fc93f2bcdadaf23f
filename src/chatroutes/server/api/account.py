"""The caller's account as a whole: export all of it, erase all of it.

Both take an API key or a session: an account made with the CLI has no password,
so keys must be able to exercise these rights too. Erasing asks for the account's
email or user id again in the body, so no stray call erases anything.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from ..schemas.account import (
    AccountDelete,
    AccountDeleted,
    AccountExport,
    account_deleted,
    account_export_out,
)
from ..schemas.envelope import Envelope
from ..services.privacy import PrivacyService
from .deps import Context, UserId
from .envelope import ok

router = APIRouter(prefix="/account", tags=["account"])


async def privacy_service(ctx: Context, user_id: UserId) -> PrivacyService:
    return PrivacyService(ctx, user_id)


Privacy = Annotated[PrivacyService, Depends(privacy_service)]


@router.get("/export", response_model=Envelope[AccountExport])
async def export_account(service: Privacy) -> JSONResponse:
    export = await service.export()
    response = ok(account_export_out(export))
    filename = f"{export.user.id}.chatroutes-account.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


async def confirmation(request: Request, _caller: UserId) -> AccountDelete:
    """The body, read once the caller is authenticated (FastAPI reads a declared body
    first): without valid credentials, erasing is 401 whatever the body."""
    try:
        return AccountDelete.model_validate_json(await request.body())
    except ValidationError as exc:
        errors = [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
        raise RequestValidationError(errors) from None


_CONFIRMATION_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": AccountDelete.model_json_schema()}},
    }
}


@router.delete("", response_model=Envelope[AccountDeleted], openapi_extra=_CONFIRMATION_BODY)
async def delete_account(
    body: Annotated[AccountDelete, Depends(confirmation)], service: Privacy
) -> JSONResponse:
    await service.delete_account(body.confirm)
    return ok(account_deleted())
