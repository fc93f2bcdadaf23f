"""The JavaScript clients' own suites (vitest), against a live stack.

``clients/typescript`` (``@chatroutes/sdk``) and, where present, ``clients/react`` and
``clients/vue`` run ``npm test``, one after another, on one stack of this module
(``tests/support/live_stack.py``: a real ``chatroutes serve`` and the mock upstream), each
suite with accounts of its own; their vitest globalSetup reads it from
``CHATROUTES_LIVE_STACK`` (run alone, it starts a stack itself). ``make test`` installs and
builds them first (``make js``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import clean_child_env
from tests.support.live_stack import Stack, running_stack

pytestmark = pytest.mark.long

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["typescript", "react", "vue"]
SUITE_TIMEOUT = 600.0


def _require_npm() -> None:
    if shutil.which("npm") is None:
        if os.environ.get("CHATROUTES_REQUIRE_NODE"):
            pytest.fail("npm is required here")
        pytest.skip("npm is not installed (scripts/system-deps.sh installs it)")


def _package_dir(name: str) -> Path:
    directory = REPO_ROOT / "clients" / name
    if not (directory / "package.json").exists():
        pytest.skip(f"clients/{name} does not exist")
    if not (directory / "node_modules").is_dir():
        pytest.fail(f"clients/{name} is not installed: run `make js` (npm ci, npm run build)")
    return directory


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    """One live stack for the module's suites: starting one costs seconds of CPU."""
    _require_npm()
    with running_stack() as running:
        yield running


@pytest.mark.parametrize("name", PACKAGES)
def test_javascript_client_suite_passes_against_a_live_server(name: str, stack: Stack) -> None:
    directory = _package_dir(name)
    env = {
        **clean_child_env(),
        "CHATROUTES_LIVE_STACK": json.dumps(stack.ready()),
        "CI": "1",
        "NO_COLOR": "1",
    }
    done = subprocess.run(
        ["npm", "test", "--silent"],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=SUITE_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, (
        f"`npm test` in clients/{name} exited {done.returncode}\n"
        f"--- stdout ---\n{done.stdout[-12000:]}\n--- stderr ---\n{done.stderr[-6000:]}\n"
        f"{stack.server.logs()}"
    )
