"""CPU-heavy work runs in a worker process, and survives that worker dying."""

from __future__ import annotations

import os
import signal

from chatroutes.server.domain.summarizer import extractive_summary
from chatroutes.server.services import offload

TURNS = [("user", "What does a fork cost?"), ("assistant", "Nothing: it is a pointer.")]


async def test_work_runs_in_another_process_and_returns_its_result():
    assert await offload.in_worker(os.getpid) != os.getpid()
    summary = await offload.in_worker(extractive_summary, TURNS, previous=None, max_tokens=200)
    assert summary == extractive_summary(TURNS, previous=None, max_tokens=200)


async def test_a_dead_worker_costs_no_result_and_is_replaced():
    first = await offload.in_worker(os.getpid)
    os.kill(first, signal.SIGKILL)
    # The call that finds the worker dead still gets its answer (from a thread here) ...
    assert await offload.in_worker(extractive_summary, TURNS, previous=None, max_tokens=200)
    # ... and the next one has a new worker.
    second = await offload.in_worker(os.getpid)
    assert second not in (first, os.getpid())
