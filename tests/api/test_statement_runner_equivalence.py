"""The statement runner (``store/execution.py``) answers as SQLAlchemy and the ORM do.

On data made through the API, every prebuilt statement the hot paths run is executed
through ``execution.execute`` (on SQLite: straight on the driver) and through SQLAlchemy's
own ``connection.execute``, each in a savepoint rolled back afterwards: the same rows, the
same column names, the same Python types, the same rowcounts and the same tables after.
Then each function over those statements is compared with the same read written with the
ORM. A statement added to the modules below without a case here fails the coverage test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, ScalarSelect, exc, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.base import Executable

from chatroutes.server.store import counters, execution, rows
from chatroutes.server.store.tables import (
    ApiKey,
    Base,
    Branch,
    Checkpoint,
    Conversation,
    Message,
    UsageCounter,
    User,
)
from tests.api.test_path_cache_equivalence import walk

# Where the hot paths' prebuilt statements live.
STATEMENT_MODULES = (rows, counters)
WHEN = datetime(2030, 5, 6, 7, 8, 9, 123456)
_TABLES = [t.__table__ for t in (Conversation, Branch, Message, ApiKey, UsageCounter)]


# ---------------------------------------------------------------------------
# Data, made through the API


@dataclass
class Made:
    user_id: str
    key_hash: str
    busy: str  # a conversation with forks, an edit, deletions and a checkpoint
    quiet: str  # one exchange
    empty: str  # no message
    main: str  # the busy conversation's main branch
    fork: str  # a branch of it with its own messages
    messages: list[str]  # every message of the busy conversation, oldest first
    heads: list[str]  # every head of its branches, the main branch's first
    fork_head: str


async def made_through_the_api(api: Any) -> Made:
    client = api.client

    async def post(url: str, body: dict, status: int = 201) -> dict:
        response = await client.post(url, json=body)
        assert response.status_code == status, response.text
        return response.json()["data"]

    busy = (await post("/conversations", {"title": "Plans 50% off_sale"}))["conversation"]
    cid, main = busy["id"], busy["branches"][0]["id"]
    url = f"/conversations/{cid}/messages"
    first = await post(url, {"content": "first"})
    second = await post(url, {"content": "second"})
    await post(url, {"content": "third"})
    forked = await post(url, {"content": "another", "parentMessageId": first["message"]["id"]})
    fork = forked["branch"]["id"]
    await post(f"/conversations/{cid}/branches/{fork}/messages", {"content": "on the fork"})
    doomed = await post(
        f"/conversations/{cid}/fork", {"forkPointMessageId": second["message"]["id"]}
    )
    await post(f"/conversations/{cid}/branches/{doomed['branch']['id']}/messages", {"content": "x"})
    removed = await client.delete(f"/conversations/{cid}/branches/{doomed['branch']['id']}")
    assert removed.status_code == 200, removed.text
    edited = await client.patch(
        f"/messages/{second['userMessage']['id']}", json={"content": "second, edited"}
    )
    assert edited.status_code == 200, edited.text
    deleted = await client.delete(f"/messages/{first['userMessage']['id']}")
    assert deleted.status_code == 200, deleted.text
    await post(
        f"/conversations/{cid}/checkpoints",
        {"branchId": main, "anchorMessageId": second["message"]["id"]},
    )
    quiet = (await post("/conversations", {"title": "Quiet"}))["conversation"]["id"]
    await post(f"/conversations/{quiet}/messages", {"content": "hello"})
    empty = (await post("/conversations", {"title": "EMPTY_one"}))["conversation"]["id"]
    raw_key = client.headers["Authorization"].split()[-1]

    def read(connection: Connection) -> Made:
        with Session(connection) as session:
            user = session.scalars(select(User).where(User.email == "owner@example.com")).one()
            messages = session.scalars(
                select(Message.id)
                .where(Message.conversation_id == cid)
                .order_by(Message.created_at, Message.id)
            ).all()
            heads = session.scalars(
                select(Branch.head_message_id)
                .where(Branch.conversation_id == cid)
                .order_by(Branch.is_main.desc(), Branch.id)
            ).all()
        return Made(
            user.id,
            api.accounts.key_hash(raw_key),
            cid,
            quiet,
            empty,
            main,
            fork,
            list(messages),
            [h for h in heads if h is not None],
            session.get(Branch, fork).head_message_id,
        )

    return await api.app.state.ctx.db.run(read)


# ---------------------------------------------------------------------------
# Running one statement both ways


def typed(found: Any) -> list[tuple]:
    """Rows with their column names and each value's type: ``1`` is not ``True``."""
    return [(tuple(r._fields), tuple((type(v).__name__, v) for v in r)) for r in found]


def tables_now(connection: Connection) -> list[list[tuple]]:
    return [typed(connection.execute(select(t).order_by(*t.primary_key.columns))) for t in _TABLES]


@contextmanager
def undone(connection: Connection) -> Iterator[None]:
    """A savepoint rolled back at the end: what ran inside leaves nothing."""
    nested = connection.begin_nested()
    try:
        yield
    finally:
        nested.rollback()


def through_the_runner(connection: Connection, statement: Any, params: dict) -> tuple:
    done = execution.execute(connection, statement, params)
    return typed(done.rows), done.rowcount, tables_now(connection)


def through_sqlalchemy(connection: Connection, statement: Any, params: dict) -> tuple:
    result = connection.execute(statement, params)
    returned = typed(result.all()) if result.returns_rows else []
    # a rowcount is what callers read of a write without RETURNING; elsewhere the driver's
    return returned, None if result.returns_rows else result.rowcount, tables_now(connection)


Case = tuple[str, Any, dict[str, Any]]  # name, statement, parameters


def cases(made: Made, backend: str) -> list[Case]:
    """Every prebuilt statement with parameters that find (or change) something, and
    some that find nothing."""
    later = WHEN + timedelta(days=1)
    ids = [made.busy, made.quiet, made.empty]
    head = made.heads[0]
    one_branch, many_branches = rows._BRANCHES
    one_own, many_own = rows._OWN_COUNTS
    one_visible, many_visible = rows._VISIBLE_COUNTS
    page_count, page = rows._PAGE
    searched_count, searched = rows._PAGE_SEARCHED
    anyhow, within_limit = counters._upserts(backend)
    counter = {"subject": "u1", "window": "minute", "amount": 3, "expires_at": WHEN}
    found: list[Case] = [
        (
            "_OWNED_CONVERSATION",
            rows._OWNED_CONVERSATION,
            {"id": made.busy, "user_id": made.user_id},
        ),
        ("_OWNED_CONVERSATION", rows._OWNED_CONVERSATION, {"id": made.busy, "user_id": "nobody"}),
        (
            "_TOUCH_CONVERSATION",
            rows._TOUCH_CONVERSATION,
            {"conversation_id": made.busy, "when": WHEN},
        ),
        ("_BRANCH_IN", rows._BRANCH_IN, {"id": made.fork, "conversation_id": made.busy}),
        ("_BRANCH_IN", rows._BRANCH_IN, {"id": made.fork, "conversation_id": made.quiet}),
        ("_MAIN_BRANCH", rows._MAIN_BRANCH, {"conversation_id": made.busy}),
        (
            "_ACQUIRE_LEASE",
            rows._ACQUIRE_LEASE,
            {
                "branch_id": made.fork,
                "token": "gen_1",
                "reply_id": "msg_r",
                "now": WHEN,
                "until": later,
            },
        ),
        ("_RELEASE_LEASE", rows._RELEASE_LEASE, {"branch_id": made.fork, "token": "gen_none"}),
        (
            "_MOVE_HEAD",
            rows._MOVE_HEAD,
            {"branch_id": made.main, "expected": head, "new": made.messages[0], "when": WHEN},
        ),
        (
            "_MOVE_HEAD_RELEASING",
            rows._MOVE_HEAD_RELEASING,
            {
                "branch_id": made.fork,
                "expected": made.fork_head,
                "new": head,
                "when": WHEN,
                "lease": "gen_1",
            },
        ),
        ("_MESSAGE_IN", rows._MESSAGE_IN, {"id": made.messages[0], "conversation_id": made.busy}),
        ("_HAS_CHILDREN", rows._HAS_CHILDREN, {"id": made.messages[0]}),
        ("_HAS_CHILDREN", rows._HAS_CHILDREN, {"id": head}),
        ("_ANCHORED_ON", rows._ANCHORED_ON, {"conversation_id": made.busy}),
        (
            "_ANCHORED_ON_LIST",
            rows._ANCHORED_ON_LIST,
            {"conversation_id": made.busy, "anchors": made.messages},
        ),
        ("_KEY_AND_USER", rows._KEY_AND_USER, {"key_hash": made.key_hash}),
        ("_TOUCH_KEY", rows._TOUCH_KEY, {"key_id": "none", "now": WHEN, "stale_before": WHEN}),
        ("_BRANCHES", one_branch, {"conversation_id": made.busy}),
        ("_BRANCHES", many_branches, {"conversation_ids": ids}),
        ("_OWN_COUNTS", one_own, {"conversation_id": made.busy}),
        ("_OWN_COUNTS", many_own, {"conversation_ids": ids}),
        ("_VISIBLE_COUNTS", one_visible, {"conversation_id": made.busy}),
        ("_VISIBLE_COUNTS", many_visible, {"conversation_ids": ids}),
        ("_MESSAGES_OF", rows._MESSAGES_OF, {"conversation_id": made.busy}),
        ("_PAGE", page_count, {"user_id": made.user_id}),
        ("_PAGE", page, {"user_id": made.user_id, "offset": 1, "limit": 2}),
        ("_PAGE_SEARCHED", searched_count, {"user_id": made.user_id, "pattern": "%\\_%"}),
        (
            "_PAGE_SEARCHED",
            searched,
            {"user_id": made.user_id, "pattern": "%50\\%%", "offset": 0, "limit": 5},
        ),
        ("_GET", counters._GET, {"subject": "u1", "window": "minute"}),
        ("_PURGE", counters._PURGE, {"now": later}),
        ("_upserts", anyhow, counter),
        ("_upserts", within_limit, {**counter, "limit": 2}),
        ("_upserts", within_limit, {**counter, "limit": 5}),
        ("_insert_statement", execution._insert_statement(Checkpoint), checkpoint_row(made)),
    ]
    for at in [*made.heads, made.messages[0]]:
        found.append(("_PATH", rows._PATH, {"head": at}))
        found.append(("_VISIBLE_PATH", rows._VISIBLE_PATH, {"head": at}))
    if backend == "sqlite":  # json_each: SQLite's way of binding the anchors
        anchors = f'["{made.messages[0]}", "{made.messages[3]}", "{made.messages[-1]}"]'
        found.append(
            (
                "_ANCHORED_ON_JSON",
                rows._ANCHORED_ON_JSON,
                {"conversation_id": made.busy, "anchors": anchors},
            )
        )
    return found


def checkpoint_row(made: Made) -> dict[str, Any]:
    return {
        "id": "ckpt_runner",
        "conversation_id": made.busy,
        "branch_id": made.main,
        "anchor_message_id": made.messages[0],
        "checkpoint_type": "manual",
        "summary": "a summary",
        "token_count": 3,
        "source_message_count": 1,
        "source_token_count": 2,
        "summarizer": "extractive",
        "metadata": {"k": [1, "ü"]},  # by column name, as insert_instance binds
        "created_at": WHEN,
    }


def prebuilt_statements() -> set[str]:
    """The module-level statements (or pairs of them) of ``STATEMENT_MODULES``, and their
    statement builders kept per backend or model."""
    names = set()
    for module in STATEMENT_MODULES:
        for name, value in vars(module).items():
            values = value if isinstance(value, tuple) else (value,)
            if values and all(
                isinstance(v, Executable) and not isinstance(v, ScalarSelect) for v in values
            ):
                names.add(name)
    return names | {"_upserts", "_insert_statement"}


def test_every_prebuilt_statement_has_a_case_here() -> None:
    made = Made("u", "h", "c1", "c2", "c3", "b1", "b2", ["m0", "m1", "m2", "m3"], ["m3"], "m2")
    covered = {name for name, _, _ in cases(made, "sqlite")}
    assert prebuilt_statements() == covered, (
        "a prebuilt statement has no case in cases(): add one, so the statement runner is "
        "held to SQLAlchemy on it"
    )


async def test_each_statement_answers_through_the_runner_as_through_sqlalchemy(api, backend):
    made = await made_through_the_api(api)

    def both_ways(connection: Connection) -> list[tuple[str, tuple, tuple]]:
        assert execution._direct(connection) == (backend == "sqlite")  # the fast path runs
        compared = []
        for name, statement, params in cases(made, backend):
            with undone(connection):
                fast = through_the_runner(connection, statement, params)
            with undone(connection):
                usual = through_sqlalchemy(connection, statement, params)
            compared.append((name, fast, usual))
        return compared

    compared = await api.app.state.ctx.db.run(both_ways, write=True)
    assert len(compared) > 30
    for name, (fast_rows, fast_count, fast_tables), (rows_, count, tables) in compared:
        assert fast_rows == rows_, f"{name}: the runner's rows differ from SQLAlchemy's"
        if count is not None:
            assert fast_count == count, f"{name}: the runner's rowcount differs"
        assert fast_tables == tables, f"{name}: the runner left other rows than SQLAlchemy"
    changed = [name for name, _, (_, count, _) in compared if count]
    writes = {"_TOUCH_CONVERSATION", "_ACQUIRE_LEASE", "_MOVE_HEAD", "_MOVE_HEAD_RELEASING"}
    assert writes | {"_insert_statement"} <= set(changed), "a write case changed nothing"


async def test_a_parameter_left_out_is_refused_as_sqlalchemy_refuses_it(api):
    made = await made_through_the_api(api)

    def without_user(connection: Connection) -> Any:
        return execution.execute(connection, rows._OWNED_CONVERSATION, {"id": made.busy})

    with pytest.raises(exc.StatementError, match="user_id"):
        await api.app.state.ctx.db.run(without_user)


# ---------------------------------------------------------------------------
# The functions over those statements, against the ORM


def columns(obj: Base, *, leave_out: frozenset[str] = frozenset()) -> dict[str, Any]:
    names = [a.key for a in type(obj).__mapper__.column_attrs if a.key not in leave_out]
    return {name: obj.__dict__.get(name) for name in names}


_LEASED = frozenset({"generation_partial"})  # rows.py leaves it out of its branch reads


def own_count(session: Session, branch: Branch) -> int:
    """Visible messages from the head up to (not including) the fork point."""
    count, at = 0, branch.head_message_id
    while at is not None and at != branch.fork_point_message_id:
        message = session.get(Message, at)
        assert message is not None
        count += message.deleted_at is None
        at = message.parent_id
    return count


def reads_compared(made: Made) -> Callable[[Connection], list[tuple[str, Any, Any]]]:
    """``(what, through rows.py, through the ORM)`` for each read function."""

    def compare(connection: Connection) -> list[tuple[str, Any, Any]]:
        session = Session(connection)
        ids = [made.busy, made.quiet, made.empty]
        found: list[tuple[str, Any, Any]] = []

        def add(what: str, got: Any, expected: Any) -> None:
            found.append((what, got, expected))

        conversation = session.get(Conversation, made.busy)
        add(
            "owned_conversation",
            columns(rows.owned_conversation(connection, made.busy, made.user_id)),
            columns(conversation),
        )
        add(
            "owned_conversation (another's)",
            rows.owned_conversation(connection, made.busy, "x"),
            None,
        )
        branches = session.scalars(
            select(Branch)
            .where(Branch.conversation_id.in_(ids))
            .order_by(Branch.created_at, Branch.id)
        ).all()
        fork = session.get(Branch, made.fork)
        add(
            "branch_in",
            columns(rows.branch_in(connection, made.fork, made.busy), leave_out=_LEASED),
            columns(fork, leave_out=_LEASED),
        )
        add("branch_in (elsewhere)", rows.branch_in(connection, made.fork, made.quiet), None)
        main = next(b for b in branches if b.is_main and b.conversation_id == made.busy)
        add(
            "main_branch",
            columns(rows.main_branch(connection, made.busy), leave_out=_LEASED),
            columns(main, leave_out=_LEASED),
        )
        for message_id in made.messages:
            message = session.get(Message, message_id)
            add(
                "message_in",
                columns(rows.message_in(connection, message_id, made.busy)),
                columns(message),
            )
            has_children = session.scalar(
                select(func.count()).where(Message.parent_id == message_id)
            )
            add("has_children", rows.has_children(connection, message_id), bool(has_children))
            add(
                "path",
                [tuple(r) for r in rows.path(connection, message_id)],
                walk(session, message_id),
            )
            visible = [
                columns(session.get(Message, step[0]))
                for step in walk(session, message_id)
                if step[-1] is None
            ]
            add(
                "visible_path",
                [r._asdict() for r in rows.visible_path(connection, message_id)],
                visible,
            )
        anchored = session.scalars(
            select(Checkpoint)
            .where(
                Checkpoint.conversation_id == made.busy,
                Checkpoint.anchor_message_id.in_(made.messages),
            )
            .order_by(Checkpoint.created_at, Checkpoint.id)
        ).all()
        add(
            "checkpoints_anchored_on",
            [tuple(r) for r in rows.checkpoints_anchored_on(connection, made.busy, made.messages)],
            [(c.id, c.anchor_message_id, c.summary, c.token_count) for c in anchored],
        )
        key = session.scalars(select(ApiKey).where(ApiKey.key_hash == made.key_hash)).one()
        held = rows.active_key(connection, made.key_hash)
        assert held is not None
        add(
            "active_key",
            (held[0], held[1], columns(held[2])),
            (key.id, key.last_used_at, columns(session.get(User, key.user_id))),
        )
        add("active_key (unknown)", rows.active_key(connection, "0" * 64), None)
        for chosen in (ids, [made.busy]):
            add(
                "branches_of",
                [columns(b, leave_out=_LEASED) for b in rows.branches_of(connection, chosen)],
                [columns(b, leave_out=_LEASED) for b in branches if b.conversation_id in chosen],
            )
            counts = {b.id: own_count(session, b) for b in branches if b.conversation_id in chosen}
            add(
                "own_counts",
                rows.own_counts(connection, chosen),
                {k: v for k, v in counts.items() if v},
            )
            totals = {
                cid: session.scalar(
                    select(func.count()).where(
                        Message.conversation_id == cid, Message.deleted_at.is_(None)
                    )
                )
                for cid in chosen
            }
            add(
                "visible_counts",
                rows.visible_counts(connection, chosen),
                {k: v for k, v in totals.items() if v},
            )
        every = session.scalars(
            select(Message)
            .where(Message.conversation_id == made.busy)
            .order_by(Message.created_at, Message.id)
        ).all()
        add(
            "messages_of",
            [r._asdict() for r in rows.messages_of(connection, made.busy)],
            [columns(m) for m in every],
        )
        mine = session.scalars(
            select(Conversation)
            .where(Conversation.user_id == made.user_id)
            .order_by(Conversation.updated_at.desc(), Conversation.id.desc())
        ).all()
        for search, offset, limit in (
            (None, 0, 10),
            (None, 1, 1),
            ("50%", 0, 10),
            ("_", 0, 10),
            ("empty", 0, 1),
        ):
            listed, total = rows.conversations_page(
                connection, made.user_id, offset=offset, limit=limit, search=search
            )
            matching = [c for c in mine if search is None or search.lower() in c.title.lower()]
            add(
                f"conversations_page {search!r}",
                ([columns(c) for c in listed], total),
                ([columns(c) for c in matching[offset : offset + limit]], len(matching)),
            )
        session.close()
        return found

    return compare


async def test_each_read_answers_as_the_orm_does(api):
    made = await made_through_the_api(api)
    compared = await api.app.state.ctx.db.run(reads_compared(made))
    for what, got, expected in compared:
        assert got == expected, f"{what}: rows.py and the ORM disagree"
    searched = [got for what, got, _ in compared if what.startswith("conversations_page '50%'")]
    assert [c["title"] for c in searched[0][0]] == ["Plans 50% off_sale"]  # % is no wildcard


async def test_each_write_changes_what_the_orm_then_reads(api):
    made = await made_through_the_api(api)
    later = WHEN + timedelta(minutes=5)

    def writes(connection: Connection) -> list[tuple[str, Any, Any]]:
        found: list[tuple[str, Any, Any]] = []

        def orm(model: type[Base], ident: str) -> Any:
            with Session(connection) as session:
                return session.get(model, ident)

        with undone(connection):
            rows.touch_conversation(connection, made.busy, WHEN)
            found.append(("touch_conversation", orm(Conversation, made.busy).updated_at, WHEN))
        with undone(connection):
            taken = rows.acquire_lease(
                connection, made.fork, "gen_a", reply_id="msg_a", now=WHEN, until=later
            )
            again = rows.acquire_lease(
                connection, made.fork, "gen_b", reply_id="msg_b", now=WHEN, until=later
            )
            branch = orm(Branch, made.fork)
            found.append(
                (
                    "acquire_lease",
                    (taken, again, branch.generation_lease, branch.generation_reply_id),
                    (True, False, "gen_a", "msg_a"),
                )
            )
            moved = rows.move_head(
                connection,
                made.fork,
                expected=branch.head_message_id,
                new=made.messages[0],
                when=later,
                release_lease="gen_a",
            )
            branch = orm(Branch, made.fork)
            found.append(
                (
                    "move_head releasing",
                    (moved, branch.head_message_id, branch.generation_lease, branch.updated_at),
                    (True, made.messages[0], None, later),
                )
            )
            stale = rows.move_head(
                connection, made.fork, expected="msg_other", new=made.messages[1], when=later
            )
            found.append(
                (
                    "move_head (stale)",
                    (stale, orm(Branch, made.fork).head_message_id),
                    (False, made.messages[0]),
                )
            )
        with undone(connection):
            rows.acquire_lease(
                connection, made.fork, "gen_c", reply_id="msg_c", now=WHEN, until=later
            )
            found.append(
                (
                    "release_lease (another's)",
                    rows.release_lease(connection, made.fork, "gen_x"),
                    False,
                )
            )
            released = rows.release_lease(connection, made.fork, "gen_c")
            found.append(
                ("release_lease", (released, orm(Branch, made.fork).generation_lease), (True, None))
            )
        with undone(connection):
            held = rows.active_key(connection, made.key_hash)
            assert held is not None
            rows.touch_key(connection, held[0], later, stale_before=later)
            found.append(("touch_key", orm(ApiKey, held[0]).last_used_at, later))
        return found

    for what, got, expected in await api.app.state.ctx.db.run(writes, write=True):
        assert got == expected, f"{what}: the ORM reads another state than the write made"
