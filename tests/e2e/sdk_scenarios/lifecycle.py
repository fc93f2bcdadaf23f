"""Conversations, messages and branches through the unmodified official SDK."""

from __future__ import annotations

from _common import Observations, client, outcome, run


def scenario(out: Observations) -> None:
    """Walk every resource method the SDK has for conversations, messages and branches."""
    cr = client()

    created = out["created"] = cr.conversations.create({"title": "E2E lifecycle", "model": "gpt-5"})
    conv = created["id"]
    out["got"] = cr.conversations.get(conv)
    out["listed"] = cr.conversations.list({"page": 1, "limit": 100})
    out["updated"] = cr.conversations.update(conv, {"title": "E2E renamed"})
    out["got_after_update"] = cr.conversations.get(conv)

    first = out["first_send"] = cr.messages.send(conv, {"content": "first question"})
    second = out["second_send"] = cr.messages.send(conv, {"content": "second question"})
    out["main_messages"] = cr.messages.list(conv)
    a1 = first["message"]["id"]

    out["branch_at_head"] = cr.branches.create(conv, {"title": "At head"})
    out["branch_at_node"] = cr.branches.create(conv, {"title": "At a1", "baseNodeId": a1})
    fork = out["fork"] = cr.branches.fork(conv, {"forkPointMessageId": a1})
    out["fork_send"] = cr.branches.send_message(conv, fork["id"], {"content": "on the fork"})
    out["fork_messages"] = cr.branches.get_messages(conv, fork["id"])
    out["fork_messages_via_list"] = cr.messages.list(conv, branch_id=fork["id"])
    out["main_messages_after_fork"] = cr.messages.list(conv)
    out["branches"] = cr.branches.list(conv)

    out["branch_updated"] = cr.branches.update(
        conv, fork["id"], {"title": "Renamed fork", "description": "set by the SDK"}
    )
    out["branch_deleted"] = cr.branches.delete(conv, out["branch_at_head"]["id"])
    out["branches_after_delete"] = cr.branches.list(conv)

    out["edited"] = cr.messages.update(second["userMessage"]["id"], "second question, edited")
    out["main_messages_after_edit"] = cr.messages.list(conv)
    out["tree"] = cr.conversations.get_tree(conv)

    out["message_deleted"] = cr.messages.delete(out["fork_send"]["message"]["id"])
    out["fork_messages_after_delete"] = cr.branches.get_messages(conv, fork["id"])

    out["conversation_deleted"] = cr.conversations.delete(conv)
    out["get_after_delete"] = outcome(lambda: cr.conversations.get(conv))
    out["listed_after_delete"] = cr.conversations.list({"page": 1, "limit": 100})


if __name__ == "__main__":
    run(scenario)
