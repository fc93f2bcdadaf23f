"""Behind a reverse proxy, per-address limits count each client, not the proxy.

``CHATROUTES_TRUSTED_PROXIES`` names the proxies whose ``X-Forwarded-For`` is believed;
from any other peer the header is ignored, so a client cannot forge its way out of a
limit. Checked against a real ``chatroutes serve`` (uvicorn applies the list, and so does
the app) and against the app alone, mounted without uvicorn.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import yaml
from pydantic import ValidationError

from chatroutes.server.app import create_app
from chatroutes.server.services.sessions import (
    GUEST_SESSIONS_PER_HOUR,
    SIGN_IN_WINDOW,
    SIGN_INS_PER_ACCOUNT,
)
from chatroutes.server.settings import Settings
from tests.conftest import API_PREFIX
from tests.e2e.conftest import (  # noqa: F401
    BACKEND_PARAMS,
    LiveServer,
    child_env,
    server_env,
    serving,
)
from tests.support.mock_upstream import MockUpstream

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
# The test plays nginx from one loopback address, and a client connecting straight to
# the server from 127.0.0.1 (which uvicorn alone would trust by default).
PROXY = "127.0.0.2"
ELSEWHERE = "127.0.0.1"
GUEST_WINDOW = timedelta(hours=1)  # guest sessions are counted per address and clock hour


def forwarded_for(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


async def guest_statuses(client: httpx.AsyncClient, headers: dict[str, str], count: int):
    return [(await client.post("/auth/guest", headers=headers)).status_code for _ in range(count)]


@pytest.fixture(scope="module", params=BACKEND_PARAMS)
def proxied_server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    child_env: dict[str, str],  # noqa: F811
    upstream: MockUpstream,
) -> Iterator[LiveServer]:
    """``chatroutes serve`` trusting only ``PROXY`` (as a CIDR) to forward for clients."""
    backend: str = request.param
    workdir = tmp_path_factory.mktemp(f"proxied-{backend}")
    env = server_env(
        request, workdir, child_env, upstream, CHATROUTES_TRUSTED_PROXIES=f"{PROXY}/32"
    )
    with serving(backend, workdir, env) as server:
        yield server


@asynccontextmanager
async def connecting_from(address: str, server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    """A client of ``server`` whose connections come from the local ``address``."""
    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with httpx.AsyncClient(transport=transport, base_url=server.api_url, timeout=30) as c:
        yield c


@pytest.fixture
async def via_proxy(proxied_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with connecting_from(PROXY, proxied_server) as client:
        yield client


@pytest.fixture
async def direct(proxied_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with connecting_from(ELSEWHERE, proxied_server) as client:
        yield client


def client_address() -> str:
    """An address of the documentation range no other test has used."""
    return f"198.51.100.{uuid.uuid4().int % 250 + 1}"


@pytest.mark.e2e
class TestBehindATrustedProxy:
    async def test_each_forwarded_client_gets_its_own_guest_allowance(self, via_proxy):
        await _within_one_window(GUEST_WINDOW)
        first, second = "198.51.100.1", "198.51.100.2"
        cap = GUEST_SESSIONS_PER_HOUR

        assert await guest_statuses(via_proxy, forwarded_for(first), cap + 1) == [201] * cap + [429]
        assert await guest_statuses(via_proxy, forwarded_for(second), cap) == [201] * cap
        # A client's own entries in front of the proxy's do not make it someone else.
        chained = forwarded_for(f"203.0.113.99, {first}")
        assert await guest_statuses(via_proxy, chained, 1) == [429]

    async def test_the_sign_in_throttle_counts_each_forwarded_client(self, via_proxy):
        await _within_one_window(SIGN_IN_WINDOW)
        email = f"target-{uuid.uuid4().hex[:8]}@example.com"
        body = {"email": email, "password": "not-the-password"}
        guesser, bystander = forwarded_for("198.51.100.10"), forwarded_for("198.51.100.11")

        guesses = [
            (await via_proxy.post("/auth/login", json=body, headers=guesser)).status_code
            for _ in range(SIGN_INS_PER_ACCOUNT + 1)
        ]

        assert guesses == [401] * SIGN_INS_PER_ACCOUNT + [429]
        answer = await via_proxy.post("/auth/login", json=body, headers=bystander)
        assert answer.status_code == 401  # an answer, not the guesser's 429


@pytest.mark.e2e
class TestFromAnUntrustedPeer:
    async def test_a_forged_forwarded_for_does_not_escape_the_guest_limit(self, direct):
        await _within_one_window(GUEST_WINDOW)
        cap = GUEST_SESSIONS_PER_HOUR
        statuses = [
            (await direct.post("/auth/guest", headers=forwarded_for(client_address()))).status_code
            for _ in range(cap + 2)
        ]
        assert statuses == [201] * cap + [429, 429]


class TestTheAppAlone:
    """Mounted without uvicorn (any ASGI server), the app applies the list itself."""

    @pytest.fixture
    async def app(self, settings: Settings):
        app = create_app(settings.model_copy(update={"trusted_proxies": "10.0.0.0/8"}))
        yield app
        await app.state.ctx.http.aclose()
        await app.state.ctx.db.dispose()

    @staticmethod
    def peer(app, address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        return httpx.AsyncClient(transport=transport, base_url="http://test" + API_PREFIX)

    async def test_a_trusted_proxy_forwards_distinct_clients(self, app):
        await _within_one_window(GUEST_WINDOW)
        cap = GUEST_SESSIONS_PER_HOUR
        async with self.peer(app, "10.1.2.3") as proxy:
            for address in ("192.0.2.1", "192.0.2.2"):
                statuses = await guest_statuses(proxy, forwarded_for(address), cap)
                assert statuses == [201] * cap
            assert await guest_statuses(proxy, forwarded_for("192.0.2.1"), 1) == [429]

    async def test_another_peers_forwarded_for_is_ignored(self, app):
        await _within_one_window(GUEST_WINDOW)
        cap = GUEST_SESSIONS_PER_HOUR
        async with self.peer(app, "192.0.2.50") as stranger:
            statuses = [
                (await stranger.post("/auth/guest", headers=forwarded_for(f"10.9.9.{i}")))
                for i in range(cap + 1)
            ]
        assert [r.status_code for r in statuses] == [201] * cap + [429]


class TestConfiguration:
    @pytest.mark.parametrize("value", ["nginx", "10.0.0.1/8", "300.1.1.1", "*,10.0.0.0/8"])
    def test_a_value_that_is_no_address_or_network_is_refused(self, value):
        with pytest.raises(ValidationError, match="CHATROUTES_TRUSTED_PROXIES"):
            Settings(trusted_proxies=value)

    def test_addresses_and_networks_are_accepted(self):
        settings = Settings(trusted_proxies=" 10.0.0.0/8, 127.0.0.1 ,::1, fd00::/8")
        assert settings.trusted_proxies == "10.0.0.0/8,127.0.0.1,::1,fd00::/8"

    def test_compose_trusts_nginxs_network_and_nginx_forwards_the_client(self):
        compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
        services = compose["services"]
        [nginx_network] = services["nginx"]["networks"]
        assert nginx_network in services["chatroutes"]["networks"]
        [subnet] = [c["subnet"] for c in compose["networks"][nginx_network]["ipam"]["config"]]
        trusted = services["chatroutes"]["environment"]["CHATROUTES_TRUSTED_PROXIES"]
        assert _default(trusted) == _default(subnet)
        assert Settings(trusted_proxies=_default(trusted)).trusted_proxies == _default(subnet)

        nginx = (DEPLOY / "nginx.conf").read_text()
        # nginx is the edge: a client's own X-Forwarded-For is replaced, never passed on.
        assert re.search(r"proxy_set_header X-Forwarded-For \$remote_addr;", nginx)
        assert re.search(r"proxy_set_header X-Real-IP \$remote_addr;", nginx)
        assert "$proxy_add_x_forwarded_for" not in nginx


async def _within_one_window(window: timedelta, needed: float = 30.0) -> None:
    """Wait for the next counting window if this one ends within ``needed`` seconds."""
    seconds = window.total_seconds()
    left = seconds - datetime.now(UTC).timestamp() % seconds
    if left < needed:
        await asyncio.sleep(left + 0.5)


def _default(value: str) -> str:
    """The default of a compose ``${NAME:-default}`` (or the value itself)."""
    found = re.fullmatch(r"\$\{\w+:-([^}]*)\}", value)
    return found.group(1) if found else value
