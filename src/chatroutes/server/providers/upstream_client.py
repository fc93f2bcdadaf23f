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

The provider calls themselves (``send_json``, ``stream_json``) skip even httpx's
client layer when nothing watches it: building the request, the auth and redirect
machinery and the response's stream wrappers cost a fifth of a millisecond a call, more
than the rest of the client. They send the same request (the client's headers, compact
UTF-8 JSON, the client's timeouts) straight to the transport and get back the same
``httpx.Response``. Once tracing wraps the transport, or the client has event hooks or
another transport, they go through the client as any request does.
"""

from __future__ import annotations

import functools
import ssl
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from urllib.request import getproxies

import aiohttp
import httpx
import orjson
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
def _as_httpx_errors(request: Callable[[], httpx.Request]) -> Iterator[None]:
    """Re-raise an aiohttp failure as its httpx equivalent, chained to the original."""
    try:
        yield
    except (aiohttp.ClientError, TimeoutError) as exc:
        equivalent = next(httpx_error for cls, httpx_error in _EQUIVALENTS if isinstance(exc, cls))
        raise equivalent(str(exc) or exc.__class__.__name__, request=request()) from exc


class _ResponseBody(httpx.AsyncByteStream):
    """An aiohttp response's body as it arrives, each piece as soon as it is read."""

    def __init__(
        self, response: aiohttp.ClientResponse, request: Callable[[], httpx.Request]
    ) -> None:
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
        body = await request.aread()
        response = await self._send(
            request.method,
            URL(str(request.url), encoded=True),
            request.headers.multi_items(),
            body,
            request.extensions.get("timeout", {}),
            lambda: request,
        )
        return httpx.Response(
            status_code=response.status,
            headers=response.raw_headers,
            stream=_ResponseBody(response, lambda: request),
            request=request,
            extensions={"http_version": b"HTTP/1.1"},
        )

    async def post(
        self,
        url: str,
        headers: list[tuple[str, str]],
        body: bytes,
        timeouts: Mapping[str, float | None],  # httpx's: connect, read, write, pool
        *,
        stream: bool,
    ) -> httpx.Response:
        """POST without an ``httpx.Request``: the answer, read whole unless ``stream``
        (then its body comes as it arrives, and the caller closes it)."""

        def request() -> httpx.Request:  # for an exception only
            return httpx.Request("POST", url, headers=headers, content=body)

        response = await self._send("POST", URL(url), headers, body, timeouts, request)
        if stream:
            piece_by_piece = _ResponseBody(response, request)
            return httpx.Response(
                response.status, headers=response.raw_headers, stream=piece_by_piece
            )
        with _as_httpx_errors(request):
            try:
                content = await response.read()
            finally:
                response.release()
        return httpx.Response(response.status, headers=response.raw_headers, content=content)

    async def _send(
        self,
        method: str,
        url: URL,
        headers: list[tuple[str, str]],
        body: bytes,
        timeouts: Mapping[str, float | None],  # httpx's: connect, read, write, pool
        request: Callable[[], httpx.Request],
    ) -> aiohttp.ClientResponse:
        with _as_httpx_errors(request):
            return await self._open_session().request(
                method,
                url,
                headers=headers,
                data=body or None,
                allow_redirects=False,  # httpx follows redirects itself when asked to
                timeout=aiohttp.ClientTimeout(
                    connect=timeouts.get("pool"),
                    sock_connect=timeouts.get("connect"),
                    sock_read=timeouts.get("read"),
                ),
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
        ssl_context=_verifying_context(),
    )
    return httpx.AsyncClient(timeout=timeout, limits=limits, transport=transport)


@functools.cache
def _verifying_context() -> ssl.SSLContext:
    """httpx's default context (certifi's CA bundle), made once a process: loading the
    bundle costs tens of milliseconds, each app made in the process would pay again."""
    return httpx.create_ssl_context()


async def send_json(
    client: httpx.AsyncClient, url: str, body: object, headers: Mapping[str, str]
) -> httpx.Response:
    """``client.post(url, json=body, headers=headers)``, past httpx's client layer when
    nothing watches it (see the module's docstring)."""
    transport = _unwatched_transport(client)
    if transport is None:
        return await client.post(url, json=body, headers=headers)
    sent, content = _json_request(client, body, headers)
    return await transport.post(url, sent, content, client.timeout.as_dict(), stream=False)


@asynccontextmanager
async def stream_json(
    client: httpx.AsyncClient, url: str, body: object, headers: Mapping[str, str]
) -> AsyncIterator[httpx.Response]:
    """``client.stream("POST", url, json=body, headers=headers)``, likewise."""
    transport = _unwatched_transport(client)
    if transport is None:
        async with client.stream("POST", url, json=body, headers=headers) as response:
            yield response
        return
    sent, content = _json_request(client, body, headers)
    response = await transport.post(url, sent, content, client.timeout.as_dict(), stream=True)
    try:
        yield response
    finally:
        await response.aclose()


def _unwatched_transport(client: httpx.AsyncClient) -> AiohttpTransport | None:
    """``client``'s aiohttp transport, unless something would see requests go through the
    client: event hooks, or a wrapper on the transport's method (tracing)."""
    transport = getattr(client, "_transport", None)  # None if httpx ever renames it
    if not isinstance(transport, AiohttpTransport) or "handle_async_request" in vars(transport):
        return None
    if client.event_hooks["request"] or client.event_hooks["response"]:
        return None
    return transport


def _json_request(
    client: httpx.AsyncClient, body: object, headers: Mapping[str, str]
) -> tuple[list[tuple[str, str]], bytes]:
    """The headers and body ``client`` would send for ``json=body``: compact UTF-8, as
    httpx encodes it, by orjson (a tenth of the time for a long context)."""
    merged = client.headers.copy()
    merged.update(headers)
    merged.setdefault("Content-Type", "application/json")
    return merged.multi_items(), orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS)
