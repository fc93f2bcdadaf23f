"""Property test: random tree operations over HTTP agree with a small in-memory model.

Each example creates a fresh conversation, applies a random list of operations
(send, reply to an earlier message, branch, fork, edit, delete a message, delete a
branch) through the API and the same operations to ``TreeModel``, which encodes the
rules of DESIGN.md "The conversation tree". After every step every branch's visible
path from the API must equal the model's, and every message's ``contentHash`` must
equal the WIRE.md recomputation; at the end the branch list (with own-message
counts), the main path and the ``/tree`` messages must match the model too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.wire import wire_hash

# ---------------------------------------------------------------------------
# Operations: indices are taken modulo the current candidates, so every drawn
# list is applicable whatever state the earlier steps left.

_index = st.integers(min_value=0, max_value=1_000)
# Printable text; one in sixteen ends in NUL, which PostgreSQL cannot store, so it is refused.
_text = st.builds(
    str.__add__,
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=6),
    st.sampled_from([""] * 15 + ["\x00"]),
)

NEEDS_A_MESSAGE = {"reply_to", "branch_at_message", "edit", "delete_message"}
_send = st.tuples(st.just("send"), _index, _text)
OPERATIONS = st.one_of(
    _send,
    _send,
    _send,  # three times as likely: the other operations need messages to act on
    st.tuples(st.just("reply_to"), _index, _index, st.booleans(), _text),
    st.tuples(
        st.just("branch_at_message"),
        _index,
        st.sampled_from(["forkPointMessageId", "baseNodeId", "fork"]),
    ),
    st.tuples(st.just("branch_at_head"), _index, st.booleans()),
    st.tuples(st.just("edit"), _index, _text),
    st.tuples(st.just("delete_message"), _index),
    st.tuples(st.just("delete_branch"), _index),
)


def node_ids(nodes: list[dict]) -> list[str]:
    """Every message id in a ``/tree`` message forest."""
    return [i for node in nodes for i in [node["id"], *node_ids(node["children"])]]


# ---------------------------------------------------------------------------
# The model: messages linked by parent, branches as (head, fork point) pointers.


@dataclass
class Msg:
    id: str
    parent: str | None
    role: str
    content: str
    branch: str
    deleted: bool = False


@dataclass
class TreeModel:
    main: str
    messages: dict[str, Msg] = field(default_factory=dict)
    heads: dict[str, str | None] = field(default_factory=dict)
    fork_points: dict[str, str | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.heads[self.main] = None
        self.fork_points[self.main] = None

    def chain(self, head: str | None) -> list[Msg]:
        """Root-to-head, deleted messages included."""
        path: list[Msg] = []
        while head is not None:
            path.append(self.messages[head])
            head = self.messages[head].parent
        return path[::-1]

    def visible_path(self, branch: str) -> list[Msg]:
        return [m for m in self.chain(self.heads[branch]) if not m.deleted]

    def visible(self) -> list[Msg]:
        return [m for m in self.messages.values() if not m.deleted]

    def add_branch(self, branch: str, fork_point: str | None) -> None:
        assert branch not in self.heads
        self.heads[branch] = fork_point
        self.fork_points[branch] = fork_point

    def append(self, branch: str, message: Msg) -> None:
        assert message.parent == self.heads[branch] and message.id not in self.messages
        self.messages[message.id] = message
        self.heads[branch] = message.id

    def own(self, branch: str) -> list[Msg]:
        """The branch's path after its fork point, deleted messages included."""
        path = self.chain(self.heads[branch])
        ids = [m.id for m in path]
        fork_point = self.fork_points[branch]
        return path[ids.index(fork_point) + 1 :] if fork_point in ids else path

    def delete_branch(self, branch: str) -> None:
        """Hide the branch's own messages that no other branch still reaches."""
        own = self.own(branch)
        del self.heads[branch], self.fork_points[branch]
        reached = {m.id for head in self.heads.values() for m in self.chain(head)}
        for message in own:
            if message.id not in reached:
                message.deleted = True


# ---------------------------------------------------------------------------
# Driving the API and the model in step.


class Runner:
    """Applies each operation to the API and the model, then compares them."""

    def __init__(self, api, conversation: dict) -> None:
        self.api = api
        self.cid = conversation["id"]
        [main] = conversation["branches"]
        self.model = TreeModel(main=main["id"])
        self.serial = 0

    def content(self, text: str) -> str:
        """Unique per step, so a send is never taken for the retry of an unanswered one."""
        self.serial += 1
        return f"m{self.serial} {text}"

    def branches(self) -> list[str]:
        return list(self.model.heads)

    @staticmethod
    def refused(response: httpx.Response, content: str) -> bool:
        """Content with NUL is a 400 naming ``content``; such a step changes nothing."""
        if "\x00" not in content:
            return False
        assert response.status_code == 400, response.text
        error = response.json()
        assert (error["error"], error["details"]["field"]) == ("VALIDATION_ERROR", "content")
        return True

    async def run(self, op: tuple) -> None:
        if op[0] in NEEDS_A_MESSAGE and not self.model.visible():
            op = ("send", 0, "first")  # nothing to act on yet
        await getattr(self, op[0])(*op[1:])
        await self.check_paths()

    def _record_send(self, data: dict, branch: str, parent: str | None) -> None:
        user, reply = data["userMessage"], data["assistantMessage"]
        assert data["message"] == reply
        assert data["branchId"] == branch
        self.model.append(branch, Msg(user["id"], parent, "user", user["content"], branch))
        echo = Msg(reply["id"], user["id"], "assistant", "Echo: " + user["content"], branch)
        self.model.append(branch, echo)
        assert (reply["content"], reply["parentMessageId"]) == (echo.content, user["id"])

    async def send(self, pick: int, text: str) -> None:
        branch = self.branches()[pick % len(self.branches())]
        content = self.content(text)
        response = await self.api.client.post(
            f"/conversations/{self.cid}/messages", json={"content": content, "branchId": branch}
        )
        if self.refused(response, content):
            return
        assert response.status_code == 201, response.text
        data = response.json()["data"]
        assert "branch" not in data
        assert data["userMessage"]["content"] == content
        self._record_send(data, branch, self.model.heads[branch])

    async def reply_to(self, pick: int, at: int, with_branch: bool, text: str) -> None:
        """Send after a message on a branch's path: appends at the head, forks elsewhere."""
        branches = [b for b in self.branches() if self.model.visible_path(b)]
        if not branches:  # every visible message is on a deleted branch's leftovers
            return
        branch = branches[pick % len(branches)]
        path = self.model.visible_path(branch)
        parent = path[at % len(path)]
        body = {"content": self.content(text), "parentMessageId": parent.id}
        if with_branch:
            body["branchId"] = branch
            target = branch
        else:  # the branch the parent was written on, or main when that one is gone
            target = parent.branch if parent.branch in self.model.heads else self.model.main
        response = await self.api.client.post(f"/conversations/{self.cid}/messages", json=body)
        if self.refused(response, body["content"]):
            return
        assert response.status_code == 201, response.text
        data = response.json()["data"]
        if self.model.heads[target] == parent.id:
            assert "branch" not in data
        else:
            forked = data["branch"]
            assert forked["forkPointMessageId"] == parent.id
            assert forked["parentBranchId"] == target
            target = forked["id"]
            self.model.add_branch(target, parent.id)
        self._record_send(data, target, parent.id)

    async def branch_at_message(self, at: int, how: str) -> None:
        visible = self.model.visible()
        if not visible:
            return
        fork_point = visible[at % len(visible)].id
        if how == "fork":
            url, body = "fork", {"forkPointMessageId": fork_point}
        else:
            url, body = "branches", {how: fork_point, "title": "b"}
        response = await self.api.client.post(f"/conversations/{self.cid}/{url}", json=body)
        assert response.status_code == 201, response.text
        branch = response.json()["data"]["branch"]
        assert branch["forkPointMessageId"] == fork_point
        assert branch["messageCount"] == 0
        self.model.add_branch(branch["id"], fork_point)

    async def branch_at_head(self, pick: int, name_parent: bool) -> None:
        """No fork point: the new branch starts at its parent branch's current head."""
        parent = self.branches()[pick % len(self.branches())] if name_parent else self.model.main
        body = {"title": "h", "parentBranchId": parent} if name_parent else {"title": "h"}
        response = await self.api.client.post(f"/conversations/{self.cid}/branches", json=body)
        assert response.status_code == 201, response.text
        branch = response.json()["data"]["branch"]
        assert branch["parentBranchId"] == parent
        assert branch["forkPointMessageId"] == self.model.heads[parent]
        self.model.add_branch(branch["id"], self.model.heads[parent])

    async def edit(self, at: int, text: str) -> None:
        """A new version beside the original: at a head the head moves, else a new branch."""
        visible = self.model.visible()
        if not visible:
            return
        original = visible[at % len(visible)]
        content = self.content(text)
        response = await self.api.client.patch(
            f"/messages/{original.id}", json={"content": content}
        )
        if self.refused(response, content):
            return
        assert response.status_code == 200, response.text
        data = response.json()["data"]
        version = data["message"]
        assert version["editedFrom"] == original.id
        assert version["parentMessageId"] == original.parent
        assert (version["role"], version["content"]) == (original.role, content)
        home = original.branch
        if self.model.heads.get(home) == original.id:
            assert "branch" not in data
            target = home
            self.model.heads[home] = original.parent
        else:
            target = data["branch"]["id"]
            assert data["branch"]["forkPointMessageId"] == original.parent
            self.model.add_branch(target, original.parent)
        assert version["branchId"] == target
        self.model.append(
            target, Msg(version["id"], original.parent, original.role, content, target)
        )

    async def delete_message(self, at: int) -> None:
        visible = self.model.visible()
        if not visible:
            return
        message = visible[at % len(visible)]
        response = await self.api.client.delete(f"/messages/{message.id}")
        assert response.status_code == 200, response.text
        message.deleted = True
        again = await self.api.client.delete(f"/messages/{message.id}")
        assert again.status_code == 404

    async def delete_branch(self, pick: int) -> None:
        """Any branch but main (which is refused, tried only when it is the last one)."""
        branches = [b for b in self.branches() if b != self.model.main] or [self.model.main]
        branch = branches[pick % len(branches)]
        response = await self.api.client.delete(f"/conversations/{self.cid}/branches/{branch}")
        if branch == self.model.main:
            assert response.status_code == 400, response.text
            return
        assert response.status_code == 200, response.text
        self.model.delete_branch(branch)

    async def check_paths(self) -> None:
        """Every branch's visible path: ids, contents, parents, homes and hashes."""
        for branch in self.model.heads:
            response = await self.api.client.get(
                f"/conversations/{self.cid}/branches/{branch}/messages"
            )
            assert response.status_code == 200, response.text
            got = response.json()["data"]["messages"]
            expected = self.model.visible_path(branch)
            assert [(m["id"], m["content"]) for m in got] == [(m.id, m.content) for m in expected]
            for message, known in zip(got, expected, strict=True):
                assert message["parentMessageId"] == known.parent
                assert message["branchId"] == known.branch
                assert message["contentHash"] == wire_hash(message), message

    async def check_conversation(self) -> None:
        """The branch list with own-message counts, the main path and the tree's messages."""
        listed = await self.api.client.get(f"/conversations/{self.cid}/branches")
        counts = {b["id"]: b["messageCount"] for b in listed.json()["data"]["branches"]}
        assert counts == {
            b: sum(not m.deleted for m in self.model.own(b)) for b in self.model.heads
        }
        main = await self.api.client.get(f"/conversations/{self.cid}/messages")
        main_path = [m["id"] for m in main.json()["data"]["messages"]]
        assert main_path == [m.id for m in self.model.visible_path(self.model.main)]
        tree = (await self.api.client.get(f"/conversations/{self.cid}/tree")).json()["data"]
        assert sorted(node_ids(tree["tree"]["children"])) == sorted(
            m.id for m in self.model.visible()
        )


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(OPERATIONS, min_size=4, max_size=15))
async def test_random_operations_keep_every_branch_path_equal_to_the_model(
    api, create_conversation, operations
):
    """Any sequence of tree operations leaves the API's paths and hashes as the model says."""
    runner = Runner(api, await create_conversation())
    for op in operations:
        await runner.run(op)
    await runner.check_conversation()
