"""Latency the server adds to a message send, against a direct call to the same upstream.

Starts the mock OpenAI upstream (``tests/support/mock_upstream.py``) and our server
(``chatroutes serve``, a real uvicorn process) on 127.0.0.1, then with one keep-alive
httpx client sends, alternately:

- direct: ``POST <mock>/v1/chat/completions`` with the same context the server would send;
- server: ``POST /api/v1/conversations/{id}/messages`` spread round-robin over a few
  conversations (so paths stay short), with a fresh ``Idempotency-Key`` header as the SDK
  sends on every POST (``--no-idempotency-key``: without).

and prints p50/p99/mean of both, the latency the server adds, and requests/s. A third
series, alternating with those two, is the floor (``benchmarks/_floor_app.py``): a bare
ASGI app on the same uvicorn, SQLite and upstream client that does only a send's unavoidable work
(key lookup, path read, question, upstream call, reply committed to disk). What it adds
is the least any server of this stack adds on this machine; ours is reported as a ratio
of it. Two more series put that in scale:

- proxy: the same bare app storing nothing (conversations in memory): the stack alone;
- LiteLLM (with ``--litellm``, the ``litellm`` executable of an install of
  ``litellm[proxy]``; ``make bench`` makes one): LiteLLM's proxy, one worker, no database,
  routing ``gpt-5`` to the mock, sent the direct call's very body; in the streaming
  section too. The figure it is known by (about 4 ms added on a localhost mock) comes
  from other machines: measured here, in the same run, it says what such figures mean on
  this one.

Then:

- reservation: what a send's token reservation costs, before and after in one run. Rounds
  of a direct call, then the same send by an account with no token limit (enterprise:
  nothing is reserved, the reply's transaction counts the tokens) and by one with a
  monthly token limit (a plan of the benchmark's own, enterprise's but for the limit: each
  send reserves before its upstream call and settles after), in turns; both accounts are
  made with our CLI on the server's database. Printed: what each adds to the direct call,
  and the difference (target: under 0.2 ms at p50);
- streaming: ``POST /conversations/{id}/messages/stream`` against the mock's streamed
  completion (``"stream": true``), alternately again: time to the first content event
  (first non-empty delta) and to the end of the stream, and the latency the server adds;
- concurrency: 1 and 32 clients at once (asyncio, one ``httpx.AsyncClient`` each, each
  client on its own conversations, since a branch takes one send at a time), plain and
  streamed sends, direct and through the server: requests/s, p50, p99.

Usage::

    python benchmarks/send_latency.py                 # embedded SQLite in a temp dir
    python benchmarks/send_latency.py --postgres      # a throw-away PostgreSQL cluster
    python benchmarks/send_latency.py --database-url postgresql://user@127.0.0.1/db
    python benchmarks/send_latency.py --profile py-spy  # + where the server's time goes
    python benchmarks/send_latency.py --sections sequential  # the first table only
    python benchmarks/send_latency.py --sections reservation --postgres  # its cost there
    python benchmarks/send_latency.py --litellm .venv-litellm/bin/litellm  # + LiteLLM's proxy
"""

from __future__ import annotations

import argparse
import asyncio
import json
import linecache
import math
import os
import pstats
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import uuid
from collections import Counter
from collections.abc import Awaitable, Iterator
from contextlib import AsyncExitStack, contextmanager, nullcontext, suppress
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from statistics import fmean
from typing import IO

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO_ROOT, database_choice, ms, percentile, table

MOCK_SCRIPT = REPO_ROOT / "tests" / "support" / "mock_upstream.py"
KEY_LINE = re.compile(r"^(cr_prod_sk_[0-9a-f]{64})\s*$")
START_TIMEOUT = 60.0
FLOOR_KEY = "floor-key"  # the floor app's one API key
LITELLM_KEY = "sk-bench-litellm-master-key-0123456789"  # its proxy's master key
LITELLM_CONFIG = """\
model_list:
  - model_name: gpt-5
    litellm_params:
      model: openai/gpt-5
      api_base: {mock_url}/v1
      api_key: test-key
litellm_settings:
  drop_params: true  # the temperature, which LiteLLM knows gpt-5 does not take
"""
PROMPT = "Benchmark message {i}: how far is it from the fork to the head of this branch?"
METERED_PLAN = "bench-metered"  # enterprise's with a monthly token limit: see write_plans
METERED_TOKENS = 1_000_000_000  # a month no run comes near: every send reserves, none refused


class Process:
    """A child process whose stdout and stderr are drained into lists by threads."""

    def __init__(self, args: list[str], env: dict[str, str] | None = None) -> None:
        self.popen = subprocess.Popen(
            args,
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._threads = [
            threading.Thread(
                target=self._drain, args=(self.popen.stdout, self.stdout), daemon=True
            ),
            threading.Thread(
                target=self._drain, args=(self.popen.stderr, self.stderr), daemon=True
            ),
        ]
        for thread in self._threads:
            thread.start()

    @staticmethod
    def _drain(stream: IO[str], into: list[str]) -> None:
        for line in stream:
            into.append(line.rstrip("\n"))

    def wait_for(self, pattern: re.Pattern[str], what: str) -> re.Match[str]:
        deadline = time.monotonic() + START_TIMEOUT
        seen = 0
        while time.monotonic() < deadline:
            for line in self.stdout[seen:]:
                if match := pattern.search(line):
                    return match
            seen = len(self.stdout)
            if self.popen.poll() is not None:
                break
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"{what} did not start:\n" + "\n".join(self.stdout + self.stderr))

    def stop(self) -> None:
        """SIGINT (a graceful stop for uvicorn and the mock), then kill if it lingers."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGINT)
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        for thread in self._threads:
            thread.join(timeout=5)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def mock_upstream() -> Iterator[tuple[str, int]]:
    """The mock as a process; yields its URL and pid."""
    process = Process([sys.executable, str(MOCK_SCRIPT), "--port", "0"])
    try:
        ready = process.wait_for(re.compile(r"^READY (http://\S+)"), "mock upstream")
        yield ready.group(1), process.popen.pid
    finally:
        process.stop()


SERVER_CODE = "from chatroutes.cli import main; main()"
# cProfile of the event-loop thread, switched on and off (dumping) by SIGUSR1.
PROFILED_CODE = """
import cProfile, signal, sys
out, profiler, state = sys.argv.pop(1), cProfile.Profile(), {"on": False}
def toggle(*_):
    if state["on"]:
        profiler.disable()
        profiler.dump_stats(out)
    else:
        profiler.enable()
    state["on"] = not state["on"]
signal.signal(signal.SIGUSR1, toggle)
from chatroutes.cli import main
main()
"""


def write_plans(path: Path) -> Path:
    """The built-in plans plus ``METERED_PLAN``: enterprise's requests per minute and a
    monthly token limit, so each send of its accounts reserves its tokens and settles them,
    where an enterprise account's send only counts them (the reservation section)."""
    builtin = resources.files("chatroutes.server.domain").joinpath("plans.toml").read_text()
    enterprise = tomllib.loads(builtin)["plans"]["enterprise"]
    path.write_text(
        builtin
        + f"""
[plans.{METERED_PLAN}]
title = "Enterprise with a token limit (benchmark)"
hidden = true
requests_per_minute = {enterprise["requests_per_minute"]}
tokens_per_month = {METERED_TOKENS}
"""
    )
    return path


def server_env(mock_url: str, data_dir: Path) -> dict[str, str]:
    """The environment of our server, and of our CLI run on its database."""
    env = {
        **os.environ,
        "CHATROUTES_DATA_DIR": str(data_dir),
        "CHATROUTES_DEFAULT_MODEL": "gpt-5",
        "CHATROUTES_PLANS_FILE": str(write_plans(data_dir / "plans.toml")),
        "OPENAI_API_KEY": "test-key",
        "OPENAI_BASE_URL": f"{mock_url}/v1",
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("CHATROUTES_DATABASE_URL", "CHATROUTES_SECRET_KEY", "CHATROUTES_MODELS_FILE"):
        env.pop(name, None)
    return env


def new_account_key(env: dict[str, str], database_url: str, plan: str) -> str:
    """An account on ``plan``, made with our CLI on the server's database; its API key."""

    def cli(*args: str) -> str:
        command = [sys.executable, "-c", SERVER_CODE, *args, "--database-url", database_url]
        done = subprocess.run(
            command, env=env, cwd=REPO_ROOT, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"chatroutes {' '.join(args)} failed:\n{done.stderr}")
        return done.stdout

    email = f"bench-{plan}-{uuid.uuid4().hex[:8]}@example.com"
    cli("users", "create", email, "--plan", "enterprise")
    if plan != "enterprise":
        cli("users", "set-plan", email, plan)
    key = KEY_LINE.match(cli("keys", "create", email).strip().splitlines()[-1])
    if key is None:
        raise RuntimeError(f"no API key printed for {email}")
    return key.group(1)


def reservation_keys(mock_url: str, data_dir: Path, database_url: str) -> tuple[str, str]:
    """Keys of two new accounts: one with no token limit, one with a monthly token limit."""
    env = server_env(mock_url, data_dir)
    return (
        new_account_key(env, database_url, "enterprise"),
        new_account_key(env, database_url, METERED_PLAN),
    )


@contextmanager
def chatroutes_server(
    mock_url: str,
    data_dir: Path,
    database_url: str,
    profile_to: Path | None,
    api_key: str | None = None,
) -> Iterator[tuple[str, str, Process]]:
    """Our server as a real process; yields its base URL, first-start API key and process."""
    port = free_port()
    env = server_env(mock_url, data_dir)
    code = ["-c", SERVER_CODE] if profile_to is None else ["-c", PROFILED_CODE, str(profile_to)]
    serve = ["serve", "--port", str(port), "--no-access-log", "--database-url", database_url]
    process = Process([sys.executable, *code, *serve], env)
    try:
        # Printed after the migration, before uvicorn starts listening: then poll health.
        process.wait_for(re.compile(r"ChatRoutes API on"), "server")
        base = f"http://127.0.0.1:{port}/api/v1"
        _wait_until_serving(process, f"{base}/health", "server")
        # The first-start key is the last cr_prod_sk_ line on stdout.
        printed = [m.group(1) for line in process.stdout if (m := KEY_LINE.match(line))]
        key = api_key or (printed[-1] if printed else None)
        if key is None:
            raise RuntimeError("no first-start API key on the server's stdout: pass --api-key")
        yield base, key, process
    finally:
        process.stop()


def _wait_until_serving(process: Process, url: str, what: str) -> None:
    """Poll ``url`` until it answers 200; fail with the process's log if it never does."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            if httpx.get(url).status_code == 200:
                return
        except httpx.TransportError as exc:
            if time.monotonic() > deadline or process.popen.poll() is not None:
                log = "\n".join(process.stderr)
                raise RuntimeError(f"{what} did not start:\n{log}") from exc
        time.sleep(0.05)


@contextmanager
def floor_server(mock_url: str, database: Path | None) -> Iterator[str]:
    """The floor app (``_floor_app.py``) under uvicorn, storing in ``database`` (None: the
    bare proxy); yields its base URL."""
    port = free_port()
    env = {**os.environ, "FLOOR_UPSTREAM": mock_url, "PYTHONUNBUFFERED": "1"}
    env.pop("FLOOR_DATABASE", None)
    if database is not None:
        env["FLOOR_DATABASE"] = str(database)
    app_dir = str(Path(__file__).resolve().parent)
    command = [sys.executable, "-m", "uvicorn", "_floor_app:app", "--app-dir", app_dir]
    command += ["--port", str(port), "--no-access-log", "--log-level", "warning"]
    process = Process(command, env)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_serving(process, base, "floor app")
        yield base
    finally:
        process.stop()


@contextmanager
def litellm_server(executable: str, mock_url: str, data_dir: Path) -> Iterator[str]:
    """LiteLLM's proxy, one worker and no database, routing ``gpt-5`` to the mock; yields
    its base URL. Its price map is the one in its package: it fetches nothing."""
    config = data_dir / "litellm.yaml"
    config.write_text(LITELLM_CONFIG.format(mock_url=mock_url))
    port = free_port()
    env = {
        **os.environ,
        "LITELLM_MASTER_KEY": LITELLM_KEY,
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "LITELLM_LOG": "ERROR",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DATABASE_URL", None)  # LiteLLM's own: no spend logs, as a bare proxy
    command = [executable, "--config", str(config), "--host", "127.0.0.1"]
    command += ["--port", str(port), "--num_workers", "1"]
    process = Process(command, env)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_serving(process, f"{base}/health/liveliness", "LiteLLM proxy")
        yield base
    finally:
        process.stop()


def send_headers(headers: dict[str, str], idempotent: bool) -> dict[str, str]:
    """A send's headers: ``headers`` and, ``idempotent``, a fresh ``Idempotency-Key``, as
    the SDK sends with every POST."""
    return {**headers, "Idempotency-Key": str(uuid.uuid4())} if idempotent else headers


@dataclass
class Samples:
    direct: list[float] = field(default_factory=list)
    server: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    proxy: list[float] = field(default_factory=list)
    litellm: list[float] = field(default_factory=list)  # with its own direct series:
    litellm_direct: list[float] = field(default_factory=list)  # see run_litellm
    upstream_in_server: list[float] = field(default_factory=list)  # metadata.responseTime
    cpu: dict[str, float] = field(default_factory=dict)  # process -> CPU s in the timed loop


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all threads (Linux /proc; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Baselines:
    """Base URLs of the servers ours is compared with."""

    floor: str
    proxy: str
    litellm: str | None


class Bench:
    def __init__(
        self,
        client: httpx.Client,
        mock_url: str,
        base: str,
        key: str,
        baselines: Baselines,
        idempotent: bool,
    ) -> None:
        self.client = client
        self.idempotent = idempotent
        self.baselines = baselines
        self.direct_url = f"{mock_url}/v1/chat/completions"
        self.direct_headers = {"Authorization": "Bearer test-key"}
        self.base = base
        self.headers = {"Authorization": f"ApiKey {key}"}
        self.histories: dict[str, list[dict[str, str]]] = {}

    def new_conversation(self, title: str) -> str:
        response = self.client.post(
            f"{self.base}/conversations", json={"title": title}, headers=self.headers
        )
        response.raise_for_status()
        conversation_id = response.json()["data"]["conversation"]["id"]
        self.histories[conversation_id] = []
        return conversation_id

    def upstream_body(self, conversation_id: str, content: str) -> dict[str, object]:
        """The upstream request the server would make for this send."""
        history = self.histories[conversation_id]
        return {
            "model": "gpt-5",
            "messages": [*history, {"role": "user", "content": content}],
            "max_tokens": 2048,
            "temperature": 0.7,
        }

    def direct(self, body: dict[str, object], content: str) -> float:
        """That upstream call, made directly."""
        return self._completion(self.direct_url, body, self.direct_headers, content)

    def litellm(self, body: dict[str, object], content: str) -> float:
        """The same call through LiteLLM's proxy."""
        assert self.baselines.litellm is not None
        url = f"{self.baselines.litellm}/v1/chat/completions"
        headers = {"Authorization": f"Bearer {LITELLM_KEY}"}
        return self._completion(url, body, headers, content)

    def _completion(
        self, url: str, body: dict[str, object], headers: dict[str, str], content: str
    ) -> float:
        started = time.perf_counter()
        response = self.client.post(url, json=body, headers=headers)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.text
        assert response.json()["choices"][0]["message"]["content"] == f"Echo: {content}"
        return elapsed

    def send(self, conversation_id: str, content: str) -> tuple[float, float]:
        """A send through our server; returns (total, upstream time the server measured)."""
        url = f"{self.base}/conversations/{conversation_id}/messages"
        headers = send_headers(self.headers, self.idempotent)
        started = time.perf_counter()
        response = self.client.post(url, json={"content": content}, headers=headers)
        elapsed = time.perf_counter() - started
        assert response.status_code == 201, response.text
        reply = response.json()["data"]["assistantMessage"]
        assert reply["content"] == f"Echo: {content}", reply
        self.record_turn(conversation_id, content, reply["content"])
        return elapsed, reply["metadata"]["responseTime"] / 1000

    def record_turn(self, conversation_id: str, content: str, reply: str) -> None:
        self.histories[conversation_id] += [
            {"role": "user", "content": content},
            {"role": "assistant", "content": reply},
        ]

    def floor(self, base: str, conversation_id: str, content: str) -> float:
        """The same send through the floor app or the bare proxy at ``base`` (each with its
        own copy of the conversation)."""
        url = f"{base}/conversations/{conversation_id}/messages"
        headers = {"Authorization": f"ApiKey {FLOOR_KEY}"}
        started = time.perf_counter()
        response = self.client.post(url, json={"content": content}, headers=headers)
        elapsed = time.perf_counter() - started
        assert response.status_code == 201, response.text
        assert response.json()["data"]["assistantMessage"]["content"] == f"Echo: {content}"
        return elapsed


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


def run(
    args: argparse.Namespace,
    mock_url: str,
    base: str,
    key: str,
    baselines: Baselines,
    profiler: Profiler,
    pids: dict[str, int],
) -> Samples:
    samples = Samples()
    with httpx.Client(timeout=30.0) as client:
        bench = Bench(client, mock_url, base, key, baselines, args.idempotency_key)

        def one_of_each(into: Samples, conversation: str, content: str) -> None:
            # Alternate, so any drift on this shared machine hits every series alike.
            into.direct.append(bench.direct(bench.upstream_body(conversation, content), content))
            total, upstream = bench.send(conversation, content)
            into.server.append(total)
            into.upstream_in_server.append(upstream)
            into.floor.append(bench.floor(baselines.floor, conversation, content))
            into.proxy.append(bench.floor(baselines.proxy, conversation, content))

        warm, warm_samples = bench.new_conversation("warm-up"), Samples()
        for i in range(args.warmup):
            one_of_each(warm_samples, warm, PROMPT.format(i=i))
        conversations = [bench.new_conversation(f"bench {c}") for c in range(args.conversations)]
        profiler.start(client)
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        for i in range(args.requests):
            one_of_each(samples, conversations[i % len(conversations)], PROMPT.format(i=i))
        samples.cpu = {name: cpu_seconds(pid) - before[name] for name, pid in pids.items()}
        profiler.stop(client)
        if baselines.litellm is not None:
            run_litellm(args, bench, samples)
    return samples


def run_litellm(args: argparse.Namespace, bench: Bench, samples: Samples) -> None:
    """Direct and through LiteLLM, alternately, on conversations of their own.

    Apart from the other series: LiteLLM's work per call (tens of ms) between two of their
    requests would leave them to run on cold CPU caches.
    """
    conversations = [f"litellm {c}" for c in range(args.conversations)]
    for conversation in conversations:
        bench.histories[conversation] = []
    for i in range(args.warmup + args.requests):
        conversation, content = conversations[i % len(conversations)], PROMPT.format(i=i)
        body = bench.upstream_body(conversation, content)
        direct, litellm = bench.direct(body, content), bench.litellm(body, content)
        bench.record_turn(conversation, content, f"Echo: {content}")
        if i >= args.warmup:
            samples.litellm_direct.append(direct)
            samples.litellm.append(litellm)


def paired(series: list[float], baseline: list[float]) -> list[float]:
    """Each request's own difference from the request alternated with it."""
    return [s - b for s, b in zip(series, baseline, strict=True)]


def report(args: argparse.Namespace, samples: Samples, backend: str) -> None:
    direct, server, floor = samples.direct, samples.server, samples.floor
    added, floor_added = paired(server, direct), paired(floor, direct)
    proxy_added = paired(samples.proxy, direct)
    litellm_added = paired(samples.litellm, samples.litellm_direct)
    own = paired(server, samples.upstream_in_server)

    def row(label: str, values: list[float], rate: bool = True) -> list[str]:
        per_second = f"{len(values) / sum(values):.0f}" if rate else ""
        return [
            label,
            ms(percentile(values, 50)),
            ms(percentile(values, 99)),
            ms(fmean(values)),
            per_second,
        ]

    depth = 2 * -(-args.requests // args.conversations)
    print(f"backend: {backend}   requests: {args.requests} each, sequential, one keep-alive client")
    print(
        f"conversations: {args.conversations} (paths grow to {depth} messages)   "
        f"warm-up: {args.warmup} of each"
    )
    print()
    rows = [
        row("direct  POST mock /v1/chat/completions", direct),
        row("server  POST /conversations/{id}/messages", server),
        [
            "added   server - direct",
            ms(percentile(server, 50) - percentile(direct, 50)),
            ms(percentile(server, 99) - percentile(direct, 99)),
            ms(fmean(server) - fmean(direct)),
            "",
        ],
        row("  paired (per request) server - direct", added, rate=False),
        row("  server minus its own upstream call", own, rate=False),
        row("floor   bare ASGI app, same durable work", floor),
        row("  paired (per request) floor - direct", floor_added, rate=False),
        row("proxy   bare ASGI app, nothing stored", samples.proxy),
        row("  paired (per request) proxy - direct", proxy_added, rate=False),
    ]
    if litellm_added:
        rows.append(row("LiteLLM proxy, nothing stored (*)", samples.litellm))
        rows.append(row("  paired (per request) LiteLLM - direct", litellm_added, rate=False))
    print(table(["", "p50 ms", "p99 ms", "mean ms", "req/s"], rows))
    print()
    print(
        "'added' rows subtract percentiles; 'paired' takes each request's own difference;\n"
        "'server minus its own upstream call' subtracts the upstream time the server itself\n"
        "measured (responseTime)."
    )
    if litellm_added:
        print(
            f"(*) in a run of its own after the others, alternating with direct calls "
            f"(their p50 there: {ms(percentile(samples.litellm_direct, 50))} ms)"
        )
    ours = percentile(added, 50)
    floor_p50 = percentile(floor_added, 50)
    print(f"added by our server / added by the floor, paired p50: {ours / floor_p50:.2f}")
    if litellm_added:
        print(
            f"added by our server / added by LiteLLM's proxy, paired p50: "
            f"{ours / percentile(litellm_added, 50):.3f}"
        )
    cpu = samples.cpu
    upstream_calls = 4 * args.requests  # one_of_each: direct, server, floor, proxy
    print(
        f"CPU per send in our server: {ms(cpu['server'] / args.requests)} ms; "
        f"per call in the mock: {ms(cpu['mock upstream'] / upstream_calls)} ms\n"
        "(user+sys over the timed loop, all threads; a database server's CPU not included)"
    )


# --- Streaming and concurrency -------------------------------------------------------------

SECTIONS = ("sequential", "reservation", "stream", "concurrency")
RUN_DEADLINE = 90.0  # a concurrent run issues no new request after this many seconds


class Failed(Exception):
    """A request that did not get the expected answer; its message is the tally key."""


@dataclass
class Timing:
    total: float
    ttft: float = math.nan  # to the first content delta / event: streams only


def _error_key(response: httpx.Response) -> str:
    """``HTTP 409 BRANCH_BUSY``: the status and the error code of either wire format."""
    try:
        code = response.json().get("error")
    except (ValueError, AttributeError):
        code = None
    if isinstance(code, dict):  # OpenAI's shape, from the mock
        code = code.get("code") or code.get("type")
    return f"HTTP {response.status_code} {code or ''}".rstrip()


class AsyncBench:
    """Plain and streamed sends, direct to the mock or through our server, on any client."""

    def __init__(
        self, mock_url: str, base: str, key: str, idempotent: bool, litellm: str | None = None
    ) -> None:
        self.idempotent = idempotent
        self.direct_url = f"{mock_url}/v1/chat/completions"
        self.direct_headers = {"Authorization": "Bearer test-key"}
        self.litellm_url = f"{litellm}/v1/chat/completions" if litellm else None
        self.base = base
        self.headers = {"Authorization": f"ApiKey {key}"}

    async def new_conversation(self, client: httpx.AsyncClient, title: str) -> str:
        response = await client.post(
            f"{self.base}/conversations", json={"title": title}, headers=self.headers
        )
        response.raise_for_status()
        return response.json()["data"]["conversation"]["id"]

    async def direct(
        self,
        client: httpx.AsyncClient,
        history: list[dict[str, str]],
        content: str,
        stream: bool,
        through_litellm: bool = False,
    ) -> Timing:
        """The upstream call the server would make for this send (``history`` grows by it),
        made directly or ``through_litellm``'s proxy."""
        url, headers = self.direct_url, self.direct_headers
        if through_litellm:
            assert self.litellm_url is not None
            url, headers = self.litellm_url, {"Authorization": f"Bearer {LITELLM_KEY}"}
        body: dict[str, object] = {
            "model": "gpt-5",
            "messages": [*history, {"role": "user", "content": content}],
            "max_tokens": 2048,
            "temperature": 0.7,
        }
        started = time.perf_counter()
        if stream:
            body |= {"stream": True, "stream_options": {"include_usage": True}}
            ttft, parts = math.nan, []
            async with client.stream("POST", url, json=body, headers=headers) as response:
                if response.status_code != 200:
                    await response.aread()
                    raise Failed(_error_key(response))
                async for line in response.aiter_lines():
                    if not line.startswith("data: ") or line == "data: [DONE]":
                        continue
                    choices = json.loads(line[6:])["choices"]
                    if piece := choices and choices[0]["delta"].get("content"):
                        if not parts:
                            ttft = time.perf_counter() - started
                        parts.append(piece)
            timing, reply = Timing(time.perf_counter() - started, ttft), "".join(parts)
        else:
            response = await client.post(url, json=body, headers=headers)
            timing = Timing(time.perf_counter() - started)
            if response.status_code != 200:
                raise Failed(_error_key(response))
            reply = response.json()["choices"][0]["message"]["content"]
        if reply != f"Echo: {content}":
            raise Failed("wrong reply")
        history += [{"role": "user", "content": content}, {"role": "assistant", "content": reply}]
        return timing

    async def send(
        self, client: httpx.AsyncClient, conversation_id: str, content: str, stream: bool
    ) -> Timing:
        """A send through our server, ``/messages`` or ``/messages/stream``."""
        url = f"{self.base}/conversations/{conversation_id}/messages"
        expected = f"Echo: {content}"
        headers = send_headers(self.headers, self.idempotent)
        started = time.perf_counter()
        if not stream:
            response = await client.post(url, json={"content": content}, headers=headers)
            timing = Timing(time.perf_counter() - started)
            if response.status_code != 201:
                raise Failed(_error_key(response))
            if response.json()["data"]["assistantMessage"]["content"] != expected:
                raise Failed("wrong reply")
            return timing
        ttft, parts, complete, done = math.nan, [], None, False
        async with client.stream(
            "POST", f"{url}/stream", json={"content": content}, headers=headers
        ) as response:
            if response.status_code != 200:
                await response.aread()
                raise Failed(_error_key(response))
            async for line in response.aiter_lines():
                if not line.startswith("data: "):
                    continue  # a blank separator or a heartbeat comment
                if line == "data: [DONE]":
                    done = True
                    continue
                event = json.loads(line[6:])
                if event["type"] == "content":
                    if not parts:
                        ttft = time.perf_counter() - started
                    parts.append(event["content"])
                elif event["type"] == "complete":
                    complete = event["assistantMessage"]["content"]
                else:
                    raise Failed(f"stream error {event.get('error')}")
        timing = Timing(time.perf_counter() - started, ttft)
        if not done or complete is None:
            raise Failed("stream ended early")
        if "".join(parts) != expected or complete != expected:
            raise Failed("wrong reply")
        return timing


@dataclass
class StreamSamples:
    direct: list[Timing] = field(default_factory=list)
    server: list[Timing] = field(default_factory=list)
    litellm: list[Timing] = field(default_factory=list)  # with its own direct series,
    litellm_direct: list[Timing] = field(default_factory=list)  # as in run_litellm


async def run_stream(args: argparse.Namespace, bench: AsyncBench) -> StreamSamples:
    """Streamed sends, sequential, alternating direct and server as ``run`` does."""
    samples = StreamSamples()
    async with httpx.AsyncClient(timeout=30.0) as client:
        warm, warm_history = await bench.new_conversation(client, "stream warm-up"), []
        for i in range(args.warmup):
            await bench.direct(client, warm_history, PROMPT.format(i=i), stream=True)
            await bench.send(client, warm, PROMPT.format(i=i), stream=True)
        conversations = [
            (await bench.new_conversation(client, f"stream {c}"), [])
            for c in range(args.conversations)
        ]
        for i in range(args.stream_requests):
            conversation, history = conversations[i % len(conversations)]
            content = PROMPT.format(i=i)
            samples.direct.append(await bench.direct(client, history, content, stream=True))
            samples.server.append(await bench.send(client, conversation, content, stream=True))
        if bench.litellm_url is not None:
            histories: list[list[dict[str, str]]] = [[] for _ in range(args.conversations)]
            for i in range(args.warmup + args.stream_requests):
                history, content = histories[i % len(histories)], PROMPT.format(i=i)
                direct = await bench.direct(client, list(history), content, stream=True)
                litellm = await bench.direct(client, history, content, True, through_litellm=True)
                if i >= args.warmup:
                    samples.litellm_direct.append(direct)
                    samples.litellm.append(litellm)
    return samples


@dataclass
class ReservationSamples:
    direct: list[float] = field(default_factory=list)
    unlimited: list[float] = field(default_factory=list)  # sends with no token limit
    metered: list[float] = field(default_factory=list)  # sends that reserve and settle


async def run_reservation(
    args: argparse.Namespace, mock_url: str, base: str, unlimited_key: str, metered_key: str
) -> ReservationSamples:
    """What a send's token reservation costs, before and after, in one run: rounds of a
    direct call, then the same send by an account with no token limit (its reply's
    transaction only counts the tokens) and by one with a monthly token limit (it reserves
    before the call and settles after), in turns, each on a conversation of the same shape.
    """
    unlimited, metered = (
        AsyncBench(mock_url, base, unlimited_key, args.idempotency_key),
        AsyncBench(mock_url, base, metered_key, args.idempotency_key),
    )
    samples = ReservationSamples()
    async with httpx.AsyncClient(timeout=30.0) as client:

        async def slots(title: str, count: int) -> list[tuple[str, str, list[dict[str, str]]]]:
            """Per conversation: the unlimited account's, the metered one's, the history."""
            return [
                (
                    await unlimited.new_conversation(client, f"{title} {c}"),
                    await metered.new_conversation(client, f"{title} {c}"),
                    [],
                )
                for c in range(count)
            ]

        async def one_round(slot: tuple[str, str, list[dict[str, str]]], i: int) -> list[float]:
            """Direct, unlimited and metered times of round ``i``; who sends first alternates."""
            unlimited_id, metered_id, history = slot
            content = PROMPT.format(i=i)
            direct = await unlimited.direct(client, history, content, stream=False)
            sends = [(unlimited, unlimited_id), (metered, metered_id)]
            order = sends if i % 2 == 0 else sends[::-1]
            timings = {
                id(bench): (await bench.send(client, conversation, content, stream=False)).total
                for bench, conversation in order
            }
            return [direct.total, timings[id(unlimited)], timings[id(metered)]]

        warm = await slots("reservation warm-up", 1)
        for i in range(args.warmup):
            await one_round(warm[0], i)
        timed = await slots("reservation", args.conversations)
        for i in range(args.reservation_requests):
            direct, plain, reserved = await one_round(timed[i % len(timed)], i)
            samples.direct.append(direct)
            samples.unlimited.append(plain)
            samples.metered.append(reserved)
        for bench, limit in ((unlimited, None), (metered, METERED_TOKENS)):
            await _check_token_limit(client, bench, limit)
    return samples


async def _check_token_limit(
    client: httpx.AsyncClient, bench: AsyncBench, limit: int | None
) -> None:
    """The account's monthly token limit is ``limit`` and its sends were counted in it: the
    two series measured what they say."""
    response = await client.get(f"{bench.base}/billing", headers=bench.headers)
    response.raise_for_status()
    tokens = response.json()["data"]["tokens"]
    if tokens["limit"] != limit or tokens["used"] <= 0:
        raise RuntimeError(f"expected a token limit of {limit} and tokens used: {tokens}")


def report_reservation(args: argparse.Namespace, samples: ReservationSamples) -> None:
    unlimited_added = paired(samples.unlimited, samples.direct)
    metered_added = paired(samples.metered, samples.direct)
    cost = paired(samples.metered, samples.unlimited)
    print()
    print(
        f"reservation: {args.reservation_requests} rounds, sequential, one keep-alive "
        "httpx.AsyncClient: a direct call, then the same send\nby an account with no token "
        "limit and by one with a monthly token limit, in turns (who goes first alternates)\n"
        f"conversations: {args.conversations} of each account   warm-up: {args.warmup} rounds"
    )
    print()
    print(
        table(
            ["", "p50 ms", "p99 ms", "mean ms"],
            [
                _stats_row("direct     POST mock /v1/chat/completions", samples.direct),
                _stats_row("unlimited  send: nothing reserved, tokens counted", samples.unlimited),
                _stats_row("metered    send: tokens reserved, then settled", samples.metered),
                _stats_row("  paired (per round) unlimited - direct", unlimited_added),
                _stats_row("  paired (per round) metered - direct", metered_added),
                _stats_row("  paired (per round) metered - unlimited", cost),
            ],
        )
    )
    p50 = percentile(metered_added, 50) - percentile(unlimited_added, 50)
    p99 = percentile(metered_added, 99) - percentile(unlimited_added, 99)
    print(
        f"the reservation adds {ms(p50)} ms to a send's added latency at p50, {ms(p99)} ms at "
        f"p99;\nper round (metered - unlimited), {ms(percentile(cost, 50))} ms at p50 "
        "(target: under 0.2 ms)"
    )


@dataclass
class Slot:
    """A conversation one client sends on: its id on the server, its context for direct."""

    conversation_id: str = ""
    history: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Run:
    mode: str  # "send" or "stream"
    target: str  # "direct" or "server"
    clients: int
    timings: list[Timing] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    skipped: int = 0  # not sent: the run's deadline passed
    wall: float = math.nan
    cpu: dict[str, float] = field(default_factory=dict)  # process -> CPU s in the timed part


async def run_concurrent(
    args: argparse.Namespace,
    bench: AsyncBench,
    target: str,
    stream: bool,
    clients: int,
    pids: dict[str, int],
) -> Run:
    """``--concurrent-requests`` sends by ``clients`` clients at once.

    The sends are cut into conversations of ``--sends-per-conversation``, dealt round-robin
    to the clients, so paths grow alike whatever the concurrency. Each client first makes
    ``--concurrent-warmup`` untimed sends on a conversation of its own.
    """
    run = Run("stream" if stream else "send", target, clients)
    total, per = args.concurrent_requests, args.sends_per_conversation
    sizes = [min(per, total - start) for start in range(0, total, per)]
    slots = [Slot() for _ in range(len(sizes) + clients)]  # the last `clients` to warm up
    if target == "server":
        async with httpx.AsyncClient(timeout=30.0) as setup:
            for n, slot in enumerate(slots):
                title = f"{run.mode} x{clients} {n}"
                slot.conversation_id = await bench.new_conversation(setup, title)

    def call(client: httpx.AsyncClient, slot: Slot, content: str) -> Awaitable[Timing]:
        if target == "direct":
            return bench.direct(client, slot.history, content, stream)
        return bench.send(client, slot.conversation_id, content, stream)

    async def warm_up(client: httpx.AsyncClient, k: int) -> None:
        for i in range(args.concurrent_warmup):
            with suppress(Failed, httpx.HTTPError):
                await call(client, slots[len(sizes) + k], PROMPT.format(i=i))

    async def work(client: httpx.AsyncClient, k: int, deadline: float) -> None:
        for n in range(k, len(sizes), clients):
            for i in range(sizes[n]):
                if time.monotonic() > deadline:
                    run.skipped += 1
                    continue
                try:
                    run.timings.append(await call(client, slots[n], PROMPT.format(i=i)))
                except Failed as exc:
                    run.errors[str(exc)] += 1
                except httpx.HTTPError as exc:
                    run.errors[type(exc).__name__] += 1

    async with AsyncExitStack() as stack:
        pool = [
            await stack.enter_async_context(httpx.AsyncClient(timeout=30.0)) for _ in range(clients)
        ]
        await asyncio.gather(*(warm_up(client, k) for k, client in enumerate(pool)))
        before = _cpu_now(pids)
        started = time.perf_counter()
        deadline = time.monotonic() + RUN_DEADLINE
        await asyncio.gather(*(work(client, k, deadline) for k, client in enumerate(pool)))
        run.wall = time.perf_counter() - started
        run.cpu = {name: now - before[name] for name, now in _cpu_now(pids).items()}
    return run


def _cpu_now(pids: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of each process, and of this one as ``client``."""
    return {**{name: cpu_seconds(pid) for name, pid in pids.items()}, "client": time.process_time()}


async def run_more(
    args: argparse.Namespace,
    mock_url: str,
    base: str,
    key: str,
    pids: dict[str, int],
    litellm: str | None,
) -> tuple[StreamSamples | None, list[Run]]:
    bench = AsyncBench(mock_url, base, key, args.idempotency_key, litellm)
    streamed = None
    if "stream" in args.sections:
        _progress(f"streaming: {args.stream_requests} of each")
        streamed = await run_stream(args, bench)
    runs: list[Run] = []
    if "concurrency" in args.sections:
        for clients in args.concurrency:
            for stream in (False, True):
                for target in ("direct", "server"):
                    _progress(f"{'stream' if stream else 'send'} x{clients} {target}")
                    runs.append(await run_concurrent(args, bench, target, stream, clients, pids))
    return streamed, runs


def _progress(text: str) -> None:
    print(f"... {text}", file=sys.stderr, flush=True)


def _stats_row(label: str, values: list[float]) -> list[str]:
    return [label, ms(percentile(values, 50)), ms(percentile(values, 99)), ms(fmean(values))]


def _added_rows(label: str, server: list[float], direct: list[float]) -> list[list[str]]:
    return [
        [
            f"added   {label} server - direct",
            ms(percentile(server, 50) - percentile(direct, 50)),
            ms(percentile(server, 99) - percentile(direct, 99)),
            ms(fmean(server) - fmean(direct)),
        ],
        _stats_row("  paired (per request)", paired(server, direct)),
    ]


def report_stream(args: argparse.Namespace, samples: StreamSamples) -> None:
    direct_ttft = [t.ttft for t in samples.direct]
    server_ttft = [t.ttft for t in samples.server]
    direct_total = [t.total for t in samples.direct]
    server_total = [t.total for t in samples.server]
    depth = 2 * -(-args.stream_requests // args.conversations)
    print()
    print(
        f"streaming: {args.stream_requests} each, sequential, alternating, one keep-alive "
        f"httpx.AsyncClient\nconversations: {args.conversations} (paths grow to {depth} "
        f"messages)   warm-up: {args.warmup} of each"
    )
    print()
    print(
        table(
            ["", "p50 ms", "p99 ms", "mean ms"],
            [
                _stats_row("direct  TTFT  mock, first content delta", direct_ttft),
                _stats_row("server  TTFT  /messages/stream, first content", server_ttft),
                *_added_rows("TTFT", server_ttft, direct_ttft),
                _stats_row("direct  total mock stream, to its end", direct_total),
                _stats_row("server  total /messages/stream, to [DONE]", server_total),
                *_added_rows("total", server_total, direct_total),
                *_litellm_stream_rows(samples),
            ],
        )
    )
    if samples.litellm:
        litellm_direct = [t.ttft for t in samples.litellm_direct]
        print(
            "(*) in a run of its own after the others, alternating with direct streams "
            f"(their TTFT p50 there: {ms(percentile(litellm_direct, 50))} ms)"
        )


def _litellm_stream_rows(samples: StreamSamples) -> list[list[str]]:
    if not samples.litellm:
        return []
    rows = []
    for label, part in (("TTFT ", "ttft"), ("total", "total")):
        litellm = [getattr(t, part) for t in samples.litellm]
        direct = [getattr(t, part) for t in samples.litellm_direct]
        rows.append(_stats_row(f"LiteLLM {label} its proxy (*)", litellm))
        rows.append(_stats_row("  paired (per request) LiteLLM - direct", paired(litellm, direct)))
    return rows


def report_concurrency(args: argparse.Namespace, runs: list[Run]) -> None:
    print()
    print(
        f"concurrency: {args.concurrent_requests} timed requests per run, each client its own "
        f"httpx.AsyncClient and conversations\n({args.sends_per_conversation} sends each, dealt "
        f"round-robin)   warm-up: {args.concurrent_warmup} per client"
    )
    print()
    rows: list[list[str]] = []
    for run in runs:
        done = len(run.timings)
        totals = [t.total for t in run.timings]
        ttfts = [t.ttft for t in run.timings] if run.mode == "stream" else []
        serving = run.cpu["server" if run.target == "server" else "mock upstream"]
        failed = sum(run.errors.values()) + run.skipped
        rows.append(
            [
                f"{run.mode:<6} {run.clients:>7}  {run.target}",
                f"{done / run.wall:.0f}" if done else "-",
                ms(percentile(totals, 50)) if done else "-",
                ms(percentile(totals, 99)) if done else "-",
                ms(percentile(ttfts, 50)) if ttfts else "",
                ms(percentile(ttfts, 99)) if ttfts else "",
                ms(serving / done) if done else "-",
                ms(run.cpu["client"] / done) if done else "-",
                str(failed),
            ]
        )
    headers = ["mode   clients  target", "req/s", "p50 ms", "p99 ms", "TTFT p50", "TTFT p99"]
    print(table([*headers, "CPU/req", "client CPU", "failed"], rows))
    print(
        "CPU/req: ms of CPU per request in the process that answers (our server for 'server'\n"
        "rows, without the mock's; the mock for 'direct'); client CPU: this script's.\n"
        f"Server, mock and client share {os.cpu_count()} cores."
    )
    for run in runs:
        if run.errors or run.skipped:
            tally = ", ".join(f"{n} x {error}" for error, n in run.errors.most_common())
            if run.skipped:
                tally += f"{', ' if tally else ''}{run.skipped} not sent (deadline)"
            print(f"  failed {run.mode} x{run.clients} {run.target}: {tally}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="benchmark this database (e.g. PostgreSQL)")
    parser.add_argument(
        "--postgres", action="store_true", help="start a throw-away PostgreSQL cluster"
    )
    parser.add_argument(
        "--api-key", help="a key for --database-url, when its server is not on first start"
    )
    parser.add_argument("--requests", type=int, default=500, help="timed sends of each kind")
    parser.add_argument("--conversations", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument(
        "--profile",
        choices=["cprofile", "py-spy"],
        help="profile the server over the timed requests and print its top costs "
        "(inflates the figures; py-spy must be on PATH or given by --py-spy)",
    )
    parser.add_argument("--py-spy", default="py-spy", help="the py-spy executable")
    parser.add_argument(
        "--litellm",
        help="the litellm executable of an install of litellm[proxy]: its proxy joins the "
        "sequential and streaming sections as a baseline",
    )
    parser.add_argument(
        "--sections",
        default=",".join(SECTIONS),
        help=f"comma-separated, of {', '.join(SECTIONS)} (default: all)",
    )
    parser.add_argument(
        "--stream-requests", type=int, help="timed streamed sends of each kind (--requests / 2)"
    )
    parser.add_argument(
        "--reservation-requests",
        type=int,
        help="timed rounds of the reservation section (--requests)",
    )
    parser.add_argument(
        "--concurrency", default="1,32", help="comma-separated client counts (default: 1,32)"
    )
    parser.add_argument(
        "--concurrent-requests",
        type=int,
        help="timed requests per concurrent run (about 2/3 of --requests, "
        "a multiple of the largest --concurrency: 320)",
    )
    parser.add_argument("--sends-per-conversation", type=int, default=10)
    parser.add_argument(
        "--no-idempotency-key",
        dest="idempotency_key",
        action="store_false",
        help="sends without the Idempotency-Key header the SDK puts on every POST",
    )
    parser.add_argument("--concurrent-warmup", type=int, default=2, help="per client")
    args = parser.parse_args()
    args.sections = [name.strip() for name in args.sections.split(",") if name.strip()]
    if unknown := set(args.sections) - set(SECTIONS):
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    if args.profile and "sequential" not in args.sections:
        parser.error("--profile profiles the sequential section: include it in --sections")
    try:
        args.concurrency = [int(n) for n in args.concurrency.split(",")]
    except ValueError:
        parser.error("--concurrency takes comma-separated integers")
    if args.stream_requests is None:
        args.stream_requests = max(1, args.requests // 2)
    if args.reservation_requests is None:
        args.reservation_requests = args.requests
    if args.concurrent_requests is None:
        widest = max(args.concurrency)
        args.concurrent_requests = max(widest, args.requests * 2 // 3 // widest * widest)
    counts = [args.requests, args.stream_requests, args.concurrent_requests]
    counts.append(args.reservation_requests)
    counts += [args.conversations, args.sends_per_conversation, *args.concurrency]
    if min(counts) < 1 or min(args.warmup, args.concurrent_warmup) < 0:
        parser.error("request, conversation and client counts must be positive")
    if args.litellm and shutil.which(args.litellm) is None:
        parser.error(f"{args.litellm} not found (make bench installs it in .venv-litellm)")
    py_spy = shutil.which(args.py_spy)
    if args.profile == "py-spy" and py_spy is None:
        parser.error(f"{args.py_spy} not found (pip install py-spy, or pass --py-spy PATH)")
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="chatroutes-bench-") as tmp,
        database_choice(args.database_url, args.postgres, Path(tmp)) as url,
        mock_upstream() as (mock_url, mock_pid),
    ):
        profiler: Profiler
        if args.profile == "cprofile":
            profiler = CProfiler(Path(tmp) / "server.prof")
        elif args.profile == "py-spy":
            assert py_spy is not None
            profiler = PySpy(Path(tmp) / "server.pyspy.txt", py_spy)
        else:
            profiler = Profiler(Path(tmp) / "unused")
        cprofile_to = profiler.out if args.profile == "cprofile" else None
        server_process = chatroutes_server(mock_url, Path(tmp), url, cprofile_to, args.api_key)
        litellm = (
            litellm_server(args.litellm, mock_url, Path(tmp)) if args.litellm else nullcontext()
        )
        with server_process as (base, key, server), litellm as litellm_base:
            profiler.attach(server, base)
            pids = {"server": server.popen.pid, "mock upstream": mock_pid}
            samples = None
            if "sequential" in args.sections:
                _progress(f"sequential: {args.requests} of each")
                with (
                    floor_server(mock_url, Path(tmp) / "floor.sqlite") as floor_base,
                    floor_server(mock_url, None) as proxy_base,
                ):
                    baselines = Baselines(floor_base, proxy_base, litellm_base)
                    samples = run(args, mock_url, base, key, baselines, profiler, pids)
            reserved = None
            if "reservation" in args.sections:
                _progress(f"reservation: {args.reservation_requests} rounds")
                keys = reservation_keys(mock_url, Path(tmp), url)
                reserved = asyncio.run(run_reservation(args, mock_url, base, *keys))
            streamed, runs = asyncio.run(run_more(args, mock_url, base, key, pids, litellm_base))
        backend = "postgresql" if url.startswith("postgres") else "sqlite"
        if args.idempotency_key:
            print("sends through our server: each with a fresh Idempotency-Key, as the SDK's")
        else:
            print("sends through our server: no Idempotency-Key (--no-idempotency-key)")
        if samples is not None:
            report(args, samples, backend)
        else:
            print(f"backend: {backend}")
        if reserved is not None:
            report_reservation(args, reserved)
        if streamed is not None:
            report_stream(args, streamed)
        if runs:
            report_concurrency(args, runs)
        profiler.report(20)
    print(f"\nwall time: {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
