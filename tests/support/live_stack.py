"""A live ChatRoutes stack for the JavaScript clients' test suites.

Starts the mock upstream (in this process) and a real ``chatroutes serve`` on a fresh
SQLite database with its providers at the mock, makes three accounts, then prints one JSON
line on stdout::

    {"baseUrl": "http://127.0.0.1:PORT", "apiUrl": ".../api/v1", "apiKey": "cr_prod_sk_…",
     "otherApiKey": "…", "limitedApiKey": "…", "limitedPerMinute": 5,
     "controlUrl": "http://127.0.0.1:PORT"}

``apiKey`` and ``otherApiKey`` belong to two accounts on the ``enterprise`` plan (no limit a
suite meets by accident; the second for 404s on someone else's objects);
``limitedApiKey`` to an account on a plan of ``limitedPerMinute`` requests a minute (for
429s). Webhooks may target loopback receivers (``CHATROUTES_WEBHOOK_ALLOW_PRIVATE=1``).

The control endpoint plants faults in the mock upstream:

* ``POST /faults`` ``{"marker": "…", "fault": "status", "status": 500, "retryAfter": 1}``
  -- every upstream request whose body contains ``marker`` gets the fault. ``fault`` is
  ``status`` (default), ``delay`` (``seconds``), ``slow`` (``seconds`` between frames),
  ``hang``, ``cut_after``/``stall_after``/``end_after`` (``chunks``), ``malformed_chunk``
  (``chunks``) or ``reply`` (``text``).
* ``POST /clear`` -- forget every fault and recorded request.
* ``GET /requests`` -- ``{"count": N}``, how many upstream requests the mock has seen.
* ``GET /requests?marker=…`` -- ``{"count": N, "bodies": [...]}``: the JSON bodies of the
  upstream requests that contain ``marker``, oldest first (what a model was sent).

Everything stops when stdin closes (the parent test runner exits or closes the pipe).

    .venv/bin/python tests/support/live_stack.py
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from chatroutes.server.settings import Settings  # noqa: E402
from tests.e2e.conftest import (  # noqa: E402  (the repository root goes on the path first)
    LiveServer,
    clean_child_env,
    server_env,
    serving,
    write_tiny_plans,
)
from tests.support.accounts import new_keys  # noqa: E402
from tests.support.mock_upstream import Fault, MockUpstream  # noqa: E402

LIMITED_PER_MINUTE = 5
MAIN_PLAN = "enterprise"  # 6000 requests a minute: suites never meet a limit by accident
_FAULTS: dict[str, Callable[[dict[str, Any]], Fault]] = {
    "status": lambda spec: Fault.status(int(spec.get("status", 500)), spec.get("retryAfter")),
    "delay": lambda spec: Fault.delay(float(spec.get("seconds", 1))),
    "slow": lambda spec: Fault.slow(float(spec.get("seconds", 0.05))),
    "hang": lambda spec: Fault.hang(),
    "cut_after": lambda spec: Fault.cut_after(int(spec.get("chunks", 1))),
    "stall_after": lambda spec: Fault.stall_after(int(spec.get("chunks", 1))),
    "end_after": lambda spec: Fault.end_after(int(spec.get("chunks", 1))),
    "malformed_chunk": lambda spec: Fault.malformed_chunk(int(spec.get("chunks", 0))),
    "reply": lambda spec: Fault.reply(str(spec.get("text", ""))),
}


def fault_from(spec: dict[str, Any]) -> Fault:
    """The mock fault a control request describes; ``ValueError`` for an unknown one."""
    kind = spec.get("fault", "status")
    if kind not in _FAULTS:
        raise ValueError(f"unknown fault {kind!r}; one of {', '.join(_FAULTS)}")
    return _FAULTS[kind](spec)


def recorded_bodies(upstream: MockUpstream, marker: str) -> dict[str, Any]:
    """The JSON bodies of the upstream requests that mention ``marker``, oldest first."""
    bodies = [
        request.json
        for request in list(upstream.requests)
        if request.json is not None and marker in json.dumps(request.json)
    ]
    return {"count": len(bodies), "bodies": bodies}


def control_server(upstream: MockUpstream) -> ThreadingHTTPServer:
    """The HTTP endpoint that plants faults in ``upstream``, on a free loopback port."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path != "/requests":
                self._answer(404, {"error": "not found"})
            elif marker := parse_qs(url.query).get("marker", [""])[0]:
                self._answer(200, recorded_bodies(upstream, marker))
            else:
                self._answer(200, {"count": len(upstream.requests)})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                spec = json.loads(self.rfile.read(length) or b"{}")
                if self.path == "/faults":
                    upstream.fault_when(str(spec["marker"]), fault_from(spec))
                elif self.path == "/clear":
                    upstream.clear()
                else:
                    self._answer(404, {"error": "not found"})
                    return
            except (KeyError, ValueError, TypeError) as exc:
                self._answer(400, {"error": str(exc)})
                return
            self._answer(200, {"ok": True})

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: stdout carries the one JSON line."""

    return ThreadingHTTPServer(("127.0.0.1", 0), Handler)


@dataclass
class Stack:
    """A running stack: the server and the mock upstream's control endpoint."""

    server: LiveServer
    control: ThreadingHTTPServer

    def ready(self) -> dict[str, Any]:
        """What a suite is given (the JSON line): the stack's addresses and the keys of
        three new accounts, so each suite run on one stack has accounts of its own."""
        env = self.server.env
        settings = Settings(
            database_url=env["CHATROUTES_DATABASE_URL"],
            data_dir=Path(env["CHATROUTES_DATA_DIR"]),
            secret_key=env["CHATROUTES_SECRET_KEY"],
            plans_file=Path(env["CHATROUTES_PLANS_FILE"]),
        )
        main_key, other_key, limited_key = asyncio.run(
            new_keys(settings, (MAIN_PLAN, MAIN_PLAN, "tiny"))
        )
        host, port = self.control.server_address[:2]
        return {
            "baseUrl": self.server.url,
            "apiUrl": self.server.api_url,
            "apiKey": main_key,
            "otherApiKey": other_key,
            "limitedApiKey": limited_key,
            "limitedPerMinute": LIMITED_PER_MINUTE,
            "controlUrl": f"http://{host}:{port}",
        }


@contextmanager
def running_stack() -> Iterator[Stack]:
    """The mock upstream, its control endpoint and ``chatroutes serve`` on a fresh SQLite
    database, up and answering; everything stopped after."""
    with tempfile.TemporaryDirectory(prefix="chatroutes-live-") as tmp, MockUpstream() as upstream:
        workdir = Path(tmp)
        plans = write_tiny_plans(workdir / "plans.toml", LIMITED_PER_MINUTE)
        env = server_env(
            SimpleNamespace(param="sqlite"),  # type: ignore[arg-type]  (a fixture request's one field used)
            workdir,
            clean_child_env(),
            upstream,
            CHATROUTES_PLANS_FILE=str(plans),
            CHATROUTES_WEBHOOK_ALLOW_PRIVATE="1",
            # A suite leaves replies stalled on purpose (a stream aborted by its reader):
            # at the end, the server stops without waiting the default 30 s for them.
            CHATROUTES_SHUTDOWN_GRACE_SECONDS="1",
        )
        control = control_server(upstream)
        threading.Thread(target=control.serve_forever, name="control", daemon=True).start()
        try:
            with serving("sqlite", workdir, env) as server:
                yield Stack(server, control)
        finally:
            control.shutdown()
            control.server_close()


def main() -> None:
    with running_stack() as stack:
        print(json.dumps(stack.ready()), flush=True)
        sys.stdin.read()  # until the parent closes the pipe


if __name__ == "__main__":
    main()
