"""A fork server: one process that imported the server once forks each ``chatroutes``
command a test runs as a server (``chatroutes serve …``).

Importing the server costs seconds of CPU a process; a forked child starts with the
imports done and then runs ``chatroutes.cli.main()`` with its own environment, working
directory, arguments and output files: a real process on real sockets, as ``Popen``
would start it, without paying the imports again.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

_SCRIPT = r"""
import json, os, signal, sys, traceback
import chatroutes.cli, chatroutes.server.app, chatroutes.server.services.accounts
import chatroutes.server.store.migrate, uvicorn, uvicorn.main
import asyncio, tempfile
from chatroutes.server.domain.tokens import estimate_tokens
from chatroutes.server.settings import Settings
# Warm what every start pays once per process: migration scripts, routes, tokenizer.
warm = tempfile.mkdtemp()
asyncio.run(chatroutes.server.store.migrate.upgrade(f"sqlite+aiosqlite:///{warm}/warm.db"))
chatroutes.server.app.create_app(Settings(data_dir=warm, secret_key="warm" * 8))
estimate_tokens("")
signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped as they die
for line in sys.stdin:
    job = json.loads(line)
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            os.setsid()
            os.chdir(job["cwd"])
            os.environ.clear()
            os.environ.update(job["env"])
            flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
            os.dup2(os.open(job["stdout"], flags, 0o644), 1)
            os.dup2(os.open(job["stderr"], flags, 0o644), 2)
            sys.argv = ["chatroutes", *job["args"]]
            chatroutes.cli.main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            traceback.print_exc()
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            with open(job["exit"], "w") as status:
                status.write(str(code))
            os._exit(code)
    print(pid, flush=True)
"""


class ForkServer:
    """The forking process; ``start`` runs a ``chatroutes`` command in a child of it."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", _SCRIPT],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def start(
        self, args: list[str], env: dict[str, str], cwd: Path, stdout: Path, stderr: Path
    ) -> Forked:
        """``chatroutes *args`` in ``cwd`` with exactly ``env``, its output appended to
        ``stdout`` and ``stderr`` (one file may take both)."""
        exit_file = stdout.with_name(f"{stdout.name}.exit-{time.monotonic_ns()}")
        job = {
            "args": args,
            "env": env,
            "cwd": str(cwd),
            "stdout": str(stdout),
            "stderr": str(stderr),
            "exit": str(exit_file),
        }
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.flush()
        return Forked(int(self.process.stdout.readline()), exit_file)

    def run(
        self, args: list[str], env: dict[str, str], cwd: Path, timeout: float = 60.0
    ) -> subprocess.CompletedProcess[str]:
        """``chatroutes *args`` to its end, as ``subprocess.run`` with ``capture_output``
        and ``text`` would run it (its output through files in ``cwd``)."""
        name = f"cli-{time.monotonic_ns()}"
        stdout, stderr = cwd / f"{name}.out", cwd / f"{name}.err"
        child = self.start(args, env, cwd, stdout, stderr)
        try:
            code = child.wait(timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            raise
        done = subprocess.CompletedProcess(
            ["chatroutes", *args], code, stdout.read_text(), stderr.read_text()
        )
        for path in (stdout, stderr):
            path.unlink()
        return done

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


class Forked:
    """A child of the fork server, with the part of ``Popen``'s interface tests use.

    The fork server reaps it; its exit code is the one it wrote on the way out, or, killed
    by a signal of ours before it could, minus that signal (as ``Popen`` reports it).
    """

    def __init__(self, pid: int, exit_file: Path) -> None:
        self.pid = pid
        self._exit_file = exit_file
        self._signalled: int | None = None
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None and not self._alive():
            written = self._exit_file.read_text() if self._exit_file.exists() else ""
            self.returncode = int(written) if written else -(self._signalled or 0)
        return self.returncode

    def _alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            self._signalled = sig
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"pid {self.pid}", timeout or 0)
            time.sleep(0.01)
        assert self.returncode is not None
        return self.returncode
