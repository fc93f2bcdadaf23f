"""Fork and path-read cost against conversation depth.

Builds two conversations straight through the store layer -- one whose main branch is
10,000 messages deep and one 10 deep -- then times, through the real service layer and
over HTTP (in-process ``httpx.ASGITransport``):

- fork: ``BranchService.create`` / ``POST /branches`` at the head (should be O(1));
- path read: ``BranchService.messages`` / ``GET /branches/{id}/messages`` (O(depth)).

Usage::

    python benchmarks/tree_paths.py                 # embedded SQLite in a temp dir
    python benchmarks/tree_paths.py --postgres      # a throw-away PostgreSQL cluster
    python benchmarks/tree_paths.py --database-url postgresql://user@127.0.0.1/db
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import database_choice, median, ms, table

from chatroutes.server.app import create_app
from chatroutes.server.schemas.branches import BranchCreate
from chatroutes.server.schemas.conversations import ConversationCreate
from chatroutes.server.services.accounts import AccountService
from chatroutes.server.services.branches import BranchService, BranchView, build_message
from chatroutes.server.services.conversations import ConversationService
from chatroutes.server.services.server_context import ServerContext
from chatroutes.server.settings import Settings, normalise_database_url
from chatroutes.server.store.branches import BranchRepository
from chatroutes.server.store.migrate import upgrade
from chatroutes.server.store.tables import Message

BATCH = 2_000  # messages per insert transaction


@dataclass
class Built:
    depth: int
    conversation_id: str
    main_branch_id: str
    head_id: str
    build_seconds: float


@dataclass
class Timings:
    fork: list[float] = field(default_factory=list)
    read: list[float] = field(default_factory=list)
    http_fork: list[float] = field(default_factory=list)
    http_read: list[float] = field(default_factory=list)
    http_read_bytes: int = 0


async def build_conversation(ctx: ServerContext, user_id: str, depth: int) -> Built:
    """A conversation whose main branch is a chain of ``depth`` messages, in few transactions."""
    started = time.perf_counter()
    view = await ConversationService(ctx, user_id).create(
        ConversationCreate(title=f"depth {depth}", model="gpt-5")
    )
    conversation_id = view.conversation.id
    main_id = view.branches[0].id
    parent: str | None = None
    for first in range(0, depth, BATCH):
        batch: list[Message] = []
        for index in range(first, min(first + BATCH, depth)):
            role = "user" if index % 2 == 0 else "assistant"
            message = build_message(
                conversation_id=conversation_id,
                branch_id=main_id,
                parent_id=parent,
                role=role,
                content=f"{role} message {index}: " + "lorem ipsum dolor sit amet " * 4,
                model="gpt-5",
                token_count=24,
            )
            batch.append(message)
            parent = message.id
        async with ctx.db.write() as session:
            session.add_all(batch)
            await session.flush()
            moved = await BranchRepository(session).move_head(
                main_id,
                expected=batch[0].parent_id,
                new=batch[-1].id,
                when=batch[-1].created_at,
            )
            assert moved, "the main branch's head moved under the builder"
    assert parent is not None
    return Built(depth, conversation_id, main_id, parent, time.perf_counter() - started)


class Subject:
    """One conversation under test: its warmed-up service and HTTP calls."""

    def __init__(self, ctx: ServerContext, client: httpx.AsyncClient, user_id: str, built: Built):
        self.built = built
        self.service = BranchService(ctx, user_id)
        self.client = client
        self.fork_request = BranchCreate(title="bench fork", fork_point_message_id=built.head_id)
        self.fork_body = {"title": "bench fork", "forkPointMessageId": built.head_id}
        self.branches_url = f"/conversations/{built.conversation_id}/branches"
        self.branch_id = ""
        self.messages_url = ""
        self.timings = Timings()

    async def fork(self) -> BranchView:
        return await self.service.create(self.built.conversation_id, self.fork_request)

    async def read(self) -> list[Message]:
        return await self.service.messages(self.built.conversation_id, self.branch_id)

    async def http_fork(self) -> httpx.Response:
        response = await self.client.post(self.branches_url, json=self.fork_body)
        assert response.status_code == 201, response.text
        return response

    async def http_read(self) -> httpx.Response:
        response = await self.client.get(self.messages_url)
        assert response.status_code == 200, response.text
        return response

    async def warm_up(self) -> None:
        """One untimed call of each (pool connections, statement caches) plus sanity checks."""
        self.branch_id = (await self.fork()).branch.id
        path = await self.read()
        assert len(path) == self.built.depth, (len(path), self.built.depth)
        assert path[-1].id == self.built.head_id and path[0].parent_id is None
        http_branch = (await self.http_fork()).json()["data"]["branch"]["id"]
        self.messages_url = f"{self.branches_url}/{http_branch}/messages"
        response = await self.http_read()
        assert len(response.json()["data"]["messages"]) == self.built.depth
        self.timings.http_read_bytes = len(response.content)


async def measure(subjects: list[Subject], forks: int, reads: int) -> None:
    """Time each operation, alternating between the subjects so drift hits them alike."""
    for subject in subjects:
        await subject.warm_up()
    plan = [("fork", forks), ("read", reads), ("http_fork", forks), ("http_read", reads)]
    for name, count in plan:
        for _ in range(count):
            for subject in subjects:
                work = getattr(subject, name)
                started = time.perf_counter()
                await work()
                getattr(subject.timings, name).append(time.perf_counter() - started)


async def run(args: argparse.Namespace, url: str, data_dir: Path) -> None:
    await upgrade(normalise_database_url(url))
    settings = Settings(
        data_dir=data_dir,
        database_url=url,
        secret_key="bench-secret-at-least-32-bytes-long",
        default_model="gpt-5",
        provider_env={"OPENAI_API_KEY": "unused"},  # nothing here calls a model
    )
    app = create_app(settings)
    ctx: ServerContext = app.state.ctx
    accounts = AccountService(ctx.db, ctx.secret)
    email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    user = await accounts.create_user(email)
    key = (await accounts.create_key(email)).secret

    print(f"backend: {ctx.db.backend}   depths: {args.deep:,} and {args.shallow:,}")
    print(f"samples: fork median of {args.forks}, path read median of {args.reads}")
    built: dict[int, Built] = {}
    for depth in (args.deep, args.shallow):
        built[depth] = await build_conversation(ctx, user.id, depth)
        print(f"built {depth:>6,}-message chain in {built[depth].build_seconds:.2f} s")

    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://bench/api/v1",
            headers={"Authorization": f"ApiKey {key}"},
        ) as client:
            subjects = [Subject(ctx, client, user.id, built[d]) for d in (args.shallow, args.deep)]
            await measure(subjects, args.forks, args.reads)
    finally:
        await ctx.http.aclose()
        await ctx.db.dispose()

    shallow, deep = subjects[0].timings, subjects[1].timings
    rows = []
    for label, name in (
        ("fork  (service)", "fork"),
        ("path  (service)", "read"),
        ("fork  POST /branches", "http_fork"),
        ("path  GET /branches/{id}/messages", "http_read"),
    ):
        a, b = median(getattr(shallow, name)), median(getattr(deep, name))
        per_message = (b - a) / (args.deep - args.shallow) * 1e6
        rows.append([label, ms(a), ms(b), f"{b / a:.2f}", f"{per_message:.2f}"])
    print()
    print(
        table(
            [
                "operation (median)",
                f"{args.shallow:,} deep ms",
                f"{args.deep:,} deep ms",
                "ratio",
                "us/extra msg",
            ],
            rows,
        )
    )
    size = deep.http_read_bytes / 1e6
    print(f"\nGET of the {args.deep:,}-deep path returns {size:.1f} MB of JSON.")
    print("Fork should be O(1) (ratio ~1); a path read is O(depth) (ratio grows with depth).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="benchmark this database (e.g. PostgreSQL)")
    parser.add_argument(
        "--postgres", action="store_true", help="start a throw-away PostgreSQL cluster"
    )
    parser.add_argument("--deep", type=int, default=10_000, help="depth of the deep chain")
    parser.add_argument("--shallow", type=int, default=10, help="depth of the shallow chain")
    parser.add_argument("--forks", type=int, default=50, help="forks timed per depth")
    parser.add_argument("--reads", type=int, default=20, help="path reads timed per depth")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="chatroutes-bench-") as tmp,
        database_choice(args.database_url, args.postgres, Path(tmp)) as url,
    ):
        asyncio.run(run(args, url, Path(tmp)))


if __name__ == "__main__":
    main()
