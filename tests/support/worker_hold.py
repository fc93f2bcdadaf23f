"""Work that keeps a worker process (``services/offload.py``) busy until a test lets go."""

from __future__ import annotations

import time
from pathlib import Path


def hold_until(release: str, started: str, timeout: float) -> None:
    """Say so in ``started``, then wait until ``release`` exists (or ``timeout`` passes)."""
    Path(started).touch()
    deadline = time.monotonic() + timeout
    while not Path(release).exists() and time.monotonic() < deadline:
        time.sleep(0.01)
