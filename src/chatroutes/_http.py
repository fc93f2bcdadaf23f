"""Transport: one request policy (headers, body, retries, error mapping), sync and async.

Retries are made only where repeating cannot do harm:

* GET, HEAD, OPTIONS, PUT and DELETE, which are idempotent;
* POST, because every POST carries an ``Idempotency-Key`` (a uuid4 made once per call and
  sent again on each retry of that call): the server answers a repeat with the first
  response instead of running it again. A caller's own ``Idempotency-Key`` header wins.

PATCH is never retried. A request is retried after a network error (connect, read,
timeout), a 408, 429, 500, 502, 503 or 504, and a 409 ``IDEMPOTENCY_KEY_IN_USE`` (the
first attempt is still running). The wait is the server's ``Retry-After`` when given (a
429 asking for more than :data:`MAX_RETRY_AFTER` seconds is raised at once: that is a
quota, not a blip), else ``retry_delay * 2**attempt`` less up to 25 % jitter.
``retry_attempts`` counts retries after the first try, as in chatroutes 0.2.6.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from ._exceptions import ChatRoutesError, NetworkError, error_from_response

__all__ = ["DEFAULT_BASE_URL", "AsyncHttpClient", "HttpClient"]

DEFAULT_BASE_URL = "https://api.chatroutes.com/api/v1"
IDEMPOTENCY_HEADER = "Idempotency-Key"
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
MAX_RETRY_AFTER = 60.0
_KEY_IN_USE = "IDEMPOTENCY_KEY_IN_USE"


def _version() -> str:
    from . import __version__

    return __version__


@dataclass
class PreparedRequest:
    """One logical call: the same method, URL, body and headers on every attempt."""

    method: str
    url: str
    content: bytes | None
    params: dict[str, Any] | None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def retryable(self) -> bool:
        if self.method in IDEMPOTENT_METHODS:
            return True
        return any(name.lower() == IDEMPOTENCY_HEADER.lower() for name in self.headers)

    @property
    def idempotency_key(self) -> str | None:
        for name, value in self.headers.items():
            if name.lower() == IDEMPOTENCY_HEADER.lower():
                return value
        return None


def _decode(response: httpx.Response) -> dict[str, Any]:
    """The JSON body, or the official SDK's stand-in when there is none."""
    try:
        body = response.json()
    except ValueError:
        return {"error": "Invalid JSON response"}
    return body if isinstance(body, dict) else {"data": body}


def retry_after_seconds(headers: httpx.Headers) -> float | None:
    """``Retry-After`` as seconds (a number or an HTTP date), if present and sane."""
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        if parsed is None:
            return None
        seconds = parsed.timestamp() - time.time()
    return max(seconds, 0.0)


class _BaseHttp:
    """What the sync and async transports share: settings, request building, retry policy."""

    def __init__(
        self,
        api_key: str,
        base_url: str,
        timeout: float | httpx.Timeout,
        retry_attempts: int,
        retry_delay: float,
        default_headers: dict[str, str] | None = None,
    ) -> None:
        self.api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retry_attempts = max(0, int(retry_attempts))
        self.retry_delay = retry_delay
        self.headers: dict[str, str] = {
            "Content-Type": "application/json",
            "Authorization": f"ApiKey {api_key}",
            "User-Agent": f"chatroutes-python/{_version()}",
            **(default_headers or {}),
        }

    def prepare(
        self,
        method: str,
        path: str,
        data: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        skip_auth: bool = False,
    ) -> PreparedRequest:
        """Freeze one call. An empty body is sent as no body, as the official SDK does."""
        method = method.upper()
        request_headers = {**self.headers, **(headers or {})}
        if skip_auth:
            request_headers.pop("Authorization", None)
        content = (
            json.dumps(data, separators=(",", ":"), allow_nan=False).encode() if data else None
        )
        prepared = PreparedRequest(
            method=method,
            url=f"{self.base_url}{path}",
            content=content,
            params={k: v for k, v in params.items() if v is not None} if params else None,
            headers=request_headers,
        )
        if method == "POST" and prepared.idempotency_key is None:
            prepared.headers[IDEMPOTENCY_HEADER] = str(uuid.uuid4())
        return prepared

    def _backoff(self, attempt: int) -> float:
        return float(self.retry_delay * 2.0**attempt * (1 - 0.25 * random.random()))

    def retry_wait(
        self,
        prepared: PreparedRequest,
        attempt: int,
        response: httpx.Response | None = None,
        body: dict[str, Any] | None = None,
    ) -> float | None:
        """Seconds to wait before retrying, or ``None`` when this outcome is final."""
        if attempt >= self.retry_attempts or not prepared.retryable:
            return None
        if response is None:  # a network error
            return self._backoff(attempt)
        status = response.status_code
        in_use = status == 409 and (body or {}).get("error") == _KEY_IN_USE
        if status not in RETRY_STATUSES and not in_use:
            return None
        wait = retry_after_seconds(response.headers)
        if wait is None:
            return self._backoff(attempt)
        if wait > MAX_RETRY_AFTER:
            return None
        return wait

    def error_for(self, response: httpx.Response, body: dict[str, Any]) -> ChatRoutesError:
        return error_from_response(
            response.status_code, body, retry_after_seconds(response.headers)
        )

    def _send_kwargs(self, prepared: PreparedRequest) -> dict[str, Any]:
        return {
            "content": prepared.content,
            "params": prepared.params,
            "headers": prepared.headers,
            "timeout": self.timeout,
        }


def _network_error(exc: Exception, what: str = "Request") -> NetworkError:
    return NetworkError(f"{what} failed: {exc}", {"error": str(exc)})


class HttpClient(_BaseHttp):
    """The synchronous transport, over an ``httpx.Client`` (one given, or its own)."""

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float | httpx.Timeout = 30,
        retry_attempts: int = 3,
        retry_delay: float = 1.0,
        http_client: httpx.Client | None = None,
        default_headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(api_key, base_url, timeout, retry_attempts, retry_delay, default_headers)
        self._owns_client = http_client is None
        self.session = http_client or httpx.Client(timeout=timeout, follow_redirects=True)

    def close(self) -> None:
        """Close the connection pool, unless it was passed in by the caller."""
        if self._owns_client:
            self.session.close()

    def send(self, prepared: PreparedRequest, *, stream: bool = False) -> httpx.Response:
        """Send with retries; return a successful response (streaming: still open)."""
        attempt = 0
        while True:
            request = self.session.build_request(
                prepared.method, prepared.url, **self._send_kwargs(prepared)
            )
            try:
                response = self.session.send(request, stream=stream)
            except httpx.TransportError as exc:
                wait = self.retry_wait(prepared, attempt)
                if wait is None:
                    raise _network_error(exc, "Stream request" if stream else "Request") from exc
                time.sleep(wait)
                attempt += 1
                continue
            if response.is_success:
                return response
            try:
                response.read()
            except httpx.TransportError as exc:
                raise _network_error(exc) from exc
            finally:
                response.close()
            body = _decode(response)
            wait = self.retry_wait(prepared, attempt, response, body)
            if wait is None:
                raise self.error_for(response, body)
            time.sleep(wait)
            attempt += 1

    def request(
        self,
        method: str,
        path: str,
        data: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        skip_auth: bool = False,
    ) -> dict[str, Any]:
        """One API call; the decoded JSON body of its successful response."""
        response = self.send(self.prepare(method, path, data, params, headers, skip_auth))
        return _decode(response)

    def get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.request("GET", path, params=params)

    def post(
        self,
        path: str,
        data: Any = None,
        headers: dict[str, str] | None = None,
        skip_auth: bool = False,
    ) -> dict[str, Any]:
        return self.request("POST", path, data=data, headers=headers, skip_auth=skip_auth)

    def patch(self, path: str, data: Any = None) -> dict[str, Any]:
        return self.request("PATCH", path, data=data)

    def delete(self, path: str) -> dict[str, Any]:
        return self.request("DELETE", path)


class AsyncHttpClient(_BaseHttp):
    """The asynchronous transport, over an ``httpx.AsyncClient`` (one given, or its own)."""

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float | httpx.Timeout = 30,
        retry_attempts: int = 3,
        retry_delay: float = 1.0,
        http_client: httpx.AsyncClient | None = None,
        default_headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(api_key, base_url, timeout, retry_attempts, retry_delay, default_headers)
        self._owns_client = http_client is None
        self.session = http_client or httpx.AsyncClient(timeout=timeout, follow_redirects=True)

    async def close(self) -> None:
        """Close the connection pool, unless it was passed in by the caller."""
        if self._owns_client:
            await self.session.aclose()

    async def send(self, prepared: PreparedRequest, *, stream: bool = False) -> httpx.Response:
        """Send with retries; return a successful response (streaming: still open)."""
        attempt = 0
        while True:
            request = self.session.build_request(
                prepared.method, prepared.url, **self._send_kwargs(prepared)
            )
            try:
                response = await self.session.send(request, stream=stream)
            except httpx.TransportError as exc:
                wait = self.retry_wait(prepared, attempt)
                if wait is None:
                    raise _network_error(exc, "Stream request" if stream else "Request") from exc
                await asyncio.sleep(wait)
                attempt += 1
                continue
            if response.is_success:
                return response
            try:
                await response.aread()
            except httpx.TransportError as exc:
                raise _network_error(exc) from exc
            finally:
                await response.aclose()
            body = _decode(response)
            wait = self.retry_wait(prepared, attempt, response, body)
            if wait is None:
                raise self.error_for(response, body)
            await asyncio.sleep(wait)
            attempt += 1

    async def request(
        self,
        method: str,
        path: str,
        data: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        skip_auth: bool = False,
    ) -> dict[str, Any]:
        """One API call; the decoded JSON body of its successful response."""
        response = await self.send(self.prepare(method, path, data, params, headers, skip_auth))
        return _decode(response)

    async def get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return await self.request("GET", path, params=params)

    async def post(
        self,
        path: str,
        data: Any = None,
        headers: dict[str, str] | None = None,
        skip_auth: bool = False,
    ) -> dict[str, Any]:
        return await self.request("POST", path, data=data, headers=headers, skip_auth=skip_auth)

    async def patch(self, path: str, data: Any = None) -> dict[str, Any]:
        return await self.request("PATCH", path, data=data)

    async def delete(self, path: str) -> dict[str, Any]:
        return await self.request("DELETE", path)
