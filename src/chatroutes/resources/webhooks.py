"""``client.webhooks``: endpoints, their secrets, tests, deliveries and redeliveries."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any, cast

from .._types import Webhook, WebhookDelivery, WebhookDeliveryPage
from ._base import AsyncAPIResource, SyncAPIResource, data_of, item_of, items_of, seg

__all__ = ["AsyncWebhooks", "Webhooks"]

_UNSET: Any = object()


def _create_body(
    url: str, events: Sequence[str], description: str | None, enabled: bool
) -> dict[str, Any]:
    body: dict[str, Any] = {"url": url, "events": list(events), "enabled": enabled}
    if description is not None:
        body["description"] = description
    return body


def _update_body(
    url: str | None, events: Sequence[str] | None, description: Any, enabled: bool | None
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if url is not None:
        body["url"] = url
    if events is not None:
        body["events"] = list(events)
    if description is not _UNSET:
        body["description"] = description
    if enabled is not None:
        body["enabled"] = enabled
    return body


def _page_params(limit: int | None, cursor: str | None) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if limit is not None:
        params["limit"] = limit
    if cursor is not None:
        params["cursor"] = cursor
    return params


def _path(webhook_id: str, *rest: str) -> str:
    return "/".join(["/webhooks", seg(webhook_id), *rest])


class Webhooks(SyncAPIResource):
    def create(
        self,
        url: str,
        *,
        events: Sequence[str] = ("*",),
        description: str | None = None,
        enabled: bool = True,
    ) -> Webhook:
        """A new endpoint; its ``secret`` (``whsec_…``) is in this answer only: keep it."""
        response = self._http.post("/webhooks", _create_body(url, events, description, enabled))
        return cast(Webhook, item_of(response, "webhook"))

    def list(self) -> builtins.list[Webhook]:
        """Every endpoint of the account."""
        return cast(builtins.list[Webhook], items_of(self._http.get("/webhooks"), "webhooks"))

    def get(self, webhook_id: str) -> Webhook:
        return cast(Webhook, item_of(self._http.get(_path(webhook_id)), "webhook"))

    def update(
        self,
        webhook_id: str,
        *,
        url: str | None = None,
        events: Sequence[str] | None = None,
        description: str | None = _UNSET,
        enabled: bool | None = None,
    ) -> Webhook:
        """Change what is given (``description=None`` clears it); ``enabled=True`` on a
        disabled endpoint clears ``disabledReason`` and its failure streak."""
        body = _update_body(url, events, description, enabled)
        return cast(Webhook, item_of(self._http.patch(_path(webhook_id), body), "webhook"))

    def delete(self, webhook_id: str) -> None:
        self._http.delete(_path(webhook_id))

    def rotate_secret(self, webhook_id: str) -> Webhook:
        """A new signing secret, in this answer only; the old one signs nothing more."""
        response = self._http.post(_path(webhook_id, "rotate-secret"), {})
        return cast(Webhook, item_of(response, "webhook"))

    def test(self, webhook_id: str) -> WebhookDelivery:
        """Send a ``webhook.test`` event to the endpoint; its delivery."""
        response = self._http.post(_path(webhook_id, "test"), {})
        return cast(WebhookDelivery, item_of(response, "delivery"))

    def list_deliveries(
        self, webhook_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> WebhookDeliveryPage:
        """A page of deliveries, newest first; pass ``nextCursor`` back for the next."""
        response = self._http.get(
            _path(webhook_id, "deliveries"), params=_page_params(limit, cursor)
        )
        return cast(WebhookDeliveryPage, data_of(response))

    def get_delivery(self, webhook_id: str, delivery_id: str) -> WebhookDelivery:
        """A delivery with its ``attempts``."""
        response = self._http.get(_path(webhook_id, "deliveries", seg(delivery_id)))
        return cast(WebhookDelivery, item_of(response, "delivery"))

    def redeliver(self, webhook_id: str, delivery_id: str) -> WebhookDelivery:
        """Send a delivery's event again, as a new delivery."""
        path = _path(webhook_id, "deliveries", seg(delivery_id), "redeliver")
        return cast(WebhookDelivery, item_of(self._http.post(path, {}), "delivery"))


class AsyncWebhooks(AsyncAPIResource):
    async def create(
        self,
        url: str,
        *,
        events: Sequence[str] = ("*",),
        description: str | None = None,
        enabled: bool = True,
    ) -> Webhook:
        """A new endpoint; its ``secret`` (``whsec_…``) is in this answer only: keep it."""
        body = _create_body(url, events, description, enabled)
        response = await self._http.post("/webhooks", body)
        return cast(Webhook, item_of(response, "webhook"))

    async def list(self) -> builtins.list[Webhook]:
        """Every endpoint of the account."""
        response = await self._http.get("/webhooks")
        return cast(builtins.list[Webhook], items_of(response, "webhooks"))

    async def get(self, webhook_id: str) -> Webhook:
        return cast(Webhook, item_of(await self._http.get(_path(webhook_id)), "webhook"))

    async def update(
        self,
        webhook_id: str,
        *,
        url: str | None = None,
        events: Sequence[str] | None = None,
        description: str | None = _UNSET,
        enabled: bool | None = None,
    ) -> Webhook:
        """Change what is given (``description=None`` clears it); ``enabled=True`` on a
        disabled endpoint clears ``disabledReason`` and its failure streak."""
        body = _update_body(url, events, description, enabled)
        response = await self._http.patch(_path(webhook_id), body)
        return cast(Webhook, item_of(response, "webhook"))

    async def delete(self, webhook_id: str) -> None:
        await self._http.delete(_path(webhook_id))

    async def rotate_secret(self, webhook_id: str) -> Webhook:
        """A new signing secret, in this answer only; the old one signs nothing more."""
        response = await self._http.post(_path(webhook_id, "rotate-secret"), {})
        return cast(Webhook, item_of(response, "webhook"))

    async def test(self, webhook_id: str) -> WebhookDelivery:
        """Send a ``webhook.test`` event to the endpoint; its delivery."""
        response = await self._http.post(_path(webhook_id, "test"), {})
        return cast(WebhookDelivery, item_of(response, "delivery"))

    async def list_deliveries(
        self, webhook_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> WebhookDeliveryPage:
        """A page of deliveries, newest first; pass ``nextCursor`` back for the next."""
        response = await self._http.get(
            _path(webhook_id, "deliveries"), params=_page_params(limit, cursor)
        )
        return cast(WebhookDeliveryPage, data_of(response))

    async def get_delivery(self, webhook_id: str, delivery_id: str) -> WebhookDelivery:
        """A delivery with its ``attempts``."""
        response = await self._http.get(_path(webhook_id, "deliveries", seg(delivery_id)))
        return cast(WebhookDelivery, item_of(response, "delivery"))

    async def redeliver(self, webhook_id: str, delivery_id: str) -> WebhookDelivery:
        """Send a delivery's event again, as a new delivery."""
        path = _path(webhook_id, "deliveries", seg(delivery_id), "redeliver")
        return cast(WebhookDelivery, item_of(await self._http.post(path, {}), "delivery"))
