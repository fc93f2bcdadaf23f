"""Background responses across replicas: one process generates, another answers for it.

The cluster of ``test_scale_out.py`` (two ``chatroutes serve`` processes on one PostgreSQL
database); each request here goes straight to the process it names.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from openai import OpenAI

from tests.e2e.test_openai_responses_e2e import cancel_mid_reply
from tests.e2e.test_scale_out import Cluster, cluster  # noqa: F401 -- the fixture
from tests.support.mock_upstream import MockUpstream

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

WORDS = " ".join(f"r{i}" for i in range(30))


@pytest.fixture
def clients(cluster: Cluster) -> Iterator[tuple[OpenAI, OpenAI]]:  # noqa: F811
    first, second = (
        OpenAI(base_url=s.url + "/v1", api_key=cluster.key, max_retries=0, timeout=30)
        for s in cluster.servers
    )
    with first, second:
        yield first, second


def test_another_process_follows_a_background_response_with_the_same_numbers(
    clients: tuple[OpenAI, OpenAI], upstream: MockUpstream
) -> None:
    generating, other = clients
    upstream.chunk_delay = 0.05
    try:
        started = generating.responses.create(model="gpt-5", input=WORDS, background=True)
        assert other.responses.retrieve(started.id).status == "in_progress"
        with other.responses.retrieve(started.id, stream=True, starting_after=2) as resumed:
            elsewhere = list(resumed)  # waits for the end there, then replays
        with generating.responses.retrieve(started.id, stream=True) as live:
            here = list(live)
    finally:
        upstream.chunk_delay = 0.0
    assert [e.sequence_number for e in here] == list(range(len(here)))
    assert [e.model_dump() for e in elsewhere] == [e.model_dump() for e in here[3:]]
    assert elsewhere[-1].type == "response.completed"
    assert other.responses.retrieve(started.id).output_text == "Echo: " + WORDS


def test_a_background_response_is_cancelled_through_another_process(
    clients: tuple[OpenAI, OpenAI], upstream: MockUpstream
) -> None:
    generating, other = clients
    started, cancelled = cancel_mid_reply(generating, other, upstream, WORDS, chunk_delay=0.08)
    kept = cancelled.output_text
    assert generating.responses.retrieve(started.id).status == "cancelled"
    assert generating.responses.retrieve(started.id).output_text == kept
