"""Bad credentials of every kind are 401s; another account's ids are 404 on every id route."""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
import jwt
import pytest
from fastapi.routing import APIRoute
from sqlalchemy import delete

from chatroutes.server.auth.api_keys import generate_api_key
from chatroutes.server.auth.sessions import signing_key
from chatroutes.server.store.tables import User

PASSWORD = "correct horse battery"
# Some forgeries are signed with deliberately weak keys; PyJWT warns about those.
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64_json(value: dict[str, Any]) -> str:
    return _b64(json.dumps(value, separators=(",", ":")).encode("utf-8"))


def _claims_of(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class World:
    """Real sessions and keys to forge bad credentials from."""

    def __init__(self, api) -> None:
        self.api = api
        self.client: httpx.AsyncClient = api.client
        self.owner = {"Authorization": self.client.headers.pop("Authorization")}
        self.key = signing_key(api.app.state.ctx.secret)

    async def session(self) -> dict[str, Any]:
        email = f"sec-{uuid.uuid4().hex[:10]}@example.com"
        response = await self.client.post(
            "/auth/register", json={"email": email, "password": PASSWORD}
        )
        assert response.status_code == 201, response.text
        return response.json()["data"]

    async def claims(self) -> dict[str, Any]:
        """The claims of a fresh, valid access token."""
        return _claims_of((await self.session())["tokens"]["accessToken"])

    def sign(self, claims: dict[str, Any], *, key: bytes | None = None, alg: str = "HS256") -> str:
        return jwt.encode(claims, self.key if key is None else key, algorithm=alg)


Case = Callable[[World], Awaitable[dict[str, str]]]
CASES: dict[str, Case] = {}


def case(name: str) -> Callable[[Case], Case]:
    def register(builder: Case) -> Case:
        CASES[name] = builder
        return builder

    return register


@case("no credentials at all")
async def _missing(w: World) -> dict[str, str]:
    return {}


@case("Bearer with nothing after it")
async def _empty_bearer(w: World) -> dict[str, str]:
    return {"Authorization": "Bearer "}


@case("a token without a scheme")
async def _no_scheme(w: World) -> dict[str, str]:
    return {"Authorization": (await w.session())["tokens"]["accessToken"]}


@case("an unknown scheme")
async def _basic(w: World) -> dict[str, str]:
    return {"Authorization": "Basic dXNlcjpwYXNz"}


@case("a malformed API key")
async def _malformed_key(w: World) -> dict[str, str]:
    return {"Authorization": "ApiKey cr_prod_sk_short"}


@case("a malformed API key as Bearer")
async def _malformed_bearer_key(w: World) -> dict[str, str]:
    return bearer("cr_prod_sk_" + "g" * 64)


@case("an unknown well-formed API key")
async def _unknown_key(w: World) -> dict[str, str]:
    return {"Authorization": f"ApiKey {generate_api_key()}"}


@case("a revoked API key")
async def _revoked_key(w: World) -> dict[str, str]:
    created = await w.client.post("/api-keys", json={}, headers=w.owner)
    key = created.json()["data"]["apiKey"]
    assert (await w.client.delete(f"/api-keys/{key['id']}", headers=w.owner)).status_code == 200
    return {"X-API-Key": key["key"]}


@case("an expired JWT")
async def _expired(w: World) -> dict[str, str]:
    now = int(time.time())
    return bearer(w.sign(await w.claims() | {"iat": now - 3600, "exp": now - 60}))


@case("a JWT signed with another key")
async def _wrong_key(w: World) -> dict[str, str]:
    return bearer(w.sign(await w.claims(), key=b"another-server-secret-entirely!!"))


@case("a JWT signed with the raw server secret instead of the derived key")
async def _raw_secret(w: World) -> dict[str, str]:
    return bearer(w.sign(await w.claims(), key=w.api.app.state.ctx.secret))


@case("an alg:none JWT")
async def _alg_none(w: World) -> dict[str, str]:
    header = _b64_json({"alg": "none", "typ": "JWT"})
    return bearer(f"{header}.{_b64_json(await w.claims())}.")


@case("a JWT signed HS512 with the right key")
async def _hs512(w: World) -> dict[str, str]:
    return bearer(w.sign(await w.claims(), alg="HS512"))


@case("a tampered payload under the old signature")
async def _tampered(w: World) -> dict[str, str]:
    victim = await w.claims()
    header, _payload, signature = (await w.session())["tokens"]["accessToken"].split(".")
    mine = _claims_of(f"{header}.{_payload}.{signature}")
    forged = mine | {"sub": victim["sub"], "sid": victim["sid"]}
    return bearer(f"{header}.{_b64_json(forged)}.{signature}")


@case("a refresh token used as an access token")
async def _refresh_as_access(w: World) -> dict[str, str]:
    return bearer((await w.session())["tokens"]["refreshToken"])


@case("a JWT with typ refresh")
async def _typ_refresh(w: World) -> dict[str, str]:
    return bearer(w.sign(await w.claims() | {"typ": "refresh"}))


@case("a JWT without typ")
async def _no_typ(w: World) -> dict[str, str]:
    claims = await w.claims()
    del claims["typ"]
    return bearer(w.sign(claims))


@case("a JWT without exp")
async def _no_exp(w: World) -> dict[str, str]:
    claims = await w.claims()
    del claims["exp"]
    return bearer(w.sign(claims))


@case("a JWT for a user that does not exist")
async def _unknown_user(w: World) -> dict[str, str]:
    return bearer(w.sign(await w.claims() | {"sub": "usr_doesnotexist00000000000"}))


@case("a JWT naming another user's session")
async def _other_session(w: World) -> dict[str, str]:
    return bearer(w.sign(await w.claims() | {"sid": (await w.claims())["sid"]}))


@case("a JWT for a deleted user")
async def _deleted_user(w: World) -> dict[str, str]:
    data = await w.session()
    async with w.api.app.state.ctx.db.write() as session:
        await session.execute(delete(User).where(User.id == data["user"]["id"]))
    return bearer(data["tokens"]["accessToken"])


@case("the access token of a logged-out session")
async def _logged_out(w: World) -> dict[str, str]:
    tokens = (await w.session())["tokens"]
    await w.client.post("/auth/logout", json={"refreshToken": tokens["refreshToken"]})
    return bearer(tokens["accessToken"])


@case("garbage in Bearer")
async def _garbage(w: World) -> dict[str, str]:
    return bearer("not.a.jwt")


@case("binary-looking garbage in Bearer")
async def _garbage_b64(w: World) -> dict[str, str]:
    return bearer("eyJhbGciOiJIUzI1NiJ9.%%%.@@@")


@case("a valid JWT under the ApiKey scheme")
async def _jwt_as_key(w: World) -> dict[str, str]:
    return {"Authorization": f"ApiKey {(await w.session())['tokens']['accessToken']}"}


@case("a valid JWT in X-API-Key")
async def _jwt_in_x_api_key(w: World) -> dict[str, str]:
    return {"X-API-Key": (await w.session())["tokens"]["accessToken"]}


@pytest.fixture
def world(api) -> World:
    return World(api)


class TestBadCredentials:
    async def test_hand_built_tokens_are_accepted_when_nothing_is_wrong(self, world):
        """The baseline the forgeries below depart from: each differs in one thing only."""
        claims = await world.claims()
        response = await world.client.get("/conversations", headers=bearer(world.sign(claims)))
        assert response.status_code == 200, response.text
        resigned = world.sign(claims | {"jti": uuid.uuid4().hex})
        assert (await world.client.get("/auth/me", headers=bearer(resigned))).status_code == 200

    @pytest.mark.parametrize("name", sorted(CASES))
    async def test_is_401_with_the_error_body(self, world, name):
        headers = await CASES[name](world)
        for method, path in (("GET", "/conversations"), ("GET", "/auth/me")):
            response = await world.client.request(method, path, headers=headers)
            assert response.status_code == 401, (name, path, response.text)
            body = response.json()
            assert body["success"] is False
            assert body["error"] == "AUTHENTICATION_ERROR"
            assert isinstance(body["message"], str) and body["message"]

    async def test_a_spent_refresh_token_is_401_on_refresh(self, world):
        tokens = (await world.session())["tokens"]
        first = await world.client.post(
            "/auth/refresh", json={"refreshToken": tokens["refreshToken"]}
        )
        assert first.status_code == 200
        again = await world.client.post(
            "/auth/refresh", json={"refreshToken": tokens["refreshToken"]}
        )
        assert again.status_code == 401
        assert again.json()["error"] == "AUTHENTICATION_ERROR"

    async def test_an_unknown_refresh_token_is_401(self, world):
        response = await world.client.post("/auth/refresh", json={"refreshToken": "x" * 43})
        assert response.status_code == 401


# ---------------------------------------------------------------------------------------------
# Another account's ids


def _walk(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, path) of every API route, through included routers of any FastAPI version."""
    for route in routes:
        original = getattr(route, "original_router", None)
        if original is not None:
            yield from _walk(original.routes, prefix + route.include_context.prefix)
        elif isinstance(route, APIRoute):
            for method in route.methods:
                yield method, prefix + route.path


_PARAM = re.compile(r"\{(\w+)\}")
# Routes whose ids are checked here; a new one is exercised automatically if its parameters
# appear in ``ids`` below, and fails the test until they do.
MIN_ID_ROUTES = 25


async def test_every_id_route_answers_404_for_another_accounts_ids(api, send):
    owner = api.client  # user A, by API key
    conversation = (await owner.post("/conversations", json={"title": "A's"})).json()["data"]
    cid = conversation["conversation"]["id"]
    main = conversation["conversation"]["branches"][0]["id"]
    sent = await send(cid, "Hello from A")
    message_id = sent["message"]["id"]
    branch = await owner.post(
        f"/conversations/{cid}/branches",
        json={"title": "A's branch", "forkPointMessageId": message_id},
    )
    assert branch.status_code == 201, branch.text
    branch_id = branch.json()["data"]["branch"]["id"]
    checkpoint = await owner.post(
        f"/conversations/{cid}/checkpoints", json={"branchId": main, "anchorMessageId": message_id}
    )
    assert checkpoint.status_code == 201, checkpoint.text
    key = (await owner.post("/api-keys", json={"name": "A's"})).json()["data"]["apiKey"]
    parallel = await owner.post(
        f"/conversations/{cid}/parallel-responses", json={"content": "Which?", "count": 2}
    )
    assert parallel.status_code == 201, parallel.text
    response_session = parallel.json()["data"]
    webhook = await owner.post("/webhooks", json={"url": "https://1.1.1.1/hooks", "events": ["*"]})
    assert webhook.status_code == 201, webhook.text
    webhook_id = webhook.json()["data"]["webhook"]["id"]
    delivery = await owner.post(f"/webhooks/{webhook_id}/test")
    assert delivery.status_code == 202, delivery.text
    ids = {
        "conversation_id": cid,
        "branch_id": branch_id,
        "message_id": message_id,
        "checkpoint_id": checkpoint.json()["data"]["checkpoint"]["id"],
        "key_id": key["id"],
        "session_id": response_session["id"],
        "webhook_id": webhook_id,
        "delivery_id": delivery.json()["data"]["delivery"]["id"],
    }
    # Valid for every body that takes one, so only ownership can refuse the request.
    body = {
        "content": "from B",
        "title": "B's",
        "branchId": branch_id,
        "anchorMessageId": message_id,
        "forkPointMessageId": message_id,
        "candidateId": response_session["candidates"][0]["id"],
    }

    # B is on a plan whose rate limit leaves room for one request per route.
    b_headers = api.headers(await api.new_key("intruder@example.com", plan="enterprise"))

    id_routes = sorted(
        {(m, p) for m, p in _walk(api.app.routes) if p.startswith("/api/v1/") and _PARAM.search(p)}
    )
    assert len(id_routes) >= MIN_ID_ROUTES, id_routes
    exercised = set()
    for method, path in id_routes:
        params = _PARAM.findall(path)
        missing = [p for p in params if p not in ids]
        assert not missing, f"{method} {path}: no object of A's for {missing}; add one here"
        url = _PARAM.sub(lambda m: ids[m.group(1)], path).removeprefix("/api/v1")
        json_body = body if method in ("POST", "PATCH", "PUT") else None
        response = await api.client.request(method, url, json=json_body, headers=b_headers)
        assert response.status_code == 404, (method, path, response.status_code, response.text)
        assert response.json()["error"] == "NOT_FOUND", (method, path)
        exercised.add((method, path))
    assert exercised == set(id_routes)

    # Nothing of A's was touched by B's attempts.
    again = await owner.get(f"/conversations/{cid}")
    assert again.status_code == 200
    assert message_id in {m["id"] for m in again.json()["data"]["conversation"]["messages"]}
    assert branch_id in {b["id"] for b in again.json()["data"]["conversation"]["branches"]}
    assert (await owner.get(f"/conversations/{cid}/checkpoints")).json()["data"]["checkpoints"]
    kept = await owner.get(f"/response-sessions/{response_session['id']}")
    assert kept.status_code == 200 and kept.json()["data"]["chosenCandidateId"] is None
    assert (await owner.get("/conversations", headers={"X-API-Key": key["key"]})).status_code == 200
