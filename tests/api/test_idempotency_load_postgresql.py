"""The idempotency load test of ``test_idempotency_load.py`` on PostgreSQL.

A file of its own so that, under ``--dist loadfile``, it runs on another worker than
the SQLite run.
"""

from __future__ import annotations

import pytest

from tests.api.test_idempotency_load import TestLoad  # noqa: F401 -- collected here too

pytestmark = [pytest.mark.long, pytest.mark.parametrize("backend", ["postgresql"], indirect=True)]
