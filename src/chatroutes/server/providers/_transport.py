"""One HTTP path to every upstream: requests, streams, and their failures as our errors."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import orjson

from ..domain.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderRateLimited,
    ProviderTimeout,
    ProviderUnavailable,
)
from ..observability.metrics import upstream_call
from . import upstream_client


def _retry_after(response: httpx.Response) -> int | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0, math.ceil(float(value)))
    except ValueError:
        return None


def raise_for_upstream_status(provider: str, response: httpx.Response) -> None:
    """Raise the provider error for a non-2xx upstream response."""
    status = response.status_code
    if status < 400:
        return
    detail = {"provider": provider, "upstreamStatus": status}
    if status in (401, 403):
        raise ProviderAuthError(
            f"{provider} rejected the server's credentials; check its API key", details=detail
        )
    if status == 429:
        raise ProviderRateLimited(
            f"{provider} is rate limiting requests",
            details=detail,
            retry_after=_retry_after(response),
        )
    if status >= 500:
        raise ProviderUnavailable(f"{provider} is unavailable (HTTP {status})", details=detail)
    raise ProviderError(
        f"{provider} refused the request (HTTP {status}): {response.text[:500]}", details=detail
    )


@asynccontextmanager
async def upstream_errors(provider: str) -> AsyncIterator[None]:
    """Translate httpx transport exceptions raised inside the block."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise ProviderTimeout(
            f"{provider} did not answer in time", details={"provider": provider}
        ) from exc
    except (httpx.TransportError, httpx.DecodingError) as exc:
        raise ProviderUnavailable(
            f"{provider} could not be reached: {exc.__class__.__name__}",
            details={"provider": provider},
        ) from exc


_DONE = object()


async def sse_json(response: httpx.Response) -> AsyncIterator[dict[str, Any]]:
    """The JSON objects of a server-sent event stream's ``data:`` lines, up to ``[DONE]``.

    A payload that is not a JSON object is skipped, not fatal: one malformed
    chunk must not cost the rest of a reply. Lines are split from the bytes as they
    come (``\n``, ``\r\n`` or ``\r``), without decoding the rest of the stream to text.
    """
    pending = b""
    async for chunk in response.aiter_bytes():
        lines = (pending + chunk).replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
        pending = lines.pop()
        for line in lines:
            event = _data_of(line)
            if event is _DONE:
                return
            if event is not None:
                yield event
    event = _data_of(pending)  # a last line the stream did not end
    if event is not None and event is not _DONE:
        yield event


def _data_of(line: bytes) -> Any:
    """A ``data:`` line's JSON object, ``_DONE`` for ``[DONE]``, else None."""
    if not line.startswith(b"data:"):
        return None
    data = line[5:].strip()
    if data == b"[DONE]":
        return _DONE
    try:
        event = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    return event if isinstance(event, dict) else None


async def post_json(
    provider: str, client: httpx.AsyncClient, url: str, body: object, headers: dict[str, str]
) -> httpx.Response:
    """POST ``body``; a transport failure or an error status raises a provider error."""
    async with upstream_call(provider, body):  # metrics: outcome and time
        async with upstream_errors(provider):
            response = await upstream_client.send_json(client, url, body, headers)
        raise_for_upstream_status(provider, response)
    return response


@asynccontextmanager
async def open_event_stream(
    provider: str, client: httpx.AsyncClient, url: str, body: object, headers: dict[str, str]
) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
    """POST ``body`` and yield its events; failures while reading map as well."""
    async with (
        upstream_call(provider, body),  # metrics: outcome and time of the whole stream
        upstream_errors(provider),
        upstream_client.stream_json(client, url, body, headers) as response,
    ):
        if response.status_code >= 400:
            await response.aread()
            raise_for_upstream_status(provider, response)
        yield sse_json(response)
