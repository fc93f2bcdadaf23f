"""The SDK and a sample program pass ``mypy --strict`` (results are typed, py.typed ships)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SDK_MODULES = [
    "src/chatroutes/__init__.py",
    "src/chatroutes/_client.py",
    "src/chatroutes/_http.py",
    "src/chatroutes/_streaming.py",
    "src/chatroutes/_types.py",
    "src/chatroutes/_exceptions.py",
    "src/chatroutes/resources",
]


def _mypy(*targets: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *targets],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_sample_program_type_checks_strictly() -> None:
    done = _mypy("tests/sdk/typing_sample.py")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_sdk_type_checks_strictly() -> None:
    done = _mypy(*SDK_MODULES)
    assert done.returncode == 0, done.stdout + done.stderr
