"""The server about itself on the wire: liveness, readiness and status."""

from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict


class Health(TypedDict):
    status: str
    version: str


def health_out(version: str) -> Health:
    return {"status": "ok", "version": version}


class ServiceHealth(Health):
    service: str


def service_health_out(version: str, service: str) -> ServiceHealth:
    return {"status": "healthy", "version": version, "service": service}


class Storage(TypedDict):
    backend: Literal["sqlite", "postgresql"]


class Status(TypedDict):
    status: str
    version: str
    storage: Storage
    defaultModel: str
    endpoints: list[str]


def status_out(version: str, backend: str, default_model: str, endpoints: list[str]) -> Status:
    """``backend``: the database's dialect; ``endpoints``: every documented operation, as
    ``METHOD /path``."""
    return {
        "status": "operational",
        "version": version,
        "storage": {"backend": backend},  # type: ignore[typeddict-item]  # one of the two
        "defaultModel": default_model,
        "endpoints": endpoints,
    }


class Readiness(TypedDict):
    status: Literal["ready"]
    checks: dict[str, str]


def readiness_out(checks: dict[str, str]) -> Readiness:
    """``checks``: each dependency's state (``ok``, ``not configured``)."""
    return {"status": "ready", "checks": checks}
