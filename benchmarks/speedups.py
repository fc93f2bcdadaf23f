"""Each of the server's speed-ups against its own fallback, in one run on this machine.

The server (``create_app``, every setting its default but ``checkpoint_interval = 0``,
so no summary runs beside the timings) answers in this process through
``httpx.ASGITransport``; the mock OpenAI upstream (``tests/support/mock_upstream.py``)
is a process on 127.0.0.1. Each fallback is reached without changing server code:

1. plain-ASGI send (``api/fast_send.py``), plain and streamed: ``Content-Type:
   application/json`` against the same body as ``application/merge-patch+json``, which
   FastAPI's route answers; a session JWT on both sides, so only the routing differs;
2. path cache (``store/paths.py``): sends on branches 200 and 1,000 messages long
   (imported documents, in turns) against an app with ``path_cache_megabytes = 0``;
3. prebuilt statements on the SQLite driver (``store/execution.py``): a send, a
   conversation list and a 200-message read against an app with a no-op
   ``before_cursor_execute`` listener on every engine (as tracing has); the statements
   it saw show the fallback was taken. SQLite only;
4. light write on the event loop (``Database.run(write=True, durable=False)``):
   ``DatabaseCounters.take`` against the same transaction in the writer thread (where a
   light write goes when another write is queued): ``run(durable=True)`` on a
   ``Database`` with ``sqlite_synchronous = "NORMAL"``, whose writer connection then has
   the light one's pragmas. SQLite only;
5. API-key admission and question in one transaction: a send with an API key against
   one with a session JWT (authentication, admission, then the question). The
   credentials differ too: the gain includes a key lookup against a JWT check.

Each pair runs alternately (A, B, A, B, ...) after a warm-up, so noise hits both sides.
Printed: p50 and p99 of each, the gain at p50 (ms and ratio), and this process's CPU
per operation (server and in-process client; not the mock's).

Usage::

    python benchmarks/speedups.py                   # embedded SQLite in a temp dir
    python benchmarks/speedups.py --postgres        # a throw-away PostgreSQL cluster
    python benchmarks/speedups.py --database-url postgresql://user@127.0.0.1/db
    python benchmarks/speedups.py --requests 400    # operations per side and row
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO_ROOT, database_choice, ms, percentile, table

sys.path.insert(0, str(REPO_ROOT))  # tests.support
from chatroutes.server.app import create_app
from chatroutes.server.domain.hashing import content_hash, iso_timestamp
from chatroutes.server.services.accounts import AccountService
from chatroutes.server.services.billing import set_plan
from chatroutes.server.services.limits import plan_table
from chatroutes.server.services.server_context import utcnow
from chatroutes.server.settings import Settings, normalise_database_url
from chatroutes.server.store.counters import DatabaseCounters, Take
from chatroutes.server.store.database import Database
from chatroutes.server.store.migrate import upgrade
from tests.support.sse import payloads

MOCK_SCRIPT = REPO_ROOT / "tests" / "support" / "mock_upstream.py"
FAST, ROUTED = "application/json", "application/merge-patch+json"
SECRET = "speedups-benchmark-secret-of-at-least-32-bytes"
PASSWORD = "speedups benchmark password"
PROMPT = "Message {i}: how far is it from the fork to the head of this branch?"
DEPTHS = (200, 1000)
CONVERSATIONS = 4  # per side and row, sent to in turns, so paths grow slowly
PATH_CONVERSATIONS = 10  # the same for the long branches: they grow by a tenth at most
LIST_PATH = "/conversations?limit=20"

Op = Callable[[int], Awaitable[None]]


@dataclass
class Series:
    """One side of a pair: each operation's wall time and this process's CPU time."""

    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def cells(self) -> list[str]:
        p50, p99 = (ms(percentile(self.seconds, q)) for q in (50, 99))
        return [p50, p99, ms(sum(self.cpu) / len(self.cpu))]


@dataclass
class Pair:
    speedup: str
    fallback: str
    fast: Series
    slow: Series
    note: str = ""


async def alternate(fast: Op, slow: Op, requests: int, warmup: int) -> tuple[Series, Series]:
    """``fast`` and ``slow`` in turns, ``warmup`` untimed rounds first; wall and CPU time."""
    for i in range(warmup):
        await fast(i)
        await slow(i)
    timed = (Series(), Series())
    for i in range(warmup, warmup + requests):
        for op, into in zip((fast, slow), timed, strict=True):
            cpu, started = time.process_time(), time.perf_counter()
            await op(i)
            into.seconds.append(time.perf_counter() - started)
            into.cpu.append(time.process_time() - cpu)
    return timed


@contextmanager
def mock_upstream(log: Path) -> Iterator[str]:
    """The mock as a process (its output to ``log``); yields its URL."""
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, str(MOCK_SCRIPT), "--port", "0"], stdout=out, stderr=out
        )
    try:
        deadline = time.monotonic() + 30
        while not (ready := re.search(r"^READY (\S+)", log.read_text(), re.M)):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"mock upstream did not start:\n{log.read_text()}")
            time.sleep(0.02)
        yield ready.group(1)
    finally:
        process.terminate()
        process.wait(timeout=30)


class Server:
    """One app built from ``settings``, behind an in-process client."""

    def __init__(self, settings: Settings) -> None:
        self.app = create_app(settings)
        self.db: Database = self.app.state.ctx.db
        transport = httpx.ASGITransport(app=self.app)
        self.client = httpx.AsyncClient(transport=transport, base_url="http://bench/api/v1")

    async def close(self) -> None:
        await self.client.aclose()
        await self.app.state.ctx.http.aclose()
        await self.db.dispose()


def expect(response: httpx.Response, status: int) -> httpx.Response:
    """``response``, if its status is ``status``."""
    if response.status_code != status:
        raise RuntimeError(f"{response.request.url}: {response.status_code} {response.text}")
    return response


async def credentials(server: Server, plans: Any) -> tuple[dict[str, str], dict[str, str]]:
    """An enterprise account's headers: with its API key, and with a session JWT."""
    email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    login = {"email": email, "password": PASSWORD}
    expect(await server.client.post("/auth/register", json=login), 201)
    await set_plan(server.db, plans, email, "enterprise")  # clear of plan limits
    session = expect(await server.client.post("/auth/login", json=login), 200).json()
    token = session["data"]["tokens"]["accessToken"]
    key = (await AccountService(server.db, server.app.state.ctx.secret).create_key(email)).secret
    return {"Authorization": f"ApiKey {key}"}, {"Authorization": f"Bearer {token}"}


async def created(
    server: Server, headers: dict[str, str], path: str, bodies: list[Any]
) -> list[str]:
    """The ids of the conversations made by POSTing each of ``bodies`` to ``path``."""
    made = []
    for body in bodies:
        answer = await server.client.post(path, json=body, headers=headers)
        made.append(expect(answer, 201).json()["data"]["conversation"]["id"])
    return made


def long_document(template: dict[str, Any], depth: int) -> dict[str, Any]:
    """``template`` (the export of a one-send conversation) with new ids and ``depth``
    messages on its branch, user and assistant in turns."""
    document = copy.deepcopy(template)
    conversation, [branch] = document["conversation"], document["branches"]
    conversation["id"], branch["id"] = (f"{p}_{uuid.uuid4().hex[:26]}" for p in ("conv", "br"))
    start = utcnow().replace(microsecond=0) - timedelta(days=1)
    conversation["createdAt"] = branch["createdAt"] = iso_timestamp(start)
    document["messages"], parent = [], None
    for i in range(depth):
        created = start + timedelta(milliseconds=i)
        content = ("", "Echo: ")[i % 2] + PROMPT.format(i=i - i % 2)
        message = {**template["messages"][i % 2], "id": f"msg_{uuid.uuid4().hex[:26]}"}
        message |= {"branchId": branch["id"], "parentMessageId": parent, "content": content}
        message |= {"createdAt": iso_timestamp(created), "tokenCount": len(content.split())}
        message["contentHash"] = content_hash(
            role=message["role"],
            content=content,
            model=message["model"],
            parent_message_id=parent,
            branch_id=branch["id"],
            created_at=created,
        )
        document["messages"].append(message)
        parent = message["id"]
    branch["headMessageId"] = parent
    return document


def sender(
    server: Server,
    headers: dict[str, str],
    conversations: list[str],
    *,
    content_type: str = FAST,
    stream: bool = False,
) -> Op:
    """A send to each of ``conversations`` in turn; checks the reply."""
    suffix = "/stream" if stream else ""
    sent = {**headers, "Content-Type": content_type}
    if stream:
        sent["Accept"] = "text/event-stream"

    async def send(i: int) -> None:
        content = PROMPT.format(i=i)
        path = f"/conversations/{conversations[i % len(conversations)]}/messages{suffix}"
        answer = await server.client.post(
            path, content=json.dumps({"content": content}), headers=sent
        )
        if stream:
            expect(answer, 200)
            events = [e for e in payloads(answer.text) if isinstance(e, dict)]
            reply = next(e["message"] for e in events if e.get("type") == "complete")
        else:
            reply = expect(answer, 201).json()["data"]["assistantMessage"]
        if reply["content"] != f"Echo: {content}":
            raise RuntimeError(f"unexpected reply: {reply['content']!r}")

    return send


def reader(server: Server, headers: dict[str, str], path: str) -> Op:
    async def read(_: int) -> None:
        expect(await server.client.get(path, headers=headers), 200)

    return read


class StatementListener:
    """A no-op ``before_cursor_execute`` listener on every engine of ``db``; counts calls."""

    def __init__(self, db: Database) -> None:
        self.calls = 0
        for engine in db.sync_engines:
            event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: Any) -> None:
        self.calls += 1


@dataclass
class Bench:
    """The apps of a run (one database), an account's two credentials, the timings."""

    requests: int
    warmup: int
    base: Server  # default settings (but checkpoints)
    uncached: Server  # path_cache_megabytes = 0
    listened: Server  # a statement listener on every engine
    key: dict[str, str]
    jwt: dict[str, str]
    pairs: list[Pair] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    template: dict[str, Any] = field(default_factory=dict)  # see ``long_document``

    async def pair(self, speedup: str, fallback: str, fast: Op, slow: Op, note: str = "") -> None:
        print(f"  {speedup} ...", file=sys.stderr, flush=True)
        timed = await alternate(fast, slow, self.requests, self.warmup)
        self.pairs.append(Pair(speedup, fallback, *timed, note))

    async def conversations(self, count: int = CONVERSATIONS) -> list[str]:
        bodies = [{"title": f"bench {n}"} for n in range(count)]
        return await created(self.base, self.key, "/conversations", bodies)

    async def imported(self, depth: int, count: int) -> list[str]:
        if not self.template:
            [made] = await self.conversations(1)
            await sender(self.base, self.key, [made])(0)
            exported = await self.base.client.get(f"/conversations/{made}/export", headers=self.key)
            self.template = expect(exported, 200).json()["data"]
        bodies = [long_document(self.template, depth) for _ in range(count)]
        return await created(self.base, self.key, "/conversations/import", bodies)


async def routing(bench: Bench) -> None:
    """1: the plain-ASGI send, plain and streamed, against FastAPI's route."""
    for stream, label, note in (
        (False, "send", "session JWT both sides; fallback sent as application/merge-patch+json"),
        (True, "stream", "as above, timed to the end of the stream"),
    ):
        fast, routed = [await bench.conversations() for _ in range(2)]
        await bench.pair(
            f"plain-ASGI {label}",
            "FastAPI route",
            sender(bench.base, bench.jwt, fast, stream=stream),
            sender(bench.base, bench.jwt, routed, content_type=ROUTED, stream=stream),
            note,
        )


async def prebuilt(bench: Bench) -> None:
    """3: sends and reads, straight on the driver and through a statement listener."""
    base, listened, key = bench.base, bench.listened, bench.key
    listener = StatementListener(listened.db)
    read_path = f"/conversations/{(await bench.imported(200, 1))[0]}/messages"
    fast_sends, slow_sends = await bench.conversations(), await bench.conversations()
    rows = [
        ("send", sender(base, key, fast_sends), sender(listened, key, slow_sends)),
        ("list", reader(base, key, LIST_PATH), reader(listened, key, LIST_PATH)),
        ("200-msg read", reader(base, key, read_path), reader(listened, key, read_path)),
    ]
    for what, fast, slow in rows:
        before = listener.calls
        await bench.pair(f"prebuilt SQL: {what}", "statement listener", fast, slow)
        seen = (listener.calls - before) / (bench.requests + bench.warmup)
        bench.pairs[-1].note = f"the listener saw {seen:.1f} statements per operation"


async def light_writes(bench: Bench) -> None:
    """4: ``DatabaseCounters.take`` inline against the same transaction in the writer
    thread (on a Database of its own: see the module's docstring)."""
    db = Database(bench.base.db.url, sqlite_synchronous="NORMAL")
    counters = DatabaseCounters(db)
    expires = utcnow() + timedelta(hours=1)
    fast_subject, slow_subject = (f"bench-{uuid.uuid4().hex[:8]}" for _ in range(2))
    take = Take("bench", 1, 10**12, expires)

    async def inline(_: int) -> None:
        await counters.take(fast_subject, take.window, take.amount, take.limit, expires)

    async def threaded(_: int) -> None:
        work = partial(counters.take_each_within, subject=slow_subject, takes=[take])
        await db.run(work, write=True, durable=True)

    try:
        note = "fallback: run(durable=True) on a synchronous=NORMAL Database"
        await bench.pair("light write inline: take", "writer thread", inline, threaded, note)
    finally:
        await db.dispose()


async def path_cache(bench: Bench) -> None:
    """2: sends on long branches, with and without the path cache."""
    grown = 2 * -(-(bench.requests + bench.warmup) // PATH_CONVERSATIONS)  # a send adds two
    for depth in DEPTHS:
        await bench.pair(
            f"path cache, {depth} msgs",
            "path_cache_megabytes=0",
            sender(bench.base, bench.key, await bench.imported(depth, PATH_CONVERSATIONS)),
            sender(bench.uncached, bench.key, await bench.imported(depth, PATH_CONVERSATIONS)),
            f"{PATH_CONVERSATIONS} imported branches of {depth} messages a side, "
            f"{depth + grown} by the end",
        )


async def credential_kinds(bench: Bench) -> None:
    """5: a send with an API key (one transaction) against one with a session JWT."""
    await bench.pair(
        "key: one transaction",
        "JWT: two steps",
        sender(bench.base, bench.key, await bench.conversations()),
        sender(bench.base, bench.jwt, await bench.conversations()),
        "the credentials differ too: a key lookup against a JWT check",
    )


async def measure(args: argparse.Namespace, url: str, data_dir: Path, mock_url: str) -> Bench:
    url = normalise_database_url(url)
    await upgrade(url)

    def settings(**overrides: Any) -> Settings:
        provider = {"OPENAI_API_KEY": "test-key", "OPENAI_BASE_URL": f"{mock_url}/v1"}
        return Settings(
            **{"data_dir": data_dir, "database_url": url, "secret_key": SECRET},
            **{"default_model": "gpt-5", "provider_env": provider, "checkpoint_interval": 0},
            **overrides,
        )

    servers = [Server(settings()), Server(settings(path_cache_megabytes=0)), Server(settings())]
    try:
        key, jwt = await credentials(servers[0], plan_table(settings()))
        warmup = max(args.warmup, PATH_CONVERSATIONS)  # each long branch's path cached first
        bench = Bench(args.requests, warmup, *servers, key, jwt)
        await routing(bench)
        if servers[0].db.backend == "sqlite":  # the list before the long branches join it
            await prebuilt(bench)
            await light_writes(bench)
        else:
            bench.skipped += [
                "prebuilt SQL: only on SQLite's pysqlite driver; PostgreSQL has no such path",
                "light write inline: only on SQLite; on PostgreSQL a light write is "
                "synchronous_commit = off on the same driver, with no thread to skip",
            ]
        await path_cache(bench)
        await credential_kinds(bench)
    finally:
        for server in servers:
            await server.close()
    return bench


def report(run: Bench, backend: str) -> None:
    print(f"Machine: {os.cpu_count()} cores, {platform.machine()}, {platform.system()}")
    print(f"Python {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}, {backend}")
    print(f"{run.requests} operations per side and row after {run.warmup} warm-up, alternated")
    print("Times in ms; gain and ratio at p50 (the fallback's against the speed-up's);")
    print("CPU: this process's (server and in-process client) per operation\n")
    headers = ["speed-up", "fallback", "p50", "p99", "CPU", "fb p50", "fb p99", "fb CPU"]
    rows = []
    for pair in run.pairs:
        fast, slow = (percentile(side.seconds, 50) for side in (pair.fast, pair.slow))
        gain = [ms(slow - fast), f"{slow / fast:.2f}x"]
        rows.append([pair.speedup, pair.fallback, *pair.fast.cells(), *pair.slow.cells(), *gain])
    print(table([*headers, "gain", "ratio"], rows))
    print()
    for pair in run.pairs:
        if pair.note:
            print(f"- {pair.speedup}: {pair.note}")
    for skipped in run.skipped:
        print(f"- skipped, {skipped}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="timed operations per side")
    parser.add_argument("--warmup", type=int, default=10, help="untimed rounds first")
    parser.add_argument("--postgres", action="store_true", help="a throw-away PostgreSQL")
    parser.add_argument("--database-url", help="an existing database (migrated here)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="chatroutes-speedups-") as tmp:
        data_dir = Path(tmp)
        with (
            database_choice(args.database_url, args.postgres, data_dir) as url,
            mock_upstream(data_dir / "mock.log") as mock_url,
        ):
            run = asyncio.run(measure(args, url, data_dir, mock_url))
            report(run, "SQLite" if url.startswith("sqlite") else "PostgreSQL")


if __name__ == "__main__":
    main()
