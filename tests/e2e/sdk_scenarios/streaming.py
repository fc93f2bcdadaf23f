"""Stream a reply through the official SDK's callbacks, then send the same text plainly."""

from __future__ import annotations

from _common import Observations, client, run

TEXT = "stream this reply word by word"


def scenario(observations: Observations) -> None:
    cr = client()
    conversation = cr.conversations.create({"title": "Streaming"})["id"]
    chunks: list[dict] = []
    completed: list[dict] = []
    cr.messages.stream(
        conversation, {"content": TEXT}, on_chunk=chunks.append, on_complete=completed.append
    )
    observations["chunks"] = chunks
    observations["completed"] = completed
    observations["plain"] = cr.messages.send(conversation, {"content": TEXT})["message"]
    observations["listed"] = cr.messages.list(conversation)


run(scenario)
