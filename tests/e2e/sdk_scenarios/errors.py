"""Every SDK error class the server must trigger, with retries off."""

from __future__ import annotations

import os

from _common import Observations, client, outcome, run

UNKNOWN_KEY = "cr_prod_sk_" + "0" * 64


def scenario(out: Observations) -> None:
    """Provoke ValidationError, AuthenticationError and NotFoundError through the SDK."""
    owner = client()
    other = client(os.environ["E2E_OTHER_API_KEY"])
    conv = owner.conversations.create({"title": "Owned by the first account"})["id"]
    sent = owner.messages.send(conv, {"content": "private words"})
    message_id = sent["message"]["id"]
    main_id = next(b["id"] for b in owner.branches.list(conv) if b["isMain"])

    out["validation"] = {
        "create without title (empty body)": outcome(lambda: owner.conversations.create({})),
        "create with blank title": outcome(lambda: owner.conversations.create({"title": "  "})),
        "create with unknown model": outcome(
            lambda: owner.conversations.create({"title": "x", "model": "no-such-model"})
        ),
        "update with temperature 9": outcome(
            lambda: owner.conversations.update(conv, {"temperature": 9})
        ),
        "send empty content": outcome(lambda: owner.messages.send(conv, {"content": ""})),
        "send with unknown model": outcome(
            lambda: owner.messages.send(conv, {"content": "hi", "model": "no-such-model"})
        ),
        "fork at unknown message": outcome(
            lambda: owner.branches.fork(conv, {"forkPointMessageId": "msg_nope"})
        ),
        "delete main branch": outcome(lambda: owner.branches.delete(conv, main_id)),
    }
    out["authentication"] = {
        "unknown well-formed key": outcome(lambda: client(UNKNOWN_KEY).conversations.list()),
        "malformed key": outcome(lambda: client("not-a-key").conversations.get(conv)),
    }
    out["not_found"] = {
        "get unknown conversation": outcome(lambda: owner.conversations.get("conv_nope")),
        "tree of unknown conversation": outcome(lambda: owner.conversations.get_tree("conv_x")),
        "messages of unknown branch": outcome(lambda: owner.branches.get_messages(conv, "br_nope")),
        "edit unknown message": outcome(lambda: owner.messages.update("msg_nope", "x")),
        "delete unknown message": outcome(lambda: owner.messages.delete("msg_nope")),
    }
    out["cross_account"] = {
        "get": outcome(lambda: other.conversations.get(conv)),
        "tree": outcome(lambda: other.conversations.get_tree(conv)),
        "update": outcome(lambda: other.conversations.update(conv, {"title": "stolen"})),
        "delete": outcome(lambda: other.conversations.delete(conv)),
        "send": outcome(lambda: other.messages.send(conv, {"content": "intrude"})),
        "list messages": outcome(lambda: other.messages.list(conv)),
        "list branches": outcome(lambda: other.branches.list(conv)),
        "create branch": outcome(lambda: other.branches.create(conv, {"title": "x"})),
        "fork": outcome(lambda: other.branches.fork(conv, {"forkPointMessageId": message_id})),
        "branch messages": outcome(lambda: other.branches.get_messages(conv, main_id)),
        "edit message": outcome(lambda: other.messages.update(message_id, "changed")),
        "delete message": outcome(lambda: other.messages.delete(message_id)),
    }
    out["other_list_ids"] = [c["id"] for c in other.conversations.list({"limit": 100})["data"]]
    out["owner_after"] = owner.conversations.get(conv)
    out["owner_messages_after"] = owner.messages.list(conv)
    out["conversation_id"] = conv


if __name__ == "__main__":
    run(scenario)
