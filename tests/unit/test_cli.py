"""The administration commands against a real SQLite database."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from chatroutes.cli import app


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("CHATROUTES_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CHATROUTES_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args))
        assert result.exit_code == code, result.output
        return result.output

    return invoke


def test_users_and_keys_lifecycle(run):
    assert "up to date" in run("db", "upgrade")
    assert "free plan" in run("users", "create", "Ada@Example.com")
    assert "pro plan" in run("users", "create", "bob@example.com", "--plan", "pro")
    output = run("keys", "create", "ada@example.com", "--name", "laptop")
    key = output.strip().splitlines()[-1]
    assert re.fullmatch(r"cr_prod_sk_[0-9a-f]{64}", key)
    key_id = re.search(r"key_\w+", output).group(0)
    listing = run("keys", "list", "ada@example.com")
    assert key_id in listing and "laptop" in listing and key not in listing
    assert "Revoked" in run("keys", "revoke", key_id)
    revoked_listing = run("keys", "list", "ada@example.com")
    assert len(re.findall(r"\d{4}-\d\d-\d\dT", revoked_listing)) == 2  # created and revoked


def test_errors_are_reported_not_raised(run):
    run("users", "create", "ada@example.com")
    assert "already exists" in run("users", "create", "ada@example.com", code=1)
    bad_plan = run("users", "create", "x@example.com", "--plan", "gold", code=1)
    assert "plan must be one of" in bad_plan
    assert "not found" in run("keys", "create", "nobody@example.com", code=1)
    assert "not found" in run("keys", "revoke", "key_missing", code=1)
