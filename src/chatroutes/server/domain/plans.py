"""Plans and their limits as data, the windows limits are counted in, and the 429 errors.

Pure: the table is parsed from a mapping (``plans.toml`` next to this module, or the
operator's file) by ``parse_plans``; reading the file is the caller's job.

Over the per-minute rate is ``errors.RateLimited`` (429 RATE_LIMITED); over a monthly or
guest-session quota is ``errors.QuotaExceeded`` (429 QUOTA_EXCEEDED); both carry retryAfter.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import Any

from .errors import InvalidRequest

RATE_WINDOW_SECONDS = 60
# The limits a user's quota_overrides may replace (None there: unlimited).
LIMIT_FIELDS = (
    "calls_per_month",
    "tokens_per_month",
    "requests_per_minute",
    "session_tokens",
    "session_messages",
    "session_branches",
    "max_output_tokens",
    "max_import_bytes",
)


@dataclass(frozen=True)
class Plan:
    """One plan; a limit of None is unlimited."""

    name: str
    title: str
    price: float | None = None  # monthly USD, informational; None: on request
    features: tuple[str, ...] = ()
    hidden: bool = False
    calls_per_month: int | None = None
    tokens_per_month: int | None = None
    requests_per_minute: int | None = None
    max_output_tokens: int | None = None  # the most one model call may write
    # The largest import body; None: the server's ``max_import_bytes`` (which caps it anyway).
    max_import_bytes: int | None = None
    # Guest plans: caps over one guest session, which lasts session_hours.
    session_tokens: int | None = None
    session_messages: int | None = None
    session_branches: int | None = None
    session_hours: int | None = None

    def with_overrides(self, overrides: dict[str, Any] | None) -> Plan:
        """This plan with a user's own limits (an enterprise contract, a test account)."""
        if not overrides:
            return self
        changes = {k: overrides[k] for k in LIMIT_FIELDS if k in overrides}
        for name, value in changes.items():
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise InvalidRequest(f"quota override {name} must be an integer or null")
        return replace(self, **changes)


def parse_plans(data: dict[str, Any]) -> dict[str, Plan]:
    """``{"plans": {name: {...}}}`` → plans by name; unknown keys are an error."""
    known = {f.name for f in fields(Plan)} - {"name"}
    plans: dict[str, Plan] = {}
    for name, spec in (data.get("plans") or {}).items():
        unknown = set(spec) - known
        if unknown:
            raise ValueError(f"plan {name}: unknown keys {', '.join(sorted(unknown))}")
        values = dict(spec)
        values["features"] = tuple(values.get("features", ()))
        values.setdefault("title", name.title())
        plans[name] = Plan(name=name, **values)
    if not plans:
        raise ValueError("the plan table defines no plans")
    return plans


# Windows. ``now`` is naive UTC everywhere, like every stored timestamp.


def minute_window(now: datetime) -> tuple[str, datetime]:
    """The fixed rate window ``now`` falls in: its key and its end."""
    start = now.replace(second=0, microsecond=0)
    return f"rate:{start:%Y-%m-%dT%H:%M}", start + timedelta(seconds=RATE_WINDOW_SECONDS)


def month_period(now: datetime) -> tuple[datetime, datetime]:
    """The calendar month (UTC) ``now`` falls in: [start, end)."""
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )
    return start, end


def month_key(now: datetime) -> str:
    return f"{now:%Y-%m}"


def seconds_until(end: datetime, now: datetime) -> int:
    """Whole seconds until ``end``, at least 1 (a Retry-After of 0 invites a busy loop)."""
    remaining = (end - now).total_seconds()
    return max(1, int(remaining) + (0 if remaining == int(remaining) else 1))


@dataclass(frozen=True)
class RateWindow:
    """Where a user stands in the current rate window: what the RateLimit headers say."""

    limit: int
    remaining: int
    reset_seconds: int
