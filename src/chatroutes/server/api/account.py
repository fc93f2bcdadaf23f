"""The caller's account as a whole: export all of it, erase all of it.

Both take an API key or a session: an account made with the CLI has no password,
so keys must be able to exercise these rights too. Erasing asks for the account's
email or user id again in the body, so no stray call erases anything.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from ..schemas.account import AccountDelete, account_export_out
from ..schemas.responses import AccountDeleted, AccountExport, Envelope
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


@router.delete("", response_model=Envelope[AccountDeleted])
async def delete_account(body: AccountDelete, service: Privacy) -> JSONResponse:
    await service.delete_account(body.confirm)
    return ok({"deleted": True})
