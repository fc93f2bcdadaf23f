"""How throughput scales with server processes on one PostgreSQL, against the mock upstream.

Starts a throw-away PostgreSQL cluster (``tests/support/postgres.py``), the mock OpenAI
upstream as a process (``tests/support/mock_upstream.py``; TCP_NODELAY) and, in turn,
1, 2 and 4 ``chatroutes serve`` processes on 127.0.0.1 sharing that database and one
secret. One asyncio client process round-robins its requests over the processes' ports
(what a load balancer does) at a fixed concurrency, for a bounded time per workload:

- send: ``POST /conversations/{id}/messages`` (each client task on its own
  conversations, a fresh one every ``--sends-per-conversation`` sends, so paths stay short
  and no branch is ever busy);
- stream: ``POST …/messages/stream``, read to ``[DONE]``;
- tree: ``GET /conversations/{id}/tree`` of conversations of 20 messages and 3 branches.

Prints requests/s, p50 and p99 per workload and process count, and the ratio of each
requests/s to the 1-process figure. Everything listens on 127.0.0.1 only.

Usage::

    python benchmarks/load_scale.py                       # 1, 2, 4 processes, 10 s each
    python benchmarks/load_scale.py --processes 2 4 --seconds 20 --concurrency 64
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ms, percentile, table, throwaway_postgres
from _servers import SERVER_CODE, Process, cpu_seconds, free_port, mock_upstream

KEY_LINE = re.compile(r"^(cr_prod_sk_[0-9a-f]{64})\s*$")
WORKLOADS = ("send", "stream", "tree")
START_TIMEOUT = 180.0  # several processes importing at once on a busy machine
TREE_MESSAGES = 20


@dataclass
class Cluster:
    """``count`` server processes on one database; ``bases`` are their /api/v1 URLs."""

    bases: list[str]
    processes: list[Process]
    key: str

    @property
    def pids(self) -> list[int]:
        return [process.popen.pid for process in self.processes]


def progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _wait_healthy(base: str, process: Process) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            if httpx.get(f"{base}/health").status_code == 200:
                return
        except httpx.TransportError as exc:
            if time.monotonic() > deadline or process.popen.poll() is not None:
                raise RuntimeError("server did not start:\n" + "\n".join(process.stderr)) from exc
        time.sleep(0.05)


@contextmanager
def servers(count: int, database_url: str, mock_url: str, data_dir: Path) -> Iterator[Cluster]:
    """``count`` ``chatroutes serve`` processes; the first-start key comes from whichever
    process created the first user (only on a fresh database; later clusters reuse it)."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CHATROUTES_")},
        "CHATROUTES_DATA_DIR": str(data_dir),
        "CHATROUTES_DATABASE_URL": database_url,
        "CHATROUTES_SECRET_KEY": "load-scale-benchmark-secret-32-bytes",
        "CHATROUTES_DEFAULT_MODEL": "gpt-5",
        "OPENAI_API_KEY": "test-key",
        "OPENAI_BASE_URL": f"{mock_url}/v1",
        "PYTHONUNBUFFERED": "1",
    }
    # Migrate once first, as deploy/compose.yaml's `migrate` service does: replicas that
    # start at once on a fresh PostgreSQL database would race to create the schema.
    upgrade = [sys.executable, "-c", SERVER_CODE, "db", "upgrade"]
    subprocess.run(upgrade, env=env, check=True, capture_output=True)
    processes: list[Process] = []
    bases: list[str] = []
    try:
        for _ in range(count):
            port = free_port()
            serve = ["serve", "--port", str(port), "--no-access-log"]
            processes.append(Process([sys.executable, "-c", SERVER_CODE, *serve], env))
            bases.append(f"http://127.0.0.1:{port}/api/v1")
        for base, process in zip(bases, processes, strict=True):
            _wait_healthy(base, process)
        progress(f"{count} server processes up")
        printed = [
            m.group(1) for p in processes for line in p.stdout if (m := KEY_LINE.match(line))
        ]
        yield Cluster(bases, processes, printed[0] if printed else "")
    finally:
        for process in processes:
            process.stop()


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


class Load:
    """Requests round-robin over the processes; one HTTP client per process."""

    def __init__(self, cluster: Cluster, key: str, concurrency: int) -> None:
        self.headers = {"Authorization": f"ApiKey {key}"}
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        self.clients = [
            httpx.AsyncClient(base_url=base, headers=self.headers, timeout=60, limits=limits)
            for base in cluster.bases
        ]
        self._next = itertools.cycle(self.clients)

    def client(self) -> httpx.AsyncClient:
        return next(self._next)

    async def close(self) -> None:
        await asyncio.gather(*(client.aclose() for client in self.clients))

    async def conversation(self, title: str) -> str:
        response = await self.client().post("/conversations", json={"title": title})
        response.raise_for_status()
        return response.json()["data"]["conversation"]["id"]

    async def send(self, conversation_id: str, content: str) -> None:
        response = await self.client().post(
            f"/conversations/{conversation_id}/messages", json={"content": content}
        )
        if response.status_code != 201:
            raise RuntimeError(f"send: {response.status_code} {response.text[:200]}")
        reply = response.json()["data"]["assistantMessage"]["content"]
        if reply != f"Echo: {content}":
            raise RuntimeError(f"send: unexpected reply {reply!r}")

    async def stream(self, conversation_id: str, content: str) -> None:
        url = f"/conversations/{conversation_id}/messages/stream"
        text, done = "", False
        async with self.client().stream("POST", url, json={"content": content}) as response:
            if response.status_code != 200:
                raise RuntimeError(f"stream: {response.status_code}")
            async for line in response.aiter_lines():
                if line == "data: [DONE]":
                    done = True
                elif line.startswith('data: {"type":"content"'):
                    text += json.loads(line[6:])["content"]
        if not done or text != f"Echo: {content}":
            raise RuntimeError(f"stream: incomplete reply {text!r}")

    async def tree(self, conversation_id: str) -> None:
        response = await self.client().get(f"/conversations/{conversation_id}/tree")
        if response.status_code != 200:
            raise RuntimeError(f"tree: {response.status_code}")


async def _tree_conversation(load: Load, index: int) -> str:
    """A conversation of ``TREE_MESSAGES`` messages on three branches."""
    conversation_id = await load.conversation(f"tree {index}")
    for turn in range(TREE_MESSAGES // 2 - 2):
        await load.send(conversation_id, f"tree turn {turn}")
    listed = await load.client().get(f"/conversations/{conversation_id}/messages")
    first_user = listed.json()["data"]["messages"][0]["id"]
    for fork in range(2):  # a reply to an earlier message forks a branch
        response = await load.client().post(
            f"/conversations/{conversation_id}/messages",
            json={"content": f"fork {fork}", "parentMessageId": first_user},
        )
        response.raise_for_status()
    return conversation_id


async def run_workload(
    load: Load, workload: str, concurrency: int, seconds: float, per_conversation: int
) -> Result:
    """``concurrency`` tasks issuing ``workload`` back to back for ``seconds``."""
    result = Result()
    trees = (
        await asyncio.gather(*(_tree_conversation(load, i) for i in range(4)))
        if workload == "tree"
        else []
    )

    calls: dict[str, Callable[[str, str], Awaitable[None]]] = {
        "send": load.send,
        "stream": load.stream,
        "tree": lambda conversation_id, _content: load.tree(conversation_id),
    }

    async def task(number: int) -> None:
        conversation_id, sent = "", per_conversation
        counter = itertools.count()
        while time.perf_counter() < stop:
            if workload == "tree":
                conversation_id = trees[number % len(trees)]
            elif sent >= per_conversation:
                conversation_id, sent = await load.conversation(f"{workload} {number}"), 0
            sent += 1
            content = f"load {workload} {number}-{next(counter)}: how far is the fork?"
            started = time.perf_counter()
            try:
                await calls[workload](conversation_id, content)
            except (RuntimeError, httpx.HTTPError):
                result.errors += 1
                continue
            result.latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    stop = started + seconds
    await asyncio.gather(*(task(i) for i in range(concurrency)))
    result.seconds = time.perf_counter() - started
    return result


async def measure(
    cluster: Cluster, key: str, args: argparse.Namespace
) -> tuple[dict[str, Result], dict[int, float]]:
    load = Load(cluster, key, args.concurrency)
    try:
        await run_workload(load, "send", args.concurrency, 2.0, args.sends_per_conversation)
        results: dict[str, Result] = {}
        cpu_before = {pid: cpu_seconds(pid) for pid in [os.getpid(), *cluster.pids]}
        for workload in WORKLOADS:
            result = await run_workload(
                load, workload, args.concurrency, args.seconds, args.sends_per_conversation
            )
            results[workload] = result
            p99 = ms(percentile(result.latencies, 99))
            count = len(cluster.bases)
            progress(f"{count} processes, {workload}: {result.rate:.0f}/s, p99 {p99} ms")
        cpu = {pid: cpu_seconds(pid) - before for pid, before in cpu_before.items()}
        return results, cpu
    finally:
        await load.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--seconds", type=float, default=10.0, help="per workload and count")
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight")
    parser.add_argument("--sends-per-conversation", type=int, default=10)
    args = parser.parse_args()
    # SIGTERM (and SIGINT in the background, where it is ignored) unwind the with-blocks:
    # servers, mock and PostgreSQL stop with the script.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: sys.exit(1))

    rows: list[list[object]] = []
    base_rate: dict[str, float] = {}
    cpu_rows: list[list[object]] = []
    with ExitStack() as stack:
        [database_url] = stack.enter_context(throwaway_postgres("bench"))
        mock_url, mock_pid = stack.enter_context(mock_upstream())
        data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cr-load-")))
        key = ""
        for count in args.processes:
            with servers(count, database_url, mock_url, data_dir) as cluster:
                key = key or cluster.key
                mock_before = cpu_seconds(mock_pid)
                results, cpu = asyncio.run(measure(cluster, key, args))
                mock_cpu = cpu_seconds(mock_pid) - mock_before
            for workload, result in results.items():
                base_rate.setdefault(workload, result.rate)
                rows.append(
                    [
                        workload,
                        count,
                        f"{result.rate:.0f}",
                        ms(percentile(result.latencies, 50)),
                        ms(percentile(result.latencies, 99)),
                        result.errors,
                        f"{result.rate / base_rate[workload]:.2f}x",
                    ]
                )
            servers_cpu = sum(v for pid, v in cpu.items() if pid != os.getpid())
            cpu_rows.append(
                [count, f"{servers_cpu:.1f}", f"{cpu[os.getpid()]:.1f}", f"{mock_cpu:.1f}"]
            )
    load_1, load_5, _ = os.getloadavg()
    print(
        f"\n{args.concurrency} requests in flight, {args.seconds:g} s per workload, "
        f"PostgreSQL, mock upstream; {os.cpu_count()} CPUs on this machine, "
        f"load average {load_1:.1f} (1 min) / {load_5:.1f} (5 min) at the end\n"
    )
    first = args.processes[0]
    headers = ["workload", "processes", "req/s", "p50 ms", "p99 ms", "errors", f"vs {first}"]
    print(table(headers, rows))
    print("\nCPU seconds over the timed workloads (all three):\n")
    print(table(["processes", "servers", "load client", "mock upstream"], cpu_rows))


if __name__ == "__main__":
    main()
