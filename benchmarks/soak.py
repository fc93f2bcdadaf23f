"""A soak: mixed traffic against 2 server processes on PostgreSQL; is memory steady?

The same set-up as ``load_scale.py`` (throw-away PostgreSQL, the mock upstream as a
process, ``chatroutes serve`` processes on 127.0.0.1 sharing the database) with two
processes. ``--concurrency`` client tasks run a fixed mix back to back for ``--minutes``:
half plain sends, a quarter streamed sends, the rest tree reads and conversation lists.
Every ``--interval`` seconds each server's resident memory (VmRSS) is sampled.

Prints the series, then per process the least-squares slope of RSS after the warm-up
(the first ``--warmup-minutes``) and the growth it implies over that span. Memory is
called steady when that growth stays under ``--bound-mb`` for every process; the script
exits 1 otherwise.

Usage::

    python benchmarks/soak.py                    # 10 minutes
    python benchmarks/soak.py --minutes 3 --warmup-minutes 1
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import signal
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ms, percentile, table, throwaway_postgres
from _servers import mock_upstream
from load_scale import Cluster, Load, servers

MIX = (("send", 0.5), ("stream", 0.25), ("tree", 0.15), ("list", 0.10))


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (x, y) points."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else 0.0


@dataclass
class Traffic:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k, _ in MIX})
    errors: int = 0
    done: int = 0


async def traffic(load: Load, concurrency: int, stop: float, totals: Traffic) -> None:
    kinds, weights = zip(*MIX, strict=True)

    async def task(number: int) -> None:
        rng = random.Random(number)
        conversation_id = await load.conversation(f"soak {number}")
        counter = itertools.count()
        while time.monotonic() < stop:
            turn = next(counter)
            if turn % 20 == 19:  # keep paths short: a fresh conversation now and then
                conversation_id = await load.conversation(f"soak {number}-{turn}")
            kind = rng.choices(kinds, weights)[0]
            content = f"soak {number}-{turn}: where does this branch start?"
            started = time.perf_counter()
            try:
                if kind == "send":
                    await load.send(conversation_id, content)
                elif kind == "stream":
                    await load.stream(conversation_id, content)
                elif kind == "tree":
                    await load.tree(conversation_id)
                else:
                    (await load.client().get("/conversations")).raise_for_status()
            except (RuntimeError, httpx.HTTPError):
                totals.errors += 1
                continue
            totals.latencies[kind].append(time.perf_counter() - started)
            totals.done += 1

    await asyncio.gather(*(task(i) for i in range(concurrency)))


async def soak(
    cluster: Cluster, args: argparse.Namespace
) -> tuple[list[tuple[float, list[float]]], Traffic]:
    load = Load(cluster, cluster.key, args.concurrency)
    totals = Traffic()
    samples: list[tuple[float, list[float]]] = []
    started = time.monotonic()
    stop = started + args.minutes * 60
    runner = asyncio.create_task(traffic(load, args.concurrency, stop, totals))
    try:
        while not runner.done():
            elapsed = time.monotonic() - started
            rss = [rss_mb(pid) for pid in cluster.pids]
            samples.append((elapsed, rss))
            rate = totals.done / elapsed if elapsed else 0.0
            cells = "  ".join(f"{value:7.1f}" for value in rss)
            print(
                f"{elapsed:6.0f} s  RSS MB {cells}  {rate:6.1f} req/s  "
                f"errors {totals.errors}  load average {os.getloadavg()[0]:.1f}"
            )
            await asyncio.wait({runner}, timeout=args.interval)
        await runner
        samples.append((time.monotonic() - started, [rss_mb(pid) for pid in cluster.pids]))
    finally:
        await load.close()
    return samples, totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--warmup-minutes", type=float, default=2.0)
    parser.add_argument("--interval", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument(
        "--bound-mb", type=float, default=10.0, help="largest growth after warm-up called steady"
    )
    args = parser.parse_args()
    # SIGTERM (and SIGINT in the background, where it is ignored) unwind the with-blocks:
    # servers, mock and PostgreSQL stop with the script.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: sys.exit(1))

    with ExitStack() as stack:
        [database_url] = stack.enter_context(throwaway_postgres("bench"))
        mock_url, _ = stack.enter_context(mock_upstream())
        data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cr-soak-")))
        cluster = stack.enter_context(servers(args.processes, database_url, mock_url, data_dir))
        print(f"soak: {args.processes} processes (pids {cluster.pids}), {args.minutes:g} min\n")
        samples, totals = asyncio.run(soak(cluster, args))

    elapsed = samples[-1][0]
    print(
        f"\n{totals.done} requests in {elapsed:.0f} s ({totals.done / elapsed:.1f}/s), "
        f"{totals.errors} errors\n"
    )
    rows = [
        [kind, len(values), ms(percentile(values, 50)), ms(percentile(values, 99))]
        for kind, values in totals.latencies.items()
    ]
    print(table(["request", "count", "p50 ms", "p99 ms"], rows))
    warm = [(t, rss) for t, rss in samples if t >= args.warmup_minutes * 60]
    steady = len(warm) >= 3
    rows = []
    for index in range(args.processes):
        series = [(t / 60, rss[index]) for t, rss in warm]
        per_minute = slope(series) if len(series) >= 2 else float("nan")
        span = series[-1][0] - series[0][0] if series else 0.0
        growth = per_minute * span
        steady = steady and growth < args.bound_mb
        rows.append(
            [
                f"process {index + 1}",
                f"{samples[0][1][index]:.1f}",
                f"{warm[0][1][index]:.1f}" if warm else "-",
                f"{samples[-1][1][index]:.1f}",
                f"{per_minute:+.2f}",
                f"{growth:+.1f}",
            ]
        )
    print()
    headers = ["", "RSS start MB", "after warm-up", "end", "slope MB/min", "growth MB"]
    print(table(headers, rows))
    verdict = "steady" if steady else "NOT steady (or too few samples after warm-up)"
    print(f"\nmemory after warm-up: {verdict} (bound {args.bound_mb:g} MB per process)")
    sys.exit(0 if steady else 1)


if __name__ == "__main__":
    main()
