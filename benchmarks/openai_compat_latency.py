"""Latency ``/v1/chat/completions`` adds to a direct call of the same upstream, beside
LiteLLM's proxy on the same requests, in one run.

Starts the mock OpenAI upstream (``tests/support/mock_upstream.py``), our server
(``chatroutes serve`` on SQLite, or a throw-away PostgreSQL with ``--postgres``) and,
with ``--litellm`` (default: ``.venv-litellm/bin/litellm`` when it exists; ``make
.venv-litellm/.installed-litellm-1.106.2`` installs it), LiteLLM's proxy, one worker, no
database, routing ``gpt-5`` to the mock. Our account is on a plan with a monthly token
limit, so every call takes its reservation and settles it, as a metered user's does.

Every request is the same OpenAI Chat Completions body (``gpt-5``, one user message),
plain or streamed with ``stream_options.include_usage``, sent:

- direct: ``POST <mock>/v1/chat/completions``;
- ChatRoutes: ``POST /v1/chat/completions`` with a ChatRoutes API key;
- LiteLLM: ``POST <proxy>/v1/chat/completions`` with its master key.

Sequential (one keep-alive client): the three alternate request by request, in an order
that turns each round; printed are p50/p99 of each, and what each adds (paired: each
request minus the direct call of its round). Concurrent (``--clients``, 16 by default):
each target in turn takes ``--concurrent-requests`` from that many clients at once;
printed are p50/p99 and requests/s. The closing lines give ours against LiteLLM's: the
added latency as a fraction of theirs (aim: at most 0.25) and the requests/s as a
multiple (aim: at least 4).

    python benchmarks/openai_compat_latency.py
    python benchmarks/openai_compat_latency.py --requests 400 --concurrent-requests 800
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO_ROOT, database_choice, ms, percentile, table
from _servers import (
    LITELLM_KEY,
    METERED_PLAN,
    chatroutes_server,
    litellm_server,
    mock_upstream,
    new_account_key,
    server_env,
)

DIRECT, OURS, LITELLM = "direct (mock)", "ChatRoutes /v1", "LiteLLM proxy"
DEFAULT_LITELLM = REPO_ROOT / ".venv-litellm" / "bin" / "litellm"


@dataclass(frozen=True)
class Target:
    name: str
    url: str
    key: str


@dataclass
class Samples:
    """Seconds per request, by target; ``failed``: requests that did not answer right."""

    times: dict[str, list[float]] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    wall: dict[str, float] = field(default_factory=dict)  # concurrent runs: their duration


def _body(n: int, stream: bool) -> dict[str, object]:
    body: dict[str, object] = {
        "model": "gpt-5",
        "messages": [{"role": "user", "content": f"question number {n}"}],
    }
    if stream:
        body |= {"stream": True, "stream_options": {"include_usage": True}}
    return body


async def _call(client: httpx.AsyncClient, target: Target, n: int, stream: bool) -> float:
    """One completion, its whole answer read; checked, else ``ValueError``."""
    headers = {"Authorization": f"Bearer {target.key}"}
    body, expected = _body(n, stream), f"Echo: question number {n}"
    started = time.perf_counter()
    if not stream:
        response = await client.post(target.url, json=body, headers=headers)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise ValueError(f"HTTP {response.status_code}")
        if response.json()["choices"][0]["message"]["content"] != expected:
            raise ValueError("wrong reply")
        return elapsed
    parts: list[str] = []
    usage = None
    async with client.stream("POST", target.url, json=body, headers=headers) as response:
        if response.status_code != 200:
            await response.aread()
            raise ValueError(f"HTTP {response.status_code}")
        async for line in response.aiter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            usage = chunk.get("usage") or usage
            for choice in chunk.get("choices") or []:
                parts.append(choice["delta"].get("content") or "")
    elapsed = time.perf_counter() - started
    if "".join(parts) != expected or usage is None:
        raise ValueError("wrong stream")
    return elapsed


async def sequential(targets: list[Target], requests: int, warmup: int, stream: bool) -> Samples:
    samples = Samples({t.name: [] for t in targets}, {t.name: 0 for t in targets})
    async with httpx.AsyncClient(timeout=30.0) as client:
        for n in range(warmup):
            for target in targets:
                await _call(client, target, n, stream)
        for n in range(requests):
            shift = n % len(targets)
            for target in targets[shift:] + targets[:shift]:
                try:
                    samples.times[target.name].append(await _call(client, target, n, stream))
                except (ValueError, httpx.HTTPError):
                    samples.failed[target.name] += 1
    return samples


async def concurrent(
    targets: list[Target], requests: int, clients: int, warmup: int, stream: bool
) -> Samples:
    samples = Samples({t.name: [] for t in targets}, {t.name: 0 for t in targets})
    for target in targets:
        pool = [httpx.AsyncClient(timeout=30.0) for _ in range(clients)]
        try:
            await asyncio.gather(
                *(_call(c, target, n, stream) for c in pool for n in range(warmup))
            )

            async def work(client: httpx.AsyncClient, k: int, target: Target = target) -> None:
                for n in range(k, requests, clients):
                    try:
                        samples.times[target.name].append(await _call(client, target, n, stream))
                    except (ValueError, httpx.HTTPError):
                        samples.failed[target.name] += 1

            started = time.perf_counter()
            await asyncio.gather(*(work(c, k) for k, c in enumerate(pool)))
            samples.wall[target.name] = time.perf_counter() - started
        finally:
            for client in pool:
                await client.aclose()
    return samples


def _paired(values: Sequence[float], base: Sequence[float]) -> list[float]:
    return [v - b for v, b in zip(values, base, strict=False)]


def report_sequential(mode: str, seq: Samples) -> dict[str, float]:
    """Print each target's latency and what it adds; return the added p50 and p99 of ours
    and LiteLLM's."""
    direct = seq.times[DIRECT]
    rows, figures = [], {}
    for name, values in seq.times.items():
        rows.append([name, ms(percentile(values, 50)), ms(percentile(values, 99)), "", ""])
        if name == DIRECT:
            continue
        added = _paired(values, direct)
        added_p50, added_p99 = percentile(added, 50), percentile(added, 99)
        rows.append(["  added (paired) - direct", "", "", ms(added_p50), ms(added_p99)])
        figures[f"p50 {name}"], figures[f"p99 {name}"] = added_p50, added_p99
    print(f"\n{mode}: sequential, one client, {len(direct)} of each, alternating\n")
    print(table(["", "p50 ms", "p99 ms", "added p50", "added p99"], rows))
    if any(seq.failed.values()):
        print(f"failed: {seq.failed}")
    return figures


def report_concurrent(mode: str, conc: Samples, clients: int) -> dict[str, float]:
    """Print each target's latency and requests/s under ``clients``; return the rates."""
    rows, rates = [], {}
    for name, values in conc.times.items():
        rates[f"rate{clients} {name}"] = rate = len(values) / conc.wall[name]
        rows.append(
            [
                name,
                ms(percentile(values, 50)),
                ms(percentile(values, 99)),
                f"{rate:.0f}",
                str(conc.failed[name]),
            ]
        )
    print(f"\n{mode}: {clients} client(s) at once, {sum(map(len, conc.times.values()))} in all\n")
    print(table(["", "p50 ms", "p99 ms", "req/s", "failed"], rows))
    return rates


def summary(figures: dict[str, dict[str, float]], clients: int) -> None:
    print(
        "\nChatRoutes /v1 against LiteLLM's proxy "
        "(aim: added latency at most 0.25 of theirs, requests/s at least 4x)\n"
    )
    rows = []
    for mode, f in figures.items():
        rows.append(
            [
                mode,
                f"{f[f'p50 {OURS}'] / f[f'p50 {LITELLM}']:.3f}",
                f"{f[f'p99 {OURS}'] / f[f'p99 {LITELLM}']:.3f}",
                f"{f[f'rate1 {OURS}'] / f[f'rate1 {LITELLM}']:.2f}x",
                f"{f[f'rate{clients} {OURS}'] / f[f'rate{clients} {LITELLM}']:.2f}x",
            ]
        )
    headers = ["", "added p50 ours/theirs", "added p99", "req/s x1", f"req/s x{clients}"]
    print(table(headers, rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="sequential, of each target")
    parser.add_argument("--warmup", type=int, default=30, help="untimed, of each target")
    parser.add_argument("--concurrent-requests", type=int, default=800)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--litellm", type=Path, default=None, help="the litellm executable")
    parser.add_argument("--postgres", action="store_true", help="a throw-away PostgreSQL")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    litellm = args.litellm or (DEFAULT_LITELLM if DEFAULT_LITELLM.exists() else None)

    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="chatroutes-oai-")))
        data_dir = tmp / "data"
        data_dir.mkdir()
        mock_url, _ = stack.enter_context(mock_upstream())
        url = stack.enter_context(database_choice(args.database_url, args.postgres, data_dir))
        base, _, _ = stack.enter_context(chatroutes_server(mock_url, data_dir, url, None))
        key = new_account_key(server_env(mock_url, data_dir), url, METERED_PLAN)
        targets = [
            Target(DIRECT, f"{mock_url}/v1/chat/completions", "test-key"),
            Target(OURS, base.removesuffix("/api/v1") + "/v1/chat/completions", key),
        ]
        if litellm is not None:
            litellm_base, _ = stack.enter_context(litellm_server(str(litellm), mock_url, tmp))
            targets.append(Target(LITELLM, f"{litellm_base}/v1/chat/completions", LITELLM_KEY))
        else:
            print("LiteLLM: not run (no --litellm, and no .venv-litellm)", file=sys.stderr)
        print(f"database: {url.split(':', 1)[0]}   targets: {', '.join(t.name for t in targets)}")
        figures: dict[str, dict[str, float]] = {}
        for mode, stream in (("plain", False), ("streamed", True)):
            print(f"... {mode}", file=sys.stderr, flush=True)
            seq = asyncio.run(sequential(targets, args.requests, args.warmup, stream))
            figures[mode] = report_sequential(mode, seq)
            for clients in (1, args.clients):
                conc = asyncio.run(
                    concurrent(targets, args.concurrent_requests, clients, 2, stream)
                )
                figures[mode] |= report_concurrent(mode, conc, clients)
        if litellm is not None:
            summary(figures, args.clients)


if __name__ == "__main__":
    main()
