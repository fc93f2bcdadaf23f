"""Build a main line and two sibling branches forked at the same reply, for each case.

The pytest side checks what reached the mock upstream for every send; this script only
drives the official SDK and reports ids, contents and replies.
"""

from __future__ import annotations

from typing import Any

from _common import Observations, client, run

SYSTEM_PROMPT = "You are the e2e branch-isolation fixture."
CASES: dict[str, dict[str, Any]] = {
    "openai-system": {"model": "gpt-5", "systemPrompt": SYSTEM_PROMPT},
    "anthropic-system": {"model": "claude-sonnet-4-5", "systemPrompt": SYSTEM_PROMPT},
    "openai-no-system": {"model": "gpt-5"},
}


def build(case: str, settings: dict[str, Any]) -> dict[str, Any]:
    """main [u1,a1,u2,a2]; B and C forked at a1; sends alternate C, B, C, B, then main."""
    cr = client()
    conv = cr.conversations.create({"title": f"Isolation {case}", **settings})["id"]

    def text(name: str) -> str:
        return f"{case} {name}"

    u1 = cr.messages.send(conv, {"content": text("u1")})
    cr.messages.send(conv, {"content": text("u2")})
    a1 = u1["message"]["id"]
    b = cr.branches.fork(conv, {"forkPointMessageId": a1, "title": "B"})["id"]
    c = cr.branches.create(conv, {"title": "C", "baseNodeId": a1})["id"]
    sends = {
        "C1": cr.messages.send(conv, {"content": text("C1"), "branchId": c}),
        "B1": cr.messages.send(conv, {"content": text("B1"), "branchId": b}),
        "C2": cr.branches.send_message(conv, c, {"content": text("C2")}),
        "B2": cr.branches.send_message(conv, b, {"content": text("B2")}),
        "u3": cr.messages.send(conv, {"content": text("u3")}),
    }
    return {
        "conversationId": conv,
        "systemPrompt": settings.get("systemPrompt"),
        "text": {name: text(name) for name in ("u1", "u2", "C1", "B1", "C2", "B2", "u3")},
        "replies": {name: sent["message"]["content"] for name, sent in sends.items()},
        "replyBranch": {name: sent["message"]["branchId"] for name, sent in sends.items()},
        "branches": {"B": b, "C": c},
        "branchMessages": {
            "B": [m["content"] for m in cr.branches.get_messages(conv, b)],
            "C": [m["content"] for m in cr.branches.get_messages(conv, c)],
            "main": [m["content"] for m in cr.messages.list(conv)],
        },
    }


def scenario(out: Observations) -> None:
    for case, settings in CASES.items():
        out[case] = build(case, settings)


if __name__ == "__main__":
    run(scenario)
