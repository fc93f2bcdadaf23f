"""Helpers for SDK scenarios. These run in the official SDK's venv, never in ours.

A scenario fills a dict of observations; :func:`run` prints it as one ``RESULT <json>``
line. If a step raises, the line carries the traceback and the observations made so far,
and the process exits 1, so the pytest side can show exactly which step broke.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable
from importlib import metadata
from typing import Any

import chatroutes
from chatroutes import ChatRoutes, ChatRoutesError

BASE_URL = os.environ["E2E_BASE_URL"]
API_KEY = os.environ["E2E_API_KEY"]

Observations = dict[str, Any]


def client(api_key: str | None = None) -> ChatRoutes:
    """An SDK client for the server under test; no retries, so any 5xx shows at once."""
    return ChatRoutes(
        api_key=api_key or API_KEY, base_url=BASE_URL, timeout=30, retry_attempts=0, retry_delay=0
    )


def sdk_info() -> dict[str, str]:
    """Which ``chatroutes`` distribution this process imported, to prove it is the official one."""
    return {"version": metadata.version("chatroutes"), "file": chatroutes.__file__}


def outcome(call: Callable[[], Any]) -> dict[str, Any]:
    """Run an SDK call that should fail; report the exception class, status and message."""
    try:
        returned = call()
    except ChatRoutesError as exc:
        return {"raised": type(exc).__name__, "status": exc.status_code, "message": exc.message}
    return {"raised": None, "returned": repr(returned)[:300]}


def run(scenario: Callable[[Observations], None]) -> None:
    """Run ``scenario`` and report its observations (or its crash) on stdout."""
    observations: Observations = {"sdk": sdk_info()}
    try:
        scenario(observations)
    except Exception:
        report = {"crash": traceback.format_exc(), "partial": observations}
        print("RESULT " + json.dumps(report, default=str))
        sys.exit(1)
    print("RESULT " + json.dumps({"result": observations}, default=str))
