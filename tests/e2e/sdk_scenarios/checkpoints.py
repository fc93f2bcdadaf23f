"""Checkpoints, recreate and merge through the unmodified official SDK."""

from __future__ import annotations

from _common import Observations, client, outcome, run

EARLY = "Our launch lead is Priya Raman and the budget is 48,500 euros."


def scenario(out: Observations) -> None:
    cr = client()
    conv = cr.conversations.create({"title": "E2E checkpoints", "model": "gpt-5"})
    cid = conv["id"]
    main = conv["branches"][0]["id"]
    first = cr.messages.send(cid, {"content": EARLY})
    second = cr.messages.send(cid, {"content": "The venue holds 320 guests."})
    anchor = second["message"]["id"]

    created = out["created"] = cr.checkpoints.create(cid, main, anchor)
    out["listed"] = cr.checkpoints.list(cid)
    out["listed_on_main"] = cr.checkpoints.list(cid, branch_id=main)
    out["after"] = cr.messages.send(cid, {"content": "What did we settle?"})
    out["early_ids"] = [first["userMessage"]["id"], first["message"]["id"]]

    out["recreated"] = cr.checkpoints.recreate(created["id"])
    out["branches_after_recreate"] = cr.branches.list(cid)
    restored = next(b for b in out["branches_after_recreate"] if b.get("checkpointId"))
    out["restored_send"] = cr.branches.send_message(cid, restored["id"], {"content": "Recap?"})

    fork = cr.branches.fork(cid, {"forkPointMessageId": anchor, "title": "Idea"})
    cr.branches.send_message(cid, fork["id"], {"content": "Try a rooftop venue."})
    out["merged"] = cr.branches.merge(cid, fork["id"])
    out["main_after_merge"] = cr.messages.list(cid)

    cr.checkpoints.delete(created["id"])
    out["listed_after_delete"] = cr.checkpoints.list(cid)
    out["delete_again"] = outcome(lambda: cr.checkpoints.delete(created["id"]))


if __name__ == "__main__":
    run(scenario)
