"""A round-robin TCP proxy on 127.0.0.1: the load balancer of the scale-out tests.

It stands in for ``deploy/nginx.conf``: each accepted connection goes to the next
backend in turn (``A, B, A, B…``) and bytes are copied both ways unbuffered, so
server-sent events pass through as they are written. ``routed`` records the backend
index of every connection in order, so a test can tell which process served what.
Runs its own event loop on a thread (``start``/``stop`` or ``with``), like
``MockUpstream``.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
import threading
from types import TracebackType
from typing import Self


class RoundRobinProxy:
    def __init__(self, backends: list[tuple[str, int]], host: str = "127.0.0.1") -> None:
        if not backends:
            raise ValueError("a proxy needs at least one backend")
        self.backends = backends
        self.host = host
        self.port = 0
        self.routed: list[int] = []  # backend index per accepted connection, in order
        self._turn = itertools.cycle(range(len(backends)))
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def next_backend(self) -> int:
        """The index the next connection will go to (connections are taken in order)."""
        return len(self.routed) % len(self.backends)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            if writer.can_write_eof():
                try:
                    writer.write_eof()
                except OSError:
                    writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        index = next(self._turn)
        self.routed.append(index)
        host, port = self.backends[index]
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(host, port)
        except OSError:
            writer.close()
            return
        for w in (writer, upstream_writer):
            w.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            await asyncio.gather(
                self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer)
            )
        finally:
            writer.close()
            upstream_writer.close()

    def _track(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.ensure_future(self._handle(reader, writer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._track, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    def start(self) -> Self:
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(self._start())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="round-robin-proxy", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the proxy did not start")
        return self

    async def _stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def stop(self) -> None:
        if self._loop is None or self._thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
        self._loop = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
