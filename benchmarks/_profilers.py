"""Where our server's time goes over a benchmark's timed requests: cProfile of its event
loop, or py-spy sampling of every thread (``send_latency.py --profile``)."""

from __future__ import annotations

import linecache
import pstats
import re
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import httpx
from _common import table
from _servers import Process


class Profiler:
    """No profiling: the base of the two below."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.server: Process | None = None
        self.base = ""

    def attach(self, server: Process, base: str) -> None:
        self.server, self.base = server, base

    def start(self, client: httpx.Client) -> None:
        pass

    def stop(self, client: httpx.Client) -> None:
        pass

    def report(self, limit: int) -> None:
        pass


class CProfiler(Profiler):
    """cProfile of the server's event-loop thread over the timed requests only.

    Database work that aiosqlite runs on its own thread is not seen (use py-spy for it).
    """

    def _toggle(self, client: httpx.Client) -> None:
        assert self.server is not None
        self.server.popen.send_signal(signal.SIGUSR1)
        client.get(f"{self.base}/health")  # run Python in the server so the handler fires

    def start(self, client: httpx.Client) -> None:
        self._toggle(client)

    def stop(self, client: httpx.Client) -> None:
        self._toggle(client)
        deadline = time.monotonic() + 30
        while not self.out.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
            client.get(f"{self.base}/health")

    def report(self, limit: int) -> None:
        stats = pstats.Stats(str(self.out))
        print(f"\nserver cProfile (event-loop thread, timed requests; top {limit} by own time):")
        stats.sort_stats("tottime").print_stats(limit)
        print(f"chatroutes functions by cumulative time (top {limit}):")
        stats.sort_stats("cumulative").print_stats(r"chatroutes", limit)


class PySpy(Profiler):
    """py-spy sampling of every server thread over the timed requests (idle excluded)."""

    def __init__(self, out: Path, binary: str) -> None:
        super().__init__(out)
        self.binary = binary
        self.recorder: subprocess.Popen[bytes] | None = None

    def start(self, client: httpx.Client) -> None:
        assert self.server is not None
        command = [self.binary, "record", "--pid", str(self.server.popen.pid), "--threads"]
        command += ["--rate", "250", "--format", "raw", "--output", str(self.out)]
        self.recorder = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(1.0)  # let it attach

    def stop(self, client: httpx.Client) -> None:
        assert self.recorder is not None
        self.recorder.send_signal(signal.SIGINT)
        self.recorder.wait(timeout=60)

    def report(self, limit: int) -> None:
        threads: Counter[str] = Counter()
        packages: Counter[str] = Counter()
        own: Counter[str] = Counter()
        inclusive: Counter[str] = Counter()
        total = waiting = 0
        for line in self.out.read_text().splitlines():
            stack, _, count_text = line.rpartition(" ")
            count = int(count_text)
            thread, *frames = stack.split(";")
            if not frames or _is_wait(frames[-1]):
                waiting += count
                continue
            total += count
            threads[_thread_label(thread, frames)] += count
            names = [_frame_name(frame) for frame in frames]
            own[_frame_name(frames[-1], line=True)] += count
            packages[_package(names[-1])] += count
            for name in set(names):
                if "chatroutes" in name:
                    inclusive[name] += count
        if not total:
            print("\npy-spy recorded no samples")
            return
        print(
            f"\nserver py-spy over the timed requests, 250 Hz: {total} busy samples "
            f"({total / 250:.1f} s);\n{waiting} more sat in a queue get or the event loop's "
            "poll (waits py-spy counts as busy) and are left out"
        )
        for title, counter in (
            ("busy samples by thread", threads),
            ("own time by package (C code counts for its caller)", packages),
            (f"own time, top {limit}", own),
            (f"chatroutes frames, inclusive (greenlets apart), top {limit}", inclusive),
        ):
            rows = [[name, f"{100 * n / total:.1f}"] for name, n in counter.most_common(limit)]
            print()
            print(table([title, "% busy"], rows))


_WAIT_LINE = re.compile(r"\btx\.get\(\)|\brun_until_complete\(|\brun_forever\(")


def _is_wait(frame: str) -> bool:
    """A leaf frame parked in a blocking wait: aiosqlite's queue get, the event loop's poll."""
    path, _, number = frame.partition(" (")[2].rstrip(")").rpartition(":")
    return number.isdigit() and bool(_WAIT_LINE.search(linecache.getline(path, int(number))))


def _frame_name(frame: str, line: bool = False) -> str:
    """``func (/a/site-packages/pkg/file.py:12)`` -> ``func (pkg/file.py[:12])``."""
    name, _, where = frame.partition(" (")
    path, _, number = where.rstrip(")").rpartition(":")
    for marker in ("site-packages/", "/src/", "/lib/python3.", "/lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{name} ({path}:{number})" if line else f"{name} ({path})"


def _package(name: str) -> str:
    """The top-level package of a shortened frame name: ``f (pkg/mod.py)`` -> ``pkg``."""
    path = name.partition(" (")[2].rstrip(")")
    top = path.split("/", 1)[0]
    if top == "chatroutes":
        return "chatroutes (our code)"
    return top.removesuffix(".py") if "/" in path else f"stdlib {top.removesuffix('.py')}"


def _thread_label(thread: str, frames: list[str]) -> str:
    """SQLAlchemy's asyncio layer runs its sync ORM/driver code in greenlets, whose stacks
    py-spy shows detached from the coroutine that awaits them."""
    if "MainThread" not in thread:
        return "other threads (aiosqlite workers: SQLite itself)"
    if any("chatroutes/cli.py" in frame for frame in frames):
        return "main thread: event loop, coroutines"
    return "main thread: greenlets (SQLAlchemy sync side)"
