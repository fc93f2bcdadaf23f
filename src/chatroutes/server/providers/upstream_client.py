"""The one HTTP client every provider call goes through: httpx's API on aiohttp's pool.

httpx's own transport (httpcore) costs about 0.7 ms of CPU per request on this path,
twice what aiohttp's C-accelerated connection pool and parser cost for the same call,
and a send pays it on every upstream request. So the client keeps httpx's interface
(requests, streamed responses, timeouts, exceptions: everything in ``_transport.py``
and the adapters) over a transport that hands the wire to aiohttp, the arrangement
openai-python ships as ``DefaultAioHttpClient``. aiohttp's failures are raised as the
httpx exceptions they correspond to, so a timeout is still a timeout and a dropped
connection still a transport error.

A proxy set in the environment (``HTTPS_PROXY``, ``HTTP_PROXY``, ``ALL_PROXY``) keeps
httpx's own transport, which honours it and ``NO_PROXY`` (httpx ignores them once it is
given a transport).
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from urllib.request import getproxies

import aiohttp
import httpx
from yarl import URL

KEEPALIVE_SECONDS = 5.0  # an idle upstream connection is closed after this (httpx's default)

# Most specific first: the first class an aiohttp error is an instance of decides.
_EQUIVALENTS: tuple[tuple[type[BaseException], type[httpx.TransportError]], ...] = (
    (aiohttp.ConnectionTimeoutError, httpx.ConnectTimeout),  # connecting, or waiting for the pool
    (TimeoutError, httpx.ReadTimeout),  # no byte within the read timeout
    (aiohttp.ClientConnectorError, httpx.ConnectError),  # refused, unresolvable, TLS failure
    (aiohttp.ServerDisconnectedError, httpx.RemoteProtocolError),  # closed before the answer
    (aiohttp.ClientPayloadError, httpx.RemoteProtocolError),  # body cut short or malformed
    (aiohttp.ClientResponseError, httpx.RemoteProtocolError),  # not a parseable HTTP answer
    (aiohttp.InvalidURL, httpx.UnsupportedProtocol),
    (aiohttp.NonHttpUrlClientError, httpx.UnsupportedProtocol),
    (aiohttp.ClientError, httpx.NetworkError),  # resets and other socket errors
)


@contextmanager
def _as_httpx_errors(request: httpx.Request) -> Iterator[None]:
    """Re-raise an aiohttp failure as its httpx equivalent, chained to the original."""
    try:
        yield
    except (aiohttp.ClientError, TimeoutError) as exc:
        equivalent = next(httpx_error for cls, httpx_error in _EQUIVALENTS if isinstance(exc, cls))
        raise equivalent(str(exc) or exc.__class__.__name__, request=request) from exc


class _ResponseBody(httpx.AsyncByteStream):
    """An aiohttp response's body as it arrives, each piece as soon as it is read."""

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors(self._request):
            async for piece in self._response.content.iter_any():
                yield piece

    async def aclose(self) -> None:
        # A body read to its end returns the connection to the pool; one abandoned midway
        # (a stopped stream) closes it, so the upstream sees the reader go.
        if self._response.content.at_eof():
            self._response.release()
        else:
            self._response.close()


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An httpx transport that sends through one aiohttp session (pool, keep-alive)."""

    def __init__(
        self, *, max_connections: int, keepalive_seconds: float, ssl_context: ssl.SSLContext
    ) -> None:
        self._max_connections = max_connections
        self._keepalive_seconds = keepalive_seconds
        self._ssl_context = ssl_context
        self._session: aiohttp.ClientSession | None = None

    def _open_session(self) -> aiohttp.ClientSession:
        """The session, made on first use: aiohttp binds it to the running event loop."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self._max_connections,
                keepalive_timeout=self._keepalive_seconds,
                ssl=self._ssl_context,
            )
            # httpx decodes Content-Encoding itself, from the headers passed on.
            self._session = aiohttp.ClientSession(connector=connector, auto_decompress=False)
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeout = request.extensions.get("timeout", {})
        body = await request.aread()
        with _as_httpx_errors(request):
            response = await self._open_session().request(
                request.method,
                URL(str(request.url), encoded=True),
                headers=request.headers.multi_items(),
                data=body or None,
                allow_redirects=False,  # httpx follows redirects itself when asked to
                timeout=aiohttp.ClientTimeout(
                    connect=timeout.get("pool"),
                    sock_connect=timeout.get("connect"),
                    sock_read=timeout.get("read"),
                ),
            )
        return httpx.Response(
            status_code=response.status,
            headers=response.raw_headers,
            stream=_ResponseBody(response, request),
            request=request,
            extensions={"http_version": b"HTTP/1.1"},
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


def upstream_client(*, timeout: httpx.Timeout, max_connections: int) -> httpx.AsyncClient:
    """The shared client for provider calls: on the aiohttp transport, unless proxied."""
    limits = httpx.Limits(max_connections=max_connections, keepalive_expiry=KEEPALIVE_SECONDS)
    if any(scheme != "no" for scheme in getproxies()):  # ``no``: NO_PROXY's list
        return httpx.AsyncClient(timeout=timeout, limits=limits)
    transport = AiohttpTransport(
        max_connections=max_connections,
        keepalive_seconds=KEEPALIVE_SECONDS,
        ssl_context=httpx.create_ssl_context(),
    )
    return httpx.AsyncClient(timeout=timeout, limits=limits, transport=transport)
