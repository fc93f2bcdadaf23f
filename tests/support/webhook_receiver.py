"""A webhook receiver on 127.0.0.1: a real HTTP server in a thread that records every
request and answers each with the next status of its plan (then 200), or, while ``hold``
is set, keeps it waiting (a sender killed mid-request)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]  # names in lower case
    body: bytes
    status: int  # what the receiver answered

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]


class WebhookReceiver:
    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])  # answered in order, then 200
        self.received: list[Received] = []
        self.hold = False  # while set, requests are recorded but not answered
        self._closing = False
        self._lock = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                with receiver._lock:
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    receiver.received.append(Received(headers, body, status))
                    receiver._lock.notify_all()
                while receiver.hold and not receiver._closing:
                    time.sleep(0.01)
                try:
                    self.send_response(status)
                    self.send_header("content-length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:  # the sender is gone (killed while held)
                    pass

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def wait_for(
        self, condition: Callable[[list[Received]], bool], timeout: float = 15.0
    ) -> list[Received]:
        """Wait until ``condition(received)`` holds; the requests so far."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not condition(self.received):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"receiver: condition not met; got {self.received}")
                self._lock.wait(left)
            return list(self.received)

    def wait_count(self, count: int, timeout: float = 15.0) -> list[Received]:
        return self.wait_for(lambda got: len(got) >= count, timeout)

    async def until(
        self, condition: Callable[[list[Received]], bool], within: float = 15.0
    ) -> list[Received]:
        """``wait_for`` without blocking the event loop (a server in this process sends)."""
        deadline = time.monotonic() + within
        while True:
            with self._lock:
                got = list(self.received)
            if condition(got):
                return got
            if time.monotonic() > deadline:
                raise AssertionError(f"receiver: condition not met; got {got}")
            await asyncio.sleep(0.02)

    async def count(self, count: int, within: float = 15.0) -> list[Received]:
        return await self.until(lambda got: len(got) >= count, within)

    def close(self) -> None:
        self._closing = True
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def webhook_receiver(statuses: list[int] | None = None) -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(statuses)
    try:
        yield receiver
    finally:
        receiver.close()
