"""Sessions for people (the web UI, the JS SDK): register, login, refresh, logout, guests."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from ..domain.errors import InvalidRequest
from ..schemas.auth import (
    GuestSessionOut,
    GuestStatus,
    LoginRequest,
    LogoutRequest,
    MeOut,
    RefreshedOut,
    RefreshRequest,
    RegisterRequest,
    SessionOut,
    guest_session_out,
    guest_status_out,
    me_out,
    refreshed_out,
    session_out,
)
from ..schemas.envelope import Done, Envelope
from ..services.limits import LimitService
from ..services.sessions import SessionService
from .deps import (
    SESSION,
    Context,
    CurrentPrincipal,
    UserId,
    authenticate,
    credential,
    refuse_api_keys,
)
from .envelope import ok, secret_ok
from .openapi import errors

router = APIRouter(prefix="/auth", tags=["auth"])


async def sessions(ctx: Context) -> SessionService:
    return SessionService(ctx)


Sessions = Annotated[SessionService, Depends(sessions)]
NoApiKey = Depends(refuse_api_keys)


@router.post(
    "/register",
    status_code=201,
    response_model=Envelope[SessionOut],
    responses=errors(409, 429),  # 409: the email is taken; 429: sign-in throttle
)
async def register(request: Request, body: RegisterRequest, service: Sessions) -> JSONResponse:
    await service.throttle_sign_in(_client_ip(request), body.email)
    session = await service.register(body.email, body.password, body.name)
    return secret_ok(session_out(session), status_code=201)


@router.post("/login", response_model=Envelope[SessionOut], responses=errors(401, 429))
async def login(request: Request, body: LoginRequest, service: Sessions) -> JSONResponse:
    await service.throttle_sign_in(_client_ip(request), body.email)
    return secret_ok(session_out(await service.login(body.email, body.password)))


@router.post("/refresh", response_model=Envelope[RefreshedOut], responses=errors(401))
async def refresh(body: RefreshRequest, service: Sessions) -> JSONResponse:
    return secret_ok(refreshed_out(await service.refresh(body.refresh_token)))


@router.post("/logout", response_model=Done, responses=errors(401))
async def logout(
    request: Request, body: LogoutRequest, ctx: Context, service: Sessions
) -> JSONResponse:
    """End a session: the one ``refreshToken`` belongs to (no other credential needed), or,
    with no body, the one whose access token (``Authorization: Bearer``) makes the call.
    An API key is not a session: it is checked (401 if invalid) and stays valid."""
    if body.refresh_token is not None:
        await service.logout(body.refresh_token)
        return ok()
    kind, value = credential(request)  # none at all: 401
    if kind == SESSION:
        await service.end_session(value)
    else:
        await authenticate(request, ctx)
    return ok()


@router.get("/me", response_model=Envelope[MeOut])
async def me(user_id: UserId, service: Sessions) -> JSONResponse:
    return ok(me_out(await service.me(user_id)))


@router.post(
    "/guest",
    status_code=201,
    dependencies=[NoApiKey],
    response_model=Envelope[GuestSessionOut],
    responses=errors(403, 429),  # 403: an API key; 429: guest sessions per address
)
async def start_guest(request: Request, service: Sessions) -> JSONResponse:
    session = await service.start_guest(_client_ip(request))
    return secret_ok(guest_session_out(session, service.guest_limits()), status_code=201)


@router.get(
    "/guest",
    dependencies=[NoApiKey],
    response_model=Envelope[GuestStatus],
    responses=errors(400, 403),  # 400: not a guest session
)
async def guest_status(
    principal: CurrentPrincipal, user_id: UserId, ctx: Context, service: Sessions
) -> JSONResponse:
    """A guest session's caps and how much of each is used, for the web UI's meters."""
    if not principal.is_guest:
        raise InvalidRequest("This is not a guest session", field="Authorization")
    user = await service.me(user_id)
    used = await LimitService(ctx).guest_used(user_id)
    return ok(guest_status_out(user, service.guest_limits(), used))


@router.post(
    "/guest/convert",
    dependencies=[NoApiKey],
    response_model=Envelope[SessionOut],
    responses=errors(403, 409),
)
async def convert_guest(
    body: RegisterRequest, principal: CurrentPrincipal, _admitted: UserId, service: Sessions
) -> JSONResponse:
    session = await service.convert_guest(principal, body.email, body.password, body.name)
    return secret_ok(session_out(session))


def _client_ip(request: Request) -> str:
    """Whom per-address limits count: the peer, or behind a trusted proxy
    (CHATROUTES_TRUSTED_PROXIES) the client it forwards for."""
    return request.client.host if request.client is not None else "unknown"
