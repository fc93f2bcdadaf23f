"""The OpenAPI fuzz of ``test_fuzz_openapi.py`` on PostgreSQL.

A file of its own so that, under ``--dist loadfile``, it runs on another worker than
the SQLite run: each is about a minute.
"""

from __future__ import annotations

import pytest

from tests.api.test_fuzz_openapi import (  # noqa: F401 -- the fixture and the test
    live,
    test_every_operation_keeps_its_contract,
)

pytestmark = [pytest.mark.long, pytest.mark.parametrize("backend", ["postgresql"], indirect=True)]
