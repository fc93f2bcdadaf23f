"""API keys, stored only as a keyed hash; authentication reads one by its hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .database import rows_matched
from .execution import execute, selected, transient
from .tables import ApiKey, User

_api_keys = ApiKey.__table__
_users = User.__table__
_KEY_AND_USER = (
    select(_api_keys.c.id.label("key_id"), _api_keys.c.last_used_at, *selected(User))
    .join(_users, _users.c.id == _api_keys.c.user_id)
    .where(_api_keys.c.key_hash == bindparam("key_hash"), _api_keys.c.revoked_at.is_(None))
)
_TOUCH_KEY = (
    update(_api_keys)
    .where(
        _api_keys.c.id == bindparam("key_id"),
        or_(
            _api_keys.c.last_used_at.is_(None),
            _api_keys.c.last_used_at < bindparam("stale_before"),
        ),
    )
    .values(last_used_at=bindparam("now"))
)


def active_key(connection: Connection, key_hash: str) -> tuple[str, datetime | None, User] | None:
    """``(key id, last used, its user)`` for an unrevoked key with this hash."""
    found = execute(connection, _KEY_AND_USER, {"key_hash": key_hash}).first()
    if found is None:
        return None
    values = found._asdict()
    key_id, last_used = values.pop("key_id"), values.pop("last_used_at")
    return key_id, last_used, transient(User, **values)


def touch_key(connection: Connection, key_id: str, now: datetime, stale_before: datetime) -> None:
    """Record the key's use, unless it was recorded since ``stale_before``."""
    params = {"key_id": key_id, "now": now, "stale_before": stale_before}
    execute(connection, _TOUCH_KEY, params)


class ApiKeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, key_id: str) -> ApiKey | None:
        return await self.session.get(ApiKey, key_id)

    async def list_for_user(self, user_id: str) -> list[ApiKey]:
        rows = await self.session.scalars(
            select(ApiKey).where(ApiKey.user_id == user_id).order_by(ApiKey.created_at, ApiKey.id)
        )
        return list(rows)

    async def add(self, key: ApiKey) -> ApiKey:
        self.session.add(key)
        await self.session.flush()
        return key

    async def get_for_user(self, key_id: str, user_id: str) -> ApiKey | None:
        return await self.session.scalar(
            select(ApiKey).where(ApiKey.id == key_id, ApiKey.user_id == user_id)
        )

    async def revoke(self, key_id: str, when: datetime) -> bool:
        result = await self.session.execute(
            update(ApiKey)
            .where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None))
            .values(revoked_at=when)
        )
        return rows_matched(result) == 1
