"""Who calls ``/v1``: an account, by API key or session token; never a guest session."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import Depends, Request, Security

from ...domain.errors import Forbidden
from ...services.accounts import Principal
from ...services.sending import KeyCredential, Sender
from ..deps import (
    _AUTHORIZATION,
    _X_API_KEY,
    API_KEY,
    Context,
    CurrentPrincipal,
    credential,
    current_principal,
    note_principal,
    note_rate,
)


async def openai_principal(principal: CurrentPrincipal) -> Principal:
    """The caller, admitted as on every route (rate, calls, RateLimit headers)."""
    return _account(principal)


async def openai_sender(
    request: Request,
    ctx: Context,
    _key: Annotated[str | None, Security(_X_API_KEY)] = None,
    _authorization: Annotated[str | None, Security(_AUTHORIZATION)] = None,
) -> Sender | KeyCredential:
    """A send's caller: an API key is admitted with the send's reservations, in one
    transaction (as the fast send path does); a session token is admitted here."""
    kind, value = credential(request)
    if kind == API_KEY:  # keys are never a guest's
        return KeyCredential(value, partial(note_rate, request), partial(note_principal, request))
    return Sender.of(_account(await current_principal(request, ctx)))


def _account(principal: Principal) -> Principal:
    if principal.is_guest:
        raise Forbidden(
            "Guest sessions are for the web UI; the OpenAI-compatible API needs an account"
        )
    return principal


OpenAIPrincipal = Annotated[Principal, Depends(openai_principal)]
OpenAISender = Annotated[Sender | KeyCredential, Depends(openai_sender)]
