"""The processes a benchmark runs: the mock upstream, our server (this tree's, or one
built from another commit), the floor app, LiteLLM's proxy.

Each is a real process on 127.0.0.1, started as a context manager that stops it.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import IO

import httpx
from _common import REPO_ROOT

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
METERED_PLAN = "bench-metered"  # enterprise's with a monthly token limit: see write_plans
METERED_TOKENS = 1_000_000_000  # a month no run comes near: every send reserves, none refused


class Process:
    """A child process whose stdout and stderr are drained into lists by threads."""

    def __init__(
        self, args: list[str], env: dict[str, str] | None = None, cwd: Path = REPO_ROOT
    ) -> None:
        self.popen = subprocess.Popen(
            args,
            cwd=cwd,
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


@contextmanager
def chatroutes_server(
    mock_url: str,
    data_dir: Path,
    database_url: str,
    profile_to: Path | None,
    api_key: str | None = None,
    source: Path | None = None,
) -> Iterator[tuple[str, str, Process]]:
    """Our server as a real process; yields its base URL, first-start API key and process.

    ``source``: the ``src`` directory of another commit's code (``source_of``) to run
    instead of this tree's, with this venv's Python and packages.
    """
    port = free_port()
    env = server_env(mock_url, data_dir)
    cwd = REPO_ROOT
    if source is not None:
        env["PYTHONPATH"], cwd = str(source), source.parent
    code = ["-c", SERVER_CODE] if profile_to is None else ["-c", PROFILED_CODE, str(profile_to)]
    serve = ["serve", "--port", str(port), "--no-access-log", "--database-url", database_url]
    process = Process([sys.executable, *code, *serve], env, cwd)
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


@contextmanager
def source_of(ref: str, into: Path) -> Iterator[tuple[Path, str]]:
    """The ``src`` directory of this repository at ``ref``, written out under ``into`` by
    ``git archive`` (no worktree: nothing is left in the repository); yields it and the
    commit's short hash. Checked first: Python started as ``chatroutes_server`` starts a
    server from it imports the package from there, not from this tree."""

    def git(*args: str) -> bytes:
        return subprocess.run(["git", *args], cwd=REPO_ROOT, check=True, capture_output=True).stdout

    commit = git("rev-parse", "--short", f"{ref}^{{commit}}").decode().strip()
    into.mkdir(parents=True)
    try:
        archive = git("archive", "--format=tar", commit, "src")
        subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
        source = into / "src"
        probe = "import chatroutes.server.app as app; print(app.__file__)"
        env = {**os.environ, "PYTHONPATH": str(source)}
        imported = subprocess.run(
            [sys.executable, "-c", probe], cwd=into, env=env, capture_output=True, text=True
        ).stdout.strip()
        if not imported or not Path(imported).resolve().is_relative_to(source.resolve()):
            raise RuntimeError(f"the server of {ref} would not run its own code: {imported!r}")
        yield source, commit
    finally:
        shutil.rmtree(into, ignore_errors=True)


def _wait_until_serving(
    process: Process, url: str, what: str, timeout: float = START_TIMEOUT
) -> None:
    """Poll ``url`` until it answers 200; fail with the process's log if it never does."""
    deadline = time.monotonic() + timeout
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
def litellm_server(executable: str, mock_url: str, data_dir: Path) -> Iterator[tuple[str, int]]:
    """LiteLLM's proxy, one worker and no database, routing ``gpt-5`` to the mock; yields
    its base URL and pid. Its price map is the one in its package: it fetches nothing."""
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
        # its imports alone take 40 s on a busy 2-core machine
        _wait_until_serving(process, f"{base}/health/liveliness", "LiteLLM proxy", 180.0)
        yield base, process.popen.pid
    finally:
        process.stop()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all threads (Linux /proc; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def threads_cpu_seconds(pid: int) -> float:
    """CPU time of a process's live threads to the nanosecond (Linux ``schedstat``; NaN
    elsewhere): for spans too short for ``cpu_seconds``' clock ticks, such as one request."""
    total = 0
    try:
        threads = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return float("nan")
    for thread in threads:
        try:
            total += int(Path(f"/proc/{pid}/task/{thread}/schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):  # a thread that just ended
            continue
    return total / 1e9
