"""CPU-heavy work runs in a worker process, and survives that worker dying."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from chatroutes.server.domain.summarizer import extractive_summary
from chatroutes.server.services import offload

TURNS = [("user", "What does a fork cost?"), ("assistant", "Nothing: it is a pointer.")]


async def test_work_runs_in_another_process_and_returns_its_result():
    assert await offload.in_worker(os.getpid) != os.getpid()
    summary = await offload.in_worker(extractive_summary, TURNS, previous=None, max_tokens=200)
    assert summary == extractive_summary(TURNS, previous=None, max_tokens=200)


async def test_a_dead_worker_costs_no_result_and_is_replaced():
    first = await offload.in_worker(os.getpid)
    assert first != os.getpid()  # never kill the test's own process
    os.kill(first, signal.SIGKILL)
    # The call that finds the worker dead still gets its answer ...
    assert await offload.in_worker(extractive_summary, TURNS, previous=None, max_tokens=200)
    # ... and calls after it have a new worker.
    second = await offload.in_worker(os.getpid)
    assert second not in (first, os.getpid())


_KILLED_SERVER = """
import asyncio, os, signal
from chatroutes.server.services import offload

async def main():
    print(await offload.in_worker(os.getpid), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)

if __name__ == "__main__":
    asyncio.run(main())
"""


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_the_worker_of_a_killed_server_exits_too(tmp_path: Path):
    """kill -9 of the server must not leave its worker waiting for ever."""
    script = tmp_path / "killed_server.py"
    script.write_text(_KILLED_SERVER)
    out = tmp_path / "out.txt"
    with out.open("w") as stdout:  # a file, not a pipe a surviving worker would hold open
        done = subprocess.run([sys.executable, str(script)], stdout=stdout, timeout=60)
    assert done.returncode == -signal.SIGKILL
    worker = int(out.read_text().strip())
    deadline = time.monotonic() + 10
    while _running(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(worker)
