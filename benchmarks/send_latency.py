"""Latency the server adds to a message send, against a direct call to the same upstream.

Starts the mock OpenAI upstream (``tests/support/mock_upstream.py``) and our server
(``chatroutes serve``, a real uvicorn process) on 127.0.0.1, then with one keep-alive
httpx client sends, in rounds:

- direct: ``POST <mock>/v1/chat/completions`` with the same context the server would send;
- SDK: ``POST /api/v1/conversations/{id}/messages`` with a fresh ``Idempotency-Key``, as
  our SDK sends on every POST: the path users take;
- bare: the same send without the header;

each series on conversations of its own, spread round-robin over a few (so paths stay
short), all of the same shape. Printed: p50/p99/mean of each, the latency each adds
(paired: each request minus the direct call of its round), what the key costs (SDK minus
bare, per round; target: at most 0.5 ms at p50), the server's CPU per send of each (its
threads' run time over each request), and requests/s. The series of a round go in an
order that turns from round to round, so that no position favours one.

``--against <git-ref>`` adds a server built from another commit: ``git archive`` of its
``src/`` in a temporary directory, started with this venv's Python and ``PYTHONPATH``
pointing there (checked: it must import that copy), on a database of its own. Its SDK and
bare series join every round, and the concurrency section's runs: one run gives the
figures of both commits, before and after, in the closing summary.

Two more series in each round put ours in scale. The floor (``benchmarks/_floor_app.py``):
a bare ASGI app on the same uvicorn, SQLite and upstream client that does only a send's
unavoidable work (key lookup, path read, question, upstream call, reply committed to
disk); what it adds is the least any server of this stack adds on this machine, and ours
is reported as a ratio of it. The proxy: the same bare app storing nothing (conversations
in memory), the stack alone. And LiteLLM (with ``--litellm``, the ``litellm`` executable
of an install of ``litellm[proxy]``; ``make bench`` makes one): LiteLLM's proxy, one
worker, no database, routing ``gpt-5`` to the mock, sent the direct call's very body, in
a run of its own after the rounds, and in the streaming and concurrency sections too. The
figure it is known by (about 4 ms added on a localhost mock) comes from other machines:
measured here, in the same run, it says what such figures mean on this one.

Then, through our server with the SDK's key:

- reservation: what a send's token reservation costs, before and after in one run. Rounds
  of a direct call, then the same send by an account with no token limit (enterprise:
  nothing is reserved, the reply's transaction counts the tokens) and by one with a
  monthly token limit (a plan of the benchmark's own, enterprise's but for the limit: each
  send reserves before its upstream call and settles after), in turns; both accounts are
  made with our CLI on the server's database. Printed: what each adds to the direct call,
  and the difference (target: under 0.2 ms at p50);
- streaming: ``POST /conversations/{id}/messages/stream`` against the mock's streamed
  completion (``"stream": true``), alternately again: time to the first content event
  (first non-empty delta) and to the end of the stream, and the latency the server adds;
- concurrency: 1 and 16 clients at once (``--concurrency``; asyncio, one
  ``httpx.AsyncClient`` each, each client on its own conversations, since a branch takes
  one send at a time), plain and streamed sends: direct, each series (SDK and bare, of
  each server), LiteLLM: requests/s, p50, p99. Each target runs once in each of a few
  rounds (``--concurrency-rounds``), in an order that turns, and its figures are taken
  over all of them: a burst of load on the machine falls on every target alike.

The summary at the end: per series, the added p50/p99 (paired) and the requests/s of
plain sends at each concurrency, beside LiteLLM's.

Usage::

    python benchmarks/send_latency.py                 # embedded SQLite in a temp dir
    python benchmarks/send_latency.py --postgres      # a throw-away PostgreSQL cluster
    python benchmarks/send_latency.py --database-url postgresql://user@127.0.0.1/db
    python benchmarks/send_latency.py --against 9d5da73  # + that commit's server, alike
    python benchmarks/send_latency.py --profile py-spy  # + where the server's time goes
    python benchmarks/send_latency.py --sections sequential  # the first table only
    python benchmarks/send_latency.py --sections reservation --postgres  # its cost there
    python benchmarks/send_latency.py --litellm .venv-litellm/bin/litellm  # + LiteLLM's proxy
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Awaitable, Sequence
from contextlib import AsyncExitStack, ExitStack, suppress
from dataclasses import dataclass, field
from pathlib import Path
from statistics import fmean
from typing import TypeVar

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import database_choices, ms, percentile, table
from _profilers import CProfiler, Profiler, PySpy
from _servers import (
    FLOOR_KEY,
    LITELLM_KEY,
    METERED_PLAN,
    METERED_TOKENS,
    chatroutes_server,
    cpu_seconds,
    floor_server,
    litellm_server,
    mock_upstream,
    new_account_key,
    server_env,
    source_of,
    threads_cpu_seconds,
)

PROMPT = "Benchmark message {i}: how far is it from the fork to the head of this branch?"
SECTIONS = ("sequential", "reservation", "stream", "concurrency")
DIRECT, LITELLM, MOCK = "direct", "LiteLLM", "mock upstream"  # targets and processes
OURS = "ours"
T = TypeVar("T")


@dataclass(frozen=True)
class Server:
    """A ChatRoutes server under test: ours (this tree) or one built from ``--against``."""

    name: str
    base: str
    key: str
    pid: int


@dataclass(frozen=True)
class Series:
    """Sends to one server: ``keyed``, each with a fresh ``Idempotency-Key`` as the SDK
    sends on every POST; else bare, without one."""

    server: Server
    keyed: bool

    @property
    def label(self) -> str:
        return f"{self.server.name} {'SDK' if self.keyed else 'bare'}"

    def headers(self) -> dict[str, str]:
        headers = {"Authorization": f"ApiKey {self.server.key}"}
        if self.keyed:
            headers["Idempotency-Key"] = str(uuid.uuid4())
        return headers


def all_series(servers: Sequence[Server]) -> list[Series]:
    """The SDK series of every server, then their bare ones."""
    return [Series(server, keyed) for keyed in (True, False) for server in servers]


def turned(items: Sequence[T], by: int) -> list[T]:
    """``items`` starting from its ``by``-th (modulo its length)."""
    start = by % len(items)
    return [*items[start:], *items[:start]]


def upstream_body(history: list[dict[str, str]], content: str) -> dict[str, object]:
    """The upstream request the server makes for a send of ``content`` after ``history``."""
    return {
        "model": "gpt-5",
        "messages": [*history, {"role": "user", "content": content}],
        "max_tokens": 2048,
        "temperature": 0.7,
    }


def record_turn(history: list[dict[str, str]], content: str) -> None:
    history += [
        {"role": "user", "content": content},
        {"role": "assistant", "content": f"Echo: {content}"},
    ]


@dataclass
class Samples:
    direct: list[float] = field(default_factory=list)
    sends: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    # each send minus the upstream time its server measured (metadata.responseTime)
    own: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    cpu: dict[str, float] = field(default_factory=lambda: defaultdict(float))  # by series
    floor: list[float] = field(default_factory=list)
    proxy: list[float] = field(default_factory=list)
    litellm: list[float] = field(default_factory=list)  # with its own direct series:
    litellm_direct: list[float] = field(default_factory=list)  # see run_litellm
    mock_cpu: float = math.nan  # CPU s of the mock over the timed rounds


@dataclass
class Baselines:
    """Base URLs of the servers ours is compared with."""

    floor: str
    proxy: str
    litellm: str | None


@dataclass
class Round:
    """Conversations of the same shape, one per series, and their shared context."""

    ids: dict[str, str]  # series label -> conversation id
    history: list[dict[str, str]] = field(default_factory=list)
    floor_id: str = field(default_factory=lambda: uuid.uuid4().hex)


class Bench:
    def __init__(self, client: httpx.Client, mock_url: str, baselines: Baselines) -> None:
        self.client = client
        self.baselines = baselines
        self.direct_url = f"{mock_url}/v1/chat/completions"
        self.direct_headers = {"Authorization": "Bearer test-key"}

    def new_conversation(self, server: Server, title: str) -> str:
        response = self.client.post(
            f"{server.base}/conversations",
            json={"title": title},
            headers={"Authorization": f"ApiKey {server.key}"},
        )
        response.raise_for_status()
        return response.json()["data"]["conversation"]["id"]

    def direct(self, body: dict[str, object], content: str) -> float:
        """The upstream call a send makes, made directly."""
        return self._completion(self.direct_url, body, self.direct_headers, content)

    def litellm(self, body: dict[str, object], content: str) -> float:
        """The same call through LiteLLM's proxy."""
        assert self.baselines.litellm is not None
        url = f"{self.baselines.litellm}/v1/chat/completions"
        headers = {"Authorization": f"Bearer {LITELLM_KEY}"}
        return self._completion(url, body, headers, content)

    def _completion(
        self, url: str, body: dict[str, object], headers: dict[str, str], content: str
    ) -> float:
        started = time.perf_counter()
        response = self.client.post(url, json=body, headers=headers)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.text
        assert response.json()["choices"][0]["message"]["content"] == f"Echo: {content}"
        return elapsed

    def send(
        self, series: Series, conversation_id: str, content: str
    ) -> tuple[float, float, float]:
        """A send of ``series``; returns its time, the upstream time its server measured,
        and the CPU time its server's threads ran meanwhile."""
        url = f"{series.server.base}/conversations/{conversation_id}/messages"
        headers = series.headers()
        cpu_before = threads_cpu_seconds(series.server.pid)
        started = time.perf_counter()
        response = self.client.post(url, json={"content": content}, headers=headers)
        elapsed = time.perf_counter() - started
        cpu = threads_cpu_seconds(series.server.pid) - cpu_before
        assert response.status_code == 201, response.text
        reply = response.json()["data"]["assistantMessage"]
        assert reply["content"] == f"Echo: {content}", reply
        return elapsed, reply["metadata"]["responseTime"] / 1000, cpu

    def floor(self, base: str, conversation_id: str, content: str) -> float:
        """The same send through the floor app or the bare proxy at ``base`` (each with its
        own copy of the conversation)."""
        url = f"{base}/conversations/{conversation_id}/messages"
        headers = {"Authorization": f"ApiKey {FLOOR_KEY}"}
        started = time.perf_counter()
        response = self.client.post(url, json={"content": content}, headers=headers)
        elapsed = time.perf_counter() - started
        assert response.status_code == 201, response.text
        assert response.json()["data"]["assistantMessage"]["content"] == f"Echo: {content}"
        return elapsed


def run(
    args: argparse.Namespace,
    mock_url: str,
    series: list[Series],
    baselines: Baselines,
    profiler: Profiler,
    mock_pid: int,
) -> Samples:
    samples = Samples()
    with httpx.Client(timeout=30.0) as client:
        bench = Bench(client, mock_url, baselines)

        def new_round(title: str) -> Round:
            return Round({s.label: bench.new_conversation(s.server, title) for s in series})

        def one_round(into: Samples, conversations: Round, i: int) -> None:
            # Every series in each round, so any drift on this shared machine hits all alike.
            content = PROMPT.format(i=i)
            into.direct.append(bench.direct(upstream_body(conversations.history, content), content))
            for each in turned(series, i):
                total, upstream, cpu = bench.send(each, conversations.ids[each.label], content)
                into.sends[each.label].append(total)
                into.own[each.label].append(total - upstream)
                into.cpu[each.label] += cpu
            into.floor.append(bench.floor(baselines.floor, conversations.floor_id, content))
            into.proxy.append(bench.floor(baselines.proxy, conversations.floor_id, content))
            record_turn(conversations.history, content)

        warm, warm_samples = new_round("warm-up"), Samples()
        for i in range(args.warmup):
            one_round(warm_samples, warm, i)
        rounds = [new_round(f"bench {c}") for c in range(args.conversations)]
        profiler.start(client)
        mock_before = cpu_seconds(mock_pid)
        for i in range(args.requests):
            one_round(samples, rounds[i % len(rounds)], i)
        samples.mock_cpu = cpu_seconds(mock_pid) - mock_before
        profiler.stop(client)
        if baselines.litellm is not None:
            run_litellm(args, bench, samples)
    return samples


def run_litellm(args: argparse.Namespace, bench: Bench, samples: Samples) -> None:
    """Direct and through LiteLLM, alternately, on conversations of their own.

    Apart from the other series: LiteLLM's work per call (tens of ms) between two of their
    requests would leave them to run on cold CPU caches.
    """
    histories: list[list[dict[str, str]]] = [[] for _ in range(args.conversations)]
    for i in range(args.warmup + args.requests):
        history, content = histories[i % len(histories)], PROMPT.format(i=i)
        body = upstream_body(history, content)
        direct, litellm = bench.direct(body, content), bench.litellm(body, content)
        record_turn(history, content)
        if i >= args.warmup:
            samples.litellm_direct.append(direct)
            samples.litellm.append(litellm)


def paired(series: list[float], baseline: list[float]) -> list[float]:
    """Each request's own difference from the request of its round in ``baseline``."""
    return [s - b for s, b in zip(series, baseline, strict=True)]


def _row(label: str, values: list[float], rate: bool = True) -> list[str]:
    per_second = f"{len(values) / sum(values):.0f}" if rate else ""
    figures = [ms(percentile(values, 50)), ms(percentile(values, 99)), ms(fmean(values))]
    return [label, *figures, per_second]


def report(args: argparse.Namespace, samples: Samples, series: list[Series], backend: str) -> None:
    direct = samples.direct
    depth = 2 * -(-args.requests // args.conversations)
    print(
        f"backend: {backend}   rounds: {args.requests}, sequential, one keep-alive client; "
        "in each round one send of each series"
    )
    print(
        f"conversations: {args.conversations} per series (paths grow to {depth} messages)   "
        f"warm-up: {args.warmup} rounds"
    )
    print()
    width = max(len(name) for name in [LITELLM, *(each.label for each in series)])

    def named(name: str, what: str) -> str:
        return f"{name:<{width}}  {what}"

    rows = [_row(named(DIRECT, "POST mock /v1/chat/completions"), direct)]
    for each in series:
        how = "a fresh Idempotency-Key" if each.keyed else "no Idempotency-Key"
        sends = samples.sends[each.label]
        rows += [
            _row(named(each.label, f"POST …/messages, {how}"), sends),
            _row("  added (paired) - direct", paired(sends, direct), rate=False),
            _row("  minus its own upstream call", samples.own[each.label], rate=False),
        ]
    floor_added = paired(samples.floor, direct)
    rows += [
        _row(named("floor", "bare ASGI app, same durable work"), samples.floor),
        _row("  added (paired) - direct", floor_added, rate=False),
        _row(named("proxy", "bare ASGI app, nothing stored"), samples.proxy),
        _row("  added (paired) - direct", paired(samples.proxy, direct), rate=False),
    ]
    litellm_added = paired(samples.litellm, samples.litellm_direct)
    if litellm_added:
        rows.append(_row(named(LITELLM, "its proxy, nothing stored (*)"), samples.litellm))
        rows.append(_row("  added (paired) - direct", litellm_added, rate=False))
    print(table(["", "p50 ms", "p99 ms", "mean ms", "req/s"], rows))
    print()
    print(
        "'added (paired)' takes each send minus the direct call of its round; 'minus its own\n"
        "upstream call' subtracts the upstream time the server itself measured (responseTime)."
    )
    if litellm_added:
        print(
            f"(*) in a run of its own after the rounds, alternating with direct calls "
            f"(their p50 there: {ms(percentile(samples.litellm_direct, 50))} ms)"
        )
    print()
    rows = []
    for server in dict.fromkeys(each.server for each in series):
        sdk, bare = Series(server, keyed=True).label, Series(server, keyed=False).label
        cpu = [samples.cpu[label] / args.requests for label in (sdk, bare)]
        figures = _row(server.name, paired(samples.sends[sdk], samples.sends[bare]), rate=False)
        rows.append([*figures[:4], *(ms(seconds) for seconds in cpu), ms(cpu[0] - cpu[1])])
    headers = ["SDK - bare", "p50 ms", "p99 ms", "mean ms", "CPU SDK", "CPU bare", "CPU +"]
    print(table(headers, rows))
    print(
        "What the Idempotency-Key costs a send: each SDK send minus the bare send of its round\n"
        "(target: at most 0.5 ms at p50). CPU: ms per send, its server's threads over each."
    )
    calls = args.requests * (1 + len(series) + 2)  # direct, each series, floor, proxy
    print(f"CPU per call in the mock: {ms(samples.mock_cpu / calls)} ms")
    ours = percentile(paired(samples.sends[series[0].label], direct), 50)
    print(
        f"added by {series[0].label} / added by the floor, paired p50: "
        f"{ours / percentile(floor_added, 50):.2f}"
    )
    if litellm_added:
        print(
            f"added by {series[0].label} / added by LiteLLM's proxy, paired p50: "
            f"{ours / percentile(litellm_added, 50):.3f}"
        )


# --- Streaming, reservation and concurrency ------------------------------------------------

RUN_DEADLINE = 90.0  # a concurrent run issues no new request after this many seconds


class Failed(Exception):
    """A request that did not get the expected answer; its message is the tally key."""


@dataclass
class Timing:
    total: float
    ttft: float = math.nan  # to the first content delta / event: streams only


def _error_key(response: httpx.Response) -> str:
    """``HTTP 409 BRANCH_BUSY``: the status and the error code of either wire format."""
    try:
        code = response.json().get("error")
    except (ValueError, AttributeError):
        code = None
    if isinstance(code, dict):  # OpenAI's shape, from the mock
        code = code.get("code") or code.get("type")
    return f"HTTP {response.status_code} {code or ''}".rstrip()


class AsyncBench:
    """Plain and streamed sends, direct to the mock (or through LiteLLM's proxy) or of a
    series, on any client."""

    def __init__(self, mock_url: str, litellm: str | None = None) -> None:
        self.direct_url = f"{mock_url}/v1/chat/completions"
        self.direct_headers = {"Authorization": "Bearer test-key"}
        self.litellm_url = f"{litellm}/v1/chat/completions" if litellm else None

    async def new_conversation(self, client: httpx.AsyncClient, server: Server, title: str) -> str:
        response = await client.post(
            f"{server.base}/conversations",
            json={"title": title},
            headers={"Authorization": f"ApiKey {server.key}"},
        )
        response.raise_for_status()
        return response.json()["data"]["conversation"]["id"]

    async def direct(
        self,
        client: httpx.AsyncClient,
        history: list[dict[str, str]],
        content: str,
        stream: bool,
        through_litellm: bool = False,
    ) -> Timing:
        """The upstream call the server would make for this send (``history`` grows by it),
        made directly or ``through_litellm``'s proxy."""
        url, headers = self.direct_url, self.direct_headers
        if through_litellm:
            assert self.litellm_url is not None
            url, headers = self.litellm_url, {"Authorization": f"Bearer {LITELLM_KEY}"}
        body = upstream_body(history, content)
        started = time.perf_counter()
        if stream:
            body |= {"stream": True, "stream_options": {"include_usage": True}}
            ttft, parts = math.nan, []
            async with client.stream("POST", url, json=body, headers=headers) as response:
                if response.status_code != 200:
                    await response.aread()
                    raise Failed(_error_key(response))
                async for line in response.aiter_lines():
                    if not line.startswith("data: ") or line == "data: [DONE]":
                        continue
                    choices = json.loads(line[6:])["choices"]
                    if piece := choices and choices[0]["delta"].get("content"):
                        if not parts:
                            ttft = time.perf_counter() - started
                        parts.append(piece)
            timing, reply = Timing(time.perf_counter() - started, ttft), "".join(parts)
        else:
            response = await client.post(url, json=body, headers=headers)
            timing = Timing(time.perf_counter() - started)
            if response.status_code != 200:
                raise Failed(_error_key(response))
            reply = response.json()["choices"][0]["message"]["content"]
        if reply != f"Echo: {content}":
            raise Failed("wrong reply")
        history += [{"role": "user", "content": content}, {"role": "assistant", "content": reply}]
        return timing

    async def send(
        self,
        client: httpx.AsyncClient,
        series: Series,
        conversation_id: str,
        content: str,
        stream: bool,
    ) -> Timing:
        """A send of ``series``, to ``/messages`` or ``/messages/stream``."""
        url = f"{series.server.base}/conversations/{conversation_id}/messages"
        expected = f"Echo: {content}"
        headers = series.headers()
        started = time.perf_counter()
        if not stream:
            response = await client.post(url, json={"content": content}, headers=headers)
            timing = Timing(time.perf_counter() - started)
            if response.status_code != 201:
                raise Failed(_error_key(response))
            if response.json()["data"]["assistantMessage"]["content"] != expected:
                raise Failed("wrong reply")
            return timing
        ttft, parts, complete, done = math.nan, [], None, False
        async with client.stream(
            "POST", f"{url}/stream", json={"content": content}, headers=headers
        ) as response:
            if response.status_code != 200:
                await response.aread()
                raise Failed(_error_key(response))
            async for line in response.aiter_lines():
                if not line.startswith("data: "):
                    continue  # a blank separator or a heartbeat comment
                if line == "data: [DONE]":
                    done = True
                    continue
                event = json.loads(line[6:])
                if event["type"] == "content":
                    if not parts:
                        ttft = time.perf_counter() - started
                    parts.append(event["content"])
                elif event["type"] == "complete":
                    complete = event["assistantMessage"]["content"]
                else:
                    raise Failed(f"stream error {event.get('error')}")
        timing = Timing(time.perf_counter() - started, ttft)
        if not done or complete is None:
            raise Failed("stream ended early")
        if "".join(parts) != expected or complete != expected:
            raise Failed("wrong reply")
        return timing


@dataclass
class StreamSamples:
    direct: list[Timing] = field(default_factory=list)
    server: list[Timing] = field(default_factory=list)
    litellm: list[Timing] = field(default_factory=list)  # with its own direct series,
    litellm_direct: list[Timing] = field(default_factory=list)  # as in run_litellm


async def run_stream(args: argparse.Namespace, bench: AsyncBench, sdk: Series) -> StreamSamples:
    """Streamed sends of ``sdk``, sequential, alternating with direct ones as ``run`` does."""
    samples = StreamSamples()
    async with httpx.AsyncClient(timeout=30.0) as client:

        async def new(title: str) -> str:
            return await bench.new_conversation(client, sdk.server, title)

        warm, warm_history = await new("stream warm-up"), []
        for i in range(args.warmup):
            await bench.direct(client, warm_history, PROMPT.format(i=i), stream=True)
            await bench.send(client, sdk, warm, PROMPT.format(i=i), stream=True)
        conversations = [(await new(f"stream {c}"), []) for c in range(args.conversations)]
        for i in range(args.stream_requests):
            conversation, history = conversations[i % len(conversations)]
            content = PROMPT.format(i=i)
            samples.direct.append(await bench.direct(client, history, content, stream=True))
            samples.server.append(await bench.send(client, sdk, conversation, content, True))
        if bench.litellm_url is not None:
            histories: list[list[dict[str, str]]] = [[] for _ in range(args.conversations)]
            for i in range(args.warmup + args.stream_requests):
                history, content = histories[i % len(histories)], PROMPT.format(i=i)
                direct = await bench.direct(client, list(history), content, stream=True)
                litellm = await bench.direct(client, history, content, True, through_litellm=True)
                if i >= args.warmup:
                    samples.litellm_direct.append(direct)
                    samples.litellm.append(litellm)
    return samples


@dataclass
class ReservationSamples:
    direct: list[float] = field(default_factory=list)
    unlimited: list[float] = field(default_factory=list)  # sends with no token limit
    metered: list[float] = field(default_factory=list)  # sends that reserve and settle


def reservation_series(
    ours: Server, mock_url: str, data_dir: Path, database_url: str
) -> tuple[Series, Series]:
    """SDK series of two new accounts on our server: one with no token limit, one with a
    monthly token limit."""
    env = server_env(mock_url, data_dir)
    unlimited, metered = (
        new_account_key(env, database_url, plan) for plan in ("enterprise", METERED_PLAN)
    )
    return Series(Server(ours.name, ours.base, unlimited, ours.pid), True), Series(
        Server(ours.name, ours.base, metered, ours.pid), True
    )


async def run_reservation(
    args: argparse.Namespace, bench: AsyncBench, unlimited: Series, metered: Series
) -> ReservationSamples:
    """What a send's token reservation costs, before and after, in one run: rounds of a
    direct call, then the same send by an account with no token limit (its reply's
    transaction only counts the tokens) and by one with a monthly token limit (it reserves
    before the call and settles after), in turns, each on a conversation of the same shape.
    """
    samples = ReservationSamples()
    async with httpx.AsyncClient(timeout=30.0) as client:

        async def slots(title: str, count: int) -> list[tuple[str, str, list[dict[str, str]]]]:
            """Per conversation: the unlimited account's, the metered one's, the history."""
            return [
                (
                    await bench.new_conversation(client, unlimited.server, f"{title} {c}"),
                    await bench.new_conversation(client, metered.server, f"{title} {c}"),
                    [],
                )
                for c in range(count)
            ]

        async def one_round(slot: tuple[str, str, list[dict[str, str]]], i: int) -> list[float]:
            """Direct, unlimited and metered times of round ``i``; who sends first alternates."""
            unlimited_id, metered_id, history = slot
            content = PROMPT.format(i=i)
            direct = await bench.direct(client, history, content, stream=False)
            sends = [(unlimited, unlimited_id), (metered, metered_id)]
            order = sends if i % 2 == 0 else sends[::-1]
            timings = {
                each.server.key: (
                    await bench.send(client, each, conversation, content, False)
                ).total
                for each, conversation in order
            }
            return [direct.total, timings[unlimited.server.key], timings[metered.server.key]]

        warm = await slots("reservation warm-up", 1)
        for i in range(args.warmup):
            await one_round(warm[0], i)
        timed = await slots("reservation", args.conversations)
        for i in range(args.reservation_requests):
            direct, plain, reserved = await one_round(timed[i % len(timed)], i)
            samples.direct.append(direct)
            samples.unlimited.append(plain)
            samples.metered.append(reserved)
        for each, limit in ((unlimited, None), (metered, METERED_TOKENS)):
            await _check_token_limit(client, each.server, limit)
    return samples


async def _check_token_limit(client: httpx.AsyncClient, account: Server, limit: int | None) -> None:
    """The account's monthly token limit is ``limit`` and its sends were counted in it: the
    two series measured what they say."""
    response = await client.get(
        f"{account.base}/billing", headers={"Authorization": f"ApiKey {account.key}"}
    )
    response.raise_for_status()
    tokens = response.json()["data"]["tokens"]
    if tokens["limit"] != limit or tokens["used"] <= 0:
        raise RuntimeError(f"expected a token limit of {limit} and tokens used: {tokens}")


def report_reservation(args: argparse.Namespace, samples: ReservationSamples) -> None:
    unlimited_added = paired(samples.unlimited, samples.direct)
    metered_added = paired(samples.metered, samples.direct)
    cost = paired(samples.metered, samples.unlimited)
    print()
    print(
        f"reservation: {args.reservation_requests} rounds, sequential, one keep-alive "
        "httpx.AsyncClient: a direct call, then the same send\nby an account with no token "
        "limit and by one with a monthly token limit, in turns (who goes first alternates)\n"
        f"conversations: {args.conversations} of each account   warm-up: {args.warmup} rounds"
    )
    print()
    print(
        table(
            ["", "p50 ms", "p99 ms", "mean ms"],
            [
                _stats_row("direct     POST mock /v1/chat/completions", samples.direct),
                _stats_row("unlimited  send: nothing reserved, tokens counted", samples.unlimited),
                _stats_row("metered    send: tokens reserved, then settled", samples.metered),
                _stats_row("  paired (per round) unlimited - direct", unlimited_added),
                _stats_row("  paired (per round) metered - direct", metered_added),
                _stats_row("  paired (per round) metered - unlimited", cost),
            ],
        )
    )
    p50 = percentile(metered_added, 50) - percentile(unlimited_added, 50)
    p99 = percentile(metered_added, 99) - percentile(unlimited_added, 99)
    print(
        f"the reservation adds {ms(p50)} ms to a send's added latency at p50, {ms(p99)} ms at "
        f"p99;\nper round (metered - unlimited), {ms(percentile(cost, 50))} ms at p50 "
        "(target: under 0.2 ms)"
    )


@dataclass
class Slot:
    """A conversation one client sends on: its id on the server, its context for direct."""

    conversation_id: str = ""
    history: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Run:
    mode: str  # "send" or "stream"
    target: str  # DIRECT, LITELLM or a series' label
    process: str  # the process that answers: the mock, LiteLLM's proxy or the server's name
    clients: int
    timings: list[Timing] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    skipped: int = 0  # not sent: the run's deadline passed
    wall: float = math.nan
    cpu: dict[str, float] = field(default_factory=dict)  # process -> CPU s in the timed part

    @property
    def per_second(self) -> float:
        return len(self.timings) / self.wall if self.timings else math.nan

    def add(self, other: Run) -> None:
        """Count ``other``, a run of the same target in another round, into this one."""
        self.timings += other.timings
        self.errors += other.errors
        self.skipped += other.skipped
        self.wall += other.wall
        self.cpu = {name: seconds + other.cpu[name] for name, seconds in self.cpu.items()}


async def run_concurrent(
    args: argparse.Namespace,
    bench: AsyncBench,
    target: Series | str,
    stream: bool,
    clients: int,
    pids: dict[str, int],
    total: int,
) -> Run:
    """``total`` sends by ``clients`` clients at once, to ``target``: a series, or
    ``DIRECT`` / ``LITELLM`` (the upstream call, straight or through LiteLLM).

    The sends are cut into conversations of ``--sends-per-conversation``, dealt round-robin
    to the clients, so paths grow alike whatever the concurrency. Each client first makes
    ``--concurrent-warmup`` untimed sends on a conversation of its own.
    """
    mode = "stream" if stream else "send"
    if isinstance(target, Series):
        run = Run(mode, target.label, target.server.name, clients)
    else:
        run = Run(mode, target, MOCK if target == DIRECT else LITELLM, clients)
    per = args.sends_per_conversation
    sizes = [min(per, total - start) for start in range(0, total, per)]
    slots = [Slot() for _ in range(len(sizes) + clients)]  # the last `clients` to warm up
    if isinstance(target, Series):
        async with httpx.AsyncClient(timeout=30.0) as setup:
            for n, slot in enumerate(slots):
                title = f"{run.mode} x{clients} {n}"
                slot.conversation_id = await bench.new_conversation(setup, target.server, title)

    def call(client: httpx.AsyncClient, slot: Slot, content: str) -> Awaitable[Timing]:
        if isinstance(target, Series):
            return bench.send(client, target, slot.conversation_id, content, stream)
        return bench.direct(client, slot.history, content, stream, target == LITELLM)

    async def warm_up(client: httpx.AsyncClient, k: int) -> None:
        for i in range(args.concurrent_warmup):
            with suppress(Failed, httpx.HTTPError):
                await call(client, slots[len(sizes) + k], PROMPT.format(i=i))

    async def work(client: httpx.AsyncClient, k: int, deadline: float) -> None:
        for n in range(k, len(sizes), clients):
            for i in range(sizes[n]):
                if time.monotonic() > deadline:
                    run.skipped += 1
                    continue
                try:
                    run.timings.append(await call(client, slots[n], PROMPT.format(i=i)))
                except Failed as exc:
                    run.errors[str(exc)] += 1
                except httpx.HTTPError as exc:
                    run.errors[type(exc).__name__] += 1

    async with AsyncExitStack() as stack:
        pool = [
            await stack.enter_async_context(httpx.AsyncClient(timeout=30.0)) for _ in range(clients)
        ]
        await asyncio.gather(*(warm_up(client, k) for k, client in enumerate(pool)))
        before = _cpu_now(pids)
        started = time.perf_counter()
        deadline = time.monotonic() + RUN_DEADLINE
        await asyncio.gather(*(work(client, k, deadline) for k, client in enumerate(pool)))
        run.wall = time.perf_counter() - started
        run.cpu = {name: now - before[name] for name, now in _cpu_now(pids).items()}
    return run


def _cpu_now(pids: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of each process, and of this one as ``client``."""
    return {**{name: cpu_seconds(pid) for name, pid in pids.items()}, "client": time.process_time()}


async def run_more(
    args: argparse.Namespace, bench: AsyncBench, series: list[Series], pids: dict[str, int]
) -> tuple[StreamSamples | None, list[Run]]:
    streamed = None
    if "stream" in args.sections:
        _progress(f"streaming: {args.stream_requests} of each")
        streamed = await run_stream(args, bench, series[0])
    runs: list[Run] = []
    if "concurrency" in args.sections:
        targets: list[Series | str] = [DIRECT, *series]
        if bench.litellm_url is not None:
            targets.append(LITELLM)
        per_round = -(-args.concurrent_requests // args.concurrency_rounds)
        for clients in args.concurrency:
            for stream in (False, True):
                merged: dict[str, Run] = {}
                for n in range(args.concurrency_rounds):
                    for target in turned(targets, n):
                        label = target.label if isinstance(target, Series) else target
                        _progress(f"{'stream' if stream else 'send'} x{clients} {label}, round {n}")
                        run = await run_concurrent(
                            args, bench, target, stream, clients, pids, per_round
                        )
                        if label in merged:
                            merged[label].add(run)
                        else:
                            merged[label] = run
                runs += merged.values()
    return streamed, runs


def _progress(text: str) -> None:
    print(f"... {text}", file=sys.stderr, flush=True)


def _stats_row(label: str, values: list[float]) -> list[str]:
    return [label, ms(percentile(values, 50)), ms(percentile(values, 99)), ms(fmean(values))]


def _added_rows(label: str, server: list[float], direct: list[float]) -> list[list[str]]:
    return [
        [
            f"added   {label} server - direct",
            ms(percentile(server, 50) - percentile(direct, 50)),
            ms(percentile(server, 99) - percentile(direct, 99)),
            ms(fmean(server) - fmean(direct)),
        ],
        _stats_row("  paired (per request)", paired(server, direct)),
    ]


def report_stream(args: argparse.Namespace, samples: StreamSamples) -> None:
    direct_ttft = [t.ttft for t in samples.direct]
    server_ttft = [t.ttft for t in samples.server]
    direct_total = [t.total for t in samples.direct]
    server_total = [t.total for t in samples.server]
    depth = 2 * -(-args.stream_requests // args.conversations)
    print()
    print(
        f"streaming: {args.stream_requests} each, sequential, alternating, one keep-alive "
        f"httpx.AsyncClient\nconversations: {args.conversations} (paths grow to {depth} "
        f"messages)   warm-up: {args.warmup} of each"
    )
    print()
    print(
        table(
            ["", "p50 ms", "p99 ms", "mean ms"],
            [
                _stats_row("direct  TTFT  mock, first content delta", direct_ttft),
                _stats_row("server  TTFT  /messages/stream, first content", server_ttft),
                *_added_rows("TTFT", server_ttft, direct_ttft),
                _stats_row("direct  total mock stream, to its end", direct_total),
                _stats_row("server  total /messages/stream, to [DONE]", server_total),
                *_added_rows("total", server_total, direct_total),
                *_litellm_stream_rows(samples),
            ],
        )
    )
    if samples.litellm:
        litellm_direct = [t.ttft for t in samples.litellm_direct]
        print(
            "(*) in a run of its own after the others, alternating with direct streams "
            f"(their TTFT p50 there: {ms(percentile(litellm_direct, 50))} ms)"
        )


def _litellm_stream_rows(samples: StreamSamples) -> list[list[str]]:
    if not samples.litellm:
        return []
    rows = []
    for label, part in (("TTFT ", "ttft"), ("total", "total")):
        litellm = [getattr(t, part) for t in samples.litellm]
        direct = [getattr(t, part) for t in samples.litellm_direct]
        rows.append(_stats_row(f"LiteLLM {label} its proxy (*)", litellm))
        rows.append(_stats_row("  paired (per request) LiteLLM - direct", paired(litellm, direct)))
    return rows


def report_concurrency(args: argparse.Namespace, runs: list[Run]) -> None:
    print()
    print(
        f"concurrency: {args.concurrent_requests} timed requests per target, in "
        f"{args.concurrency_rounds} rounds (each target once a round, in an order that\n"
        "turns); each client its own httpx.AsyncClient and conversations "
        f"({args.sends_per_conversation} sends each,\ndealt round-robin)   "
        f"warm-up: {args.concurrent_warmup} per client and run"
    )
    print()
    rows: list[list[str]] = []
    for run in runs:
        done = len(run.timings)
        totals = [t.total for t in run.timings]
        ttfts = [t.ttft for t in run.timings] if run.mode == "stream" else []
        serving = run.cpu[run.process]
        failed = sum(run.errors.values()) + run.skipped
        rows.append(
            [
                f"{run.mode:<6} {run.clients:>7}  {run.target}",
                f"{done / run.wall:.0f}" if done else "-",
                ms(percentile(totals, 50)) if done else "-",
                ms(percentile(totals, 99)) if done else "-",
                ms(percentile(ttfts, 50)) if ttfts else "",
                ms(percentile(ttfts, 99)) if ttfts else "",
                ms(serving / done) if done else "-",
                ms(run.cpu["client"] / done) if done else "-",
                str(failed),
            ]
        )
    headers = ["mode   clients  target", "req/s", "p50 ms", "p99 ms", "TTFT p50", "TTFT p99"]
    print(table([*headers, "CPU/req", "client CPU", "failed"], rows))
    print(
        "CPU/req: ms of CPU per request in the process that answers (the series' server, or\n"
        "LiteLLM's proxy, without the mock's; the mock for 'direct'); client CPU: this script's.\n"
        f"Servers, mock and client share {os.cpu_count()} cores."
    )
    for run in runs:
        if run.errors or run.skipped:
            tally = ", ".join(f"{n} x {error}" for error, n in run.errors.most_common())
            if run.skipped:
                tally += f"{', ' if tally else ''}{run.skipped} not sent (deadline)"
            print(f"  failed {run.mode} x{run.clients} {run.target}: {tally}")


def report_summary(
    args: argparse.Namespace, samples: Samples | None, runs: list[Run], series: list[Series]
) -> None:
    """Per series and LiteLLM: added p50/p99 (sequential, paired) and the requests/s of plain
    sends at each concurrency; with ``--against``, the figures before and after."""
    rates = {(run.target, run.clients): run.per_second for run in runs if run.mode == "send"}

    def row(target: str, added: list[float]) -> list[str]:
        figures = [ms(percentile(added, 50)), ms(percentile(added, 99))] if added else ["", ""]
        per_second = [rates.get((target, clients), math.nan) for clients in args.concurrency]
        return [target, *figures, *("" if math.isnan(r) else f"{r:.0f}" for r in per_second)]

    rows = []
    for each in series:
        added = paired(samples.sends[each.label], samples.direct) if samples else []
        rows.append(row(each.label, added))
    litellm = paired(samples.litellm, samples.litellm_direct) if samples else []
    if litellm or any(run.target == LITELLM for run in runs):
        rows.append(row(LITELLM, litellm))
    print()
    print("summary: latency added to a direct call (sequential, paired), plain sends per second")
    headers = ["series", "added p50 ms", "added p99 ms", *(f"req/s x{n}" for n in args.concurrency)]
    print(table(headers, rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="benchmark this database (e.g. PostgreSQL)")
    parser.add_argument(
        "--postgres", action="store_true", help="start a throw-away PostgreSQL cluster"
    )
    parser.add_argument(
        "--api-key", help="a key for --database-url, when its server is not on first start"
    )
    parser.add_argument(
        "--against",
        metavar="GIT_REF",
        help="also benchmark a server built from this commit, alternating with ours",
    )
    parser.add_argument("--requests", type=int, default=500, help="timed rounds of sends")
    parser.add_argument("--conversations", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument(
        "--profile",
        choices=["cprofile", "py-spy"],
        help="profile our server over the timed rounds and print its top costs "
        "(inflates the figures; py-spy must be on PATH or given by --py-spy)",
    )
    parser.add_argument("--py-spy", default="py-spy", help="the py-spy executable")
    parser.add_argument(
        "--litellm",
        help="the litellm executable of an install of litellm[proxy]: its proxy joins the "
        "sequential, streaming and concurrency sections as a baseline",
    )
    parser.add_argument(
        "--sections",
        default=",".join(SECTIONS),
        help=f"comma-separated, of {', '.join(SECTIONS)} (default: all)",
    )
    parser.add_argument(
        "--stream-requests", type=int, help="timed streamed sends of each kind (--requests / 2)"
    )
    parser.add_argument(
        "--reservation-requests",
        type=int,
        help="timed rounds of the reservation section (--requests)",
    )
    parser.add_argument(
        "--concurrency", default="1,16", help="comma-separated client counts (default: 1,16)"
    )
    parser.add_argument(
        "--concurrent-requests",
        type=int,
        help="timed requests per concurrent run (about 2/3 of --requests, "
        "a multiple of the largest --concurrency: 320)",
    )
    parser.add_argument(
        "--concurrency-rounds",
        type=int,
        default=3,
        help="rounds of the concurrency section: each target once a round, in an order that "
        "turns, each time --concurrent-requests / rounds requests (default: 3)",
    )
    parser.add_argument("--sends-per-conversation", type=int, default=10)
    parser.add_argument("--concurrent-warmup", type=int, default=2, help="per client")
    args = parser.parse_args()
    args.sections = [name.strip() for name in args.sections.split(",") if name.strip()]
    if unknown := set(args.sections) - set(SECTIONS):
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    if args.profile and "sequential" not in args.sections:
        parser.error("--profile profiles the sequential section: include it in --sections")
    if args.against and args.database_url:
        parser.error("--against needs a database of its own: use SQLite or --postgres")
    try:
        args.concurrency = [int(n) for n in args.concurrency.split(",")]
    except ValueError:
        parser.error("--concurrency takes comma-separated integers")
    if args.stream_requests is None:
        args.stream_requests = max(1, args.requests // 2)
    if args.reservation_requests is None:
        args.reservation_requests = args.requests
    if args.concurrent_requests is None:
        widest = max(args.concurrency)
        args.concurrent_requests = max(widest, args.requests * 2 // 3 // widest * widest)
    counts = [args.requests, args.stream_requests, args.concurrent_requests]
    counts.append(args.reservation_requests)
    counts += [args.conversations, args.sends_per_conversation, args.concurrency_rounds]
    counts += args.concurrency
    if min(counts) < 1 or min(args.warmup, args.concurrent_warmup) < 0:
        parser.error("request, conversation and client counts must be positive")
    if args.litellm and shutil.which(args.litellm) is None:
        parser.error(f"{args.litellm} not found (make bench installs it in .venv-litellm)")
    py_spy = shutil.which(args.py_spy)
    if args.profile == "py-spy" and py_spy is None:
        parser.error(f"{args.py_spy} not found (pip install py-spy, or pass --py-spy PATH)")
    started = time.monotonic()
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="chatroutes-bench-")))
        data_dirs = [tmp / OURS]
        if args.against:
            data_dirs.append(tmp / "against")
        for data_dir in data_dirs:
            data_dir.mkdir()
        urls = stack.enter_context(database_choices(args.database_url, args.postgres, data_dirs))
        mock_url, mock_pid = stack.enter_context(mock_upstream())
        profiler = _profiler(args, tmp, py_spy)
        cprofile_to = profiler.out if args.profile == "cprofile" else None
        base, key, process = stack.enter_context(
            chatroutes_server(mock_url, data_dirs[0], urls[0], cprofile_to, args.api_key)
        )
        profiler.attach(process, base)
        servers = [Server(OURS, base, key, process.popen.pid)]
        if args.against:
            source, name = stack.enter_context(source_of(args.against, tmp / "source"))
            _progress(f"against: {name}, imported from {source}")
            base, key, process = stack.enter_context(
                chatroutes_server(mock_url, data_dirs[1], urls[1], None, None, source)
            )
            servers.append(Server(name, base, key, process.popen.pid))
        litellm_base, litellm_pid = None, None
        if args.litellm:
            litellm_base, litellm_pid = stack.enter_context(
                litellm_server(args.litellm, mock_url, tmp)
            )
        series = all_series(servers)
        pids = {server.name: server.pid for server in servers} | {MOCK: mock_pid}
        if litellm_pid is not None:
            pids[LITELLM] = litellm_pid
        samples = None
        if "sequential" in args.sections:
            _progress(f"sequential: {args.requests} rounds")
            floor_base = stack.enter_context(floor_server(mock_url, tmp / "floor.sqlite"))
            proxy_base = stack.enter_context(floor_server(mock_url, None))
            baselines = Baselines(floor_base, proxy_base, litellm_base)
            samples = run(args, mock_url, series, baselines, profiler, mock_pid)
        bench = AsyncBench(mock_url, litellm_base)
        reserved = None
        if "reservation" in args.sections:
            _progress(f"reservation: {args.reservation_requests} rounds")
            accounts = reservation_series(servers[0], mock_url, data_dirs[0], urls[0])
            reserved = asyncio.run(run_reservation(args, bench, *accounts))
        streamed, runs = asyncio.run(run_more(args, bench, series, pids))
        backend = "postgresql" if urls[0].startswith("postgres") else "sqlite"
        print(
            "series: "
            + ", ".join(
                f"{each.label} ({'a fresh' if each.keyed else 'no'} Idempotency-Key)"
                for each in series
            )
        )
        if args.against:
            print(f"{servers[1].name}: the server of {args.against}, started from {source}")
        if samples is not None:
            report(args, samples, series, backend)
        else:
            print(f"backend: {backend}")
        if reserved is not None:
            report_reservation(args, reserved)
        if streamed is not None:
            report_stream(args, streamed)
        if runs:
            report_concurrency(args, runs)
        report_summary(args, samples, runs, series)
        profiler.report(20)
    print(f"\nwall time: {time.monotonic() - started:.0f} s")


def _profiler(args: argparse.Namespace, tmp: Path, py_spy: str | None) -> Profiler:
    if args.profile == "cprofile":
        return CProfiler(tmp / "server.prof")
    if args.profile == "py-spy":
        assert py_spy is not None
        return PySpy(tmp / "server.pyspy.txt", py_spy)
    return Profiler(tmp / "unused")


if __name__ == "__main__":
    main()
