"""A PostgreSQL pool with no connection free: the request is answered 503 SERVER_BUSY with
Retry-After once it has waited ``database_pool_timeout_seconds``, nothing is written, and
the same request succeeds once a connection is free."""

from __future__ import annotations

import pytest

from tests.conftest import api_of


@pytest.fixture
def one_connection(settings):
    return settings.model_copy(
        update={
            "database_pool_size": 1,
            "database_pool_overflow": 0,
            "database_pool_timeout_seconds": 0.3,
        }
    )


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_no_connection_free_is_a_503_to_retry(one_connection, caplog):
    async with api_of(one_connection) as api:
        engine = api.app.state.ctx.db.engine
        async with engine.connect():  # the pool's only connection, held
            response = await api.client.post("/conversations", json={"title": "Held"})
            openai = await api.client.get("http://test/v1/models")  # OpenAI-shaped
        assert response.status_code == 503, response.text
        body = response.json()
        assert body["success"] is False and body["error"] == "SERVER_BUSY"
        assert response.headers["Retry-After"] == "1"
        assert openai.status_code == 503 and openai.headers["Retry-After"] == "1"
        assert "unhandled error" not in [r.getMessage() for r in caplog.records]
        listed = await api.client.get("/conversations")
        assert listed.status_code == 200 and listed.json()["data"]["conversations"] == []
        again = await api.client.post("/conversations", json={"title": "Held"})
        assert again.status_code == 201, again.text
