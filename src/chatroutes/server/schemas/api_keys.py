"""API keys on the wire: the create body, a key as listed, a new key with its secret."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Protocol

from pydantic import Field
from typing_extensions import TypedDict

from ..domain.hashing import iso_timestamp
from .auth import Name
from .common import Timestamp, WireModel, timestamp_out


class ApiKeyCreate(WireModel):
    name: Name | None = None


class StoredApiKey(Protocol):
    """A stored API key as read (an ``ApiKey`` row); its secret is never stored."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str | None: ...
    @property
    def key_prefix(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def last_used_at(self) -> datetime | None: ...
    @property
    def revoked_at(self) -> datetime | None: ...


class ApiKeyOut(TypedDict):
    id: str
    name: str | None
    prefix: str
    createdAt: Timestamp
    lastUsedAt: Timestamp | None
    revokedAt: Timestamp | None


def api_key_out(key: StoredApiKey) -> ApiKeyOut:
    return {
        "id": key.id,
        "name": key.name,
        "prefix": key.key_prefix,
        "createdAt": iso_timestamp(key.created_at),
        "lastUsedAt": timestamp_out(key.last_used_at),
        "revokedAt": timestamp_out(key.revoked_at),
    }


class ApiKeyList(TypedDict):
    apiKeys: list[ApiKeyOut]


def api_key_list(keys: Iterable[StoredApiKey]) -> ApiKeyList:
    return {"apiKeys": [api_key_out(k) for k in keys]}


class NewApiKeyOut(ApiKeyOut):
    key: Annotated[str, Field(pattern=r"^cr_prod_sk_[0-9a-f]{64}$")]


class NewApiKey(TypedDict):
    apiKey: NewApiKeyOut


def new_api_key(key: StoredApiKey, secret: str) -> NewApiKey:
    """The new key with its secret, shown this once."""
    return {"apiKey": {**api_key_out(key), "key": secret}}
