"""CPU-heavy pure work in a worker process, so it never holds the server's GIL.

In a thread, such work (an extractive summary of a long path: tens of milliseconds)
would still keep the event loop waiting for the GIL, a latency spike for every request
in flight. One worker per server process, shared by its apps, started by ``start`` (or
on first use) with "spawn" (the server runs threads, which a fork would copy mid-state)
and stopped by ``stop`` when the server shuts down.
"""

from __future__ import annotations

import asyncio
import functools
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

_worker: ProcessPoolExecutor | None = None


def start() -> ProcessPoolExecutor:
    """The worker, started now if it is not running."""
    global _worker
    if _worker is None:
        spawn = multiprocessing.get_context("spawn")
        _worker = ProcessPoolExecutor(max_workers=1, mp_context=spawn)
    return _worker


def stop() -> None:
    """Stop the worker, once what it is doing is done; a later use starts another."""
    global _worker
    if _worker is not None:
        _worker.shutdown(wait=True, cancel_futures=True)
        _worker = None


async def in_worker(function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``function(*args, **kwargs)`` in the worker process: a module-level function with
    arguments that pickle. A worker that died is replaced for the next call; this one
    runs in a thread."""
    global _worker
    call = functools.partial(function, *args, **kwargs)
    try:
        return await asyncio.get_running_loop().run_in_executor(start(), call)
    except BrokenProcessPool:
        _worker = None
        return await asyncio.to_thread(call)
