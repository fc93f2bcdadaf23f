"""The official SDK's scenarios run unchanged with OUR SDK, with the same results.

Each scenario of ``sdk_scenarios/`` runs twice against one live server: in ``.venv-sdk``
(the official chatroutes 0.2.6) and in this project's venv (``import chatroutes`` is ours).
Each SDK runs them all in the same order on fresh accounts of its own, so every listing
sees the same history. After ids, timestamps,
hashes and timings are replaced by placeholders (ids by order of first appearance), the
two observation reports must be equal.
"""

from __future__ import annotations

import re
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import KEY_RE, REPO_ROOT, SCENARIO_DIR, LiveServer, ScenarioRunner

pytestmark = pytest.mark.e2e

OUR_PYTHON = Path(sys.executable)
# Every scenario, those added later included: each must give the same results on both.
SCENARIOS = sorted(p.stem for p in SCENARIO_DIR.glob("*.py") if not p.stem.startswith("_"))

_ID = re.compile(r"^(?:conv|msg|br|cp|ckpt|chk|user|usr|key)_[A-Za-z0-9_-]+$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z?$")
_HASH = re.compile(r"^[0-9a-f]{64}$")
_VOLATILE = {"responseTime", "sdk"}


def _normalise(value: Any, ids: dict[str, str]) -> Any:
    """Ids become ``<id n>`` by first appearance; timestamps, hashes and timings vanish."""
    if isinstance(value, dict):
        return {
            key: "<volatile>" if key in _VOLATILE else _normalise(item, ids)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_normalise(item, ids) for item in value]
    if isinstance(value, str):
        if _ID.match(value):
            return ids.setdefault(value, f"<id {len(ids)}>")
        if _TIMESTAMP.match(value):
            return "<timestamp>"
        if _HASH.match(value):
            return "<hash>"
        # ids inside reprs and messages ("Conversation conv_x not found")
        return re.sub(
            r"\b(?:conv|msg|br|cp|ckpt|chk)_[A-Za-z0-9]+",
            lambda m: ids.setdefault(m.group(0), f"<id {len(ids)}>"),
            value,
        )
    return value


def new_pro_account(server: LiveServer) -> str:
    """A user on the pro plan (a free one's per-minute limit is below a scenario's pace)."""
    email = f"sdk-{uuid.uuid4().hex[:10]}@example.com"
    server.cli("users", "create", email, "--plan", "pro")
    key = server.cli("keys", "create", email).strip().splitlines()[-1]
    assert KEY_RE.fullmatch(key), key
    return key


def _run_all(runner: ScenarioRunner, server: LiveServer) -> dict[str, dict[str, Any]]:
    """Every scenario in order, on two fresh accounts of this SDK's own."""
    keys = {"E2E_API_KEY": new_pro_account(server), "E2E_OTHER_API_KEY": new_pro_account(server)}
    return {name: runner(name, **keys) for name in SCENARIOS}


@pytest.fixture(scope="module")
def ours(live_server: LiveServer) -> ScenarioRunner:
    return ScenarioRunner(OUR_PYTHON, live_server)


@pytest.fixture(scope="module")
def official(sdk_python: Path, live_server: LiveServer) -> ScenarioRunner:
    return ScenarioRunner(sdk_python, live_server)


@pytest.fixture(scope="module")
def reports(
    ours: ScenarioRunner, official: ScenarioRunner, live_server: LiveServer
) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    expected, observed = _run_all(official, live_server), _run_all(ours, live_server)
    return {name: (expected[name], observed[name]) for name in SCENARIOS}


def test_the_scenarios_imported_our_sdk(reports: dict[str, tuple[dict, dict]]) -> None:
    for official_report, our_report in reports.values():
        assert official_report["sdk"]["version"] == "0.2.6"
        assert "/.venv-sdk/" in official_report["sdk"]["file"]
        assert our_report["sdk"]["file"] == str(REPO_ROOT / "src" / "chatroutes" / "__init__.py")


@pytest.mark.parametrize("name", SCENARIOS)
def test_our_sdk_observes_what_the_official_one_does(
    name: str, reports: dict[str, tuple[dict, dict]]
) -> None:
    official_report, our_report = reports[name]
    expected = _normalise(official_report, {})
    observed = _normalise(our_report, {})
    assert observed == expected
