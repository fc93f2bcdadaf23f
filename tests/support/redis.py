"""A throw-away Redis server for the test session (Debian's ``redis-server``).

``start_redis`` runs ``redis-server`` on 127.0.0.1 and a free port, without persistence,
in its own directory; the caller (a session fixture) must call ``RedisServer.stop()``.
If ``CHATROUTES_TEST_REDIS_URL`` is set, nothing is started and that server is used.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

ENV_URL = "CHATROUTES_TEST_REDIS_URL"
START_TIMEOUT = 15.0


class RedisUnavailable(RuntimeError):
    """redis-server is not installed."""


class RedisServer:
    def __init__(self, url: str, process: subprocess.Popen[bytes] | None, workdir: Path | None):
        self.url = url
        self._process = process
        self._workdir = workdir

    def flush(self) -> None:
        """Empty every database of the server (between tests)."""
        import redis

        client = redis.Redis.from_url(self.url)
        try:
            client.flushall()
        finally:
            client.close()

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_redis(external_url: str | None = None) -> RedisServer:
    if external_url:
        return RedisServer(external_url, None, None)
    binary = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )
    if binary is None:
        raise RedisUnavailable("redis-server not found; install Debian's `redis-server` package")
    workdir = Path(tempfile.mkdtemp(prefix="chatroutes-redis-"))
    port = _free_port()
    log = workdir / "redis.log"
    command = [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", ""]
    command += ["--appendonly", "no", "--dir", str(workdir), "--logfile", str(log)]
    process = subprocess.Popen(command, cwd=workdir, stdin=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            text = log.read_text(errors="replace") if log.exists() else ""
            shutil.rmtree(workdir, ignore_errors=True)
            raise RuntimeError(f"redis-server exited with {process.returncode}\n{text[-4000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return RedisServer(url, process, workdir)
        except OSError:
            pass
        time.sleep(0.05)
    process.kill()
    process.wait()
    shutil.rmtree(workdir, ignore_errors=True)
    raise RuntimeError(f"redis-server did not answer within {START_TIMEOUT:.0f}s")
