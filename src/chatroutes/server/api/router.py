"""Mounts every resource router under ``/api/v1``."""

from fastapi import APIRouter

from . import (
    account,
    api_keys,
    auth,
    autobranch,
    billing,
    branches,
    checkpoints,
    conversations,
    messages,
    meta,
    parallel,
    usage,
    webhooks,
)

api_router = APIRouter(prefix="/api/v1")
for module in (
    meta,
    auth,
    api_keys,
    conversations,
    messages,
    branches,
    checkpoints,
    parallel,
    autobranch,
    usage,
    billing,
    account,
    webhooks,
):
    api_router.include_router(module.router)
