"""The conversation pages' read statements (``store/branches.py``, ``store/messages.py``)."""

from __future__ import annotations

from sqlalchemy import Connection

from chatroutes.server.store import branches as branch_store
from chatroutes.server.store import messages as message_store
from chatroutes.server.store.tables import Message


async def test_several_conversations_read_together_as_each_alone(api, create_conversation, send):
    busy = (await create_conversation(title="busy"))["id"]
    first = await send(busy, "first")
    await send(busy, "second")
    await send(busy, "alternative", parentMessageId=first["message"]["id"])  # forks
    await api.client.delete(f"/messages/{first['userMessage']['id']}")
    quiet = (await create_conversation(title="quiet"))["id"]
    await send(quiet, "hello")
    ids = [busy, quiet, (await create_conversation(title="empty"))["id"]]

    def reads(connection: Connection, conversation_ids: list[str]) -> tuple:
        branches = branch_store.branches_of(connection, conversation_ids)
        return (
            [(b.id, b.conversation_id, b.head_message_id) for b in branches],
            message_store.own_counts(connection, conversation_ids),
            message_store.visible_counts(connection, conversation_ids),
        )

    db = api.app.state.ctx.db
    branches, own, visible = await db.run(lambda connection: reads(connection, ids))
    alone = [await db.run(lambda connection, i=i: reads(connection, [i])) for i in ids]

    assert sorted(branches) == sorted(b for each_branches, _, _ in alone for b in each_branches)
    assert own == {k: v for _, each_own, _ in alone for k, v in each_own.items()}
    assert visible == {k: v for _, _, each_visible in alone for k, v in each_visible.items()}
    assert len(branches) == 4 and sorted(own.values()) == [2, 2, 3]  # no empty branch counted
    assert visible == {busy: 5, quiet: 2}  # the deleted question is not counted


async def test_message_rows_carry_the_models_attribute_names(api, create_conversation, send):
    conversation = (await create_conversation())["id"]
    reply = (await send(conversation, "Hi"))["message"]
    db = api.app.state.ctx.db
    path = await db.run(lambda connection: message_store.visible_path(connection, reply["id"]))
    every = await db.run(lambda connection: message_store.messages_of(connection, conversation))
    names = {attribute.key for attribute in Message.__mapper__.column_attrs}
    assert [set(row._fields) for row in path] == [names, names]
    assert [row.id for row in path] == [row.id for row in every]
    assert path[-1].meta == reply["metadata"]
