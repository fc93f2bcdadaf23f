"""kill -9 at random moments under concurrent sends, streamed sends and forks.

Each run starts ``chatroutes serve`` on one database (kept across runs: SQLite fifty
times, PostgreSQL eight in ``test_crash_safety_postgresql.py``), lets four clients
write while the mock upstream streams slowly, kills the server with SIGKILL at a
random moment (seeded; the seed is printed), and restarts it. After every restart,
recovery done, every conversation is checked against the clients' log of
acknowledged writes: nothing acknowledged is lost or changed, nothing is
half-written, every tree is whole, every question has a reply (a complete one or
one marked ``interrupted`` holding a prefix of the text), no lease is left held.

Servers are forked from a process that imported the server once (a fork server):
real processes, real sockets, without paying the imports fifty times.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from chatroutes.server.store.database import Database
from chatroutes.server.store.tables import Branch
from tests.conftest import provider_env
from tests.e2e.conftest import KEY_RE, START_TIMEOUT, TLS_CONTEXT, _database_url, _free_port
from tests.e2e.conftest import fork_server as shared_fork_server
from tests.support.fork_server import ForkServer
from tests.support.mock_upstream import MockUpstream
from tests.support.sse import parse_events
from tests.support.wire import wire_hash

pytestmark = pytest.mark.long

RUNS = 50
POSTGRES_RUNS = 8  # the same checks on PostgreSQL, fewer times
CONVERSATIONS = 3
WORKERS = 4
FILLER = "please answer with a long and careful reply about branching trees today"
SEED = int(os.environ.get("CRASH_SEED", random.randrange(1 << 30)))


@dataclass
class Log:
    """What the clients were told was stored."""

    conversations: list[str] = field(default_factory=list)
    messages: dict[str, dict] = field(default_factory=dict)  # id -> the message as acknowledged
    by_conversation: dict[str, list[str]] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)  # branch id -> conversation id
    started: list[tuple[str, str]] = field(default_factory=list)  # (conversation, question)
    interrupted: int = 0
    interrupted_with_text: int = 0

    def acknowledge(self, conversation_id: str, *messages: dict) -> None:
        for message in messages:
            self.messages[message["id"]] = message
            self.by_conversation.setdefault(conversation_id, []).append(message["id"])


@dataclass
class Server:
    pid: int
    url: str
    log: Path

    def logs(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@pytest.fixture(scope="module")
def slow_upstream() -> Iterator[MockUpstream]:
    """Replies stream word by word, slowly enough that kills land mid-generation."""
    with MockUpstream(api_key="test-key", chunk_delay=0.02) as server:
        yield server


@pytest.fixture(scope="module")
def fork_server() -> ForkServer:
    return shared_fork_server()


def _server_env(child_env: dict[str, str], upstream: MockUpstream, workdir: Path) -> dict[str, str]:
    return {
        **child_env,
        **provider_env(upstream),
        "CHATROUTES_DATA_DIR": str(workdir / "data"),
        "CHATROUTES_SECRET_KEY": "crash-secret-at-least-32-bytes-long",
        "CHATROUTES_DEFAULT_MODEL": "gpt-5",
        "CHATROUTES_PURGE_INTERVAL_SECONDS": "0",
    }


def _start(fork_server: ForkServer, env: dict[str, str], workdir: Path, log: Path) -> Server:
    port = _free_port()
    args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
    pid = fork_server.start(args, env, workdir, log, log).pid
    server = Server(pid, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            health = httpx.get(server.url + "/api/v1/health", timeout=1.0, verify=TLS_CONTEXT)
            if health.status_code == 200:
                return server
        except httpx.TransportError:
            pass
        try:
            os.kill(server.pid, 0)
        except ProcessLookupError:
            pytest.fail(f"the server exited\n{server.logs()}")
        time.sleep(0.02)
    pytest.fail(f"the server did not start\n{server.logs()}")


def _kill(pid: int, how: signal.Signals = signal.SIGKILL, timeout: float = 10.0) -> None:
    """Signal the server and wait until it is gone (reaped by the fork server)."""
    try:
        os.kill(pid, how)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.005)
    pytest.fail(f"the server {pid} outlived {how.name} by {timeout:g}s")


async def _workload(
    server: Server, key: str, log: Log, rng: random.Random, run: int, kill_after: float
) -> None:
    async with httpx.AsyncClient(
        base_url=server.url + "/api/v1",
        headers={"X-API-Key": key},
        timeout=30,
        verify=TLS_CONTEXT,
    ) as client:
        if not log.conversations:
            for n in range(CONVERSATIONS):
                created = await client.post("/conversations", json={"title": f"crash {n}"})
                assert created.status_code == 201, created.text
                conversation = created.json()["data"]["conversation"]
                log.conversations.append(conversation["id"])
                log.branches[conversation["branches"][0]["id"]] = conversation["id"]

        async def worker(number: int) -> None:
            for op in range(1_000_000):
                cid = rng.choice(log.conversations)
                content = f"r{run} w{number} n{op} {FILLER}"
                choice = rng.random()
                known = log.by_conversation.get(cid, [])
                if choice < 0.35 and known:  # fork: answer an earlier message
                    parent = log.messages[rng.choice(known)]
                    await _send(
                        client, log, cid, {"content": content, "parentMessageId": parent["id"]}
                    )
                elif choice < 0.65:
                    await _stream(client, log, cid, {"content": content})
                else:
                    branch = rng.choice([b for b, c in log.branches.items() if c == cid])
                    await _send(client, log, cid, {"content": content, "branchId": branch})

        workers = [asyncio.create_task(worker(n)) for n in range(WORKERS)]
        await asyncio.sleep(kill_after)
        _kill(server.pid)
        for outcome in await asyncio.gather(*workers, return_exceptions=True):
            if not isinstance(outcome, httpx.TransportError):  # the kill, and only it
                raise AssertionError(f"a client failed otherwise: {outcome!r}") from outcome


async def _send(client: httpx.AsyncClient, log: Log, cid: str, body: dict) -> None:
    response = await client.post(f"/conversations/{cid}/messages", json=body)
    if response.status_code == 409:  # the branch is busy: nothing stored
        return
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    log.acknowledge(cid, data["userMessage"], data["assistantMessage"])
    if "branch" in data:  # a fork, or the head moved meanwhile
        log.branches[data["branch"]["id"]] = cid


async def _stream(client: httpx.AsyncClient, log: Log, cid: str, body: dict) -> None:
    headers = {"Accept": "text/event-stream"}
    async with client.stream(
        "POST", f"/conversations/{cid}/messages/stream", json=body, headers=headers
    ) as response:
        if response.status_code == 409:
            return
        assert response.status_code == 200
        log.started.append((cid, body["content"]))  # the question is stored from here on
        text = ""
        async for chunk in response.aiter_text():
            text += chunk
    for _, event in parse_events(text):
        if isinstance(event, dict) and event["type"] == "complete":
            log.acknowledge(cid, event["userMessage"], event["message"])
            if "branch" in event:  # the head moved meanwhile: the reply got its own branch
                log.branches[event["branch"]["id"]] = cid


def _leases_held(url: str) -> int:
    async def count() -> int:
        db = Database(url)
        try:
            async with db.read() as session:
                held = select(func.count()).where(Branch.generation_lease.is_not(None))
                return await session.scalar(held) or 0
        finally:
            await db.dispose()

    return asyncio.run(count())


def _check(server: Server, key: str, log: Log, database_url: str) -> None:
    """Every tree against the log, once recovery has taken every dead lease."""
    deadline = time.monotonic() + 10
    while _leases_held(database_url):
        assert time.monotonic() < deadline, f"leases still held\n{server.logs()}"
        time.sleep(0.02)
    headers = {"X-API-Key": key}
    stored: dict[str, dict] = {}
    for cid in log.conversations:
        response = httpx.get(
            f"{server.url}/api/v1/conversations/{cid}/export", headers=headers, verify=TLS_CONTEXT
        )
        assert response.status_code == 200, response.text
        document = response.json()["data"]
        messages = {m["id"]: m for m in document["messages"]}
        _check_tree(document, messages)
        stored.update(messages)
        for branch_id, owner in log.branches.items():
            if owner == cid:
                assert branch_id in {b["id"] for b in document["branches"]}, branch_id
        questions = {m["content"] for m in messages.values() if m["role"] == "user"}
        for started_in, content in log.started:
            if started_in == cid:
                assert content in questions, f"a streamed question was lost: {content}"
    _assert_counted_as_billed(server, headers)
    for message_id, acknowledged in log.messages.items():
        found = stored.get(message_id)
        assert found is not None, f"acknowledged message {message_id} was lost"
        for name in ("content", "contentHash", "parentMessageId", "role", "createdAt"):
            assert found[name] == acknowledged[name], (message_id, name)
    log.interrupted = sum(
        m["metadata"].get("finishReason") == "interrupted" for m in stored.values()
    )
    log.interrupted_with_text = sum(
        m["metadata"].get("finishReason") == "interrupted" and bool(m["content"])
        for m in stored.values()
    )


def _assert_counted_as_billed(server: Server, headers: dict[str, str]) -> None:
    """The token counters the quotas read hold what the account's usage shows: a reply
    its process died generating is settled by the recovery that stores it."""
    usage = httpx.get(
        f"{server.url}/api/v1/usage?timeframe=all", headers=headers, verify=TLS_CONTEXT
    )
    billing = httpx.get(f"{server.url}/api/v1/billing", headers=headers, verify=TLS_CONTEXT)
    assert usage.status_code == billing.status_code == 200, (usage.text, billing.text)
    billed = usage.json()["data"]["totals"]["totalTokens"]
    assert billing.json()["data"]["tokens"]["used"] == billed, (billing.text, billed)


def _check_tree(document: dict, messages: dict[str, dict]) -> None:
    replies: dict[str, list[dict]] = {}
    for message in messages.values():
        assert message["role"] in ("user", "assistant"), message
        assert isinstance(message["content"], str) and message["branchId"], message
        assert message["contentHash"] == wire_hash(message), f"half-written: {message}"
        parent = message["parentMessageId"]
        assert parent is None or parent in messages, f"orphan: {message}"
        if parent is not None:
            replies.setdefault(parent, []).append(message)
    for branch in document["branches"]:
        path, at = [], branch["headMessageId"]
        while at is not None:
            assert len(path) <= len(messages), f"cycle on branch {branch['id']}"
            path.append(at)
            at = messages[at]["parentMessageId"]
        fork_point = branch["forkPointMessageId"]
        assert fork_point is None or fork_point in path, branch
    for message in messages.values():
        if message["role"] != "user":
            continue
        answers = [r for r in replies.get(message["id"], []) if r["role"] == "assistant"]
        assert answers, f"a question without a reply after recovery: {message}"
        full = "Echo: " + message["content"]
        for answer in answers:
            if answer["metadata"].get("finishReason") == "interrupted":
                assert full.startswith(answer["content"]), answer
            else:
                assert answer["content"] == full, answer


def test_kill_9_loses_nothing_acknowledged_and_leaves_no_half_write(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    child_env: dict[str, str],
    fork_server: ForkServer,
    slow_upstream: MockUpstream,
) -> None:
    """On SQLite; ``test_crash_safety_postgresql.py`` runs it on PostgreSQL, a file of its
    own so that under ``--dist loadfile`` it goes to another worker than this one's."""
    kill_9_runs(request, tmp_path, child_env, fork_server, slow_upstream, "sqlite", RUNS)


def kill_9_runs(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    child_env: dict[str, str],
    fork_server: ForkServer,
    slow_upstream: MockUpstream,
    backend: str,
    runs: int,
) -> None:
    """``runs`` kills on ``backend``'s database, each restart checked (the module's
    docstring)."""
    print(f"crash test seed: {SEED} (CRASH_SEED={SEED} repeats it)")
    rng = random.Random(SEED)
    database_url = _database_url(backend, request, tmp_path)
    env = {
        **_server_env(child_env, slow_upstream, tmp_path),
        "CHATROUTES_DATABASE_URL": database_url,
        "CHATROUTES_GENERATION_LEASE_SECONDS": "0.4",
        "CHATROUTES_GENERATION_HEARTBEAT_SECONDS": "0.08",
        "CHATROUTES_RECOVERY_INTERVAL_SECONDS": "0.1",
    }
    log_file = tmp_path / "server.log"
    log = Log()
    key = ""
    interrupted_runs = 0
    for run in range(runs + 1):
        server = _start(fork_server, env, tmp_path, log_file)
        try:
            if not key:
                [key] = KEY_RE.findall(log_file.read_text())
            before = log.interrupted
            _check(server, key, log, database_url)
            interrupted_runs += log.interrupted > before
            if run < runs:
                asyncio.run(_workload(server, key, log, rng, run, rng.uniform(0.1, 0.6)))
        finally:
            _kill(server.pid)
    print(
        f"{backend}, {runs} kills: {len(log.messages)} acknowledged messages, "
        f"{len(log.branches)} branches, "
        f"{log.interrupted} interrupted replies ({log.interrupted_with_text} with text) "
        f"recovered after {interrupted_runs} of the kills"
    )
    assert log.interrupted > 0, "no kill landed mid-generation: the test proves nothing"
    if runs >= RUNS:
        assert log.interrupted_with_text > 0, "no kill landed mid-stream"


LONG_QUESTION = " ".join(["please"] + ["grow"] * 90)


def test_a_parallel_session_killed_midway_keeps_each_candidates_flushed_text(
    tmp_path: Path,
    child_env: dict[str, str],
    fork_server: ForkServer,
    slow_upstream: MockUpstream,
) -> None:
    """kill -9 while two candidates stream: the next process closes the session, each
    candidate's reply stored as far as its heartbeats flushed it, marked interrupted."""
    env = {
        **_server_env(child_env, slow_upstream, tmp_path),
        "CHATROUTES_GENERATION_LEASE_SECONDS": "0.4",
        "CHATROUTES_GENERATION_HEARTBEAT_SECONDS": "0.08",
        "CHATROUTES_RECOVERY_INTERVAL_SECONDS": "0.1",
    }
    log_file = tmp_path / "server.log"
    server = _start(fork_server, env, tmp_path, log_file)
    [key] = KEY_RE.findall(log_file.read_text())
    headers = {"X-API-Key": key}
    try:
        created = httpx.post(
            server.url + "/api/v1/conversations", json={"title": "Side"}, headers=headers
        )
        cid = created.json()["data"]["conversation"]["id"]
        session_id, chunks = "", Counter[str]()
        with httpx.stream(
            "POST",
            f"{server.url}/api/v1/conversations/{cid}/parallel-responses/stream",
            json={"content": LONG_QUESTION, "models": ["gpt-5", "claude-sonnet-4-5"]},
            headers={**headers, "Accept": "text/event-stream"},
            timeout=30,
        ) as response:
            for line in response.iter_lines():
                event = json.loads(line[6:]) if line.startswith("data: {") else {}
                if event.get("type") == "session":
                    session_id = event["session"]["id"]
                elif event.get("type") == "content":
                    chunks[event["candidateId"]] += 1
                if len(chunks) == 2 and min(chunks.values()) >= 5:
                    break
        time.sleep(0.3)  # a few heartbeats: both candidates' text so far is flushed
    finally:
        _kill(server.pid)

    server = _start(fork_server, env, tmp_path, log_file)
    try:
        url = f"{server.url}/api/v1/response-sessions/{session_id}"
        deadline = time.monotonic() + 10
        while True:
            session = httpx.get(url, headers=headers, verify=TLS_CONTEXT).json()["data"]
            if session["status"] != "running":
                break
            assert time.monotonic() < deadline, f"never recovered\n{server.logs()}"
            time.sleep(0.1)
        _assert_counted_as_billed(server, headers)
    finally:
        _kill(server.pid)
    full = "Echo: " + LONG_QUESTION
    assert session["status"] == "error"
    for candidate in session["candidates"]:
        assert candidate["status"] == "error", candidate
        assert candidate["error"]["error"] == "INTERRUPTED"
        assert candidate["messageId"] is not None
        assert candidate["content"] and len(candidate["content"]) < len(full)
        assert full.startswith(candidate["content"])


@pytest.mark.parametrize(("grace", "finishes"), [(10.0, True), (0.5, False)])
def test_sigterm_lets_generations_finish_within_the_grace(
    tmp_path: Path,
    child_env: dict[str, str],
    fork_server: ForkServer,
    slow_upstream: MockUpstream,
    grace: float,
    finishes: bool,
) -> None:
    """SIGTERM: no new connections; a running reply finishes (and reaches its reader)
    within the grace, or is stored as far as it got, marked interrupted."""
    env = {
        **_server_env(child_env, slow_upstream, tmp_path),
        "CHATROUTES_SHUTDOWN_GRACE_SECONDS": str(grace),
    }
    log_file = tmp_path / "server.log"
    server = _start(fork_server, env, tmp_path, log_file)
    [key] = KEY_RE.findall(log_file.read_text())
    headers = {"X-API-Key": key}
    created = httpx.post(
        server.url + "/api/v1/conversations", json={"title": "Term"}, headers=headers
    )
    cid = created.json()["data"]["conversation"]["id"]
    received: list[str] = []

    def read() -> None:
        try:
            with httpx.stream(
                "POST",
                f"{server.url}/api/v1/conversations/{cid}/messages/stream",
                json={"content": LONG_QUESTION},
                headers={**headers, "Accept": "text/event-stream"},
                timeout=30,
            ) as response:
                for chunk in response.iter_text():
                    received.append(chunk)
        except httpx.TransportError:
            received.append("<cut>")

    reader = threading.Thread(target=read)
    reader.start()
    deadline = time.monotonic() + 10
    while len(received) < 5:  # the reply is streaming
        assert time.monotonic() < deadline, f"no stream\n{server.logs()}"
        time.sleep(0.01)
    try:
        os.kill(server.pid, signal.SIGTERM)
        deadline = time.monotonic() + 5
        while True:  # the listener closes at once: new requests are refused
            try:
                httpx.get(server.url + "/api/v1/health", timeout=0.5, verify=TLS_CONTEXT)
            except httpx.TransportError:
                break
            assert time.monotonic() < deadline, "still accepting after SIGTERM"
            time.sleep(0.05)
        _kill(server.pid, signal.SIGTERM, timeout=grace * 2 + 10)
    finally:
        _kill(server.pid)
    reader.join(timeout=10)

    with sqlite3.connect(tmp_path / "data" / "chatroutes.db") as connection:
        [(content, meta)] = connection.execute(
            "SELECT content, metadata FROM messages WHERE role = 'assistant'"
        ).fetchall()
        held = connection.execute(
            "SELECT count(*) FROM branches WHERE generation_lease IS NOT NULL"
        ).fetchone()[0]
    full = "Echo: " + LONG_QUESTION
    finish_reason = json.loads(meta)["finishReason"]
    assert held == 0
    if finishes:
        assert content == full and finish_reason != "interrupted"
        assert '"type":"complete"' in "".join(received).replace(" ", "")
    else:
        assert finish_reason == "interrupted"
        assert content and len(content) < len(full) and full.startswith(content)


def test_the_server_purges_deleted_messages_past_retention_by_itself(
    tmp_path: Path,
    child_env: dict[str, str],
    fork_server: ForkServer,
    slow_upstream: MockUpstream,
) -> None:
    """The periodic purge: a deleted branch's messages go, the tree they hung from stays."""
    env = {
        **_server_env(child_env, slow_upstream, tmp_path),
        "CHATROUTES_DELETED_RETENTION_DAYS": "0",
        "CHATROUTES_PURGE_INTERVAL_SECONDS": "0.1",
        "CHATROUTES_RECOVERY_INTERVAL_SECONDS": "0.1",
    }
    log_file = tmp_path / "server.log"
    server = _start(fork_server, env, tmp_path, log_file)
    try:
        [key] = KEY_RE.findall(log_file.read_text())
        with httpx.Client(base_url=server.url + "/api/v1", headers={"X-API-Key": key}) as api:
            created = api.post("/conversations", json={"title": "Purge"}).json()["data"]
            cid = created["conversation"]["id"]
            first = api.post(f"/conversations/{cid}/messages", json={"content": "a"}).json()
            forked = api.post(
                f"/conversations/{cid}/messages",
                json={"content": "b", "parentMessageId": first["data"]["userMessage"]["id"]},
            ).json()["data"]
            gone = {forked["userMessage"]["id"], forked["message"]["id"]}
            deleted = api.delete(f"/conversations/{cid}/branches/{forked['branch']['id']}")
            assert deleted.status_code == 200
            deadline = time.monotonic() + 10
            while True:
                document = api.get(f"/conversations/{cid}/export").json()["data"]
                present = {m["id"] for m in document["messages"]}
                if not present & gone:
                    break
                assert time.monotonic() < deadline, f"never purged\n{server.logs()}"
                time.sleep(0.05)
        kept = {first["data"]["userMessage"]["id"], first["data"]["message"]["id"]}
        assert present == kept
    finally:
        _kill(server.pid)
