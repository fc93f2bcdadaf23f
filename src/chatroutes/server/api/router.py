"""Mounts every resource router under ``/api/v1``."""

from fastapi import APIRouter

from . import branches, checkpoints, conversations, messages, meta

api_router = APIRouter(prefix="/api/v1")
for module in (meta, conversations, messages, branches, checkpoints):
    api_router.include_router(module.router)
