"""``ChatRoutes`` and ``AsyncChatRoutes``: the clients, one resource attribute per API noun."""

from __future__ import annotations

import os
from types import TracebackType

import httpx

from ._exceptions import ChatRoutesError
from ._http import DEFAULT_BASE_URL, AsyncHttpClient, HttpClient
from .resources import (
    AsyncAutoBranch,
    AsyncBillingResource,
    AsyncBranches,
    AsyncCheckpoints,
    AsyncConversations,
    AsyncMessages,
    AsyncModels,
    AsyncParallelResponses,
    AsyncPlans,
    AsyncUsage,
    AsyncWebhooks,
    AutoBranch,
    BillingResource,
    Branches,
    Checkpoints,
    Conversations,
    Messages,
    Models,
    ParallelResponses,
    Plans,
    Usage,
    Webhooks,
)

__all__ = ["AsyncChatRoutes", "ChatRoutes"]

API_KEY_ENV = "CHATROUTES_API_KEY"
BASE_URL_ENV = "CHATROUTES_BASE_URL"


def _api_key(api_key: str | None) -> str:
    key = api_key if api_key is not None else os.environ.get(API_KEY_ENV)
    if not key:
        raise ChatRoutesError(
            f"No API key: pass api_key=... or set {API_KEY_ENV}", 0, "MISSING_API_KEY"
        )
    return key


def _base_url(base_url: str | None) -> str:
    return base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL


class ChatRoutes:
    """The synchronous client, a drop-in for the official ``chatroutes.ChatRoutes`` (0.2.6).

    ::

        client = ChatRoutes(api_key="cr_prod_sk_…", base_url="http://localhost:8000/api/v1")
        conversation = client.conversations.create({"title": "Ideas"})
        reply = client.messages.send(conversation["id"], {"content": "Hello"})

    ``api_key`` and ``base_url`` default to ``CHATROUTES_API_KEY`` and
    ``CHATROUTES_BASE_URL``. ``retry_attempts`` retries after the first try (see
    ``chatroutes._http`` for when). ``http_client`` injects an ``httpx.Client`` (proxies,
    transports, tests); a client passed in is not closed by ``close()``.
    ``autobranch_base_url`` is accepted, and ignored, as the official SDK does.
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = 30,
        retry_attempts: int = 3,
        retry_delay: float = 1.0,
        autobranch_base_url: str | None = None,
        *,
        http_client: httpx.Client | None = None,
        default_headers: dict[str, str] | None = None,
    ) -> None:
        self._http = HttpClient(
            api_key=_api_key(api_key),
            base_url=_base_url(base_url),
            timeout=timeout,
            retry_attempts=retry_attempts,
            retry_delay=retry_delay,
            http_client=http_client,
            default_headers=default_headers,
        )
        self.conversations = Conversations(self)
        self.messages = Messages(self)
        self.branches = Branches(self)
        self.checkpoints = Checkpoints(self)
        self.autobranch = AutoBranch(self)
        self.usage = Usage(self)
        self.plans = Plans(self)
        self.billing = BillingResource(self)
        self.models = Models(self)
        self.parallel_responses = ParallelResponses(self)
        self.webhooks = Webhooks(self)

    @property
    def api_key(self) -> str:
        """The API key sent as ``Authorization: ApiKey <key>``."""
        return self._http.api_key

    @property
    def base_url(self) -> str:
        """The API root, e.g. ``https://api.chatroutes.com/api/v1``."""
        return self._http.base_url

    def _get_headers(self) -> dict[str, str]:
        return dict(self._http.headers)

    def close(self) -> None:
        """Close the connection pool (not one passed in as ``http_client``)."""
        self._http.close()

    def __enter__(self) -> ChatRoutes:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncChatRoutes:
    """The asynchronous client: ``ChatRoutes``'s surface with ``async`` methods.

    ::

        async with AsyncChatRoutes(api_key=…, base_url=…) as client:
            conversation = await client.conversations.create({"title": "Ideas"})
            async for event in client.messages.stream(conversation["id"], {"content": "Hi"}):
                ...
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = 30,
        retry_attempts: int = 3,
        retry_delay: float = 1.0,
        autobranch_base_url: str | None = None,
        *,
        http_client: httpx.AsyncClient | None = None,
        default_headers: dict[str, str] | None = None,
    ) -> None:
        self._http = AsyncHttpClient(
            api_key=_api_key(api_key),
            base_url=_base_url(base_url),
            timeout=timeout,
            retry_attempts=retry_attempts,
            retry_delay=retry_delay,
            http_client=http_client,
            default_headers=default_headers,
        )
        self.conversations = AsyncConversations(self)
        self.messages = AsyncMessages(self)
        self.branches = AsyncBranches(self)
        self.checkpoints = AsyncCheckpoints(self)
        self.autobranch = AsyncAutoBranch(self)
        self.usage = AsyncUsage(self)
        self.plans = AsyncPlans(self)
        self.billing = AsyncBillingResource(self)
        self.models = AsyncModels(self)
        self.parallel_responses = AsyncParallelResponses(self)
        self.webhooks = AsyncWebhooks(self)

    @property
    def api_key(self) -> str:
        """The API key sent as ``Authorization: ApiKey <key>``."""
        return self._http.api_key

    @property
    def base_url(self) -> str:
        """The API root, e.g. ``https://api.chatroutes.com/api/v1``."""
        return self._http.base_url

    def _get_headers(self) -> dict[str, str]:
        return dict(self._http.headers)

    async def close(self) -> None:
        """Close the connection pool (not one passed in as ``http_client``)."""
        await self._http.close()

    async def __aenter__(self) -> AsyncChatRoutes:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
