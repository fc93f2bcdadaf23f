"""The kill -9 test of ``test_crash_safety.py`` on PostgreSQL (eight kills).

A file of its own so that, under ``--dist loadfile``, it runs on another worker than
the SQLite run, the suite's longest test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_crash_safety import (  # noqa: F401 -- the module's fixtures
    POSTGRES_RUNS,
    fork_server,
    kill_9_runs,
    slow_upstream,
)
from tests.support.fork_server import ForkServer
from tests.support.mock_upstream import MockUpstream

pytestmark = [pytest.mark.long, pytest.mark.postgres]


def test_kill_9_loses_nothing_acknowledged_and_leaves_no_half_write_on_postgresql(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    child_env: dict[str, str],
    fork_server: ForkServer,  # noqa: F811 -- the imported fixture
    slow_upstream: MockUpstream,  # noqa: F811
) -> None:
    kill_9_runs(
        request, tmp_path, child_env, fork_server, slow_upstream, "postgresql", POSTGRES_RUNS
    )
