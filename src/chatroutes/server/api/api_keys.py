"""A signed-in user's own API keys: list, create (the secret shown once), revoke."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse

from ..schemas.api_keys import ApiKeyCreate, ApiKeyList, NewApiKey, api_key_list, new_api_key
from ..schemas.common import NUL_FREE_PATTERN
from ..schemas.envelope import Done, Envelope
from ..services.accounts import AccountService
from .deps import Context, CurrentPrincipal, UserId
from .envelope import ok, secret_ok
from .openapi import errors

router = APIRouter(prefix="/api-keys", tags=["api-keys"])

KeyID = Annotated[str, Path(min_length=1, max_length=64, pattern=NUL_FREE_PATTERN)]


async def accounts(ctx: Context) -> AccountService:
    return AccountService(ctx.db, ctx.secret)


Accounts = Annotated[AccountService, Depends(accounts)]


@router.get("", response_model=Envelope[ApiKeyList])
async def list_api_keys(user_id: UserId, service: Accounts) -> JSONResponse:
    return ok(api_key_list(await service.list_keys_for(user_id)))


@router.post("", status_code=201, response_model=Envelope[NewApiKey], responses=errors(403))
async def create_api_key(
    body: ApiKeyCreate, principal: CurrentPrincipal, _admitted: UserId, service: Accounts
) -> JSONResponse:
    created = await service.create_key_for(principal, name=body.name)
    return secret_ok(new_api_key(created.key, created.secret), status_code=201)


@router.delete("/{key_id}", response_model=Done)
async def revoke_api_key(key_id: KeyID, user_id: UserId, service: Accounts) -> JSONResponse:
    await service.revoke_key_for(user_id, key_id)
    return ok()
