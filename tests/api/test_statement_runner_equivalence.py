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

from chatroutes.server.domain.budgets import BRANCH, CONVERSATION
from chatroutes.server.store import api_keys as api_key_store
from chatroutes.server.store import branches as branch_store
from chatroutes.server.store import budgets as budget_store
from chatroutes.server.store import checkpoints as checkpoint_store
from chatroutes.server.store import conversations as conversation_store
from chatroutes.server.store import counters, execution
from chatroutes.server.store import messages as message_store
from chatroutes.server.store import webhooks as webhook_store
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
from chatroutes.server.store.webhooks import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookQuotaNotice,
)
from tests.api.test_path_cache_equivalence import walk

# Where the hot paths' prebuilt statements live.
STATEMENT_MODULES = (
    conversation_store,
    branch_store,
    message_store,
    checkpoint_store,
    api_key_store,
    counters,
    webhook_store,
    budget_store,
)
WHEN = datetime(2030, 5, 6, 7, 8, 9, 123456)
_TABLES = [
    t.__table__
    for t in (
        Conversation,
        Branch,
        Message,
        ApiKey,
        UsageCounter,
        WebhookEndpoint,
        WebhookDelivery,
        WebhookAttempt,
        WebhookQuotaNotice,
    )
]
LEASE = "lease_made"  # the token of the delivery the data's set-up claimed


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
    webhook: str = ""  # an endpoint of the user, with two test deliveries
    claimed: str = ""  # the first of them, leased to ``LEASE``


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
    webhook = (await post("/webhooks", {"url": "https://1.1.1.1/h", "events": ["*"]}))["webhook"]
    tests = [await post(f"/webhooks/{webhook['id']}/test", {}, 202) for _ in range(2)]
    # no sender runs here: the first test delivery is claimed as a sender would
    await api.app.state.ctx.db.run(
        lambda c: webhook_store.claim_due(c, WHEN, WHEN, LEASE, 1), write=True
    )

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
            webhook["id"],
            tests[0]["delivery"]["id"],
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
    one_branch, many_branches = branch_store._BRANCHES
    one_own, many_own = message_store._OWN_COUNTS
    one_visible, many_visible = message_store._VISIBLE_COUNTS
    page_count, page = conversation_store._PAGE
    searched_count, searched = conversation_store._PAGE_SEARCHED
    said_count, said = conversation_store._PAGE_SEARCHED_WITH_MESSAGES
    anyhow, within_limit = counters._upserts(backend)
    hooks = webhook_store
    recorded = {
        "delivery_id": made.claimed,
        "token": LEASE,
        "status": "delivered",
        "attempt_count": 1,
        "next_attempt_at": None,
        "at": WHEN,
        "status_code": 200,
        "error": None,
        "delivered_at": WHEN,
    }
    counter = {"subject": "u1", "window": "minute", "amount": 3, "expires_at": WHEN}
    found: list[Case] = [
        (
            "_OWNED_CONVERSATION",
            conversation_store._OWNED_CONVERSATION,
            {"id": made.busy, "user_id": made.user_id},
        ),
        (
            "_OWNED_CONVERSATION",
            conversation_store._OWNED_CONVERSATION,
            {"id": made.busy, "user_id": "nobody"},
        ),
        (
            "_TOUCH_CONVERSATION",
            conversation_store._TOUCH_CONVERSATION,
            {"conversation_id": made.busy, "when": WHEN},
        ),
        ("_BRANCH_IN", branch_store._BRANCH_IN, {"id": made.fork, "conversation_id": made.busy}),
        ("_BRANCH_IN", branch_store._BRANCH_IN, {"id": made.fork, "conversation_id": made.quiet}),
        ("_MAIN_BRANCH", branch_store._MAIN_BRANCH, {"conversation_id": made.busy}),
        (
            "_ACQUIRE_LEASE",
            branch_store._ACQUIRE_LEASE,
            {
                "branch_id": made.fork,
                "token": "gen_1",
                "reply_id": "msg_r",
                "now": WHEN,
                "until": later,
            },
        ),
        (
            "_RELEASE_LEASE",
            branch_store._RELEASE_LEASE,
            {"branch_id": made.fork, "token": "gen_none"},
        ),
        (
            "_MOVE_HEAD",
            branch_store._MOVE_HEAD,
            {"branch_id": made.main, "expected": head, "new": made.messages[0], "when": WHEN},
        ),
        (
            "_MOVE_HEAD_RELEASING",
            branch_store._MOVE_HEAD_RELEASING,
            {
                "branch_id": made.fork,
                "expected": made.fork_head,
                "new": head,
                "when": WHEN,
                "lease": "gen_1",
            },
        ),
        (
            "_MESSAGE_IN",
            message_store._MESSAGE_IN,
            {"id": made.messages[0], "conversation_id": made.busy},
        ),
        ("_HAS_CHILDREN", message_store._HAS_CHILDREN, {"id": made.messages[0]}),
        ("_HAS_CHILDREN", message_store._HAS_CHILDREN, {"id": head}),
        ("_ANCHORED_ON", checkpoint_store._ANCHORED_ON, {"conversation_id": made.busy}),
        (
            "_ANCHORED_ON_LIST",
            checkpoint_store._ANCHORED_ON_LIST,
            {"conversation_id": made.busy, "anchors": made.messages},
        ),
        ("_KEY_AND_USER", api_key_store._KEY_AND_USER, {"key_hash": made.key_hash}),
        (
            "_TOUCH_KEY",
            api_key_store._TOUCH_KEY,
            {"key_id": "none", "now": WHEN, "stale_before": WHEN},
        ),
        ("_BRANCHES", one_branch, {"conversation_id": made.busy}),
        ("_BRANCHES", many_branches, {"conversation_ids": ids}),
        ("_OWN_COUNTS", one_own, {"conversation_id": made.busy}),
        ("_OWN_COUNTS", many_own, {"conversation_ids": ids}),
        ("_VISIBLE_COUNTS", one_visible, {"conversation_id": made.busy}),
        ("_VISIBLE_COUNTS", many_visible, {"conversation_ids": ids}),
        ("_MESSAGES_OF", message_store._MESSAGES_OF, {"conversation_id": made.busy}),
        ("_PAGE", page_count, {"user_id": made.user_id}),
        ("_PAGE", page, {"user_id": made.user_id, "offset": 1, "limit": 2}),
        ("_PAGE_SEARCHED", searched_count, {"user_id": made.user_id, "pattern": "%\\_%"}),
        (
            "_PAGE_SEARCHED",
            searched,
            {"user_id": made.user_id, "pattern": "%50\\%%", "offset": 0, "limit": 5},
        ),
        ("_PAGE_SEARCHED_WITH_MESSAGES", said_count, {"user_id": made.user_id, "pattern": "%ell%"}),
        (
            "_PAGE_SEARCHED_WITH_MESSAGES",
            said,
            {"user_id": made.user_id, "pattern": "%first%", "offset": 0, "limit": 5},
        ),
        ("_GET", counters._GET, {"subject": "u1", "window": "minute"}),
        ("_PURGE", counters._PURGE, {"now": later}),
        *budget_cases(made),
        ("_upserts", anyhow, counter),
        ("_upserts", within_limit, {**counter, "limit": 2}),
        ("_upserts", within_limit, {**counter, "limit": 5}),
        ("_insert_statement", execution._insert_statement(Checkpoint), checkpoint_row(made)),
        ("_LISTENING", hooks._LISTENING, {"user_id": made.user_id}),
        ("_LISTENING", hooks._LISTENING, {"user_id": "nobody"}),
        ("_ADD_DELIVERY", hooks._ADD_DELIVERY, delivery_row(made)),
        ("_DUE", hooks._DUE, {"now": later, "limit": 5}),
        ("_DUE", hooks._DUE, {"now": datetime(2000, 1, 1), "limit": 5}),
        ("_CLAIM", hooks._CLAIM, {"now": later, "until": later, "token": "t", "limit": 5}),
        ("_ENDPOINT_FOR_SENDING", hooks._ENDPOINT_FOR_SENDING, {"webhook_id": made.webhook}),
        ("_ADD_ATTEMPT", hooks._ADD_ATTEMPT, attempt_row(made)),
        ("_RECORD_ATTEMPT", hooks._RECORD_ATTEMPT, recorded),
        ("_RECORD_ATTEMPT", hooks._RECORD_ATTEMPT, {**recorded, "token": "another"}),
        (
            "_ABANDON",
            hooks._ABANDON,
            {"delivery_id": made.claimed, "token": LEASE, "error": "the webhook is disabled"},
        ),
        ("_SUCCEEDED", hooks._SUCCEEDED, {"webhook_id": made.webhook}),
        ("_FAILED", hooks._FAILED, {"webhook_id": made.webhook}),
        ("_DISABLE", hooks._DISABLE, {"webhook_id": made.webhook, "reason": "r", "at": WHEN}),
        ("_notice_if_absent", hooks._notice_if_absent(backend), notice_row(made)),
    ]
    for at in [*made.heads, made.messages[0]]:
        found.append(("_PATH", message_store._PATH, {"head": at}))
        found.append(("_VISIBLE_PATH", message_store._VISIBLE_PATH, {"head": at}))
        found.append(("_WHOLE_PATH", message_store._WHOLE_PATH, {"head": at}))
    found.append(("_REACHABLE", message_store._REACHABLE, {"heads": made.heads}))
    if backend == "sqlite":  # json_each: SQLite's way of binding the anchors
        anchors = f'["{made.messages[0]}", "{made.messages[3]}", "{made.messages[-1]}"]'
        found.append(
            (
                "_ANCHORED_ON_JSON",
                checkpoint_store._ANCHORED_ON_JSON,
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


def delivery_row(made: Made) -> dict[str, Any]:
    return {
        "id": "msg_runner",
        "webhook_id": made.webhook,
        "user_id": made.user_id,
        "event_id": "evt_runner",
        "event_type": "branch.created",
        "payload": '{"type":"branch.created","data":{"title":"ü"}}',
        "status": "pending",
        "attempt_count": 0,
        "next_attempt_at": WHEN,
        "created_at": WHEN,
    }


def attempt_row(made: Made) -> dict[str, Any]:
    return {
        "id": "att_runner",
        "delivery_id": made.claimed,
        "at": WHEN,
        "status_code": None,
        "error": "ConnectError",
        "duration_ms": 12.5,
    }


def notice_row(made: Made) -> dict[str, Any]:
    return {
        "user_id": made.user_id,
        "quota": "tokens",
        "period": "2030-05",
        "threshold": 80,
        "created_at": WHEN,
    }


def budget_cases(made: Made) -> list[Case]:
    """The budgets' statements (``budget_store._statements``, one set per table)."""
    found: list[Case] = []
    for scope, row in ((BRANCH, made.fork), (CONVERSATION, made.busy)):
        built = budget_store._statements(scope)
        held = {"row_id": row, "tokens": 10, "cost": 0.5}
        settled = {**held, "held_tokens": 10, "held_cost": 0.5}
        found += [
            ("_statements", built["state"], {"row_id": row}),
            ("_statements", built["state"], {"row_id": "none"}),
            ("_statements", built["reserve"], held),
            ("_statements", built["reserve"], {**held, "row_id": "none"}),
            ("_statements", built["settle"], settled),
            ("_statements", built["warn"], {"row_id": row}),
        ]
    return found


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
    return names | {"_upserts", "_insert_statement", "_notice_if_absent", "_statements"}


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
    writes |= {"_ADD_DELIVERY", "_RECORD_ATTEMPT", "_ABANDON", "_SUCCEEDED", "_DISABLE"}
    assert writes | {"_insert_statement"} <= set(changed), "a write case changed nothing"


async def test_a_parameter_left_out_is_refused_as_sqlalchemy_refuses_it(api):
    made = await made_through_the_api(api)

    def without_user(connection: Connection) -> Any:
        return execution.execute(
            connection, conversation_store._OWNED_CONVERSATION, {"id": made.busy}
        )

    with pytest.raises(exc.StatementError, match="user_id"):
        await api.app.state.ctx.db.run(without_user)


# ---------------------------------------------------------------------------
# The functions over those statements, against the ORM


def columns(obj: Base, *, leave_out: frozenset[str] = frozenset()) -> dict[str, Any]:
    names = [a.key for a in type(obj).__mapper__.column_attrs if a.key not in leave_out]
    return {name: obj.__dict__.get(name) for name in names}


_LEASED = frozenset({"generation_partial"})  # the Core branch reads leave it out


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
    """``(what, through the store's Core read, through the ORM)`` for each read function."""

    def compare(connection: Connection) -> list[tuple[str, Any, Any]]:
        session = Session(connection)
        ids = [made.busy, made.quiet, made.empty]
        found: list[tuple[str, Any, Any]] = []

        def add(what: str, got: Any, expected: Any) -> None:
            found.append((what, got, expected))

        conversation = session.get(Conversation, made.busy)
        add(
            "owned_conversation",
            columns(conversation_store.owned_conversation(connection, made.busy, made.user_id)),
            columns(conversation),
        )
        add(
            "owned_conversation (another's)",
            conversation_store.owned_conversation(connection, made.busy, "x"),
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
            columns(branch_store.branch_in(connection, made.fork, made.busy), leave_out=_LEASED),
            columns(fork, leave_out=_LEASED),
        )
        add(
            "branch_in (elsewhere)", branch_store.branch_in(connection, made.fork, made.quiet), None
        )
        main = next(b for b in branches if b.is_main and b.conversation_id == made.busy)
        add(
            "main_branch",
            columns(branch_store.main_branch(connection, made.busy), leave_out=_LEASED),
            columns(main, leave_out=_LEASED),
        )
        for message_id in made.messages:
            message = session.get(Message, message_id)
            add(
                "message_in",
                columns(message_store.message_in(connection, message_id, made.busy)),
                columns(message),
            )
            has_children = session.scalar(
                select(func.count()).where(Message.parent_id == message_id)
            )
            add(
                "has_children",
                message_store.has_children(connection, message_id),
                bool(has_children),
            )
            add(
                "path",
                [tuple(r) for r in message_store.path(connection, message_id)],
                walk(session, message_id),
            )
            visible = [
                columns(session.get(Message, step[0]))
                for step in walk(session, message_id)
                if step[5] is None  # not deleted
            ]
            add(
                "visible_path",
                [r._asdict() for r in message_store.visible_path(connection, message_id)],
                visible,
            )
            add(
                "whole_path",
                [columns(m) for m in message_store.whole_path(connection, message_id)],
                [columns(session.get(Message, step[0])) for step in walk(session, message_id)],
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
            [
                tuple(r)
                for r in checkpoint_store.checkpoints_anchored_on(
                    connection, made.busy, made.messages
                )
            ],
            [(c.id, c.anchor_message_id, c.summary, c.token_count) for c in anchored],
        )
        key = session.scalars(select(ApiKey).where(ApiKey.key_hash == made.key_hash)).one()
        held = api_key_store.active_key(connection, made.key_hash)
        assert held is not None
        add(
            "active_key",
            (held[0], held[1], columns(held[2])),
            (key.id, key.last_used_at, columns(session.get(User, key.user_id))),
        )
        add("active_key (unknown)", api_key_store.active_key(connection, "0" * 64), None)
        for chosen in (ids, [made.busy]):
            add(
                "branches_of",
                [
                    columns(b, leave_out=_LEASED)
                    for b in branch_store.branches_of(connection, chosen)
                ],
                [columns(b, leave_out=_LEASED) for b in branches if b.conversation_id in chosen],
            )
            counts = {b.id: own_count(session, b) for b in branches if b.conversation_id in chosen}
            add(
                "own_counts",
                message_store.own_counts(connection, chosen),
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
                message_store.visible_counts(connection, chosen),
                {k: v for k, v in totals.items() if v},
            )
        every = session.scalars(
            select(Message)
            .where(Message.conversation_id == made.busy)
            .order_by(Message.created_at, Message.id)
        ).all()
        add(
            "messages_of",
            [r._asdict() for r in message_store.messages_of(connection, made.busy)],
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
            listed, total = conversation_store.conversations_page(
                connection, made.user_id, offset=offset, limit=limit, search=search
            )
            matching = [c for c in mine if search is None or search.lower() in c.title.lower()]
            add(
                f"conversations_page {search!r}",
                ([columns(c) for c in listed], total),
                ([columns(c) for c in matching[offset : offset + limit]], len(matching)),
            )
        kept = session.execute(
            select(Message.conversation_id, Message.content).where(Message.deleted_at.is_(None))
        ).all()
        for search in ("HELLO", "first", "50%", "nowhere"):
            listed, total = conversation_store.conversations_page(
                connection, made.user_id, offset=0, limit=10, search=search, in_messages=True
            )
            said = {c for c, text in kept if search.lower() in text.lower()}
            matching = [c for c in mine if search.lower() in c.title.lower() or c.id in said]
            add(
                f"conversations_page {search!r} in messages",
                ([columns(c) for c in listed], total),
                ([columns(c) for c in matching], len(matching)),
            )
        session.close()
        return found

    return compare


async def test_each_read_answers_as_the_orm_does(api):
    made = await made_through_the_api(api)
    compared = await api.app.state.ctx.db.run(reads_compared(made))
    for what, got, expected in compared:
        assert got == expected, f"{what}: the Core read and the ORM disagree"
    searched = [got for what, got, _ in compared if what.startswith("conversations_page '50%'")]
    assert [c["title"] for c in searched[0][0]] == ["Plans 50% off_sale"]  # % is no wildcard
    said = {what: got for what, got, _ in compared if what.endswith("in messages")}
    assert [c["title"] for c in said["conversations_page 'HELLO' in messages"][0]] == ["Quiet"]
    assert said["conversations_page 'nowhere' in messages"] == ([], 0)


async def test_each_write_changes_what_the_orm_then_reads(api):
    made = await made_through_the_api(api)
    later = WHEN + timedelta(minutes=5)

    def writes(connection: Connection) -> list[tuple[str, Any, Any]]:
        found: list[tuple[str, Any, Any]] = []

        def orm(model: type[Base], ident: str) -> Any:
            with Session(connection) as session:
                return session.get(model, ident)

        with undone(connection):
            conversation_store.touch_conversation(connection, made.busy, WHEN)
            found.append(("touch_conversation", orm(Conversation, made.busy).updated_at, WHEN))
        with undone(connection):
            taken = branch_store.acquire_lease(
                connection, made.fork, "gen_a", reply_id="msg_a", now=WHEN, until=later
            )
            again = branch_store.acquire_lease(
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
            moved = branch_store.move_head(
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
            stale = branch_store.move_head(
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
            branch_store.acquire_lease(
                connection, made.fork, "gen_c", reply_id="msg_c", now=WHEN, until=later
            )
            found.append(
                (
                    "release_lease (another's)",
                    branch_store.release_lease(connection, made.fork, "gen_x"),
                    False,
                )
            )
            released = branch_store.release_lease(connection, made.fork, "gen_c")
            found.append(
                ("release_lease", (released, orm(Branch, made.fork).generation_lease), (True, None))
            )
        with undone(connection):
            held = api_key_store.active_key(connection, made.key_hash)
            assert held is not None
            api_key_store.touch_key(connection, held[0], later, stale_before=later)
            found.append(("touch_key", orm(ApiKey, held[0]).last_used_at, later))
        return found

    for what, got, expected in await api.app.state.ctx.db.run(writes, write=True):
        assert got == expected, f"{what}: the ORM reads another state than the write made"
