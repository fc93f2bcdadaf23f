"""SDK tests: our SDK against a real ``chatroutes serve`` process (SQLite), mock upstream.

The server fixtures are the end-to-end ones; the SDK's behaviour does not depend on the
storage backend (the e2e suite covers both), so these run on SQLite only.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import KEY_RE, LiveServer, child_env, live_server  # noqa: F401

pytestmark = pytest.mark.e2e


def new_account(server: LiveServer, plan: str = "enterprise") -> str:
    """A fresh user on ``plan`` (enterprise: no per-minute limit in the way); its API key."""
    return server.new_account(plan)


@pytest.fixture(scope="module")
def server(live_server: LiveServer) -> LiveServer:  # noqa: F811
    return live_server


@pytest.fixture(scope="module")
def api_key(server: LiveServer) -> str:
    return new_account(server)
