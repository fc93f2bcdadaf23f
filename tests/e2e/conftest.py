"""End-to-end fixtures: our server as a real process on each backend, and the official SDK.

One ``chatroutes serve`` process runs per backend per test module, forked from a process
that imported the server once (``tests/support/fork_server.py``); providers point at the
session's mock upstream. SDK scenarios run as subprocesses in ``.venv-sdk`` because the
official SDK and this project share the import name ``chatroutes``.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

import httpx
import pytest

from chatroutes.server.settings import Settings
from tests.conftest import BACKENDS, provider_env
from tests.support.accounts import new_keys
from tests.support.fork_server import Forked, ForkServer
from tests.support.mock_upstream import MockUpstream

REPO_ROOT = Path(__file__).resolve().parents[2]
SDK_PYTHON = REPO_ROOT / ".venv-sdk" / "bin" / "python"
SCENARIO_DIR = Path(__file__).resolve().parent / "sdk_scenarios"
CLI = [sys.executable, "-c", "from chatroutes.cli import main; main()"]
KEY_RE = re.compile(r"cr_prod_sk_[0-9a-f]{64}")
RESULT_PREFIX = "RESULT "
PYCACHE_PREFIX = Path(tempfile.gettempdir()) / f"chatroutes-e2e-pycache-{os.getuid()}"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
SCENARIO_TIMEOUT = 120.0
# Each database a module-scoped server fixture runs on (``request.param``).
BACKEND_PARAMS = [
    pytest.param(backend, marks=[pytest.mark.postgres] if backend == "postgresql" else [])
    for backend in BACKENDS
]
# Debian's chromium, driven by Playwright for the browser tests; never downloaded.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The web UI's browser tests: viewports, how long to wait, where screenshots go.
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 15_000
SCREENSHOTS = REPO_ROOT / "artifacts" / "screenshots"
# Passed as ``verify`` to the one-off clients of ``httpx.get`` and the like: a client made
# without one loads the CA bundle (30 ms of CPU), on every poll of a starting server.
# Servers here speak plain HTTP; the context is never used, only not rebuilt.
TLS_CONTEXT = httpx.create_ssl_context()
# Variables of ours or of the providers that must not leak from the caller's shell.
_SCRUBBED = ("CHATROUTES_", "OPENAI_", "ANTHROPIC_", "GROQ_", "OPENROUTER_", "GEMINI_", "OLLAMA_")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, limit: int = 4000) -> str:
    text = path.read_text(errors="replace") if path.exists() else ""
    return text[-limit:]


@pytest.fixture(scope="session")
def child_env() -> dict[str, str]:
    """A clean base environment for child processes (see :func:`clean_child_env`)."""
    return clean_child_env()


def clean_child_env() -> dict[str, str]:
    """A clean base environment for child processes, with a bytecode cache.

    Without cached bytecode every child recompiles its imports (seconds each), so when
    the caller disables bytecode writing, children write it under a prefix in the temp
    dir instead (never into the source tree); it is reused by later runs.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(_SCRUBBED)}
    env.pop("PYTHONPATH", None)
    if env.pop("PYTHONDONTWRITEBYTECODE", None) and "PYTHONPYCACHEPREFIX" not in env:
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE_PREFIX)
    env["PYTHONUNBUFFERED"] = "1"
    return env


@dataclass
class LiveServer:
    """A running ``chatroutes serve`` process and how to reach and administer it."""

    backend: str
    url: str
    api_key: str
    env: dict[str, str]
    workdir: Path
    process: subprocess.Popen[bytes] | Forked
    stdout: Path
    stderr: Path
    _other_key: str | None = field(default=None, repr=False)

    @property
    def api_url(self) -> str:
        return self.url + "/api/v1"

    def logs(self) -> str:
        """The tail of the server's output, for failure messages."""
        out, err = _tail(self.stdout), _tail(self.stderr)
        return f"--- server stdout ---\n{out}\n--- server stderr ---\n{err}"

    def cli(self, *args: str) -> str:
        """Run a ``chatroutes`` command (a process forked from the fork server) against
        this server's database; return its stdout."""
        done = fork_server().run(list(args), self.env, self.workdir)
        assert done.returncode == 0, (
            f"chatroutes {' '.join(args)} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
        )
        return done.stdout

    def new_account(self, plan: str = "free") -> str:
        """A new user on ``plan`` (built in, or of ``CHATROUTES_PLANS_FILE``) and an API key
        for it, made in the server's database as the CLI makes them (``cli`` runs the CLI
        itself: a process importing the server, seconds on a loaded machine); the key."""
        settings = Settings(
            database_url=self.env["CHATROUTES_DATABASE_URL"],
            data_dir=Path(self.env["CHATROUTES_DATA_DIR"]),
            secret_key=self.env.get("CHATROUTES_SECRET_KEY"),
            plans_file=self.env.get("CHATROUTES_PLANS_FILE"),
        )
        with ThreadPoolExecutor(1) as apart:  # a loop of its own, whoever calls
            [key] = apart.submit(asyncio.run, new_keys(settings, (plan,))).result()
        return key

    @property
    def other_key(self) -> str:
        """The key of a second account, made on first use."""
        if self._other_key is None:
            self._other_key = self.new_account()
        return self._other_key


def _database_url(backend: str, request: pytest.FixtureRequest, workdir: Path) -> str:
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{workdir / 'chatroutes.db'}"
    postgres = request.getfixturevalue("postgres")
    return postgres.create_database(f"e2e_{uuid.uuid4().hex[:10]}")


def _wait_until_up(server: LiveServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"the server exited with {server.process.returncode}\n{server.logs()}")
        try:
            health = httpx.get(server.api_url + "/health", timeout=1.0, verify=TLS_CONTEXT)
            if health.status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    pytest.fail(f"the server did not answer /health within {START_TIMEOUT:.0f}s\n{server.logs()}")


def _stop(process: subprocess.Popen[bytes] | Forked) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module", params=BACKEND_PARAMS)
def live_server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    child_env: dict[str, str],
    upstream: MockUpstream,
) -> Iterator[LiveServer]:
    """``chatroutes serve`` on a fresh database of one backend, providers at the mock."""
    backend: str = request.param
    workdir = tmp_path_factory.mktemp(f"server-{backend}")
    env = server_env(request, workdir, child_env, upstream)
    with serving(backend, workdir, env) as server:
        server.api_key = first_start_key(server)
        status = httpx.get(server.api_url + "/status", timeout=5.0).json()["data"]
        assert status["storage"]["backend"] == backend, status
        yield server


def first_start_key(server: LiveServer) -> str:
    """The API key a server's first start printed: one, and only one."""
    keys = KEY_RE.findall(server.stdout.read_text())
    assert len(keys) == 1, f"expected one first-start key on stdout\n{server.logs()}"
    return keys[0]


def server_env(
    request: pytest.FixtureRequest,
    workdir: Path,
    child_env: dict[str, str],
    upstream: MockUpstream,
    **extra: str,
) -> dict[str, str]:
    """The environment of a ``chatroutes serve`` on ``request.param``'s backend in
    ``workdir``, its providers at the mock; ``extra`` variables added."""
    return {
        **child_env,
        **provider_env(upstream),
        "CHATROUTES_DATA_DIR": str(workdir / "data"),
        "CHATROUTES_DATABASE_URL": _database_url(request.param, request, workdir),
        "CHATROUTES_SECRET_KEY": "e2e-secret-at-least-32-bytes-long",
        "CHATROUTES_DEFAULT_MODEL": "gpt-5",
        **extra,
    }


_fork_server: ForkServer | None = None


def fork_server() -> ForkServer:
    """This process's fork server, started on first use, stopped at exit."""
    global _fork_server
    if _fork_server is None:
        _fork_server = ForkServer(clean_child_env())
        atexit.register(_fork_server.close)
    return _fork_server


@contextmanager
def serving(
    backend: str, workdir: Path, env: dict[str, str], *, api_key: str = "", logs: str = ""
) -> Iterator[LiveServer]:
    """``chatroutes serve`` in ``workdir`` with ``env``, up and answering; stopped after.
    Its output goes to ``stdout{logs}.log`` and ``stderr{logs}.log`` there.

    The process is forked from this test process's fork server (its imports done once)."""
    port = _free_port()
    stdout, stderr = workdir / f"stdout{logs}.log", workdir / f"stderr{logs}.log"
    stdout.write_bytes(b"")
    stderr.write_bytes(b"")
    process = fork_server().start(
        ["serve", "--host", "127.0.0.1", "--port", str(port), "--no-access-log"],
        env,
        workdir,
        stdout,
        stderr,
    )
    server = LiveServer(
        backend=backend,
        url=f"http://127.0.0.1:{port}",
        api_key=api_key,
        env=env,
        workdir=workdir,
        process=process,
        stdout=stdout,
        stderr=stderr,
    )
    try:
        _wait_until_up(server)
        yield server
    finally:
        _stop(process)


def write_tiny_plans(path: Path, limit: int) -> Path:
    """The built-in plans plus ``tiny`` (``limit`` requests a minute) and ``tiny-quota``
    (``limit`` calls a month), for tests that count to a limit across processes.
    """
    builtin = resources.files("chatroutes.server.domain").joinpath("plans.toml").read_text()
    path.write_text(
        builtin
        + f"""
[plans.tiny]
title = "Tiny (tests)"
hidden = true
requests_per_minute = {limit}

[plans.tiny-quota]
title = "Tiny monthly quota (tests)"
hidden = true
requests_per_minute = 1000
calls_per_month = {limit}
"""
    )
    return path


@pytest.fixture(scope="session")
def sdk_python() -> Path:
    """The interpreter of the official SDK's venv; skip (or fail if required) without it."""
    if not SDK_PYTHON.exists():
        reason = (
            f"the official SDK venv is missing ({SDK_PYTHON}); create it with `make test` or "
            "`uv venv .venv-sdk && uv pip install --python .venv-sdk/bin/python chatroutes==0.2.6`"
        )
        if os.environ.get("CHATROUTES_REQUIRE_SDK"):
            pytest.fail(reason)
        pytest.skip(reason)
    return SDK_PYTHON


@dataclass
class ScenarioRunner:
    """Runs ``<directory>/<name>.py`` (``sdk_scenarios/``: the official SDK's scenarios)
    with ``python`` against a live server."""

    python: Path
    server: LiveServer
    directory: Path = SCENARIO_DIR

    def __call__(self, name: str, **extra_env: str) -> dict[str, Any]:
        """Run a scenario and return the JSON it reports; fail with its output if it broke."""
        env = {
            **self.server.env,
            "E2E_BASE_URL": self.server.api_url,
            "E2E_API_KEY": self.server.api_key,
            **extra_env,
        }
        done = subprocess.run(
            [str(self.python), str(self.directory / f"{name}.py")],
            env=env,
            cwd=self.server.workdir,
            capture_output=True,
            text=True,
            timeout=SCENARIO_TIMEOUT,
            check=False,
        )
        lines = [ln for ln in done.stdout.splitlines() if ln.startswith(RESULT_PREFIX)]
        result = json.loads(lines[-1][len(RESULT_PREFIX) :]) if lines else None
        if done.returncode != 0 or result is None or "crash" in result:
            crash = (result or {}).get("crash", "")
            partial = json.dumps((result or {}).get("partial"), indent=1)[:6000]
            pytest.fail(
                f"SDK scenario {name} failed (exit {done.returncode}) on {self.server.backend}\n"
                f"{crash}\n--- steps completed ---\n{partial}\n--- scenario stderr ---\n"
                f"{done.stderr[-4000:]}\n{self.server.logs()}",
                pytrace=False,
            )
        return result["result"]


@pytest.fixture(scope="module")
def run_scenario(sdk_python: Path, live_server: LiveServer) -> ScenarioRunner:
    return ScenarioRunner(sdk_python, live_server)


def browser_missing(reason: str) -> NoReturn:
    """A browser test cannot run: skipped, or failed where ``CHATROUTES_REQUIRE_BROWSER``
    is set (CI)."""
    if os.environ.get("CHATROUTES_REQUIRE_BROWSER"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Debian chromium, one per test module; skipped when it is missing, unless
    ``CHATROUTES_REQUIRE_BROWSER`` is set (CI), where that is a failure."""
    if not CHROMIUM.exists():
        browser_missing(
            f"{CHROMIUM} is missing: install Debian's chromium (scripts/system-deps.sh)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def web_server(
    tmp_path_factory: pytest.TempPathFactory, child_env: dict[str, str], upstream: MockUpstream
) -> Iterator[LiveServer]:
    """The server on SQLite, the providers at the mock.

    The guest and free plans allow 60 requests a minute: a browser clicking through every
    page in seconds would spend the test waiting out 429s (the UI waits them out), so this
    server lifts the per-minute rates; every other limit is the built-in one.
    """
    workdir = tmp_path_factory.mktemp("web-ui")
    builtin = resources.files("chatroutes.server.domain").joinpath("plans.toml").read_text()
    plans = workdir / "plans.toml"
    plans.write_text(
        re.sub(r"(?m)^requests_per_minute = \d[\d_]*$", "requests_per_minute = 6000", builtin)
    )
    assert plans.read_text().count("requests_per_minute = 6000") == 5
    env = {
        **child_env,
        **provider_env(upstream),
        "CHATROUTES_DATA_DIR": str(workdir / "data"),
        "CHATROUTES_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'chatroutes.db'}",
        "CHATROUTES_SECRET_KEY": "web-ui-secret-at-least-32-bytes-long",
        "CHATROUTES_DEFAULT_MODEL": "gpt-5",
        "CHATROUTES_PLANS_FILE": str(plans),
    }
    with serving("sqlite", workdir, env) as server:
        yield server


@pytest.fixture
def page(browser, web_server: LiveServer, request: pytest.FixtureRequest) -> Iterator[object]:
    """A fresh browser context on the UI; a script error anywhere fails the test.

    The page as the test left it is kept too (``last-<test>.png``), to see a failure.
    """
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(web_server.url + "/")
    yield page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"last-{request.node.name}.png", full_page=True)
    context.close()
    assert not errors, f"script errors in the page: {errors}\n{web_server.logs()}"
