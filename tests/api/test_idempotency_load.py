"""A thousand idempotency keys, eight copies of each sent at once: each acts once.

This file runs on SQLite; ``test_idempotency_load_postgresql.py`` runs the same test on
PostgreSQL. Each is a file of its own so that under ``--dist loadfile`` the two runs
(up to a minute and a half each on a busy machine) go to different workers, and not
with the rest of ``test_idempotency.py``.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.api.test_idempotency import REPLAYED, keyed, new_key

pytestmark = [pytest.mark.long, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]


class TestLoad:
    KEYS, COPIES, KEYS_IN_FLIGHT = 1000, 8, 64

    async def test_a_thousand_keys_sent_eight_times_at_once_act_once_each(self, api):
        """Every key's copies arrive together; a copy told 409 waits Retry-After and retries."""
        keys = [new_key() for _ in range(self.KEYS)]
        window = asyncio.Semaphore(self.KEYS_IN_FLIGHT)
        statuses: list[int] = []

        async def post(key: str) -> tuple[str, bool]:
            for _ in range(300):  # a busy machine may keep the first copy running a while
                response = await api.client.post(
                    "/conversations", json={"title": key}, headers=keyed(key)
                )
                statuses.append(response.status_code)
                if response.status_code != 409:
                    break
                assert response.json()["error"] == "IDEMPOTENCY_KEY_IN_USE"
                await asyncio.sleep(int(response.headers["Retry-After"]))
            assert response.status_code == 201, response.text
            return response.json()["data"]["conversation"]["id"], REPLAYED in response.headers

        async def all_copies(key: str) -> list[tuple[str, bool]]:
            async with window:
                return await asyncio.gather(*(post(key) for _ in range(self.COPIES)))

        started = time.monotonic()
        answers = await asyncio.gather(*(all_copies(key) for key in keys))
        elapsed = time.monotonic() - started

        assert all(len({cid for cid, _ in copies}) == 1 for copies in answers)
        assert len({copies[0][0] for copies in answers}) == self.KEYS
        assert all(sum(not replayed for _, replayed in copies) == 1 for copies in answers)
        assert set(statuses) <= {201, 409}
        assert (await api.client.get("/conversations")).json()["total"] == self.KEYS
        print(f"\n{len(statuses)} requests, {statuses.count(409)} of them 409, in {elapsed:.1f}s")
