"""Webhooks: an account's endpoints, their deliveries, tests and redeliveries."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse

from ..schemas.common import NUL_FREE_PATTERN
from ..schemas.envelope import Done, Envelope
from ..schemas.webhooks import (
    DELIVERIES_PAGE,
    MAX_DELIVERIES_PAGE,
    DeliveryData,
    DeliveryDetail,
    DeliveryList,
    WebhookCreate,
    WebhookData,
    WebhookList,
    WebhookUpdate,
    WebhookWithSecret,
    delivery_data,
    delivery_detail,
    delivery_list,
    webhook_data,
    webhook_list,
    webhook_with_secret,
)
from ..services.webhooks import WebhookService
from .deps import Context, CurrentPrincipal
from .envelope import ok, secret_ok
from .openapi import errors

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

_ID = Path(min_length=1, max_length=64, pattern=NUL_FREE_PATTERN)
WebhookID = Annotated[str, _ID]
DeliveryID = Annotated[str, _ID]


async def webhook_service(ctx: Context, principal: CurrentPrincipal) -> WebhookService:
    return WebhookService(ctx, principal.user_id, guest=principal.is_guest)


Webhooks = Annotated[WebhookService, Depends(webhook_service)]


@router.post("", status_code=201, response_model=Envelope[WebhookWithSecret], responses=errors(403))
async def create_webhook(body: WebhookCreate, service: Webhooks) -> JSONResponse:
    endpoint, secret = await service.create(body)
    return secret_ok(webhook_with_secret(endpoint, secret), status_code=201)


@router.get("", response_model=Envelope[WebhookList], responses=errors(403))
async def list_webhooks(service: Webhooks) -> JSONResponse:
    return ok(webhook_list(await service.list()))


@router.get("/{webhook_id}", response_model=Envelope[WebhookData], responses=errors(403))
async def get_webhook(webhook_id: WebhookID, service: Webhooks) -> JSONResponse:
    return ok(webhook_data(await service.get(webhook_id)))


@router.patch("/{webhook_id}", response_model=Envelope[WebhookData], responses=errors(403))
async def update_webhook(
    webhook_id: WebhookID, body: WebhookUpdate, service: Webhooks
) -> JSONResponse:
    return ok(webhook_data(await service.update(webhook_id, body)))


@router.delete("/{webhook_id}", response_model=Done, responses=errors(403))
async def delete_webhook(webhook_id: WebhookID, service: Webhooks) -> JSONResponse:
    await service.delete(webhook_id)
    return ok()


@router.post(
    "/{webhook_id}/rotate-secret",
    response_model=Envelope[WebhookWithSecret],
    responses=errors(403),
)
async def rotate_webhook_secret(webhook_id: WebhookID, service: Webhooks) -> JSONResponse:
    endpoint, secret = await service.rotate_secret(webhook_id)
    return secret_ok(webhook_with_secret(endpoint, secret))


@router.post(
    "/{webhook_id}/test",
    status_code=202,
    response_model=Envelope[DeliveryData],
    responses=errors(403, 409),
)
async def test_webhook(webhook_id: WebhookID, service: Webhooks) -> JSONResponse:
    return ok(delivery_data(await service.test(webhook_id)), status_code=202)


@router.get(
    "/{webhook_id}/deliveries", response_model=Envelope[DeliveryList], responses=errors(403)
)
async def list_deliveries(
    webhook_id: WebhookID,
    service: Webhooks,
    limit: Annotated[int, Query(ge=1, le=MAX_DELIVERIES_PAGE)] = DELIVERIES_PAGE,
    cursor: Annotated[
        str | None, Query(min_length=1, max_length=64, pattern=NUL_FREE_PATTERN)
    ] = None,
) -> JSONResponse:
    page, next_cursor = await service.deliveries(webhook_id, limit, cursor)
    return ok(delivery_list(page, next_cursor))


@router.get(
    "/{webhook_id}/deliveries/{delivery_id}",
    response_model=Envelope[DeliveryDetail],
    responses=errors(403),
)
async def get_delivery(
    webhook_id: WebhookID, delivery_id: DeliveryID, service: Webhooks
) -> JSONResponse:
    view = await service.delivery(webhook_id, delivery_id)
    return ok(delivery_detail(view.delivery, view.attempts))


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    status_code=202,
    response_model=Envelope[DeliveryData],
    responses=errors(403, 409),
)
async def redeliver(
    webhook_id: WebhookID, delivery_id: DeliveryID, service: Webhooks
) -> JSONResponse:
    return ok(delivery_data(await service.redeliver(webhook_id, delivery_id)), status_code=202)
