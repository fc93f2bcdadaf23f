"""The path cache (``store/paths.py``) always answers what a fresh walk of the database does.

Random sequences of sends (at a branch's head, or after an earlier message: a fork there),
forks, edits, pins and exclusions, message and branch deletions and imports (an exported
conversation imported under new ids as another, or deleted and imported again under its
own), all through HTTP. After every step, each branch's path read through the app's own
``PathCache`` equals the same read bypassing it (``messages.path``) and an ORM walk up
``parent_id``; and every send gave the upstream exactly the visible messages of that walk
that are not excluded, from the root to its question.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from chatroutes.server.store import messages as message_store
from chatroutes.server.store.tables import Branch, Conversation, Message
from tests.api.test_transfer import export, import_, renamed
from tests.support.wire import wire_hash

_pick = st.integers(min_value=0, max_value=1_000)
_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=6)
_send = st.tuples(st.just("send"), _pick, _pick, _text)
OPERATIONS = st.one_of(
    _send,
    _send,  # twice as likely: the other operations need messages to act on
    st.tuples(st.just("reply_to"), _pick, _pick, _text),
    st.tuples(st.just("fork"), _pick, _pick),
    st.tuples(st.just("edit"), _pick, _pick, _text),
    st.tuples(st.just("flag"), _pick, _pick, st.sampled_from(["pinned", "excluded", "none"])),
    st.tuples(st.just("delete_message"), _pick, _pick),
    st.tuples(st.just("delete_branch"), _pick, _pick),
    st.tuples(st.just("import_copy"), _pick),
    st.tuples(st.just("import_again"), _pick),
)
PathStep = tuple[Any, ...]  # id, parent_id, role, content, token_count, deleted_at, pinned,
# excluded


def walk(session: Session, head_id: str | None) -> list[PathStep]:
    """Root to ``head_id``, one ORM read per message up ``parent_id``."""
    chain: list[PathStep] = []
    while head_id is not None:
        message = session.get(Message, head_id)
        assert message is not None, f"message {head_id} is missing"
        chain.append(
            (
                message.id,
                message.parent_id,
                message.role,
                message.content,
                message.token_count,
                message.deleted_at,
                message.pinned,
                message.excluded,
            )
        )
        head_id = message.parent_id
    return chain[::-1]


class Runner:
    """Applies operations through the API; checks the cache against the database."""

    def __init__(self, api: Any, upstream: Any, conversation_id: str) -> None:
        self.api = api
        self.upstream = upstream
        self.db = api.app.state.ctx.db
        self.paths = api.app.state.ctx.paths
        self.conversations = [conversation_id]
        self.serial = 0

    def content(self, text: str) -> str:
        """Unique per step, so a send is never taken for the retry of an unanswered one."""
        self.serial += 1
        return f"m{self.serial} {text}"

    async def read(self, work: Any) -> Any:
        """``work(session, connection)`` in one read transaction of the app's database."""

        def run(connection: Connection) -> Any:
            with Session(connection) as session:
                return work(session, connection)

        return await self.db.run(run)

    async def branches(self, cid: str) -> list[tuple[str, bool]]:
        def work(session: Session, _: Connection) -> list[tuple[str, bool]]:
            found = session.scalars(
                select(Branch).where(Branch.conversation_id == cid).order_by(Branch.id)
            )
            return [(b.id, b.is_main) for b in found]

        return await self.read(work)

    async def visible_messages(self, cid: str) -> list[str]:
        def work(session: Session, _: Connection) -> list[str]:
            return list(
                session.scalars(
                    select(Message.id)
                    .where(Message.conversation_id == cid, Message.deleted_at.is_(None))
                    .order_by(Message.created_at, Message.id)
                )
            )

        return await self.read(work)

    def conversation(self, pick: int) -> str:
        return self.conversations[pick % len(self.conversations)]

    async def run(self, op: tuple) -> None:
        cid = self.conversation(op[1])
        if op[0] in {"reply_to", "fork", "edit", "flag", "delete_message"}:
            visible = await self.visible_messages(cid)
            if not visible:
                op = ("send", op[1], 0, "first")  # nothing to act on yet
            else:
                op = (op[0], op[1], visible[op[2] % len(visible)], *op[3:])
        await getattr(self, op[0])(cid, *op[2:])
        await self.check_every_branch()

    async def send(self, cid: str, pick: int, text: str) -> None:
        branches = await self.branches(cid)
        branch, _ = branches[pick % len(branches)]
        await self._send(cid, {"content": self.content(text), "branchId": branch})

    async def reply_to(self, cid: str, parent_id: str, text: str) -> None:
        await self._send(cid, {"content": self.content(text), "parentMessageId": parent_id})

    async def _send(self, cid: str, body: dict) -> None:
        response = await self.api.client.post(f"/conversations/{cid}/messages", json=body)
        assert response.status_code == 201, response.text
        question = response.json()["data"]["userMessage"]["id"]
        path = await self.read(lambda session, _: walk(session, question))
        expected = [
            (role, content)
            for _, _, role, content, _, gone, _, excluded in path
            if gone is None and not excluded
        ]
        given = self.upstream.requests[-1].json["messages"]
        context = [(m["role"], m["content"]) for m in given if m["role"] != "system"]
        assert context == expected, "the upstream was not given the stored path"

    async def fork(self, cid: str, message_id: str) -> None:
        response = await self.api.client.post(
            f"/conversations/{cid}/fork", json={"forkPointMessageId": message_id}
        )
        assert response.status_code == 201, response.text

    async def edit(self, _: str, message_id: str, text: str) -> None:
        response = await self.api.client.patch(
            f"/messages/{message_id}", json={"content": self.content(text)}
        )
        assert response.status_code == 200, response.text

    async def flag(self, _: str, message_id: str, flag: str) -> None:
        body = {"pinned": flag == "pinned", "excluded": flag == "excluded"}
        response = await self.api.client.patch(f"/messages/{message_id}/context", json=body)
        assert response.status_code == 200, response.text

    async def delete_message(self, _: str, message_id: str) -> None:
        response = await self.api.client.delete(f"/messages/{message_id}")
        assert response.status_code == 200, response.text

    async def delete_branch(self, cid: str, pick: int) -> None:
        others = [branch for branch, main in await self.branches(cid) if not main]
        if others:
            branch = others[pick % len(others)]
            response = await self.api.client.delete(f"/conversations/{cid}/branches/{branch}")
            assert response.status_code == 200, response.text

    async def import_copy(self, cid: str) -> None:
        """The conversation exported and imported under new ids, as another conversation."""
        copy = renamed(await export(self.api.client, cid))
        for message in copy["messages"]:
            assert message["contentHash"] == wire_hash(message)
        response = await import_(self.api.client, copy)
        assert response.status_code == 201, response.text
        self.conversations.append(response.json()["data"]["conversation"]["id"])

    async def import_again(self, cid: str) -> None:
        """The conversation exported, deleted and imported again: the same ids."""
        document = await export(self.api.client, cid)
        deleted = await self.api.client.delete(f"/conversations/{cid}")
        assert deleted.status_code == 200, deleted.text
        response = await import_(self.api.client, document)
        assert response.status_code == 201, response.text

    async def check_every_branch(self) -> None:
        """Each branch's path: from the app's cache, bypassing it, and by the ORM."""

        def work(session: Session, connection: Connection) -> list[tuple]:
            found = []
            for cid in self.conversations:
                conversation = session.get(Conversation, cid)
                assert conversation is not None
                heads = session.scalars(
                    select(Branch.head_message_id).where(Branch.conversation_id == cid)
                )
                for head in heads:
                    cached = [tuple(m) for m in self.paths.path(connection, conversation, head)]
                    fresh = [tuple(m) for m in message_store.path(connection, head)]
                    found.append((head, cached, fresh, walk(session, head)))
            return found

        for head, cached, fresh, walked in await self.read(work):
            assert cached == walked, f"the cached path to {head} is not the stored one"
            assert fresh == walked, f"the walk to {head} is not the stored one"


@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(OPERATIONS, min_size=3, max_size=12))
async def test_the_cached_path_is_always_a_fresh_walk_of_the_database(
    api, create_conversation, upstream, operations
):
    """Whatever sends, forks, edits, deletions and imports came before, the path a send is
    given from memory is the stored one."""
    runner = Runner(api, upstream, (await create_conversation())["id"])
    for op in operations:
        await runner.run(op)


async def _import_again(runner: Runner, change: Any) -> None:
    """The conversation exported, deleted, changed by ``change`` and imported again: the
    same ids, perhaps with other contents."""
    [cid] = runner.conversations
    document = await export(runner.api.client, cid)
    deleted = await runner.api.client.delete(f"/conversations/{cid}")
    assert deleted.status_code == 200, deleted.text
    change(document)
    response = await import_(runner.api.client, document)
    assert response.status_code == 201, response.text


def _rewrite_first_question(document: dict) -> None:
    first = document["messages"][0]
    first["content"] = "rewritten before the import"
    first["contentHash"] = wire_hash(first)


async def test_a_conversation_imported_again_with_other_contents_is_read_afresh(
    api, create_conversation, upstream
):
    runner = Runner(api, upstream, (await create_conversation())["id"])
    for text in ("one", "two"):
        await runner.send(runner.conversations[0], 0, text)
    await _import_again(runner, _rewrite_first_question)
    await runner.send(runner.conversations[0], 0, "three")  # checks the upstream's context


async def test_a_conversation_imported_again_then_pruned_is_read_afresh(
    api, create_conversation, upstream
):
    runner = Runner(api, upstream, (await create_conversation())["id"])
    cid = runner.conversations[0]
    await runner.send(cid, 0, "one")
    [first, *_] = await runner.visible_messages(cid)
    await runner.delete_message(cid, first)  # one deletion: paths read now are at count 1
    await runner.send(cid, 0, "two")
    await _import_again(runner, lambda document: None)
    [*_, question, _reply] = await runner.visible_messages(cid)
    await runner.delete_message(cid, question)  # "two" is now deleted
    await runner.send(cid, 0, "three")
