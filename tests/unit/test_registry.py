"""The model registry is data: packaged table plus the operator's file."""

from __future__ import annotations

import httpx
import pytest

from chatroutes.server.domain.errors import InvalidRequest
from chatroutes.server.providers.registry import Registry, load_registry_data


@pytest.fixture
async def client():
    async with httpx.AsyncClient() as http:
        yield http


async def test_operator_file_adds_provider_and_model(tmp_path, client):
    extra = tmp_path / "models.toml"
    extra.write_text(
        """
[providers.local]
protocol = "openai"
base_url = "http://127.0.0.1:11434/v1"
api_key_required = false

[models.llama3]
provider = "local"
context_window = 8192
input_price = 0.0
output_price = 0.0

[models.gpt-5]
input_price = 2.0
output_price = 8.0
"""
    )
    registry = Registry(load_registry_data(extra), {}, client)
    assert registry.is_usable("llama3")
    assert registry.models["gpt-5"].cost(1_000_000, 1_000_000) == 10.0
    assert registry.models["gpt-5"].list_price().source == "registry"
    assert registry.default_model == "llama3"


async def test_default_is_offline_without_keys_and_gpt5_with_openai(client):
    data = load_registry_data(None)
    assert Registry(data, {}, client).default_model == "chatroutes-offline"
    assert Registry(data, {"OPENAI_API_KEY": "k"}, client).default_model == "gpt-5"
    assert Registry(data, {"ANTHROPIC_API_KEY": "k"}, client).default_model == "claude-sonnet-4-5"


async def test_unknown_model_names_supported_ones(client):
    registry = Registry(load_registry_data(None), {}, client)
    with pytest.raises(InvalidRequest, match="claude-opus-4-1") as caught:
        registry.get("gpt-4o")
    assert caught.value.details["field"] == "model"


async def test_models_cost_per_million_tokens(client):
    registry = Registry(load_registry_data(None), {}, client)
    assert registry.models["gpt-5"].cost(1_000_000, 100_000) == pytest.approx(2.25)


async def test_prices_come_from_the_shipped_table_with_tiers(client):
    registry = Registry(load_registry_data(None), {}, client)
    sonnet = registry.models["claude-sonnet-4-5"]
    assert sonnet.list_price().input_per_million == 3.0
    assert sonnet.list_price().source == "genai-prices"
    assert sonnet.cost(100_000, 0) == pytest.approx(0.3)
    assert sonnet.cost(300_000, 0) > 3 * sonnet.cost(100_000, 0), "long prompts cost more"


async def test_unknown_price_is_none_not_zero(tmp_path, client):
    extra = tmp_path / "models.toml"
    extra.write_text('[models.mystery]\nprovider = "openai"\n')
    registry = Registry(load_registry_data(extra), {}, client)
    assert registry.models["mystery"].cost(10, 10) is None
    assert registry.models["mystery"].list_price().source == "unknown"


async def test_an_alias_resolves_to_its_model(client):
    registry = Registry(load_registry_data(None), {"OPENAI_API_KEY": "k"}, client)
    assert registry.get("gpt-4").name == "gpt-5"
    assert registry.routes("gpt-4-turbo")[0][0].upstream_id == "gpt-5"
    assert registry.find("gpt-4o") is None


async def test_a_default_model_given_as_an_alias_is_the_current_model(client):
    registry = Registry(load_registry_data(None), {}, client, default_model="gpt-4")
    assert registry.default_model == "gpt-5"


async def test_an_alias_claimed_twice_or_naming_a_model_is_refused_at_start(tmp_path, client):
    extra = tmp_path / "models.toml"
    extra.write_text('[models.claude-sonnet-4-5]\naliases = ["gpt-4"]\n')
    with pytest.raises(ValueError, match="'gpt-4' is claimed by both"):
        Registry(load_registry_data(extra), {}, client)
    extra.write_text('[models.gpt-4]\nprovider = "openai"\n')
    with pytest.raises(ValueError, match="remove it from gpt-5's aliases"):
        Registry(load_registry_data(extra), {}, client)
    extra.write_text('[models.gpt-4]\nprovider = "openai"\n[models.gpt-5]\naliases = []\n')
    assert Registry(load_registry_data(extra), {}, client).get("gpt-4").name == "gpt-4"
