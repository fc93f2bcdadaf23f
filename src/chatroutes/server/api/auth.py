"""Sessions for people (the web UI, the JS SDK): register, login, refresh, logout, guests."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from ..domain.errors import InvalidRequest
from ..domain.hashing import iso_timestamp
from ..schemas.auth import LoginRequest, RefreshRequest, RegisterRequest, tokens_out, user_out
from ..schemas.responses import (
    Done,
    Envelope,
    GuestSessionOut,
    GuestStatus,
    MeOut,
    RefreshedOut,
    SessionOut,
)
from ..services.limits import LimitService
from ..services.sessions import Session, SessionService
from .deps import Context, CurrentPrincipal, UserId, refuse_api_keys
from .envelope import ok, secret_ok
from .openapi import errors

router = APIRouter(prefix="/auth", tags=["auth"])


async def sessions(ctx: Context) -> SessionService:
    return SessionService(ctx)


Sessions = Annotated[SessionService, Depends(sessions)]
NoApiKey = Depends(refuse_api_keys)


def _session_out(session: Session) -> dict[str, Any]:
    tokens = tokens_out(session.access_token, session.refresh_token, session.expires_in)
    return {"user": user_out(session.user), "tokens": tokens}


def _guest_out(session: Session, limits: dict[str, int | None]) -> dict[str, Any]:
    expires_at = session.user.guest_expires_at
    guest = {
        "expiresAt": iso_timestamp(expires_at) if expires_at is not None else None,
        "limits": limits,
    }
    return _session_out(session) | {"guest": guest}


@router.post(
    "/register",
    status_code=201,
    response_model=Envelope[SessionOut],
    responses=errors(409, 429),  # 409: the email is taken; 429: sign-in throttle
)
async def register(request: Request, body: RegisterRequest, service: Sessions) -> JSONResponse:
    await service.throttle_sign_in(_client_ip(request), body.email)
    session = await service.register(body.email, body.password, body.name)
    return secret_ok(_session_out(session), status_code=201)


@router.post("/login", response_model=Envelope[SessionOut], responses=errors(401, 429))
async def login(request: Request, body: LoginRequest, service: Sessions) -> JSONResponse:
    await service.throttle_sign_in(_client_ip(request), body.email)
    return secret_ok(_session_out(await service.login(body.email, body.password)))


@router.post("/refresh", response_model=Envelope[RefreshedOut], responses=errors(401))
async def refresh(body: RefreshRequest, service: Sessions) -> JSONResponse:
    session = await service.refresh(body.refresh_token)
    tokens = tokens_out(session.access_token, session.refresh_token, session.expires_in)
    # The JS SDK reads the tokens directly under data; the web UI reads data.tokens.
    return secret_ok({**tokens, "tokens": tokens, "user": user_out(session.user)})


@router.post("/logout", response_model=Done)
async def logout(body: RefreshRequest, service: Sessions) -> JSONResponse:
    await service.logout(body.refresh_token)
    return ok()


@router.get("/me", response_model=Envelope[MeOut])
async def me(user_id: UserId, service: Sessions) -> JSONResponse:
    user = user_out(await service.me(user_id))
    # WIRE.md: the JS SDK reads the user as data itself; others read data.user.
    return ok({**user, "user": user})


@router.post(
    "/guest",
    status_code=201,
    dependencies=[NoApiKey],
    response_model=Envelope[GuestSessionOut],
    responses=errors(403, 429),  # 403: an API key; 429: guest sessions per address
)
async def start_guest(request: Request, service: Sessions) -> JSONResponse:
    session = await service.start_guest(_client_ip(request))
    return secret_ok(_guest_out(session, service.guest_limits()), status_code=201)


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
    expires_at = user.guest_expires_at
    return ok(
        {
            "expiresAt": iso_timestamp(expires_at) if expires_at is not None else None,
            "limits": service.guest_limits(),
            "used": await LimitService(ctx).guest_used(user_id),
        }
    )


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
    return secret_ok(_session_out(session))


def _client_ip(request: Request) -> str:
    """Whom per-address limits count: the peer, or behind a trusted proxy
    (CHATROUTES_TRUSTED_PROXIES) the client it forwards for."""
    return request.client.host if request.client is not None else "unknown"
