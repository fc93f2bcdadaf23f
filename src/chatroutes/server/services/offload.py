"""CPU-heavy pure work in a worker process, so it never holds the server's GIL.

In a thread, such work (an extractive summary of a long path: tens of milliseconds)
would still keep the event loop waiting for the GIL, a latency spike for every request
in flight. One worker per server process, shared by every app in it, started by
``start`` (or on first use) with "spawn" (the server runs threads, which a fork would
copy mid-state), stopped by ``stop`` when the server shuts down, and gone by itself
when the server process dies.
"""

from __future__ import annotations

import asyncio
import functools
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

_PARENT_CHECK_SECONDS = 1.0

_worker: ProcessPoolExecutor | None = None


def start() -> ProcessPoolExecutor:
    """The worker, started now if it is not running."""
    global _worker
    if _worker is None:
        spawn = multiprocessing.get_context("spawn")
        _worker = ProcessPoolExecutor(
            max_workers=1, mp_context=spawn, initializer=_exit_with, initargs=(os.getpid(),)
        )
    return _worker


def _exit_with(parent: int) -> None:
    """In the worker: exit once the server process is gone, even killed (kill -9), which
    a pool's worker does not notice by itself: it would wait on its queue for ever."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


async def stop() -> None:
    """Stop the worker once the calls it has are done (when the server shuts down); a
    later call starts another, so an app stopping cannot strand another app's work."""
    global _worker
    worker, _worker = _worker, None
    if worker is not None:
        await asyncio.to_thread(worker.shutdown, wait=True)


async def in_worker(function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``function(*args, **kwargs)`` in the worker process: a module-level function with
    arguments that pickle. A worker found dead is replaced; if the new one dies too (the
    call itself may kill it), the call runs in a thread."""
    global _worker
    call = functools.partial(function, *args, **kwargs)
    loop = asyncio.get_running_loop()
    for _ in range(2):
        try:
            return await loop.run_in_executor(start(), call)
        except BrokenProcessPool:
            _worker = None
    return await asyncio.to_thread(call)
