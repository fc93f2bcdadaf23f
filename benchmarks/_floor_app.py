"""The least a Python server can do for a durable send: the baseline for send_latency.py.

A bare ASGI app (no framework, no middleware) under the same uvicorn, SQLite and upstream
client (httpx over aiohttp: ``providers/upstream_client.py``) as our server.
``POST /conversations/{id}/messages`` with ``{"content": ...}``:

1. one write transaction, committed without waiting for the disk (as ours): look the API
   key up and touch it, read the conversation's path with a recursive walk up
   ``parent_id``, insert the question and move the head;
2. call the upstream's Chat Completions with the whole path, through that client;
3. one write transaction with ``synchronous = FULL``: insert the reply, move the head;
4. answer ``201`` with the stored reply as JSON.

Both transactions run on one database thread with its own connections, like ours. No
limits, contexts, prices, metrics, tracing, retries or validation: what this adds to a
direct upstream call is the floor under what any server of this stack adds.

Without ``FLOOR_DATABASE`` it is a bare proxy instead: the same request and answer, the
key checked and the conversations kept in memory, nothing stored. What it adds is the
stack itself (uvicorn, ASGI, the upstream client), without persistence.

Run as ``uvicorn _floor_app:app`` with ``FLOOR_UPSTREAM`` (the mock's base URL) and,
for the floor, ``FLOOR_DATABASE`` (a file path) in the environment.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import httpx

from chatroutes.server.providers.upstream_client import upstream_client

API_KEY = "floor-key"
UPSTREAM_KEY = "test-key"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (key TEXT PRIMARY KEY, user_id TEXT, last_used REAL);
CREATE TABLE IF NOT EXISTS heads (conversation_id TEXT PRIMARY KEY, head_id TEXT);
CREATE TABLE IF NOT EXISTS messages (
    id TEXT PRIMARY KEY, conversation_id TEXT, parent_id TEXT,
    role TEXT, content TEXT, created_at REAL
);
CREATE INDEX IF NOT EXISTS messages_parent ON messages (parent_id);
INSERT OR IGNORE INTO api_keys VALUES ('floor-key', 'user', 0);
"""
_PATH = """
WITH RECURSIVE walk(id, parent_id, depth) AS (
    SELECT id, parent_id, 0 FROM messages WHERE id = ?
    UNION ALL
    SELECT m.id, m.parent_id, walk.depth + 1 FROM messages m JOIN walk ON m.id = walk.parent_id
)
SELECT m.role, m.content FROM messages m JOIN walk ON m.id = walk.id ORDER BY walk.depth DESC
"""


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    """A write transaction: committed when the block ends, rolled back if it raises."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


class Store:
    """Two connections to one file (question: NORMAL, reply: FULL), used by one thread."""

    def __init__(self, path: str) -> None:
        self.thread = ThreadPoolExecutor(1, "floor-db")
        self.thread.submit(self._open, path).result()

    def _open(self, path: str) -> None:
        def connect(synchronous: str) -> sqlite3.Connection:
            connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute(f"PRAGMA synchronous = {synchronous}")
            return connection

        self.light, self.durable = connect("NORMAL"), connect("FULL")
        self.light.executescript(_SCHEMA)

    async def run(self, work: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.thread, work, *args)

    def store_question(
        self, key: str, conversation_id: str, content: str
    ) -> tuple[str, list[dict[str, str]]] | None:
        db = self.light
        with _transaction(db):
            if db.execute("SELECT user_id FROM api_keys WHERE key = ?", (key,)).fetchone() is None:
                return None
            db.execute("UPDATE api_keys SET last_used = ? WHERE key = ?", (time.time(), key))
            found = db.execute(
                "SELECT head_id FROM heads WHERE conversation_id = ?", (conversation_id,)
            ).fetchone()
            head = found[0] if found else None
            path = [{"role": r, "content": c} for r, c in db.execute(_PATH, (head,))]
            question = uuid.uuid4().hex
            self._append(db, question, conversation_id, head, "user", content)
        return question, [*path, {"role": "user", "content": content}]

    def store_reply(self, conversation_id: str, question: str, content: str) -> str:
        reply = uuid.uuid4().hex
        with _transaction(self.durable):
            self._append(self.durable, reply, conversation_id, question, "assistant", content)
        return reply

    @staticmethod
    def _append(
        db: sqlite3.Connection,
        message_id: str,
        conversation_id: str,
        parent_id: str | None,
        role: str,
        content: str,
    ) -> None:
        db.execute(
            "INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?)",
            (message_id, conversation_id, parent_id, role, content, time.time()),
        )
        db.execute(
            "INSERT INTO heads VALUES (?, ?) ON CONFLICT (conversation_id) "
            "DO UPDATE SET head_id = excluded.head_id",
            (conversation_id, message_id),
        )


class Memory:
    """The bare proxy's conversations: in a dict, gone when the process ends."""

    def __init__(self) -> None:
        self.paths: dict[str, list[dict[str, str]]] = {}

    async def run(self, work: Any, *args: Any) -> Any:
        return work(*args)

    def store_question(
        self, key: str, conversation_id: str, content: str
    ) -> tuple[str, list[dict[str, str]]] | None:
        if key != API_KEY:
            return None
        path = self.paths.setdefault(conversation_id, [])
        path.append({"role": "user", "content": content})
        return uuid.uuid4().hex, list(path)

    def store_reply(self, conversation_id: str, question: str, content: str) -> str:
        self.paths[conversation_id].append({"role": "assistant", "content": content})
        return uuid.uuid4().hex


class Floor:
    def __init__(self) -> None:
        database = os.environ.get("FLOOR_DATABASE")
        self.store = Store(database) if database else Memory()
        self.upstream = os.environ["FLOOR_UPSTREAM"].rstrip("/") + "/v1/chat/completions"
        self.client: httpx.AsyncClient | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["method"] == "GET":  # readiness
            await _respond(send, 200, {"status": "ok"})
        else:
            await self._send_message(scope, receive, send)

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.client = upstream_client(timeout=httpx.Timeout(30.0), max_connections=200)
                await send({"type": "lifespan.startup.complete"})
            else:
                assert self.client is not None
                await self.client.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _send_message(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert self.client is not None
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        content = json.loads(body)["content"]
        conversation_id = scope["path"].split("/")[-2]
        key = dict(scope["headers"]).get(b"authorization", b"").decode().removeprefix("ApiKey ")
        stored = await self.store.run(self.store.store_question, key, conversation_id, content)
        if stored is None:
            await _respond(send, 401, {"error": "unknown key"})
            return
        question, messages = stored
        upstream = await self.client.post(
            self.upstream,
            json={"model": "gpt-5", "messages": messages},
            headers={"Authorization": f"Bearer {UPSTREAM_KEY}"},
        )
        text = upstream.json()["choices"][0]["message"]["content"]
        reply = await self.store.run(self.store.store_reply, conversation_id, question, text)
        await _respond(send, 201, {"data": {"assistantMessage": {"id": reply, "content": text}}})


async def _respond(send: Any, status: int, payload: dict[str, Any]) -> None:
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": json.dumps(payload).encode()})


app = Floor()
