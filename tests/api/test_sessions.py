"""Sessions (register, login, refresh rotation, logout), API key management and guests."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import update

from chatroutes.server.domain.errors import Conflict
from chatroutes.server.domain.ids import new_id
from chatroutes.server.services.accounts import one_user_per_email
from chatroutes.server.services.server_context import utcnow
from chatroutes.server.store.tables import User
from chatroutes.server.store.users import UserRepository
from tests.conftest import API_PREFIX

PASSWORD = "correct horse battery"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def new_email() -> str:
    return f"person-{uuid.uuid4().hex[:10]}@example.com"


@pytest.fixture
def client(api) -> httpx.AsyncClient:
    """The in-process client with no credentials of its own (the owner's go to ``api.owner``)."""
    api.owner = {"Authorization": api.client.headers.pop("Authorization")}
    return api.client


async def register(client: httpx.AsyncClient, email: str | None = None, **fields) -> dict:
    body = {"email": email or new_email(), "password": PASSWORD, **fields}
    response = await client.post("/auth/register", json=body)
    assert response.status_code == 201, response.text
    return response.json()["data"]


async def refresh(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/auth/refresh", json={"refreshToken": token})


async def conversations_status(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    return (await client.get("/conversations", headers=headers)).status_code


async def start_guest(client: httpx.AsyncClient) -> dict:
    response = await client.post("/auth/guest")
    assert response.status_code == 201, response.text
    return response.json()["data"]


class TestRegisterAndLogin:
    async def test_register_then_me_then_conversations_with_the_access_token(self, client):
        email = new_email()
        data = await register(client, email.upper(), name="Ada")
        user, tokens = data["user"], data["tokens"]
        assert user["email"] == email and user["name"] == "Ada"
        assert user["plan"] == "free" and user["isGuest"] is False
        assert user["id"].startswith("usr_") and user["createdAt"].endswith("Z")
        assert tokens["expiresIn"] == 900 and tokens["accessToken"] != tokens["refreshToken"]

        me = await client.get("/auth/me", headers=bearer(tokens["accessToken"]))
        assert me.status_code == 200
        assert me.json()["data"]["user"] == user
        assert me.json()["data"]["email"] == email  # the JS SDK reads data as the user

        headers = bearer(tokens["accessToken"])
        created = await client.post("/conversations", json={"title": "mine"}, headers=headers)
        assert created.status_code == 201, created.text
        assert created.json()["data"]["conversation"]["userId"] == user["id"]
        listed = (await client.get("/conversations", headers=headers)).json()["data"]
        assert [c["title"] for c in listed["conversations"]] == ["mine"]

    async def test_a_session_sees_only_its_own_conversations(self, api, client):
        await api.client.post("/conversations", json={"title": "owner's"}, headers=api.owner)
        tokens = (await register(client))["tokens"]
        listed = await client.get("/conversations", headers=bearer(tokens["accessToken"]))
        assert listed.json()["data"]["conversations"] == []

    async def test_login_opens_a_working_session(self, client):
        email = new_email()
        await register(client, email)
        response = await client.post("/auth/login", json={"email": email, "password": PASSWORD})
        assert response.status_code == 200
        data = response.json()["data"]
        assert data["user"]["email"] == email
        assert await conversations_status(client, bearer(data["tokens"]["accessToken"])) == 200

    async def test_wrong_password_and_unknown_email_get_the_same_401(self, client):
        email = new_email()
        await register(client, email)
        wrong = await client.post("/auth/login", json={"email": email, "password": "x" * 12})
        unknown = await client.post(
            "/auth/login", json={"email": new_email(), "password": PASSWORD}
        )
        assert wrong.status_code == unknown.status_code == 401
        assert wrong.json() == unknown.json()
        assert wrong.json()["success"] is False
        assert wrong.json()["error"] == "AUTHENTICATION_ERROR"

    async def test_duplicate_email_is_409_whatever_its_case(self, client):
        email = new_email()
        await register(client, email)
        again = await client.post(
            "/auth/register", json={"email": email.upper(), "password": PASSWORD}
        )
        assert again.status_code == 409
        assert again.json()["error"] == "CONFLICT"

    async def test_registrations_racing_for_one_email_make_one_account(self, client):
        email, tries = new_email(), 5
        body = {"email": email, "password": PASSWORD}
        answers = await asyncio.gather(
            *(client.post("/auth/register", json=body) for _ in range(tries))
        )
        assert sorted(a.status_code for a in answers) == [201] + [409] * (tries - 1)
        assert {a.json()["error"] for a in answers if a.status_code == 409} == {"CONFLICT"}

    async def test_an_email_taken_past_the_check_is_the_same_409(self, api):
        """What a racing registration meets: the unique index, not the check before it."""
        email = new_email()
        await api.accounts.create_user(email)
        with pytest.raises(Conflict, match="already exists"), one_user_per_email(email):
            async with api.app.state.ctx.db.write() as session:
                twin = User(id=new_id("usr"), email=email, plan="free", created_at=utcnow())
                await UserRepository(session).add(twin)

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"email": "not-an-email", "password": PASSWORD}, "email"),
            ({"password": PASSWORD}, "email"),
            ({"email": "a@example.com", "password": "short"}, "password"),
            ({"email": "a@example.com", "password": "x" * 129}, "password"),
            ({"email": "a@example.com"}, "password"),
        ],
    )
    async def test_bad_registration_is_400_naming_the_field(self, client, body, field):
        response = await client.post("/auth/register", json=body)
        assert response.status_code == 400, response.text
        assert response.json()["error"] == "VALIDATION_ERROR"
        assert response.json()["details"]["field"] == field


class TestRefreshAndLogout:
    async def test_refresh_rotates_within_the_family_and_reuse_revokes_it(self, client):
        first = (await register(client))["tokens"]
        rotated = await refresh(client, first["refreshToken"])
        assert rotated.status_code == 200, rotated.text
        second = rotated.json()["data"]
        # WIRE.md: the JS SDK reads the pair directly under data; tokens holds it too.
        assert second["tokens"] == {k: second[k] for k in second["tokens"]}
        assert second["refreshToken"] != first["refreshToken"]
        assert second["accessToken"] != first["accessToken"]
        assert await conversations_status(client, bearer(second["accessToken"])) == 200

        replayed = await refresh(client, first["refreshToken"])
        assert replayed.status_code == 401
        assert replayed.json()["error"] == "AUTHENTICATION_ERROR"
        # The whole family is dead: the newest refresh token and its access token too.
        assert (await refresh(client, second["refreshToken"])).status_code == 401
        assert await conversations_status(client, bearer(second["accessToken"])) == 401

    async def test_reuse_in_one_session_leaves_other_sessions_alone(self, client):
        email = new_email()
        first = (await register(client, email))["tokens"]
        other = (
            await client.post("/auth/login", json={"email": email, "password": PASSWORD})
        ).json()["data"]["tokens"]
        await refresh(client, first["refreshToken"])
        await refresh(client, first["refreshToken"])  # reuse: revokes the first family
        assert (await refresh(client, other["refreshToken"])).status_code == 200

    async def test_logout_ends_the_session_and_needs_no_other_credential(self, client):
        tokens = (await register(client))["tokens"]
        response = await client.post("/auth/logout", json={"refreshToken": tokens["refreshToken"]})
        assert response.status_code == 200
        assert response.json() == {"success": True}
        assert (await refresh(client, tokens["refreshToken"])).status_code == 401
        assert await conversations_status(client, bearer(tokens["accessToken"])) == 401

    async def test_refresh_without_a_token_is_400_naming_it(self, client):
        response = await client.post("/auth/refresh", json={})
        assert response.status_code == 400
        assert response.json()["details"]["field"] == "refreshToken"


class TestApiKeys:
    async def test_create_show_once_use_list_and_revoke(self, client):
        session = bearer((await register(client))["tokens"]["accessToken"])
        created = await client.post("/api-keys", json={"name": "laptop"}, headers=session)
        assert created.status_code == 201, created.text
        key = created.json()["data"]["apiKey"]
        secret = key["key"]
        assert re.fullmatch(r"cr_prod_sk_[0-9a-f]{64}", secret)
        assert key["name"] == "laptop" and secret.startswith(key["prefix"])
        assert key["lastUsedAt"] is None and key["revokedAt"] is None

        assert await conversations_status(client, {"Authorization": f"ApiKey {secret}"}) == 200

        listed = await client.get("/api-keys", headers=session)
        assert listed.status_code == 200
        assert secret not in listed.text
        [entry] = listed.json()["data"]["apiKeys"]
        assert entry["id"] == key["id"] and entry["prefix"] == key["prefix"]
        assert "key" not in entry
        assert entry["lastUsedAt"] is not None

        revoked = await client.delete(f"/api-keys/{key['id']}", headers=session)
        assert revoked.status_code == 200 and revoked.json() == {"success": True}
        assert await conversations_status(client, {"X-API-Key": secret}) == 401
        [entry] = (await client.get("/api-keys", headers=session)).json()["data"]["apiKeys"]
        assert entry["revokedAt"] is not None

    async def test_an_api_key_manages_its_own_accounts_keys(self, api):
        listed = await api.client.get("/api-keys")
        assert listed.status_code == 200
        [entry] = listed.json()["data"]["apiKeys"]
        assert api.client.headers["Authorization"].split()[1].startswith(entry["prefix"])
        created = await api.client.post("/api-keys", json={})
        assert created.status_code == 201
        assert len((await api.client.get("/api-keys")).json()["data"]["apiKeys"]) == 2

    async def test_another_accounts_key_is_404_and_stays_valid(self, api, client):
        owner = api.owner
        key = (await client.post("/api-keys", json={}, headers=owner)).json()["data"]["apiKey"]
        intruder = bearer((await register(client))["tokens"]["accessToken"])
        response = await client.delete(f"/api-keys/{key['id']}", headers=intruder)
        assert response.status_code == 404
        assert response.json()["error"] == "NOT_FOUND"
        assert (await client.get("/api-keys", headers=intruder)).json()["data"]["apiKeys"] == []
        assert await conversations_status(client, {"X-API-Key": key["key"]}) == 200


class TestGuest:
    async def test_guest_session_is_a_limited_day_long_account(self, client):
        before = datetime.now(UTC).replace(tzinfo=None)
        data = await start_guest(client)
        user = data["user"]
        assert user["isGuest"] is True and user["plan"] == "guest"
        assert user["email"].endswith("@guest.invalid")
        assert data["guest"]["limits"] == {"tokens": 250, "branches": 3, "messages": 20}
        expires = datetime.strptime(data["guest"]["expiresAt"], "%Y-%m-%dT%H:%M:%S.%fZ")
        assert timedelta(hours=23, minutes=59) < expires - before < timedelta(hours=24, minutes=1)
        me = await client.get("/auth/me", headers=bearer(data["tokens"]["accessToken"]))
        assert me.json()["data"]["user"]["id"] == user["id"]

    async def test_fourth_guest_session_in_an_hour_is_429_with_retry_after(self, client):
        hour = datetime.now(UTC).hour
        for _ in range(3):
            await start_guest(client)
        refused = await client.post("/auth/guest")
        if datetime.now(UTC).hour != hour:
            pytest.skip("the hour turned during the test")
        assert refused.status_code == 429, refused.text
        body = refused.json()
        assert body["success"] is False and body["error"] == "RATE_LIMITED"
        assert 0 < body["retryAfter"] <= 3600
        assert refused.headers["Retry-After"] == str(body["retryAfter"])

    async def test_guest_limit_counts_each_address_apart(self, api, client):
        for _ in range(3):
            await start_guest(client)
        transport = httpx.ASGITransport(app=api.app, client=("203.0.113.7", 4000))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test" + API_PREFIX
        ) as elsewhere:
            assert (await elsewhere.post("/auth/guest")).status_code == 201
        assert (await client.post("/auth/guest")).status_code == 429

    @pytest.mark.parametrize("scheme", ["ApiKey", "Bearer", "X-API-Key"])
    async def test_guest_endpoints_refuse_api_keys(self, api, client, scheme):
        key = await api.new_key()
        headers = (
            {"X-API-Key": key} if scheme == "X-API-Key" else {"Authorization": f"{scheme} {key}"}
        )
        for path, body in (
            ("/auth/guest", None),
            ("/auth/guest/convert", {"email": new_email(), "password": PASSWORD}),
        ):
            response = await client.post(path, json=body, headers=headers)
            assert response.status_code == 403, (path, response.text)
            assert response.json()["error"] == "FORBIDDEN"

    async def test_guests_cannot_create_api_keys(self, client):
        guest = bearer((await start_guest(client))["tokens"]["accessToken"])
        response = await client.post("/api-keys", json={}, headers=guest)
        assert response.status_code == 403
        assert response.json()["error"] == "FORBIDDEN"

    async def test_conversion_keeps_the_guests_conversations(self, client):
        guest = await start_guest(client)
        guest_headers = bearer(guest["tokens"]["accessToken"])
        created = await client.post(
            "/conversations", json={"title": "tried"}, headers=guest_headers
        )
        assert created.status_code == 201

        email = new_email()
        converted = await client.post(
            "/auth/guest/convert",
            json={"email": email, "password": PASSWORD, "name": "Grace"},
            headers=guest_headers,
        )
        assert converted.status_code == 200, converted.text
        user = converted.json()["data"]["user"]
        assert user["id"] == guest["user"]["id"]
        assert (user["email"], user["name"], user["plan"], user["isGuest"]) == (
            email,
            "Grace",
            "free",
            False,
        )
        # The guest session ended with the conversion; the account signs in as usual.
        assert await conversations_status(client, guest_headers) == 401
        login = await client.post("/auth/login", json={"email": email, "password": PASSWORD})
        account = bearer(login.json()["data"]["tokens"]["accessToken"])
        listed = (await client.get("/conversations", headers=account)).json()["data"]
        assert [c["id"] for c in listed["conversations"]] == [
            created.json()["data"]["conversation"]["id"]
        ]
        again = await client.post(
            "/auth/guest/convert",
            json={"email": new_email(), "password": PASSWORD},
            headers=account,
        )
        assert again.status_code == 403

    async def test_conversion_to_a_taken_email_is_409(self, client):
        email = new_email()
        await register(client, email)
        guest = bearer((await start_guest(client))["tokens"]["accessToken"])
        response = await client.post(
            "/auth/guest/convert", json={"email": email, "password": PASSWORD}, headers=guest
        )
        assert response.status_code == 409

    async def test_an_expired_guests_tokens_are_401(self, api, client):
        data = await start_guest(client)
        tokens = data["tokens"]
        assert await conversations_status(client, bearer(tokens["accessToken"])) == 200
        async with api.app.state.ctx.db.write() as session:  # let the day pass
            await session.execute(
                update(User)
                .where(User.id == data["user"]["id"])
                .values(guest_expires_at=datetime.now(UTC).replace(tzinfo=None) - timedelta(1))
            )
        assert await conversations_status(client, bearer(tokens["accessToken"])) == 401
        assert (await refresh(client, tokens["refreshToken"])).status_code == 401


class TestPasswordGuessing:
    async def test_an_address_guessing_one_account_is_throttled(self, client):
        email = new_email()
        await register(client, email)
        attempts = [
            await client.post("/auth/login", json={"email": email, "password": f"wrong-{i}xx"})
            for i in range(9)  # the registration was the first attempt of ten
        ]
        assert {r.status_code for r in attempts} == {401}
        refused = await client.post("/auth/login", json={"email": email, "password": "any-pass1"})
        assert refused.status_code == 429
        body = refused.json()
        assert body["error"] == "RATE_LIMITED" and body["retryAfter"] > 0
        assert int(refused.headers["Retry-After"]) == body["retryAfter"]
        # Another account from the same address still gets its answer.
        other = new_email()
        await register(client, other)
        response = await client.post("/auth/login", json={"email": other, "password": "x" * 12})
        assert response.status_code == 401
