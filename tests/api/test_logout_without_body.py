"""``POST /auth/logout`` with no body ends the calling session (the official TS SDK's call).

The body forms (``{"refreshToken"}``, no credential needed) keep working; an API key is
no session, so a logout made with one ends nothing and the key stays valid.
"""

from __future__ import annotations

import uuid

import httpx
import pytest

PASSWORD = "correct horse battery"


@pytest.fixture
def anonymous(api) -> httpx.AsyncClient:
    """The in-process client without the owner's API key (kept in ``api.owner``)."""
    api.owner = {"Authorization": api.client.headers.pop("Authorization")}
    return api.client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _sign_in(client: httpx.AsyncClient, email: str | None = None) -> dict:
    if email is None:
        email = f"person-{uuid.uuid4().hex[:10]}@example.com"
        response = await client.post("/auth/register", json={"email": email, "password": PASSWORD})
    else:
        response = await client.post("/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code in (200, 201), response.text
    return {"email": response.json()["data"]["user"]["email"], **response.json()["data"]["tokens"]}


async def _works(client: httpx.AsyncClient, tokens: dict) -> tuple[int, int]:
    """(GET /auth/me with the access token, refresh with the refresh token): statuses."""
    me = await client.get("/auth/me", headers=bearer(tokens["accessToken"]))
    refreshed = await client.post("/auth/refresh", json={"refreshToken": tokens["refreshToken"]})
    return me.status_code, refreshed.status_code


@pytest.mark.parametrize(
    "body",
    [
        {},  # no body, no content type (a browser's fetch with none)
        {"headers": {"Content-Type": "application/json"}},  # the official TS SDK: a JSON type
        {"json": {}},
    ],
)
async def test_a_bodyless_logout_ends_the_calling_session_only(anonymous, body):
    ended = await _sign_in(anonymous)
    other = await _sign_in(anonymous, ended["email"])  # the same user, signed in elsewhere
    headers = {**bearer(ended["accessToken"]), **body.pop("headers", {})}
    response = await anonymous.post("/auth/logout", headers=headers, **body)
    assert response.status_code == 200, response.text
    assert response.json() == {"success": True}
    assert await _works(anonymous, ended) == (401, 401)
    me, _ = await _works(anonymous, other)
    assert me == 200, "another session of the same user stays open"


async def test_ending_a_session_twice_is_still_a_success(anonymous):
    tokens = await _sign_in(anonymous)
    refreshed = (
        await anonymous.post("/auth/refresh", json={"refreshToken": tokens["refreshToken"]})
    ).json()["data"]
    assert (
        await anonymous.post("/auth/logout", headers=bearer(tokens["accessToken"]))
    ).status_code == 200
    again = await anonymous.post("/auth/logout", headers=bearer(refreshed["accessToken"]))
    assert again.status_code == 200
    assert (
        await anonymous.get("/auth/me", headers=bearer(refreshed["accessToken"]))
    ).status_code == 401


async def test_the_refresh_token_body_form_still_needs_no_other_credential(anonymous):
    tokens = await _sign_in(anonymous)
    response = await anonymous.post("/auth/logout", json={"refreshToken": tokens["refreshToken"]})
    assert response.status_code == 200
    assert await _works(anonymous, tokens) == (401, 401)


async def test_an_api_key_logout_ends_nothing_and_the_key_keeps_working(api, anonymous):
    response = await anonymous.post(
        "/auth/logout", headers={**api.owner, "Content-Type": "application/json"}
    )
    assert response.status_code == 200 and response.json() == {"success": True}
    assert (await anonymous.get("/conversations", headers=api.owner)).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-a-jwt"},
        {"Authorization": "ApiKey cr_prod_sk_" + "0" * 64},
    ],
)
async def test_a_bodyless_logout_without_a_valid_credential_is_401(anonymous, headers):
    response = await anonymous.post("/auth/logout", headers=headers)
    assert response.status_code == 401
    assert response.json()["success"] is False
