"""Logging: request ids on every record, and one JSON object per line when asked.

The request id lives in a context variable set by the middleware for the whole
request, so any record logged while serving it (and by the generation it
spawns) carries it. ``logging_config`` is the ``dictConfig`` that ``chatroutes
serve`` hands uvicorn, so every worker process logs the same way.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

REQUEST_ID: ContextVar[str | None] = ContextVar("chatroutes_request_id", default=None)
ACCESS_LOGGER = "chatroutes.access"

# What the access record carries besides the standard fields (``extra=`` on the record).
_REQUEST_FIELDS = ("method", "route", "path", "status", "duration_ms", "user_id")
_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def current_request_id() -> str | None:
    return REQUEST_ID.get()


class RequestIdFilter(logging.Filter):
    """Put the current request id on each record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = REQUEST_ID.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "request_id", …}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id if request_id not in (None, "-") else REQUEST_ID.get(),
        }
        for name in _REQUEST_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def logging_config(log_format: str, level: str = "INFO", access: bool = True) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the server and uvicorn.

    ``json``: every line is a JSON object, and uvicorn's own access lines give way
    to ours (which name the route template and the request id). ``text``: uvicorn's
    usual lines, and ours with the request id in brackets.
    """
    json_lines = log_format == "json"
    formatter = (
        {"()": f"{__name__}.JsonFormatter"}
        if json_lines
        else {"format": _TEXT_FORMAT, "datefmt": "%Y-%m-%d %H:%M:%S"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": f"{__name__}.RequestIdFilter"}},
        "formatters": {
            "server": formatter,
            "uvicorn": formatter
            if json_lines
            else {"()": "uvicorn.logging.DefaultFormatter", "fmt": "%(levelprefix)s %(message)s"},
            "uvicorn_access": formatter
            if json_lines
            else {
                "()": "uvicorn.logging.AccessFormatter",
                "fmt": '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s',
            },
        },
        "handlers": {
            "server": {
                "class": "logging.StreamHandler",
                "formatter": "server",
                "filters": ["request_id"],
                "stream": "ext://sys.stderr",
            },
            "uvicorn": {
                "class": "logging.StreamHandler",
                "formatter": "uvicorn",
                "filters": ["request_id"],
                "stream": "ext://sys.stderr",
            },
            "uvicorn_access": {
                "class": "logging.StreamHandler",
                "formatter": "uvicorn_access",
                "stream": "ext://sys.stdout",
            },
        },
        "loggers": {
            "chatroutes": {"handlers": ["server"], "level": level, "propagate": False},
            # Our access lines only in JSON; in text, uvicorn's own say the same.
            ACCESS_LOGGER: {
                "handlers": ["server"],
                "level": "INFO" if json_lines and access else "WARNING",
                "propagate": False,
            },
            "uvicorn": {"handlers": ["uvicorn"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {
                "handlers": ["uvicorn_access"],
                "level": "WARNING" if json_lines else "INFO",
                "propagate": False,
            },
        },
    }
